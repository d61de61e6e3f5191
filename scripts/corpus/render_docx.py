"""Render a ``SourceDoc`` as a Word document laid out like an official notice.

Real Word structures throughout: one ``w:p`` per paragraph with soft breaks (``w:br``) where
the seed breaks a line inside a paragraph, run fonts as government templates name them
(仿宋_GB2312 body, 方正小标宋简体 titles, 黑体/楷体 headings), tables with ``gridSpan`` /
``vMerge`` merged cells and a repeating header row, landscape sections for wide tables, page
numbers ``— N —`` in odd/even footers, and Word auto-numbering (numbering.xml) for paragraphs
with ``Para.auto_number`` so that number is *not* in the paragraph text.

python-docx stamps the current time into the zip entries; ``deterministic_zip`` rewrites the
package with fixed timestamps so the bytes only depend on the source.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from scripts.corpus import layout as L
from scripts.corpus.model import Para, Role, SourceDoc, Table

FIXED_TIME = datetime(2000, 1, 1)
ZIP_TIME = (2000, 1, 1, 0, 0, 0)
BODY_FONT = "仿宋_GB2312"
FONTS = {
    Role.BANNER: "方正小标宋简体",
    Role.TITLE: "方正小标宋简体",
    Role.HEADING1: "黑体",
    Role.HEADING2: "楷体_GB2312",
    Role.ATTACHMENT_LABEL: "黑体",
}
CENTRED = {Role.BANNER, Role.TITLE, Role.DOC_NUMBER, Role.SUBTITLE}
NO_INDENT = {
    Role.RECIPIENTS,
    Role.ATTACHMENT_LABEL,
    Role.NOTE,
    Role.BANNER,
    Role.TITLE,
    Role.DOC_NUMBER,
    Role.SUBTITLE,
    Role.SIGNATURE,
    Role.DATE,
    Role.CC,
}
ABSTRACT_NUM_ID = 90
FIRST_NUM_ID = 101


def set_font(
    run: Run,
    east_asia: str,
    size: float,
    *,
    bold: bool = False,
    color: tuple[float, float, float] | None = None,
) -> None:
    """Latin and East Asian font, size, bold and colour of a run (Word keeps CJK separate)."""
    run.font.name = "Times New Roman"
    run.font.size = Pt(size)
    run.font.bold = bold or None
    run._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asia)
    if color:
        run.font.color.rgb = RGBColor(*(int(c * 255) for c in color))


def add_text(paragraph: Paragraph, text: str, east_asia: str, size: float, **kw) -> None:
    """Add ``text`` as one run, with a soft line break (``w:br``) for each ``\\n``."""
    run = paragraph.add_run()
    set_font(run, east_asia, size, **kw)
    for i, line in enumerate(text.split("\n")):
        if i:
            run.add_break()
        run.add_text(line)


def border(paragraph: Paragraph, sides: tuple[str, ...], color: str = "000000", sz: int = 6) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    for side in sides:
        el = OxmlElement(f"w:{side}")
        for k, v in (("val", "single"), ("sz", str(sz)), ("space", "1"), ("color", color)):
            el.set(qn(f"w:{k}"), v)
        bdr.append(el)
    ppr.append(bdr)


def setup_numbering(doc: DocxDocument, list_ids: list[int]) -> dict[int, int]:
    """One decimal ``%1.`` abstract list, one ``w:num`` per list (restarting at 1)."""
    numbering = doc.part.numbering_part.element
    abstract = OxmlElement("w:abstractNum")
    abstract.set(qn("w:abstractNumId"), str(ABSTRACT_NUM_ID))
    mlt = OxmlElement("w:multiLevelType")
    mlt.set(qn("w:val"), "singleLevel")
    abstract.append(mlt)
    lvl = OxmlElement("w:lvl")
    lvl.set(qn("w:ilvl"), "0")
    for tag, val in (
        ("start", "1"),
        ("numFmt", "decimal"),
        ("suff", "nothing"),
        ("lvlText", "%1."),
        ("lvlJc", "left"),
    ):
        el = OxmlElement(f"w:{tag}")
        el.set(qn("w:val"), val)
        lvl.append(el)
    ppr = OxmlElement("w:pPr")
    ind = OxmlElement("w:ind")
    ind.set(qn("w:left"), "0")
    ind.set(qn("w:firstLine"), str(int(L.INDENT * 20)))
    ppr.append(ind)
    lvl.append(ppr)
    abstract.append(lvl)
    nums = numbering.findall(qn("w:num"))
    if nums:
        nums[0].addprevious(abstract)
    else:
        numbering.append(abstract)
    mapping: dict[int, int] = {}
    for k, list_id in enumerate(list_ids):
        num = OxmlElement("w:num")
        num.set(qn("w:numId"), str(FIRST_NUM_ID + k))
        ref = OxmlElement("w:abstractNumId")
        ref.set(qn("w:val"), str(ABSTRACT_NUM_ID))
        num.append(ref)
        override = OxmlElement("w:lvlOverride")
        override.set(qn("w:ilvl"), "0")
        start = OxmlElement("w:startOverride")
        start.set(qn("w:val"), "1")
        override.append(start)
        num.append(override)
        numbering.append(num)
        mapping[list_id] = FIRST_NUM_ID + k
    return mapping


def number_paragraph(paragraph: Paragraph, num_id: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    numpr = OxmlElement("w:numPr")
    for tag, val in (("ilvl", "0"), ("numId", str(num_id))):
        el = OxmlElement(f"w:{tag}")
        el.set(qn("w:val"), val)
        numpr.append(el)
    ppr.insert_element_before(numpr, "w:spacing", "w:ind", "w:jc", "w:rPr")


def format_para(par: Paragraph, p: Para, nxt: object) -> tuple[str, float, tuple | None]:
    """Alignment, indents and spacing by role; returns (East Asian font, size, colour)."""
    fmt = par.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(L.LEADING)
    size, color = L.BODY_SIZE, None
    centred = p.role in CENTRED
    par.alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.JUSTIFY
    if p.role is Role.BANNER:
        size, color = L.BANNER_SIZE, L.RED
        fmt.line_spacing = Pt(L.BANNER_SIZE * 1.5)
        fmt.space_after = Pt(L.LEADING)
        border(par, ("bottom",), color="D90000", sz=18)
    elif p.role is Role.TITLE:
        size = L.TITLE_SIZE
        fmt.line_spacing = Pt(L.TITLE_LEADING)
        fmt.space_after = Pt(L.LEADING / 2)
    elif p.role in (Role.SIGNATURE, Role.DATE):
        par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt.right_indent = Pt(L.DATE_RIGHT)
        if p.role is Role.SIGNATURE:
            fmt.space_before = Pt(2 * L.LEADING)
            if isinstance(nxt, Para) and nxt.role is Role.DATE:  # 署名 centred over the date
                shift = (L.text_width(nxt.text) - L.text_width(p.text)) / 2
                fmt.right_indent = Pt(max(L.DATE_RIGHT + shift, 0))
    elif p.role is Role.CC:
        size = 14.0
        fmt.left_indent = fmt.right_indent = Pt(14)
        fmt.space_before = Pt(L.LEADING)
        border(par, ("top", "bottom"))
    elif p.hang:
        fmt.left_indent = Pt(L.INDENT + L.text_width(p.hang))
        fmt.first_line_indent = Pt(-L.text_width(p.hang))
        if p.role is Role.ATTACHMENT_NOTE:
            fmt.space_before = Pt(L.LEADING)
    elif p.align_after:
        fmt.left_indent = Pt(L.INDENT + L.text_width(p.align_after))
    elif p.role not in NO_INDENT and p.auto_number is None:
        fmt.first_line_indent = Pt(L.INDENT)
    return FONTS.get(p.role, BODY_FONT), size, color


def add_para(doc: DocxDocument, p: Para, nxt: object, num_ids: dict[int, int], page_break: bool) -> None:
    # an auto-numbered paragraph holds only its text; Word prints the number
    text = L.paper_text(p) if p.auto_number is None else p.text.replace("\xa0", " ")
    par = doc.add_paragraph()
    par.paragraph_format.page_break_before = page_break or None
    font, size, color = format_para(par, p, nxt)
    if p.role is Role.DOC_NUMBER and doc.element.body.index(par._p) == 0:
        border(par, ("bottom",), color="D90000", sz=18)  # 版头 rule under a leading number
    if p.auto_number is not None and p.list_id is not None:
        number_paragraph(par, num_ids[p.list_id])
    add_text(par, text, font, size, bold=p.bold, color=color)


def add_table(doc: DocxDocument, t: Table, width_pt: float) -> None:
    table = doc.add_table(rows=t.n_rows, cols=t.n_cols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    total = sum(t.col_widths)
    widths = [Pt(width_pt * w / total) for w in t.col_widths]
    for k, col in enumerate(table.columns):
        col.width = widths[k]
    for row in table.rows:
        for k, cell in enumerate(row.cells):
            cell.width = widths[k]
    for r in range(t.header_rows):
        trpr = table.rows[r]._tr.get_or_add_trPr()
        el = OxmlElement("w:tblHeader")
        el.set(qn("w:val"), "true")
        trpr.append(el)
    for c in t.cells:
        cell = table.cell(c.row, c.col)
        if c.rowspan > 1 or c.colspan > 1:
            cell = cell.merge(table.cell(c.row + c.rowspan - 1, c.col + c.colspan - 1))
        for extra in cell.paragraphs[1:]:
            extra._p.getparent().remove(extra._p)
        par = cell.paragraphs[0]
        header = c.row < t.header_rows
        centre = header or t.align[c.col] == "C"
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER if centre else WD_ALIGN_PARAGRAPH.JUSTIFY
        par.paragraph_format.line_spacing = 1.0
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        if c.text:
            add_text(par, c.text, "黑体" if header else BODY_FONT, t.font_size)


def add_page_number(paragraph: Paragraph) -> None:
    """``— N —`` with N a PAGE field, as GB/T 9704 prints page numbers."""

    def run(text: str | None = None, fld: str | None = None, instr: str | None = None) -> None:
        r = paragraph.add_run(text or "")
        set_font(r, "宋体", L.PAGE_NUMBER_SIZE)
        if fld:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), fld)
            r._r.append(el)
        if instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = instr
            r._r.append(el)

    run("— ")
    run(fld="begin")
    run(instr=" PAGE ")
    run(fld="separate")
    run("1")
    run(fld="end")
    run(" —")


def setup_section(section, landscape: bool) -> None:
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Pt(L.L_PAGE_W), Pt(L.L_PAGE_H)
        section.left_margin = Pt(L.L_MARGIN_LEFT)
        section.right_margin = Pt(L.L_PAGE_W - L.L_MARGIN_LEFT - L.L_TEXT_W)
        section.bottom_margin = Pt(L.L_MARGIN_BOTTOM)
        section.top_margin = Pt(L.L_PAGE_H - L.L_MARGIN_BOTTOM - L.L_TEXT_H)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Pt(L.PAGE_W), Pt(L.PAGE_H)
        section.left_margin, section.right_margin = Pt(L.MARGIN_LEFT), Pt(L.MARGIN_RIGHT)
        section.top_margin, section.bottom_margin = Pt(L.MARGIN_TOP), Pt(L.MARGIN_BOTTOM)
    section.footer_distance = Pt(L.MARGIN_BOTTOM - 7 * L.MM - L.PAGE_NUMBER_SIZE)


def new_section(doc: DocxDocument):
    """Start a section on a new page. Word keeps a section's properties in its last paragraph:
    python-docx adds an empty paragraph for that, which is moved into the preceding paragraph
    when there is one (after a table Word needs the empty paragraph, so it stays)."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    holder = doc.element.body.findall(qn("w:p"))[-1]
    prev = holder.getprevious()
    if prev is not None and prev.tag == qn("w:p") and not holder.xpath(".//w:t"):
        sect_pr = holder.pPr.sectPr
        prev.get_or_add_pPr().append(sect_pr)
        holder.getparent().remove(holder)
    return section


def build_document(src: SourceDoc) -> DocxDocument:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(L.BODY_SIZE)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    normal.paragraph_format.space_after = Pt(0)
    section = doc.sections[0]
    setup_section(section, landscape=False)
    doc.settings.odd_and_even_pages_header_footer = True
    odd = section.footer.paragraphs[0]
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    odd.paragraph_format.right_indent = Pt(L.PAGE_NUMBER_SIZE)
    add_page_number(odd)
    even = section.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    even.paragraph_format.left_indent = Pt(L.PAGE_NUMBER_SIZE)
    add_page_number(even)

    list_ids = sorted({p.list_id for p in src.paragraphs() if p.list_id is not None})
    num_ids = setup_numbering(doc, list_ids) if list_ids else {}
    landscape = False
    first = True
    for group in L.page_groups(src.blocks):
        page_break = not first
        if group.landscape != landscape:
            setup_section(new_section(doc), group.landscape)
            landscape, page_break = group.landscape, False
        width = L.L_TEXT_W if landscape else L.TEXT_W
        blocks = [b for b in group.blocks if L.on_paper(b)]
        for k, block in enumerate(blocks):
            nxt = blocks[k + 1] if k + 1 < len(blocks) else None
            if isinstance(block, Table):
                add_table(doc, block, width)
            else:
                add_para(doc, block, nxt, num_ids, page_break)
            page_break = False
        first = False
    props = doc.core_properties
    props.title = src.title or ""
    props.author = props.last_modified_by = ""
    props.subject = props.keywords = props.comments = props.category = ""
    props.created = props.modified = props.last_printed = FIXED_TIME
    props.revision = 1
    return doc


def deterministic_zip(data: bytes) -> bytes:
    """Rewrite a zip package with fixed timestamps and attributes, entries in their order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            zout.writestr(fixed, zin.read(info.filename))
    return out.getvalue()


def render_docx(src: SourceDoc) -> bytes:
    buf = io.BytesIO()
    build_document(src).save(buf)
    return deterministic_zip(buf.getvalue())
