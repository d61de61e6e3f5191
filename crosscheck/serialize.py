"""A ``CrossCheck`` as JSON-ready data: the contract of ``gongwen crosscheck --json``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from crosscheck.model import CrossCheck, Item


def item_dict(item: Item) -> dict[str, Any]:
    return {
        "task_id": item.key,
        "number": item.number,
        "category": item.category,
        "text": item.text,
        "lead_unit": item.lead_unit,
        "responsible_units": list(item.responsible_units),
        "deadline_raw": item.deadline_raw,
        "deadline_date": item.deadline_date.isoformat() if item.deadline_date else None,
        "ongoing": item.ongoing,
    }


def cross_check_dict(check: CrossCheck) -> dict[str, Any]:
    tasks = {t.task.key: t for t in check.alignment.tasks}

    def ref(r: Any) -> dict[str, Any]:
        d = asdict(r)
        d["signing_date"] = r.signing_date.isoformat() if r.signing_date else None
        return d

    return {
        "plan": ref(check.plan),
        "template": ref(check.template),
        "linked_by": check.linked_by,
        "as_of": check.as_of.isoformat(),
        "summary": check.summary(),
        "thresholds": dict(check.alignment.options),
        "requirements": [
            {
                **item_dict(r.requirement),
                "status": r.status,
                "similarity": r.similarity,
                "matched_tasks": [
                    {
                        **item_dict(tasks[link.task_key].task),
                        "similarity": link.similarity,
                        "verbatim": link.verbatim,
                    }
                    for link in r.links
                ],
            }
            for r in check.alignment.requirements
        ],
        "tasks": [
            {**item_dict(t.task), "status": t.status, "requirements": list(t.requirements)}
            for t in check.alignment.tasks
        ],
        "additions": [item_dict(t.task) for t in check.alignment.tasks if t.status == "added"],
        "domains": [asdict(d) for d in check.domains],
        "gaps": [
            {"kind": g.kind, "number": g.task.number, "text": g.task.text, "detail": g.detail}
            for g in check.gaps
        ],
    }
