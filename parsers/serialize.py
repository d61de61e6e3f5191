"""A ``NoticeRecord`` as plain JSON-ready data: the contract of ``gongwen parse --json``."""

from __future__ import annotations

from typing import Any

from parsers.deadlines import Deadline
from parsers.record import NoticeRecord
from parsers.structure import outline
from parsers.tasks import Task


def _deadline(deadline: Deadline | None) -> dict[str, Any]:
    return {
        "deadline_raw": deadline.raw if deadline else None,
        "deadline_date": deadline.date.isoformat() if deadline and deadline.date else None,
        "deadline_precision": deadline.precision if deadline else None,
        "ongoing": bool(deadline and deadline.ongoing),
    }


def task_to_dict(task: Task) -> dict[str, Any]:
    return {
        "task_id": task.task_id,
        "number": task.number,
        "category": task.category,
        "text": task.text,
        "lead_leader": task.lead_leader,
        "lead_unit": task.lead_unit,
        "responsible_units": task.responsible_units,
        "units": [
            {"name": u.name, "normalized": u.normalized, "kind": u.kind, "role": u.role} for u in task.units
        ],
        **_deadline(task.deadline),
        "source": task.source,
        "location": task.location.label(),
        "warnings": list(task.warnings),
    }


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
        "tasks": [task_to_dict(t) for t in record.tasks],
        "milestones": [
            {
                "seq": m.seq,
                "name": m.name,
                **_deadline(m.deadline),
                "text": m.text,
                "location": m.location.label(),
            }
            for m in record.milestones
        ],
        "members": [
            {"seq": m.seq, "role": m.role, "name": m.name, "post": m.post, "unit": m.unit}
            for m in record.members
        ],
        "domains": [
            {"table": d.table, "seq": d.seq, "domain": d.domain, "unit_column": d.unit_column, "unit": d.unit}
            for d in record.domains
        ],
        "targets": [
            {"raw": t.raw, "comparator": t.comparator, "value": t.value, "unit": t.unit, "context": t.context}
            for t in record.targets
        ],
        "warnings": list(record.warnings),
        "forwarded": [record_to_dict(f) for f in record.forwarded],
    }
