"""A ``NoticeRecord`` as plain JSON-ready data: the contract of ``gongwen parse --json``."""

from __future__ import annotations

from typing import Any

from parsers.record import NoticeRecord
from parsers.structure import outline


def record_to_dict(record: NoticeRecord) -> dict[str, Any]:
    """Fields of SPEC §9 first (stable names), then the other extracted elements."""
    return {
        "doc_id": record.doc_id,
        "path": record.path,
        "format": record.format,
        "doc_number": record.doc_number,
        "doc_number_raw": record.doc_number_raw,
        "issuer": record.issuer,
        "title": record.title,
        "signing_date": record.signing_date.isoformat() if record.signing_date else None,
        "signing_date_raw": record.signing_date_raw,
        "recipients": list(record.recipients),
        "cited_doc_numbers": record.cited_doc_numbers,
        "cited_titles": record.cited_titles,
        "citations": [
            {
                "doc_number": c.doc_number,
                "doc_number_raw": c.doc_number_raw,
                "title": c.title,
                "location": c.location.label(),
            }
            for c in record.citations
        ],
        "attachments": [a.title for a in record.attachments],
        "attachment_details": [
            {"number": a.number, "title": a.title, "has_body": a.has_body} for a in record.attachments
        ],
        "cc": list(record.cc),
        "printed_by": record.printed_by,
        "printed_date": record.printed_date.isoformat() if record.printed_date else None,
        "publication_date": record.publication_date,
        "source": record.source,
        "parent_id": record.parent_id,
        "sections": [
            {
                "path": h.path,
                "level": h.level,
                "title": h.title,
                "part": h.part,
                "location": h.location.label(),
            }
            for h in outline(record.document)
        ],
        "tasks": [],
        "warnings": list(record.warnings),
        "forwarded": [record_to_dict(f) for f in record.forwarded],
    }
