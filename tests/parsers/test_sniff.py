import zipfile

import pytest

from parsers.errors import ParseError
from parsers.sniff import detect_format


def _error_kind(path):
    with pytest.raises(ParseError) as err:
        detect_format(path)
    return err.value.kind, str(err.value)


def test_empty_file(tmp_path):
    p = tmp_path / "a.pdf"
    p.write_bytes(b"")
    kind, message = _error_kind(p)
    assert kind == "empty" and "a.pdf" in message


def test_pdf_named_docx_is_mislabeled(tmp_path):
    p = tmp_path / "notice.docx"
    p.write_bytes(b"%PDF-1.4\n%...")
    kind, message = _error_kind(p)
    assert kind == "mislabeled" and "rename it to .pdf" in message


def test_legacy_word_file_named_docx(tmp_path):
    p = tmp_path / "notice.docx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    kind, _ = _error_kind(p)
    assert kind == "mislabeled"


def test_doc_file_is_unsupported(tmp_path):
    p = tmp_path / "notice.doc"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    kind, message = _error_kind(p)
    assert kind == "unsupported_format" and "convert" in message


def test_zip_without_word_document_is_corrupt(tmp_path):
    p = tmp_path / "notice.docx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("hello.txt", "hi")
    assert _error_kind(p)[0] == "corrupt"


def test_text_named_pdf_is_corrupt(tmp_path):
    p = tmp_path / "notice.pdf"
    p.write_text("not a pdf", encoding="utf-8")
    assert _error_kind(p)[0] == "corrupt"


def test_html_and_pdf_detected(tmp_path):
    html = tmp_path / "page.htm"
    html.write_text("<!DOCTYPE html><html><body>通知</body></html>", encoding="utf-8")
    assert detect_format(html) == "html"
    pdf = tmp_path / "x"
    pdf.write_bytes(b"%PDF-1.7\n")
    assert detect_format(pdf) == "pdf"


def test_password_protected_docx_is_encrypted_not_mislabeled(tmp_path):
    p = tmp_path / "notice.docx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512 + "EncryptedPackage".encode("utf-16-le"))
    kind, message = _error_kind(p)
    assert kind == "encrypted" and "password" in message
