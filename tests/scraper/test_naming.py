"""File names from strangers: nothing a site sends can escape raw/ or hide a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.naming import (
    UnsafePathError,
    disposition_filename,
    file_name,
    safe_join,
    safe_segment,
    with_hash,
)

PDF = b"%PDF-1.7\n..."
DOCX = b"PK\x03\x04" + b"\x00" * 30 + b"word/document.xml"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 10
HTML = b"<!DOCTYPE html><html><body>x</body></html>"


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("t20240301_1001.shtml", "t20240301_1001.shtml"),
        ("附件1：实施方案.docx", "附件1：实施方案.docx"),
        ("../../etc/passwd", "etc_passwd"),
        ("..", "file"),
        (".htaccess", "htaccess"),
        ('a/b\\c:d*e?f"g<h>i|j.pdf', "a_b_c_d_e_f_g_h_i_j.pdf"),
        ("tab\tand\nnewline .pdf", "tab_and_newline_.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ("", "file"),
    ],
)
def test_safe_segment(raw: str, safe: str) -> None:
    assert safe_segment(raw) == safe


def test_long_names_are_cut_keeping_the_suffix() -> None:
    name = safe_segment("长" * 200 + ".docx")
    assert name.endswith(".docx") and len(name.encode()) <= 120


def test_safe_join_refuses_escapes(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    assert safe_join(raw, "src/a.pdf") == raw.resolve() / "src" / "a.pdf"
    for bad in ["../x.pdf", "/etc/passwd", "src/../../x", "", "."]:
        with pytest.raises(UnsafePathError):
            safe_join(raw, bad)
    (raw / "link").symlink_to(tmp_path)
    with pytest.raises(UnsafePathError):
        safe_join(raw, "link/x.pdf")


def test_suffix_comes_from_the_bytes() -> None:
    assert file_name("http://a.gov.cn/x/t1.shtml", HTML) == "t1.shtml"
    assert file_name("http://a.gov.cn/x/detail?id=5", HTML).startswith("detail-")  # query → hash
    assert file_name("http://a.gov.cn/x/detail?id=5", HTML).endswith(".html")
    assert file_name("http://a.gov.cn/down.jsp?id=1", PDF, link_text="附件1.pdf").endswith(".pdf")
    assert file_name("http://a.gov.cn/x/a.docx", PDF) == "a.pdf"  # mislabeled: what it is
    assert file_name("http://a.gov.cn/x/a.doc", DOCX) == "a.docx"
    assert file_name("http://a.gov.cn/x/a.wps", OLE) == "a.wps"
    assert file_name("http://a.gov.cn/x/a.pdf", HTML) == "a.html"  # served as a page
    assert file_name("http://a.gov.cn/x/a.pdf", b"just text") is None  # not a document
    assert file_name("http://a.gov.cn/x/%2E%2E%2F%2E%2E%2Fevil.pdf", PDF) == "evil.pdf"
    assert file_name("http://a.gov.cn/x/P0201.docx", DOCX, prefix="t2024_1") == "t2024_1__P0201.docx"


def test_content_disposition_names() -> None:
    assert disposition_filename("attachment; filename*=UTF-8''%E9%99%84%E4%BB%B6.pdf") == "附件.pdf"
    assert disposition_filename('attachment; filename="a b.docx"') == "a b.docx"
    gbk_as_latin1 = "附件.doc".encode("gbk").decode("latin-1")
    assert disposition_filename(f'attachment; filename="{gbk_as_latin1}"') == "附件.doc"
    assert (
        file_name("http://a.gov.cn/down?id=1", PDF, disposition="attachment; filename=../../x.pdf") == "x.pdf"
    )


def test_with_hash_keeps_the_suffix() -> None:
    name = with_hash("index.html", "http://a.gov.cn/b/index.html")
    assert name.startswith("index-") and name.endswith(".html")
    assert name != with_hash("index.html", "http://a.gov.cn/c/index.html")
