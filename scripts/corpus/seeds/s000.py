"""000: 川办函〔2021〕57号, the provincial template. The dump comes from an official PDF.

Every printed line is its own dump line, pages start with a space, and 附件2's table was dumped
one row per line with space-separated cells and its header repeated on the second page. Lines
are rejoined into paragraphs (``join_pdf_lines``), the table rebuilt once with one header row
(the PDF renderer repeats it on each page again). Spaced digits (``57 号``) stay as printed.
"""

from __future__ import annotations

import re

from scripts.corpus.model import Para, Role, SourceDoc, WebPage
from scripts.corpus.seeds.common import Cursor, is_blank, prose, simple_table

NEW_PARA = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|———)")
SUB_HEADING = re.compile(r"^\([一二三四五六七八九十]+\)")

TITLE = "四川省人民政府办公厅关于印发深化政务公开促进基层政府治理能力提升工作方案的通知"


def join_pdf_lines(lines: list[str]) -> list[str]:
    """Rejoin printed lines into paragraphs.

    A paragraph ends after a line ending in 。, except a line that *is* a whole ``(二)…提升。``
    sub-heading sentence filling its line, which the original continues on the next line; a
    new paragraph also starts at 一、/(一)/——— and after a 一、 heading line.
    """
    paras: list[list[str]] = []
    for line in lines:
        if paras:
            cur = paras[-1]
            lone_sub_heading = len(cur) == 1 and SUB_HEADING.match(cur[0])
            closed = (cur[-1].endswith("。") and not lone_sub_heading) or (
                len(cur) == 1 and re.match(r"^[一二三四五六七八九十]+、", cur[0])
            )
            if not closed and not NEW_PARA.match(line):
                cur.append(line)
                continue
        paras.append([line])
    return ["".join(p) for p in paras]


def build(text: str, stem: str) -> SourceDoc:
    lines = [ln[1:] if ln.startswith(" ") else ln for ln in text.split("\n")]  # page starts
    cur = Cursor(ln for ln in lines if not is_blank(ln))
    blocks: list = [
        Para(cur.take("四川省人民政府办公厅"), Role.BANNER),
        Para(cur.take("关于印发") + "\n" + cur.take("提升工作方案的通知"), Role.TITLE),
        Para(cur.take("川办函〔2021〕57 号"), Role.DOC_NUMBER),
        Para(cur.take("各市(州)") + cur.take("单位:"), Role.RECIPIENTS),
        Para(cur.take("《深化政务公开") + cur.take("省政府同意")),
        Para(cur.take("四川省人民政府办公厅"), Role.SIGNATURE),
        Para(cur.take("2021 年 8 月 12 日"), Role.DATE),
        Para(
            cur.take("深化政务公开促进基层政府治理能力提升") + "\n" + cur.take("工作方案"),
            Role.TITLE,
            new_page=True,
        ),
    ]
    blocks += prose(join_pdf_lines(cur.take_until("附件: ")))
    prefix = "附件: "
    blocks += [
        Para(cur.take("附件: 1．") + cur.take("名单"), Role.ATTACHMENT_NOTE, hang=prefix),
        Para(cur.take("2．"), Role.ATTACHMENT_NOTE, align_after=prefix),
        Para(cur.take("附件 1"), Role.ATTACHMENT_LABEL, new_page=True),
        Para(cur.take("深化政务公开") + "\n" + cur.take("先行县名单"), Role.TITLE),
        Para(cur.take("(共计 25 个)"), Role.SUBTITLE),
        Para("".join(cur.take_until("附件 2"))),
        Para(cur.take("附件 2"), Role.ATTACHMENT_LABEL, new_page=True),
        Para(cur.take("政务公开事项标准目录编制的") + "\n" + cur.take("指导部门(单位)"), Role.TITLE),
    ]
    header_line = cur.take("序号 ")
    rows = [
        line.split(" ", 2)
        for line in cur.take_until("备注:")
        if line != header_line  # the header printed again on the table's second page
    ]
    blocks.append(
        simple_table(header_line.split(" "), rows, (0.13, 0.42, 0.45), ("C", "L", "L"), font_size=14)
    )
    blocks.append(Para("".join(cur.rest()), Role.NOTE))
    web = WebPage(
        site_name="四川省人民政府",
        site_domain="www.sc.gov.cn",
        column="政策文件",
        breadcrumb=("首页", "政务公开", "政策文件"),
        article_title=TITLE,
        heading=TITLE,
        keywords=("政务公开", "基层政府治理能力", "工作方案"),
        description=TITLE,
    )
    return SourceDoc(
        stem=stem,
        title=TITLE,
        blocks=tuple(blocks),
        web=web,
        notes=(
            "printed lines rejoined into paragraphs; page-start spaces dropped",
            "附件2 table rebuilt from space-separated rows; the header repeated on page 2 kept once",
        ),
    )
