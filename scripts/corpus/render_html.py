"""Render a ``SourceDoc`` as a government web page.

The page carries the standard government-site ``<meta>`` tags (SiteName, SiteDomain,
ColumnName, ArticleTitle, PubDate, ContentSource, Keywords, Description …), filled only with
facts the seed shows, and generic site chrome (header, navigation, breadcrumb, info bar, share
box, footer) around the article ``<div id="zoom">``. Tables keep their merged cells as
``rowspan``/``colspan``. The bytes are encoded with ``WebPage.codec`` (GBK for 001), so a
character the codec cannot hold fails loudly instead of becoming ``?``.
"""

from __future__ import annotations

from html import escape

from scripts.corpus.model import Block, Para, Role, SourceDoc, Table, WebPage

CENTRED = {Role.BANNER, Role.TITLE, Role.DOC_NUMBER, Role.SUBTITLE}
RIGHT = {Role.SIGNATURE, Role.DATE}
NO_INDENT = {Role.RECIPIENTS, Role.ATTACHMENT_LABEL, Role.NOTE, Role.PUBLIC_OPTION, Role.CC}
NAV = ("首页", "政务公开", "政务服务", "互动交流")

CSS = """body{margin:0;font-family:"Microsoft YaHei",SimSun,sans-serif;color:#333;background:#f3f3f3}
.header{background:#b60000;color:#fff;padding:18px 0}.header .logo{font-size:30px;font-weight:bold}
.w{width:1000px;margin:0 auto}.nav{background:#d20000}.nav a{color:#fff;padding:0 24px;line-height:42px}
.crumb{line-height:40px}.main{background:#fff;padding:30px 50px}
h1{font-size:24px;text-align:center;color:#b60000;line-height:1.6}
.info{text-align:center;border-bottom:1px dashed #ccc;padding-bottom:10px;font-size:13px;color:#666}
.info span{margin:0 10px}#zoom{font-size:16px;line-height:2;padding:20px 0}
#zoom table{border-collapse:collapse;margin:0 auto}#zoom td{border:1px solid #000;padding:4px}
.share{border-top:1px solid #ddd;padding:15px 0;font-size:13px}
.footer{text-align:center;font-size:13px;color:#666;padding:20px 0;line-height:2}"""


def text_html(text: str) -> str:
    """Escape text; ``\\xa0`` becomes ``&nbsp;`` and an in-paragraph line break ``<br>``."""
    return escape(text, quote=False).replace("\xa0", "&nbsp;").replace("\n", "<br>")


def para_html(p: Para) -> str:
    if p.role is Role.SPACER:
        return f"<p>{text_html(p.text)}</p>"
    inner = text_html(p.printed_text)
    for label, href in p.links:
        anchor = f'<a href="{escape(href)}" target="_blank">{text_html(label)}</a>'
        inner = inner.replace(text_html(label), anchor, 1)
    if p.bold:
        inner = f"<strong>{inner}</strong>"
    if p.role in CENTRED:
        style = "text-align: center;"
        if p.role is Role.TITLE:
            style += " font-size: 22px;"
    elif p.role in RIGHT:
        style = "text-align: right;"
    elif p.role in NO_INDENT:
        style = ""
    else:
        style = "text-indent: 2em;"
    attr = f' style="{style}"' if style else ""
    return f"<p{attr}>{inner}</p>"


def table_html(t: Table) -> str:
    rows: dict[int, list[str]] = {r: [] for r in range(t.n_rows)}
    total = sum(t.col_widths)
    for c in t.cells:
        attrs = ""
        if c.rowspan > 1:
            attrs += f' rowspan="{c.rowspan}"'
        if c.colspan > 1:
            attrs += f' colspan="{c.colspan}"'
        if c.row == 0:
            width = sum(t.col_widths[c.col : c.col + c.colspan]) / total * 100
            attrs += f' width="{width:.0f}%"'
        align = "center" if c.row < t.header_rows or t.align[c.col] == "C" else "left"
        inner = text_html(c.text)
        if c.row < t.header_rows:
            inner = f"<strong>{inner}</strong>"
        rows[c.row].append(f'<td{attrs} valign="middle"><p align="{align}">{inner}</p></td>')
    body = "\n".join(f"<tr>{''.join(cells)}</tr>" for cells in rows.values())
    return (
        '<table border="1" cellspacing="0" cellpadding="0" width="100%">\n'
        f"<tbody>\n{body}\n</tbody>\n</table>"
    )


def block_html(b: Block) -> str:
    return para_html(b) if isinstance(b, Para) else table_html(b)


def meta_tags(w: WebPage) -> list[str]:
    if w.charset == "utf-8":
        tags = ['<meta charset="utf-8">']
    else:
        tags = [f'<meta http-equiv="Content-Type" content="text/html; charset={w.charset}">']
    pairs = [
        ("SiteName", w.site_name),
        ("SiteDomain", w.site_domain),
        ("SiteIDCode", w.site_id_code),
        ("ColumnName", w.column),
        ("ArticleTitle", w.article_title),
        ("PubDate", w.pub_date),
        ("ContentSource", w.content_source),
        ("Keywords", ",".join(w.keywords) or None),
        ("Description", w.description),
    ]
    tags += [f'<meta name="{k}" content="{escape(v)}">' for k, v in pairs if v]
    return tags


def info_bar(w: WebPage) -> str:
    """The 来源/发布时间/字体/打印 line under the article heading, as the seed shows it."""
    zoom = "".join(
        f'<a href="javascript:doZoom({size})" class="zoom-{cls}" title="{label}"></a>'
        for size, cls, label in ((20, "l", "大"), (16, "m", "中"), (14, "s", "小"))
    )
    if w.info_bar == "luxian":
        return (
            f"<span>来源:{escape(w.content_source or '')}</span> "
            f"<span>发布时间:{escape(w.pub_date_shown or '')}</span> "
            f'<span class="font">【字体:{zoom}】</span>'
        )
    if w.info_bar == "yaan":
        return (
            f"<span>来源:{escape(w.content_source or '')}</span> "
            f"<span>发布时间:{escape(w.pub_date_shown or '')}</span> "
            '<span>浏览次数:<em id="hits"></em></span> '
            f"<span>字体: [{zoom} ]</span> "
            '<a href="javascript:addFavorite()">收藏</a> '
            '<a href="javascript:window.print()">打印</a>'
        )
    return f'<span class="font">【字体:{zoom}】</span> <a href="javascript:window.print()">【打印本页】</a>'


def share_box(w: WebPage) -> list[str]:
    out = ['<div class="share">']
    for line in w.after_article:
        if line.startswith("扫一扫"):
            out.append(f'<div class="qrcode"><div id="qrcode"></div><p>{text_html(line)}</p></div>')
        elif line.startswith("分享到"):
            icons = "".join(
                f'<a href="#" class="bds_{k}" data-cmd="{k}" title="{t}"></a>'
                for k, t in (("weixin", "微信"), ("tsina", "微博"), ("qzone", "QQ空间"))
            )
            out.append(f'<div class="bdsharebuttonbox">{text_html(line)}{icons}</div>')
        else:
            out.append(f'<a href="javascript:window.print()">{text_html(line)}</a>')
    out.append("</div>")
    return out


def page_html(doc: SourceDoc) -> str:
    w = doc.web
    title = w.article_title or w.column
    lines = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        *meta_tags(w),
        f"<title>{escape(title)}_{escape(w.site_name)}</title>",
        f"<style>\n{CSS}\n</style>",
        "</head>",
        "<body>",
        f'<div class="header"><div class="w"><div class="logo">{escape(w.site_name)}</div></div></div>',
        '<div class="nav"><div class="w">'
        + "".join(f'<a href="{"/" if i == 0 else "#"}">{n}</a>' for i, n in enumerate(NAV))
        + "</div></div>",
        '<div class="w">',
        '<div class="crumb">当前位置：'
        + " &gt; ".join(f'<a href="#">{escape(c)}</a>' for c in w.breadcrumb)
        + "</div>",
        '<div class="main">',
    ]
    if w.column_heads:
        lines.append('<div class="column-head">')
        lines += [f'<div class="column-title">{escape(h)}</div>' for h in w.column_heads]
        lines.append("</div>")
    if w.heading:
        lines.append(f"<h1>{escape(w.heading)}</h1>")
    lines += [f'<div class="info">{info_bar(w)}</div>', '<div id="zoom" class="article-content">']
    lines += [block_html(b) for b in doc.blocks]
    lines.append("</div>")
    lines += share_box(w)
    lines += ["</div>", "</div>", '<div class="footer"><div class="w">']
    footer = w.footer or (f"{w.site_name} 版权所有",)  # generic when the seed shows none
    lines += [f"<p>{text_html(f)}</p>" for f in footer]
    lines += ["</div></div>", "</body>", "</html>", ""]
    return "\n".join(lines)


def render_html(doc: SourceDoc) -> bytes:
    """The page as bytes in the page's declared encoding (strict)."""
    return page_html(doc).encode(doc.web.codec, errors="strict")
