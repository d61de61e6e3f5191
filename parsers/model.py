"""The format-neutral document model.

Every reader (``parsers.pdf``, ``parsers.docx``, ``parsers.html``) turns its file into one
``Document``; every extractor (metadata, structure, tasks, …) reads only ``Document``s and never
touches a file format. Each block keeps the raw text as read next to its normalized text, and the
place it came from, so any extracted value can be traced back to the page, paragraph or table cell.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

SourceFormat = Literal["pdf", "docx", "html"]
Part = Literal["body", "header", "footer", "textbox", "footnote"]


@dataclass(frozen=True, slots=True)
class Location:
    """Where a piece of text sits in its source file.

    ``block`` is the index of the block in reading order (``Document.blocks``); ``page`` is the
    1-based PDF page (``None`` for formats without pages); ``row``/``col`` address a table cell
    in the table's resolved grid (0-based).
    """

    block: int
    page: int | None = None
    row: int | None = None
    col: int | None = None
    part: Part = "body"

    def label(self) -> str:
        """Short human-readable form, e.g. ``p.3 block 12 r4c2``."""
        bits = []
        if self.page is not None:
            bits.append(f"p.{self.page}")
        bits.append(f"block {self.block}")
        if self.row is not None and self.col is not None:
            bits.append(f"r{self.row}c{self.col}")
        if self.part != "body":
            bits.append(self.part)
        return " ".join(bits)


@dataclass(frozen=True, slots=True)
class TextStyle:
    """Presentation hints a reader could see; extractors use them only as tie-breakers."""

    bold: bool = False
    centered: bool = False
    font_size: float | None = None
    color: str | None = None  # "#rrggbb" when known (the red issuer banner is red)
    list_label: str | None = None  # Word auto-number rendered as text, e.g. "1." (also in text)


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph of running text (PDF lines already re-joined)."""

    text: str  # normalized (see parsers.normalize)
    raw: str  # as read from the file
    location: Location
    style: TextStyle = field(default_factory=TextStyle)
    # The page on which the paragraph ends, when it runs across a page break (PDF).
    end_page: int | None = None

    kind: Literal["paragraph"] = "paragraph"


@dataclass(frozen=True, slots=True)
class Cell:
    """One slot of a table's resolved grid.

    Merged cells are resolved by repeating the merged cell's text in every slot it covers;
    ``origin`` is the (row, col) of the slot where the merged cell starts, so a slot with
    ``origin != (row, col)`` is a continuation of a merge rather than a new value.
    """

    text: str
    raw: str
    row: int
    col: int
    origin: tuple[int, int]

    @property
    def is_continuation(self) -> bool:
        return self.origin != (self.row, self.col)


@dataclass(frozen=True, slots=True)
class Table:
    """A table as a rectangular grid of ``Cell``s (merged cells resolved).

    A table split across PDF pages, with its header repeated on the next page, is one ``Table``;
    ``pages`` lists every page it touches. ``header_rows`` counts the leading rows a reader saw as
    header (``<th>``, repeated header rows, bold first row); 0 when unknown.
    """

    rows: tuple[tuple[Cell, ...], ...]
    location: Location
    pages: tuple[int, ...] = ()
    header_rows: int = 0

    kind: Literal["table"] = "table"

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def texts(self) -> list[list[str]]:
        """The grid as plain normalized strings (merged values repeated)."""
        return [[c.text for c in row] for row in self.rows]


Block = Paragraph | Table


@dataclass(frozen=True, slots=True)
class Link:
    """A hyperlink found in the document (HTML pages link their attachments this way)."""

    text: str
    href: str  # absolute when the reader knew the page's base URL, else as written
    location: Location


@dataclass(frozen=True, slots=True)
class Document:
    """One source file, read.

    ``meta`` holds format-level metadata exactly as found, keyed by its own name: HTML
    ``<meta name=…>`` tags (``ArticleTitle``, ``PubDate``, ``ContentSource``, …) and ``<title>``
    (key ``html_title``), page labels such as ``来源``/``发布时间`` seen in the page chrome, DOCX core
    properties (``docx_title``, ``docx_created``), PDF info (``pdf_Title``, ``pdf_Producer``).
    """

    path: str
    format: SourceFormat
    blocks: tuple[Block, ...]
    meta: Mapping[str, str] = field(default_factory=dict)
    links: tuple[Link, ...] = ()
    page_count: int | None = None
    warnings: tuple[str, ...] = ()

    def paragraphs(self) -> Iterator[Paragraph]:
        return (b for b in self.blocks if isinstance(b, Paragraph))

    def tables(self) -> Iterator[Table]:
        return (b for b in self.blocks if isinstance(b, Table))

    def text(self) -> str:
        """All body text in reading order, one block per line (tables row by row, cells by tab)."""
        lines: list[str] = []
        for b in self.blocks:
            if isinstance(b, Paragraph):
                lines.append(b.text)
            else:
                lines.extend("\t".join(r) for r in b.texts())
        return "\n".join(lines)
