"""The cross-check of a whole warehouse, pair by pair, cached and in parallel. No Dagster in here.

Each (plan, template) pair is keyed by the content of everything ``crosscheck.check.compare``
reads — both notices' references, task rows and domain rows, how they were linked, the
thresholds, the day deadlines are judged on — and by the engine's own source
(``engine_version``). The pair's check and its rendered report page are kept under
``warehouse/_cache/crosscheck/<key>.pickle``; a rerun recomputes only the pairs whose key
changed (a plan or template whose tasks changed, a new plan, a new day, a new engine). New pairs
are computed on a pool of ``spawn``ed processes (one per CPU) when there are enough of them to pay
for the processes' start-up (``POOL_MIN_PAIRS``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
import pickle
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from crosscheck.align import AlignOptions
from crosscheck.check import compare
from crosscheck.from_tables import Corpus, sorted_notices
from crosscheck.linking import MissingTemplate, Notice, find_templates, representatives
from crosscheck.model import CrossCheck, Item, NoticeRef
from crosscheck.report import render_plan_report
from parsers.domains import DomainRow
from parsers.metadata import canonical_title
from pipelines import storage

CACHE_DIR = "_cache/crosscheck"
#: Fewer new pairs than this are computed in this process (a pool costs ~1 s per process).
POOL_MIN_PAIRS = 24


@cache
def engine_version() -> str:
    """Hash of the cross-check engine (``crosscheck/``: code, data, report templates): a change
    there invalidates every cached pair."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted((root / "crosscheck").rglob("*")):
        if path.is_file() and path.suffix in {".py", ".tsv", ".toml", ".html", ".css", ".txt"}:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Pair:
    """One plan against one template: everything ``compare`` reads."""

    plan: NoticeRef
    template: NoticeRef
    plan_items: tuple[Item, ...]
    template_items: tuple[Item, ...]
    plan_domains: tuple[DomainRow, ...]
    template_domains: tuple[DomainRow, ...]
    linked_by: str

    def key(self, options: AlignOptions, day: dt.date) -> str:
        text = repr((self, options, day.isoformat(), engine_version()))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def linked_pairs(
    corpus: Corpus, configured: dict[str, str] | None
) -> tuple[list[Pair], list[MissingTemplate]]:
    """Every plan (one copy per notice, ``representatives``) with each template it implements
    (``find_templates``), and the templates plans name that are not in the corpus."""
    notices = sorted_notices(corpus)
    candidates = _Candidates(notices, configured)
    pairs: list[Pair] = []
    missing: list[MissingTemplate] = []
    for plan in representatives(notices):
        if not plan.has_tasks:
            continue
        links, absent = find_templates(plan, candidates.for_plan(plan), configured)
        missing.extend(absent)
        for link in links:
            t_id, p_id = link.template.doc_id, plan.doc_id
            pairs.append(
                Pair(
                    corpus.refs[p_id],
                    corpus.refs[t_id],
                    tuple(corpus.items.get(p_id, [])),
                    tuple(corpus.items.get(t_id, [])),
                    tuple(corpus.domains.get(p_id, [])),
                    tuple(corpus.domains.get(t_id, [])),
                    link.linked_by,
                )
            )
    return pairs, missing


class _Candidates:
    """The notices ``find_templates`` can link a plan to, in corpus order.

    ``find_templates`` compares a plan's basis citations with every notice, normalizing both
    titles each time (``canonical_title``: regular expressions), so linking P plans over N
    notices cost P × N normalizations (26 s of a 45 s cross-check at N = 2,000, all of it with
    every pair cached). Only notices whose number or normalized title equals one of the plan's
    basis citations can match; passing just those (in the same order) gives the same links. A
    plan named in the configured links gets every notice, as before.
    """

    def __init__(self, notices: Sequence[Notice], configured: Mapping[str, str] | None) -> None:
        self.notices = list(notices)
        self.configured = set(configured or ())
        self.by_number: dict[str, list[int]] = {}
        self.by_title: dict[str, list[int]] = {}
        for i, n in enumerate(self.notices):
            if n.doc_number:
                self.by_number.setdefault(n.doc_number, []).append(i)
            if n.title:
                self.by_title.setdefault(canonical_title(n.title), []).append(i)

    def for_plan(self, plan: Notice) -> list[Notice]:
        names = {x for x in (plan.doc_number, plan.title, Path(plan.path).name, Path(plan.path).stem) if x}
        if names & self.configured:
            return self.notices
        hits: set[int] = set()
        for number, title in plan.basis:
            if number:
                hits.update(self.by_number.get(number, ()))
            if title:
                hits.update(self.by_title.get(canonical_title(title), ()))
        return [self.notices[i] for i in sorted(hits)]


def compute_pair(job: tuple[Pair, AlignOptions, dt.date]) -> tuple[CrossCheck, str]:
    """One pair's cross-check and its report page (in a pool process for large batches)."""
    pair, options, day = job
    check = compare(
        pair.plan,
        pair.template,
        pair.plan_items,
        pair.template_items,
        pair.plan_domains,
        pair.template_domains,
        linked_by=pair.linked_by,
        as_of=day,
        options=options,
    )
    return check, render_plan_report(check)


def checked_pairs(
    pairs: list[Pair],
    options: AlignOptions,
    day: dt.date,
    cache_dir: storage.Location,
    workers: int | None = None,
) -> tuple[list[CrossCheck], list[str], int]:
    """Each pair's check and report page, from the cache or computed; also how many were computed.
    ``cache_dir`` is a local directory or a prefix on object storage (``pipelines.storage``).

    Cache entries of pairs that no longer exist are removed."""
    keys = [p.key(options, day) for p in pairs]
    results: dict[str, tuple[CrossCheck, str]] = {}
    unique = list(dict.fromkeys(keys))
    for key, data in zip(
        unique, storage.read_files([cache_dir / f"{k}.pickle" for k in unique]), strict=True
    ):
        if data is None:  # not cached (or unreadable): computed below
            continue
        try:
            results[key] = pickle.loads(data)
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            continue
    todo = {k: p for k, p in zip(keys, pairs, strict=True) if k not in results}
    jobs = [(p, options, day) for p in todo.values()]
    workers = workers or os.cpu_count() or 1
    if workers > 1 and len(jobs) >= POOL_MIN_PAIRS:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            computed = list(pool.map(compute_pair, jobs, chunksize=max(1, len(jobs) // (workers * 8))))
    else:
        computed = [compute_pair(j) for j in jobs]
    for key, result in zip(todo, computed, strict=True):
        results[key] = result
        storage.atomic_write_bytes(
            pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL), cache_dir / f"{key}.pickle"
        )
    live = {f"{k}.pickle" for k in keys}
    storage.unlink_all(
        cache_dir / name for name in storage.file_names(cache_dir, ".pickle") if name not in live
    )
    return [results[k][0] for k in keys], [results[k][1] for k in keys], len(todo)
