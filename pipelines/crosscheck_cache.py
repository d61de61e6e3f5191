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
(``_worth_sharing``); else they are done in this process. Whoever does a pair writes its entry.
The overview page of each template is kept under ``warehouse/_cache/crosscheck-overviews/``
(``overview_pages``), keyed by the keys of its pairs and the day.
"""

from __future__ import annotations

import atexit
import dataclasses
import datetime as dt
import gc
import hashlib
import io
import multiprocessing
import os
import pickle
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, cached_property
from operator import attrgetter
from pathlib import Path
from typing import Any

from crosscheck.align import AlignOptions
from crosscheck.check import compare, rejudged
from crosscheck.from_tables import Corpus, sorted_notices
from crosscheck.linking import (
    MissingTemplate,
    Notice,
    find_templates,
    identity,
    may_implement,
    representatives,
    title_key,
)
from crosscheck.model import CrossCheck, Item, NoticeRef
from crosscheck.report import render_overview, render_plan_report
from crosscheck.similarity import equivalents
from parsers.domains import DomainRow
from parsers.startup import import_for_life
from pipelines import storage
from pipelines.paths import PROJECT_ROOT

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


@cache
def engine_version() -> str:
    """Hash of the cross-check engine (``crosscheck/``: code, data, report templates): a change
    there invalidates every cached pair."""
    root = PROJECT_ROOT
    digest = hashlib.sha256()
    for path in sorted((root / "crosscheck").rglob("*")):
        if path.is_file() and path.suffix in {".py", ".tsv", ".toml", ".html", ".css", ".txt"}:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Side:
    """One notice as ``compare`` reads it: its reference, task rows and domain rows."""

    ref: NoticeRef
    items: tuple[Item, ...]
    domains: tuple[DomainRow, ...]

    @cached_property
    def digest(self) -> str:
        """Hash of everything above: each record's field values, and the field names of each kind
        of record. Computed once per notice: a template is a side of every pair of the plans that
        implement it."""
        kinds = {type(record) for record in (self.ref, *self.items, *self.domains)}
        text = repr(
            (
                sorted((kind.__qualname__, _shape(kind)[0]) for kind in kinds),
                _values(self.ref),
                [_values(item) for item in self.items],
                [_values(row) for row in self.domains],
            )
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


_Shape = tuple[tuple[str, ...], Callable[[Any], tuple[object, ...]]]
_shapes: dict[type, _Shape] = {}


def _shape(cls: type) -> _Shape:
    """A record class's field names, and a function giving a record's field values as a tuple:
    the repr of plain tuples is what ``Side.digest`` hashes (the records' own dataclass
    ``__repr__`` costs twice as much: 0.2 s for the ~800 notices of a 2,000-document corpus)."""
    shape = _shapes.get(cls)
    if shape is None:
        names = tuple(f.name for f in dataclasses.fields(cls))
        get = attrgetter(*names)
        shape = _shapes[cls] = (names, get if len(names) > 1 else lambda record: (get(record),))
    return shape


def _values(record: Any) -> tuple[object, ...]:
    return _shape(type(record))[1](record)


@dataclass(frozen=True)
class Pair:
    """One plan against one template: everything ``compare`` reads."""

    plan: Side
    template: Side
    linked_by: str

    def key(self, options: AlignOptions) -> str:
        """Its cache key: the content of both sides, the link, the thresholds, the engine (not
        the day deadlines are judged on: ``rejudged``)."""
        text = repr((self.plan.digest, self.template.digest, self.linked_by, options, engine_version()))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def linked_pairs(
    corpus: Corpus, configured: dict[str, str] | None
) -> tuple[list[Pair], list[MissingTemplate]]:
    """Every plan (one copy per notice, ``representatives``) with each template it implements
    (``find_templates``), and the templates plans name that are not in the corpus."""
    notices = sorted_notices(corpus)
    candidates = _Candidates(notices, configured)
    linked: list[tuple[str, str, str]] = []  # plan, template, how
    missing: list[MissingTemplate] = []
    for plan in representatives(notices):
        if not plan.has_tasks:
            continue
        links, absent = find_templates(plan, candidates.for_plan(plan), configured)
        missing.extend(absent)
        linked.extend((plan.doc_id, link.template.doc_id, link.linked_by) for link in links)
    items, domains = corpus.records({doc_id for plan, template, _ in linked for doc_id in (plan, template)})
    sides: dict[str, Side] = {}

    def side(doc_id: str) -> Side:
        if doc_id not in sides:
            sides[doc_id] = Side(
                corpus.refs[doc_id], tuple(items.get(doc_id, ())), tuple(domains.get(doc_id, ()))
            )
        return sides[doc_id]

    return [Pair(side(plan), side(template), how) for plan, template, how in linked], missing


class _Candidates:
    """The notices ``find_templates`` can link a plan to, in corpus order.

    ``find_templates`` compares a plan's basis citations with every notice, normalizing both
    titles each time (``canonical_title``: regular expressions), so linking P plans over N
    notices cost P × N normalizations (26 s of a 45 s cross-check at N = 2,000, all of it with
    every pair cached). Only notices whose number or normalized title equals one of the plan's
    basis citations can match, and of the notices one citation matches (all equally), it keeps
    per notice (``identity``) the first in the plan's format, else the first: so passing, of each
    citation's matches, the first that ``may_implement`` allows per (identity, format) gives the
    same links — however many copies of a template the corpus holds. A plan named in the
    configured links gets every notice, as before.
    """

    def __init__(self, notices: Sequence[Notice], configured: Mapping[str, str] | None) -> None:
        self.notices = list(notices)
        self.configured = set(configured or ())
        by_number: dict[str, list[int]] = {}
        by_title: dict[str, list[int]] = {}
        for i, n in enumerate(self.notices):
            if n.doc_number:
                by_number.setdefault(n.doc_number, []).append(i)
            if n.title:
                by_title.setdefault(title_key(n.title), []).append(i)
        self.by_number = {k: self._copies(v) for k, v in by_number.items()}
        self.by_title = {k: self._copies(v) for k, v in by_title.items()}

    def _copies(self, positions: list[int]) -> list[list[int]]:
        """``positions`` grouped by (identity, format), each group in corpus order."""
        groups: dict[tuple[str, str], list[int]] = {}
        for i in positions:
            n = self.notices[i]
            groups.setdefault((identity(n), n.format), []).append(i)
        return list(groups.values())

    def for_plan(self, plan: Notice) -> list[Notice]:
        names = {x for x in (plan.doc_number, plan.title, Path(plan.path).name, Path(plan.path).stem) if x}
        if names & self.configured:
            return self.notices
        hits: set[int] = set()
        for number, title in plan.basis:
            matched = [
                *self.by_number.get(number or "", ()),
                *(self.by_title.get(title_key(title), ()) if title else ()),
            ]
            for copies in matched:
                first = next((i for i in copies if may_implement(plan, self.notices[i])), None)
                if first is not None:
                    hits.add(first)
        return [self.notices[i] for i in sorted(hits)]


def check_and_render(job: tuple[Pair, AlignOptions, dt.date]) -> tuple[CrossCheck, str]:
    """One pair's cross-check and its report page."""
    pair, options, day = job
    check = compare(
        pair.plan.ref,
        pair.template.ref,
        pair.plan.items,
        pair.template.items,
        pair.plan.domains,
        pair.template.domains,
        linked_by=pair.linked_by,
        as_of=day,
        options=options,
    )
    return check, render_plan_report(check)


@dataclass(frozen=True)
class PairJob:
    """One pair to do: computed, or only rejudged when ``cached`` holds its entry of another day.
    The entry is written to ``cache_dir`` by whoever does the job (a pool process or this one)."""

    pair: Pair
    key: str
    options: AlignOptions
    day: dt.date
    cache_dir: storage.Location
    cached: bytes | None = None


def do_pair(job: PairJob) -> bytes:
    """A job's check and report page, written as its cache entry (``dump_entry``); the entry's
    bytes are returned, so the caller reads them once instead of a result pickled twice."""
    if job.cached is not None:
        check = rejudged(load_entry(job.pair, job.cached)[0], job.pair.plan.items, job.day)
        result = (check, render_plan_report(check))
    else:
        result = check_and_render((job.pair, job.options, job.day))
    data = dump_entry(job.pair, result)
    storage.atomic_write_bytes(data, job.cache_dir / f"{job.key}.pickle")
    return data


# --- cache entries ----------------------------------------------------------------------------
#
# A pair's check holds its notices' references and task rows (each requirement, task and gap
# names its Item). Those are the pair's own objects, in memory whenever an entry is read (the
# entry's key is their digest), so an entry stores them as references into the pair: smaller,
# and read back without rebuilding every Item field by field.


def _shared(pair: Pair) -> list[object]:
    """The pair's objects an entry refers to, by position."""
    return [pair.plan.ref, pair.template.ref, *pair.plan.items, *pair.template.items]


class _EntryPickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, pair: Pair) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._positions = {id(obj): i for i, obj in enumerate(_shared(pair))}

    def persistent_id(self, obj: object) -> int | None:
        return self._positions.get(id(obj))


class _EntryUnpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, pair: Pair) -> None:
        super().__init__(file)
        self._objects = _shared(pair)

    def persistent_load(self, pid: int) -> object:
        return self._objects[pid]


def dump_entry(pair: Pair, result: tuple[CrossCheck, str]) -> bytes:
    """A pair's check and report page as a cache entry; the pair's own objects are stored as
    references to it."""
    buffer = io.BytesIO()
    _EntryPickler(buffer, pair).dump(result)
    return buffer.getvalue()


def load_entry(pair: Pair, data: bytes) -> tuple[CrossCheck, str]:
    """A cache entry made by ``dump_entry`` for a pair with the same key, read back."""
    result: tuple[CrossCheck, str] = _EntryUnpickler(io.BytesIO(data), pair).load()
    return result


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
    new = [PairJob(p, k, options, day, cache_dir) for k, p in unique.items() if cached[k] is None]
    batches = [(new, _started(new, pool))]
    results: dict[str, tuple[CrossCheck, str]] = {}
    again: list[PairJob] = []  # judged on another day, or unreadable
    for key, data in cached.items():
        if data is None:
            continue
        try:
            result = load_entry(unique[key], data)
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, IndexError):
            again.append(PairJob(unique[key], key, options, day, cache_dir))
            continue
        if result[0].as_of == day:
            results[key] = result
        else:
            again.append(PairJob(unique[key], key, options, day, cache_dir, data))
    batches.append((again, _started(again, pool)))
    for jobs, entries in batches:
        for job, data in zip(jobs, entries, strict=True):
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
        initargs=(__name__,),  # the engine, imported with the collector off (``parsers.startup``)
    )

    def warm_all() -> None:
        try:
            for _ in range(workers):
                pool.submit(warm_worker)
        except RuntimeError:  # let go (shut down) before all had started: nothing left to do
            return

    if background:
        threading.Thread(target=warm_all, name="gongwen-pair-pool-start", daemon=True).start()
    else:
        warm_all()
    return pool


def warm_worker() -> None:
    """In a pool process: the engine is imported by the time this runs (it lives in this module);
    also load the equivalents table every pair's texts go through."""
    equivalents()


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
