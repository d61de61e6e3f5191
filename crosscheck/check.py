"""One plan against one template: alignment, domain tables and compliance, from two records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from crosscheck.align import AlignOptions, align
from crosscheck.compliance import task_gaps
from crosscheck.domains import compare_domains
from crosscheck.model import CrossCheck, Item, NoticeRef
from parsers.record import NoticeRecord


def items(record: NoticeRecord) -> list[Item]:
    """The record's tasks as aligner items."""
    return [
        Item(
            key=t.task_id,
            number=t.number,
            text=t.text,
            category=t.category,
            lead_unit=t.lead_unit,
            responsible_units=tuple(t.responsible_units),
            deadline_raw=t.deadline.raw if t.deadline else None,
            deadline_date=t.deadline.date if t.deadline else None,
            ongoing=bool(t.deadline and t.deadline.ongoing),
        )
        for t in record.tasks
    ]


def notice_ref(record: NoticeRecord) -> NoticeRef:
    return NoticeRef(
        record.doc_id,
        record.title,
        record.doc_number,
        record.issuer,
        record.signing_date,
        Path(record.path).name,
    )


def cross_check(
    plan: NoticeRecord,
    template: NoticeRecord,
    *,
    linked_by: str = "given",
    as_of: dt.date | None = None,
    options: AlignOptions | None = None,
) -> CrossCheck:
    """Compare ``plan`` with ``template``; deadlines are judged as of ``as_of`` (default today)."""
    day = as_of or dt.date.today()
    plan_items = items(plan)
    return CrossCheck(
        plan=notice_ref(plan),
        template=notice_ref(template),
        linked_by=linked_by,
        alignment=align(items(template), plan_items, options),
        domains=compare_domains(template.domains, plan.domains),
        gaps=task_gaps(plan_items, day),
        as_of=day,
    )
