"""Helpers shared by the per-seed builders: reading a dump as paragraphs and walking it by anchors.

The builders use *anchors* (the opening characters of the paragraph they expect next) rather
than line numbers, and fail loudly when an anchor is missing, so a changed seed cannot silently
produce a wrong rendering.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from scripts.corpus.model import Cell, Para, Role, Table

# A paragraph that opens with one of these starts a new item, so a page-break split never
# continues into it: 一、 / (一) （一） / 1. 1． / 责任单位 / 附件.
ITEM_START = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.．、]|———|责任单位|附件)"
)
HEADING1 = re.compile(r"^[一二三四五六七八九十]+、")
HEADING2 = re.compile(r"^[(（][一二三四五六七八九十]+[)）]")
TERMINAL = ("。", ":", "：", ";", "；", "！", "？")


def is_blank(line: str) -> bool:
    """Blank in the dump's sense; a line holding only ``\\xa0`` (an HTML &nbsp;) is content."""
    return line.strip(" \t") == ""


def paragraphs(text: str) -> list[str]:
    """Split a dump into paragraphs: runs of non-blank lines, kept joined with ``"\\n"``."""
    out: list[str] = []
    cur: list[str] = []
    for line in text.split("\n"):
        if is_blank(line):
            if cur:
                out.append("\n".join(cur))
                cur = []
        else:
            cur.append(line)
    if cur:
        out.append("\n".join(cur))
    return out


def cells_by_line(text: str) -> list[str]:
    """Split a region whose table cells were dumped one per line (a blank line between cells).

    Two blank lines in a row mean an empty cell was dumped in between, so an empty string is
    emitted for it.
    """
    out: list[str] = []
    blanks = 0
    for line in text.split("\n"):
        if is_blank(line):
            blanks += 1
            continue
        if blanks >= 2 and out:
            out.append("")
        out.append(line)
        blanks = 0
    return out


def rejoin_page_splits(paras: list[str], *, keep: Callable[[str], bool] = lambda p: False) -> list[str]:
    """Undo paragraphs cut in two by a page break in the original.

    A paragraph that does not end a sentence (no terminal punctuation) is continued by the next
    one unless the next opens a new item (``ITEM_START``), the paragraph is a heading, or ``keep``
    says it stands alone.
    """
    out: list[str] = []
    for p in paras:
        if out:
            prev = out[-1]
            heading = HEADING1.match(prev) or (HEADING2.match(prev) and "。" not in prev)
            if not (prev.endswith(TERMINAL) or heading or ITEM_START.match(p) or keep(prev) or keep(p)):
                out[-1] = prev + p
                continue
        out.append(p)
    return out


class Cursor:
    """Walk a list of paragraphs, taking them by expected opening text."""

    def __init__(self, items: Iterable[str]) -> None:
        self.items = list(items)
        self.pos = 0

    @property
    def done(self) -> bool:
        return self.pos >= len(self.items)

    def peek(self) -> str:
        return self.items[self.pos]

    def take(self, anchor: str = "") -> str:
        """The next paragraph, which must start with ``anchor``."""
        if self.done:
            raise ValueError(f"seed ended, expected {anchor!r}")
        item = self.items[self.pos]
        if not item.startswith(anchor):
            raise ValueError(f"expected a paragraph starting {anchor!r}, found {item[:40]!r}")
        self.pos += 1
        return item

    def take_until(self, anchor: str) -> list[str]:
        """All paragraphs up to (not including) the first that starts with ``anchor``."""
        start = self.pos
        while not self.done and not self.peek().startswith(anchor):
            self.pos += 1
        if self.done:
            raise ValueError(f"anchor {anchor!r} not found")
        return self.items[start : self.pos]

    def rest(self) -> list[str]:
        items = self.items[self.pos :]
        self.pos = len(self.items)
        return items


def body_role(text: str) -> Role:
    """Role of a prose paragraph: 一、 headings, stand-alone (一) headings, or body."""
    if HEADING1.match(text) and len(text) <= 30:
        return Role.HEADING1
    if HEADING2.match(text) and len(text) <= 40:
        return Role.HEADING2
    return Role.BODY


def prose(items: Iterable[str]) -> list[Para]:
    """Body paragraphs with heading roles assigned."""
    return [Para(t, body_role(t)) for t in items]


def simple_table(
    header: list[str],
    rows: list[list[str]],
    col_widths: tuple[float, ...],
    align: tuple[str, ...],
    **kw: object,
) -> Table:
    """A table without merged cells (one header row)."""
    n_cols = len(header)
    cells = [Cell(0, k, h) for k, h in enumerate(header)]
    for r, row in enumerate(rows, start=1):
        if len(row) != n_cols:
            raise ValueError(f"row {r} has {len(row)} cells, expected {n_cols}: {row}")
        cells.extend(Cell(r, k, t) for k, t in enumerate(row))
    return Table(
        n_rows=len(rows) + 1,
        n_cols=n_cols,
        cells=tuple(cells),
        col_widths=col_widths,
        align=align,
        **kw,  # type: ignore[arg-type]
    )


def chunk(items: list[str], size: int) -> list[list[str]]:
    if len(items) % size:
        raise ValueError(f"{len(items)} cells do not fill rows of {size}")
    return [items[i : i + size] for i in range(0, len(items), size)]
