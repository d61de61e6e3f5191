"""What the template demands of every plan task (川办函〔2021〕57号 三(三): 明确职责分工和时间进度):
a responsible unit and a deadline; and which deadlines have passed as of a given day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from crosscheck.model import Gap, Item


def task_gaps(tasks: Sequence[Item], as_of: dt.date) -> tuple[Gap, ...]:
    gaps: list[Gap] = []
    for task in tasks:
        if not task.responsible_units:
            gaps.append(Gap("no_unit", task, "names no responsible unit"))
        if task.deadline_date is None and not task.ongoing:
            detail = (
                f"deadline {task.deadline_raw!r} gives no date" if task.deadline_raw else "names no deadline"
            )
            gaps.append(Gap("no_deadline", task, detail))
        elif task.deadline_date is not None and task.deadline_date < as_of:
            days = (as_of - task.deadline_date).days
            detail = (
                f"deadline {task.deadline_date.isoformat()} passed {days} days before {as_of.isoformat()}"
            )
            if task.ongoing:
                detail += " (an ongoing duty: 并长期坚持)"
            gaps.append(Gap("past_deadline", task, detail))
    return tuple(gaps)
