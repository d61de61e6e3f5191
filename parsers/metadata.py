"""Document-level elements of a notice (GB/T 9704-2012) from a ``Document``.

Cascade, each step a named rule over the blocks of one notice:

1. ``split_forwarded``  a 转发 notice is cut where the forwarded notice's own title line starts;
   every part is extracted on its own and the forwarded ones are linked to the wrapper.
2. ``find_body_start``  the 主送机关 line (or, without one, the first running-text paragraph) ends
   the header: title and document number are looked for above it.
3. ``find_doc_number``, ``find_title``, ``find_signature`` (issuer and 成文日期),
   ``find_recipients``, ``find_attachments``, ``find_cc``, ``find_printed``, ``find_citations``.
4. Web-page facts (发布时间, 来源) from the page's metadata, kept apart from the notice's own.

Every rule reads normalized text; raw forms are kept where the record has a ``*_raw`` field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from parsers.chrome import is_chrome_line
from parsers.dates import parse_date, standalone_date
from parsers.docnumber import find_doc_numbers, is_doc_number_line
from parsers.model import Document, Location, Paragraph, Table
from parsers.record import Attachment, Citation, NoticeRecord
from parsers.text import split_outside_brackets
from parsers.vocab import word_list

# ---------------------------------------------------------------------------------------------
# Vocabulary-backed predicates


def _doc_type_suffix(text: str) -> str | None:
    """The 文种 a title ends with (``通知``, ``实施方案`` …), ignoring closing punctuation."""
    stripped = text.rstrip("》>〉\"”'’ ")
    for word in word_list("doc_types"):
        if stripped.endswith(word):
            return word
    return None


_PUNCT = re.compile(r"[，,。；;：:！？!?、“”\"]")
_BANNER_SUFFIX = re.compile(r"(文件|公报|函)$")


def is_organ_name(text: str) -> bool:
    """A short line that is one or more organ names (an issuer banner or a signature)."""
    text = _BANNER_SUFFIX.sub("", text.strip()) if text.strip().endswith("文件") else text.strip()
    if not 2 <= len(text) <= 60 or _PUNCT.search(text) or re.search(r"\d", text):
        return False
    parts = [p for p in re.split(r"[ 　]+", text) if p]
    return all(p.endswith(word_list("organ_suffixes")) for p in parts)


def canonical_title(title: str) -> str:
    """A title reduced for matching: no brackets, quotes, spaces; parentheses one width."""
    title = re.sub(r"[《》<>〈〉“”\"'‘’\s]", "", title)
    return title.replace("（", "(").replace("）", ")")


# ---------------------------------------------------------------------------------------------
# Paragraph access


@dataclass(frozen=True, slots=True)
class _Para:
    index: int  # position among the segment's blocks
    text: str
    raw: str
    location: Location
    block: Paragraph


def _paragraphs(blocks: Sequence[Paragraph | Table]) -> list[_Para]:
    """The paragraphs with text, page chrome left out (a web page converted to Word or PDF
    brings its navigation, breadcrumb and footer lines along as paragraphs)."""
    return [
        _Para(i, b.text, b.raw, b.location, b)
        for i, b in enumerate(blocks)
        if isinstance(b, Paragraph) and b.text.strip() and not _is_page_chrome(b.text)
    ]


def _is_page_chrome(text: str) -> bool:
    """A chrome phrase (a lone punctuation mark is a broken line of the notice, not chrome)."""
    return bool(re.search(r"[\w\u3400-\u9fff]", text)) and is_chrome_line(text)


def _is_red(color: str | None) -> bool:
    if not color or not re.fullmatch(r"#[0-9a-fA-F]{6}", color):
        return False
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return r >= 0xB0 and g <= 0x70 and b <= 0x70


def is_banner(paras: Sequence[_Para], k: int) -> bool:
    """The 发文机关标志: an organ line printed red, or as ``…文件``, or right above the 发文字号."""
    p = paras[k]
    if not is_organ_name(p.text):
        return False
    nxt = paras[k + 1].text if k + 1 < len(paras) else ""
    return _is_red(p.block.style.color) or p.text.strip().endswith("文件") or bool(is_doc_number_line(nxt))


_RECIPIENT_WORDS = (
    "各",
    "人民政府",
    "部门",
    "单位",
    "机构",
    "委员会",
    "办公室",
    "办公厅",
    "局",
    "厅",
    "政府",
    "管委会",
    "街道",
    "乡",
    "镇",
)
_CHROME_LINE = re.compile(r"^(来源|发布时间|发布日期|信息来源|文章来源|浏览次数|字体|【|索引号|分享)")


def _is_recipients_line(p: _Para) -> bool:
    t = p.text.strip()
    if not t.endswith((":", "：")) or len(t) > 300 or t.startswith(("附件", "抄送")):
        return False
    if _CHROME_LINE.match(t):
        return False
    return any(w in t for w in _RECIPIENT_WORDS)


def find_body_start(paras: Sequence[_Para], limit: int = 15) -> int:
    """Index (into ``paras``) of the 主送机关 line, else of the first running-text paragraph."""
    for k, p in enumerate(paras[:limit]):
        if _is_recipients_line(p):
            return k
    for k, p in enumerate(paras[:limit]):
        t = p.text
        if len(t) > 50 and re.search(r"[，,。；;]", t) and not _CHROME_LINE.match(t):
            return k
    return 0


# ---------------------------------------------------------------------------------------------
# Rules


def find_doc_number(paras: Sequence[_Para], body_start: int) -> tuple[str, str, int] | None:
    """(normalized, raw, k) of the notice's own 发文字号: a line of its own above the body."""
    for k, p in enumerate(paras[: body_start + 1]):
        found = is_doc_number_line(p.text)
        if found:
            raw_found = find_doc_numbers(p.raw.replace("\n", ""))
            raw = raw_found[0].raw if raw_found else found.raw
            return found.normalized, raw, k
    return None


_TITLE_STOP = re.compile(r"^(附件|抄送|来源|发布时间)")


def find_title(paras: Sequence[_Para], body_start: int, skip: set[int]) -> tuple[str, int] | None:
    """(title, k of its first line): 发文机关 + 关于… + 文种, joined over broken lines.

    The issuer printed on its own line above ``关于…`` (or as a ``…文件`` banner) is prepended, so
    the title reads as other documents cite it.
    """
    header = [(k, p) for k, p in enumerate(paras[:body_start]) if k not in skip]
    header = [(k, p) for k, p in header if not _CHROME_LINE.match(p.text) and not standalone_date(p.text)]
    for pos, (k, p) in enumerate(header):
        if "关于" not in p.text or _TITLE_STOP.match(p.text):
            continue
        lines = [p.text]
        first_k = k
        if p.text.startswith("关于") and pos > 0 and is_organ_name(header[pos - 1][1].text):
            banner = header[pos - 1][1].text.strip()
            lines.insert(0, re.sub(r"文件$", "", banner))
            first_k = header[pos - 1][0]
        last = k
        for k2, p2 in header[pos + 1 :]:
            if _doc_type_suffix("".join(lines)) or k2 != last + 1 or len("".join(lines)) > 150:
                break
            lines.append(p2.text)
            last = k2
        title = "".join(lines).replace(" ", "")
        if _doc_type_suffix(title):
            return title, first_k
    # No 关于 title: the plan title standing above the body (e.g. …实施方案), possibly wrapped.
    lines = []
    first_k = -1
    for k, p in header:
        short_label = not lines and len(p.text) < 7 and not _doc_type_suffix(p.text)
        if is_organ_name(p.text) or len(p.text) > 80 or short_label:
            if lines:
                break
            continue
        if first_k < 0:
            first_k = k
        lines.append(p.text)
        if _doc_type_suffix("".join(lines)):
            break
    title = "".join(lines).replace(" ", "")
    doc_type = _doc_type_suffix(title)
    if title and doc_type and len(title) - len(doc_type) >= 4:
        return title, first_k
    return None


def find_signature(paras: Sequence[_Para], body_start: int) -> tuple[str | None, dt.date, str] | None:
    """(issuer or None, 成文日期, raw date) from the first date line after the body starts.

    The signature is the organ-name line right above the date (a seal may sit between them in
    the original; readers give it no text).
    """
    for k in range(body_start, len(paras)):
        date = standalone_date(paras[k].text)
        if date is None:
            continue
        issuer = None
        if k > 0 and is_organ_name(paras[k - 1].text):
            issuer = paras[k - 1].text.strip()
        return issuer, date, paras[k].raw.strip()
    return None


_TOP_LEVEL_SEP = "，,;；"


def split_top_level(text: str, seps: str = _TOP_LEVEL_SEP) -> list[str]:
    """Split at separators outside any parentheses (``县(市、区)`` stays whole)."""
    return split_outside_brackets(text, seps, " 。.")


def find_recipients(paras: Sequence[_Para], body_start: int) -> tuple[str, ...]:
    if body_start < len(paras) and _is_recipients_line(paras[body_start]):
        return tuple(split_top_level(paras[body_start].text.strip().rstrip(":：")))
    return ()


_ATTACH_NOTE = re.compile(r"^[-•·\s]*附件[:：]\s*(?P<rest>.*)$")
# 附件：如说明 / 详如说明 / 无 — a pointer, not an attachment's title (a Taiwan 函 writes them so).
_NOT_A_TITLE = re.compile(r"^(?:如|详如|详见|见)(?:说明|文|主旨|附件)|^无$")
_ATTACH_LABEL = re.compile(r"^附件\s*(?P<n>\d{1,2})?\s*[:：]?\s*$")
_ITEM = re.compile(r"^[-•·\s]*(?P<n>\d{1,2})\s*[.．、]\s*(?P<title>.+)$")


def _split_numbered(text: str) -> list[tuple[int, str]]:
    """``1．甲 2．乙`` → [(1, 甲), (2, 乙)], cutting only where the numbers count up."""
    items: list[tuple[int, str]] = []
    m = re.match(r"\s*1\s*[.．、]\s*", text)
    if not m:
        return []
    rest = text[m.end() :]
    n = 1
    while True:
        nxt = re.search(rf"(?<!\d){n + 1}\s*[.．、]\s*", rest)
        if not nxt:
            items.append((n, rest.strip()))
            return items
        items.append((n, rest[: nxt.start()].strip()))
        rest = rest[nxt.end() :]
        n += 1


def find_attachments(paras: Sequence[_Para]) -> tuple[Attachment, ...]:
    """Attachments named in the 附件说明, or by their bodies' ``附件N`` labels when unnamed."""
    labels: dict[int | None, int] = {}
    for k, p in enumerate(paras):
        m = _ATTACH_LABEL.match(p.text)
        if m:
            labels.setdefault(int(m.group("n")) if m.group("n") else None, k)
    named: list[tuple[int | None, str, Location]] = []
    for k, p in enumerate(paras):
        m = _ATTACH_NOTE.match(p.text)
        if not m:
            continue
        rest = m.group("rest").strip()
        numbered = _split_numbered(rest)
        if not numbered:
            if rest and not _NOT_A_TITLE.match(rest):
                named.append((None, rest, p.location))
            break
        for n, title in numbered:
            named.append((n, title, p.location))
        expected = numbered[-1][0] + 1
        for p2 in paras[k + 1 :]:
            item = _ITEM.match(p2.text)
            if item and int(item.group("n")) == expected:
                named.append((expected, item.group("title").strip(), p2.location))
                expected += 1
            elif (
                not item
                and not p2.block.style.centered
                and named
                and len(p2.text) <= 30
                and not _ATTACH_LABEL.match(p2.text)
                and not standalone_date(p2.text)
                and not is_organ_name(p2.text)
                and not _doc_type_suffix(named[-1][1])
                and not named[-1][1].endswith(")")
            ):
                n_last, title, loc = named[-1]
                named[-1] = (n_last, title + p2.text.strip(), loc)
            else:
                break
        break
    if named:
        return tuple(
            Attachment(
                n,
                title,
                (n in labels)
                or (n == 1 and None in labels and len(named) == 1)
                or (n is None and None in labels),
                loc,
            )
            for n, title, loc in named
        )
    # Unnamed in the note: take each body's title, the line after its label.
    out: list[Attachment] = []
    for label_number, k in sorted(labels.items(), key=lambda kv: kv[1]):
        if k + 1 < len(paras):
            out.append(Attachment(label_number, paras[k + 1].text.strip(), True, paras[k + 1].location))
    return tuple(out)


def find_cc(paras: Sequence[_Para]) -> tuple[str, ...]:
    for k, p in enumerate(paras):
        m = re.match(r"^抄送[:：]\s*(?P<rest>.*)$", p.text)
        if m:
            text = m.group("rest")
            # The list may wrap over following lines (a PDF line, a Word line break); it ends
            # with 。 or at the next element such as the 印发 line.
            for nxt in paras[k + 1 : k + 4]:
                if text.rstrip().endswith("。") or len(nxt.text) >= 80 or _PRINTED.match(nxt.text.strip()):
                    break
                text += nxt.text
            return tuple(split_top_level(text, "，,、;；"))
    return ()


_PRINTED = re.compile(r"^(?P<organ>\S.*?)\s*(?P<date>\d{4}年\d{1,2}月\d{1,2}日)\s*印发$")


def find_printed(paras: Sequence[_Para]) -> tuple[str | None, dt.date | None]:
    for p in paras:
        m = _PRINTED.match(p.text.strip())
        if m:
            return m.group("organ").strip() or None, parse_date(m.group("date"))
    return None, None


def _book_titles(text: str) -> Iterator[tuple[str, int, int]]:
    """Outermost 《…》 spans (nested 《〈〉》/《<>》 allowed): (inner text, start, end)."""
    if "《" not in text:
        return
    depth = 0
    start = -1
    for i, ch in enumerate(text):
        if ch == "《":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "》" and depth:
            depth -= 1
            if depth == 0:
                yield text[start + 1 : i], start, i + 1


def _citations_in(text: str, raw: str, location: Location) -> list[Citation]:
    out: list[Citation] = []
    numbers = find_doc_numbers(text)
    raw_line = raw.replace("\n", "")
    raw_numbers = {d.normalized: d.raw for d in (numbers if raw_line == text else find_doc_numbers(raw_line))}
    used: set[int] = set()
    for title, _start, end in _book_titles(text):
        paired = None
        for d in numbers:
            gap = text[end : d.start]
            if d.start >= end and re.fullmatch(r"\s*[（(]?\s*", gap):
                paired = d
                break
        if paired:
            used.add(paired.start)
        out.append(
            Citation(
                doc_number=paired.normalized if paired else None,
                doc_number_raw=raw_numbers.get(paired.normalized, paired.raw) if paired else None,
                title=title.strip(),
                location=location,
            )
        )
    for d in numbers:
        if d.start not in used:
            out.append(Citation(d.normalized, raw_numbers.get(d.normalized, d.raw), None, location))
    return out


BASIS = re.compile(r"(按照|根据|依据|依照|贯彻落实|为落实|落实).{0,400}?(要求|精神|部署|规定|安排)")
PURPOSE = re.compile(r"制定|结合.{0,10}实际|通知如下|意见如下")


def _is_basis(citation: Citation, text: str) -> bool:
    """The citation stands in a sentence that names what the notice implements."""
    for sentence in re.split(r"(?<=。)", text):
        cited_here = bool(citation.title and citation.title in sentence) or bool(
            citation.doc_number and citation.doc_number in sentence
        )
        if cited_here and BASIS.search(sentence) and PURPOSE.search(sentence):
            return True
    return False


def find_citations(blocks: Sequence[Paragraph | Table]) -> tuple[Citation, ...]:
    """Every document cited by 《title》, by number, or both (``《…》（国办发〔2019〕54号）``).

    ``basis`` marks the ones cited where the notice names what it implements, e.g. ``按照《…》
    （川办函〔2021〕57号）要求，结合我市实际，特制定本方案`` — the templates a plan carries out.
    """
    out: list[Citation] = []
    for b in blocks:
        if isinstance(b, Paragraph):
            out.extend(
                replace(c, basis=_is_basis(c, b.text)) for c in _citations_in(b.text, b.raw, b.location)
            )
        else:
            for row in b.rows:
                for c in row:
                    if not c.is_continuation and _may_cite(c.text):
                        loc = replace(b.location, row=c.row, col=c.col)
                        out.extend(_citations_in(c.text, c.raw, loc))
    return tuple(out)


def _may_cite(text: str) -> bool:
    """Whether ``text`` can hold a citation at all: a 《title》 or a number (which ends in 号/號)."""
    return "《" in text or "号" in text or "號" in text


# ---------------------------------------------------------------------------------------------
# Web-page facts

_PUB_DATE_KEYS = ("PubDate", "pubdate", "发布时间", "发布日期", "publishdate", "firstpublishedtime")
_SOURCE_KEYS = ("ContentSource", "contentsource", "来源", "信息来源", "文章来源", "source")


def _first_meta(meta: dict[str, str], keys: Sequence[str]) -> str | None:
    for key in keys:
        value = meta.get(key)
        if value and value.strip():
            return value.strip()
    return None


def title_from_meta(meta: dict[str, str]) -> str | None:
    """A notice title from ``ArticleTitle`` or ``<title>`` (site name after ``_``/``|`` dropped).

    Only a value that reads as a title counts: a column label such as ``办文通知`` does not.
    """
    for key in ("标题", "ArticleTitle", "articletitle", "html_title"):
        value = meta.get(key)
        if not value:
            continue
        candidate = re.split(r"[_|｜]| - ", value)[0].strip()
        doc_type = _doc_type_suffix(candidate)
        if candidate != meta.get("ColumnName") and doc_type and len(candidate) - len(doc_type) >= 6:
            return candidate
    return None


def web_facts(meta: dict[str, str]) -> tuple[str | None, str | None]:
    """(publication date as ISO ``YYYY-MM-DD``, source) from a page's metadata."""
    raw_date = _first_meta(meta, _PUB_DATE_KEYS)
    date = parse_date(raw_date) if raw_date else None
    return (date.isoformat() if date else None), _first_meta(meta, _SOURCE_KEYS)


# ---------------------------------------------------------------------------------------------
# Forwarding notices


def split_forwarded(doc: Document) -> list[tuple[int, int]]:
    """Block ranges: the notice itself, then each notice it forwards (转发).

    A forwarding notice says 转发 before its own date line; each forwarded notice starts at a
    title line (… 关于 … + 文种) standing after that date.
    """
    blocks = doc.blocks
    paras = _paragraphs(blocks)
    body = find_body_start(paras)
    sig = next((k for k in range(body, len(paras)) if standalone_date(paras[k].text)), None)
    if sig is None or not any("转发" in p.text for p in paras[body:sig]):
        return [(0, len(blocks))]
    starts = []
    for p in paras[sig + 1 :]:
        t = p.text.replace(" ", "")
        if (
            "关于" in t
            and len(t) <= 120
            and _doc_type_suffix(t)
            and not _PUNCT.search(t)
            and not t.startswith(("附件", "关于"))
        ):
            starts.append(p.index)
    if not starts:
        return [(0, len(blocks))]
    bounds = [0, *starts, len(blocks)]
    return list(pairwise(bounds))


def _segment_id(doc_id: str, blocks: Sequence[Paragraph | Table]) -> str:
    text = "\n".join(
        b.text if isinstance(b, Paragraph) else "\t".join(c.text for r in b.rows for c in r) for b in blocks
    )
    return hashlib.sha256(f"{doc_id}\n{text}".encode()).hexdigest()[:16]


# ---------------------------------------------------------------------------------------------
# Orchestration


_LABELLED = re.compile(
    r"^(?P<label>发文字号|文号|发文日期|成文日期|受文者|受文单位|主送机关|主送|主旨|事由|正本|副本|抄送)"
    r"\s*[:：]\s*(?P<value>.*)$"
)


def labelled_fields(paras: Sequence[_Para], blocks: Sequence[Paragraph | Table] = ()) -> dict[str, str]:
    """Header fields written as ``label：value``, first of each: as lines (a Taiwan 函 is made of
    them: 发文日期, 发文字号, 受文者, 主旨, 正本, 副本) or as label/value cells of an info table
    (the 索引号 / 发文机关 / 标题 / 发文字号 / 成文日期 table government portals print above a notice)."""
    out: dict[str, str] = {}
    for p in paras:
        m = _LABELLED.match(p.text.strip())
        if m and m.group("value").strip():
            out.setdefault(m.group("label"), m.group("value").strip())
    for table in (b for b in blocks[:8] if isinstance(b, Table)):
        for row in table.rows:
            cells = [c.text for c in row if not c.is_continuation]
            for label, value in pairwise(cells):
                key = re.sub(r"[\s\u3000:：]", "", label)
                if key in _INFO_LABELS and value.strip() and not value.strip().endswith(("：", ":")):
                    out.setdefault(key, value.strip())
    return out


_INFO_LABELS = frozenset({"发文字号", "文号", "发文日期", "成文日期", "发文机关", "标题", "主送机关"})

_BANNER_WITH_TYPE = re.compile(r"^(?P<organ>.+?)\s*(?:函|令|公告|通告|书函|开会通知单)$")


def banner_issuer(paras: Sequence[_Para]) -> str | None:
    """The issuer of a notice headed ``台北市政府 函``: an organ name followed by the 文种."""
    for p in paras[:3]:
        m = _BANNER_WITH_TYPE.match(p.text.strip())
        if m and is_organ_name(m.group("organ")):
            return m.group("organ").strip()
    return None


def _extract_segment(doc: Document, doc_id: str, *, web: bool) -> NoticeRecord:
    paras = _paragraphs(doc.blocks)
    warnings: list[str] = list(doc.warnings)
    body = find_body_start(paras)
    number = find_doc_number(paras, body)
    meta = dict(doc.meta)
    doc_number = number[0] if number else None
    doc_number_raw = number[1] if number else None
    if not number and web:
        raw_meta_number = _first_meta(meta, ("发文字号", "文号"))
        found = find_doc_numbers(raw_meta_number or "")
        if found:
            doc_number, doc_number_raw = found[0].normalized, found[0].raw
    skip = {number[2]} if number else set()
    title_found = find_title(paras, body, skip)
    title = title_found[0] if title_found else None
    if title is None and web:
        title = title_from_meta(meta)
        if title:
            warnings.append("title taken from the page's metadata")
    signature = find_signature(paras, body)
    issuer = None
    if title and "关于" in title and not title.startswith("关于"):
        issuer = title.split("关于")[0]
    if signature and signature[0] and not issuer:
        issuer = signature[0]
    if not issuer and paras and body > 0 and is_banner(paras, 0):
        issuer = re.sub(r"文件$", "", paras[0].text.strip())
    signing_date = signature[1] if signature else None
    signing_date_raw = signature[2] if signature else None
    if signing_date is None and web and (meta_date := _first_meta(meta, ("成文日期",))):
        signing_date = parse_date(meta_date)
    fields = labelled_fields(paras, doc.blocks)
    if doc_number is None and (labelled_number := fields.get("发文字号") or fields.get("文号")):
        found = find_doc_numbers(labelled_number)
        if found:
            doc_number, doc_number_raw = found[0].normalized, found[0].raw
    if signing_date is None and (labelled_date := fields.get("发文日期") or fields.get("成文日期")):
        signing_date, signing_date_raw = parse_date(labelled_date), labelled_date
    if not issuer:
        issuer = banner_issuer(paras)
    if not issuer:
        issuer = fields.get("发文机关") or (_first_meta(meta, ("发文机关", "发文机构")) if web else None)
    if title is None and (labelled_title := fields.get("标题")):
        title = labelled_title
    if title is None and (subject := fields.get("主旨") or fields.get("事由")):
        title = subject
        warnings.append("no title line; the subject (主旨) stands as the title")
    recipients = find_recipients(paras, body)
    if not recipients and (
        labelled_to := fields.get("受文者")
        or fields.get("主送机关")
        or fields.get("主送")
        or fields.get("受文单位")
        or fields.get("正本")
    ):
        recipients = tuple(split_top_level(labelled_to, "，,、;；"))
    cc = find_cc(paras)
    if not cc and (copies := fields.get("副本")):
        cc = tuple(split_top_level(copies, "，,、;；"))
    publication_date, source = web_facts(meta) if web else (None, None)
    printed_by, printed_date = find_printed(paras)
    if doc_number is None:
        warnings.append("no document number (发文字号) found")
    if title is None:
        warnings.append("no title found")
    if signing_date is None:
        warnings.append("no signing date (成文日期) found")
    return NoticeRecord(
        doc_id=doc_id,
        path=doc.path,
        format=doc.format,
        doc_number=doc_number,
        doc_number_raw=doc_number_raw,
        issuer=issuer,
        title=title,
        recipients=recipients,
        signing_date=signing_date,
        signing_date_raw=signing_date_raw,
        publication_date=publication_date,
        source=source,
        attachments=find_attachments(paras),
        citations=find_citations(doc.blocks),
        cc=cc,
        printed_by=printed_by,
        printed_date=printed_date,
        document=doc,
        warnings=tuple(warnings),
    )


def extract_record(doc: Document, doc_id: str) -> NoticeRecord:
    """The notice's record; a 转发 notice carries its forwarded notices in ``forwarded``."""
    segments = split_forwarded(doc)
    first_start, first_end = segments[0]
    wrapper = _extract_segment(replace(doc, blocks=doc.blocks[first_start:first_end]), doc_id, web=True)
    forwarded: list[NoticeRecord] = []
    for start, end in segments[1:]:
        part = replace(doc, blocks=doc.blocks[start:end], meta={}, links=(), warnings=())
        rec = _extract_segment(part, _segment_id(doc_id, part.blocks), web=False)
        warnings = [w for w in rec.warnings if not w.startswith("no document number")]
        number, raw = rec.doc_number, rec.doc_number_raw
        if number is None and rec.title:
            key = canonical_title(rec.title)
            cited = next(
                (
                    c
                    for c in wrapper.citations
                    if c.title and c.doc_number and canonical_title(c.title) == key
                ),
                None,
            )
            if cited:
                number, raw = cited.doc_number, cited.doc_number_raw
                warnings.append("document number taken from the forwarding notice's citation")
        if number is None:
            warnings.append("no document number (发文字号) found")
        forwarded.append(
            replace(rec, doc_number=number, doc_number_raw=raw, parent_id=doc_id, warnings=tuple(warnings))
        )
    return replace(wrapper, forwarded=tuple(forwarded))
