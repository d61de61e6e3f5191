"""001: 泸县府办函〔2021〕155号, a county plan published as an HTML page (no PDF/DOCX original).

The dump is the page text: chrome lines (title bar, 来源/发布时间 info bar, 扫一扫/分享/打印)
around the article, ``\\xa0`` (&nbsp;) spacer paragraphs and indents, and tables dumped one cell
per line. The chrome goes to ``WebPage``; the tables are rebuilt (3 columns each).
"""

from __future__ import annotations

from scripts.corpus.model import Block, Para, Role, SourceDoc, WebPage
from scripts.corpus.seeds.common import Cursor, body_role, chunk, paragraphs, simple_table

NBSP = "\xa0"
TITLE = "泸县人民政府办公室关于印发《泸县深化政务公开促进基层政府治理能力提升实施方案》的通知"
MEMBER_LABELS = ("组 \xa0长:", "副组长:", "成 \xa0员:")


def _spacer_or(text: str, role: Role | None = None) -> Para:
    if text.strip() == "":
        return Para(text, Role.SPACER)
    return Para(text, role or body_role(text))


def _member(text: str) -> Para:
    label = next((lab for lab in MEMBER_LABELS if text.startswith(lab)), None)
    if label:
        return Para(text, Role.LIST, hang=label)
    return Para(text, Role.LIST, align_after="副组长:")


def build(text: str, stem: str) -> SourceDoc:
    cur = Cursor(paragraphs(text))
    heading = cur.take("泸县人民政府办公室 关于印发")
    cur.take("来源:县政府办 发布时间:2021-09-30 09:43:25")
    blocks: list[Block] = [
        Para(cur.take("泸县人民政府办公室"), Role.BANNER),
        Para(cur.take("关于印发《"), Role.TITLE),
        Para(cur.take("泸县府办函〔2021〕155号"), Role.DOC_NUMBER),
        Para(cur.take("各镇人民政府"), Role.RECIPIENTS),
        Para(cur.take("现将")),
        _spacer_or(cur.take(NBSP)),
        _spacer_or(cur.take(NBSP)),
        Para(cur.take("泸县人民政府办公室"), Role.SIGNATURE),
        Para(cur.take("2021年9月29日"), Role.DATE),
        Para(cur.take("泸县深化") + "\n" + cur.take("治理能力提升实施方案"), Role.TITLE, new_page=True),
    ]
    blocks += [_spacer_or(t) for t in cur.take_until("附件:1.")]
    blocks += [
        Para(cur.take("附件:1."), Role.ATTACHMENT_NOTE, hang="附件:"),
        Para(cur.take(NBSP), Role.ATTACHMENT_NOTE, align_after="附件:"),
        Para(cur.take(NBSP), Role.ATTACHMENT_NOTE, align_after="附件:"),
        # 附件1: leading-group member list
        Para(cur.take("附件1"), Role.ATTACHMENT_LABEL, new_page=True),
        Para(cur.take(NBSP + "泸县深化"), Role.TITLE),
        _spacer_or(cur.take(NBSP)),
    ]
    blocks += [_member(t) for t in cur.take_until("领导小组负责")]
    blocks += [
        Para(cur.take("领导小组负责")),
        Para(cur.take("附件2"), Role.ATTACHMENT_LABEL, new_page=True),
        Para(cur.take("政务公开事项标准目录编制的") + "\n" + cur.take("指导部门(单位)"), Role.TITLE),
        _spacer_or(cur.take(NBSP)),
    ]
    header, *rows = chunk(cur.take_until("备注:"), 3)
    blocks.append(simple_table(header, rows, (0.12, 0.44, 0.44), ("C", "L", "L")))
    blocks += [
        Para(cur.take("备注:"), Role.NOTE),
        Para(cur.take("附件3"), Role.ATTACHMENT_LABEL, new_page=True),
        Para(cur.take("主要任务职责分工"), Role.TITLE),
    ]
    header, *rows = chunk(cur.take_until("扫一扫在手机打开当前页"), 3)
    blocks.append(simple_table(header, rows, (0.09, 0.58, 0.33), ("C", "L", "L")))
    after = tuple(cur.take("扫一扫在手机打开当前页").split("\n"))
    web = WebPage(
        site_name="泸县人民政府",
        site_domain="www.luxian.gov.cn",
        column="通知公告",
        breadcrumb=("首页", "政务公开", "通知公告"),
        charset="gb2312",
        codec="gbk",
        article_title=heading,
        heading=heading,
        pub_date="2021-09-30 09:43",
        pub_date_shown="2021-09-30 09:43:25",
        content_source="县政府办",
        keywords=("政务公开", "基层政府治理能力", "实施方案"),
        description=heading,
        info_bar="luxian",
        after_article=after,
    )
    return SourceDoc(
        stem=stem,
        title=TITLE,
        blocks=tuple(blocks),
        web=web,
        notes=(
            "page chrome (title bar, info bar, 扫一扫/分享/打印) moved to the web chrome",
            "附件2/附件3 tables rebuilt from one-cell-per-line dumps (3 columns)",
        ),
    )
