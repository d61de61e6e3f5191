"""002: 楚雄州 plan (Yunnan), no document number and no signature; full-width punctuation.

The dump has one paragraph per line, except four paragraphs cut in two where a page ended in
the original (``…解读回`` / ``应、依申请公开…``); those are rejoined. The title's space marks its
line break and is kept. The two attachments are named but absent: the HTML links them.
"""

from __future__ import annotations

from scripts.corpus.model import Block, Para, Role, SourceDoc, WebPage
from scripts.corpus.seeds.common import Cursor, paragraphs, prose, rejoin_page_splits

ATTACHMENTS = (
    (
        "1. 基层政务公开标准化规范化工作任务分工及进度安排",
        "附件1.基层政务公开标准化规范化工作任务分工及进度安排.doc",
    ),
    ("2. 基层政务公开事项标准目录格式", "附件2.基层政务公开事项标准目录格式.xls"),
)


def build(text: str, stem: str) -> SourceDoc:
    cur = Cursor(paragraphs(text))
    title = cur.take("楚雄州全面推进基层政务公开 标准化规范化工作实施方案")
    blocks: list[Block] = [Para(title, Role.TITLE)]
    blocks += prose(rejoin_page_splits(cur.take_until("附件：")))
    blocks.append(Para(cur.take("附件："), Role.ATTACHMENT_NOTE, hang="附件：", links=ATTACHMENTS))
    if not cur.done:
        raise ValueError(f"unexpected text after the attachment note: {cur.peek()[:30]!r}")
    plain_title = title.replace(" ", "")
    web = WebPage(
        site_name="楚雄彝族自治州人民政府",
        site_domain="www.cxz.gov.cn",
        column="政策文件",
        breadcrumb=("首页", "政务公开", "政策文件"),
        article_title=plain_title,
        heading=plain_title,
        keywords=("基层政务公开", "标准化规范化", "实施方案"),
        description=plain_title,
    )
    return SourceDoc(
        stem=stem,
        title=plain_title,
        blocks=tuple(blocks),
        web=web,
        notes=("four paragraphs split by page breaks rejoined",),
    )
