"""The format-neutral source of one sample document: ordered blocks plus its web-page chrome.

Each seed dump is turned into a ``SourceDoc`` once (``scripts.corpus.seeds``) and the three
renderers only ever see this model, so the PDF, DOCX and HTML renderings of a seed carry the same
text in the same order. Paragraph ``text`` keeps the seed's characters exactly (including HTML
``\\xa0`` where the seed has them); a ``"\\n"`` inside ``text`` is a line break *inside* one
paragraph (a soft break in Word, ``<br>`` in HTML), never a paragraph boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """What a paragraph is in GB/T 9704-2012 terms; renderers pick fonts and alignment from it."""

    BANNER = "banner"  # 发文机关标志 (red issuer line at the top)
    DOC_NUMBER = "doc_number"  # 发文字号
    TITLE = "title"  # 标题 (also attachment and table titles)
    SUBTITLE = "subtitle"  # a centred line under a title, e.g. (共计 25 个)
    RECIPIENTS = "recipients"  # 主送机关
    BODY = "body"
    HEADING1 = "heading1"  # 一、…
    HEADING2 = "heading2"  # (一)… standing on its own line
    LIST = "list"  # name lists (领导小组 members)
    SIGNATURE = "signature"  # 发文机关署名
    DATE = "date"  # 成文日期
    ATTACHMENT_NOTE = "attachment_note"  # 附件说明
    ATTACHMENT_LABEL = "attachment_label"  # 附件1 at the top left of an attachment
    NOTE = "note"  # 备注 under a table
    PUBLIC_OPTION = "public_option"  # 信息公开选项
    CC = "cc"  # 抄送 (版记)
    SPACER = "spacer"  # an &nbsp; paragraph of an HTML original; HTML only


@dataclass(frozen=True)
class Para:
    """One paragraph.

    ``hang`` is a leading part of ``text`` (e.g. ``附件：``) after which wrapped lines align;
    ``align_after`` indents a continuation item as if it were preceded by that text, so item 2
    of an attachment list lines up under item 1. ``auto_number`` is a list number that is *not*
    part of ``text``: DOCX renders it with Word auto-numbering (numbering.xml), PDF and HTML
    print it in front of the text. ``list_id`` groups paragraphs into one numbered list.
    """

    text: str
    role: Role = Role.BODY
    bold: bool = False
    new_page: bool = False
    hang: str | None = None
    align_after: str | None = None
    auto_number: str | None = None
    list_id: int | None = None
    links: tuple[tuple[str, str], ...] = ()  # HTML only: (part of text, href) attachment links

    @property
    def printed_text(self) -> str:
        """The text as it appears on paper: auto number (if any) followed by the text."""
        return f"{self.auto_number or ''}{self.text}"


@dataclass(frozen=True)
class Cell:
    """An origin cell of a table (merged areas are one cell with rowspan/colspan)."""

    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class Table:
    """A ruled table; ``cells`` are the origin cells in row-major (reading) order."""

    n_rows: int
    n_cols: int
    cells: tuple[Cell, ...]
    col_widths: tuple[float, ...]  # relative widths
    header_rows: int = 1
    align: tuple[str, ...] = ()  # per column: "C" centre or "L" left (data rows)
    font_size: float = 12.0
    landscape: bool = False
    new_page: bool = False

    def __post_init__(self) -> None:
        covered: set[tuple[int, int]] = set()
        for c in self.cells:
            for r in range(c.row, c.row + c.rowspan):
                for k in range(c.col, c.col + c.colspan):
                    if (r, k) in covered or r >= self.n_rows or k >= self.n_cols:
                        raise ValueError(f"cell overlaps or lies outside the grid at {(r, k)}")
                    covered.add((r, k))
        if len(covered) != self.n_rows * self.n_cols:
            missing = {(r, k) for r in range(self.n_rows) for k in range(self.n_cols)} - covered
            raise ValueError(f"grid positions not covered by any cell: {sorted(missing)[:5]}")
        if len(self.col_widths) != self.n_cols:
            raise ValueError("one width per column")

    def spans(self) -> list[Cell]:
        """Cells that cover more than one grid position."""
        return [c for c in self.cells if c.rowspan > 1 or c.colspan > 1]


Block = Para | Table


@dataclass(frozen=True)
class WebPage:
    """Web-page facts and chrome for the HTML rendering.

    Only facts printed in the seed go into ``article_title``, ``pub_date``, ``content_source``
    and ``site_id_code``; the rest (site name, navigation, footer wording) is generic chrome.
    ``info_bar`` / ``after_article`` / ``footer`` are the chrome lines the seed shows, verbatim.
    """

    site_name: str
    site_domain: str
    column: str
    breadcrumb: tuple[str, ...]
    charset: str = "utf-8"  # the declared charset; bytes are encoded with ``codec``
    codec: str = "utf-8"
    article_title: str | None = None  # ArticleTitle meta
    heading: str | None = None  # the page's visible article heading (h1)
    pub_date: str | None = None  # PubDate meta, "YYYY-MM-DD HH:MM"
    pub_date_shown: str | None = None  # as printed in the info bar
    content_source: str | None = None
    site_id_code: str | None = None
    keywords: tuple[str, ...] = ()
    description: str | None = None
    column_heads: tuple[str, ...] = ()  # column title lines above the article (004)
    info_bar: str | None = None  # which site's info-bar layout (render_html.info_bar)
    after_article: tuple[str, ...] = ()
    footer: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceDoc:
    """One seed as a structured document."""

    stem: str
    title: str | None  # the document's real title (DOCX/PDF metadata), None when the seed has none
    blocks: tuple[Block, ...]
    web: WebPage
    notes: tuple[str, ...] = field(default=())  # what the structuring undid, for the report

    def paragraphs(self) -> list[Para]:
        return [b for b in self.blocks if isinstance(b, Para)]

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]
