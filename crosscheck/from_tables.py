"""The engine's inputs rebuilt from warehouse rows (``documents``, ``citations``, ``tasks``,
``domains``), so cross-checks run downstream of the tables without parsing a file again."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crosscheck.linking import Notice
from crosscheck.model import Item, NoticeRef
from parsers.domains import DomainRow
from parsers.model import Location

Row = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Corpus:
    """What the cross-check needs of every notice in the warehouse, by doc_id."""

    notices: dict[str, Notice]
    refs: dict[str, NoticeRef]
    items: dict[str, list[Item]]
    domains: dict[str, list[DomainRow]]


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else value


def corpus_from_rows(
    documents: Iterable[Row], citations: Iterable[Row], tasks: Iterable[Row], domains: Iterable[Row]
) -> Corpus:
    basis: dict[str, list[tuple[str | None, str | None]]] = defaultdict(list)
    for c in sorted(citations, key=lambda r: (r["doc_id"], r["seq"])):
        if c["basis"]:
            basis[c["doc_id"]].append((c["cited_doc_number"], c["cited_title"]))
    items: dict[str, list[Item]] = defaultdict(list)
    for t in sorted(tasks, key=lambda r: (r["doc_id"], r["seq"])):
        items[t["doc_id"]].append(
            Item(
                key=t["task_id"],
                number=t["number"],
                text=t["text"],
                category=t["category"],
                lead_unit=t["lead_unit"],
                responsible_units=tuple(t["responsible_units"]),
                deadline_raw=t["deadline_raw"],
                deadline_date=t["deadline_date"],
                ongoing=t["ongoing"],
            )
        )
    domain_rows: dict[str, list[DomainRow]] = defaultdict(list)
    for d in sorted(domains, key=lambda r: (r["doc_id"], r["seq"])):
        domain_rows[d["doc_id"]].append(
            DomainRow(
                d["table_index"], d["domain_number"], d["domain"], d["unit_column"], d["unit"], Location(0)
            )
        )
    notices: dict[str, Notice] = {}
    refs: dict[str, NoticeRef] = {}
    for d in documents:
        doc_id = d["doc_id"]
        notices[doc_id] = Notice(
            doc_id=doc_id,
            parent_id=d["parent_id"],
            path=d["path"],
            format=d["format"],
            doc_number=d["doc_number"],
            title=d["title"],
            has_tasks=bool(items.get(doc_id)),
            basis=tuple(basis.get(doc_id, ())),
            issuer=d["issuer"],
            signing_date=_iso(d["signing_date"]),
        )
        refs[doc_id] = NoticeRef(
            doc_id, d["title"], d["doc_number"], d["issuer"], d["signing_date"], d["path"]
        )
    return Corpus(notices, refs, dict(items), dict(domain_rows))


def sorted_notices(corpus: Corpus) -> Sequence[Notice]:
    return sorted(corpus.notices.values(), key=lambda n: (n.path, n.doc_id))
