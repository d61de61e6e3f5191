"""Read a government-notice PDF (GB/T 9704-2012 layout) into a ``Document``.

The cascade, page by page and then over the whole file:

1. **open** — pdfplumber; encrypted, damaged, oversized files become one ``ParseError``.
2. **read pages** — pdfplumber's page objects, characters with only the attributes this reader
   reads (``_CharPage``); drop doubled "fake bold" glyphs (``dedupe_chars``), find ruled tables
   (lines strategy) and resolve their merged cells, group the remaining characters into lines
   (``parsers.pdf_layout``).
3. **strip page furniture** — page numbers (``— 3 —``, ``-3-``, ``第3页``, ``3/12``) and running
   heads/footers (the same short line at the top or bottom of most pages).
4. **assemble** — lines → paragraphs by the rules in ``_starts_paragraph``; a paragraph that runs
   over a page break is one paragraph (``end_page``); a table continued on the next page, with
   its header row repeated, is one ``Table``.
5. **normalize** — ``normalize_document`` fills ``text`` from ``raw``.

Title handling: consecutive centred lines in a title-sized font (larger than the body) of the
same size and colour are one paragraph, so a title broken over two or three lines — or printed
as ``发文机关`` on one line above ``关于…的通知`` — arrives whole for metadata extraction. Red
lines (the issuer banner, 版头) are never joined: each is its own paragraph with its colour, size
and ``centered`` set, so joint issuers stay apart.
"""

from __future__ import annotations

import itertools
import logging
import math
import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from operator import itemgetter
from pathlib import Path
from typing import Any
from unicodedata import normalize as normalize_unicode

import pdfplumber
from pdfminer.layout import LTChar, LTItem
from pdfplumber.page import FilteredPage, Page
from pdfplumber.utils.clustering import cluster_objects

from parsers.errors import ParseError
from parsers.model import Block, Cell, Document, Location, Paragraph, Table, TextStyle
from parsers.normalize import normalize_document
from parsers.pdf_layout import (
    NUMBERED_RE,
    BBox,
    Grid,
    GridCell,
    Obj,
    TextArea,
    TextLine,
    body_font_size,
    build_grid,
    centred,
    estimate_text_area,
    group_lines,
    head_width,
    is_reddish,
    join_cjk,
    starts_numbered,
    take_inside,
)

__all__ = ["PdfOptions", "parse"]


@dataclass(frozen=True, slots=True)
class PdfOptions:
    """How to read a PDF. Distances are in ems of the line's font size.

    ``indent_ems``: a line starting this far right of the text's left edge opens a paragraph
    (GB/T first-line indent is 2 characters). ``short_line_ems``: a line ending this far short
    of the right edge closes its paragraph (unless the next line's first word would not have
    fitted there). ``gap_factor``: white space above a line larger than
    this many typical line gaps opens a paragraph.
    """

    max_pages: int = 2000
    dedupe_tolerance: float = 1.0
    detect_tables: bool = True
    strip_page_furniture: bool = True
    indent_ems: float = 1.0
    short_line_ems: float = 1.5
    gap_factor: float = 1.8

    def __post_init__(self) -> None:
        if self.max_pages < 1:
            raise ValueError(f"max_pages must be at least 1, got {self.max_pages}")
        if not 0 <= self.dedupe_tolerance <= 5:
            raise ValueError(f"dedupe_tolerance must be within 0..5 pt, got {self.dedupe_tolerance}")
        for name in ("indent_ems", "short_line_ems", "gap_factor"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")


# --------------------------------------------------------------------------------------------
# Vocabulary: what page furniture and paragraph openers look like (data, not scattered literals)

_DASH = "-—–－─―‒"
PAGE_NUMBER_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"^[{_DASH}]+\d{{1,4}}[{_DASH}]+$"),  # — 3 —  -3-
    re.compile(r"^\d{1,4}$"),  # 3 (only where a page number sits, see _is_page_number)
    re.compile(r"^第\d{1,4}页(?:[,，/]?共\d{1,4}页)?$"),  # 第3页  第3页共12页
    re.compile(r"^共\d{1,4}页第\d{1,4}页$"),
    re.compile(r"^\d{1,4}/\d{1,4}$"),  # 3/12
    re.compile(r"^page\d{1,4}(?:of\d{1,4})?$", re.IGNORECASE),
)
# Line openers that always start a paragraph, besides heading numbers (NUMBERED_RE).
OPENER_RE = re.compile(
    r"^\s*(?:[—―－-]{2,}"  # ——— dash bullets
    # 附件： 附件1： and the attachment heading alone on its line (附件, 附件2); not "附件 1)，率先…"
    r"|附\s*件\s*(?:[：:]|[\d一二三四五六七八九十]*\s*$|[\d一二三四五六七八九十]+\s*[：:])"
    r"|(?:抄\s*送|主\s*送|备\s*注|注)\s*[：:])"
)
# Labels after which wrapped lines hang (GB/T 7.3.5.1: 附件名称回行与首字对齐).
LABEL_RE = re.compile(r"^\s*(?P<lead>(?:附\s*件\s*\d*\s*[：:]|抄\s*送\s*[：:]|主\s*送\s*[：:])\s*)?")
ATTACHMENT_NOTE_RE = re.compile(r"^\s*附\s*件\s*[：:]")  # 附件说明: 附件：1．…
_ENCRYPTION_ERRORS = {"PDFPasswordIncorrect", "PDFEncryptionError", "PDFEncryptionWarning"}


# --------------------------------------------------------------------------------------------
# Reading pages


@dataclass(slots=True)
class _Page:
    """One page as geometry: text lines outside tables, resolved table grids, image count."""

    number: int
    width: float
    height: float
    lines: list[TextLine]
    grids: list[Grid]
    images: int
    image_cover: float  # largest image's share of the page area (a scan covers it all)
    chars: int
    unmapped: int  # glyphs without a Unicode mapping, "(cid:123)"


def _fail(path: Path, exc: BaseException, doing: str) -> ParseError:
    """Map a pdfminer/pdfplumber exception to the ParseError the user sees."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    names = {type(inner).__name__, type(exc).__name__}
    if names & _ENCRYPTION_ERRORS:
        return ParseError(
            "encrypted", str(path), "the PDF is password-protected; save an unprotected copy and parse that"
        )
    detail = f"{type(inner).__name__}: {inner}".rstrip(": ")
    return ParseError(
        "corrupt",
        str(path),
        f"damaged or truncated PDF ({doing}: {detail}); download it again or repair it, "
        "e.g. with qpdf or by printing it to a new PDF",
    )


def _page_count(pdf: pdfplumber.PDF) -> int | None:
    """The page count from the page tree, without building a page object per page."""
    from pdfminer.pdftypes import resolve1

    try:
        count = resolve1(resolve1(pdf.doc.catalog.get("Pages")).get("Count"))
    except Exception:
        return None
    return count if isinstance(count, int) and count >= 0 else None


def _meta(pdf: pdfplumber.PDF) -> dict[str, str]:
    """The PDF info dictionary as ``pdf_<Key>`` strings."""
    out: dict[str, str] = {}
    for key, value in (pdf.metadata or {}).items():
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        elif isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        text = str(value).strip()
        if text:
            out[f"pdf_{key}"] = text
    return out


def _colour(value: Any) -> tuple[Any, ...]:
    """A graphic-state colour as pdfplumber gives it: always a tuple."""
    return value if isinstance(value, tuple) else (value,)


class _CharPage(Page):
    """A pdfplumber page whose characters carry only what this reader reads of them.

    Characters are nearly all of a notice's objects, and pdfplumber converts each one by walking
    all its attributes (matrix, colour spaces, marked-content tags …), resolving each recursively,
    into a dict of 22 keys. The reader — the doubled-glyph dedupe, the line and table-cell
    grouping, the colour and boldness of a line — reads only ``CHAR_KEYS``; ``_char_object``
    writes those, with the values pdfplumber gives them. A character whose font name is not a
    plain string (pdfplumber resolves and re-decodes it) and every other object (rules, boxes,
    images, which the table finder reads in full) go the library's way.
    """

    CHAR_KEYS = (
        "object_type", "page_number", "text", "fontname", "size", "upright",
        "x0", "x1", "top", "bottom", "doctop", "non_stroking_color",
    )  # fmt: skip

    @classmethod
    def of(cls, page: Page) -> _CharPage:
        """The same page of the same document, as a ``_CharPage``."""
        return cls(page.pdf, page.page_obj, page.page_number, page.initial_doctop)

    def process_object(self, obj: LTItem) -> dict[str, Any]:
        if type(obj) is LTChar and type(obj.fontname) is str:
            return self._char_object(obj)
        return super().process_object(obj)

    def _char_object(self, obj: LTChar) -> dict[str, Any]:
        """``Page.process_object(obj)`` of a character, restricted to ``CHAR_KEYS``."""
        text = obj.get_text()
        norm = self.pdf.unicode_norm
        mb_x0, mb_top = self.mediabox[:2]
        height = self.height
        top = (height - obj.y1) + mb_top
        return {
            "object_type": "char",
            "page_number": self.page_number,
            "text": normalize_unicode(norm, text) if norm is not None else text,
            "fontname": obj.fontname,
            "size": obj.size,
            "upright": obj.upright,
            "x0": obj.x0 + mb_x0 if mb_x0 != 0 else obj.x0,
            "x1": obj.x1 + mb_x0 if mb_x0 != 0 else obj.x1,
            "top": top,
            "bottom": (height - obj.y0) + mb_top,
            "doctop": self.initial_doctop + top,
            "non_stroking_color": _colour(obj.graphicstate.ncolor),
        }


@dataclass(slots=True)
class _PageObjects:
    """What pdfplumber gives for one page: deduplicated chars, table cell boxes, images."""

    width: float
    height: float
    chars: list[Obj]
    tables: list[list[BBox]]
    images: list[Obj]


# What makes two glyphs the same for the dedupe, and where a glyph sits.
_DEDUPE_KEY = itemgetter("upright", "text", "fontname", "size")
_POSITION = itemgetter("doctop", "x0")
_DOCTOP, _X0 = itemgetter("doctop"), itemgetter("x0")


def _unique_chars_clustered(chars: list[dict[str, Any]], tolerance: float) -> list[dict[str, Any]]:
    """``pdfplumber.utils.dedupe_chars(chars, tolerance)``: the same characters in the same order.

    The reference for ``_unique_chars``, used as is for characters with values that have no
    plain order (a non-finite coordinate, a font name that is not a string). pdfplumber puts the
    kept characters back in page order with ``sorted(kept, key=chars.index)``, a linear search per
    kept character; here the order comes from an index by identity, the same order since two
    equal characters always fall into one cluster and only the first is kept.
    """
    kept: list[dict[str, Any]] = []
    for _, group in itertools.groupby(sorted(chars, key=_DEDUPE_KEY), key=_DEDUPE_KEY):
        for y_cluster in cluster_objects(list(group), _DOCTOP, tolerance):
            for x_cluster in cluster_objects(y_cluster, _X0, tolerance):
                kept.append(min(x_cluster, key=_POSITION))  # == sorted(x_cluster, key=_POSITION)[0]
    order = {id(c): i for i, c in enumerate(chars)}
    return sorted(kept, key=lambda c: order[id(c)])


def _finite(value: Any) -> bool:
    """A plain finite number: values of this kind sort and cluster the same in any grouping."""
    return type(value) in (int, float) and math.isfinite(value)


def _plain_key(key: tuple[Any, ...]) -> bool:
    """``(upright, text, fontname, size)`` of plain types, so equal keys are exactly those a sort
    puts next to each other."""
    upright, text, fontname, size = key
    return type(upright) is bool and type(text) is str and type(fontname) is str and _finite(size)


def _chain_runs(objs: list[dict[str, Any]], key: str, tolerance: float) -> Iterator[list[dict[str, Any]]]:
    """The members of each ``cluster_objects(objs, itemgetter(key), tolerance)`` cluster: sorted by
    the value, a new run wherever a value exceeds the one before by more than ``tolerance``.

    Members come in value order, ties in input order, so the first of those with the least
    ``(doctop, x0)`` is the one pdfplumber keeps."""
    ordered = sorted(objs, key=itemgetter(key))
    run = [ordered[0]]
    last = ordered[0][key]
    for obj in ordered[1:]:
        value = obj[key]
        if value <= last + tolerance:
            run.append(obj)
        else:
            yield run
            run = [obj]
        last = value
    yield run


def _unique_chars(chars: list[dict[str, Any]], tolerance: float) -> list[dict[str, Any]]:
    """``_unique_chars_clustered``, the way a page's characters make it cheap.

    Characters are bucketed by ``(upright, text, fontname, size)`` in one pass instead of sorted
    into groups, and only buckets of two or more — the same glyph printed twice, as fake bold or
    a repeated word — are clustered by position; a character is dropped when another of its
    cluster comes first by ``(doctop, x0)``. Values outside plain numbers and strings take the
    reference path.
    """
    buckets: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for key, c in zip(map(_DEDUPE_KEY, chars), chars, strict=True):
        bucket = buckets.get(key)
        if bucket is None:
            buckets[key] = [c]
        else:
            bucket.append(c)
    if not all(map(_plain_key, buckets)):
        return _unique_chars_clustered(chars, tolerance)
    dropped: set[int] = set()
    for group in buckets.values():
        if len(group) < 2:
            continue
        if not (all(map(_finite, map(_DOCTOP, group))) and all(map(_finite, map(_X0, group)))):
            return _unique_chars_clustered(chars, tolerance)
        for y_run in _chain_runs(group, "doctop", tolerance):
            if len(y_run) < 2:
                continue
            for x_run in _chain_runs(y_run, "x0", tolerance):
                if len(x_run) > 1:
                    first = min(x_run, key=_POSITION)
                    dropped.update(id(c) for c in x_run if c is not first)
    return [c for c in chars if id(c) not in dropped]


def _dedupe_page(page: Any, tolerance: float) -> Any:
    """``page.dedupe_chars(tolerance=tolerance)`` (same page object kind), with ``_unique_chars``."""
    deduped = FilteredPage(page, lambda obj: True)
    deduped._objects = dict(page.objects)
    deduped._objects["char"] = _unique_chars(page.chars, tolerance)
    return deduped


def _extract_page(page: Any, opts: PdfOptions) -> _PageObjects:
    """All pdfplumber calls for one page (a failure here means the file is damaged)."""
    deduped = _dedupe_page(page, opts.dedupe_tolerance) if opts.dedupe_tolerance else page
    chars: list[Obj] = list(deduped.chars)
    tables: list[list[BBox]] = []
    if opts.detect_tables and chars and (page.lines or page.rects):
        settings = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
        for table in deduped.find_tables(settings):
            if len(table.cells) >= 2:  # a lone box around text is a frame, not a table
                tables.append([(float(c[0]), float(c[1]), float(c[2]), float(c[3])) for c in table.cells])
    return _PageObjects(float(page.width), float(page.height), chars, tables, list(page.images))


def _layout_page(objs: _PageObjects, number: int) -> _Page:
    """Group a page's characters into table grids and, outside the tables, text lines."""
    mapped = [c for c in objs.chars if not str(c["text"]).startswith("(cid:")]
    unmapped = len(objs.chars) - len(mapped)
    free = centred(mapped)
    grids: list[Grid] = []
    for cells in objs.tables:
        grid_box = (
            min(b[0] for b in cells),
            min(b[1] for b in cells),
            max(b[2] for b in cells),
            max(b[3] for b in cells),
        )
        mine, free = take_inside(free, grid_box)
        grids.append(build_grid(cells, mine, number))
    cover = max(((i["x1"] - i["x0"]) * (i["bottom"] - i["top"]) for i in objs.images), default=0.0)
    return _Page(
        number,
        objs.width,
        objs.height,
        group_lines([e[2] for e in free], number),
        grids,
        len(objs.images),
        min(1.0, cover / max(objs.width * objs.height, 1.0)),
        len(mapped),
        unmapped,
    )


class _LibraryWarnings(logging.Handler):
    """Collect what pdfminer logs about damage it worked around (this thread only)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            msg = record.getMessage()[:160]
            if msg not in self.messages:
                self.messages.append(msg)


@contextmanager
def _collect_library_warnings() -> Iterator[_LibraryWarnings]:
    handler = _LibraryWarnings()
    logger = logging.getLogger("pdfminer")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def _read_pages(path: Path, opts: PdfOptions) -> tuple[list[_Page], dict[str, str]]:
    """Open the file and read every page; every library failure becomes a ParseError."""
    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:
        raise _fail(path, exc, "opening") from exc
    try:
        count = _page_count(pdf)
        if count is not None and count > opts.max_pages:
            raise ParseError(
                "too_large",
                str(path),
                f"{count} pages, more than the limit of {opts.max_pages}; "
                "split the file or raise PdfOptions.max_pages",
            )
        try:
            meta = _meta(pdf)
            plumber_pages = pdf.pages
        except Exception as exc:
            raise _fail(path, exc, "reading the page tree") from exc
        if len(plumber_pages) > opts.max_pages:
            raise ParseError(
                "too_large",
                str(path),
                f"{len(plumber_pages)} pages, more than the limit of {opts.max_pages}; "
                "split the file or raise PdfOptions.max_pages",
            )
        if not plumber_pages:
            raise ParseError("corrupt", str(path), "the PDF has no pages; download it again")
        pages = []
        for number, plumber_page in enumerate(plumber_pages, start=1):
            page: Page = plumber_page
            try:
                page = _CharPage.of(plumber_page)
                objs = _extract_page(page, opts)
            except Exception as exc:
                raise _fail(path, exc, f"reading page {number}") from exc
            finally:
                page.close()
            pages.append(_layout_page(objs, number))
    finally:
        with suppress(Exception):  # closing re-walks the page tree, which may be what is broken
            pdf.stream.close()
    return pages, meta


# --------------------------------------------------------------------------------------------
# Page furniture


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _is_page_number(line: TextLine, neighbour: TextLine | None, area: TextArea) -> bool:
    """A page-number line; a bare number counts only when set apart from the body text."""
    text = _squash(line.text)
    if not any(p.match(text) for p in PAGE_NUMBER_PATTERNS):
        return False
    if text.isdigit() and neighbour is not None:
        gap = line.top - neighbour.bottom if neighbour.top < line.top else neighbour.top - line.bottom
        return gap > area.line_gap * 1.3
    return True


def _strip_furniture(pages: list[_Page], areas: dict[int, TextArea]) -> None:
    """Remove page numbers and running heads/footers in place.

    Only the first two and last two lines of a page, in its top or bottom fifth, are candidates.
    A running head is a short line (digits ignored) repeated in the same place on at least half
    of the pages with text, and set apart from the body by more than a line gap.
    """
    for pg in pages:
        area = areas[pg.number]
        lines = pg.lines
        drop: set[int] = set()
        for idx in (len(lines) - 1, len(lines) - 2, 0, 1):
            if not 0 <= idx < len(lines) or idx in drop:
                continue
            ln = lines[idx]
            at_bottom = idx >= len(lines) - 2 and ln.top > pg.height * 0.8
            at_top = idx <= 1 and ln.bottom < pg.height * 0.2
            if not (at_bottom or at_top):
                continue
            nb_idx = idx - 1 if at_bottom else idx + 1
            while nb_idx in drop:
                nb_idx += -1 if at_bottom else 1
            nb = lines[nb_idx] if 0 <= nb_idx < len(lines) else None
            if _is_page_number(ln, nb, area):
                drop.add(idx)
        pg.lines = [ln for i, ln in enumerate(lines) if i not in drop]

    with_text = [pg for pg in pages if pg.lines or pg.grids]
    if len(with_text) < 2:
        return
    seen: Counter[tuple[str, str]] = Counter()
    candidates: dict[int, list[tuple[int, tuple[str, str]]]] = {}
    for pg in with_text:
        area = areas[pg.number]
        found = []
        if pg.lines:
            first, last = pg.lines[0], pg.lines[-1]
            if first.bottom < pg.height * 0.2 and _set_apart(first, pg.lines[1:2], area, below=True):
                found.append((0, ("top", _furniture_key(first.text))))
            if (
                len(pg.lines) > 1
                and last.top > pg.height * 0.8
                and _set_apart(last, pg.lines[-2:-1], area, below=False)
            ):
                found.append((len(pg.lines) - 1, ("bottom", _furniture_key(last.text))))
        found = [(i, k) for i, k in found if _may_be_furniture(k[1])]
        candidates[pg.number] = found
        seen.update({k for _, k in found})
    threshold = max(2, (len(with_text) + 1) // 2)
    for pg in with_text:
        drop = {i for i, k in candidates[pg.number] if seen[k] >= threshold}
        if drop:
            pg.lines = [ln for i, ln in enumerate(pg.lines) if i not in drop]


def _may_be_furniture(key: str) -> bool:
    """Short, and not a sentence: body text ends with 。；！？, running heads do not."""
    return 0 < len(key) <= 40 and key[-1] not in "。；！？.;!?"


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", _squash(text))


def _set_apart(line: TextLine, others: list[TextLine], area: TextArea, *, below: bool) -> bool:
    """More white space between ``line`` and its neighbour than between body lines."""
    if not others:
        return True
    other = others[0]
    gap = other.top - line.bottom if below else line.top - other.bottom
    return gap > area.line_gap * 1.3


# --------------------------------------------------------------------------------------------
# Paragraph rules


def _centered(line: TextLine, area: TextArea) -> bool:
    """Centred in the text block; a full-width or first-line-indented body line is not."""
    em = line.size
    mid = (line.x0 + line.x1) / 2
    if abs(mid - area.middle) > max(0.6 * em, 3.0):
        return False
    titled = line.size > area.body_size + 1
    if not titled and line.x0 - area.left < 1.5 * em:
        return False  # a full line of body text, or one indented a character on both sides (版记)
    return titled or abs(line.x0 - area.left - 2 * em) > 0.25 * em


def _is_title_line(line: TextLine, area: TextArea) -> bool:
    return line.size >= area.body_size + 2 and not is_reddish(line.color)


def _hang_positions(first: TextLine) -> list[float]:
    """Where wrapped lines hang under a paragraph's first line: after ``附件：``/``抄送：`` and
    after a leading item number (``1．``), at the first character that follows."""
    m = LABEL_RE.match(first.text)
    ends = [m.end("lead")] if m and m.group("lead") else []
    start = m.end() if m else 0
    num = NUMBERED_RE.match(first.text[start:])
    if num:
        ends.append(start + num.end())
    return [first.x_at(_skip_space(first.text, e)) for e in ends if 0 < e < len(first.text)]


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _hangs(para: list[TextLine], cur: TextLine, *, attachment_list: bool = False) -> bool:
    """``cur`` continues a hanging-indent paragraph (附件说明, 抄送) rather than opening one.

    It lines up under the text after the first line's label or number, or under the line
    before (a block indent). In the 附件说明 some layouts align wrapped names under the item
    number instead, so there a line under the first line's start continues the item too.
    """
    tol = 0.4 * cur.size
    if len(para) >= 2 and abs(cur.x0 - para[-1].x0) <= tol:
        return True
    positions = _hang_positions(para[0])
    if attachment_list:
        positions.append(para[0].x0)
    return any(abs(cur.x0 - x) <= tol for x in positions)


def _ends_short(prev: TextLine, cur: TextLine, area: TextArea, opts: PdfOptions) -> bool:
    """``prev`` stops clearly short of the right edge although ``cur``'s first word would have
    fitted there: the break was a paragraph end, not a wrap."""
    room = area.right - prev.x1
    return room > opts.short_line_ems * prev.size and room >= head_width(cur) + 0.1 * prev.size


def _starts_paragraph(
    para: list[TextLine], cur: TextLine, area: TextArea, opts: PdfOptions, *, attachment_list: bool = False
) -> bool:
    """Whether ``cur`` opens a new paragraph after the lines in ``para``.

    A new paragraph starts at a jump of more than one page, a change of font size or of red,
    a centred line (except title lines joining a title), a large vertical gap, a heading number
    or opener (``———``, ``附件：``, ``抄送：``), after a line that stops short of the right edge, and
    at an indented line unless it hangs under a label of the paragraph's first line. In the
    附件说明 list (``attachment_list``) a line hanging under the name continues the item even
    after a short line: long attachment names are broken by hand.
    """
    prev = para[-1]
    if cur.page > prev.page + 1 or cur.page < prev.page:
        return True
    if abs(cur.size - prev.size) > 1.0 or is_reddish(cur.color) != is_reddish(prev.color):
        return True
    same_page = cur.page == prev.page
    if not same_page and prev.bottom < area.bottom - 1.5 * (area.line_gap + prev.size):
        return True  # the previous page has room for more lines: the paragraph ended there
    gap = cur.top - prev.bottom
    big_gap = same_page and gap > max(opts.gap_factor * area.line_gap, area.line_gap + 0.5 * cur.size)
    cur_centered, prev_centered = _centered(cur, area), _centered(prev, area)
    if cur_centered or prev_centered:
        joins_title = (
            cur_centered
            and prev_centered
            and not big_gap
            and _is_title_line(cur, area)
            and _is_title_line(prev, area)
            and abs(cur.size - prev.size) <= 0.5
            and cur.bold == prev.bold
        )
        return not joins_title
    if big_gap or (same_page and gap < -0.5 * cur.size):
        return True
    if starts_numbered(cur.text) or OPENER_RE.match(cur.text):
        return True
    if _ends_short(prev, cur, area, opts):
        return not (attachment_list and _hangs(para, cur, attachment_list=True))
    if cur.x0 - area.left > opts.indent_ems * cur.size:
        return not _hangs(para, cur, attachment_list=attachment_list)
    return False


# --------------------------------------------------------------------------------------------
# Assembly


@dataclass(slots=True)
class _TableAcc:
    """A table being assembled, possibly from pieces on consecutive pages."""

    rows: list[list[GridCell]]
    col_edges: tuple[float, ...]
    pages: list[int]
    header_rows: int
    open_at_page_end: bool = False

    @classmethod
    def start(cls, grid: Grid) -> _TableAcc:
        return cls(
            rows=[list(r) for r in grid.rows],
            col_edges=grid.col_edges,
            pages=[grid.page],
            header_rows=_header_rows(grid),
        )

    def continued_by(self, grid: Grid, first_on_page: bool) -> bool:
        """Same columns, first thing on the very next page, nothing after us on ours."""
        return (
            self.open_at_page_end
            and first_on_page
            and grid.page == self.pages[-1] + 1
            and len(grid.col_edges) == len(self.col_edges)
            and all(abs(a - b) <= 3.0 for a, b in zip(grid.col_edges, self.col_edges, strict=True))
        )

    def extend(self, grid: Grid) -> None:
        """Append a continuation: drop its repeated header rows, join a row cut by the page
        break back together (``_continues_row``), carry merged cells over (``_carry_merges``)."""
        rows = [list(r) for r in grid.rows]
        repeated = _repeated_header(self.rows, rows, self.header_rows)
        self.header_rows = max(self.header_rows, repeated)
        body = rows[repeated:]
        last = len(self.rows) - 1
        joined = bool(body) and last >= self.header_rows and _continues_row(self.rows[-1], body[0])
        offset = len(self.rows) - repeated - (1 if joined else 0)
        new = [[replace(c, origin=(c.origin[0] + offset, c.origin[1])) for c in row] for row in body]
        if joined:
            self._join_cut_row(new.pop(0), new)
        elif new and self.rows:
            _carry_merges(self.rows, new, self.header_rows)
        self.rows.extend(new)
        self.pages.append(grid.page)

    def _join_cut_row(self, piece: list[GridCell], below: list[list[GridCell]]) -> None:
        """Fold ``piece`` (the rest of the last row, cut by the page break) into that row; cells
        of later rows that belonged to the piece (spans) continue the joined cells."""
        last = len(self.rows) - 1
        for col, part in enumerate(piece):
            above = self.rows[last][col]
            if part.raw:
                text = join_cjk(above.raw, part.raw) if above.runs_into(part) else f"{above.raw}\n{part.raw}"
                merged = replace(above, raw=text, room=part.room, size=part.size)
                for row in self.rows:
                    for k, c in enumerate(row):
                        if c.origin == above.origin:
                            row[k] = merged
            cont = self.rows[last][col]
            for row in below:
                for k, c in enumerate(row):
                    if c.origin == (last, col):
                        row[k] = cont

    def to_table(self, block: int) -> Table:
        rows = tuple(
            tuple(Cell(text=c.raw, raw=c.raw, row=r, col=k, origin=c.origin) for k, c in enumerate(row))
            for r, row in enumerate(self.rows)
        )
        return Table(
            rows=rows,
            location=Location(block=block, page=self.pages[0]),
            pages=tuple(self.pages),
            header_rows=self.header_rows,
        )


def _row_texts(row: list[GridCell]) -> list[str]:
    return [_squash(c.raw) for c in row]


def _repeated_header(old: list[list[GridCell]], new: list[list[GridCell]], known: int) -> int:
    """How many leading rows of ``new`` repeat the leading rows of ``old`` (at most 3)."""
    for k in range(min(3, len(old), len(new)), 0, -1):
        if known and k > known:
            continue
        if all(_row_texts(old[i]) == _row_texts(new[i]) for i in range(k)) and any(
            any(_row_texts(new[i])) for i in range(k)
        ):
            return k
    return 0


_SENTENCE_END = frozenset("。！？；!?;")
_TRAILING_CLOSERS_RE = re.compile(r"(?:</?[A-Za-z][^<>]*>|[\s”’」』）)》〕\]])+$")
_ROW_NUMBER_RE = re.compile(r"^[（(]?\d{1,3}(?:[.．]\d{1,3})*[.．、）)]?$")


def _closes_sentence(text: str) -> bool:
    """Ends with 。！？； (closing quotes, brackets and stray markup such as ``</p>`` skipped)."""
    core = _TRAILING_CLOSERS_RE.sub("", text)
    return bool(core) and core[-1] in _SENTENCE_END


def _continues_row(last: list[GridCell], first: list[GridCell]) -> bool:
    """The first body row of a continued table is the rest of the previous page's last row,
    cut by the page break (word processors let a row break across pages).

    It is when some cell with text there sits under a full cell (``_full``: the text above
    was still going when the page ended), and no cell of it starts something new: text under
    an empty cell, under a closed sentence or repeating the text above, or a row number
    (``2``, ``2.1``) of its own. Cells that end short prove nothing either way (a list of
    units broken after a whole line)."""
    filled = [k for k, c in enumerate(first) if c.raw.strip()]
    if not filled:
        return False
    running = False
    for k in filled:
        above, piece = _squash(last[k].raw), _squash(first[k].raw)
        if not above or above == piece or _closes_sentence(above) or _ROW_NUMBER_RE.match(piece):
            return False
        running = running or _full(last, k, first[k])
    return running


def _full(row: list[GridCell], col: int, below: GridCell) -> bool:
    """``row[col]`` is filled to the right rule (no room on its last line for the first word of
    ``below``, ``GridCell.runs_into``) and down to the bottom: less than two lines of space under
    its last line, and no more than half a line more than under the lowest-reaching cell of
    the row. A short name that happens to fill a narrow column sits higher than the row's
    longest cell, so it is not full."""
    cell = row[col]
    lowest = min(c.room_below for c in row if c.raw)
    return cell.runs_into(below) and cell.room_below <= min(2 * cell.size, lowest + 0.5 * cell.size)


def _carry_merges(done: list[list[GridCell]], new: list[list[GridCell]], header_rows: int) -> None:
    """A vertically merged cell cut by the page break continues as an empty cell on the next
    page (the text is printed once, above the break). Fill an empty cell at the top of the
    continuation from the cell above when

    * the cut cell was itself merged, or the empty cell spans several rows (a merge on both
      sides of the break); or
    * the column is always filled: every other body row of the table has text in it and the
      empty cell's own row has text elsewhere. Rules are drawn around both parts of a cut
      cell, so geometry cannot tell a cut merge from a blank; a column that is never blank
      (units, deadlines, categories) is not blank exactly at a page break.

    A genuinely empty one-row cell in a column that has other blanks stays empty."""
    last = done[-1]
    first_row = len(done)
    for col, cell in enumerate(new[0]):
        above = last[col]
        if cell.raw or not above.raw or cell.origin != (first_row, col):
            continue
        span = sum(1 for row in new if row[col].origin == cell.origin)
        merged = span >= 2 or above.origin[0] != first_row - 1
        if not merged and not _always_filled(done[header_rows:], new, col, cell.origin):
            continue
        for row in new:
            for k, c in enumerate(row):
                if c.origin == cell.origin:
                    row[k] = replace(above)


def _always_filled(
    done: list[list[GridCell]], new: list[list[GridCell]], col: int, origin: tuple[int, int]
) -> bool:
    """Every body row but the empty cell's own has text in ``col`` (at least two such rows),
    and the empty cell's rows have text in some other column."""
    rows = [*done, *new]
    own = [row for row in rows if row[col].origin == origin]
    others = [row for row in rows if row[col].origin != origin]
    return (
        len(others) >= 2
        and all(row[col].raw.strip() for row in others)
        and any(c.raw.strip() for row in own for k, c in enumerate(row) if k != col)
    )


def _header_rows(grid: Grid) -> int:
    """Leading rows set in bold or in another face than the body rows (黑体 header rows)."""
    rows = grid.rows
    if len(rows) < 2:
        return 0
    n = 0
    while n < min(3, len(rows) - 1) and all(c.bold for c in rows[n] if c.raw) and any(c.raw for c in rows[n]):
        n += 1
    if n:
        return n
    body_fonts = Counter(f for f in grid.fontnames[1:] if f)
    if body_fonts and grid.fontnames[0] and grid.fontnames[0] != body_fonts.most_common(1)[0][0]:
        return 1
    # 序号 tables: a first row of labels above rows numbered 1, 2, 3 …
    first = [_squash(c.raw) for c in rows[0]]
    numbered = sum(1 for row in rows[1:] if re.fullmatch(r"\d{1,3}[.．]?", _squash(row[0].raw)))
    if all(first) and not any(re.search(r"\d", t) for t in first) and numbered >= 0.8 * (len(rows) - 1):
        return 1
    return 0


@dataclass(slots=True)
class _Assembler:
    """Walks pages in reading order and emits paragraphs and tables as blocks."""

    areas: dict[int, TextArea]
    opts: PdfOptions
    blocks: list[Block] = field(default_factory=list)
    para: list[TextLine] = field(default_factory=list)
    table: _TableAcc | None = None
    attachment_list: bool = False  # the current paragraph is an item of the 附件说明

    def flush_para(self) -> None:
        if not self.para:
            return
        lines, self.para = self.para, []
        area = self.areas[lines[0].page]
        raw = lines[0].text
        for ln in lines[1:]:
            raw = join_cjk(raw, ln.text)
        first = lines[0]
        style = TextStyle(
            bold=first.bold, centered=_centered(first, area), font_size=first.size, color=first.color
        )
        end = lines[-1].page
        self.blocks.append(
            Paragraph(
                text=raw,
                raw=raw,
                location=Location(block=len(self.blocks), page=first.page),
                style=style,
                end_page=end if end != first.page else None,
            )
        )

    def flush_table(self) -> None:
        if self.table is not None:
            self.blocks.append(self.table.to_table(len(self.blocks)))
            self.table = None

    def add_page(self, page: _Page) -> None:
        items: list[TextLine | Grid] = [*page.lines, *page.grids]
        items.sort(key=lambda it: it.top if isinstance(it, TextLine) else it.bbox[1])
        for idx, item in enumerate(items):
            last = idx == len(items) - 1
            if isinstance(item, Grid):
                self.flush_para()
                self.attachment_list = False
                if self.table is not None and self.table.continued_by(item, first_on_page=idx == 0):
                    self.table.extend(item)
                else:
                    self.flush_table()
                    self.table = _TableAcc.start(item)
                self.table.open_at_page_end = last
                continue
            self.flush_table()
            if self.para and _starts_paragraph(
                self.para, item, self.areas[item.page], self.opts, attachment_list=self.attachment_list
            ):
                self.flush_para()
            if not self.para:
                self.attachment_list = bool(ATTACHMENT_NOTE_RE.match(item.text)) or (
                    self.attachment_list and starts_numbered(item.text)
                )
            self.para.append(item)

    def finish(self) -> list[Block]:
        self.flush_para()
        self.flush_table()
        return self.blocks


def _text_areas(pages: list[_Page]) -> dict[int, TextArea]:
    """The body text block per page, estimated over all pages of the same size.

    Pages of another size (a landscape attachment with a wide table) get their own estimate;
    with too few lines of their own, the tables on them mark the text width, else the main
    block's margins are carried over to the page width.
    """
    all_lines = [ln for pg in pages for ln in pg.lines]
    body = body_font_size(all_lines)
    groups: dict[tuple[int, int], list[_Page]] = {}
    for pg in pages:
        groups.setdefault((round(pg.width), round(pg.height)), []).append(pg)
    main_width = max(groups.items(), key=lambda kv: sum(len(pg.lines) for pg in kv[1]))[0][0]
    fallback = estimate_text_area(all_lines, body)
    areas: dict[int, TextArea] = {}
    for (width, height), group in groups.items():
        lines = [ln for pg in group for ln in pg.lines]
        grids = [g for pg in group for g in pg.grids]
        area = estimate_text_area(lines, body) if len(lines) >= 6 or width == main_width else None
        if area is None and grids:
            area = TextArea(
                left=min(g.bbox[0] for g in grids),
                right=max(g.bbox[2] for g in grids),
                body_size=body,
                line_gap=fallback.line_gap if fallback else body * 0.8,
                bottom=max(g.bbox[3] for g in grids),
            )
        elif area is None and fallback is not None:
            area = replace(fallback, right=fallback.right + width - main_width)
        if area is not None:  # a sparse document still has its text block reach low on the page
            area = replace(area, bottom=max(area.bottom, 0.75 * height))
        for pg in group:
            areas[pg.number] = area or TextArea(
                left=min((ln.x0 for ln in pg.lines), default=0.0),
                right=max((ln.x1 for ln in pg.lines), default=pg.width),
                body_size=body,
                line_gap=body * 0.8,
                bottom=max((ln.bottom for ln in pg.lines), default=pg.height),
            )
    return areas


def _page_warnings(pages: list[_Page], library: list[str]) -> list[str]:
    out = [f"damaged PDF, read anyway: {msg}" for msg in library[:5]]
    for pg in pages:
        if pg.image_cover >= 0.3 and not pg.lines and not pg.grids:
            out.append(
                f"page {pg.number}: no text layer (image only); its text is missing, OCR is not supported"
            )
        if pg.unmapped:
            out.append(f"page {pg.number}: {pg.unmapped} glyphs have no Unicode mapping and were dropped")
    return out


def parse(path: Path | str, options: PdfOptions | None = None) -> Document:
    """Read ``path`` into a normalized ``Document`` (format ``"pdf"``); see the module docstring."""
    opts = options or PdfOptions()
    path = Path(path)
    if not path.is_file():
        raise ParseError("not_found", str(path), "no such file")
    if path.stat().st_size == 0:
        raise ParseError("empty", str(path), "the file is empty (0 bytes); download it again")
    with _collect_library_warnings() as library:
        pages, meta = _read_pages(path, opts)

    if not any(pg.chars for pg in pages):
        if library.messages:
            raise ParseError(
                "corrupt",
                str(path),
                f"damaged PDF, no readable text ({library.messages[0]}); download it again or repair it",
            )
        if any(pg.unmapped for pg in pages):
            raise ParseError(
                "no_text_layer",
                str(path),
                "the text uses fonts without a Unicode mapping and cannot be read; "
                "OCR is not supported, find a text version of the document",
            )
        if any(pg.images for pg in pages):
            raise ParseError(
                "no_text_layer",
                str(path),
                f"no text layer on any of its {len(pages)} pages (a scanned document); "
                "OCR is not supported, find a text version of the document",
            )
        raise ParseError("empty", str(path), f"no text and no images on any of its {len(pages)} pages")

    areas = _text_areas(pages)
    if opts.strip_page_furniture:
        _strip_furniture(pages, areas)
        areas = _text_areas(pages)  # again, without the furniture
    assembler = _Assembler(areas=areas, opts=opts)
    for pg in pages:
        assembler.add_page(pg)
    blocks = assembler.finish()
    if not blocks and any(pg.images for pg in pages):
        raise ParseError(
            "no_text_layer",
            str(path),
            "no body text, only page numbers over images (a scanned document); "
            "OCR is not supported, find a text version of the document",
        )
    doc = Document(
        path=str(path),
        format="pdf",
        blocks=tuple(blocks),
        meta=meta,
        page_count=len(pages),
        warnings=tuple(_page_warnings(pages, library.messages)),
    )
    return normalize_document(doc)
