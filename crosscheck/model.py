"""Records of a cross-check: what was compared and what came of it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal


def _by_fields(self: object) -> tuple[type, tuple[object, ...]]:
    """Pickle a record as a call of its class with its field values. The default of a frozen
    dataclass with slots calls ``dataclasses.fields`` for every record read back, which made up
    most of the time of loading cached cross-checks."""
    return type(self), tuple(getattr(self, name) for name in self.__slots__)  # type: ignore[attr-defined]


RequirementStatus = Literal["verbatim", "modified", "partial", "missing"]
TaskStatus = Literal["matched", "added"]


@dataclass(frozen=True, slots=True)
class Item:
    """A template requirement or a plan task, as the aligner sees it."""

    __reduce__ = _by_fields

    key: str  # task_id
    number: str
    text: str
    category: str | None = None
    lead_unit: str | None = None
    responsible_units: tuple[str, ...] = ()
    deadline_raw: str | None = None
    deadline_date: dt.date | None = None
    ongoing: bool = False


@dataclass(frozen=True, slots=True)
class Link:
    __reduce__ = _by_fields

    task_key: str
    similarity: float
    verbatim: bool


@dataclass(frozen=True, slots=True)
class RequirementResult:
    __reduce__ = _by_fields

    requirement: Item
    status: RequirementStatus
    similarity: float
    links: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class TaskResult:
    __reduce__ = _by_fields

    task: Item
    status: TaskStatus
    requirements: tuple[str, ...]  # keys of the requirements the task carries


@dataclass(frozen=True, slots=True)
class Alignment:
    __reduce__ = _by_fields

    requirements: tuple[RequirementResult, ...]
    tasks: tuple[TaskResult, ...]
    options: Mapping[str, float] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in ("verbatim", "modified", "partial", "missing", "matched", "added")}
        for r in self.requirements:
            out[r.status] += 1
        for t in self.tasks:
            out[t.status] += 1
        return out


@dataclass(frozen=True, slots=True)
class NoticeRef:
    """Which notice took part: enough to name it in a report and find it in the warehouse."""

    __reduce__ = _by_fields

    doc_id: str
    title: str | None
    doc_number: str | None
    issuer: str | None
    signing_date: dt.date | None
    path: str


DomainStatus = Literal["same", "renamed", "reassigned", "renamed_and_reassigned", "dropped", "added"]


@dataclass(frozen=True, slots=True)
class DomainDiff:
    """One row of an attachment table (领域 × 部门) compared between template and plan."""

    __reduce__ = _by_fields

    status: DomainStatus
    template_domain: str | None
    template_unit: str | None
    plan_domain: str | None
    plan_unit: str | None
    similarity: float  # of the domain names


GapKind = Literal["no_unit", "no_deadline", "past_deadline"]


@dataclass(frozen=True, slots=True)
class Gap:
    """A plan task that does not meet what the template demands (明确职责分工和时间进度)."""

    __reduce__ = _by_fields

    kind: GapKind
    task: Item
    detail: str


@dataclass(frozen=True, slots=True)
class CrossCheck:
    """Everything one plan-versus-template comparison found."""

    __reduce__ = _by_fields

    plan: NoticeRef
    template: NoticeRef
    linked_by: str  # "doc_number", "title" or "config"
    alignment: Alignment
    domains: tuple[DomainDiff, ...]
    gaps: tuple[Gap, ...]
    as_of: dt.date

    def summary(self) -> dict[str, int]:
        out = self.alignment.counts()
        out["requirements"] = len(self.alignment.requirements)
        out["tasks"] = len(self.alignment.tasks)
        for kind in ("no_unit", "no_deadline", "past_deadline"):
            out[kind] = sum(1 for g in self.gaps if g.kind == kind)
        out["domains_changed"] = sum(1 for d in self.domains if d.status != "same")
        return out
