"""One plan against one template: alignment, domain tables and compliance.

``compare`` is the core over plain inputs; ``cross_check`` runs it on two parsed records (the
``gongwen crosscheck`` command); ``pipelines.crosscheck_cache`` runs it on every linked plan of a
warehouse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from crosscheck.align import AlignOptions, align
from crosscheck.compliance import task_gaps
from crosscheck.domains import compare_domains
from crosscheck.model import CrossCheck, Item, NoticeRef
from parsers.domains import DomainRow
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


def compare(
    plan: NoticeRef,
    template: NoticeRef,
    plan_items: Sequence[Item],
    template_items: Sequence[Item],
    plan_domains: Sequence[DomainRow] = (),
    template_domains: Sequence[DomainRow] = (),
    *,
    linked_by: str = "given",
    as_of: dt.date | None = None,
    options: AlignOptions | None = None,
) -> CrossCheck:
    """Deadlines are judged as of ``as_of`` (default today)."""
    day = as_of or dt.date.today()
    return CrossCheck(
        plan=plan,
        template=template,
        linked_by=linked_by,
        alignment=align(template_items, plan_items, options),
        domains=compare_domains(template_domains, plan_domains),
        gaps=task_gaps(plan_items, day),
        as_of=day,
    )


def rejudged(check: CrossCheck, plan_items: Sequence[Item], as_of: dt.date) -> CrossCheck:
    """``check`` with its deadlines judged as of another day: what ``compare`` gives on that day
    for the same inputs. The alignment and the domain tables do not depend on the day, so a
    cached check needs only its gaps redone when a new day starts."""
    return replace(check, gaps=task_gaps(plan_items, as_of), as_of=as_of)


def cross_check(
    plan: NoticeRecord,
    template: NoticeRecord,
    *,
    linked_by: str = "given",
    as_of: dt.date | None = None,
    options: AlignOptions | None = None,
) -> CrossCheck:
    return compare(
        notice_ref(plan),
        notice_ref(template),
        items(plan),
        items(template),
        plan.domains,
        template.domains,
        linked_by=linked_by,
        as_of=as_of,
        options=options,
    )
