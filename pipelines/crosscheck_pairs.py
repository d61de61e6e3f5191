"""The (plan, template) pairs of a warehouse's cross-check, and what a pair worker does with one.

A pair holds everything ``crosscheck.check.compare`` reads of its two notices (``Side``); its key
hashes that, the link, the thresholds and the engine's own source (``engine_version``). A pair
worker (``pipelines.crosscheck_cache.pair_pool``) turns a ``PairJob`` into the bytes of a cache
entry (``do_pair``): the check and its rendered report page, the pair's own objects stored as
references to it (``dump_entry`` / ``load_entry``).

No Dagster, pyarrow or numpy here: a pair worker imports this module and the engine only, and
starts in ~0.1 s of CPU where a worker importing the warehouse's storage helpers took ~0.5 s (at
the moment the run builds its tables on the other CPU). The process that
asks for the pairs writes their entries (``pipelines.crosscheck_cache.checked_pairs``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import pickle
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from operator import attrgetter
from pathlib import Path
from typing import Any

import crosscheck
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
from crosscheck.report import render_plan_report
from crosscheck.similarity import equivalents
from parsers.domains import DomainRow

#: The cross-check engine's folder: its code, data and report templates (``engine_version``).
ENGINE_DIR = Path(crosscheck.__file__).resolve().parent


@cache
def engine_version() -> str:
    """Hash of the cross-check engine (``crosscheck/``: code, data, report templates): a change
    there invalidates every cached pair."""
    root = ENGINE_DIR.parent
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
    """One pair to do: computed, or only rejudged when ``cached`` holds its entry of another day."""

    pair: Pair
    key: str
    options: AlignOptions
    day: dt.date
    cached: bytes | None = None


def do_pair(job: PairJob) -> bytes:
    """A job's check and report page as its cache entry (``dump_entry``): the caller writes the
    entry and reads it back, instead of a result pickled twice."""
    if job.cached is not None:
        check = rejudged(load_entry(job.pair, job.cached)[0], job.pair.plan.items, job.day)
        result = (check, render_plan_report(check))
    else:
        result = check_and_render((job.pair, job.options, job.day))
    return dump_entry(job.pair, result)


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


def warm_worker() -> None:
    """In a pool process: the engine is imported by the time this runs (it lives in this module);
    also load the equivalents table every pair's texts go through."""
    equivalents()
