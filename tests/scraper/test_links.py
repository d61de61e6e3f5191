"""Link rules on listing pages shaped like real Chinese government sites."""

from __future__ import annotations

from scraper.config import LinkRules, Pagination
from scraper.links import decode_page, extract_attachments, extract_listing

BASE = "http://www.xx.gov.cn/zwgk/zfwj/index.html"
TRS_LISTING = """<html><head><meta charset="utf-8"></head><body>
<div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a><a href="/about.html">关于我们</a>
<a href="/zwgk/zfwj/index.html">政府文件</a><a href="javascript:void(0)">无障碍浏览</a></div>
<div class="sidebar"><ul><li><a href="/zwgk/tzgg/">通知公告</a></li>
<li><a href="/zwgk/zcjd/">政策解读</a></li></ul></div>
<ul class="list">
  <li><a href="./202403/t20240301_1001.shtml" title="某县人民政府关于印发某某实施方案的通知"
    >某县人民政府关于印发某某…</a><span>2024-03-01</span></li>
  <li><span class="date">[03-02]</span><a href="http://www.xx.gov.cn/zwgk/zfwj/202403/t20240302_1002.html">某县人民政府办公室关于做好某项工作的通知</a></li>
  <li><a href="../../xxgk/2024/3/3/art_12_345.html">某县关于开展某项检查的通知</a> 2024年3月3日</li>
  <li><a href="/download/P020240304.pdf">某县关于某事项的公告</a><em>2024/03/04</em></li>
  <li><a href="#top">返回顶部</a></li>
</ul>
<div class="page"><a href="index.html">首页</a> <a href="index.html">上一页</a> <a href="index_1.html">2</a>
<a href="index_2.html">3</a> <a href="index_1.html">下一页</a> <a href="index_9.html">尾页</a></div>
<div class="footer"><a href="http://www.gov.cn/">中国政府网</a><a href="/sitemap.html">网站地图</a></div>
</body></html>"""


def test_default_rules_find_dated_items_and_article_links_only() -> None:
    listing = extract_listing(TRS_LISTING, BASE, LinkRules(), Pagination())
    assert [n.url for n in listing.notices] == [
        "http://www.xx.gov.cn/zwgk/zfwj/202403/t20240301_1001.shtml",
        "http://www.xx.gov.cn/zwgk/zfwj/202403/t20240302_1002.html",
        "http://www.xx.gov.cn/xxgk/2024/3/3/art_12_345.html",
        "http://www.xx.gov.cn/download/P020240304.pdf",
    ]
    assert listing.notices[0].text == "某县人民政府关于印发某某实施方案的通知"  # the full title attribute
    assert listing.pages == (
        "http://www.xx.gov.cn/zwgk/zfwj/index_1.html",
        "http://www.xx.gov.cn/zwgk/zfwj/index_2.html",
        "http://www.xx.gov.cn/zwgk/zfwj/index_9.html",
    )


def test_undated_article_links_and_table_layouts() -> None:
    html = """<table><tr><td><a href="/info/1234567.htm">关于某某工作的通知</a></td><td>2023-12-01</td></tr>
    <tr><td><a href="content.jsp?id=88">关于另一项工作的通知</a></td><td>2023-12-02</td></tr>
    <tr><td><a href="/channel/list.html">更多</a></td></tr></table>
    <p><a href="/about/contact.html">联系我们的方式说明</a></p>"""
    listing = extract_listing(html, "http://a.gov.cn/zfwj/", LinkRules(), Pagination())
    assert [n.url for n in listing.notices] == [
        "http://a.gov.cn/info/1234567.htm",
        "http://a.gov.cn/zfwj/content.jsp?id=88",
    ]


def test_create_page_html_script_pagination() -> None:
    html = '<ul></ul><script>createPageHTML(4, 0, "index", "shtml");</script>'
    listing = extract_listing(html, "http://a.gov.cn/zfwj/index.shtml", LinkRules(), Pagination())
    assert listing.pages == tuple(f"http://a.gov.cn/zfwj/index_{n}.shtml" for n in (1, 2, 3))


def test_configured_selector_and_pattern_replace_the_guesses() -> None:
    rules = LinkRules(notice_selector="ul.list li", notice_pattern=r"/t\d{8}_\d+\.s?html$")
    listing = extract_listing(TRS_LISTING, BASE, rules, Pagination(follow_links=False))
    assert [n.url.rsplit("/", 1)[1] for n in listing.notices] == [
        "t20240301_1001.shtml",
        "t20240302_1002.html",
    ]
    assert listing.pages == ()
    excluded = extract_listing(TRS_LISTING, BASE, LinkRules(exclude_pattern=r"\.pdf$"), Pagination())
    assert not any(n.url.endswith(".pdf") for n in excluded.notices)


def test_base_href_is_honoured() -> None:
    html = (
        '<head><base href="http://b.gov.cn/x/"></head>'
        '<li><a href="t20240101_1.html">关于某事的通知</a> 2024-01-01</li>'
    )
    assert extract_listing(html, "http://a.gov.cn/", LinkRules(), Pagination()).notices[0].url == (
        "http://b.gov.cn/x/t20240101_1.html"
    )


def test_attachments_by_suffix_and_by_link_text() -> None:
    html = """<div id="zoom"><p>正文</p></div><p>附件：
    <a href="./P020240301_附件1.docx">附件1</a> <a href="/files/a%20b.PDF">附件2</a>
    <a href="/down.jsp?id=9">附件3.wps</a> <a href="t20240301_2.html">相关通知</a>
    <a href="/x.xls">表格</a></p>"""
    links = extract_attachments(html, "http://a.gov.cn/zfwj/202403/t20240301_1.html", LinkRules())
    assert [link.url for link in links] == [
        "http://a.gov.cn/zfwj/202403/P020240301_附件1.docx",
        "http://a.gov.cn/files/a%20b.PDF",
        "http://a.gov.cn/down.jsp?id=9",
        "http://a.gov.cn/x.xls",
    ]


def test_decoding_gbk_utf8_and_hints() -> None:
    page = '<html><head><meta charset="gb2312"></head><body>关于印发的通知</body></html>'
    text, codec = decode_page(page.encode("gbk"))
    assert "关于印发的通知" in text and codec == "gb18030"
    text, _ = decode_page(page.replace("gb2312", "utf-8").encode("utf-8"))
    assert "关于印发的通知" in text
    no_meta = "<html><body>关于印发某某实施方案的通知，各乡镇人民政府</body></html>".encode("gbk")
    assert "实施方案" in decode_page(no_meta)[0]  # detected
    assert "实施方案" in decode_page(no_meta, hint="GBK")[0]
    assert "实施方案" in decode_page(no_meta, header_charset="gb2312")[0]
    assert "实施方案" in decode_page(no_meta, header_charset="iso-8859-1")[0]  # a default, ignored


def test_other_common_layouts() -> None:
    """Hanweb-style column: div items, no <ul>, titles without dates, ?pageNum pagination."""
    html = """<div class="main">
    <div class="item"><a href="/notice/show.html">关于做好春季防火工作的通知</a></div>
    <div class="item"><a href="/notice/a.html">某县人民政府办公室关于印发某办法的通知</a></div>
    <div class="item"><a href="/about/intro.html">县情概况介绍</a></div>
    <div class="item"><a href="/img/banner.jpg">关于我们的通知图片</a></div></div>
    <div class="pager"><a href="list.jsp?pageNum=2">2</a><a href="list.jsp?pageNum=3">3</a></div>"""
    listing = extract_listing(html, "http://c.gov.cn/col/list.jsp", LinkRules(), Pagination())
    assert [n.url for n in listing.notices] == [
        "http://c.gov.cn/notice/show.html",
        "http://c.gov.cn/notice/a.html",
    ]
    assert listing.pages == (
        "http://c.gov.cn/col/list.jsp?pageNum=2",
        "http://c.gov.cn/col/list.jsp?pageNum=3",
    )
