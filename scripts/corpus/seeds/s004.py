"""004: 雅安市 forwarding notice of 川办发〔2021〕16号, from an HTML page (no title shown).

Page chrome (政府信息公开 / 办文通知 column heads, 来源/发布时间 info bar, 扫一扫, the
主办/承办/网站标识码 footer) goes to ``WebPage``. Both tables were dumped one cell per line and
are rebuilt here:

- 重点工作责任分工表: 3 columns, 22 rows.
- 2021年政务公开重点工作任务分解表: 序号 | 任务 | 名称 | 具体内容 | 责任单位 | 完成时限. Each
  具体内容 line is one grid row. 序号 and 名称 span the rows of their numbered item, 任务 (one of
  ``GROUPS``) spans its whole group, and a 责任单位 / 完成时限 cell spans down until the next
  one appears — in the dump those merged cells are printed once, where they start, so their
  reach is read from the order of the text. An extra blank line in the dump is an empty cell
  (item 6 has no 完成时限).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from scripts.corpus.model import Block, Cell, Para, Role, SourceDoc, Table, WebPage
from scripts.corpus.seeds.common import (
    Cursor,
    cells_by_line,
    chunk,
    paragraphs,
    prose,
    simple_table,
)

GROUPS = (
    "重点领域信息公开",
    "政策解读",
    "回应关切",
    "政务信息资源管理",
    "基层政务公开双化",
    "政府网站与政务新媒体建设管理",
    "条例贯彻落实",
    "夯实工作基础",
)
DEADLINE = re.compile(r"^(?:全年|\d+月\d+日前|\d+月底前|)$")
UNITS = re.compile(r"(?:人民政府|厅|委|局|中心|部门|单位\)|办公厅)。?$")
TASK_HEADER = ["序号", "任务", "名称", "具体内容", "责任单位", "完成时限"]


@dataclass
class SubRow:
    """One 具体内容 line of the task table, with the merged cells that start on it."""

    item: int
    content: str
    units: str | None = None
    deadline: str | None = None


@dataclass
class Item:
    number: str
    name: str
    group: str
    rows: list[SubRow] = field(default_factory=list)


def fix_cells(cells: list[str]) -> list[str]:
    """Undo two dump artefacts inside cells.

    ``权责清单及`` / ``其他`` is one 名称 cell printed on two lines (kept as a line break);
    ``…本行政机`` / ``关政策文件库…`` is one 具体内容 cell cut mid-word (rejoined).
    """
    out: list[str] = []
    for c in cells:
        if out and out[-1] == "权责清单及" and c == "其他":
            out[-1] += "\n" + c
        elif out and out[-1].endswith("本行政机") and c.startswith("关政策文件库"):
            out[-1] += c
        else:
            out.append(c)
    return out


def read_items(cells: list[str]) -> list[Item]:
    items: list[Item] = []
    group = ""
    i = 0
    while i < len(cells):
        number = cells[i]
        if not number.isdigit() or int(number) != len(items) + 1:
            raise ValueError(f"item {len(items) + 1} expected, found {number!r}")
        i += 1
        if cells[i] in GROUPS:
            group = cells[i]
            i += 1
        item = Item(number, cells[i], group)
        i += 1
        while i < len(cells) and not cells[i].isdigit():
            c = cells[i]
            if DEADLINE.match(c) and item.rows:
                item.rows[-1].deadline = c
            elif UNITS.search(c) and item.rows and not c.endswith(("公开。", "能力。")):
                item.rows[-1].units = c
            else:
                item.rows.append(SubRow(int(number), c))
            i += 1
        items.append(item)
    return items


def _spans_down(values: list[str | None], col: int) -> list[Cell]:
    """Cells of a column where a value spans down to the row before the next value."""
    cells: list[Cell] = []
    starts = [r for r, v in enumerate(values) if v is not None]
    if not starts or starts[0] != 0:
        raise ValueError(f"column {col}: the first row has no value")
    for k, r in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(values)
        cells.append(Cell(r + 1, col, values[r] or "", rowspan=end - r))
    return cells


def task_table(cells: list[str]) -> Table:
    if cells[:6] != TASK_HEADER:
        raise ValueError("任务分解表 header not found")
    items = read_items(fix_cells(cells[6:]))
    if len(items) != 35:
        raise ValueError(f"35 items expected, got {len(items)}")
    rows = [row for item in items for row in item.rows]
    out = [Cell(0, k, t) for k, t in enumerate(TASK_HEADER)]
    r = 1
    group_start: dict[str, int] = {}
    for item in items:
        n = len(item.rows)
        out += [Cell(r, 0, item.number, rowspan=n), Cell(r, 2, item.name, rowspan=n)]
        out += [Cell(r + k, 3, row.content) for k, row in enumerate(item.rows)]
        group_start.setdefault(item.group, r)
        r += n
    for g, start in group_start.items():
        end = max(
            (start + sum(len(it.rows) for it in items if it.group == g)),
            start + 1,
        )
        out.append(Cell(start, 1, g, rowspan=end - start))
    out += _spans_down([row.units for row in rows], 4)
    out += _spans_down([row.deadline for row in rows], 5)
    return Table(
        n_rows=len(rows) + 1,
        n_cols=6,
        cells=tuple(sorted(out, key=lambda c: (c.row, c.col))),
        col_widths=(0.05, 0.09, 0.1, 0.46, 0.2, 0.1),
        align=("C", "C", "C", "L", "L", "C"),
        font_size=10.5,
        landscape=True,
    )


def build(text: str, stem: str) -> SourceDoc:
    head, sep, table_text = text.partition("\n2021年政务公开重点工作任务分解表\n")
    if not sep:
        raise ValueError("任务分解表 anchor not found")
    cur = Cursor(paragraphs(head))
    column_heads = (cur.take("政府信息公开"), cur.take("办文通知"))
    cur.take("来源:市政府办公室 发布时间:2021-05-20 14:51")
    blocks: list[Block] = [
        Para(cur.take("各县(区)人民政府"), Role.RECIPIENTS),
        Para(cur.take("经市政府领导同意")),
        Para(cur.take("雅安市人民政府办公室"), Role.SIGNATURE),
        Para(cur.take("2021年5月20日"), Role.DATE),
        # the forwarded notice
        Para(cur.take("四川省人民政府办公厅关于印发"), Role.TITLE, new_page=True),
        Para(cur.take("各市(州)"), Role.RECIPIENTS),
        Para(cur.take("《2021年全省政务公开重点工作安排》")),
        Para(cur.take("四川省人民政府办公厅"), Role.SIGNATURE),
        Para(cur.take("2021年3月30日"), Role.DATE),
        Para(cur.take("2021年全省政务公开重点工作安排"), Role.TITLE, new_page=True),
    ]
    blocks += prose(cur.take_until("附件:"))
    blocks += [
        Para(cur.take("附件:重点工作责任分工表"), Role.ATTACHMENT_NOTE, hang="附件:"),
        Para(cur.take("附件"), Role.ATTACHMENT_LABEL, new_page=True),
        Para(cur.take("重点工作责任分工表"), Role.TITLE),
    ]
    header, *rows = chunk(cur.rest(), 3)
    blocks.append(simple_table(header, rows, (0.09, 0.38, 0.53), ("C", "L", "L")))
    table_text, sep, chrome = table_text.partition("\n扫一扫在手机打开当前页\n")
    if not sep:
        raise ValueError("page chrome anchor not found")
    blocks += [
        Para("2021年政务公开重点工作任务分解表", Role.TITLE, new_page=True),
        task_table(cells_by_line(table_text)),
    ]
    footer = tuple(p for p in paragraphs(chrome))
    web = WebPage(
        site_name="雅安市人民政府",
        site_domain="www.yaan.gov.cn",
        column="办文通知",
        breadcrumb=("首页", "政府信息公开", "办文通知"),
        pub_date="2021-05-20 14:51",
        pub_date_shown="2021-05-20 14:51",
        content_source="市政府办公室",
        site_id_code="5118000022",
        keywords=("政务公开", "重点工作", "任务分解表"),
        description="经市政府领导同意,现将《四川省人民政府办公厅关于印发2021年全省政务公开重点工作安排的通知》(川办发〔2021〕16号)和《2021年政务公开重点工作任务分解表》转发你们。",
        column_heads=column_heads,
        info_bar="yaan",
        after_article=("扫一扫在手机打开当前页",),
        footer=footer,
    )
    return SourceDoc(
        stem=stem,
        title=None,
        blocks=tuple(blocks),
        web=web,
        notes=(
            "page chrome moved to the web chrome; the wrapper notice has no title in the seed",
            "both tables rebuilt from one-cell-per-line dumps; 任务分解表 rowspans read from order",
        ),
    )
