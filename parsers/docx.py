"""Read a Word (.docx) notice into the format-neutral ``Document``.

Stages: check the ZIP container (corrupt / encrypted / decompression bomb) before python-docx
opens it → walk the body XML in reading order (paragraphs, tables, content controls) → resolve
what Word renders but does not store as text (auto-numbering labels from ``numbering.xml``,
merged table cells, style inheritance) → append text boxes, headers/footers and footnotes →
``normalize_document``.

python-docx is used to open the package and find its parts; the text itself is read from the
``w:`` XML directly, because ``Paragraph.text`` skips text boxes, fields, content controls and
tracked insertions, and ``Row.cells`` hides which grid slots belong to one merged cell.

Placement of non-body text (a choice, documented here): a text box is emitted right after the
paragraph it is anchored in (part ``"textbox"``), so a banner drawn as a text box stays in reading
order; headers, then footers, then footnotes come after the body. Header/footer paragraphs that
only render a page number (a ``PAGE`` field, ``— 3 —``) are dropped. Bullets (``numFmt=bullet``)
are kept in ``TextStyle.list_label`` but not prepended to the text, because a ``•`` in front of
``附件：`` would only get in the extractors' way; numbered labels (``一、``, ``（1）``) are prepended.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from parsers.errors import ParseError
from parsers.model import (
    Block,
    Cell,
    Document,
    Location,
    Paragraph,
    Part,
    Table,
    TextStyle,
)
from parsers.normalize import normalize_document

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_RT_NUMBERING = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering"
_RT_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
_RT_FOOTNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@cache
def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


# Names read for every paragraph, run or cell, spelled out once.
_P, _TBL, _TR, _TC, _R_RUN = _w("p"), _w("tbl"), _w("tr"), _w("tc"), _w("r")
_T, _TAB, _BR, _CR, _SYM = _w("t"), _w("tab"), _w("br"), _w("cr"), _w("sym")
_TXBX = _w("txbxContent")
_SDT, _SDT_CONTENT, _CUSTOM_XML = _w("sdt"), _w("sdtContent"), _w("customXml")
_INSTR, _FLD_SIMPLE = _w("instrText"), _w("fldSimple")
_VAL, _TYPE, _CHAR, _INSTR_ATTR = _w("val"), _w("type"), _w("char"), _w("instr")
_PPR, _PSTYLE, _JC, _NUMPR, _NUMID, _ILVL = (
    _w("pPr"),
    _w("pStyle"),
    _w("jc"),
    _w("numPr"),
    _w("numId"),
    _w("ilvl"),
)
_RPR, _RSTYLE, _B, _SZ, _COLOR = _w("rPr"), _w("rStyle"), _w("b"), _w("sz"), _w("color")
_TRPR, _GRID_BEFORE, _TBL_HEADER = _w("trPr"), _w("gridBefore"), _w("tblHeader")
_TCPR, _GRID_SPAN, _VMERGE, _HMERGE = _w("tcPr"), _w("gridSpan"), _w("vMerge"), _w("hMerge")

# Subtrees of a paragraph whose text Word does not render inline (or renders elsewhere).
_SKIP_IN_PARAGRAPH = {
    _PPR,
    _RPR,
    _w("del"),
    _w("moveFrom"),
    _w("sdtPr"),
    _w("sdtEndPr"),
    f"{{{_MC}}}Fallback",  # duplicate of mc:Choice (old-Word rendering of the same shape)
}
# Characters Word renders for special run children.
_RUN_CHARS = {_TAB: "\t", _CR: "\n", _w("noBreakHyphen"): "-", _w("ptab"): "\t"}
_PAGE_FIELD = re.compile(r"\b(PAGE|NUMPAGES|SECTIONPAGES)\b")
# What may surround a page number in a header/footer: "— 3 —", "第 3 页 共 9 页", "3 / 9".
_PAGE_NUMBER_ONLY = re.compile(r"^[\s\-—–－_~·.第页共/／ofOF|]*$")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_HEX_COLOR = re.compile(r"[0-9a-f]{6}")
_HEX_CODE = re.compile(r"[0-9A-Fa-f]{4}")


@dataclass(frozen=True, slots=True)
class DocxOptions:
    """Limits and switches for the DOCX reader.

    The ZIP checks run before python-docx decompresses anything: a 40 KB file can claim gigabytes.
    ``max_ratio`` applies to entries larger than ``ratio_min_entry_bytes`` (small XML parts
    legitimately compress 50:1 or more).
    """

    max_file_bytes: int = 100 * 1024 * 1024
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_ratio: float = 200.0
    ratio_min_entry_bytes: int = 1024 * 1024
    max_entries: int = 10_000
    include_headers_footers: bool = True
    include_textboxes: bool = True
    include_footnotes: bool = True


def parse(path: Path | str, options: DocxOptions | None = None) -> Document:
    """Read one .docx file; every failure is a ``ParseError``."""
    opts = options or DocxOptions()
    p = Path(path)
    _check_container(p, opts)
    try:
        import docx

        document = docx.Document(str(p))
    except ParseError:
        raise
    except Exception as exc:  # python-docx raises KeyError, lxml, zipfile and ValueError errors
        if "Excessive depth" in str(exc):
            raise ParseError(
                "corrupt",
                str(p),
                "the document's XML is nested too deeply to be a real Word document (a damaged or "
                "hostile file); open and re-save it in Word or LibreOffice if it should be readable",
            ) from exc
        raise ParseError(
            "corrupt",
            str(p),
            f"Word could not be opened ({type(exc).__name__}: {str(exc).splitlines()[0][:200]}); the file "
            "is damaged — open and re-save it in Word or LibreOffice",
        ) from exc
    try:
        reader = _Reader(document, opts)
        doc = reader.read(str(p))
    except ParseError:
        raise
    except Exception as exc:  # malformed XML values (bad integers, missing attributes …)
        raise ParseError(
            "corrupt",
            str(p),
            f"unreadable Word content ({type(exc).__name__}: {exc}); re-save the file in Word",
        ) from exc
    return normalize_document(doc)


# --------------------------------------------------------------------------------------------
# Container checks
# --------------------------------------------------------------------------------------------


def _check_container(path: Path, opts: DocxOptions) -> None:
    """Reject what python-docx must not open: missing, empty, non-ZIP, encrypted, bombs."""
    sp = str(path)
    if not path.is_file():
        raise ParseError("not_found", sp, "no such file")
    size = path.stat().st_size
    if size == 0:
        raise ParseError("empty", sp, "the file is empty (0 bytes); download it again")
    if size > opts.max_file_bytes:
        raise ParseError("too_large", sp, f"{size} bytes is over the {opts.max_file_bytes}-byte limit")
    with path.open("rb") as fh:
        head = fh.read(8)
        if head.startswith(_OLE_MAGIC):
            data = head + fh.read()
            if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
                raise ParseError(
                    "encrypted",
                    sp,
                    "password-protected Word document; remove the password in Word "
                    "(File › Info › Protect Document) and save again",
                )
            raise ParseError(
                "mislabeled",
                sp,
                "named .docx but is a Word 97-2003 (.doc) or WPS file; convert it to "
                ".docx (e.g. with LibreOffice) and parse that",
            )
    if not head.startswith(b"PK"):
        raise ParseError("corrupt", sp, "not a ZIP container: the .docx is damaged or not a Word file")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ParseError(
            "corrupt", sp, f"damaged or truncated ZIP container ({exc}); download the file again"
        ) from exc
    names = {i.filename for i in infos}
    if "word/document.xml" not in names:
        raise ParseError(
            "corrupt", sp, "a ZIP archive without word/document.xml: not a Word document, or damaged"
        )
    if len(infos) > opts.max_entries:
        raise ParseError("too_large", sp, f"{len(infos)} ZIP entries (limit {opts.max_entries})")
    total = sum(i.file_size for i in infos)
    if total > opts.max_uncompressed_bytes:
        raise ParseError(
            "too_large",
            sp,
            f"unpacks to {total} bytes (limit {opts.max_uncompressed_bytes}); "
            "refusing a possible decompression bomb",
        )
    for info in infos:
        if info.file_size <= opts.ratio_min_entry_bytes:
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > opts.max_ratio:
            raise ParseError(
                "too_large",
                sp,
                f"entry {info.filename} expands {ratio:.0f}:1 (limit {opts.max_ratio:.0f}:1); "
                "refusing a possible decompression bomb",
            )


# --------------------------------------------------------------------------------------------
# Styles
# --------------------------------------------------------------------------------------------


def _first_child(el: Any, tag: str) -> Any:
    """``el.find(tag)`` for a plain tag name, without ``find``'s path parsing on every call."""
    return next(el.iterchildren(tag), None)


def _first_children(el: Any, tags: frozenset[str]) -> dict[str, Any]:
    """The first direct child with each of ``tags`` (what ``el.find(tag)`` gives for each tag),
    from one pass over the children: properties are read for every paragraph, run and cell."""
    found: dict[str, Any] = {}
    for child in el:
        tag = child.tag
        if tag in tags and tag not in found:
            found[tag] = child
    return found


_RUN_PROP_TAGS = frozenset({_B, _SZ, _COLOR, _RSTYLE})
_PARA_PROP_TAGS = frozenset({_PSTYLE, _JC, _NUMPR})
_NUM_REF_TAGS = frozenset({_NUMID, _ILVL})
_ROW_PROP_TAGS = frozenset({_GRID_BEFORE, _TBL_HEADER})
_CELL_PROP_TAGS = frozenset({_GRID_SPAN, _VMERGE, _HMERGE})


def _onoff(el: Any) -> bool | None:
    """A ``w:b``-like toggle: present → True unless ``w:val`` says 0/false/off."""
    if el is None:
        return None
    val = el.get(_VAL)
    return val not in ("0", "false", "off", "none")


@dataclass(slots=True)
class _RunProps:
    bold: bool | None = None
    size: float | None = None
    color: str | None = None

    def over(self, base: _RunProps) -> _RunProps:
        """These properties, falling back to ``base`` where unset."""
        return _RunProps(
            self.bold if self.bold is not None else base.bold,
            self.size if self.size is not None else base.size,
            self.color if self.color is not None else base.color,
        )


def _run_props(rpr: Any, children: dict[str, Any] | None = None) -> _RunProps:
    """Bold, size and colour set in a ``w:rPr``; ``children`` when the caller already looked
    them up (``_first_children(rpr, _RUN_PROP_TAGS)``)."""
    if rpr is None:
        return _RunProps()
    kids = _first_children(rpr, _RUN_PROP_TAGS) if children is None else children
    size = None
    sz = kids.get(_SZ)
    if sz is not None and (sz.get(_VAL) or "").isdigit():
        size = int(sz.get(_VAL)) / 2
    color = None
    c = kids.get(_COLOR)
    if c is not None:
        v = (c.get(_VAL) or "").lower()
        if _HEX_COLOR.fullmatch(v):
            color = "#" + v
    return _RunProps(_onoff(kids.get(_B)), size, color)


@dataclass(slots=True)
class _StyleInfo:
    run: _RunProps
    centered: bool | None
    num: tuple[str, int | None] | None  # (numId, ilvl) from the style's numPr


class _Styles:
    """Style properties with ``w:basedOn`` inheritance resolved (cycle-safe)."""

    def __init__(self, root: Any) -> None:
        self._raw: dict[str, Any] = {}
        self._cache: dict[str, _StyleInfo] = {}
        self.default_paragraph: str | None = None
        self.defaults = _RunProps()
        if root is None:
            return
        for st in root.iter(_w("style")):
            sid = st.get(_w("styleId"))
            if sid:
                self._raw[sid] = st
                is_default = st.get(_w("default")) in ("1", "true", "on")
                if st.get(_w("type")) == "paragraph" and is_default:
                    self.default_paragraph = sid
        dflt = root.find(f"{_w('docDefaults')}/{_w('rPrDefault')}/{_w('rPr')}")
        self.defaults = _run_props(dflt)

    def get(self, sid: str | None) -> _StyleInfo:
        if not sid or sid not in self._raw:
            return _StyleInfo(_RunProps(), None, None)
        if sid in self._cache:
            return self._cache[sid]
        chain: list[Any] = []
        cur: str | None = sid
        while cur and cur in self._raw and len(chain) < 32 and self._raw[cur] not in chain:
            chain.append(self._raw[cur])
            based = self._raw[cur].find(_w("basedOn"))
            cur = based.get(_VAL) if based is not None else None
        run = _RunProps()
        centered: bool | None = None
        num: tuple[str, int | None] | None = None
        for st in chain:  # nearest first
            run = run.over(_run_props(st.find(_w("rPr"))))
            ppr = st.find(_w("pPr"))
            if ppr is not None:
                jc = ppr.find(_JC)
                if centered is None and jc is not None:
                    centered = jc.get(_VAL) == "center"
                np_ = ppr.find(_NUMPR)
                if num is None and np_ is not None:
                    nid = np_.find(_NUMID)
                    ilvl = np_.find(_ILVL)
                    if nid is not None:
                        num = (nid.get(_VAL) or "0", _int(ilvl.get(_VAL)) if ilvl is not None else None)
        info = _StyleInfo(run, centered, num)
        self._cache[sid] = info
        return info


def _int(v: str | None, default: int = 0) -> int:
    try:
        return int(v) if v is not None else default
    except ValueError:
        return default


# --------------------------------------------------------------------------------------------
# Numbering
# --------------------------------------------------------------------------------------------

_CN_DIGITS = "〇一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
# Symbol/Wingdings bullets are stored as private-use code points.
_BULLET_MAP = {"\uf0b7": "•", "\uf0a7": "▪", "\uf06c": "●", "\uf0d8": "➢", "\uf0fc": "✓", "o": "◦"}


def _chinese_counting(n: int, digits: str = "零一二三四五六七八九", units: str = "十百千") -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 101 → 一百零一 (Word's chineseCounting)."""
    if n <= 0 or n >= 10000:
        return str(n)
    parts: list[str] = []
    s = str(n)
    zero_pending = False
    for i, ch in enumerate(s):
        d = int(ch)
        pos = len(s) - 1 - i
        if d == 0:
            zero_pending = bool(parts)
            continue
        if zero_pending:
            parts.append(digits[0])
            zero_pending = False
        if not (d == 1 and pos == 1 and not parts and digits[1] == "一"):
            parts.append(digits[d])
        if pos > 0:
            parts.append(units[pos - 1])
    return "".join(parts)


def _roman(n: int) -> str:
    if n <= 0 or n >= 4000:
        return str(n)
    vals = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ]
    out = []
    for v, s in vals:
        while n >= v:
            out.append(s)
            n -= v
    return "".join(out)


def _letter(n: int) -> str:
    """1 → A, 26 → Z, 27 → AA (Word repeats the letter)."""
    if n <= 0:
        return str(n)
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _enclosed(n: int, first: int, count: int = 20) -> str:
    return chr(first + n - 1) if 1 <= n <= count else str(n)


def _seq(n: int, chars: str) -> str:
    return chars[n - 1] if 1 <= n <= len(chars) else str(n)


def format_number(n: int, fmt: str) -> str:
    """Render counter ``n`` in a ``w:numFmt`` format (the ones Chinese notices use, and more)."""
    formats = {
        "decimal": lambda: str(n),
        "decimalZero": lambda: f"{n:02d}",
        "upperRoman": lambda: _roman(n),
        "lowerRoman": lambda: _roman(n).lower(),
        "upperLetter": lambda: _letter(n),
        "lowerLetter": lambda: _letter(n).lower(),
        "chineseCounting": lambda: _chinese_counting(n),
        "chineseCountingThousand": lambda: _chinese_counting(n),
        "taiwaneseCounting": lambda: _chinese_counting(n),
        "taiwaneseCountingThousand": lambda: _chinese_counting(n),
        "japaneseCounting": lambda: _chinese_counting(n),
        "chineseLegalSimplified": lambda: _chinese_counting(n, _CN_LEGAL, "拾佰仟"),
        "ideographDigital": lambda: "".join(_CN_DIGITS[int(d)] for d in str(n)),
        "taiwaneseDigital": lambda: "".join(_CN_DIGITS[int(d)] for d in str(n)),
        "ideographTraditional": lambda: _seq(n, _HEAVENLY_STEMS),
        "ideographZodiac": lambda: _seq(n, _EARTHLY_BRANCHES),
        "decimalEnclosedCircle": lambda: _enclosed(n, 0x2460),
        "decimalEnclosedCircleChinese": lambda: _enclosed(n, 0x2460),
        "ideographEnclosedCircle": lambda: _enclosed(n, 0x3280, 10),
        "decimalEnclosedFullstop": lambda: _enclosed(n, 0x2488),
        "decimalEnclosedParen": lambda: _enclosed(n, 0x2474),
        "decimalFullWidth": lambda: "".join(chr(0xFF10 + int(d)) for d in str(n)),
        "decimalFullWidth2": lambda: "".join(chr(0xFF10 + int(d)) for d in str(n)),
        "decimalHalfWidth": lambda: str(n),
        "none": lambda: "",
    }
    return formats.get(fmt, lambda: str(n))()


@dataclass(slots=True)
class _Level:
    start: int = 0
    fmt: str = "decimal"
    text: str = ""
    restart: int | None = None  # w:lvlRestart (1-based level); None → after any higher level
    legal: bool = False
    suffix: str = "tab"


def _parse_level(lvl: Any) -> _Level:
    def val(tag: str) -> str | None:
        el = lvl.find(_w(tag))
        return el.get(_VAL) if el is not None else None

    restart = val("lvlRestart")
    return _Level(
        start=_int(val("start"), 0),
        fmt=val("numFmt") or "decimal",
        text=val("lvlText") or "",
        restart=_int(restart) if restart is not None else None,
        legal=_onoff(lvl.find(_w("isLgl"))) or False,
        suffix=val("suff") or "tab",
    )


class _Numbering:
    """Counters for Word's auto-numbered lists, advanced in reading order.

    A ``w:num`` without overrides continues its abstract list (Word's behaviour when two
    numbering instances share one definition); one with ``w:lvlOverride`` counts on its own.
    """

    def __init__(self, root: Any) -> None:
        self._abstract: dict[str, dict[int, _Level]] = {}
        self._nums: dict[str, tuple[str, dict[int, _Level], bool]] = {}
        self._counters: dict[str, dict[int, int]] = {}
        if root is None:
            return
        for an in root.iter(_w("abstractNum")):
            aid = an.get(_w("abstractNumId")) or ""
            self._abstract[aid] = {_int(lv.get(_w("ilvl"))): _parse_level(lv) for lv in an.findall(_w("lvl"))}
        for num in root.iter(_w("num")):
            nid = num.get(_w("numId")) or ""
            aref = num.find(_w("abstractNumId"))
            aid = aref.get(_VAL) if aref is not None else ""
            base = self._abstract.get(aid or "", {})
            levels = dict(base)
            overridden = False
            for ov in num.findall(_w("lvlOverride")):
                overridden = True
                il = _int(ov.get(_w("ilvl")))
                lvl_el = ov.find(_w("lvl"))
                lvl = _parse_level(lvl_el) if lvl_el is not None else replace(levels.get(il, _Level()))
                so = ov.find(_w("startOverride"))
                if so is not None:
                    lvl.start = _int(so.get(_VAL), lvl.start)
                levels[il] = lvl
            self._nums[nid] = (aid or "", levels, overridden)

    def next_label(self, num_id: str, ilvl: int) -> tuple[str, bool, str] | None:
        """Advance the counter and return ``(label, is_bullet, suffix)``; None when not numbered."""
        if num_id in ("", "0") or num_id not in self._nums:
            return None
        aid, levels, own = self._nums[num_id]
        lvl = levels.get(ilvl)
        if lvl is None:
            return None
        key = f"num:{num_id}" if own else f"abs:{aid}"
        counters = self._counters.setdefault(key, {})
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else lvl.start
        for k in [k for k in counters if k > ilvl]:
            restart = levels[k].restart if k in levels else None
            if restart is None or (restart != 0 and ilvl < restart):
                del counters[k]
        if lvl.fmt == "bullet":
            return _BULLET_MAP.get(lvl.text, lvl.text or "•"), True, lvl.suffix
        if lvl.fmt == "none" and "%" not in lvl.text:
            return (lvl.text, False, lvl.suffix) if lvl.text else None

        def sub(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            ref = levels.get(k, _Level())
            value = counters.get(k, ref.start)
            return format_number(value, "decimal" if lvl.legal and k != ilvl else ref.fmt)

        label = re.sub(r"%([1-9])", sub, lvl.text)
        return (label, False, lvl.suffix) if label else None


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Para:
    raw: str
    style: TextStyle
    part: Part


@dataclass(slots=True)
class _Grid:
    cells: list[list[tuple[str, tuple[int, int]]]]
    header_rows: int
    part: Part


@dataclass(slots=True)
class _ParaText:
    text: str
    style: TextStyle
    textboxes: list[Any] = field(default_factory=list)
    page_field: bool = False


class _Reader:
    """Walks one opened python-docx document and collects blocks in reading order."""

    def __init__(self, document: Any, opts: DocxOptions) -> None:
        self.document = document
        self.opts = opts
        part = document.part
        self.styles = _Styles(_part_element(part, _RT_STYLES))
        self.numbering = _Numbering(_part_element(part, _RT_NUMBERING))
        self.out: list[_Para | _Grid] = []
        self.warnings: list[str] = []

    def read(self, path: str) -> Document:
        body = self.document.element.body
        self._container(body, "body", self.out)
        if self.opts.include_headers_footers:
            sections = list(body.iter(_w("sectPr")))  # one walk of the body for both kinds
            for kind in ("header", "footer"):
                for el in self._header_footer_parts(kind, sections):
                    self._container(el, kind, self.out)  # type: ignore[arg-type]
        if self.opts.include_footnotes:
            notes = _part_element(self.document.part, _RT_FOOTNOTES)
            if notes is not None:
                for fn in notes.findall(_w("footnote")):
                    if fn.get(_w("type")) in (None, "normal"):
                        self._container(fn, "footnote", self.out)
        blocks: list[Block] = []
        for item in self.out:
            loc_part = item.part
            idx = len(blocks)
            if isinstance(item, _Para):
                blocks.append(
                    Paragraph(
                        text=item.raw,
                        raw=item.raw,
                        location=Location(block=idx, part=loc_part),
                        style=item.style,
                    )
                )
            else:
                rows = tuple(
                    tuple(Cell(text=t, raw=t, row=r, col=c, origin=o) for c, (t, o) in enumerate(row))
                    for r, row in enumerate(item.cells)
                )
                blocks.append(
                    Table(
                        rows=rows, location=Location(block=idx, part=loc_part), header_rows=item.header_rows
                    )
                )
        return Document(
            path=path, format="docx", blocks=tuple(blocks), meta=self._meta(), warnings=tuple(self.warnings)
        )

    def _meta(self) -> dict[str, str]:
        meta: dict[str, str] = {}
        try:
            cp = self.document.core_properties
            if cp.title:
                meta["docx_title"] = cp.title
            if cp.author:
                meta["docx_author"] = cp.author
            if cp.created:
                meta["docx_created"] = cp.created.isoformat()
        except Exception:  # a malformed core.xml must not cost the body
            self.warnings.append("core properties (docProps/core.xml) unreadable; metadata skipped")
        return meta

    def _header_footer_parts(self, kind: str, sections: list[Any]) -> Iterator[Any]:
        """Each header/footer part once, in the order the sections (``w:sectPr``) reference them."""
        seen: set[str] = set()
        rels = self.document.part.rels
        for sect in sections:
            for ref in sect.findall(_w(f"{kind}Reference")):
                rid = ref.get(f"{{{_R}}}id")
                if not rid or rid in seen or rid not in rels:
                    continue
                seen.add(rid)
                el = _element_of(rels[rid].target_part)
                if el is not None:
                    yield el

    # -- containers (body, cell, text box, header) -------------------------------------------

    def _container(self, root: Any, part: Part, out: list[_Para | _Grid]) -> None:
        """Paragraphs and tables of a block container, content controls unwrapped, in order."""
        stack: list[Iterator[Any]] = [iter(root)]
        while stack:
            el = next(stack[-1], None)
            if el is None:
                stack.pop()
                continue
            tag = el.tag
            if tag == _P:
                pt = self._paragraph(el)
                if pt.text.strip() and not (part in ("header", "footer") and _is_page_number(pt)):
                    out.append(_Para(pt.text, pt.style, part))
                if self.opts.include_textboxes:
                    for tb in pt.textboxes:
                        self._container(tb, "textbox" if part == "body" else part, out)
            elif tag == _TBL:
                out.append(self._table(el, part))
            elif tag in (_SDT, _SDT_CONTENT, _CUSTOM_XML) or tag == _TXBX:
                stack.append(iter(el.findall(_SDT_CONTENT)) if tag == _SDT else iter(el))

    # -- paragraphs --------------------------------------------------------------------------

    def _paragraph(self, p: Any) -> _ParaText:
        ppr = _first_child(p, _PPR)
        pstyle_id = None
        direct_jc = None
        num_ref: tuple[str, int | None] | None = None
        if ppr is not None:
            props = _first_children(ppr, _PARA_PROP_TAGS)
            ps = props.get(_PSTYLE)
            pstyle_id = ps.get(_VAL) if ps is not None else None
            jc = props.get(_JC)
            direct_jc = jc.get(_VAL) if jc is not None else None
            np_ = props.get(_NUMPR)
            if np_ is not None:
                ref = _first_children(np_, _NUM_REF_TAGS)
                nid = ref.get(_NUMID)
                ilvl = ref.get(_ILVL)
                num_ref = (
                    nid.get(_VAL) if nid is not None else "",
                    _int(ilvl.get(_VAL)) if ilvl is not None else None,
                )
        pstyle = self.styles.get(pstyle_id or self.styles.default_paragraph)
        base = pstyle.run.over(self.styles.defaults)

        pieces: list[tuple[str, _RunProps]] = []
        textboxes: list[Any] = []
        instr: list[str] = []
        cur = base
        stack: list[Any] = list(reversed(list(p)))
        while stack:
            el = stack.pop()
            tag = el.tag
            if not isinstance(tag, str) or tag in _SKIP_IN_PARAGRAPH:
                continue
            if tag == _TXBX:
                textboxes.append(el)
                continue
            if tag == _R_RUN:
                cur = self._run_props(el, base)
            elif tag == _T:
                pieces.append((el.text or "", cur))
                continue
            elif tag in _RUN_CHARS:
                pieces.append((_RUN_CHARS[tag], cur))
                continue
            elif tag == _BR:
                if el.get(_TYPE) in (None, "textWrapping"):
                    pieces.append(("\n", cur))
                continue
            elif tag == _SYM:
                code = el.get(_CHAR) or ""
                if _HEX_CODE.fullmatch(code):
                    pieces.append((_BULLET_MAP.get(chr(int(code, 16)), chr(int(code, 16))), cur))
                continue
            elif tag == _INSTR:
                instr.append(el.text or "")
                continue
            elif tag == _FLD_SIMPLE:
                instr.append(el.get(_INSTR_ATTR) or "")
            stack.extend(reversed(list(el)))
        text = "".join(t for t, _ in pieces)

        # Auto-number label: direct numPr wins, else the paragraph style's.
        label = None
        if num_ref is None and pstyle.num is not None:
            num_ref = pstyle.num
        if num_ref is not None:
            num_id, ilvl = num_ref
            if ilvl is None:
                ilvl = pstyle.num[1] if pstyle.num and pstyle.num[1] is not None else 0
            rendered = self.numbering.next_label(num_id or "", ilvl)
            if rendered is not None:
                label, bullet, suffix = rendered
                if not bullet and text.strip():
                    sep = (
                        ""
                        if suffix == "nothing"
                        or _CJK.search(label[-1:])
                        or label[-1:] in "、）)．.：:"
                        or _CJK.match(text.lstrip()[:1])
                        else " "
                    )
                    text = label + sep + text.lstrip()

        runs = _aggregate_style(pieces, base)
        centered = direct_jc == "center" if direct_jc is not None else bool(pstyle.centered)
        style = TextStyle(
            bold=bool(runs.bold), centered=centered, font_size=runs.size, color=runs.color, list_label=label
        )
        page_field = any(_PAGE_FIELD.search(i) for i in instr)
        return _ParaText(text, style, textboxes, page_field)

    def _run_props(self, r: Any, base: _RunProps) -> _RunProps:
        rpr = _first_child(r, _RPR)
        if rpr is None:
            return base
        kids = _first_children(rpr, _RUN_PROP_TAGS)
        rstyle = kids.get(_RSTYLE)
        inherited = base
        if rstyle is not None:
            inherited = self.styles.get(rstyle.get(_VAL)).run.over(base)
        return _run_props(rpr, kids).over(inherited)

    # -- tables ------------------------------------------------------------------------------

    def _table(self, tbl: Any, part: Part) -> _Grid:
        """Resolve ``gridSpan``/``vMerge``/``gridBefore`` into a rectangular grid with origins."""
        grid: list[list[tuple[str, tuple[int, int]]]] = []
        bold_rows: list[bool] = []
        header_flags: list[bool] = []
        for r, tr in enumerate(_children(tbl, _TR)):
            row: list[tuple[str, tuple[int, int]]] = []
            trpr = _first_child(tr, _TRPR)
            before = 0
            is_header = False
            if trpr is not None:
                row_props = _first_children(trpr, _ROW_PROP_TAGS)
                gb = row_props.get(_GRID_BEFORE)
                before = _int(gb.get(_VAL)) if gb is not None else 0
                is_header = bool(_onoff(row_props.get(_TBL_HEADER)))
            header_flags.append(is_header)
            for _ in range(min(before, 64)):
                row.append(("", (r, len(row))))
            all_bold = True
            for tc in _children(tr, _TC):
                tcpr = _first_child(tc, _TCPR)
                span, vmerge, hmerge = 1, None, None
                if tcpr is not None:
                    cell_props = _first_children(tcpr, _CELL_PROP_TAGS)
                    gs = cell_props.get(_GRID_SPAN)
                    span = max(1, min(_int(gs.get(_VAL), 1), 64)) if gs is not None else 1
                    vm = cell_props.get(_VMERGE)
                    vmerge = (vm.get(_VAL) or "continue") if vm is not None else None
                    hm = cell_props.get(_HMERGE)
                    hmerge = (hm.get(_VAL) or "continue") if hm is not None else None
                c = len(row)
                origin: tuple[int, int] = (r, c)
                text: str | None = None
                if vmerge == "continue" and r > 0 and c < len(grid[r - 1]):
                    text, origin = grid[r - 1][c]
                elif hmerge == "continue" and row:
                    text, origin = row[-1]
                if text is None:
                    text, bold = self._cell_text(tc)
                    all_bold = all_bold and (bold or not text.strip())
                row.extend([(text, origin)] * span)
            bold_rows.append(all_bold and any(t.strip() for t, _ in row))
            grid.append(row)
        width = max((len(r) for r in grid), default=0)
        for r, row in enumerate(grid):
            while len(row) < width:
                row.append(("", (r, len(row))))
        header_rows = 0
        while header_rows < len(header_flags) and header_flags[header_rows]:
            header_rows += 1
        if header_rows == 0 and grid and (bold_rows[0] or _looks_like_header(grid)):
            header_rows = 1
        return _Grid(grid, header_rows, part)

    def _cell_text(self, tc: Any) -> tuple[str, bool]:
        """A cell's paragraphs joined by newlines; nested tables flattened one cell per line."""
        items: list[_Para | _Grid] = []
        self._container(tc, "body", items)
        lines: list[str] = []
        bold = True
        for it in items:
            if isinstance(it, _Para):
                lines.append(it.raw)
                bold = bold and it.style.bold
            else:
                seen: set[tuple[int, int]] = set()
                for row in it.cells:
                    for t, o in row:
                        if o not in seen and t.strip():
                            seen.add(o)
                            lines.append(t)
        return "\n".join(lines), bold and bool(lines)


def _looks_like_header(grid: list[list[tuple[str, tuple[int, int]]]]) -> bool:
    """First row of short, non-numeric labels above rows that carry numbers or longer text."""
    if len(grid) < 2:
        return False
    first = [t.strip() for t, _ in grid[0]]
    if not all(first) or any(len(t) > 12 or re.search(r"\d", t) for t in first):
        return False
    rest = [t.strip() for row in grid[1:] for t, _ in row]
    return any(re.fullmatch(r"\d+\.?", t) or len(t) > 12 for t in rest)


def _is_page_number(pt: _ParaText) -> bool:
    """Header/footer text that only renders a page number: ``— 3 —``, ``第 3 页``."""
    rest = re.sub(r"\d+", "", pt.text)
    if not _PAGE_NUMBER_ONLY.match(rest):
        return False
    return pt.page_field or bool(re.search(r"\d", pt.text))


def _aggregate_style(pieces: list[tuple[str, _RunProps]], base: _RunProps) -> _RunProps:
    """Paragraph style from its runs: bold when all text is bold; size/color of most characters."""
    weights: list[tuple[int, _RunProps]] = [(len(shown), p) for t, p in pieces if (shown := t.strip())]
    if not weights:
        return _RunProps(bool(base.bold), base.size, base.color)
    bold = all(bool(p.bold) for _, p in weights)
    sizes: dict[float, int] = {}
    colors: dict[str, int] = {}
    for n, p in weights:
        if p.size is not None:
            sizes[p.size] = sizes.get(p.size, 0) + n
        if p.color is not None and p.color != "#000000":
            colors[p.color] = colors.get(p.color, 0) + n
    total = sum(n for n, _ in weights)
    size = max(sizes, key=lambda s: sizes[s]) if sizes else None
    color = None
    if colors:
        best = max(colors, key=lambda c: colors[c])
        if colors[best] * 2 >= total:
            color = best
    return _RunProps(bold, size, color)


def _children(el: Any, tag: str) -> Iterator[Any]:
    """Direct children with ``tag``, looking through content controls and custom XML."""
    stack: list[Iterator[Any]] = [iter(el)]
    while stack:
        ch = next(stack[-1], None)
        if ch is None:
            stack.pop()
        elif ch.tag == tag:
            yield ch
        elif ch.tag in (_SDT, _CUSTOM_XML):
            stack.append(iter(ch.findall(_SDT_CONTENT)) if ch.tag == _SDT else iter(ch))
        elif ch.tag == _SDT_CONTENT:
            stack.append(iter(ch))


def _element_of(part: Any) -> Any:
    """The XML root of a package part (python-docx gives some parts only as bytes)."""
    el = getattr(part, "element", None)
    if el is not None:
        return el
    blob = getattr(part, "blob", None)
    if not blob:
        return None
    from docx.oxml.parser import parse_xml

    return parse_xml(blob)


def _part_element(doc_part: Any, reltype: str) -> Any:
    try:
        return _element_of(doc_part.part_related_by(reltype))
    except KeyError:
        return None
