"""The cross-check of a whole warehouse, pair by pair, cached and in parallel. No Dagster in here.

Each (plan, template) pair is keyed by the content of everything ``crosscheck.check.compare``
reads — both notices' references, task rows and domain rows, how they were linked, the
thresholds — and by the engine's own source (``engine_version``). The pair's check and its
rendered report page are kept under ``warehouse/_cache/crosscheck/<key>.pickle``; a rerun
recomputes only the pairs whose key changed (a plan or template whose tasks changed, a new plan,
a new engine). The day deadlines are judged on is not in the key: an entry judged on another day
keeps its alignment and domain tables (which do not depend on the day) and has only its overdue
tasks and its page redone (``crosscheck.check.rejudged``), so a nightly run on unchanged notices
aligns nothing again. New and rejudged pairs are shared out to a pool of ``spawn``ed processes
(one per CPU) that the caller starts ahead (``pair_pool``), when there are enough of them
(``_worth_sharing``); else they are done in this process. The pairs themselves, their keys and
what a pool process does with one are ``pipelines.crosscheck_pairs``; this process writes the
entries.
The overview page of each template is kept under ``warehouse/_cache/crosscheck-overviews/``
(``overview_pages``), keyed by the keys of its pairs and the day.
"""

from __future__ import annotations

import atexit
import datetime as dt
import gc
import hashlib
import multiprocessing
import os
import pickle
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from crosscheck.align import AlignOptions
from crosscheck.model import CrossCheck
from crosscheck.report import render_overview
from parsers.startup import import_for_life
from pipelines import crosscheck_pairs, storage
from pipelines.crosscheck_pairs import Pair, PairJob, do_pair, load_entry

CACHE_DIR = "_cache/crosscheck"
#: Overview pages, one per template group (``overview_pages``).
OVERVIEW_CACHE_DIR = "_cache/crosscheck-overviews"
#: A pool (``pair_pool``) takes a batch of at least this many new pairs: fewer are computed in
#: this process (sending a pair and its entry back costs ~1 ms).
STARTED_POOL_MIN_PAIRS = 16


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the duration (back on after, if it was on).

    A cross-check of a warehouse makes hundreds of thousands of small objects that live until
    its end (rows, task Items, notices, cached checks read back) and form no reference cycles;
    each of them counts towards the collector's next pass, and each full pass walks the whole
    heap, which in a Dagster process is large. Collecting once at the end costs a fraction."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class CheckedPairs:
    """Each pair's check, report page and cache key (in the order of the pairs), the day they
    were judged on, how many were computed (not in the cache) and how many were only rejudged
    (in the cache, judged on another day)."""

    checks: list[CrossCheck]
    pages: list[str]
    keys: list[str]
    day: dt.date
    computed: int
    rejudged: int = 0


def checked_pairs(
    pairs: list[Pair],
    options: AlignOptions,
    day: dt.date,
    cache_dir: storage.Location,
    pool: ProcessPoolExecutor | None = None,
) -> CheckedPairs:
    """Each pair's check and report page as of ``day``: from the cache, rejudged from an entry of
    another day, or computed. ``cache_dir`` is a local directory or a prefix on object storage
    (``pipelines.storage``); ``pool``: worker processes started ahead (``pair_pool``), used for
    a batch worth sharing out; without it every pair to do is done in this process.

    Cache entries of pairs that no longer exist are removed."""
    keys = [p.key(options) for p in pairs]
    unique = dict(zip(keys, pairs, strict=True))
    cached = dict(zip(unique, storage.read_files([cache_dir / f"{k}.pickle" for k in unique]), strict=True))
    # the pairs without an entry go to the workers first: they compute while this process loads
    # the entries of the others
    new = [PairJob(p, k, options, day) for k, p in unique.items() if cached[k] is None]
    batches = [(new, _started(new, pool))]
    results: dict[str, tuple[CrossCheck, str]] = {}
    again: list[PairJob] = []  # judged on another day, or unreadable
    for key, data in cached.items():
        if data is None:
            continue
        try:
            result = load_entry(unique[key], data)
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, IndexError):
            again.append(PairJob(unique[key], key, options, day))
            continue
        if result[0].as_of == day:
            results[key] = result
        else:
            again.append(PairJob(unique[key], key, options, day, data))
    batches.append((again, _started(again, pool)))
    for jobs, entries in batches:
        for job, data in zip(jobs, entries, strict=True):
            storage.atomic_write_bytes(data, cache_dir / f"{job.key}.pickle")
            results[job.key] = load_entry(job.pair, data)
    _prune(cache_dir, ".pickle", {f"{k}.pickle" for k in keys})
    rejudged = sum(1 for job in again if job.cached is not None)
    return CheckedPairs(
        [results[k][0] for k in keys],
        [results[k][1] for k in keys],
        keys,
        day,
        computed=len(new) + len(again) - rejudged,
        rejudged=rejudged,
    )


def _started(jobs: list[PairJob], pool: ProcessPoolExecutor | None) -> Iterator[bytes]:
    """Each job's cache entry, in order: on ``pool``, where the jobs start at once, when the batch
    is worth sharing out; else done in this process as the entries are asked for."""
    if pool is not None and _worth_sharing(len(jobs), pool):
        chunksize = max(1, len(jobs) // ((os.cpu_count() or 1) * 8))
        return pool.map(do_pair, jobs, chunksize=chunksize)  # submits every job now
    return map(do_pair, jobs)


def _worth_sharing(pairs: int, pool: ProcessPoolExecutor | None) -> bool:
    """Whether ``pairs`` pairs to do go to ``pool`` rather than being done in this process."""
    return pool is not None and pairs >= STARTED_POOL_MIN_PAIRS


@contextmanager
def pair_pool(workers: int | None = None, enabled: bool = True) -> Iterator[ProcessPoolExecutor | None]:
    """Worker processes for the pairs to do: the ones ``start_pair_pool`` started earlier in
    this process, else started now, each importing the engine (~0.5 s) while the caller reads
    the tables and links the plans, so a rerun's few hundred changed pairs are shared out
    without waiting for a pool to start. None with one CPU or when not ``enabled``. On leaving,
    the workers are let go without waiting for those still starting."""
    global _started_pool
    workers = workers or os.cpu_count() or 1
    if workers < 2 or not enabled:
        _stop_started_pool()  # started for nothing
        yield None
        return
    pool, _started_pool = _started_pool, None
    pool = pool or _new_pool(workers)
    try:
        yield pool
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


_started_pool: ProcessPoolExecutor | None = None


def start_pair_pool(workers: int | None = None) -> None:
    """Start the pair workers now, for a cross-check to come later in this process
    (``pair_pool`` takes them): ``gongwen run`` does once its readers are done with a few changed
    files, so the workers start while the tables are built, off the run's critical path. The
    processes are spawned from a thread (~0.1 s each), so the caller goes on at once."""
    global _started_pool
    workers = workers or os.cpu_count() or 1
    if _started_pool is None and workers >= 2:
        _started_pool = _new_pool(workers, background=True)
        atexit.unregister(_stop_started_pool)  # registered once however often a pool is started
        atexit.register(_stop_started_pool)


def _stop_started_pool() -> None:
    global _started_pool
    pool, _started_pool = _started_pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def _new_pool(workers: int, background: bool = False) -> ProcessPoolExecutor:
    """A pool whose ``workers`` processes start now (a process starts when work is submitted):
    from this thread, or from a ``background`` one."""
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=import_for_life,
        # the pairs' module and the engine, imported with the collector off (``parsers.startup``)
        initargs=(crosscheck_pairs.__name__,),
    )

    def warm_all() -> None:
        try:
            for _ in range(workers):
                pool.submit(crosscheck_pairs.warm_worker)
        except RuntimeError:  # let go (shut down) before all had started: nothing left to do
            return

    if background:
        threading.Thread(target=warm_all, name="gongwen-pair-pool-start", daemon=True).start()
    else:
        warm_all()
    return pool


def _prune(cache_dir: storage.Location, suffix: str, live: set[str]) -> None:
    """Remove the cache entries (files ending in ``suffix``) that this run did not use."""
    storage.unlink_all(cache_dir / name for name in storage.file_names(cache_dir, suffix) if name not in live)


# --- overviews ------------------------------------------------------------------------------
#
# One overview page per template, across the plans checked against it. Rendering all of them is
# most of the work of writing the reports, and a rerun changes few groups: a group's page is kept
# under ``<OVERVIEW_CACHE_DIR>/<key>.html``, keyed by its pairs' keys (in order), the day their
# deadlines were judged on and the day the page is generated (the page shows both).


def template_groups(checks: Sequence[CrossCheck]) -> dict[str, list[int]]:
    """Positions of the checks of each template (by doc_id), in the order of ``checks``."""
    groups: dict[str, list[int]] = {}
    for i, check in enumerate(checks):
        groups.setdefault(check.template.doc_id, []).append(i)
    return groups


def overview_pages(checked: CheckedPairs, cache_dir: storage.Location) -> dict[str, str]:
    """The overview page of each template group (by template doc_id), from the cache when a page
    was rendered for exactly these pairs on this day, else rendered (and cached). Cached pages of
    groups that no longer exist are removed."""
    days = (dt.date.today().isoformat(), checked.day.isoformat())
    groups = template_groups(checked.checks)
    names = {
        template: f"{_digest(repr((days, [checked.keys[i] for i in positions])))}.html"
        for template, positions in groups.items()
    }
    cached = storage.read_files([cache_dir / name for name in names.values()])
    pages: dict[str, str] = {}
    for (template, name), data in zip(names.items(), cached, strict=True):
        if data is not None:
            pages[template] = data.decode("utf-8")
            continue
        pages[template] = render_overview([checked.checks[i] for i in groups[template]])
        storage.atomic_write_bytes(pages[template].encode("utf-8"), cache_dir / name)
    _prune(cache_dir, ".html", set(names.values()))
    return pages


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
