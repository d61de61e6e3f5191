"""A ruled table flowable that splits across pages *inside* merged cells.

reportlab's ``Table`` refuses to split a table between rows that a row span covers, and the
task tables here have group cells spanning more than a page (004's 重点领域信息公开 spans 20
rows). ``GridTable`` lays rows out itself and, at a page end, cuts every span that crosses the
cut in two: the part on this page keeps as much of the cell's text as fits there (the rest
continues in the cell's part on the next page, which is otherwise left empty, as Word prints
a merged cell broken by a page end). Each page part is drawn with a plain reportlab ``Table``
(``GRID`` rules, ``SPAN`` for merged cells) and the header rows are repeated on every page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, TableStyle
from reportlab.platypus import Table as RLTable

PAD_H, PAD_V = 3.0, 3.0
RULE = 0.75


@dataclass(frozen=True)
class GCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    para: Paragraph | None


def _height(cell: GCell, width: float) -> float:
    if cell.para is None:
        return 0.0
    return cell.para.wrap(width - 2 * PAD_H, 1e6)[1] + 2 * PAD_V


class GridTable(Flowable):
    """Rows ``0..header_rows-1`` are the header; ``make_header`` builds fresh header cells."""

    def __init__(
        self,
        cells: list[GCell],
        n_rows: int,
        rel_widths: tuple[float, ...],
        header_rows: int,
        header_cells: list[GCell],
        min_row: float,
    ) -> None:
        super().__init__()
        self.cells = cells
        self.n_rows = n_rows
        self.rel_widths = rel_widths
        self.header_rows = header_rows
        self.header_cells = header_cells
        self.min_row = min_row
        self._widths: list[float] = []
        self._heights: list[float] = []

    # layout -----------------------------------------------------------------
    def _layout(self, avail_width: float) -> None:
        total = sum(self.rel_widths)
        self._widths = [avail_width * w / total for w in self.rel_widths]
        heights = [self.min_row] * self.n_rows
        for c in self.cells:
            if c.rowspan == 1:
                heights[c.row] = max(heights[c.row], _height(c, self._cell_width(c)))
        for c in sorted((c for c in self.cells if c.rowspan > 1), key=lambda c: c.rowspan):
            need = _height(c, self._cell_width(c))
            have = sum(heights[c.row : c.row + c.rowspan])
            if need > have:
                extra = (need - have) / c.rowspan
                for r in range(c.row, c.row + c.rowspan):
                    heights[r] += extra
        self._heights = heights

    def _cell_width(self, c: GCell) -> float:
        return sum(self._widths[c.col : c.col + c.colspan])

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self._layout(availWidth)
        self.width, self.height = availWidth, sum(self._heights)
        return self.width, self.height

    # splitting ----------------------------------------------------------------
    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self._layout(availWidth)
        k, used = 0, 0.0
        while k < self.n_rows and used + self._heights[k] <= availHeight:
            used += self._heights[k]
            k += 1
        if k >= self.n_rows:
            return [self]
        if k <= self.header_rows:
            return []  # not even one body row fits: move the table to the next page
        top: list[GCell] = []
        rest: list[GCell] = []
        for c in self.cells:
            if c.row >= k:
                rest.append(replace(c, row=c.row - k + self.header_rows))
            elif c.row + c.rowspan <= k:
                top.append(c)
            else:
                first, second = self._cut(c, k)
                top.append(first)
                rest.append(second)
        head = self.table(top, k, self._heights[:k])
        tail = GridTable(
            [*self.header_cells, *rest],
            self.n_rows - k + self.header_rows,
            self.rel_widths,
            self.header_rows,
            self.header_cells,
            self.min_row,
        )
        tail.header_cells = [replace(c, para=_copy(c.para)) for c in self.header_cells]
        return [head, tail]

    def _cut(self, c: GCell, k: int) -> tuple[GCell, GCell]:
        """Split a cell spanning the cut between rows ``k-1`` and ``k``."""
        above = sum(self._heights[c.row : k]) - 2 * PAD_V
        width = self._cell_width(c) - 2 * PAD_H
        para_top, para_rest = c.para, None
        if c.para is not None and c.para.wrap(width, 1e6)[1] > above:
            parts = c.para.split(width, above)
            para_top, para_rest = (parts[0], parts[1]) if len(parts) == 2 else (None, c.para)
        first = replace(c, rowspan=k - c.row, para=para_top)
        second = replace(c, row=self.header_rows, rowspan=c.row + c.rowspan - k, para=para_rest)
        return first, second

    # drawing ------------------------------------------------------------------
    def table(self, cells: list[GCell], n_rows: int, heights: list[float]) -> RLTable:
        data: list[list[object]] = [[None] * len(self._widths) for _ in range(n_rows)]
        style = [
            ("GRID", (0, 0), (-1, -1), RULE, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), PAD_H),
            ("RIGHTPADDING", (0, 0), (-1, -1), PAD_H),
            ("TOPPADDING", (0, 0), (-1, -1), PAD_V),
            ("BOTTOMPADDING", (0, 0), (-1, -1), PAD_V),
        ]
        for c in cells:
            data[c.row][c.col] = c.para
            if c.rowspan > 1 or c.colspan > 1:
                end = (c.col + c.colspan - 1, c.row + c.rowspan - 1)
                style.append(("SPAN", (c.col, c.row), end))
        return RLTable(data, colWidths=self._widths, rowHeights=heights, style=TableStyle(style))

    def draw(self) -> None:
        t = self.table(self.cells, self.n_rows, self._heights)
        t.wrapOn(self.canv, self.width, self.height)
        t.drawOn(self.canv, 0, 0)


def _copy(p: Paragraph | None) -> Paragraph | None:
    return None if p is None else Paragraph(p.text, p.style)


def cell_style(base: ParagraphStyle, size: float, align: int) -> ParagraphStyle:
    """Cell text style. ``wordWrap="CJK"`` lets a closing punctuation mark hang past the line
    end (no line may start with 。，、); the right indent keeps that mark inside the cell's
    rules, where text extraction expects it, instead of over the next cell."""
    return ParagraphStyle(
        f"cell-{size}-{align}",
        parent=base,
        fontSize=size,
        leading=size * 1.35,
        alignment=align,
        firstLineIndent=0,
        leftIndent=0,
        rightIndent=size,
        spaceBefore=0,
        spaceAfter=0,
    )
