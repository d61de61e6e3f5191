"""Render a ``SourceDoc`` as an official A4 PDF (GB/T 9704-2012 layout).

Geometry from ``layout``: 156×225 mm text block (37 mm top, 28 mm left), 16 pt body on a
22-line grid with a 2-character first-line indent, 22 pt centred titles, a red issuer banner
with a red rule, signature and date at the right, ``— N —`` page numbers alternating right
(odd) and left (even), attachments on new pages with ``附件N`` at the top left, wide tables on
landscape pages. Tables are ruled grids with merged cells and the header repeated on every page
(``pdf_table.GridTable``). Text is wrapped character by character (``wordWrap="CJK"``), so
paragraphs break mid-sentence as real ones do. ``invariant=1`` makes the bytes reproducible.
"""

from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib import textsplit as reportlab_textsplit
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.textsplit import ALL_CANNOT_START
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    HRFlowable,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
)
from reportlab.platypus import paragraph as reportlab_paragraph

from scripts.corpus import layout as L
from scripts.corpus.fonts import register_font
from scripts.corpus.model import Para, Role, SourceDoc, Table
from scripts.corpus.pdf_table import GCell, GridTable, cell_style

RED = colors.Color(*L.RED)

# reportlab's CJK wrappers (``textsplit.dumbSplit`` for one-font paragraphs,
# ``paragraph.cjkFragSplit`` otherwise) let a character from ``ALL_CANNOT_START`` hang in the
# margin rather than start a line, but that list is Japanese and lacks the Chinese ，；：》”
# and the half-width marks these notices use, so lines would start with them. Extend it.
_NO_LINE_START = "，；：》”）、。！？,.;:)!?"
CANNOT_START = ALL_CANNOT_START + "".join(c for c in _NO_LINE_START if c not in ALL_CANNOT_START)
reportlab_textsplit.ALL_CANNOT_START = CANNOT_START
reportlab_paragraph.ALL_CANNOT_START = CANNOT_START
TITLE_BREAK = re.compile(r"(?<=[\u4e00-\u9fff》）)]) (?=[\u4e00-\u9fff《（(])")


class BoldParagraph(Paragraph):
    """Bold for a font without a bold face: glyphs filled *and* stroked (text render mode 2),
    which thickens them without doubling characters in the text layer."""

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        canv.setLineWidth(0.6)
        canv._code.append("2 Tr")  # reportlab's canvas has no public text-render-mode setter
        super().draw()
        canv.restoreState()


class Styles:
    def __init__(self, font: str) -> None:
        base = ParagraphStyle(
            "body",
            fontName=font,
            fontSize=L.BODY_SIZE,
            leading=L.LEADING,
            firstLineIndent=L.INDENT,
            alignment=TA_JUSTIFY,
            wordWrap="CJK",
        )
        self.base = base
        self.plain = ParagraphStyle("plain", parent=base, firstLineIndent=0)
        self.title = ParagraphStyle(
            "title",
            parent=self.plain,
            fontSize=L.TITLE_SIZE,
            leading=L.TITLE_LEADING,
            alignment=TA_CENTER,
            spaceBefore=L.LEADING / 2,
            spaceAfter=L.LEADING / 2,
        )
        self.banner = ParagraphStyle(
            "banner",
            parent=self.title,
            fontSize=L.BANNER_SIZE,
            leading=L.BANNER_SIZE * 1.3,
            textColor=RED,
            spaceBefore=0,
            spaceAfter=6,
        )
        self.centre = ParagraphStyle("centre", parent=self.plain, alignment=TA_CENTER)
        self.doc_number = ParagraphStyle("docno", parent=self.centre, spaceAfter=L.LEADING / 2)
        self.right = ParagraphStyle("right", parent=self.plain, alignment=TA_RIGHT, rightIndent=L.DATE_RIGHT)
        self.note = ParagraphStyle("note", parent=self.plain, fontSize=14, leading=22)
        self.cc = ParagraphStyle(
            "cc",
            parent=self.plain,
            fontSize=14,
            leading=22,
            leftIndent=14,
            rightIndent=14,
            firstLineIndent=0,
        )


def markup(text: str) -> str:
    """Paragraph markup for plain text: XML-escaped, line breaks as ``<br/>``, and a space
    after a space made non-breaking, since reportlab would collapse the run (``组  长``)."""
    return re.sub(r"(?<= ) ", "\xa0", escape(text)).replace("\n", "<br/>")


class Renderer:
    def __init__(self) -> None:
        self.font = register_font()
        self.s = Styles(self.font)

    def width(self, text: str, size: float = L.BODY_SIZE) -> float:
        return stringWidth(text, self.font, size)

    # paragraphs ---------------------------------------------------------------
    def para(self, p: Para) -> list[Flowable]:
        text = L.paper_text(p)
        s = self.s
        cls = BoldParagraph if p.bold else Paragraph
        if p.role is Role.BANNER:
            return [
                Paragraph(markup(text), s.banner),
                HRFlowable(width="100%", thickness=2, color=RED, spaceBefore=4, spaceAfter=2),
                HRFlowable(width="100%", thickness=0.6, color=RED, spaceAfter=L.LEADING / 2),
            ]
        if p.role is Role.TITLE:
            return [cls(markup(TITLE_BREAK.sub("\n", text)), s.title)]
        if p.role is Role.DOC_NUMBER:
            return [cls(markup(text), s.doc_number)]
        if p.role is Role.SUBTITLE:
            return [cls(markup(text), s.centre)]
        if p.role in (Role.DATE, Role.SIGNATURE):  # a signature before its date: signature()
            return [cls(markup(text), s.right)]
        if p.role in (Role.RECIPIENTS, Role.ATTACHMENT_LABEL):
            return [cls(markup(text), s.plain)]
        if p.role is Role.NOTE:
            return [cls(markup(text), s.note)]
        if p.role is Role.CC:
            return [
                HRFlowable(width="100%", thickness=0.75, color=colors.black, spaceBefore=L.LEADING),
                cls(markup(text), s.cc),
                HRFlowable(width="100%", thickness=0.75, color=colors.black),
            ]
        if p.hang or p.align_after:
            prefix = self.width((p.hang or p.align_after or "").replace("\xa0", " "))
            style = ParagraphStyle(
                f"hang-{prefix:.1f}-{bool(p.hang)}",
                parent=s.base,
                leftIndent=L.INDENT + prefix,
                firstLineIndent=-prefix if p.hang else 0,
                spaceBefore=L.LEADING if p.role is Role.ATTACHMENT_NOTE and p.hang else 0,
            )
            return [cls(markup(text), style)]
        return [cls(markup(text), s.base)]

    def signature(self, sig: Para, date: Para) -> Flowable:
        """署名 centred over the 成文日期, which ends 4 characters from the right edge."""
        sig_text, date_text = L.paper_text(sig), L.paper_text(date)
        offset = (self.width(date_text) - self.width(sig_text)) / 2
        sig_style = ParagraphStyle(
            "sig",
            parent=self.s.right,
            rightIndent=max(L.DATE_RIGHT + offset, 0),
            spaceBefore=2 * L.LEADING,
        )
        return KeepTogether(
            [Paragraph(markup(sig_text), sig_style), Paragraph(markup(date_text), self.s.right)]
        )

    # tables -------------------------------------------------------------------
    def table(self, t: Table) -> GridTable:
        aligns = {"C": TA_CENTER, "L": TA_JUSTIFY}
        head = cell_style(self.s.plain, t.font_size, TA_CENTER)

        def cell(c, style: ParagraphStyle) -> GCell:
            para = Paragraph(markup(c.text), style) if c.text else None
            return GCell(c.row, c.col, c.rowspan, c.colspan, para)

        cells = [
            cell(
                c,
                head
                if c.row < t.header_rows
                else cell_style(self.s.plain, t.font_size, aligns[t.align[c.col]]),
            )
            for c in t.cells
        ]
        header = [cell(c, head) for c in t.cells if c.row < t.header_rows]
        min_row = t.font_size * 1.35 + 6
        return GridTable(cells, t.n_rows, t.col_widths, t.header_rows, header, min_row)

    # document -----------------------------------------------------------------
    def story(self, src: SourceDoc) -> list[Flowable]:
        story: list[Flowable] = []
        landscape = False
        for i, group in enumerate(L.page_groups(src.blocks)):
            if group.landscape != landscape:
                story.append(NextPageTemplate("landscape" if group.landscape else "portrait"))
                landscape = group.landscape
            if i:
                story.append(PageBreak())
            blocks = [b for b in group.blocks if L.on_paper(b)]
            k = 0
            while k < len(blocks):
                b = blocks[k]
                nxt = blocks[k + 1] if k + 1 < len(blocks) else None
                if isinstance(b, Table):
                    story.append(self.table(b))
                elif b.role is Role.SIGNATURE and isinstance(nxt, Para) and nxt.role is Role.DATE:
                    story.append(self.signature(b, nxt))
                    k += 1
                else:
                    story += self.para(b)
                    if i == 0 and k == 0 and b.role is Role.DOC_NUMBER:
                        story.append(
                            HRFlowable(width="100%", thickness=2, color=RED, spaceAfter=L.LEADING / 2)
                        )
                k += 1
        return story


def draw_page_number(canv, doc) -> None:
    """``— N —`` in 四号, 7 mm under the text block; odd pages right, even pages left."""
    n = canv.getPageNumber()
    text = f"— {n} —"
    font = register_font()
    canv.saveState()
    canv.setFont(font, L.PAGE_NUMBER_SIZE)
    landscape = canv._pagesize[0] > canv._pagesize[1]
    left = L.L_MARGIN_LEFT if landscape else L.MARGIN_LEFT
    width = L.L_TEXT_W if landscape else L.TEXT_W
    bottom = L.L_MARGIN_BOTTOM if landscape else L.MARGIN_BOTTOM
    y = bottom - 7 * L.MM - L.PAGE_NUMBER_SIZE
    if n % 2:
        canv.drawRightString(left + width - L.PAGE_NUMBER_SIZE, y, text)
    else:
        canv.drawString(left + L.PAGE_NUMBER_SIZE, y, text)
    canv.restoreState()


def doc_template(buf: io.BytesIO, title: str | None) -> BaseDocTemplate:
    doc = BaseDocTemplate(
        buf,
        pagesize=(L.PAGE_W, L.PAGE_H),
        invariant=1,
        title=title or "",
        author="",
        subject="",
        creator="",
        keywords="",
        leftMargin=L.MARGIN_LEFT,
        rightMargin=L.MARGIN_RIGHT,
        topMargin=L.MARGIN_TOP,
        bottomMargin=L.MARGIN_BOTTOM,
    )
    pad = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}
    portrait = Frame(L.MARGIN_LEFT, L.MARGIN_BOTTOM, L.TEXT_W, L.TEXT_H, id="p", **pad)
    wide = Frame(L.L_MARGIN_LEFT, L.L_MARGIN_BOTTOM, L.L_TEXT_W, L.L_TEXT_H, id="l", **pad)
    doc.addPageTemplates(
        [
            PageTemplate("portrait", [portrait], onPage=draw_page_number, pagesize=(L.PAGE_W, L.PAGE_H)),
            PageTemplate("landscape", [wide], onPage=draw_page_number, pagesize=(L.L_PAGE_W, L.L_PAGE_H)),
        ]
    )
    return doc


def render_pdf(src: SourceDoc) -> bytes:
    renderer = Renderer()
    buf = io.BytesIO()
    doc_template(buf, src.title).build(renderer.story(src))
    return buf.getvalue()
