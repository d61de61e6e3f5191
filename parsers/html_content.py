"""Main-content extraction for government web pages (the "clean → extract" stages of parsers.html).

Rules, each a named function below:

1. ``build_tree``     copy the lexbor DOM into a small Python tree, iteratively (pages nest 10 000
                      levels deep; recursion and lxml's 256-level limit both lose text), dropping
                      scripts, styles, forms' controls and comments.
2. ``is_chrome``      page chrome by tag (``nav``, ``header``, ``footer``, ``aside``) or by an
                      id/class word from ``data/html_chrome_ids.txt`` (share bars, breadcrumbs …).
3. ``find_container`` the article: an element named by ``data/html_content_ids.txt`` (``zoom``,
                      ``TRS_Editor``, ``xxgk_content`` …) holding enough of the page's text, else
                      the node reached by descending from ``<body>`` into the child that holds most
                      (≥ 80 %) of the non-link CJK text (the "densest text" rule).
4. ``Walker``         block-level elements, ``<br>`` and layout-table cells → one line each; data
                      tables → a rectangular grid with rowspan/colspan resolved; chrome lines
                      (``data/page_chrome_text.txt``) dropped; links collected.
5. ``info_labels``    ``来源:…  发布时间:…`` bars and 信息公开 label/value tables → meta, by label
                      (``data/html_info_labels.txt``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from parsers.chrome import is_chrome_line

_DATA = Path(__file__).resolve().parent / "data"

# Subtrees with no article text at all; dropped while building the tree.
DROP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "select",
        "button",
        "input",
        "textarea",
        "option",
        "canvas",
        "audio",
        "video",
        "map",
        "head",
        "link",
        "meta",
    }
)
CHROME_TAGS = frozenset({"nav", "header", "footer", "aside"})
# Elements that start and end a line of text.
BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "section",
        "article",
        "blockquote",
        "pre",
        "center",
        "form",
        "main",
        "figure",
        "figcaption",
        "address",
        "caption",
        "hr",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "body",
        "html",
        "fieldset",
        "legend",
        "details",
        "summary",
        "header",
        "footer",
        "nav",
        "aside",
    }
)
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BOLD_TAGS = frozenset({"b", "strong"})
ATTACHMENT_EXTENSIONS = (
    ".pdf",
    ".docx",
    ".doc",
    ".wps",
    ".xls",
    ".xlsx",
    ".et",
    ".zip",
    ".rar",
    ".7z",
    ".ofd",
    ".txt",
    ".csv",
    ".ppt",
    ".pptx",
)
MAX_TABLE_COLS = 1000
MAX_TABLE_CELLS = 500_000

_WS = re.compile(r"[ \t\r\n\f]+")
_NOT_CJK = re.compile(r"[^\u3400-\u9fff\uf900-\ufaff]+")
_TOKEN_SPLIT = re.compile(r"[\s_\-]+")
_CENTER_STYLE = re.compile(r"text-align\s*:\s*center", re.I)
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(bold|[6-9]00)", re.I)


def _data_lines(name: str) -> list[str]:
    lines = (_DATA / name).read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


@lru_cache(maxsize=1)
def content_ids() -> frozenset[str]:
    return frozenset(x.lower() for x in _data_lines("html_content_ids.txt"))


@lru_cache(maxsize=1)
def _chrome_ids() -> tuple[frozenset[str], tuple[str, ...]]:
    words = _data_lines("html_chrome_ids.txt")
    return (
        frozenset(w.lower() for w in words if not w.startswith("~")),
        tuple(w[1:].lower() for w in words if w.startswith("~")),
    )


@lru_cache(maxsize=1)
def info_labels() -> tuple[str, ...]:
    return tuple(sorted(_data_lines("html_info_labels.txt"), key=len, reverse=True))


# --------------------------------------------------------------------------------------------
# 1. Tree
# --------------------------------------------------------------------------------------------


@dataclass(eq=False, slots=True)
class Node:
    """An element (``tag``) or a text node (``tag == "#text"``, content in ``text``)."""

    tag: str
    attrs: dict[str, str]
    parent: Node | None
    children: list[Node] = field(default_factory=list)
    text: str = ""
    depth: int = 0
    score: int = 0  # CJK characters in the subtree outside links and chrome
    chrome: bool | None = None  # ``is_chrome``, once known (every stage asks it of the same elements)

    def get(self, name: str) -> str:
        return self.attrs.get(name, "")


def build_tree(lex_root: Any) -> Node:
    """Copy a lexbor DOM into ``Node``s without recursion."""
    root = Node("#root", {}, None)
    stack: list[tuple[Any, Node]] = [(lex_root, root)]
    while stack:
        lnode, parent = stack.pop()
        siblings = parent.children
        depth = parent.depth + 1
        child = lnode.child
        while child is not None:
            tag = child.tag or ""
            if tag == "-text":
                siblings.append(Node("#text", _NO_ATTRS, parent, [], child.text_content or "", depth))
            elif tag and not tag.startswith(("-", "!")) and tag.lower() not in DROP_TAGS:
                node = Node(tag.lower(), _attributes(child), parent, [], "", depth)
                siblings.append(node)
                stack.append((child, node))
            child = child.next
    return root


_NO_ATTRS: dict[str, str] = {}  # shared by text nodes, which have no attributes and never get any


def _attributes(lex_node: Any) -> dict[str, str]:
    """Attribute names lower-cased, missing values as empty strings."""
    attributes = lex_node.attributes
    if not attributes:
        return {}
    return {str(k).lower(): (v or "") for k, v in attributes.items()}


def iter_preorder(root: Node) -> Iterator[Node]:
    stack = [root]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def preorder(root: Node) -> list[Node]:
    """``iter_preorder`` as a list, for walks over a whole subtree (no generator step per node)."""
    out: list[Node] = []
    stack = [root]
    while stack:
        n = stack.pop()
        out.append(n)
        if n.children:
            stack.extend(reversed(n.children))
    return out


def subtree_text(node: Node) -> str:
    """All text under ``node``, whitespace collapsed."""
    parts = [n.text for n in preorder(node) if n.tag == "#text"]
    return _WS.sub(" ", "".join(parts)).strip()


def find_all(root: Node, tag: str) -> Iterator[Node]:
    return (n for n in iter_preorder(root) if n.tag == tag)


# --------------------------------------------------------------------------------------------
# 2. Chrome
# --------------------------------------------------------------------------------------------


def _id_class_values(node: Node) -> list[str]:
    return [v.lower() for v in (node.get("id"), node.get("class")) if v]


def is_chrome(node: Node) -> bool:
    """Navigation, share bars, print/close buttons, related links, footers."""
    if node.chrome is None:
        node.chrome = _is_chrome_element(node)
    return node.chrome


def _is_chrome_element(node: Node) -> bool:
    if node.tag in CHROME_TAGS:
        return True
    if "id" not in node.attrs and "class" not in node.attrs:
        return False  # most elements: nothing to look up
    words, substrings = _chrome_ids()
    for value in _id_class_values(node):
        if any(t in words for t in _TOKEN_SPLIT.split(value) if t):
            return True
        if any(s in value for s in substrings):
            return True
    return False


def _cjk_count(text: str) -> int:
    """CJK characters in ``text`` (what is left once everything else is removed)."""
    return len(_NOT_CJK.sub("", text)) if text else 0


def compute_scores(root: Node) -> None:
    """``score`` = CJK characters under each node, not counting link text or chrome."""
    order = preorder(root)
    for n in reversed(order):
        if n.tag == "#text":
            n.score = _cjk_count(n.text)
        elif not n.children or n.tag == "a" or is_chrome(n):
            n.score = 0
        else:
            n.score = sum([c.score for c in n.children])


# --------------------------------------------------------------------------------------------
# 3. Container
# --------------------------------------------------------------------------------------------


def _is_named_content(node: Node) -> bool:
    names = content_ids()
    if node.tag == "article":
        return True
    return any(t in names for value in _id_class_values(node) for t in value.split())


def find_container(root: Node) -> tuple[Node, str]:
    """The element holding the article, and the rule that chose it."""
    body = next(find_all(root, "body"), root)
    total = body.score
    if total == 0:
        return body, "empty"
    least = max(10, 0.3 * total)
    named = [
        n
        for n in preorder(body)
        if n.score >= least and n.tag != "#text" and _is_named_content(n) and not is_chrome(n)
    ]
    if named:
        best = max(n.score for n in named)
        pick = max((n for n in named if n.score >= 0.8 * best), key=lambda n: n.depth)
        return pick, "named"
    node = body
    while True:
        kids = [c for c in node.children if c.tag != "#text"]
        if not kids:
            break
        top = max(kids, key=lambda c: c.score)
        if top.score < 0.8 * node.score or top.score == 0:
            break
        node = top
    return node, "densest"


# --------------------------------------------------------------------------------------------
# 4. Lines and tables
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Line:
    text: str
    bold: bool
    centered: bool
    heading: bool


@dataclass(slots=True)
class Grid:
    cells: list[list[tuple[str, tuple[int, int]]]]
    header_rows: int
    caption: str = ""


@dataclass(slots=True)
class FoundLink:
    text: str
    href: str
    block: int  # index into the walker's output where the link's text ended up


def table_rows(table: Node) -> list[Node]:
    """The ``tr``s of this table (not of nested tables), through thead/tbody/tfoot."""
    rows: list[Node] = []
    for ch in table.children:
        if ch.tag == "tr":
            rows.append(ch)
        elif ch.tag in ("thead", "tbody", "tfoot"):
            rows.extend(c for c in ch.children if c.tag == "tr")
    return rows


def _cells(tr: Node) -> list[Node]:
    return [c for c in tr.children if c.tag in ("td", "th")]


def is_layout_table(table: Node) -> bool:
    """A table used for page layout rather than data: it wraps other tables or headings, or it
    has a single row or column (typical of whole-article wrappers)."""
    rows = table_rows(table)
    if len(rows) < 2 or max((len(_cells(r)) for r in rows), default=0) < 2:
        return True
    return any(n.tag == "table" or n.tag in HEADING_TAGS for n in preorder(table) if n is not table)


_SPAN = re.compile(r"\s*(\d+)")


def _span(value: str, default: int = 1) -> int:
    m = _SPAN.match(value) if value else None
    return int(m.group(1)) if m else default


class Walker:
    """Turns a subtree into lines and (optionally) data tables, in document order."""

    def __init__(self, *, tables: bool, chrome: bool = True) -> None:
        self.emit_tables = tables
        self.skip_chrome = chrome
        self.out: list[Line | Grid] = []
        self.links: list[FoundLink] = []
        self._buf: list[tuple[str, bool]] = []
        self._ctx: list[tuple[bool | None, bool]] = []  # (centered, heading) per open block
        self._headings = 0  # open blocks of ``_ctx`` that are headings
        self._bold = 0
        self._pending: list[FoundLink] = []  # links whose block is not known yet

    # The walk: explicit enter/exit events, no recursion.
    def walk(self, root: Node) -> list[Line | Grid]:
        stack: list[tuple[Node, bool]] = [(root, True)]
        while stack:
            node, entering = stack.pop()
            tag = node.tag
            if tag == "#text":
                if node.text:
                    self._buf.append((node.text, self._bold > 0 or self._headings > 0))
                continue
            if entering:
                if node is not root and self.skip_chrome and is_chrome(node):
                    continue
                if tag == "br":
                    self._flush()
                    continue
                if tag == "table" and self.emit_tables and not is_layout_table(node):
                    self._flush()
                    self._table(node)
                    continue
                self._enter(node)
                stack.append((node, False))
                stack.extend([(c, True) for c in reversed(node.children)])
            else:
                self._exit(node)
        self._flush()
        return self.out

    def _enter(self, node: Node) -> None:
        tag, attrs = node.tag, node.attrs
        style = attrs.get("style", "")
        if tag in BLOCK_TAGS:
            if self._buf:
                self._flush()
            align = attrs.get("align", "")
            centered: bool | None = None
            if align.lower() == "center" or tag == "center" or (style and _CENTER_STYLE.search(style)):
                centered = True
            elif align or (style and _ANY_ALIGN_STYLE.search(style)):
                centered = False
            heading = tag in HEADING_TAGS
            self._ctx.append((centered, heading))
            self._headings += heading
        if _is_bold_element(tag, style):
            self._bold += 1
        if tag == "a" and attrs.get("href", "").strip():
            self._add_link(FoundLink(subtree_text(node), attrs["href"].strip(), -1))

    def _add_link(self, link: FoundLink) -> None:
        self.links.append(link)
        self._pending.append(link)

    def _place_pending_links(self) -> None:
        """Links seen so far end up in the next block emitted (the line or table being built)."""
        for link in self._pending:
            link.block = len(self.out)
        self._pending = []

    def _exit(self, node: Node) -> None:
        tag = node.tag
        if _is_bold_element(tag, node.attrs.get("style", "")):
            self._bold -= 1
        if tag == "a":
            self._place_pending_links()
        if tag in BLOCK_TAGS:
            if self._buf:
                self._flush()
            _, heading = self._ctx.pop()
            self._headings -= heading

    def _flush(self) -> None:
        if not self._buf:
            return
        buf = self._buf
        self._buf = []
        text = _WS.sub(" ", "".join([t for t, _ in buf])).strip()
        if not text or (self.skip_chrome and is_chrome_line(text)):
            return
        centered = next((c for c, _ in reversed(self._ctx) if c is not None), False)
        heading = self._headings > 0
        self.out.append(Line(text, heading or _all_bold(buf), centered, heading))

    def _table(self, table: Node) -> None:
        caption = next((c for c in table.children if c.tag == "caption"), None)
        grid = build_grid(table, self)
        if caption is not None:
            grid.caption = subtree_text(caption)
        if any(t.strip() for row in grid.cells for t, _ in row):
            self._place_pending_links()
            self.out.append(grid)


_ANY_ALIGN_STYLE = re.compile(r"text-align\s*:", re.I)
_HTML_SPACE = " \t\r\n\f"  # what ``_WS`` matches


def _is_bold_element(tag: str, style: str) -> bool:
    return tag in BOLD_TAGS or bool(style and _BOLD_STYLE.search(style))


def _all_bold(buf: list[tuple[str, bool]]) -> bool:
    """Whether every visible character of a line (one that has some) was bold."""
    return all(bold or not text.strip(_HTML_SPACE) for text, bold in buf)


def cell_text(cell: Node, parent: Walker | None = None) -> tuple[str, bool]:
    """A cell's lines joined by newlines (nested tables flattened); and whether all is bold."""
    w = Walker(tables=False, chrome=False)
    lines = [ln for ln in w.walk(cell) if isinstance(ln, Line)]
    if parent is not None:
        for link in w.links:
            parent._add_link(FoundLink(link.text, link.href, -1))
    return "\n".join(ln.text for ln in lines), bool(lines) and all(ln.bold for ln in lines)


def build_grid(table: Node, parent: Walker | None = None) -> Grid:
    """Resolve rowspan/colspan into a rectangular grid; ragged rows are padded with empty cells
    (each its own origin); ``rowspan`` never grows the table past its last row."""
    rows = table_rows(table)
    n_rows = len(rows)
    slots: dict[tuple[int, int], tuple[str, tuple[int, int]]] = {}
    th_rows: list[bool] = []
    bold_rows: list[bool] = []
    width = 0
    for r, tr in enumerate(rows):
        c = 0
        cells = _cells(tr)
        in_thead = tr.parent is not None and tr.parent.tag == "thead"
        th_rows.append(bool(cells) and (in_thead or all(x.tag == "th" for x in cells)))
        row_bold = bool(cells)
        for cell in cells:
            while (r, c) in slots:
                c += 1
            rs = _span(cell.get("rowspan"))
            rs = n_rows - r if rs == 0 else max(1, min(rs, n_rows - r))
            cs = max(1, min(_span(cell.get("colspan")), MAX_TABLE_COLS - c))
            if c >= MAX_TABLE_COLS or len(slots) + rs * cs > MAX_TABLE_CELLS:
                break
            text, bold = cell_text(cell, parent)
            row_bold = row_bold and (bold or not text)
            for dr in range(rs):
                for dc in range(cs):
                    slots[(r + dr, c + dc)] = (text, (r, c))
            c += cs
            width = max(width, c)
        bold_rows.append(row_bold)
    grid = [[slots.get((r, c), ("", (r, c))) for c in range(width)] for r in range(n_rows)]
    header = 0
    while header < len(th_rows) and th_rows[header]:
        header += 1
    if header == 0 and grid and (bold_rows[0] or looks_like_header(grid)):
        header = 1
    return Grid(grid, header)


def looks_like_header(grid: list[list[tuple[str, tuple[int, int]]]]) -> bool:
    """First row of short, non-numeric labels above rows that carry numbers or longer text.
    (Same rule as the DOCX reader's.)"""
    if len(grid) < 2:
        return False
    first = [t.strip() for t, _ in grid[0]]
    if not all(first) or any(len(t) > 12 or re.search(r"\d", t) for t in first):
        return False
    rest = [t.strip() for row in grid[1:] for t, _ in row]
    return any(re.fullmatch(r"\d+\.?", t) or len(t) > 12 for t in rest)


# --------------------------------------------------------------------------------------------
# 5. Info labels
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _label_re() -> re.Pattern[str]:
    alts = "|".join(re.escape(x) for x in info_labels())
    return re.compile(rf"(?P<label>{alts})\s*[:：]\s*")


_VALUE_STOP = re.compile(
    r"【|\[|\||丨|\s{2,}|[\u3000\u00a0]|(?:浏览|点击|阅读|访问)(?:次数|数|量)?[:：]|字[体号][:：]|"
    r"打印|关闭|收藏|分享"
)


def labels_in_line(line: str) -> dict[str, str]:
    """``来源:县政府办 发布时间:2021-09-30 09:43:25 【字体:`` → {来源: …, 发布时间: …}."""
    found: dict[str, str] = {}
    matches = list(_label_re().finditer(line))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        value = line[m.end() : end]
        stop = _VALUE_STOP.search(value)
        if stop:
            value = value[: stop.start()]
        value = value.strip(" \t:：,，;；】]")
        if value and m.group("label") not in found:
            found[m.group("label")] = value
    return found


def is_info_line(line: str) -> bool:
    """A line that starts with an info label (``来源：``, ``发布时间：``): metadata, not body."""
    m = _label_re().match(line.strip())
    return m is not None


def info_labels_from_lines(lines: list[str]) -> dict[str, str]:
    """Labels from info bars and from label/value table cells (``索引号：`` | ``0084…``)."""
    labels = set(info_labels())
    found: dict[str, str] = {}
    for i, line in enumerate(lines):
        bare = line.strip().rstrip(":：").strip()
        if bare in labels and i + 1 < len(lines):
            nxt = lines[i + 1].strip()
            if nxt and nxt.rstrip(":：").strip() not in labels and not _label_re().match(nxt):
                found.setdefault(bare, nxt)
            continue
        for k, v in labels_in_line(line).items():
            found.setdefault(k, v)
    return found
