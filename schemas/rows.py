"""Turn parsed records into warehouse rows (plain dicts keyed by the schema's columns).

Pure functions, no I/O: ``record_tables`` is what a pipeline calls for one parsed file, and
``quarantine_table`` what it calls for a file that failed. Both go through
``schemas.tables.to_table``, so a wrong type fails loudly here rather than deep in Parquet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from parsers.deadlines import Deadline
from parsers.model import Table
from parsers.record import NoticeRecord
from schemas.tables import (
    CITATIONS,
    DOCUMENTS,
    DOMAINS,
    MEMBERS,
    MILESTONES,
    QUARANTINE,
    TARGETS,
    TASK_UNITS,
    TASKS,
    to_table,
)

__all__ = [
    "citation_rows",
    "document_row",
    "domain_rows",
    "iter_records",
    "member_rows",
    "milestone_rows",
    "quarantine_row",
    "quarantine_table",
    "record_tables",
    "target_rows",
    "task_rows",
    "task_unit_rows",
]


def iter_records(record: NoticeRecord) -> Iterator[NoticeRecord]:
    """The record, then every forwarded record (depth first, in document order)."""
    yield record
    for child in record.forwarded:
        yield from iter_records(child)


def document_row(record: NoticeRecord, rel_path: str) -> dict[str, Any]:
    """One ``documents`` row. ``rel_path`` replaces ``record.path`` (which is wherever it was read)."""
    doc = record.document
    return {
        "doc_id": record.doc_id,
        "parent_id": record.parent_id,
        "path": rel_path,
        "format": record.format,
        "doc_number": record.doc_number,
        "doc_number_raw": record.doc_number_raw,
        "issuer": record.issuer,
        "title": record.title,
        "recipients": list(record.recipients),
        "signing_date": record.signing_date,
        "signing_date_raw": record.signing_date_raw,
        "publication_date": record.publication_date,
        "source": record.source,
        "attachments": [a.title for a in record.attachments],
        "cc": list(record.cc),
        "printed_by": record.printed_by,
        "printed_date": record.printed_date,
        "page_count": doc.page_count,
        "n_blocks": len(doc.blocks),
        "n_tables": sum(1 for b in doc.blocks if isinstance(b, Table)),
        "warnings": list(record.warnings),
    }


def citation_rows(record: NoticeRecord) -> list[dict[str, Any]]:
    """The record's own citations (not its forwarded documents'), numbered in order."""
    return [
        {
            "doc_id": record.doc_id,
            "seq": seq,
            "cited_doc_number": c.doc_number,
            "cited_doc_number_raw": c.doc_number_raw,
            "cited_title": c.title,
            "basis": c.basis,
            "block": c.location.block,
        }
        for seq, c in enumerate(record.citations)
    ]


def _deadline_columns(deadline: Deadline | None) -> dict[str, Any]:
    return {
        "deadline_raw": deadline.raw if deadline else None,
        "deadline_date": deadline.date if deadline else None,
        "deadline_precision": deadline.precision if deadline else None,
    }


def task_rows(record: NoticeRecord) -> list[dict[str, Any]]:
    return [
        {
            "task_id": t.task_id,
            "doc_id": record.doc_id,
            "seq": seq,
            "number": t.number,
            "category": t.category,
            "text": t.text,
            "lead_leader": t.lead_leader,
            "lead_unit": t.lead_unit,
            "responsible_units": t.responsible_units,
            **_deadline_columns(t.deadline),
            "ongoing": bool(t.deadline and t.deadline.ongoing),
            "year_inferred": bool(t.deadline and t.deadline.year_inferred),
            "source": t.source,
            "block": t.location.block,
            "table_row": t.location.row,
            "warnings": list(t.warnings),
        }
        for seq, t in enumerate(record.tasks)
    ]


def task_unit_rows(record: NoticeRecord) -> list[dict[str, Any]]:
    return [
        {
            "task_id": t.task_id,
            "seq": seq,
            "doc_id": record.doc_id,
            "name": u.name,
            "normalized": u.normalized,
            "kind": u.kind,
            "role": u.role,
        }
        for t in record.tasks
        for seq, u in enumerate(t.units)
    ]


def milestone_rows(record: NoticeRecord) -> list[dict[str, Any]]:
    return [
        {
            "doc_id": record.doc_id,
            "seq": m.seq,
            "name": m.name,
            **_deadline_columns(m.deadline),
            "text": m.text,
            "block": m.location.block,
        }
        for m in record.milestones
    ]


def member_rows(record: NoticeRecord) -> list[dict[str, Any]]:
    return [
        {
            "doc_id": record.doc_id,
            "seq": m.seq,
            "role": m.role,
            "name": m.name,
            "post": m.post,
            "unit": m.unit,
        }
        for m in record.members
    ]


def domain_rows(record: NoticeRecord) -> list[dict[str, Any]]:
    return [
        {
            "doc_id": record.doc_id,
            "seq": seq,
            "table_index": d.table,
            "domain_number": d.seq,
            "domain": d.domain,
            "unit_column": d.unit_column,
            "unit": d.unit,
        }
        for seq, d in enumerate(record.domains)
    ]


def target_rows(record: NoticeRecord) -> list[dict[str, Any]]:
    return [
        {
            "doc_id": record.doc_id,
            "seq": seq,
            "raw": t.raw,
            "comparator": t.comparator,
            "value": t.value,
            "unit": t.unit,
            "context": t.context,
            "block": t.location.block,
        }
        for seq, t in enumerate(record.targets)
    ]


#: table name → (schema, rows of one record)
ROW_BUILDERS = {
    "citations": (CITATIONS, citation_rows),
    "tasks": (TASKS, task_rows),
    "task_units": (TASK_UNITS, task_unit_rows),
    "milestones": (MILESTONES, milestone_rows),
    "members": (MEMBERS, member_rows),
    "domains": (DOMAINS, domain_rows),
    "targets": (TARGETS, target_rows),
}


def record_tables(record: NoticeRecord, rel_path: str) -> dict[str, pa.Table]:
    """All warehouse rows of one parsed file, wrapper first, then forwarded documents.

    Returns one table per warehouse table but ``quarantine``; raises ``SchemaError`` on a wrong
    type.
    """
    records = list(iter_records(record))
    tables = {"documents": to_table(DOCUMENTS, [document_row(r, rel_path) for r in records])}
    for name, (schema, rows) in ROW_BUILDERS.items():
        tables[name] = to_table(schema, [row for r in records for row in rows(r)])
    return tables


def quarantine_row(
    rel_path: str, stage: str, error_kind: str, message: str, recorded_at: dt.datetime
) -> dict[str, Any]:
    return {
        "path": rel_path,
        "stage": stage,
        "error_kind": error_kind,
        "message": message,
        "recorded_at": recorded_at,
    }


def quarantine_table(
    rel_path: str, stage: str, error_kind: str, message: str, recorded_at: dt.datetime
) -> pa.Table:
    return to_table(QUARANTINE, [quarantine_row(rel_path, stage, error_kind, message, recorded_at)])
