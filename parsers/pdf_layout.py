"""Page geometry for the PDF reader: characters → text lines, ruled tables → cell grids.

Only layout lives here — where glyphs sit and how they group. What the groups mean (a new
paragraph, a page number, a table that continues) is decided in ``parsers.pdf``. Objects are
pdfplumber's dicts (``x0``/``x1``/``top``/``bottom`` in points from the page's top-left); of a
character, this module reads those and ``text``, ``size``, ``fontname`` and ``non_stroking_color``.
The work is per glyph, so the loops over a page's glyphs compute what they need once.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any

Obj = Mapping[str, Any]
BBox = tuple[float, float, float, float]  # x0, top, x1, bottom

# Characters that are written without spaces between them: CJK ideographs and punctuation,
# full-width forms, dashes and quotes as Chinese text uses them.
_CJK_RE = re.compile(
    "[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\ufe30-\ufe4f\uff00-\uffef\u2014\u2015\u2026\u201c\u201d\u2018\u2019\u00b7\u2460-\u24ff]"
)
_BOLD_RE = re.compile(r"bold|heavy|black", re.IGNORECASE)
# What a line break cannot split off the start of a line: a Latin word or number (a break
# before ``2021〕30号`` or an e-mail address leaves the line above short), then closing marks
# (a line may not start with ``，`` so the character before it moves down with it).
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9@._\-/:%+#&=?~]")
_CLOSING = frozenset("，。、；：？！）》〕」』”’,.;:?!)]%")
_OPENING = frozenset("（《〔「『“‘([")
_SPACE_CHARS = {" ", "\u00a0", "\u3000", "\t"}


def is_cjk(ch: str) -> bool:
    """The text starts with a character written without spaces around it (CJK)."""
    return bool(ch) and _cjk_char(ch[0])


@lru_cache(maxsize=8192)
def _cjk_char(ch: str) -> bool:
    """``is_cjk`` of one character, memoized: a page repeats a few hundred distinct characters."""
    return _CJK_RE.match(ch) is not None


def is_bold_font(fontname: str) -> bool:
    """A font whose name says it is bold (``SimSun,Bold``, ``…-Bold``, ``…Heavy``)."""
    return _BOLD_RE.search(fontname.split("+", 1)[-1]) is not None


def color_hex(color: Any) -> str | None:
    """pdfplumber's fill colour (gray, RGB or CMYK tuple) as ``#rrggbb``; None for patterns."""
    if isinstance(color, int | float):
        color = (color,)
    if not isinstance(color, tuple | list) or not all(isinstance(v, int | float) for v in color):
        return None
    vals = [min(1.0, max(0.0, float(v))) for v in color]
    if len(vals) == 1:
        r = g = b = vals[0]
    elif len(vals) == 3:
        r, g, b = vals
    elif len(vals) == 4:
        c, m, y, k = vals
        r, g, b = (1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)
    else:
        return None
    return "#{:02x}{:02x}{:02x}".format(*(round(v * 255) for v in (r, g, b)))


@lru_cache(maxsize=512)
def _color_hex_hashable(color: Any) -> str | None:
    return color_hex(color)


def _color_hex_cached(color: Any) -> str | None:
    """``color_hex`` memoized: a page has a handful of colours and thousands of characters."""
    try:
        return _color_hex_hashable(color)
    except TypeError:  # an unhashable colour value (a list): compute it
        return color_hex(color)


def is_reddish(hex_color: str | None) -> bool:
    """The red of an issuer banner (版头): strong red, little green and blue."""
    if not hex_color or len(hex_color) != 7:
        return False
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return r >= 150 and g <= 110 and b <= 110


def head_width(line: TextLine) -> float:
    """Width of what a line break could not have split off ``line``'s start: opening brackets
    (a line may not end with ``〔``), then a Latin word or number (``2021``, an e-mail address)
    or one character, with closing punctuation after it; ``〔2021〕12`` of a document number
    moves down whole."""
    text = line.text
    start = 0
    while start < len(text) - 1 and text[start] in _OPENING:
        start += 1
    end = start + 1
    if _TOKEN_CHARS.match(text[start]):
        while end < len(text) and _TOKEN_CHARS.match(text[end]):
            end += 1
    while end < len(text) and text[end] in _CLOSING:
        end += 1
        if end < len(text) and text[end].isdigit() and text[end - 1] in "〕]）)":
            while end < len(text) and _TOKEN_CHARS.match(text[end]):  # 〔2021〕12 stays whole
                end += 1
    return line.x_at(end) - line.x0


def join_cjk(left: str, right: str) -> str:
    """Join two pieces of one sentence broken by layout: no space where either side is CJK."""
    if not left:
        return right
    if not right:
        return left
    a, b = left[-1], right[0]
    if is_cjk(a) or is_cjk(b) or a == "-" or a.isspace() or b.isspace():
        return left + right
    return left + " " + right


@dataclass(frozen=True, slots=True)
class TextLine:
    """One visual line of text on a page, with the geometry the paragraph rules look at.

    ``xs`` holds the left edge of every character of ``text`` (inserted spaces included), so a
    rule can find where the text after a label such as ``附件：`` begins.
    """

    page: int
    text: str
    xs: tuple[float, ...]
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    fontname: str
    color: str | None
    bold: bool

    def x_at(self, index: int) -> float:
        return self.xs[index] if index < len(self.xs) else self.x1


def _dominant(values: Iterable[Any]) -> Any:
    counts = Counter(values)
    return counts.most_common(1)[0][0] if counts else None


def _dominant_of(values: list[Any]) -> Any:
    """``_dominant(values)``, without counting when all values are one (a line in one font)."""
    if values and values.count(values[0]) == len(values):
        return values[0]
    return _dominant(values)


def _line_font(fonts: list[str]) -> tuple[str, bool]:
    """The dominant font of a line's glyphs, and whether most glyphs are set in a bold font."""
    counts = Counter(fonts)
    bold = sum(n for font, n in counts.items() if is_bold_font(font))
    return (counts.most_common(1)[0][0] if counts else None) or "", bold * 2 > len(fonts)


def _line_colour(colours: list[Any]) -> str | None:
    """The dominant fill colour of a line's glyphs as ``#rrggbb`` (equal colours, equal hex)."""
    if colours and colours.count(colours[0]) == len(colours):
        return _color_hex_cached(colours[0])
    return _dominant(_color_hex_cached(c) for c in colours)


_X0 = itemgetter("x0")


def _line_from_chars(chars: Sequence[Obj], page: int) -> TextLine | None:
    """Left-to-right text of one line; a space only where the gap shows one.

    Between CJK characters no space is added unless the gap is a column gap (more than an em):
    layout spacing inside Chinese text is noise, but a gap between table-like columns is not.
    Space glyphs the PDF itself contains are kept (collapsed to one), as raw text.
    """
    ordered = sorted(chars, key=_X0)
    text: list[str] = []
    xs: list[float] = []
    visible: list[Obj] = []
    prev_x1 = prev_size = 0.0
    prev_last = ""  # last character of the previous visible glyph's text
    for ch in ordered:
        t = str(ch["text"])
        x0 = float(ch["x0"])
        if t.isspace():  # every space glyph (``_SPACE_CHARS`` included)
            if text and text[-1] != " ":
                text.append(" ")
                xs.append(x0)
            continue
        x1, size = float(ch["x1"]), float(ch["size"])
        if visible and text and text[-1] != " ":
            gap = x0 - prev_x1
            em = max(size, prev_size, 1.0)
            if gap > em or (gap > 0.2 * em and not is_cjk(prev_last) and not is_cjk(t)):
                text.append(" ")
                xs.append(prev_x1)
        if len(t) == 1:  # the usual glyph: the loop below for k = 0, n = 1
            text.append(t)
            xs.append(x0 + 0 * (x1 - x0))
        else:  # a ligature or multi-character glyph: its characters share its width
            n = max(len(t), 1)
            for k, piece in enumerate(t):
                text.append(piece)
                xs.append(x0 + k * (x1 - x0) / n)
        visible.append(ch)
        prev_x1, prev_size, prev_last = x1, size, t[-1:]
    while text and text[-1] == " ":
        text.pop()
        xs.pop()
    if not text or not visible:
        return None
    fontname, bold = _line_font([str(c.get("fontname", "")) for c in visible])
    return TextLine(
        page=page,
        text="".join(text),
        xs=tuple(xs),
        x0=min([float(c["x0"]) for c in visible]),
        x1=max([float(c["x1"]) for c in visible]),
        top=min([float(c["top"]) for c in visible]),
        bottom=max([float(c["bottom"]) for c in visible]),
        size=float(_dominant_of([round(float(c["size"]), 1) for c in visible])),
        fontname=fontname,
        color=_line_colour([c.get("non_stroking_color") for c in visible]),
        bold=bold,
    )


def group_lines(chars: Iterable[Obj], page: int) -> list[TextLine]:
    """Cluster characters into visual lines, top to bottom.

    A character belongs to the current line when its vertical centre falls inside the line's
    band; that keeps a 16 pt digit run in another font on the same line as the CJK text around it.
    """
    # By centre, then left edge; ties in input order (the index: glyphs are never compared).
    keyed = sorted([((c["top"] + c["bottom"]) / 2, c["x0"], i, c) for i, c in enumerate(chars)])
    bands: list[list[Obj]] = []
    band_top = band_bottom = 0.0
    for mid, _, _, ch in keyed:
        if bands and band_top <= mid <= band_bottom:
            bands[-1].append(ch)
            continue
        bands.append([ch])
        band_top, band_bottom = float(ch["top"]), float(ch["bottom"])
    lines = [_line_from_chars(b, page) for b in bands]
    return [ln for ln in lines if ln is not None]


Centred = tuple[float, float, Obj]  # an object with its centre (x, y), worked out once


def centred(objs: Iterable[Obj]) -> list[Centred]:
    """The objects with their centres, for testing them against many boxes (``take_inside``)."""
    return [((o["x0"] + o["x1"]) / 2, (o["top"] + o["bottom"]) / 2, o) for o in objs]


def take_inside(objs: list[Centred], box: BBox, slack: float = 1.0) -> tuple[list[Obj], list[Centred]]:
    """The objects whose centre lies in ``box`` (widened by ``slack``) and the others, both in
    their order."""
    x0, top, x1, bottom = box
    left, right, upper, lower = x0 - slack, x1 + slack, top - slack, bottom + slack
    mine = [e for e in objs if left <= e[0] <= right and upper <= e[1] <= lower]
    if not mine:
        return [], objs
    taken = {id(e) for e in mine}
    return [e[2] for e in mine], [e for e in objs if id(e) not in taken]


def cell_text(lines: Sequence[TextLine], left: float | None = None, right: float | None = None) -> str:
    """Text of one table cell: wrapped lines joined (CJK without a space), real breaks kept.

    A line was wrapped when the next line's first character would not have fitted after it
    inside the cell (``left``/``right`` are the cell's rules; the padding is taken from the
    leftmost line). Otherwise the break was deliberate — a list of units one per line, a new
    numbered item — and stays a ``\n``. Without the cell's edges the widest line stands in.
    """
    if not lines:
        return ""
    pad = max(0.0, min(ln.x0 for ln in lines) - left) if left is not None else 0.0
    limit = right - pad if right is not None else max(ln.x1 for ln in lines)
    out = lines[0].text
    for prev, cur in itertools.pairwise(lines):
        wrapped = prev.x1 + head_width(cur) > limit - 0.15 * prev.size
        if not wrapped or starts_numbered(cur.text):
            out += "\n" + cur.text
        else:
            out = join_cjk(out, cur.text)
    return out


# Heading and list numbers GB/T 9704 bodies use: 一、 （一） (一) 1. 1． 1、 （1） ①.
NUMBERED_RE = re.compile(
    r"^\s*(?:[一二三四五六七八九十百零〇]+[、．.]"
    r"|[（(]\s*[一二三四五六七八九十百零〇]+\s*[）)]"
    r"|\d{1,3}\s*[.．、](?!\d)"
    r"|[（(]\s*\d{1,3}\s*[）)]"
    r"|[\u2460-\u2473\u2776-\u277f])"
)


def starts_numbered(text: str) -> bool:
    return NUMBERED_RE.match(text) is not None


def room_left(lines: Sequence[TextLine], left: float, right: float) -> float:
    """White space left at the end of the cell's last line, inside the cell's padding (the
    smallest indent of its lines, capped at half an em so a short centred value such as ``1``
    or ``全年`` never looks full). Infinite for an empty cell."""
    if not lines:
        return float("inf")
    last = lines[-1]
    pad = min(max(0.0, min(ln.x0 for ln in lines) - left), 0.5 * last.size)
    return right - pad - last.x1


@dataclass(frozen=True, slots=True)
class GridCell:
    """One slot of a table grid before it becomes a ``parsers.model.Cell``."""

    raw: str
    origin: tuple[int, int]
    bold: bool = False
    # For rows cut by a page break: white space left on the last line (``room_left``) and
    # below it (to the cell's bottom rule), the width of the first line's unbreakable head
    # (``head_width``) and the font size.
    room: float = float("inf")
    room_below: float = float("inf")
    head: float = 0.0
    size: float = 0.0

    def runs_into(self, below: GridCell) -> bool:
        """``below``'s first line would not have fitted at the end of this cell's last line:
        a line wrap, not a paragraph end, separates them."""
        return bool(self.raw) and self.room < below.head + 0.15 * self.size


@dataclass(frozen=True, slots=True)
class Grid:
    """A ruled table on one page, merged cells resolved; ``col_edges`` for continuation checks."""

    page: int
    bbox: BBox
    rows: tuple[tuple[GridCell, ...], ...]
    col_edges: tuple[float, ...]
    fontnames: tuple[str, ...]  # dominant font of each row

    @property
    def n_cols(self) -> int:
        return len(self.col_edges) - 1


def _cluster(values: Iterable[float], tol: float) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= tol:
            continue
        out.append(v)
    return out


def _index(edges: Sequence[float], v: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - v))


def build_grid(cell_boxes: Sequence[BBox], chars: Sequence[Obj], page: int, tol: float = 2.0) -> Grid:
    """Resolve a ruled table's cells into a rectangular grid.

    pdfplumber returns merged cells as one bounding box (and ``None`` in the slots it covers);
    the distinct cell edges give the grid's rows and columns, and each box covers the slots
    between its edges, so a merged cell's text is repeated there with ``origin`` at its start.
    """
    xs = _cluster([b[0] for b in cell_boxes] + [b[2] for b in cell_boxes], tol)
    ys = _cluster([b[1] for b in cell_boxes] + [b[3] for b in cell_boxes], tol)
    n_rows, n_cols = max(len(ys) - 1, 1), max(len(xs) - 1, 1)
    slots: list[list[GridCell | None]] = [[None] * n_cols for _ in range(n_rows)]
    remaining = centred(chars)
    row_fonts: list[list[str]] = [[] for _ in range(n_rows)]
    for box in sorted(cell_boxes, key=lambda b: (b[1], b[0])):
        c0, c1 = _index(xs, box[0]), _index(xs, box[2])
        r0, r1 = _index(ys, box[1]), _index(ys, box[3])
        if c1 <= c0 or r1 <= r0:
            continue
        mine, remaining = take_inside(remaining, box, slack=0.0)
        lines = group_lines(mine, page)
        text = cell_text(lines, box[0], box[2])
        bold = bool(lines) and all(ln.bold for ln in lines)
        geometry = {
            "room": room_left(lines, box[0], box[2]),
            "head": head_width(lines[0]) if lines else 0.0,
            "room_below": box[3] - lines[-1].bottom if lines else float("inf"),
            "size": lines[-1].size if lines else 0.0,
        }
        row_fonts[r0].extend(ln.fontname for ln in lines)
        for r in range(r0, min(r1, n_rows)):
            for c in range(c0, min(c1, n_cols)):
                if slots[r][c] is None:
                    slots[r][c] = GridCell(raw=text, origin=(r0, c0), bold=bold, **geometry)
    rows = tuple(
        tuple(slot if slot is not None else GridCell(raw="", origin=(r, c)) for c, slot in enumerate(row))
        for r, row in enumerate(slots)
    )
    return Grid(
        page=page,
        bbox=(xs[0], ys[0], xs[-1], ys[-1]),
        rows=rows,
        col_edges=tuple(xs),
        fontnames=tuple(_dominant(f) or "" for f in row_fonts),
    )


@dataclass(frozen=True, slots=True)
class TextArea:
    """The body text block of a page group: left/right edges and the body font size."""

    left: float
    right: float
    body_size: float
    line_gap: float  # typical white space between consecutive body lines
    bottom: float  # the lowest body line's bottom: text that ends above it left the page blank

    @property
    def middle(self) -> float:
        return (self.left + self.right) / 2


def estimate_text_area(lines: Sequence[TextLine], body_size: float) -> TextArea | None:
    """Where body text starts and ends, from the lines set in the body font size.

    The left edge is the most common line start (continuation lines start there; first lines
    are indented); the right edge a high percentile of line ends (full lines reach it).
    """
    body = [ln for ln in lines if abs(ln.size - body_size) <= 1.0]
    if len(body) < 2:
        return None
    left = float(_dominant(round(ln.x0) for ln in body))
    ends = sorted(ln.x1 for ln in body)
    right = ends[min(len(ends) - 1, int(len(ends) * 0.9))]
    gaps = [
        b.top - a.bottom
        for a, b in itertools.pairwise(body)
        if a.page == b.page and 0 <= b.top - a.bottom <= 3 * body_size
    ]
    line_gap = statistics.median(gaps) if gaps else body_size * 0.8
    if right - left < 4 * body_size:
        return None
    bottom = max(ln.bottom for ln in body)
    return TextArea(left=left, right=right, body_size=body_size, line_gap=line_gap, bottom=bottom)


def body_font_size(lines: Iterable[TextLine]) -> float:
    """The size most text is set in, weighted by characters."""
    counts: Counter[float] = Counter()
    for ln in lines:
        counts[round(ln.size * 2) / 2] += len(ln.text)
    return counts.most_common(1)[0][0] if counts else 12.0
