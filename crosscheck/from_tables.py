"""The engine's inputs rebuilt from warehouse tables (``documents``, ``citations``, ``tasks``,
``domains``), so cross-checks run downstream of the tables without parsing a file again."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crosscheck.linking import Notice
from crosscheck.model import Item, NoticeRef
from parsers.domains import DomainRow
from parsers.model import Location

#: A table given column by column: column name → values.
Columns = Mapping[str, Sequence[Any]]


@dataclass(frozen=True, slots=True)
class Corpus:
    """What the cross-check needs of every notice in the warehouse, by doc_id."""

    notices: dict[str, Notice]
    refs: dict[str, NoticeRef]
    items: dict[str, list[Item]]
    domains: dict[str, list[DomainRow]]


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


def corpus_from_columns(documents: Columns, citations: Columns, tasks: Columns, domains: Columns) -> Corpus:
    """The corpus from the four tables given column by column (column name → values, at least
    the ``COLUMNS`` of each): a table is read and converted column-wise, without a dict per row."""
    basis: dict[str, list[tuple[str | None, str | None]]] = defaultdict(list)
    for doc_id, _seq, is_basis, cited_number, cited_title in _rows(citations, "citations"):
        if is_basis:
            basis[doc_id].append((cited_number, cited_title))
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
    domain_rows: dict[str, list[DomainRow]] = defaultdict(list)
    for doc_id, _seq, table_index, domain_number, domain, unit_column, unit in _rows(domains, "domains"):
        domain_rows[doc_id].append(
            DomainRow(table_index, domain_number, domain, unit_column, unit, Location(0))
        )
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
            has_tasks=bool(items.get(doc_id)),
            basis=tuple(basis.get(doc_id, ())),
            issuer=issuer,
            signing_date=_iso(signing_date),
        )
        refs[doc_id] = NoticeRef(doc_id, title, doc_number, issuer, signing_date, path)
    return Corpus(notices, refs, dict(items), dict(domain_rows))


def sorted_notices(corpus: Corpus) -> Sequence[Notice]:
    return sorted(corpus.notices.values(), key=lambda n: (n.path, n.doc_id))
