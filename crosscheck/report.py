"""HTML diff reports of a cross-check: one per plan, and one overview across the plans of a template.

Cascade: ``CrossCheck`` → view model (``plan_view`` / ``overview_view``: plain rows, counts and
character-level diff segments, all decided here) → Jinja2 templates under ``templates/`` (layout
only; the macros of ``_macros.html``, drawn per row or cell, are memoized: see ``_env``) → one
self-contained HTML file (CSS and the small filter script inline; no fonts, images, scripts or
styles from the network) → written atomically (temp file + ``os.replace``).

Document text is never trusted. Jinja2 autoescaping is on for every ``.html`` template, no
template applies ``|safe`` to document text, and the only markup built in Python — the redline
of ``diff_markup`` — escapes every text piece with ``markupsafe.escape`` before wrapping it in
``<del>`` / ``<ins>`` / ``<span>``. A Content-Security-Policy ``<meta>`` allows no network at all
and only the report's own script (by its SHA-256), so even a mistake in escaping could not run
injected script.

File names: ``report_file_name(check)`` names a plan report and ``overview_file_name(template)``
the overview; the pipeline writes all of a template's reports into one folder with these names,
so the overview links each plan's report by a relative href.
"""

from __future__ import annotations

import base64
import datetime as dt
import difflib
import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from crosscheck.model import CrossCheck, DomainDiff, Item, NoticeRef, RequirementResult
from crosscheck.similarity import best_window

# --- vocabulary shown in the reports (labels, in the order of the legend) -------------------

REQUIREMENT_STATUSES: tuple[tuple[str, str, str, str], ...] = (
    # status, Chinese label, symbol (for print and colour-blind reading), meaning
    ("verbatim", "原文保留", "＝", "the requirement stands unchanged in a plan task (punctuation aside)"),
    ("modified", "改写", "≈", "taken over, reworded"),
    ("partial", "部分", "◐", "taken over only in part"),
    ("missing", "缺失", "✕", "no plan task carries it"),
)
TASK_STATUSES: tuple[tuple[str, str, str, str], ...] = (
    ("matched", "已对应", "↔", "the task carries one or more template requirements"),
    ("added", "新增", "＋", "the task matches no template requirement"),
)
DOMAIN_STATUSES: dict[str, str] = {
    "same": "一致",
    "renamed": "更名",
    "reassigned": "调整部门",
    "renamed_and_reassigned": "更名并调整部门",
    "dropped": "删除",
    "added": "新增",
}
LINKED_BY: dict[str, str] = {
    "doc_number": "方案引用了模板的发文字号 (the plan cites the template's document number)",
    "title": "方案引用了模板的标题 (the plan cites the template's 《title》)",
    "config": "由配置文件 crosscheck.toml 指定 (linked by configuration)",
    "given": "由使用者直接指定 (the two files were given on the command line)",
}
THRESHOLDS: dict[str, str] = {
    "link": "关联 link",
    "split_step": "拆分增益 split step",
    "split_min": "拆分下限 split min",
    "modified": "改写 modified",
    "partial": "部分 partial",
}

# --- character-level diff -----------------------------------------------------------------

SegmentKind = Literal["context", "equal", "delete", "moved", "insert"]


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text in the redline of a requirement against a plan task.

    ``context``: task text outside the stretch that carries the requirement; ``equal``: in both;
    ``delete``: in the requirement, dropped by the plan here; ``moved``: such a deletion whose
    words stand elsewhere in the task (the plan reordered them); ``insert``: added by the plan.
    """

    kind: SegmentKind
    text: str


@lru_cache(maxsize=8192)
def _fold(ch: str) -> str:
    """One character as compared: full- and half-width forms alike (，= ,  （ = ( ), case folded."""
    folded = unicodedata.normalize("NFKC", ch)
    return folded.lower() if len(folded) == 1 else ch


@lru_cache(maxsize=4096)
def _folded(text: str) -> str:
    """``text`` folded character by character (memoized: a report folds each requirement and task
    text once per link, and a template's requirements once per plan)."""
    return "".join(_fold(c) for c in text)


def carrying_stretch(requirement: str, task: str) -> tuple[int, int]:
    """(start, end) in ``task`` of the stretch that carries ``requirement``.

    Anchored on ``similarity.best_window`` (the best-aligned window, as long as the requirement):
    the longest run the requirement shares with the task inside that window is the core, and the
    stretch grows from it over the neighbouring shared runs (2+ characters, in order) that lie at
    most about a requirement's length apart — a plan that inserts a clause in the middle of a
    requirement pushes its end past the window, and the redline should show the clause as an
    insertion, not the end as lost; a shared word far away in another sentence stays outside.
    """
    if not requirement or not task:
        return 0, len(task)
    start, end = best_window(requirement, task)
    if end <= start:
        return 0, len(task)
    matcher = difflib.SequenceMatcher(None, _folded(requirement), _folded(task), autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size >= 2]
    if not blocks:
        return start, end

    def overlap(b: difflib.Match) -> int:
        return max(0, min(end, b.b + b.size) - max(start, b.b))

    core = max(range(len(blocks)), key=lambda i: (overlap(blocks[i]) > 0, blocks[i].size))
    reach = max(len(requirement), 8)
    lo = hi = core
    while lo > 0 and blocks[lo].b - (blocks[lo - 1].b + blocks[lo - 1].size) <= reach:
        lo -= 1
    while hi < len(blocks) - 1 and blocks[hi + 1].b - (blocks[hi].b + blocks[hi].size) <= reach:
        hi += 1
    first, last = blocks[lo], blocks[hi]
    begin, finish = first.b, last.b + last.size
    # the requirement's words before the first / after the last shared run were reworded:
    # take the plan's words in their place into the stretch, up to the sentence boundary
    head, tail = requirement[: first.a], requirement[last.a + last.size :]
    if _WORDS.search(head) and not _moved(head, task):
        boundary = max(task.rfind(p, 0, begin) for p in _SENTENCE_END) + 1
        begin = max(boundary, begin - len(head))
    if _WORDS.search(tail) and not _moved(tail, task):
        ends = [i for p in _SENTENCE_END if (i := task.find(p, finish)) >= 0]
        finish = min(min(ends, default=len(task)), finish + len(tail))
    return begin, finish


def _bare(text: str) -> str:
    return _NOT_WORDS.sub("", _folded(text))


def _moved(text: str, task: str) -> bool:
    """``text`` (4+ characters, punctuation aside) stands elsewhere in ``task``: moved, not lost."""
    bare = _bare(text)
    return len(bare) >= 4 and bare in _bare(task)


_SENTENCE_END = ("。", "；", ";", "！", "!", "？", "?", "\n")
_WORDS = re.compile(r"[^\W_]", re.UNICODE)
_NOT_WORDS = re.compile(r"[\W_]+", re.UNICODE)


def _cleanup(ops: Sequence[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Fold a one-character ``equal`` run squeezed between two edits into them, so the redline
    reads as whole rewordings rather than confetti (the semantic clean-up of diff tools)."""
    out: list[tuple[str, str, str]] = []
    for i, (tag, a, b) in enumerate(ops):
        squeezed = tag == "equal" and len(b) == 1 and 0 < i < len(ops) - 1
        if squeezed and ops[i - 1][0] != "equal" and ops[i + 1][0] != "equal":
            tag = "replace"
        if out and out[-1][0] != "equal" and tag != "equal":
            _, pa, pb = out[-1]
            out[-1] = ("replace", pa + a, pb + b)
        else:
            out.append((tag, a, b))
    return out


def diff_segments(requirement: str, task: str) -> list[Segment]:
    """The redline of ``requirement`` against ``task``: what the plan kept, dropped and added.

    Characters are compared with full/half-width forms folded (the plan's own characters are
    shown); task text outside the carrying stretch comes back as ``context``.
    """
    start, end = carrying_stretch(requirement, task)
    stretch = task[start:end]
    matcher = difflib.SequenceMatcher(None, _folded(requirement), _folded(stretch), autojunk=False)
    ops = [(tag, requirement[i1:i2], stretch[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes()]
    segments: list[Segment] = []
    if start > 0:
        segments.append(Segment("context", task[:start]))
    for tag, a, b in _cleanup(ops):
        if tag == "equal":
            segments.append(Segment("equal", b))
            continue
        if a:
            segments.append(Segment("moved" if _moved(a, task) else "delete", a))
        if b:
            segments.append(Segment("insert", b))
    if end < len(task):
        segments.append(Segment("context", task[end:]))
    return segments


_SEGMENT_MARKUP: dict[SegmentKind, Markup] = {
    "context": Markup('<span class="ctx">{}</span>'),
    "equal": Markup("{}"),
    "delete": Markup('<del title="模板有、方案删去 deleted by the plan">{}</del>'),
    "moved": Markup('<del class="moved" title="方案移至任务别处 moved elsewhere in the task">{}</del>'),
    "insert": Markup('<ins title="方案新增 inserted by the plan">{}</ins>'),
}


@lru_cache(maxsize=4096)
def diff_markup(requirement: str, task: str) -> Markup:
    """``diff_segments`` as HTML; every text piece goes through ``markupsafe.escape``.

    Memoized: the plans of one template share most of their task texts, so the same requirement
    and task meet in report after report."""
    return Markup("").join(
        _SEGMENT_MARKUP[s.kind].format(escape(s.text)) for s in diff_segments(requirement, task)
    )


# --- view model ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaskView:
    number: str
    text: str
    category: str | None
    lead_unit: str | None
    units: tuple[str, ...]
    deadline_raw: str | None
    deadline_date: dt.date | None
    ongoing: bool
    status: str
    carries: tuple[str, ...]  # numbers of the requirements the task carries

    @property
    def merge(self) -> bool:
        return len(self.carries) > 1


@dataclass(frozen=True, slots=True)
class LinkView:
    task: TaskView
    similarity: float
    verbatim: bool
    diff: Markup
    also_carries: tuple[str, ...]  # the task's other requirements: a merge when not empty


@dataclass(frozen=True, slots=True)
class RequirementView:
    number: str
    category: str | None
    text: str
    status: str
    similarity: float
    links: tuple[LinkView, ...]

    @property
    def split(self) -> bool:
        return len(self.links) > 1

    @property
    def merged(self) -> bool:
        return any(link.also_carries for link in self.links)


@dataclass(frozen=True, slots=True)
class Group:
    category: str | None
    rows: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Bar:
    """A stacked bar: (status, count, percent of the total) per status."""

    total: int
    parts: tuple[tuple[str, int, float], ...]


@dataclass(frozen=True, slots=True)
class OverdueView:
    task: TaskView
    days: int


@dataclass(frozen=True, slots=True)
class PlanView:
    plan: NoticeRef
    template: NoticeRef
    plan_name: str
    linked_by: str
    linked_by_text: str
    as_of: dt.date
    generated: dt.date
    thresholds: tuple[tuple[str, str, float], ...]
    summary: Mapping[str, int]
    requirement_bar: Bar
    task_bar: Bar
    groups: tuple[Group, ...]
    additions: tuple[TaskView, ...]
    missing: tuple[RequirementView, ...]
    partial: tuple[RequirementView, ...]
    merges: tuple[TaskView, ...]
    splits: tuple[RequirementView, ...]
    unit_gaps: tuple[TaskView, ...]
    deadline_gaps: tuple[tuple[TaskView, str], ...]
    overdue: tuple[OverdueView, ...]
    domains: tuple[DomainDiff, ...]
    domain_counts: tuple[tuple[str, int], ...]


def _bar(counts: Mapping[str, int], statuses: Sequence[str]) -> Bar:
    total = sum(counts.get(s, 0) for s in statuses)
    return Bar(
        total,
        tuple(
            (s, counts.get(s, 0), round(100 * counts.get(s, 0) / total, 2) if total else 0.0)
            for s in statuses
        ),
    )


def _grouped(rows: Sequence[Any]) -> tuple[Group, ...]:
    groups: list[Group] = []
    for row in rows:
        if groups and groups[-1].category == row.category:
            groups[-1] = Group(row.category, (*groups[-1].rows, row))
        else:
            groups.append(Group(row.category, (row,)))
    return tuple(groups)


_PLACE = re.compile(r"^(?!关于)(\w{1,8}?(?:自治州|自治县|省|市|县|区|州|旗))")
_ISSUER_SUFFIX = re.compile(r"(人民政府办公室|人民政府办公厅|人民政府|办公室|办公厅)$")


def short_name(ref: NoticeRef) -> str:
    """What to call a notice in a column header: its issuer's place (万源市), else its number."""
    if ref.issuer:
        name = _ISSUER_SUFFIX.sub("", ref.issuer)
        if name:
            return name
    place = _PLACE.match(ref.title or "")
    if place:
        return place.group(1)
    return ref.doc_number or (ref.title or ref.path)[:12]


def plan_view(check: CrossCheck) -> PlanView:
    """Everything the plan report shows, decided here so the template only lays it out."""
    alignment = check.alignment
    req_number = {r.requirement.key: r.requirement.number for r in alignment.requirements}
    tasks: dict[str, TaskView] = {}
    for t in alignment.tasks:
        item = t.task
        tasks[item.key] = _task_view(item, t.status, tuple(req_number.get(k, k) for k in t.requirements))

    requirements = tuple(_requirement_view(r, tasks) for r in alignment.requirements)
    summary = check.summary()
    gaps_by_kind: dict[str, list[tuple[Item, str]]] = {}
    for gap in check.gaps:
        gaps_by_kind.setdefault(gap.kind, []).append((gap.task, gap.detail))
    overdue = tuple(
        OverdueView(
            tasks.get(item.key) or _task_view(item, "matched", ()), (check.as_of - item.deadline_date).days
        )
        for item, _ in gaps_by_kind.get("past_deadline", [])
        if item.deadline_date is not None
    )
    domain_counts = tuple(
        (status, n)
        for status in DOMAIN_STATUSES
        if (n := sum(1 for d in check.domains if d.status == status))
    )
    return PlanView(
        plan=check.plan,
        template=check.template,
        plan_name=short_name(check.plan),
        linked_by=check.linked_by,
        linked_by_text=LINKED_BY.get(check.linked_by, check.linked_by),
        as_of=check.as_of,
        generated=dt.date.today(),
        thresholds=tuple(
            (key, THRESHOLDS.get(key, key), float(value)) for key, value in alignment.options.items()
        ),
        summary=summary,
        requirement_bar=_bar(summary, [s for s, *_ in REQUIREMENT_STATUSES]),
        task_bar=_bar(summary, [s for s, *_ in TASK_STATUSES]),
        groups=_grouped(requirements),
        additions=tuple(t for t in tasks.values() if t.status == "added"),
        missing=tuple(r for r in requirements if r.status == "missing"),
        partial=tuple(r for r in requirements if r.status == "partial"),
        merges=tuple(t for t in tasks.values() if t.merge),
        splits=tuple(r for r in requirements if r.split),
        unit_gaps=tuple(
            tasks.get(item.key) or _task_view(item, "matched", ())
            for item, _ in gaps_by_kind.get("no_unit", [])
        ),
        deadline_gaps=tuple(
            (tasks.get(item.key) or _task_view(item, "matched", ()), detail)
            for item, detail in gaps_by_kind.get("no_deadline", [])
        ),
        overdue=overdue,
        domains=check.domains,
        domain_counts=domain_counts,
    )


def _task_view(item: Item, status: str, carries: tuple[str, ...]) -> TaskView:
    units = item.responsible_units or ((item.lead_unit,) if item.lead_unit else ())
    return TaskView(
        number=item.number,
        text=item.text,
        category=item.category,
        lead_unit=item.lead_unit,
        units=tuple(units),
        deadline_raw=item.deadline_raw,
        deadline_date=item.deadline_date,
        ongoing=item.ongoing,
        status=status,
        carries=carries,
    )


def _requirement_view(result: RequirementResult, tasks: Mapping[str, TaskView]) -> RequirementView:
    req = result.requirement
    links = []
    for link in result.links:
        task = tasks.get(link.task_key)
        if task is None:
            continue
        links.append(
            LinkView(
                task=task,
                similarity=link.similarity,
                verbatim=link.verbatim,
                diff=diff_markup(req.text, task.text),
                also_carries=tuple(n for n in task.carries if n != req.number),
            )
        )
    return RequirementView(
        number=req.number,
        category=req.category,
        text=req.text,
        status=result.status,
        similarity=result.similarity,
        links=tuple(links),
    )


# --- overview -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    """A requirement in one plan, as the matrix shows it: display values only, so that the same
    cell recurring in plan after plan is one value, drawn once (``matrix_cell``, memoized)."""

    status: str
    tasks: tuple[str, ...]
    percent: str  # the similarity, as shown


@dataclass(frozen=True, slots=True)
class MatrixRow:
    number: str
    category: str | None
    text: str
    cells: tuple[Cell | None, ...]  # None: that plan's template has no such requirement
    carried_by: int  # plans that take it over at least in part


@dataclass(frozen=True, slots=True)
class PlanColumn:
    name: str
    ref: NoticeRef
    href: str
    summary: Mapping[str, int]
    as_of: dt.date


@dataclass(frozen=True, slots=True)
class OverviewView:
    template: NoticeRef
    columns: tuple[PlanColumn, ...]
    groups: tuple[Group, ...]
    as_of: tuple[dt.date, ...]
    generated: dt.date
    totals: tuple[tuple[str, str, tuple[int, ...]], ...] = field(default=())


@lru_cache(maxsize=4096)
def _cell(status: str, tasks: tuple[str, ...], similarity: float) -> Cell:
    """A requirement's cell in one plan, one shared ``Cell`` per distinct value: the thousands of cells
    of an overview take few distinct values, and sharing them saves making one per cell (and its
    percentage), half of ``overview_view``."""
    return Cell(status, tasks, percent(similarity))


def percent(x: float) -> str:
    """A similarity as shown: 0.8734 → "87%"."""
    return f"{100 * float(x):.0f}%"


def _template_key(ref: NoticeRef) -> str:
    return ref.doc_number or (ref.title or "") or ref.doc_id


def overview_view(checks: Sequence[CrossCheck], links: Mapping[str, str] | None = None) -> OverviewView:
    """Requirements × plans. Rows are matched across the checks by requirement number, so the
    same template read from a PDF in one check and from a DOCX in another still lines up."""
    if not checks:
        raise ValueError("an overview needs at least one cross-check")
    keys = {_template_key(c.template) for c in checks}
    if len(keys) > 1:
        raise ValueError(f"an overview covers the plans of one template, got {len(keys)}: {sorted(keys)}")
    links = links or {}
    columns = tuple(
        PlanColumn(
            name=short_name(c.plan),
            ref=c.plan,
            href=links.get(c.plan.doc_id, report_file_name(c)),
            summary=c.summary(),
            as_of=c.as_of,
        )
        for c in checks
    )
    order: dict[str, Item] = {}
    per_check: list[dict[str, Cell]] = []
    for check in checks:
        numbers = {t.task.key: t.task.number for t in check.alignment.tasks}
        cells: dict[str, Cell] = {}
        for r in check.alignment.requirements:
            order.setdefault(r.requirement.number, r.requirement)
            tasks = tuple([numbers.get(link.task_key, "?") for link in r.links])
            cells[r.requirement.number] = _cell(r.status, tasks, r.similarity)
        per_check.append(cells)
    rows = []
    for number, req in order.items():
        cells_row = tuple(cells.get(number) for cells in per_check)
        rows.append(
            MatrixRow(
                number=number,
                category=req.category,
                text=req.text,
                cells=cells_row,
                carried_by=sum(1 for c in cells_row if c is not None and c.status != "missing"),
            )
        )
    totals = tuple(
        (status, label, tuple(col.summary.get(status, 0) for col in columns))
        for status, label in (
            *((s, f"{zh} {s}") for s, zh, *_ in REQUIREMENT_STATUSES),
            *((s, f"{zh} {s}") for s, zh, *_ in TASK_STATUSES),
            ("no_unit", "无责任单位 no unit"),
            ("no_deadline", "无完成时限 no deadline"),
            ("past_deadline", "已逾期 past deadline"),
        )
    )
    return OverviewView(
        template=checks[0].template,
        columns=columns,
        groups=_grouped(rows),
        as_of=tuple(sorted({c.as_of for c in checks})),
        generated=dt.date.today(),
        totals=totals,
    )


# --- file names, rendering, writing -------------------------------------------------------

_UNSAFE = re.compile(r"[^0-9A-Za-z_-]+")


def _safe(part: str) -> str:
    return _UNSAFE.sub("-", part).strip("-") or "x"


def report_file_name(check: CrossCheck) -> str:
    """File name of a plan's report, unique per (plan, template) pair and safe on every OS."""
    return f"report_{_safe(check.plan.doc_id)}_vs_{_safe(check.template.doc_id)}.html"


def overview_file_name(template: NoticeRef) -> str:
    """File name of the overview across the plans of ``template``, next to their reports."""
    return f"overview_{_safe(template.doc_id)}.html"


# The macros of _macros.html, as the templates use them: memoized (see ``_env``), as globals, and the
# overview's cells per plan as filters (``cell|matrix_cell``: a filter is called directly, a global
# through the context's call, and an overview draws thousands of cells).
_MACROS = ("badge", "legend", "bar", "units", "deadline", "domain_row", "doc_card")
_CELL_MACROS = ("matrix_cell", "total_cell")


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("crosscheck", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # the templates ship with the engine: no file check on every page
    )
    env.globals.update(
        REQUIREMENT_STATUSES=REQUIREMENT_STATUSES,
        TASK_STATUSES=TASK_STATUSES,
        DOMAIN_STATUSES=DOMAIN_STATUSES,
        LABEL={s: zh for s, zh, *_ in (*REQUIREMENT_STATUSES, *TASK_STATUSES)},
        SYMBOL={s: sym for s, _, sym, _ in (*REQUIREMENT_STATUSES, *TASK_STATUSES)},
    )
    env.filters["pct"] = percent
    env.filters["date"] = lambda d: d.isoformat() if d else "—"
    # A macro's output depends on its arguments alone (a status, a task's units or deadline, a row of
    # the domain table, a cell of the matrix), and few distinct arguments recur row after row and page
    # after page (an overview: thousands of cells, a few dozen distinct): memoized, each is rendered
    # once per distinct arguments, not once per row. The arguments are hashable values; document text
    # is a plain str, never Markup, so no escaped and unescaped text can share an entry.
    macros = env.get_template("_macros.html").module
    env.globals.update({name: lru_cache(maxsize=4096)(getattr(macros, name)) for name in _MACROS})
    env.filters.update({name: lru_cache(maxsize=4096)(getattr(macros, name)) for name in _CELL_MACROS})
    return env


@lru_cache(maxsize=1)
def _page_assets() -> dict[str, Any]:
    """The inline stylesheet and script, and a CSP that admits nothing but them (the same for
    every page: made once)."""
    env = _env()
    css = env.get_template("report.css").render()
    script = env.get_template("_script.html").render()
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    csp = (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )
    # css and script are the project's own files, never document text
    return {"css": Markup(css), "script": Markup(script), "csp": csp}


def render_plan_report(check: CrossCheck) -> str:
    """The plan report as one self-contained HTML page."""
    return _env().get_template("plan_report.html").render(v=plan_view(check), **_page_assets())


def render_overview(checks: Sequence[CrossCheck], links: Mapping[str, str] | None = None) -> str:
    """The overview across the plans of one template; ``links`` maps a plan's doc_id to the
    relative href of its report (default: ``report_file_name`` of its check, in the same folder)."""
    return _env().get_template("overview.html").render(v=overview_view(checks, links), **_page_assets())


def _atomic_write(out: Path, text: str) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def write_plan_report(check: CrossCheck, out: Path) -> Path:
    """Write the plan report to ``out`` (a file, or a folder: then ``report_file_name(check)`` in it)."""
    out = Path(out)
    if out.is_dir():
        out = out / report_file_name(check)
    return _atomic_write(out, render_plan_report(check))


def write_overview(checks: Sequence[CrossCheck], out: Path, links: Mapping[str, str] | None = None) -> Path:
    """Write the overview to ``out`` (a file, or a folder: then ``overview_file_name`` in it)."""
    out = Path(out)
    if out.is_dir():
        if not checks:
            raise ValueError("an overview needs at least one cross-check")
        out = out / overview_file_name(checks[0].template)
    return _atomic_write(out, render_overview(checks, links))
