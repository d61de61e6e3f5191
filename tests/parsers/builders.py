"""Small in-memory Documents for rule tests (real-file behaviour is tested on raw/ and fixtures)."""

from __future__ import annotations

from dataclasses import replace

from parsers.model import Cell, Document, Location, Paragraph, Table
from parsers.normalize import normalize_document


def doc_from_lines(*lines: str, fmt: str = "docx", meta: dict[str, str] | None = None) -> Document:
    blocks = tuple(Paragraph(line, line, Location(i)) for i, line in enumerate(lines))
    return normalize_document(Document("test." + fmt, fmt, blocks, meta=meta or {}))  # type: ignore[arg-type]


def table_block(rows: list[list[str | None]], index: int = 0) -> Table:
    """A Table from a grid where ``None`` means "merged with the slot above" (or, in the first
    row, with the slot to the left), resolved the way readers resolve merges."""
    grid: list[list[Cell]] = []
    for r, row in enumerate(rows):
        cells: list[Cell] = []
        for c, value in enumerate(row):
            if value is None:
                origin_cell = grid[r - 1][c] if r > 0 else cells[c - 1]
                cells.append(Cell(origin_cell.text, origin_cell.raw, r, c, origin_cell.origin))
            else:
                cells.append(Cell(value, value, r, c, (r, c)))
        grid.append(cells)
    return Table(tuple(tuple(row) for row in grid), Location(index), header_rows=1)


def doc_from_blocks(*blocks: str | Table, fmt: str = "docx") -> Document:
    out: list[Paragraph | Table] = []
    for i, b in enumerate(blocks):
        if isinstance(b, Table):
            out.append(replace(b, location=Location(i)))
        else:
            out.append(Paragraph(b, b, Location(i)))
    return normalize_document(Document("test." + fmt, fmt, tuple(out)))  # type: ignore[arg-type]
