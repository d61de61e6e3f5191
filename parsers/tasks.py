"""Task rows (任务) from the three places notices put them.

1. ``table_tasks``  task tables (任务分解表, 责任分工表 …): columns recognised by what their header
   means (``data/task_headers.tsv``), in any order; merged cells arrive carried down by the
   reader; a 序号 merged over several rows numbers a group (``1.1``, ``1.2`` …); category columns
   are kept as the task's group path (``重点领域信息公开 › 各类规划``).
2. ``body_tasks``   numbered body items followed by a ``责任单位：…`` line (or carrying it inline).
3. ``prose_tasks``  when a notice has neither, the sentences of its 主要任务 section: one
   requirement per sentence, under the (一)…(五) heading that groups them.

When the same task stands in the body and in a table (a plan lists its tasks, then repeats them
in an attachment), ``merge_body_and_table`` keeps it once with the fields of both and a warning
where they disagree.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources

from rapidfuzz import fuzz

from parsers.deadlines import Deadline, parse_deadline
from parsers.model import Document, Location, Paragraph, Table
from parsers.structure import Heading, chinese_number, heading_title, match_marker, outline
from parsers.units import LEAD_FIRST_RULE, Unit, normalize_unit_name, parse_units, unit_kind
from parsers.vocab import word_list

CATEGORY_SEP = " › "
MIN_SAME_TASK_SIMILARITY = 60  # rapidfuzz ratio (0–100) for a body item and a table row to be one task


@dataclass(frozen=True, slots=True)
class Task:
    task_id: str
    number: str
    category: str | None
    text: str
    lead_leader: str | None
    lead_unit: str | None
    units: tuple[Unit, ...]
    deadline: Deadline | None
    source: str  # "table", "body", "body+table" or "prose"
    location: Location
    warnings: tuple[str, ...] = ()
    table: int | None = None  # index of the source table among the document's tables

    @property
    def responsible_units(self) -> list[str]:
        """Units as written, lead first (cooperating and merely mentioned units left out)."""
        return [u.name for u in self.units if u.role in ("lead", "responsible")]


# ---------------------------------------------------------------------------------------------
# Header meanings


@lru_cache(maxsize=1)
def header_meanings() -> dict[str, str]:
    text = resources.files("parsers").joinpath("data", "task_headers.tsv").read_text(encoding="utf-8")
    out = {}
    for line in text.splitlines():
        if line.startswith("#") or "\t" not in line or line.startswith("label\t"):
            continue
        label, meaning = line.split("\t")[:2]
        out[label.strip()] = meaning.strip()
    return out


def header_meaning(label: str) -> str | None:
    """Meaning of one header cell: exact label, else the longest known label it contains."""
    key = re.sub(r"\s+", "", label)
    meanings = header_meanings()
    if key in meanings:
        return meanings[key]
    for known in sorted(meanings, key=len, reverse=True):
        if len(known) >= 2 and known in key:
            return meanings[known]
    return None


@dataclass(frozen=True, slots=True)
class TaskTableLayout:
    """Which column holds what, and where the data rows start."""

    columns: dict[str, list[int]] = field(default_factory=dict)  # meaning → column indexes
    header_rows: int = 1


def task_table_layout(table: Table) -> TaskTableLayout | None:
    """The layout when ``table`` is a task table (a text column and a unit or deadline or number)."""
    if table.n_rows < 2:
        return None
    header = table.rows[0]
    columns: dict[str, list[int]] = {}
    spans: dict[tuple[int, int], list[int]] = {}
    for cell in header:
        spans.setdefault(cell.origin, []).append(cell.col)
    for origin, cols in spans.items():
        meaning = header_meaning(table.rows[origin[0]][origin[1]].text)
        if meaning is None:
            continue
        if meaning == "text" and len(cols) > 1:  # 主要工作任务 over two columns: group + task
            columns.setdefault("category", []).extend(cols[:-1])
            columns.setdefault("text", []).append(cols[-1])
        else:
            columns.setdefault(meaning, []).extend(cols)
    if len(columns.get("text", [])) > 1:  # 重点任务 | 具体措施: the earlier columns name the task
        *named, last = columns["text"]
        columns.setdefault("category", []).extend(named)
        columns["text"] = [last]
    if "text" not in columns:
        if "category" in columns and any(m in columns for m in ("responsible", "lead_unit", "deadline")):
            columns["text"] = columns.pop("category")[-1:]
        else:
            return None
    if not any(m in columns for m in ("responsible", "lead_unit", "deadline", "number")):
        return None
    return TaskTableLayout(columns, header_rows=max(1, table.header_rows))


# ---------------------------------------------------------------------------------------------
# Helpers


def task_id(doc_id: str, number: str, text: str) -> str:
    return hashlib.sha256(f"{doc_id}\n{number}\n{text}".encode()).hexdigest()[:16]


_MARKUP = re.compile(r"</?\s*[a-zA-Z][^<>]{0,40}>")
_LINE_BREAK = re.compile(r"\s*\n\s*")


def clean_text(text: str) -> str:
    """Cell or paragraph text as a task statement: stray markup (``<p>``) and line breaks gone."""
    if "<" in text:
        text = _MARKUP.sub("", text)
    if "\n" in text:
        text = _LINE_BREAK.sub("", text)
    return text.strip()


def _combine_units(
    lead: str | None, responsible: str | None, cooperating: str | None, lead_first: bool
) -> tuple[tuple[Unit, ...], str | None]:
    lead_units = parse_units(lead, "lead").units if lead else ()
    resp = parse_units(responsible, "responsible", lead_first=lead_first and not lead_units).units
    coop = parse_units(cooperating, "cooperating").units if cooperating else ()
    lead_names = {u.normalized for u in lead_units}
    merged: list[Unit] = list(lead_units)
    for u in (*resp, *coop):
        if u.normalized in lead_names:
            continue
        merged.append(u)
    lead_name = next((u.name for u in merged if u.role == "lead"), None)
    return tuple(merged), lead_name


# ---------------------------------------------------------------------------------------------
# 1. Task tables


def table_tasks(doc: Document, doc_id: str, year: int | None, lead_first: bool) -> list[Task]:
    tasks: list[Task] = []
    for t_index, table in enumerate(doc.tables()):
        layout = task_table_layout(table)
        if layout is None:
            continue
        header = [c.text for c in table.rows[0]]
        rows = [r for r in table.rows[layout.header_rows :] if [c.text for c in r] != header]
        cols = layout.columns

        def value(row: Sequence, meaning: str, cols: dict[str, list[int]] = cols) -> str | None:
            vals = [clean_text(row[c].text) for c in cols.get(meaning, []) if c < len(row)]
            vals = [v for v in vals if v]
            return CATEGORY_SEP.join(dict.fromkeys(vals)) if vals else None

        number_col = cols.get("number", [None])[0]
        group_sizes: dict[tuple[int, int], int] = {}
        if number_col is not None:
            for row in rows:
                group_sizes[row[number_col].origin] = group_sizes.get(row[number_col].origin, 0) + 1
        seen_in_group: dict[tuple[int, int], int] = {}
        for seq, row in enumerate(rows, start=1):
            text = value(row, "text")
            if not text:
                continue
            if number_col is not None and row[number_col].text.strip():
                origin = row[number_col].origin
                seen_in_group[origin] = seen_in_group.get(origin, 0) + 1
                base = clean_text(row[number_col].text).rstrip(".．、")
                number = base if group_sizes[origin] == 1 else f"{base}.{seen_in_group[origin]}"
            else:
                number = str(seq)
            category = (
                CATEGORY_SEP.join(v for v in (value(row, "category"), value(row, "subcategory")) if v) or None
            )
            units, lead_name = _combine_units(
                value(row, "lead_unit"), value(row, "responsible"), value(row, "cooperating"), lead_first
            )
            deadline_raw = value(row, "deadline")
            text_col = cols["text"][0]
            tasks.append(
                Task(
                    task_id=task_id(doc_id, number, text),
                    number=number,
                    category=category,
                    text=text,
                    lead_leader=value(row, "lead_leader"),
                    lead_unit=lead_name,
                    units=units,
                    deadline=parse_deadline(deadline_raw, year),
                    source="table",
                    location=replace(table.location, row=row[text_col].row, col=text_col),
                    table=t_index,
                )
            )
    return tasks


# ---------------------------------------------------------------------------------------------
# 2. Numbered body items with 责任单位 lines

_FIELD_LINE = re.compile(
    r"^(?P<open>[（(])?\s*(?P<label>责任单位|牵头单位|配合单位|责任部门|牵头部门|完成时限|时间节点|完成时间)"
    r"\s*[:：]\s*(?P<value>.+?)\s*$"
)
_INLINE_FIELDS = re.compile(
    r"[（(]\s*(?P<label>责任单位|牵头单位|责任部门)\s*[:：]\s*(?P<value>[^（）()]+(?:[（(][^（）()]*[）)][^（）()]*)*)[）)]\s*[。.]?\s*$"
)


def body_tasks(doc: Document, doc_id: str, year: int | None) -> tuple[list[Task], bool]:
    """Numbered items each followed by field lines; also says whether the lead-first rule is stated."""
    heads = {h.block: h for h in outline(doc)}
    tasks: list[Task] = []
    lead_first = False
    current: dict | None = None
    group_title: str | None = None
    group_number = 0

    def flush() -> None:
        nonlocal current
        if current and (current["responsible"] or current["lead"]):
            units, lead_name = _combine_units(
                current["lead"], current["responsible"], current["coop"], lead_first
            )
            number = f"{group_number}.{current['n']}" if group_number else str(current["n"])
            tasks.append(
                Task(
                    task_id=task_id(doc_id, number, current["text"]),
                    number=number,
                    category=current["category"],
                    text=current["text"],
                    lead_leader=None,
                    lead_unit=lead_name,
                    units=units,
                    deadline=parse_deadline(current["deadline"], year),
                    source="body",
                    location=current["location"],
                )
            )
        current = None

    blocks = doc.blocks
    for i, block in enumerate(blocks):
        if not isinstance(block, Paragraph):
            continue
        text = block.text.strip()
        field_line = _FIELD_LINE.match(text)
        if field_line and current is not None:
            label, value_text = field_line.group("label"), field_line.group("value")
            if field_line.group("open"):  # （责任单位：…） — drop the closing bracket of the line
                value_text = re.sub(r"[）)]\s*[。.]?$", "", value_text)
            # a field line may wrap onto the next paragraph (PDF/HTML line breaks)
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            if (
                isinstance(nxt, Paragraph)
                and nxt.text.strip()
                and not match_marker(nxt.text.strip())
                and not _FIELD_LINE.match(nxt.text.strip())
                and len(nxt.text) < 40
                and value_text.endswith(("、", "，", "人民", "等"))
            ):
                value_text += nxt.text.strip()
            if LEAD_FIRST_RULE.search(value_text):
                lead_first = True
            key = {"牵头单位": "lead", "牵头部门": "lead", "配合单位": "coop"}.get(label)
            if key is None:
                key = "deadline" if label in ("完成时限", "时间节点", "完成时间") else "responsible"
            current[key] = value_text
            continue
        head: Heading | None = heads.get(i)
        if head is not None and head.level <= 2:
            flush()
            if head.level == 2:
                group_title, group_number = head.title, head.number
            continue
        item = match_marker(text) if head is None or head.level >= 3 else None
        if item is not None and item[0] >= 3:
            flush()
            _level, marker = item
            body = text[marker.end() :].strip()
            inline = _INLINE_FIELDS.search(body)
            current = {
                "n": chinese_number(marker.group("n")),
                "text": clean_text(body),
                "category": group_title,
                "location": block.location,
                "responsible": None,
                "lead": None,
                "coop": None,
                "deadline": None,
            }
            if inline:
                current["text"] = clean_text(body[: inline.start()])
                key = "lead" if inline.group("label").startswith("牵头") else "responsible"
                current[key] = inline.group("value")
            continue
        if current is not None and not current["responsible"] and not current["lead"]:
            # the item's text wrapped into a further paragraph (line break in the source)
            current["text"] += clean_text(text)
    flush()
    return tasks, lead_first


# ---------------------------------------------------------------------------------------------
# 3. Prose requirements of a template

_SENTENCE_END = re.compile(r"(?<=[。！？!?])")


def split_sentences(text: str) -> list[str]:
    """Sentences ending in 。！？ (quotes and brackets stay with their sentence)."""
    parts = [p.strip() for p in _SENTENCE_END.split(text)]
    return [p for p in parts if len(p) > 1]


def mentioned_units(sentence: str) -> tuple[Unit, ...]:
    """Organs a requirement names (县级国家档案馆, 省政府办公厅 …): not made responsible by a
    list, so their role is ``mentioned``."""
    from parsers.nlp import organ_mentions

    names = list(dict.fromkeys(organ_mentions(sentence)))
    return tuple(Unit(n, normalize_unit_name(n), unit_kind(n), "mentioned") for n in names)


def prose_tasks(doc: Document, doc_id: str) -> list[Task]:
    """Sentences of the 主要任务 section under its numbered headings."""
    section_words = word_list("task_sections")
    heads = outline(doc)
    by_block = {h.block: h for h in heads}
    tasks: list[Task] = []
    in_section = False
    section_part = -1
    path_titles: dict[int, str] = {}
    counters: dict[str, int] = {}
    current_path: str | None = None
    for i, block in enumerate(doc.blocks):
        if not isinstance(block, Paragraph):
            continue
        head = by_block.get(i)
        text = block.text.strip()
        if head is not None and head.level == 1:
            in_section = any(w in head.title for w in section_words)
            section_part = head.part
            path_titles = {}
            current_path = None
            continue
        if not in_section:
            continue
        if head is not None and head.part != section_part:
            in_section = False
            continue
        body = text
        if head is not None:
            path_titles = {lvl: t for lvl, t in path_titles.items() if lvl < head.level}
            path_titles[head.level] = head.title
            current_path = head.path.split("/", 1)[1] if "/" in head.path else head.path
            titled = heading_title(text[len(head.marker) :])
            if titled is None:
                continue
            heading_text, inline = titled
            if not inline:
                continue
            body = text[len(head.marker) :].strip()[len(heading_text) :].lstrip("。：:；; ")
        if current_path is None:
            continue  # the section's lead-in paragraph states goals, not tasks
        category = CATEGORY_SEP.join(path_titles[lvl] for lvl in sorted(path_titles))
        for sentence in split_sentences(clean_text(body)):
            counters[current_path] = counters.get(current_path, 0) + 1
            number = f"{current_path}.{counters[current_path]}"
            tasks.append(
                Task(
                    task_id=task_id(doc_id, number, sentence),
                    number=number,
                    category=category or None,
                    text=sentence,
                    lead_leader=None,
                    lead_unit=None,
                    units=mentioned_units(sentence),
                    deadline=None,
                    source="prose",
                    location=block.location,
                )
            )
    return tasks


# ---------------------------------------------------------------------------------------------
# Merge and orchestrate


def _similarity(a: str, b: str) -> float:
    return fuzz.ratio(re.sub(r"\W", "", a), re.sub(r"\W", "", b))


def merge_body_and_table(body: list[Task], table: list[Task]) -> list[Task]:
    """One task per body item, completed from its table row; unmatched rows are kept too."""
    used: set[int] = set()
    merged: list[Task] = []
    for task in body:
        best, best_score = None, 0.0
        for k, row in enumerate(table):
            if k in used:
                continue
            score = _similarity(task.text, row.text)
            if score > best_score:
                best, best_score = k, score
        if best is None or best_score < MIN_SAME_TASK_SIMILARITY:
            merged.append(task)
            continue
        used.add(best)
        row = table[best]
        warnings = list(task.warnings)
        body_names = {u.normalized for u in task.units}
        table_names = {u.normalized for u in row.units}
        if body_names != table_names and row.units:
            only_body = "、".join(u.name for u in task.units if u.normalized not in table_names)
            only_table = "、".join(u.name for u in row.units if u.normalized not in body_names)
            warnings.append(
                f"units differ between body and table: body has {only_body or '—'}, "
                f"table has {only_table or '—'}"
            )
        if task.text != row.text:
            warnings.append("task text differs between body and table; the body's text is kept")
        merged.append(
            replace(
                task,
                category=task.category or row.category,
                lead_leader=row.lead_leader,
                lead_unit=row.lead_unit or task.lead_unit,
                units=row.units or task.units,
                deadline=row.deadline or task.deadline,
                source="body+table",
                warnings=tuple(warnings),
                table=row.table,
            )
        )
    merged.extend(row for k, row in enumerate(table) if k not in used)
    return merged


def document_year(*candidates: int | None) -> int | None:
    return next((y for y in candidates if y), None)


def extract_tasks(doc: Document, doc_id: str, year: int | None) -> tuple[Task, ...]:
    """All tasks of one notice (see the module docstring for the cascade)."""
    body, lead_first = body_tasks(doc, doc_id, year)
    table = table_tasks(doc, doc_id, year, lead_first)
    if body and table:
        return tuple(merge_body_and_table(body, table))
    if body or table:
        return tuple(body or table)
    return tuple(prose_tasks(doc, doc_id))
