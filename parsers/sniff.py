"""Tell a file's real format from its first bytes, and check it against its name.

Government sites mislabel files (a ``.doc`` renamed ``.docx``, an HTML error page saved as
``.pdf``); reading by suffix alone turns those into confusing crashes deep in a reader.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from parsers.errors import ParseError
from parsers.model import SourceFormat

HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml", ".jhtml", ".asp", ".aspx", ".jsp", ".php"}
SUFFIX_FORMAT: dict[str, SourceFormat] = {
    ".pdf": "pdf",
    ".docx": "docx",
    **{s: "html" for s in HTML_SUFFIXES},
}
LEGACY_SUFFIXES = {
    ".doc": "Word 97-2003 (.doc)",
    ".wps": "WPS Office (.wps)",
    ".xls": "Excel 97-2003 (.xls)",
    ".xlsx": "Excel (.xlsx)",
    ".ofd": "OFD",
    ".rtf": "RTF",
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Directory entries of an OLE container name their streams in UTF-16LE.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def _read_head(path: Path, size: int) -> bytes:
    with path.open("rb") as fh:
        return fh.read(size)


def sniff_head(head: bytes) -> str:
    """Format named by the first bytes: pdf, ole (legacy Office/WPS), zip, html or unknown."""
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:2048].lower()
    if (
        lowered.startswith((b"<!doctype html", b"<html", b"<?xml"))
        or b"<html" in lowered
        or b"<body" in lowered
    ):
        return "html"
    return "unknown"


def sniff_bytes(head: bytes, path: Path) -> str:
    """Format named by the content: pdf, docx, html, ole (legacy Office/WPS), zip, or unknown."""
    kind = sniff_head(head)
    if kind != "zip":
        return kind
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError):
        return "zip"
    return "docx" if "word/document.xml" in names else "zip"


def detect_format(path: Path) -> SourceFormat:
    """The format to read ``path`` as, or a ``ParseError`` saying why it cannot be read."""
    if not path.is_file():
        raise ParseError("not_found", str(path), "no such file")
    size = path.stat().st_size
    if size == 0:
        raise ParseError("empty", str(path), "the file is empty (0 bytes); download it again")
    suffix = path.suffix.lower()
    with path.open("rb") as fh:
        head = fh.read(4096)
    content = sniff_bytes(head, path)
    if suffix in LEGACY_SUFFIXES and content in ("ole", "unknown", "zip"):
        raise ParseError(
            "unsupported_format",
            str(path),
            f"{LEGACY_SUFFIXES[suffix]} files are not read yet; convert it to .docx or PDF",
        )
    expected = SUFFIX_FORMAT.get(suffix)
    if content == "ole" and _ENCRYPTED_PACKAGE in _read_head(path, 1 << 20):
        # A password-protected .docx/.xlsx is an OLE container with an EncryptedPackage stream.
        raise ParseError(
            "encrypted",
            str(path),
            "the document is password-protected; open it with its password, save an "
            "unprotected copy and parse that",
        )
    if content == "ole":
        what = "a Word 97-2003 (.doc) or WPS file"
        if expected:
            raise ParseError(
                "mislabeled",
                str(path),
                f"named {suffix} but is {what}; convert it to .docx (e.g. with LibreOffice) and parse that",
            )
        raise ParseError("unsupported_format", str(path), f"{what}; convert it to .docx or PDF")
    if content in ("pdf", "docx", "html"):
        if expected and expected != content:
            raise ParseError(
                "mislabeled",
                str(path),
                f"named {suffix} but the content is {content.upper()}; "
                f"rename it to .{content} and parse again",
            )
        return content  # type: ignore[return-value]
    if expected == "docx" and content == "zip":
        raise ParseError(
            "corrupt", str(path), "a ZIP archive without word/document.xml: not a Word document, or damaged"
        )
    if expected == "pdf":
        raise ParseError("corrupt", str(path), "no PDF header (%PDF-): the file is damaged or not a PDF")
    if expected == "docx":
        raise ParseError("corrupt", str(path), "not a ZIP container: the .docx is damaged or truncated")
    if expected == "html":
        return "html"  # a fragment without <html>: still readable as HTML
    raise ParseError(
        "unsupported_format",
        str(path),
        f"cannot tell the format of '{path.name}'; gongwen reads .pdf, .docx and .html files",
    )
