"""Write the bad-input corpus: broken, hostile and odd files, each with the outcome it must have.

    .venv/bin/python scripts/make_bad_corpus.py [OUT_DIR]      # default tests/fixtures/bad/

Every file is made here from bytes (or from a sample notice in ``raw/``), deterministically: a
rerun writes byte-identical files. ``OUT_DIR/MANIFEST.tsv`` lists ``file``, ``expected`` (the
``ParseError`` kind, or ``ok`` for a file that must parse: hostile-looking but readable) and
``why``. Size-hostile files are small on disk: the 5000-page PDF repeats one page object, the
decompression bomb is a few kilobytes of deflate. The whole directory stays well under 3 MB.

File names with shell metacharacters, a backslash, a newline and a look-alike slash (U+2215) are
part of the corpus; a real ``/`` cannot be in a POSIX file name, so one case is a file in a
subdirectory whose name holds a full-width slash (U+FF0F).
"""

from __future__ import annotations

import io
import random
import shutil
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "tests" / "fixtures" / "bad"
SAMPLE = ROOT / "raw"
SAMPLE_STEM = "002_c5a7bb6645cf0ce3"  # a real seed notice (smallest PDF/HTML of the sample corpus)
ZIP_TIME = (2021, 1, 1, 0, 0, 0)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Case:
    name: str  # relative path under the output directory
    expected: str  # ParseError kind, or "ok"
    why: str
    make: Callable[[], bytes]


# --------------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------------


def sample(suffix: str) -> bytes:
    return (SAMPLE / f"{SAMPLE_STEM}{suffix}").read_bytes()


def tagged_pdf(tag: str) -> bytes:
    """The sample PDF with a comment after ``%%EOF``: same pages, another ``doc_id``."""
    return sample(".pdf") + f"\n% gongwen bad-corpus copy: {tag}\n".encode()


def tagged_html(tag: str) -> bytes:
    return sample(".html") + f"\n<!-- gongwen bad-corpus copy: {tag} -->\n".encode()


def pdf_from_objects(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF with a correct xref table from numbered object bodies (object i+1 = objects[i])."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def _stream(data: bytes, extra: str = "") -> bytes:
    packed = zlib.compress(data, 9)
    return (
        f"<< /Length {len(packed)} /Filter /FlateDecode {extra}>>\nstream\n".encode()
        + packed
        + b"\nendstream"
    )


HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def pdf_many_pages(count: int) -> bytes:
    """``count`` pages that are all the same page object: tiny on disk, huge when walked."""
    kids = " ".join(["3 0 R"] * count)
    return pdf_from_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> /Contents 4 0 R >>",
            _stream(b"0 0 m 10 10 l S"),
        ]
    )


def pdf_blank_pages(count: int) -> bytes:
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + i} 0 R" for i in range(count))
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode())
    objs += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>"] * count
    return pdf_from_objects(objs)


def pdf_scanned() -> bytes:
    """Two A4 pages that are one grey image each with dark bars for lines (no text layer)."""
    w, h = 120, 170
    rows = []
    for y in range(h):
        dark = 20 <= y < 150 and (y // 6) % 2 == 0
        rows.append(bytes([60 if dark and 12 <= x < 108 else 225 for x in range(w)]))
    image = _stream(
        b"".join(rows),
        f"/Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceGray /BitsPerComponent 8 ",
    )
    draw = _stream(b"q 595 0 0 842 0 0 cm /Im1 Do Q")
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /XObject << /Im1 5 0 R >> >> /Contents 6 0 R >>"
    )
    return pdf_from_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
            page,
            page,
            image,
            draw,
        ]
    )


def pdf_huge_table(rows: int = 300, cols: int = 8, per_page: int = 60) -> bytes:
    """A ruled table of ``rows`` x ``cols`` cells with a number in each, ``per_page`` rows a page."""
    pages = (rows + per_page - 1) // per_page
    objs: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(pages))
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    objs.append(HELVETICA)
    left, top, cw, rh = 40.0, 800.0, 64.0, 12.5
    for p in range(pages):
        first = p * per_page
        n = min(per_page, rows - first)
        ops = ["0.5 w"]
        for r in range(n + 1):
            y = top - r * rh
            ops.append(f"{left} {y:.2f} m {left + cols * cw} {y:.2f} l S")
        for c in range(cols + 1):
            x = left + c * cw
            ops.append(f"{x} {top} m {x} {top - n * rh:.2f} l S")
        ops.append("BT /F1 8 Tf")
        for r in range(n):
            for c in range(cols):
                x, y = left + c * cw + 3, top - (r + 1) * rh + 3.5
                ops.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm ({first + r + 1}-{c + 1}) Tj")
        ops.append("ET")
        number = 4 + 2 * p
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            f"/Contents {number + 1} 0 R >>".encode()
        )
        objs.append(_stream("\n".join(ops).encode()))
    return pdf_from_objects(objs)


def pdf_loop_xref() -> bytes:
    """A PDF whose page tree contains itself: a walker without a visited set never ends."""
    return pdf_from_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>",
        ]
    )


def pdf_encrypted() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, encrypt="secret")
    c.setFont("Helvetica", 14)
    c.drawString(72, 760, "Notice text behind a password.")
    c.showPage()
    c.save()
    return buf.getvalue()


def zip_bytes(entries: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data, compresslevel=9)
    return buf.getvalue()


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>"
)
RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    b'Target="word/document.xml"/></Relationships>'
)


def para(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def table(rows: list[list[str]]) -> str:
    width = max(len(r) for r in rows)
    grid = "".join('<w:gridCol w:w="1800"/>' for _ in range(width))
    body = "".join("<w:tr>" + "".join(f"<w:tc>{para(c)}</w:tc>" for c in row) + "</w:tr>" for row in rows)
    return f"<w:tbl><w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>"


def document_xml(body: str, head: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{head}'
        f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>'
    ).encode()


def docx(body: str, head: str = "", extra: list[tuple[str, bytes]] | None = None) -> bytes:
    return zip_bytes(
        [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", RELS),
            ("word/document.xml", document_xml(body, head)),
        ]
        + (extra or [])
    )


NOTICE_HEAD = [
    "四川省某县人民政府办公室",
    "某府办发〔2022〕12号",
    "某县人民政府办公室关于印发某县政务公开重点工作任务分解表的通知",
    "各乡镇人民政府，县级各部门：",
    "现将《某县政务公开重点工作任务分解表》印发给你们，请认真贯彻执行。",
]


def docx_ragged_table() -> bytes:
    """A task table whose rows have 4, 2, 5 and 3 cells (no gridSpan to explain the gaps)."""
    rows = [
        ["序号", "工作任务", "责任单位", "完成时限"],
        ["1", "主动公开本地国民经济和社会发展规划。"],
        ["2", "集中公开现行有效的规范性文件。", "县司法局", "2022年6月底前", "多出的一格"],
        ["3", "编制发布本地行政权力清单。", "县政府办公室"],
    ]
    body = (
        "".join(para(t) for t in NOTICE_HEAD)
        + table(rows)
        + para("某县人民政府办公室")
        + para("2022年3月1日")
    )
    return docx(body)


def docx_huge_table(rows: int = 4000) -> bytes:
    data = [["序号", "工作任务", "责任单位", "完成时限"]]
    data += [
        [str(i), f"第{i}项工作任务的具体内容。", "县政府办公室", "2022年12月底前"] for i in range(1, rows + 1)
    ]
    return docx("".join(para(t) for t in NOTICE_HEAD) + table(data))


def docx_odd_characters() -> bytes:
    """Bidi override, zero-width and private-use characters inside an ordinary notice."""
    odd = "\u202e\u200b\u2066\ue000\ufeff"
    body = (
        "".join(para(t[:4] + odd + t[4:]) for t in NOTICE_HEAD)
        + para("某县人民政府办公室")
        + para("2022年3月1日")
    )
    return docx(body)


def docx_bomb(megabytes: int = 96) -> bytes:
    """``word/document.xml`` of ~96 MB of spaces in ~100 KB: over the reader's 200:1 ratio limit."""
    chunk = b" " * (1024 * 1024)
    head = document_xml(para("炸弹"))
    # Build the ZIP by hand so the 96 MB never sit in memory: a stored header, then raw deflate.
    raw = head[: -len(b"</w:body></w:document>")]
    tail = b"</w:body></w:document>"
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    crc = 0
    parts = [comp.compress(raw)]
    crc = zlib.crc32(raw, crc)
    for _ in range(megabytes):
        parts.append(comp.compress(chunk))
        crc = zlib.crc32(chunk, crc)
    parts.append(comp.compress(tail))
    crc = zlib.crc32(tail, crc)
    parts.append(comp.flush())
    packed = b"".join(parts)
    size = len(raw) + megabytes * len(chunk) + len(tail)
    small = zip_bytes([("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", RELS)])
    zf = zipfile.ZipFile(io.BytesIO(small))
    out = io.BytesIO()
    central = io.BytesIO()
    entries = [(i.filename, zf.read(i.filename)) for i in zf.infolist()]
    records: list[tuple[str, int, int, int, int, int]] = []  # name, method, crc, csize, usize, offset
    for name, data in entries:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        body = c.compress(data) + c.flush()
        records.append((name, 8, zlib.crc32(data), len(body), len(data), out.tell()))
        out.write(_local_header(name, 8, zlib.crc32(data), len(body), len(data)) + body)
    records.append(("word/document.xml", 8, crc, len(packed), size, out.tell()))
    out.write(_local_header("word/document.xml", 8, crc, len(packed), size) + packed)
    start = out.tell()
    for name, method, c32, csize, usize, offset in records:
        central.write(_central_header(name, method, c32, csize, usize, offset))
    cd = central.getvalue()
    out.write(cd)
    out.write(
        b"PK\x05\x06"
        + (0).to_bytes(2, "little") * 2
        + len(records).to_bytes(2, "little") * 2
        + len(cd).to_bytes(4, "little")
        + start.to_bytes(4, "little")
        + b"\0\0"
    )
    return out.getvalue()


_DOS_TIME, _DOS_DATE = 0, (2021 - 1980) << 9 | 1 << 5 | 1


def _local_header(name: str, method: int, crc: int, csize: int, usize: int) -> bytes:
    n = name.encode()
    return (
        b"PK\x03\x04"
        + (20).to_bytes(2, "little")
        + (0).to_bytes(2, "little")
        + method.to_bytes(2, "little")
        + _DOS_TIME.to_bytes(2, "little")
        + _DOS_DATE.to_bytes(2, "little")
        + crc.to_bytes(4, "little")
        + csize.to_bytes(4, "little")
        + usize.to_bytes(4, "little")
        + len(n).to_bytes(2, "little")
        + (0).to_bytes(2, "little")
        + n
    )


def _central_header(name: str, method: int, crc: int, csize: int, usize: int, offset: int) -> bytes:
    n = name.encode()
    return (
        b"PK\x01\x02"
        + (20).to_bytes(2, "little")
        + (20).to_bytes(2, "little")
        + (0).to_bytes(2, "little")
        + method.to_bytes(2, "little")
        + _DOS_TIME.to_bytes(2, "little")
        + _DOS_DATE.to_bytes(2, "little")
        + crc.to_bytes(4, "little")
        + csize.to_bytes(4, "little")
        + usize.to_bytes(4, "little")
        + len(n).to_bytes(2, "little")
        + (0).to_bytes(2, "little") * 3
        + (0).to_bytes(2, "little")
        + (0o644 << 16).to_bytes(4, "little")
        + offset.to_bytes(4, "little")
        + n
    )


def docx_billion_laughs() -> bytes:
    """Nested XML entities in ``document.xml`` (the "billion laughs"): must not be expanded."""
    head = (
        '<!DOCTYPE w:document [<!ENTITY a "哈哈哈哈哈哈哈哈哈哈">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
        + "]>"
    )
    return docx(para("&i;").replace("&amp;i;", "&i;"), head=head)


def docx_deep_xml(depth: int = 5000) -> bytes:
    body = "<w:sdt><w:sdtContent>" * depth + para("最深处") + "</w:sdtContent></w:sdt>" * depth
    return docx(body)


def docx_bad_xml() -> bytes:
    return zip_bytes(
        [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", RELS),
            ("word/document.xml", document_xml(para("正文"))[:-30] + b"<w:p><w:r>\x01\x02"),
        ]
    )


def ole_file(encrypted: bool = False) -> bytes:
    """The shape of an OLE compound file (Word 97-2003 / WPS / encrypted OOXML)."""
    header = OLE_MAGIC + b"\0" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + b"\0" * 480
    names = ["EncryptionInfo", "EncryptedPackage"] if encrypted else ["WordDocument", "1Table"]
    directory = b"".join(n.encode("utf-16-le").ljust(128, b"\0") for n in names)
    return header + directory + b"\0" * 1024


HTML_NOTICE = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>关于做好政务公开工作的通知</title>
<meta name="ArticleTitle" content="某县人民政府办公室关于做好政务公开工作的通知">
<meta name="PubDate" content="2022-03-01"></head>
<body><div class="article">
<h1>某县人民政府办公室关于做好政务公开工作的通知</h1>
<p>某府办发〔2022〕12号</p>
<p>各乡镇人民政府，县级各部门：</p>
<p>{body}</p>
<p>某县人民政府办公室</p><p>2022年3月1日</p>
</div></body></html>
"""
HTML_BODY = "为深入贯彻落实政务公开工作要点，现就有关事项通知如下：各单位要按照职责分工抓好落实。"


def html(charset: str, body: str = HTML_BODY, encoding: str = "utf-8") -> bytes:
    return HTML_NOTICE.format(charset=charset, body=body).encode(encoding, errors="surrogateescape")


def html_control_chars() -> bytes:
    controls = "".join(chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), 127, *range(0x80, 0xA0)])
    text = HTML_BODY[:10] + controls + HTML_BODY[10:] + "\ufffe\uffff"
    return html("utf-8", escape(text), "utf-8")


def html_many_spaces(n: int = 25_000) -> bytes:
    return html("utf-8", HTML_BODY[:10] + "&nbsp;" * n + " " * n + HTML_BODY[10:])


def html_huge_spans() -> bytes:
    cells = '<td colspan="100000000" rowspan="100000000">县政府办公室</td><td rowspan="-5">x</td>'
    table = f"<table><tr><th>工作任务</th><th>责任单位</th></tr><tr><td>任务一</td>{cells}</tr></table>"
    return html("utf-8", HTML_BODY).replace(b"</div>", table.encode() + b"</div>")


def html_deep(depth: int = 30_000) -> bytes:
    return html("utf-8", "<span>" * depth + HTML_BODY + "</span>" * depth)


def html_garbage(n: int = 20_000) -> bytes:
    rng = random.Random(9704)
    return b"<html><body>" + bytes(rng.randrange(256) for _ in range(n))


CASES: list[Case] = [
    # ---- PDF
    Case("pdf_zero_bytes.pdf", "empty", "0 bytes: an interrupted download", lambda: b""),
    Case(
        "pdf_truncated.pdf",
        "corrupt",
        "the first 40% of a real notice PDF: no xref, no trailer",
        lambda: sample(".pdf")[: len(sample(".pdf")) * 2 // 5],
    ),
    Case(
        "pdf_header_only.pdf",
        "corrupt",
        "a PDF header followed by random bytes",
        lambda: b"%PDF-1.7\n" + random.Random(1).randbytes(3000),
    ),
    Case("pdf_encrypted.pdf", "encrypted", "user password set (RC4, reportlab)", pdf_encrypted),
    Case("pdf_scanned.pdf", "no_text_layer", "two pages that are images only (a scan)", pdf_scanned),
    Case("pdf_blank_pages.pdf", "empty", "three pages with nothing on them", lambda: pdf_blank_pages(3)),
    Case(
        "pdf_5000_pages.pdf",
        "too_large",
        "5000 pages (one page object repeated): over the page limit",
        lambda: pdf_many_pages(5000),
    ),
    Case("pdf_page_tree_loop.pdf", "corrupt", "the page tree contains itself (a cycle)", pdf_loop_xref),
    Case(
        "pdf_huge_table.pdf", "ok", "a ruled 300 x 8 table over 5 pages: slow, but must parse", pdf_huge_table
    ),
    Case(
        "pdf_is_html_error_page.pdf",
        "mislabeled",
        "a web server's 404 page saved as .pdf",
        lambda: (
            b"<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>"
            b"<h1>404 Not Found</h1></body></html>\n"
        ),
    ),
    Case("pdf_is_docx.pdf", "mislabeled", "a Word file named .pdf", lambda: docx_ragged_table()),
    # ---- DOCX
    Case("docx_zero_bytes.docx", "empty", "0 bytes", lambda: b""),
    Case(
        "docx_truncated.docx",
        "corrupt",
        "the first half of a real notice .docx (ZIP without its directory)",
        lambda: sample(".docx")[: len(sample(".docx")) // 2],
    ),
    Case("docx_is_doc.docx", "mislabeled", "a Word 97-2003 (OLE) file renamed .docx", ole_file),
    Case("docx_is_wps.docx", "mislabeled", "a WPS (OLE) file renamed .docx", ole_file),
    Case("legacy.doc", "unsupported_format", "Word 97-2003: not read, must say convert", ole_file),
    Case("legacy.wps", "unsupported_format", "WPS Office: not read, must say convert", ole_file),
    Case(
        "docx_encrypted.docx",
        "encrypted",
        "password-protected OOXML (an OLE container with EncryptionInfo/EncryptedPackage)",
        lambda: ole_file(encrypted=True),
    ),
    Case(
        "docx_plain_text.docx",
        "corrupt",
        "a text file renamed .docx",
        lambda: "这不是一个Word文档。\n".encode(),
    ),
    Case(
        "docx_zip_without_document.docx",
        "corrupt",
        "a ZIP archive without word/document.xml",
        lambda: zip_bytes([("readme.txt", b"hello")]),
    ),
    Case("docx_bad_xml.docx", "corrupt", "document.xml cut off, with control bytes", docx_bad_xml),
    Case("docx_bomb.docx", "too_large", "decompression bomb: 96 MB of document.xml in ~100 KB", docx_bomb),
    Case(
        "docx_billion_laughs.docx",
        "corrupt",
        "nested XML entities (billion laughs): refused, not expanded",
        docx_billion_laughs,
    ),
    Case(
        "docx_deep_xml.docx",
        "corrupt",
        "5000 nested content controls: over libxml2's depth limit (256)",
        docx_deep_xml,
    ),
    Case(
        "docx_ragged_table.docx", "ok", "a task table whose rows have 4, 2, 5 and 3 cells", docx_ragged_table
    ),
    Case("docx_huge_table.docx", "ok", "a 4000-row task table: slow, but must parse", docx_huge_table),
    Case(
        "docx_odd_characters.docx",
        "ok",
        "bidi override, zero-width and private-use characters",
        docx_odd_characters,
    ),
    # ---- HTML
    Case("html_zero_bytes.html", "empty", "0 bytes", lambda: b""),
    Case("html_whitespace_only.html", "empty", "only blank lines", lambda: b"\n  \r\n\t\n"),
    Case(
        "html_scripts_only.html",
        "empty",
        "a page that is only scripts (a JS shell, no article)",
        lambda: b"<html><head><script>var a=1;</script></head><body><script>render()</script></body></html>",
    ),
    Case(
        "html_truncated.html",
        "ok",
        "a real notice page cut at 60%: what arrived must still be read",
        lambda: sample(".html")[: len(sample(".html")) * 3 // 5],
    ),
    Case(
        "html_gbk_declared_utf8.html",
        "ok",
        "bytes in GBK, <meta charset=utf-8>",
        lambda: html("utf-8", encoding="gbk"),
    ),
    Case("html_utf8_declared_gbk.html", "ok", "bytes in UTF-8, <meta charset=gbk>", lambda: html("gbk")),
    Case(
        "html_control_chars.html",
        "ok",
        "C0/C1 control characters and U+FFFE/U+FFFF inside the text",
        html_control_chars,
    ),
    Case(
        "html_many_spaces.html",
        "ok",
        "25 000 spaces and 25 000 &nbsp; inside one paragraph",
        html_many_spaces,
    ),
    Case(
        "html_huge_spans.html",
        "ok",
        "a table cell with colspan/rowspan 100000000 and a negative span",
        html_huge_spans,
    ),
    Case("html_deep_nesting.html", "ok", "30 000 nested <span> elements around the text", html_deep),
    Case(
        "html_binary_garbage.html", "ok", "20 KB of random bytes after <body>: decodes to noise", html_garbage
    ),
    Case("html_is_pdf.html", "mislabeled", "a PDF saved as .html", lambda: pdf_blank_pages(1)),
    # ---- hostile names (content: valid notices, which must land)
    Case("a;rm -rf x $(id).pdf", "ok", "shell metacharacters in the name", lambda: tagged_pdf("shell")),
    Case(
        "back\\slash\\..\\..\\evil.html",
        "ok",
        "backslashes and dot-dots in the name",
        lambda: tagged_html("backslash"),
    ),
    Case(
        "name with\nnewline.html",
        "empty",
        "a newline in the name (the error must stay one line)",
        lambda: b"",
    ),
    Case(
        "川办函〔2021〕57号∕附件1.html",
        "ok",
        "U+2215 DIVISION SLASH looking like a path separator",
        lambda: tagged_html("u2215"),
    ),
    Case(
        "sub/dir／name 'quoted' `tick`.html",
        "ok",
        "in a subdirectory; full-width slash U+FF0F, quotes, backtick",
        lambda: tagged_html("subdir"),
    ),
    Case("-rf.html", "ok", "a name that looks like a command-line option", lambda: tagged_html("dash")),
]


def write_corpus(out: Path) -> list[Case]:
    """Write every case under ``out`` (emptied first) and ``MANIFEST.tsv``."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for case in CASES:
        path = out / case.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(case.make())
    lines = ["file\texpected\twhy"]
    for case in CASES:
        name = case.name.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
        lines.append(f"{name}\t{case.expected}\t{case.why}")
    (out / "MANIFEST.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return CASES


def read_manifest(folder: Path) -> list[tuple[str, str, str]]:
    """``(file, expected, why)`` rows of ``folder/MANIFEST.tsv``, the escapes of ``file`` undone."""

    def unescape(s: str) -> str:
        out, i = [], 0
        while i < len(s):
            if s[i] == "\\" and i + 1 < len(s):
                out.append({"n": "\n", "t": "\t", "\\": "\\"}.get(s[i + 1], s[i : i + 2]))
                i += 2
            else:
                out.append(s[i])
                i += 1
        return "".join(out)

    rows = []
    for line in (folder / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip():
            file, expected, why = line.split("\t")
            rows.append((unescape(file), expected, why))
    return rows


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else DEFAULT_OUT
    cases = write_corpus(out)
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"wrote {len(cases)} files ({total / 1024:.0f} KB) and MANIFEST.tsv to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
