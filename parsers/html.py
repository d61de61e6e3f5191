"""Read a government web page (HTML) into the format-neutral ``Document``.

The cascade, stage by stage:

1. load       refuse files over ``max_bytes`` before reading them (``too_large``).
2. decode     bytes → text ourselves, because declared charsets lie: BOM, then the declared
              ``<meta charset>`` / ``http-equiv`` charset (gb2312/gbk read as gb18030, their
              superset), then charset-normalizer. Valid multi-byte UTF-8 wins over a non-UTF-8
              declaration, and a declaration that does not decode cleanly loses to one that does
              (with a warning either way).
3. parse      selectolax/lexbor (HTML5 parsing, no depth limit) → a plain Python tree
              (``parsers.html_content.build_tree``); every later stage is iterative.
4. metadata   every ``<meta name|property content>`` under its own name, ``<title>`` as
              ``html_title``, the headline shown above the article as ``html_headline``, the
              codec used as ``html_encoding``, and the page's info bar / 信息公开 table labels
              (来源, 发布时间, 索引号, 发文字号 …) under their Chinese label.
5. extract    find the article container, drop chrome, turn blocks into ``Paragraph``s and data
              tables into ``Table``s (rowspan/colspan resolved), collect links
              (see ``parsers.html_content``).
6. normalize  ``normalize_document``.

An info-bar line inside the article (``信息来源：县政府办``) goes to ``meta``, not to the body.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from parsers.errors import ParseError
from parsers.html_content import (
    ATTACHMENT_EXTENSIONS,
    FoundLink,
    Grid,
    Line,
    Node,
    Walker,
    build_tree,
    compute_scores,
    find_all,
    find_container,
    info_labels_from_lines,
    is_chrome,
    is_info_line,
    subtree_text,
)
from parsers.model import Block, Cell, Document, Link, Location, Paragraph, Table, TextStyle
from parsers.normalize import normalize_document

# Declared names → the codec that actually decodes what sites send under that name.
CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "gb_2312-80": "gb18030",
    "csgb2312": "gb18030",
    "euc-cn": "gb18030",
    "windows-936": "gb18030",
    "big5": "big5hkscs",
    "utf8": "utf-8",
    "unicode": "utf-8",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_MAX_BAD_RATIO = 0.001  # replacement characters per decoded character still called "clean"


@dataclass(frozen=True, slots=True)
class HtmlOptions:
    """``base_url`` makes relative links absolute when the page has no ``<base href>``."""

    max_bytes: int = 50 * 1024 * 1024
    base_url: str | None = None
    min_text_chars: int = 1


def parse(path: Path | str, options: HtmlOptions | None = None) -> Document:
    """Read one saved web page; every failure is a ``ParseError``."""
    opts = options or HtmlOptions()
    p = Path(path)
    sp = str(p)
    data = _load(p, opts)
    text, encoding, warnings = decode_html(data)
    try:
        doc = _read(sp, text, opts, warnings)
    except ParseError:
        raise
    except (RecursionError, MemoryError) as exc:
        raise ParseError("too_large", sp, f"page too complex to read ({type(exc).__name__})") from exc
    except Exception as exc:  # never let a parser bug stop the run without a clear line
        raise ParseError(
            "corrupt", sp, f"unreadable web page ({type(exc).__name__}: {exc}); save it again"
        ) from exc
    meta = dict(doc.meta)
    meta.setdefault("html_encoding", encoding)
    from dataclasses import replace

    return normalize_document(replace(doc, meta=meta))


# --------------------------------------------------------------------------------------------
# 1–2. Load and decode
# --------------------------------------------------------------------------------------------


def _load(p: Path, opts: HtmlOptions) -> bytes:
    sp = str(p)
    if not p.is_file():
        raise ParseError("not_found", sp, "no such file")
    size = p.stat().st_size
    if size > opts.max_bytes:
        raise ParseError(
            "too_large", sp, f"{size} bytes is over the {opts.max_bytes}-byte limit for web pages"
        )
    data = p.read_bytes()
    if not data.strip():
        raise ParseError("empty", sp, "the page is empty; download it again")
    return data


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    name = CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_charset(data: bytes) -> str | None:
    """The charset the page declares in its first 4 KB (meta charset, http-equiv, xml decl)."""
    head = data[:4096]
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return m.group(1).decode("ascii", "replace") if m else None


def _bad_ratio(data: bytes, codec: str) -> float:
    try:
        data.decode(codec)
        return 0.0
    except UnicodeDecodeError:
        text = data.decode(codec, errors="replace")
        return text.count("\ufffd") / max(len(text), 1)
    except LookupError:
        return 1.0


def decode_html(data: bytes) -> tuple[str, str, list[str]]:
    """Decode page bytes: ``(text, codec used, warnings)``."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), codec, []
    warnings: list[str] = []
    declared_raw = declared_charset(data)
    declared = _codec(declared_raw)
    if declared_raw and declared is None:
        warnings.append(f"unknown declared charset {declared_raw!r}; detected the encoding instead")
    multibyte_utf8 = _bad_ratio(data, "utf-8") == 0.0 and any(b >= 0x80 for b in data)
    if declared and declared != "utf-8" and multibyte_utf8:
        warnings.append(f"page declares {declared_raw} but is UTF-8; decoded as UTF-8")
        return data.decode("utf-8"), "utf-8", warnings
    if declared and _bad_ratio(data, declared) <= _MAX_BAD_RATIO:
        return data.decode(declared, errors="replace"), declared, warnings
    candidates = ["utf-8", "gb18030", "big5hkscs"]
    guess = _charset_normalizer_guess(data)
    if guess and guess not in candidates:
        candidates.append(guess)
    for codec in candidates:
        if codec != declared and _bad_ratio(data, codec) <= _MAX_BAD_RATIO:
            if declared:
                warnings.append(f"page declares {declared_raw} but does not decode as it; decoded as {codec}")
            return data.decode(codec, errors="replace"), codec, warnings
    codec = declared or guess or "utf-8"
    warnings.append(f"no charset decodes the page cleanly; decoded as {codec} with replacements")
    return data.decode(codec, errors="replace"), codec, warnings


def _charset_normalizer_guess(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
    except Exception:
        return None
    return _codec(best.encoding) if best is not None else None


# --------------------------------------------------------------------------------------------
# 3–5. Parse, metadata, extract
# --------------------------------------------------------------------------------------------


def _read(path: str, text: str, opts: HtmlOptions, warnings: list[str]) -> Document:
    from selectolax.lexbor import LexborHTMLParser

    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    parser = LexborHTMLParser(text)
    meta = _head_meta(parser)
    base = _base_href(parser) or opts.base_url
    root_lex = parser.root
    if root_lex is None:
        raise ParseError("empty", path, "no HTML content; the page is empty")
    root = build_tree(root_lex)
    compute_scores(root)
    container, rule = find_container(root)

    walker = Walker(tables=True)
    items = walker.walk(container)
    # Info-bar lines inside the article (信息来源：…) are metadata, not body.
    blocks: list[Block] = []
    block_of_item: list[int] = []
    info_lines: list[str] = []
    for it in items:
        if isinstance(it, Line) and is_info_line(it.text):
            block_of_item.append(len(blocks))
            info_lines.append(it.text)
            continue
        new = _to_blocks(it, len(blocks))
        block_of_item.append(len(blocks) + len(new) - 1)
        blocks.extend(new)
    headline = _headline(root, container)
    if headline:
        meta.setdefault("html_headline", headline)
    labels = info_labels_from_lines(_outside_lines(root, container) + info_lines)
    for k, v in labels.items():
        meta.setdefault(k, v)

    if sum(len(_text_of(b)) for b in blocks) < max(opts.min_text_chars, 1):
        raise ParseError(
            "empty",
            path,
            "the page has no article text (only scripts, chrome or "
            "whitespace); check that the download is the article, not a frame or a "
            "login page",
        )
    links = _links(walker.links, block_of_item, len(blocks), root, container, base)
    if rule == "densest":
        warnings.append("no known article container; used the element with the densest text")
    return Document(
        path=path,
        format="html",
        blocks=tuple(blocks),
        meta=meta,
        links=tuple(links),
        warnings=tuple(warnings),
    )


def _text_of(b: Block) -> str:
    if isinstance(b, Paragraph):
        return b.raw.strip()
    return "".join(c.raw for row in b.rows for c in row).strip()


def _head_meta(parser: object) -> dict[str, str]:
    """``<meta name|property content>`` by their own names (first non-empty wins); ``<title>``."""
    meta: dict[str, str] = {}
    for m in parser.css("meta"):  # type: ignore[attr-defined]
        attrs = {str(k).lower(): (v or "") for k, v in (m.attributes or {}).items()}
        name = (attrs.get("name") or attrs.get("property") or "").strip()
        content = attrs.get("content", "").strip()
        if name and content and name not in meta:
            meta[name] = content
    title = parser.css_first("title")  # type: ignore[attr-defined]
    if title is not None:
        t = re.sub(r"\s+", " ", title.text() or "").strip()
        if t:
            meta["html_title"] = t
    return meta


def _base_href(parser: object) -> str | None:
    base = parser.css_first("base[href]")  # type: ignore[attr-defined]
    if base is None:
        return None
    href = (base.attributes.get("href") or "").strip()
    return href or None


def _headline(root: Node, container: Node) -> str | None:
    """The article's headline as the page shows it: the last ``h1``–``h3`` before the
    container, outside chrome (kept in meta, not in the body, which starts at the container)."""
    best: str | None = None
    stack = [next(find_all(root, "body"), root)]
    while stack:
        n = stack.pop()
        if n is container:
            break
        if n.tag == "#text" or is_chrome(n):
            continue
        if n.tag in ("h1", "h2", "h3"):
            text = subtree_text(n)
            if text:
                best = text
            continue
        stack.extend(reversed(n.children))
    return best


def _outside_lines(root: Node, container: Node) -> list[str]:
    """Text lines of the page outside the article (chrome included: info bars live there)."""
    body = next(find_all(root, "body"), root)
    lines: list[str] = []
    # Walk sibling subtrees of the container's ancestors, so the article itself is skipped.
    for n in _subtrees_outside(body, container):
        w = Walker(tables=False, chrome=False)
        lines.extend(it.text for it in w.walk(n) if isinstance(it, Line))
    return lines


def _subtrees_outside(body: Node, container: Node) -> list[Node]:
    """Maximal subtrees of ``body`` that do not contain ``container``, in document order."""
    path: set[int] = set()
    n: Node | None = container
    while n is not None:
        path.add(id(n))
        n = n.parent
    if id(body) not in path:
        return [body]
    out: list[Node] = []
    stack = [body]
    while stack:
        cur = stack.pop()
        if cur is container:
            continue
        if id(cur) in path:
            stack.extend(reversed(cur.children))
        else:
            out.append(cur)
    return out


def _to_blocks(it: Line | Grid, idx: int) -> list[Block]:
    """One walker item as blocks numbered from ``idx`` (a table caption becomes a paragraph)."""
    if isinstance(it, Line):
        return [
            Paragraph(
                text=it.text,
                raw=it.text,
                location=Location(block=idx),
                style=TextStyle(bold=it.bold, centered=it.centered),
            )
        ]
    out: list[Block] = []
    if it.caption:
        out.append(
            Paragraph(
                text=it.caption, raw=it.caption, location=Location(block=idx), style=TextStyle(centered=True)
            )
        )
    rows = tuple(
        tuple(Cell(text=t, raw=t, row=r, col=c, origin=o) for c, (t, o) in enumerate(row))
        for r, row in enumerate(it.cells)
    )
    out.append(Table(rows=rows, location=Location(block=idx + len(out)), header_rows=it.header_rows))
    return out


def _resolve(href: str, base: str | None) -> str | None:
    low = href.lower()
    if not href or low.startswith(("javascript:", "#", "mailto:", "tel:", "data:")):
        return None
    return urljoin(base, href) if base else href


def _is_attachment(href: str) -> bool:
    path = href.split("?", 1)[0].split("#", 1)[0].lower()
    return path.endswith(ATTACHMENT_EXTENSIONS)


def _links(
    found: list[FoundLink],
    block_of_item: list[int],
    n_blocks: int,
    root: Node,
    container: Node,
    base: str | None,
) -> list[Link]:
    """Links inside the article, plus attachment links anywhere outside the chrome."""
    links: list[Link] = []
    seen: set[str] = set()
    last = max(n_blocks - 1, 0)
    for f in found:
        href = _resolve(f.href, base)
        if href is None or href in seen:
            continue
        seen.add(href)
        block = block_of_item[f.block] if 0 <= f.block < len(block_of_item) else last
        links.append(Link(text=f.text, href=href, location=Location(block=min(max(block, 0), last))))
    stack = [next(find_all(root, "body"), root)]
    while stack:
        n = stack.pop()
        if n is container or (n.tag != "#text" and is_chrome(n)):
            continue  # the article's own links are in ``found``
        if n.tag == "a":
            href = _resolve(n.get("href").strip(), base)
            if href and href not in seen and _is_attachment(href):
                seen.add(href)
                links.append(Link(text=subtree_text(n), href=href, location=Location(block=last)))
            continue
        stack.extend(reversed(n.children))
    return links
