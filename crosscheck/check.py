"""One plan against one template: alignment, domain tables and compliance.

``compare`` is the core over plain inputs; ``cross_check`` runs it on two parsed records (the
``gongwen crosscheck`` command), ``cross_check_corpus`` on every linked plan of a warehouse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

from crosscheck.align import AlignOptions, align
from crosscheck.compliance import task_gaps
from crosscheck.domains import compare_domains
from crosscheck.from_tables import Corpus, sorted_notices
from crosscheck.linking import MissingTemplate, find_templates, representatives
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


def cross_check_corpus(
    corpus: Corpus,
    configured: Mapping[str, str] | None = None,
    *,
    as_of: dt.date | None = None,
    options: AlignOptions | None = None,
) -> tuple[list[CrossCheck], list[MissingTemplate]]:
    """Every plan of the corpus (one copy per notice) against each template it implements."""
    notices = sorted_notices(corpus)
    checks: list[CrossCheck] = []
    missing: list[MissingTemplate] = []
    for plan in representatives(notices):
        if not plan.has_tasks:
            continue
        links, absent = find_templates(plan, notices, configured)
        missing.extend(absent)
        for link in links:
            t_id, p_id = link.template.doc_id, plan.doc_id
            checks.append(
                compare(
                    corpus.refs[p_id],
                    corpus.refs[t_id],
                    corpus.items.get(p_id, []),
                    corpus.items.get(t_id, []),
                    corpus.domains.get(p_id, []),
                    corpus.domains.get(t_id, []),
                    linked_by=link.linked_by,
                    as_of=as_of,
                    options=options,
                )
            )
    return checks, missing
