"""The engine's inputs rebuilt from warehouse tables (``documents``, ``citations``, ``tasks``,
``domains``), so cross-checks run downstream of the tables without parsing a file again."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crosscheck.linking import Notice
from crosscheck.model import Item, NoticeRef
from parsers.domains import DomainRow
from parsers.model import Location

#: A table given column by column: column name → values.
Columns = Mapping[str, Sequence[Any]]

#: Gives the ``tasks`` and ``domains`` rows (their ``COLUMNS``, column by column) of the notices
#: with the given doc_ids.
RecordsReader = Callable[[Collection[str]], tuple[Columns, Columns]]


@dataclass(frozen=True, slots=True)
class Corpus:
    """What the cross-check needs of every notice in the warehouse, by doc_id: the notices and
    their references at once; their task and domain rows when asked for (``records``), as most
    notices of a large corpus are in no pair (at 2,000 documents, converting every task row took
    more time than linking)."""

    notices: dict[str, Notice]
    refs: dict[str, NoticeRef]
    read_records: RecordsReader

    def records(self, doc_ids: Collection[str]) -> tuple[dict[str, list[Item]], dict[str, list[DomainRow]]]:
        """The task rows (as ``Item``) and domain rows of these notices, in row order."""
        tasks, domains = self.read_records(doc_ids)
        return _items(tasks), _domain_rows(domains)


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else value


#: The columns of each warehouse table that ``corpus_from_columns`` reads.
COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": ("doc_id", "parent_id", "path", "format", "doc_number", "title", "issuer", "signing_date"),
    "citations": ("doc_id", "seq", "basis", "cited_doc_number", "cited_title"),
    "tasks": (
        "doc_id",
        "seq",
        "task_id",
        "number",
        "text",
        "category",
        "lead_unit",
        "responsible_units",
        "deadline_raw",
        "deadline_date",
        "ongoing",
    ),
    "domains": ("doc_id", "seq", "table_index", "domain_number", "domain", "unit_column", "unit"),
}


def _rows(table: Columns, name: str, *, by_doc: bool = True) -> list[tuple[Any, ...]]:
    """The ``COLUMNS`` of a table row by row (a tuple each, in that column order); ordered by
    (doc_id, seq), stably, unless ``by_doc`` is false."""
    rows = list(zip(*(table[c] for c in COLUMNS[name]), strict=True))
    if by_doc:
        rows.sort(key=_doc_and_seq)
    return rows


def _doc_and_seq(row: tuple[Any, ...]) -> tuple[Any, Any]:
    return row[0], row[1]


def corpus_from_columns(
    documents: Columns, citations: Columns, with_tasks: Collection[str], read_records: RecordsReader
) -> Corpus:
    """The corpus from the ``documents`` and ``citations`` tables given column by column (column
    name → values, at least the ``COLUMNS`` of each), the doc_ids of the notices that have task
    rows, and how to read the task and domain rows of some notices: a table is read and converted
    column-wise, without a dict per row."""
    basis: dict[str, list[tuple[str | None, str | None]]] = defaultdict(list)
    for doc_id, _seq, is_basis, cited_number, cited_title in _rows(citations, "citations"):
        if is_basis:
            basis[doc_id].append((cited_number, cited_title))
    has_tasks = set(with_tasks)
    notices: dict[str, Notice] = {}
    refs: dict[str, NoticeRef] = {}
    for doc_id, parent_id, path, fmt, doc_number, title, issuer, signing_date in _rows(
        documents, "documents", by_doc=False
    ):
        notices[doc_id] = Notice(
            doc_id=doc_id,
            parent_id=parent_id,
            path=path,
            format=fmt,
            doc_number=doc_number,
            title=title,
            has_tasks=doc_id in has_tasks,
            basis=tuple(basis.get(doc_id, ())),
            issuer=issuer,
            signing_date=_iso(signing_date),
        )
        refs[doc_id] = NoticeRef(doc_id, title, doc_number, issuer, signing_date, path)
    return Corpus(notices, refs, read_records)


def _items(tasks: Columns) -> dict[str, list[Item]]:
    items: dict[str, list[Item]] = defaultdict(list)
    for doc_id, _seq, task_id, number, text, category, lead, units, raw, date, ongoing in _rows(
        tasks, "tasks"
    ):
        items[doc_id].append(
            Item(
                key=task_id,
                number=number,
                text=text,
                category=category,
                lead_unit=lead,
                responsible_units=tuple(units),
                deadline_raw=raw,
                deadline_date=date,
                ongoing=ongoing,
            )
        )
    return dict(items)


def _domain_rows(domains: Columns) -> dict[str, list[DomainRow]]:
    rows: dict[str, list[DomainRow]] = defaultdict(list)
    for doc_id, _seq, table_index, domain_number, domain, unit_column, unit in _rows(domains, "domains"):
        rows[doc_id].append(DomainRow(table_index, domain_number, domain, unit_column, unit, Location(0)))
    return dict(rows)


def sorted_notices(corpus: Corpus) -> Sequence[Notice]:
    return sorted(corpus.notices.values(), key=lambda n: (n.path, n.doc_id))
