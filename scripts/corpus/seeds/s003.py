"""003: 万府办函〔2021〕44号, a county plan from a Word document.

Dump artefacts undone: ``**bold**`` markers (the title paragraph, three lines joined by soft
breaks), ``- `` list markers on the attachment list, paragraphs cut by page breaks, and the
tab-separated tables. 附件3 is a 7-column grid: 序号 and the task category (主要工作任务 spans
both in the header) are vertically merged per group; the dump drops the merged cells' text on
continuation rows (and shifts group 1's continuation rows one tab left), so continuation rows
are read as their five non-empty fields. 附件4's last column is one cell merged over all 26
rows. The stray ``<p>…</p>`` inside 附件3 cells is document text and stays.

The 25 numbered tasks under 三、主要任务 (``1.推行…``) use Word auto-numbering in the DOCX: their
number is kept apart from the text (``Para.auto_number``), one list per (一)…(五) section.
"""

from __future__ import annotations

import re

from scripts.corpus.model import Block, Cell, Para, Role, SourceDoc, Table, WebPage
from scripts.corpus.seeds.common import (
    HEADING2,
    Cursor,
    body_role,
    paragraphs,
    rejoin_page_splits,
)

NUMBERED = re.compile(r"^(\d+\.)(.+)$", re.S)
ATT = "附件："


def numbered_tasks(items: list[str]) -> list[Para]:
    """Body paragraphs; inside 三、主要任务 the ``N.`` items become auto-numbered list items."""
    out: list[Para] = []
    in_tasks = False
    list_id = 0
    for text in items:
        role = body_role(text)
        if role is Role.HEADING1:
            in_tasks = text.startswith("三、主要任务")
        elif in_tasks and HEADING2.match(text):
            list_id += 1
        m = NUMBERED.match(text)
        if in_tasks and m:
            out.append(Para(m.group(2), Role.BODY, auto_number=m.group(1), list_id=list_id))
        else:
            out.append(Para(text, role))
    return out


def task_table(lines: list[str], group_breaks: set[int]) -> Table:
    """附件3: 序号 | category | task | 牵头县级领导 | 牵头单位 | 责任单位 | 完成时限."""
    header, rows = lines[0], lines[1:]
    if header.split("\t")[:2] != ["序号", "主要工作任务"]:
        raise ValueError("附件3 header not found")
    cells = [Cell(0, 0, "序号"), Cell(0, 1, "主要工作任务", colspan=2)]
    cells += [Cell(0, k + 1, t) for k, t in enumerate(header.split("\t")[2:6], start=2)]
    groups: list[list[list[str]]] = []
    for i, row in enumerate(rows):
        fields = row.split("\t")
        if i in group_breaks or not groups:
            if len(fields) != 7 or not fields[0].isdigit():
                raise ValueError(f"group row expected: {row[:30]!r}")
            groups.append([fields])
        else:
            rest = [f for f in fields if f != ""]
            if len(rest) != 5:
                raise ValueError(f"continuation row needs 5 fields: {row[:30]!r}")
            groups[-1].append(["", "", *rest])
    r = 1
    for group in groups:
        n = len(group)
        cells += [Cell(r, 0, group[0][0], rowspan=n), Cell(r, 1, group[0][1], rowspan=n)]
        for i, fields in enumerate(group):
            cells += [Cell(r + i, k, fields[k]) for k in range(2, 7)]
        r += n
    return Table(
        n_rows=r,
        n_cols=7,
        cells=tuple(sorted(cells, key=lambda c: (c.row, c.col))),
        col_widths=(0.045, 0.075, 0.35, 0.07, 0.09, 0.26, 0.11),
        align=("C", "C", "L", "C", "C", "L", "C"),
        font_size=10.5,
        landscape=True,
    )


def unit_table(lines: list[str]) -> Table:
    """附件4: the 乡（镇）级编制单位 column is one cell merged down all rows."""
    header = lines[0].split("\t")
    rows = [ln.split("\t") for ln in lines[1:]]
    cells = [Cell(0, k, t) for k, t in enumerate(header)]
    for r, row in enumerate(rows, start=1):
        cells += [Cell(r, k, row[k]) for k in range(3)]
        if r > 1 and row[3] != "":
            raise ValueError("附件4: only the first row carries the merged cell's text")
    cells.append(Cell(1, 3, rows[0][3], rowspan=len(rows)))
    return Table(
        n_rows=len(rows) + 1,
        n_cols=4,
        cells=tuple(sorted(cells, key=lambda c: (c.row, c.col))),
        col_widths=(0.1, 0.32, 0.3, 0.28),
        align=("C", "L", "L", "C"),
    )


def build(text: str, stem: str) -> SourceDoc:
    cur = Cursor(paragraphs(text))
    blocks: list[Block] = [Para(cur.take("万府办函〔2021〕44号"), Role.DOC_NUMBER)]
    title = cur.take("**万源市人民政府办公室")
    if not title.endswith("**"):
        raise ValueError("bold title markers expected")
    title = title[2:-2]
    blocks += [
        Para(title, Role.TITLE, bold=True),
        Para(cur.take("各乡、镇人民政府"), Role.RECIPIENTS),
        Para(cur.take("《万源市深化")),
        Para(cur.take("万源市人民政府办公室"), Role.SIGNATURE),
        Para(cur.take("2021年11月11日"), Role.DATE),
        Para(cur.take("万源市深化政务公开促进基层政府治理能力提升 实施方案"), Role.TITLE, new_page=True),
    ]
    blocks += numbered_tasks(rejoin_page_splits(cur.take_until("- 附件：")))
    items = [ln.removeprefix("- ") for ln in cur.take("- 附件：").split("\n")]
    blocks.append(Para(items[0], Role.ATTACHMENT_NOTE, hang=ATT))
    blocks += [Para(t, Role.ATTACHMENT_NOTE, align_after=ATT) for t in items[1:]]
    # 附件1: leading group
    blocks += [
        Para(cur.take("附件1"), Role.ATTACHMENT_LABEL, new_page=True),
        Para(cur.take("万源市深化"), Role.TITLE),
        Para(cur.take("为贯彻落实")),
        Para(cur.take("组 长："), Role.LIST, hang="组 长："),
        Para(cur.take("副组长："), Role.LIST, hang="副组长："),
        Para(cur.take("何思源"), Role.LIST, align_after="副组长："),
        Para(cur.take("成 员："), Role.LIST, hang="成 员："),
        Para(cur.take("职 责：") + cur.take("促进基层政府"), Role.LIST, hang="职 责："),
        Para(cur.take("领导小组办公室设在")),
        Para(cur.take("领导小组属临时议事机构")),
        # 附件2: pilot units
        Para(cur.take("附件2"), Role.ATTACHMENT_LABEL, new_page=True),
        Para(cur.take("万源市深化"), Role.TITLE),
        Para(cur.take("一、乡镇、街道"), Role.HEADING1),
        Para(cur.take("白沙镇")),
        Para(cur.take("二、部门"), Role.HEADING1),
        Para(cur.take("市行政审批局")),
        # 附件3: task table (landscape)
        Para(cur.take("附件 3"), Role.ATTACHMENT_LABEL, new_page=True),
        Para(cur.take("万源市深化"), Role.TITLE),
    ]
    lines: list[str] = []
    breaks: set[int] = set()
    for para in cur.take_until("附件4"):
        breaks.add(max(len(lines) - 1, 0))  # index among data rows of a group's first row
        lines += para.split("\n")
    blocks.append(task_table(lines, breaks))
    blocks += [
        Para(cur.take("附件4"), Role.ATTACHMENT_LABEL, new_page=True),
        Para(cur.take("政务公开事项标准目录编制的部门"), Role.TITLE),
        unit_table(cur.take("序号\t领域").split("\n")),
        Para(cur.take("信息公开选项："), Role.PUBLIC_OPTION),
        Para(cur.take("抄送："), Role.CC),
    ]
    if not cur.done:
        raise ValueError(f"unexpected text at the end: {cur.peek()[:30]!r}")
    full_title = title.replace("\n", "")
    web = WebPage(
        site_name="万源市人民政府",
        site_domain="www.wanyuan.gov.cn",
        column="政策文件",
        breadcrumb=("首页", "政务公开", "政策文件"),
        article_title=full_title,
        heading=full_title,
        keywords=("政务公开", "基层政府治理能力", "实施方案"),
        description=full_title,
    )
    return SourceDoc(
        stem=stem,
        title=full_title,
        blocks=tuple(blocks),
        web=web,
        notes=(
            "**bold** and '- ' list markers removed; page-split paragraphs rejoined",
            "附件3 rebuilt as 7 columns with 序号/category merged per group; 附件4 last column merged",
            "三、主要任务 numbered items: DOCX auto-numbering (number not in paragraph text)",
        ),
    )
