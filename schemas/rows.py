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

from parsers.model import Table
from parsers.record import NoticeRecord
from schemas.tables import CITATIONS, DOCUMENTS, QUARANTINE, to_table

__all__ = [
    "citation_rows",
    "document_row",
    "iter_records",
    "quarantine_row",
    "quarantine_table",
    "record_tables",
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
            "block": c.location.block,
        }
        for seq, c in enumerate(record.citations)
    ]


def record_tables(record: NoticeRecord, rel_path: str) -> dict[str, pa.Table]:
    """All warehouse rows of one parsed file, wrapper first, then forwarded documents.

    Returns ``{"documents": ..., "citations": ...}``; raises ``SchemaError`` on a wrong type.
    """
    records = list(iter_records(record))
    return {
        "documents": to_table(DOCUMENTS, [document_row(r, rel_path) for r in records]),
        "citations": to_table(CITATIONS, [row for r in records for row in citation_rows(r)]),
    }


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
