"""Structure lost by naive renderings, rebuilt from the text itself.

A tool that writes a notice out line by line (one ``<p>`` or Word paragraph per printed line)
keeps every word but drops the tables and the paragraphs: a table arrives one cell per paragraph
or one row per line with its cells separated by tabs or spaces, and hard-wrapped text arrives one
printed line per paragraph. The extractors expect ``Table``s and whole paragraphs, so
``recover_structure`` rebuilds them, format-neutrally, before any extraction runs.

Rules, in order (each a function ``list[Block] -> list[Block]``, after trafilatura's named rules):

``cells_per_paragraph_tables``  a run of header-label paragraphs (序号 / 重点任务 / 责任单位), then
                                rows: the row number, then one paragraph per cell
``tab_separated_tables``        a header line of labels separated by tabs, then tab-separated rows;
                                rows with leading empty cells continue the merged cells above
``space_separated_tables``      the same with spaces (HTML collapses tabs to one space; PDF text
                                dumps separate cells by spaces)
``rejoin_wrapped_lines``        runs of lines of the document's printed line length, hard-wrapped
                                from one paragraph, joined back
``rejoin_split_paragraphs``     a long paragraph cut mid-sentence at a page break, joined with the
                                paragraph that finishes the sentence

Every rule is conservative: when the evidence does not fit exactly it leaves the blocks as they
are, so well-formed documents pass through unchanged (``recover_structure`` then returns the very
same ``Document``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import replace
from functools import cache
from typing import TypeGuard

from parsers.deadlines import parse_deadline
from parsers.model import Block, Cell, Document, Location, Paragraph, Table
from parsers.normalize import normalize_text
from parsers.structure import ATTACHMENT_LABEL, match_marker
from parsers.tasks import header_meaning
from parsers.vocab import data_lines, word_list

Rule = Callable[[list[Block]], list[Block]]

NUMBER_LABELS = ("序号", "编号")
MAX_LABEL_CHARS = 16  # a header cell is a short label, never a sentence
_SENTENCE_PUNCT = re.compile(r"[。，,；;！？!?：:]")


# ---------------------------------------------------------------------------------------------
# Header labels


@cache
def _table_labels() -> tuple[str, ...]:
    return tuple(sorted((_label_key(w) for w in data_lines("table_labels")), key=len, reverse=True))


def _label_key(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("（", "(").replace("）", ")")


def is_header_label(text: str) -> bool:
    """A known column label: a task-header meaning (task_headers.tsv) or a domain-table label."""
    key = _label_key(text)
    if not key or len(key) > MAX_LABEL_CHARS or _SENTENCE_PUNCT.search(key):
        return False
    if key in NUMBER_LABELS or header_meaning(key) is not None:
        return True
    return any(key == w or (len(w) >= 2 and w in key) for w in _table_labels())


def _is_header(labels: Sequence[str]) -> bool:
    """At least two known labels, the first numbering the rows (序号 / 编号)."""
    return len(labels) >= 2 and _label_key(labels[0]) in NUMBER_LABELS and all(map(is_header_label, labels))


# Whether the document being recovered was converted from Traditional (new cells are normalized
# like the rest of it); a ContextVar so concurrent documents do not share the setting.
_TRADITIONAL: ContextVar[bool] = ContextVar("linear_traditional", default=False)


def _norm(raw: str, *, cell: bool) -> str:
    return normalize_text(raw, traditional=_TRADITIONAL.get(), keep_line_breaks=cell)


def _first_page(blocks: Sequence[Block]) -> int | None:
    return next((b.location.page for b in blocks if b.location.page is not None), None)


def _pages(blocks: Sequence[Block]) -> tuple[int, ...]:
    pages: list[int] = []
    for b in blocks:
        for p in (b.location.page, b.end_page if isinstance(b, Paragraph) else None):
            if p is not None and p not in pages:
                pages.append(p)
    return tuple(pages)


def _table(grid: list[list[Cell]], source: Sequence[Block]) -> Table:
    first = source[0].location
    return Table(
        tuple(tuple(row) for row in grid),
        Location(first.block, page=first.page, part=first.part),
        pages=_pages(source) if _first_page(source) is not None else (),
        header_rows=1,
    )


# ---------------------------------------------------------------------------------------------
# Grid building shared by the line-based rules


def _header_cells(labels: Sequence[str], width: int) -> list[Cell] | None:
    """Header row of ``width`` slots; one label fewer than the rows means the text label spans two
    columns (主要工作任务 over group + task), which ``task_table_layout`` reads as category + text."""
    if width == len(labels):
        return [Cell(_norm(raw, cell=True), raw, 0, c, (0, c)) for c, raw in enumerate(labels)]
    if width != len(labels) + 1:
        return None
    span = next((c for c, raw in enumerate(labels) if header_meaning(_label_key(raw)) == "text"), None)
    if span is None:
        return None
    cells: list[Cell] = []
    for c, raw in enumerate(labels):
        cells.append(Cell(_norm(raw, cell=True), raw, 0, len(cells), (0, len(cells))))
        if c == span:
            origin = cells[-1]
            cells.append(Cell(origin.text, origin.raw, 0, len(cells), origin.origin))
    return cells


def _grid(
    labels: Sequence[str], rows: Sequence[tuple[bool, list[str]]], width: int
) -> list[list[Cell]] | None:
    """Rows of fields to a resolved grid.

    ``(anchored, fields)``: an anchored row starts with its number and is filled from the left; any
    other row continues a group, so its fields fill the rightmost slots and the slots left of them
    continue the cell above (``origin`` pointing there, as readers resolve vertical merges).
    """
    header = _header_cells(labels, width)
    if header is None:
        return None
    grid: list[list[Cell]] = [header]
    for anchored, fields in rows:
        r = len(grid)
        if len(fields) > width:
            return None
        start = 0 if anchored else width - len(fields)
        if not anchored and r == 1:
            return None  # a continuation with nothing to continue
        cells: list[Cell] = []
        for c in range(width):
            if c < start:
                above = grid[r - 1][c]
                cells.append(Cell(above.text, above.raw, r, c, above.origin))
            else:
                raw = fields[c - start] if c - start < len(fields) else ""
                cells.append(Cell(_norm(raw, cell=True), raw, r, c, (r, c)))
        grid.append(cells)
    return grid


# ---------------------------------------------------------------------------------------------
# Rule A: one cell per paragraph


def _para_text(block: Block) -> str | None:
    return block.text.strip() if isinstance(block, Paragraph) else None


def _replace_runs(
    blocks: Sequence[Block], build_at: Callable[[Sequence[Block], int], tuple[Table, int] | None]
) -> list[Block]:
    """Walk the blocks; where ``build_at`` rebuilds a table starting at a block, put the table in
    place of the blocks it consumed (up to the index it returns)."""
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        built = build_at(blocks, i)
        if built is None:
            out.append(blocks[i])
            i += 1
            continue
        table, end = built
        out.append(table)
        i = end
    return out


def cells_per_paragraph_tables(blocks: list[Block]) -> list[Block]:
    """Tables dumped one cell per paragraph (web pages copied cell by cell, 001 附件3, 004 分工表).

    A run of ≥2 label paragraphs starting with 序号 gives the columns; each row is then the next row
    number followed by exactly (columns − 1) cell paragraphs. A repeated header run is skipped. The
    table is built only when every row fits; when a row number turns up anywhere else than right
    after a complete row (grouped rows of varying length, 004 任务分解表), nothing is changed.
    """
    return _replace_runs(blocks, _cells_table_at)


def _label_run(blocks: Sequence[Block], i: int) -> list[str]:
    if _para_text(blocks[i]) not in NUMBER_LABELS:
        return []
    labels = [blocks[i].text.strip()]  # type: ignore[union-attr]
    j = i + 1
    while j < len(blocks):
        text = _para_text(blocks[j])
        if text is None or text in NUMBER_LABELS or not is_header_label(text):
            break
        labels.append(text)
        j += 1
    return labels if len(labels) >= 2 else []


def _cells_table_at(blocks: Sequence[Block], i: int) -> tuple[Table, int] | None:
    labels = _label_run(blocks, i)
    if not labels:
        return None
    ncols = len(labels)
    k = i + ncols
    rows: list[list[Paragraph]] = []
    while k < len(blocks):
        if _label_run(blocks, k) == labels:  # header repeated after a page break
            k += ncols
            continue
        if _para_text(blocks[k]) != str(len(rows) + 1):
            break
        cells = blocks[k : k + ncols]
        if len(cells) < ncols or not all(isinstance(c, Paragraph) for c in cells[1:]):
            return None
        rows.append(cells)  # type: ignore[arg-type]
        k += ncols
    if not rows or _number_ahead(blocks, k, str(len(rows) + 1), ncols):
        return None
    grid = [[Cell(_norm(label, cell=True), label, 0, c, (0, c)) for c, label in enumerate(labels)]]
    for r, cells in enumerate(rows, start=1):
        grid.append([Cell(_norm(p.raw, cell=True), p.raw, r, c, (r, c)) for c, p in enumerate(cells)])
    return _table(grid, blocks[i:k]), k


def _number_ahead(blocks: Sequence[Block], k: int, number: str, ncols: int) -> bool:
    """Whether the next row number still follows soon (before another header): rows were uneven."""
    for block in blocks[k : k + 3 * ncols]:
        text = _para_text(block)
        if text in NUMBER_LABELS:
            return False
        if text == number:
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Rule A2: one cell per paragraph, rows grouped under merged cells

_UNIT_ENDINGS = (*word_list("organ_suffixes"), "部门", "单位", "机构")
_BRACKETED = re.compile(r"[（(][^（）()]*[）)]")
_ANY_YEAR = 2000
_CELL_KINDS = {
    "category": "label",
    "subcategory": "label",
    "text": "text",
    "responsible": "units",
    "lead_unit": "units",
    "cooperating": "units",
    "deadline": "deadline",
}


def _is_unit_list(text: str) -> bool:
    """A cell of unit names, most parts ending like an organ (厅, 局, 人民政府,
    部门(单位) …), and no sentence in it."""
    text = text.rstrip("。")
    if "。" in text:
        return False
    parts = [p.strip() for p in re.split(r"[、,，;；]", _BRACKETED.sub("", text)) if p.strip()]
    organs = [p for p in parts if p.endswith(_UNIT_ENDINGS)]
    return bool(parts) and len(organs) * 2 >= len(parts) and parts[-1].endswith(_UNIT_ENDINGS)


def _cell_kind(text: str) -> str:
    """What a lone cell paragraph holds: a deadline, a unit list, a requirement or a short label.
    Before the text column anything short is a group label (重大战略部署 ends like an organ)."""
    if len(text) <= 20 and "。" not in text:
        deadline = parse_deadline(text, _ANY_YEAR)  # any year: only whether it reads as a date
        if deadline is not None and deadline.date is not None:
            return "deadline"
    if _is_unit_list(text):
        return "units"  # checked before the sentence test: a unit cell may end with 。
    if "。" in text or len(text) > MAX_LABEL_CHARS:
        return "text"
    return "label"


def grouped_cells_per_paragraph_tables(blocks: list[Block]) -> list[Block]:
    """Task tables dumped one cell per paragraph whose rows are grouped under merged cells (004
    任务分解表: ``1`` / 重点领域信息公开 / 各类规划 / text / units / deadline, then a second text of
    the same group alone).

    Runs where ``cells_per_paragraph_tables`` found uneven rows. The header's labels say what each
    column holds (label, text, units, deadline); each cell paragraph is told by its content (a
    deadline phrase, a list of organ names, a sentence, a short label) and placed in the next column
    of that kind; a sentence after the text column opens an unnumbered row of the group above. Cells
    a row lacks continue the cell above (vertically merged), group labels are right-aligned (a row
    naming only its 名称 keeps the 任务 above). Nothing changes unless the header has a text column
    and every paragraph up to the end of the numbering fits.
    """
    return _replace_runs(blocks, _grouped_table_at)


def _grouped_table_at(blocks: Sequence[Block], i: int) -> tuple[Table, int] | None:
    labels = _label_run(blocks, i)
    kinds = [_CELL_KINDS.get(header_meaning(_label_key(lb)) or "", "") for lb in labels[1:]]
    if not labels or kinds.count("text") != 1 or "" in kinds:
        return None
    kinds = ["number", *kinds]
    text_col = kinds.index("text")
    label_cols = [c for c, k in enumerate(kinds) if k == "label"]
    if any(c > text_col for c in label_cols):
        return None
    rows: list[tuple[list[Paragraph], dict[int, Paragraph]]] = []  # (group labels, column → cell)
    last = -1
    k = i + len(labels)
    while k < len(blocks):
        block = blocks[k]
        if not isinstance(block, Paragraph) or not block.text.strip():
            break
        text = block.text.strip()
        if text == str(sum(1 for r in rows if 0 in r[1]) + 1):
            rows.append(([], {0: block}))
            last = 0
        elif not rows:
            return None
        else:
            kind = _cell_kind(text)
            if kind != "text" and last < text_col:  # before the text: a group label
                if not label_cols or 0 not in rows[-1][1]:
                    return None
                rows[-1][0].append(block)
                last = max(label_cols[0], last)
            elif kind == "text" and last < text_col:
                rows[-1][1][text_col] = block
                last = text_col
            elif kind == "text":
                rows.append(([], {text_col: block}))
                last = text_col
            else:
                col = next((c for c in range(last + 1, len(kinds)) if kinds[c] == kind), None)
                if col is None or last < text_col:
                    break
                rows[-1][1][col] = block
                last = col
        k += 1
    numbered = sum(1 for r in rows if 0 in r[1])
    if numbered < 2 or any(text_col not in cells for _, cells in rows):
        return None
    if any(len(group) > len(label_cols) for group, _ in rows) or _number_ahead(
        blocks, k, str(numbered + 1), 6
    ):
        return None
    header = [Cell(_norm(lb, cell=True), lb, 0, c, (0, c)) for c, lb in enumerate(labels)]
    grid: list[list[Cell]] = [header]
    for group, cells in rows:
        r = len(grid)
        placed = dict(cells)
        placed.update(zip(label_cols[len(label_cols) - len(group) :], group, strict=True))
        row: list[Cell] = []
        for c in range(len(labels)):
            if c in placed:
                raw = placed[c].raw
                row.append(Cell(_norm(raw, cell=True), raw, r, c, (r, c)))
            elif r > 1:
                above = grid[r - 1][c]
                row.append(Cell(above.text, above.raw, r, c, above.origin))
            else:
                row.append(Cell("", "", r, c, (r, c)))
        grid.append(row)
    return _table(grid, blocks[i:k]), k


# ---------------------------------------------------------------------------------------------
# Rules B and C: one row per line


def _tab_fields(raw: str) -> list[str]:
    fields = [f.strip() for f in raw.split("\t")]
    while fields and not fields[-1]:
        fields.pop()
    return fields


def tab_separated_tables(blocks: list[Block]) -> list[Block]:
    """Tables written one row per line with tab-separated cells (Word text dumps, 003 附件3/4).

    The header line holds known labels, 序号 first; every following line with a tab is a row. A
    row whose first field is empty continues the group above: its non-empty fields fill the
    rightmost slots (dumps shift such rows by a tab either way) and the slots before them carry
    the merged cells down. Repeated header lines are skipped.
    """
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        labels = _tab_fields(block.raw) if isinstance(block, Paragraph) and "\t" in block.raw else []
        if not _is_header(labels):
            out.append(block)
            i += 1
            continue
        rows: list[tuple[bool, list[str]]] = []
        j = i + 1
        while j < len(blocks):
            b = blocks[j]
            if not isinstance(b, Paragraph) or "\t" not in b.raw:
                break
            fields = _tab_fields(b.raw)
            if fields != labels:
                anchored = bool(fields and fields[0])
                if not anchored:
                    while fields and not fields[0]:
                        fields.pop(0)
                if fields:
                    rows.append((anchored, fields))
            j += 1
        grid = _grid(labels, rows, _width(labels, rows)) if rows else None
        if grid is None:
            out.append(block)
            i += 1
            continue
        out.append(_table(grid, blocks[i:j]))
        i = j
    return out


def _width(labels: Sequence[str], rows: Sequence[tuple[bool, list[str]]]) -> int:
    """Slots per row: the header's, or one more when the numbered rows mostly have one more."""
    counts = Counter(len(f) for anchored, f in rows if anchored)
    if counts and counts.most_common(1)[0][0] == len(labels) + 1:
        return len(labels) + 1
    return len(labels)


_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE = re.compile(r"[ \t\u00a0\u3000]+")
# A space after a list comma or inside brackets is a stray layout space, not a cell boundary.
_INNER_SPACE = re.compile(r"(?<=[、，,（(])[ \t\u00a0\u3000]+|[ \t\u00a0\u3000]+(?=[、，,）)])")
_NUMBERED_ROW = re.compile(r"^\s*(\d{1,3})[ \t\u00a0\u3000]+\S")
# A cell boundary: text (CJK or a closing bracket) before, a new cell (CJK, bracket, a date) after;
# a space after a digit (``54 号``, ``2021 年``) is a PDF's digit spacing instead.
_GAP_BEFORE = rf"[{_CJK}\u3001-\u303f\uff01-\uff0f\uff1a-\uff20)”》\]】>]"
_CJK_GAP = re.compile(rf"(?<={_GAP_BEFORE})[ \t\u00a0\u3000]+(?=[{_CJK}（(“《\[【<0-9])")


def _space_fields(raw: str) -> list[str]:
    return [f for f in _SPACE.split(_INNER_SPACE.sub("", raw.strip())) if f]


def _merge_to(fields: list[str], width: int) -> list[str] | None:
    """A numbered row with too many fields: letter-spaced short words (``深化 为民 服务 公开``) are
    one cell, so the shortest neighbouring pair is merged until the row fits."""
    fields = list(fields)
    while len(fields) > width:
        pairs = [(len(fields[k]) + len(fields[k + 1]), k) for k in range(1, len(fields) - 1)]
        if not pairs:
            return None
        _, k = min(pairs)
        if len(fields[k]) > 4 and len(fields[k + 1]) > 4:
            return None  # two real cells: the split is not letter spacing
        fields[k : k + 2] = [fields[k] + fields[k + 1]]
    return fields


def space_separated_tables(blocks: list[Block]) -> list[Block]:
    """Tables written one row per line with cells separated by spaces (PDF dumps, 000 附件2; HTML
    collapses a Word dump's tabs to spaces, 003 附件3).

    The header line's space-separated tokens are all known labels, 序号 first; rows are the lines
    numbered 1, 2, 3 … in turn, cut into fields at spaces. A line without a number continues the
    group above only when every space in it stands between CJK text (a cell boundary, not the
    ``54 号`` of a PDF's spaced-out digits); its fields fill the rightmost slots. The table is kept
    only when the numbered rows agree on the number of fields.
    """
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        labels = _space_fields(block.raw) if _may_be_space_header(block) else []
        if not _is_header(labels):
            out.append(block)
            i += 1
            continue
        rows: list[tuple[bool, list[str]]] = []
        j = i + 1
        number = 1
        while j < len(blocks):
            b = blocks[j]
            if not isinstance(b, Paragraph):
                break
            fields = _space_fields(b.raw)
            m = _NUMBERED_ROW.match(b.raw)
            if fields == labels:
                pass
            elif m and int(m.group(1)) == number:
                rows.append((True, fields))
                number += 1
            elif number > 1 and len(fields) >= 2 and _is_cell_gap_line(b.raw):
                rows.append((False, fields))
            else:
                break
            j += 1
        table = _space_table(labels, rows, blocks[i:j]) if rows else None
        if table is None:
            out.append(block)
            i += 1
            continue
        out.append(table)
        i = j
    return out


def _may_be_space_header(block: Block) -> TypeGuard[Paragraph]:
    """A line without tabs whose first character starts 序号/编号: the header's first label must be
    one of them, and ``_space_fields`` and ``_label_key`` only ever drop whitespace."""
    return (
        isinstance(block, Paragraph)
        and "\t" not in block.raw
        and block.raw.lstrip()[:1] in _NUMBER_LABEL_STARTS
    )


_NUMBER_LABEL_STARTS = frozenset(label[0] for label in NUMBER_LABELS)


def _is_cell_gap_line(raw: str) -> bool:
    gaps = len(_SPACE.findall(_INNER_SPACE.sub("", raw.strip())))
    return gaps > 0 and gaps == len(_CJK_GAP.findall(_INNER_SPACE.sub("", raw.strip())))


def _space_table(
    labels: list[str], rows: list[tuple[bool, list[str]]], source: Sequence[Block]
) -> Table | None:
    counts = Counter(len(f) for anchored, f in rows if anchored)
    mode = counts.most_common(1)[0][0]
    width = len(labels) + 1 if mode == len(labels) + 1 else len(labels)
    if mode > width:
        return None
    fitted: list[tuple[bool, list[str]]] = []
    for anchored, fields in rows:
        if len(fields) > width:
            merged = _merge_to(fields, width) if anchored else None
            if merged is None:
                return None
            fields = merged
        fitted.append((anchored, fields))
    grid = _grid(labels, fitted, width)
    return _table(grid, source) if grid is not None else None


# ---------------------------------------------------------------------------------------------
# Rule D: hard-wrapped lines

MIN_WRAP_WIDTH = 20  # printed lines of an A4 notice hold 26–28 characters
WRAP_TOLERANCE = 3
MIN_WRAPPED_SHARE = 0.4  # share of the document's longer lines at the printed width
MIN_WRAPPED_LINES = 8
_TERMINAL = ("。", "！", "？", "：", "；", "!", "?", ":", ";")
_STARTS_BLOCK = re.compile(
    r"^(?:—{2,}|-{2,}|附件|抄送|印发|序号|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$)"
)


def _wrap_width(blocks: Sequence[Block]) -> int | None:
    """The printed line length when the document is hard-wrapped: most of its longer paragraphs
    have (nearly) one length; a document of real paragraphs has no such mode."""
    lengths = [len(b.text) for b in blocks if isinstance(b, Paragraph) and len(b.text) >= 10]
    long = [n for n in lengths if n >= MIN_WRAP_WIDTH]
    if not long:
        return None
    mode = Counter(long).most_common(1)[0][0]
    near = [n for n in lengths if abs(n - mode) <= WRAP_TOLERANCE]
    if len(near) < MIN_WRAPPED_LINES or len(near) < MIN_WRAPPED_SHARE * len(lengths):
        return None
    return mode


def _full_line(p: Paragraph, width: int) -> bool:
    return abs(len(p.text) - width) <= WRAP_TOLERANCE and not p.text.endswith(_TERMINAL)


def _continues(prev: Paragraph, nxt: Block, width: int) -> bool:
    if not isinstance(nxt, Paragraph) or not nxt.text or len(nxt.text) > width + WRAP_TOLERANCE:
        return False
    if nxt.style.centered != prev.style.centered or nxt.style.font_size != prev.style.font_size:
        return False  # a title line is never joined with body lines
    text = nxt.text
    return not (match_marker(text) or ATTACHMENT_LABEL.match(text) or _STARTS_BLOCK.match(text))


def rejoin_wrapped_lines(blocks: list[Block]) -> list[Block]:
    """Paragraphs hard-wrapped at the printed line length (000's PDF dump, one line per ``<p>``).

    Only in a document where most longer lines share one length (±3, ≥20 characters): a line of
    that length not ending a sentence (。！？：；) is joined with the next line unless that one opens
    a new block (a heading number 一、/（一）/1., 附件, ———, a date, another style) or is longer than
    a printed line. Raw lines are kept joined by line breaks; normalization joins CJK without space.
    """
    width = _wrap_width(blocks)
    if width is None:
        return blocks
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        run = [blocks[i]]
        while (
            isinstance(run[-1], Paragraph)
            and _full_line(run[-1], width)
            and i + len(run) < len(blocks)
            and _continues(run[-1], blocks[i + len(run)], width)
        ):
            run.append(blocks[i + len(run)])
        out.append(_joined(run) if len(run) > 1 else run[0])  # type: ignore[arg-type]
        i += len(run)
    return out


MIN_SPLIT_PARAGRAPH = 60  # several printed lines: a paragraph, not a title or a list item
_OPEN_END = re.compile(r"[。！？：；!?:;）)”』」》\]】]$")


def rejoin_split_paragraphs(blocks: list[Block]) -> list[Block]:
    """A paragraph cut in two at a page break (002: ``…除有法律、法规、规章等明确规`` / ``定不予公开
    的事项外，…``): a long paragraph of sentences that stops mid-sentence, followed by one that is no
    heading and ends a sentence, is one paragraph."""
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if (
            isinstance(prev, Paragraph)
            and isinstance(block, Paragraph)
            and len(prev.text) >= MIN_SPLIT_PARAGRAPH
            and "。" in prev.text
            and not _OPEN_END.search(prev.text)
            and block.text.endswith("。")
            and _continues(prev, block, len(block.text))
        ):
            out[-1] = _joined([prev, block])
            continue
        out.append(block)
    return out


def _joined(lines: list[Paragraph]) -> Paragraph:
    raw = "\n".join(p.raw for p in lines)
    first, last = lines[0], lines[-1]
    end = last.end_page or last.location.page
    return replace(
        first,
        raw=raw,
        text=_norm(raw, cell=False),
        end_page=end if end is not None and end != first.location.page else first.end_page,
    )


# ---------------------------------------------------------------------------------------------
# Orchestration

RULES: tuple[Rule, ...] = (
    cells_per_paragraph_tables,
    grouped_cells_per_paragraph_tables,
    tab_separated_tables,
    space_separated_tables,
    rejoin_wrapped_lines,
    rejoin_split_paragraphs,
)


def recover_structure(doc: Document, rules: Sequence[Rule] = RULES) -> Document:
    """Apply ``rules`` in turn; the same ``doc`` back when none changed anything, else a Document
    whose blocks are renumbered in reading order (links re-pointed to their new blocks)."""
    token = _TRADITIONAL.set(any("Traditional" in w for w in doc.warnings))
    try:
        blocks = list(doc.blocks)
        for rule in rules:
            blocks = rule(blocks)
    finally:
        _TRADITIONAL.reset(token)
    if len(blocks) == len(doc.blocks) and all(a is b for a, b in zip(blocks, doc.blocks, strict=True)):
        return doc
    new_index: dict[int, int] = {}
    renumbered: list[Block] = []
    for n, block in enumerate(blocks):
        new_index.setdefault(block.location.block, n)
        renumbered.append(replace(block, location=replace(block.location, block=n)))
    old_to_new: dict[int, int] = {}
    current = 0
    for old in range(len(doc.blocks)):
        current = new_index.get(doc.blocks[old].location.block, current)
        old_to_new[old] = current
    links = tuple(
        replace(link, location=replace(link.location, block=old_to_new.get(link.location.block, 0)))
        for link in doc.links
    )
    return replace(doc, blocks=tuple(renumbered), links=links)
