"""Listing and notice pages → the links worth following. Selectors and patterns live here as data.

Defaults are tuned on how Chinese government sites (TRS WCM, 政府信息公开 platforms, Hanweb)
lay out a listing: notices are ``<li>``/``<tr>`` items holding one article link and a date
(``2024-03-01``, ``2024年3月1日``, ``[03-01]``); article URLs look like ``./202403/t20240301_123.shtml``,
``art_1_2.html``, ``content_9.htm``; pagination is a ``下一页`` link, ``index_1.html`` page links,
or the ``createPageHTML(total, current, "index", "shtml")`` script call. A source's ``[links]`` and
``[pagination]`` settings (CSS selectors, URL regexes) replace the guesses where a site differs.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from parsers.html import CHARSET_ALIASES
from scraper.config import LinkRules, Pagination

#: A date in the same list item as a link marks the link as a notice.
DATE = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}"  # 2024-03-01, 2024年3月1日
    r"|[\[(（【]\s*\d{1,2}[-/.]\d{1,2}\s*[\])）】]"  # [03-01]
)
#: URLs that look like one article (checked on path + query, case-insensitive).
ARTICLE_URL = re.compile(
    r"/t\d{8}_\d+\.\w+$"  # TRS: t20240301_123456.shtml
    r"|/art_\d+_\d+\.\w+$"  # Hanweb: art_1229_123.html
    r"|/(?:content|detail|article|info|show|view|doc|news)[\w-]*?[_/-]?\d+[\w-]*\.(?:s?html?|jsp|aspx?|php)$"
    r"|/\d{5,}[\w-]*\.s?html?$"  # /123456.html
    r"|[?&](?:id|articleid|docid|infoid|contentid|newsid)=\d+",
    re.I,
)
#: Link texts that read like the title of a notice (关于…的通知, …实施方案, …公告).
TITLE_WORDS = re.compile(
    r"关于|通知|公告|通告|决定|意见|办法|方案|规定|规划|批复|通报|细则|要点|纲要|条例|意见稿"
)
#: URLs that are a page (or a script rendering one), as opposed to a folder or an image.
PAGE_SUFFIX = re.compile(r"\.(?:s?html?|jsp|aspx?|php)$|[?&]\w*id=\d+", re.I)
#: Pagination by query string: ?page=2, &pageNo=3, ?curPage=2 …
PAGE_QUERY = re.compile(r"[?&](?:page|pageno|pagenum|pageindex|curpage|currentpage|pn)=\d+", re.I)
#: URLs of listing/channel pages, never notices.
LISTING_URL = re.compile(r"/(?:index|list|default)(?:_\d+)?\.\w+$|/$", re.I)
#: A link to another page of the same listing.
PAGE_URL = re.compile(r"/(?:index|list|default)_\d+\.\w+$", re.I)
NEXT_TEXT = frozenset(
    {"下一页", "下页", "后一页", "下一頁", "next", "next page", ">", ">>", "›", "»", "下一页>"}
)
PAGER_TEXT = NEXT_TEXT | {
    "上一页",
    "上页",
    "前一页",
    "首页",
    "尾页",
    "末页",
    "<",
    "<<",
    "‹",
    "«",
    "更多",
    "more",
}
#: TRS WCM pagination script: createPageHTML(pages, current, "index", "shtml").
CREATE_PAGE = re.compile(
    r"""createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*["']([\w-]+)["']\s*,\s*["'](\w+)["']"""
)
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "#")
_ITEM_TAGS = frozenset({"li", "tr", "dd", "dt", "p", "div", "td", "span", "h3", "h4"})
_MIN_TITLE = 4  # characters; shorter link texts are navigation (首页, 更多, 2)
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Link:
    """An absolute URL (fragment removed) and the text it was linked with."""

    url: str
    text: str


@dataclass(frozen=True)
class Listing:
    """What one listing page points to."""

    notices: tuple[Link, ...]
    pages: tuple[str, ...]  # further pages of the same listing


def codec_name(name: str | None) -> str | None:
    """A Python codec for a charset label (GBK family → gb18030), ``None`` if unknown."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    try:
        return codecs.lookup(CHARSET_ALIASES.get(label, label)).name
    except LookupError:
        return None


def decode_page(
    data: bytes, *, hint: str | None = None, header_charset: str | None = None
) -> tuple[str, str]:
    """Page bytes → ``(text, codec)``: the source's hint, else a clean HTTP charset, else detection.

    Detection is the HTML reader's (BOM, ``<meta charset>``, UTF-8/GB18030/Big5, charset-normalizer),
    so a page decodes the same way here as when it is parsed later. An HTTP ``ISO-8859-1`` is
    ignored: servers send it as a default, not because it is true.
    """
    codec = codec_name(hint)
    if codec:
        return data.decode(codec, errors="replace"), codec
    codec = codec_name(header_charset)
    if codec and codec not in ("latin-1", "iso8859-1", "cp1252", "ascii"):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            pass
    from parsers.html import decode_html

    text, used, _ = decode_html(data)
    return text, used


def _parser(html: str) -> LexborHTMLParser:
    return LexborHTMLParser(html)


def _base(tree: LexborHTMLParser, page_url: str) -> str:
    node = tree.css_first("base[href]")
    href = (node.attributes.get("href") or "").strip() if node is not None else ""
    return urljoin(page_url, href) if href else page_url


def absolute(href: str | None, base: str) -> str | None:
    """``href`` resolved against ``base``; ``None`` for javascript:, mailto:, bare fragments."""
    if not href:
        return None
    href = href.strip().replace("\\", "/")
    if not href or href.lower().startswith(_SKIP_SCHEMES):
        return None
    url, _ = urldefrag(urljoin(base, href))
    return url if urlsplit(url).scheme in ("http", "https") else None


def _text(node: LexborNode) -> str:
    title = (node.attributes.get("title") or "").strip()
    text = " ".join((node.text(deep=True, separator=" ", strip=True) or "").split())
    return title if len(title) > len(text) else text


def _dated_item(anchor: LexborNode) -> bool:
    """Is ``anchor`` in a list item (li, tr, div …) that holds one link and a date?"""
    node = anchor.parent
    for _ in range(3):
        if node is None or node.tag in ("ul", "ol", "table", "tbody", "body", "html"):
            return False
        if node.tag in _ITEM_TAGS:
            anchors = node.css("a[href]")
            if len(anchors) > 2:
                return False
            text = node.text(deep=True, separator=" ") or ""
            if DATE.search(text):
                return True
        node = node.parent
    return False


def _path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return unquote(parts.path) + (f"?{parts.query}" if parts.query else "")


def is_attachment_url(url: str, rules: LinkRules, text: str = "") -> bool:
    path = unquote(urlsplit(url).path).lower()
    return path.endswith(rules.attachment_suffixes) or text.strip().lower().endswith(
        rules.attachment_suffixes
    )


def _looks_like_notice(anchor: LexborNode, url: str, text: str, rules: LinkRules) -> bool:
    if text.strip().lower() in PAGER_TEXT or len(text.strip()) < _MIN_TITLE:
        return False
    if rules.listing_attachments and is_attachment_url(url, rules, text):
        return True
    where = _path_and_query(url)
    if LISTING_URL.search(urlsplit(url).path):
        return False
    if ARTICLE_URL.search(where):
        return True
    if not _CJK.search(text):
        return False
    titled = len(text) >= 6 and TITLE_WORDS.search(text) is not None and PAGE_SUFFIX.search(where) is not None
    return titled or _dated_item(anchor)


def _unique(links: list[Link]) -> tuple[Link, ...]:
    seen: dict[str, Link] = {}
    for link in links:
        seen.setdefault(link.url, link)
    return tuple(seen.values())


def _anchors(tree: LexborHTMLParser, selector: str | None) -> list[LexborNode]:
    if selector is None:
        return list(tree.css("a[href]"))
    out: list[LexborNode] = []
    for node in tree.css(selector):
        if node.tag == "a" and node.attributes.get("href"):
            out.append(node)
        else:
            out.extend(node.css("a[href]"))
    return out


def extract_listing(html: str, page_url: str, rules: LinkRules, pagination: Pagination) -> Listing:
    """Notice links and further listing pages of one listing page, in page order."""
    tree = _parser(html)
    base = _base(tree, page_url)
    exclude = re.compile(rules.exclude_pattern) if rules.exclude_pattern else None
    pattern = re.compile(rules.notice_pattern) if rules.notice_pattern else None
    explicit = rules.notice_selector is not None or pattern is not None
    notices: list[Link] = []
    for anchor in _anchors(tree, rules.notice_selector):
        url = absolute(anchor.attributes.get("href"), base)
        if url is None or url == page_url or (exclude and exclude.search(url)):
            continue
        text = _text(anchor)
        if explicit:
            if pattern is None or pattern.search(url):
                notices.append(Link(url, text))
        elif _looks_like_notice(anchor, url, text, rules):
            notices.append(Link(url, text))
    return Listing(_unique(notices), _pages(tree, html, base, page_url, pagination, exclude))


def _pages(
    tree: LexborHTMLParser,
    html: str,
    base: str,
    page_url: str,
    pagination: Pagination,
    exclude: re.Pattern[str] | None,
) -> tuple[str, ...]:
    found: list[str] = []
    if pagination.next_selector:
        found += [
            u
            for a in _anchors(tree, pagination.next_selector)
            if (u := absolute(a.attributes.get("href"), base))
        ]
    if pagination.follow_links:
        for anchor in tree.css("a[href]"):
            url = absolute(anchor.attributes.get("href"), base)
            if url is None:
                continue
            text = _text(anchor).lower()
            parts = urlsplit(url)
            paged = PAGE_URL.search(parts.path) or (parts.query and PAGE_QUERY.search("?" + parts.query))
            if text in NEXT_TEXT or text.startswith("下一页") or paged:
                found.append(url)
        for match in CREATE_PAGE.finditer(html):
            total, name, ext = int(match.group(1)), match.group(3), match.group(4)
            found += [urljoin(base, f"{name}.{ext}")]
            found += [urljoin(base, f"{name}_{n}.{ext}") for n in range(1, min(total, 1000))]
    out = [u for u in dict.fromkeys(found) if u != page_url and not (exclude and exclude.search(u))]
    return tuple(out)


def extract_attachments(html: str, page_url: str, rules: LinkRules) -> tuple[Link, ...]:
    """Links of a notice page to its attachment files (by URL suffix or by link text)."""
    tree = _parser(html)
    base = _base(tree, page_url)
    exclude = re.compile(rules.exclude_pattern) if rules.exclude_pattern else None
    out: list[Link] = []
    for anchor in _anchors(tree, rules.attachment_selector):
        url = absolute(anchor.attributes.get("href"), base)
        if url is None or (exclude and exclude.search(url)):
            continue
        text = _text(anchor)
        if is_attachment_url(url, rules, text):
            out.append(Link(url, text))
    return _unique(out)
