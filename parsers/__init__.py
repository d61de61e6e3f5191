"""Readers and extractors for Chinese government notices. No Dagster in here.

Cascade of ``parse_file``: sniff the real format → read it into a ``Document`` with the format's
reader (``pdf``/``docx``/``html``; each normalizes its text) → extract the notice's metadata and
any forwarded documents (``metadata``) → tasks, stages, members, domain tables and targets of each
notice (``extract``) → one ``NoticeRecord``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from parsers.errors import ParseError
from parsers.model import Document, SourceFormat
from parsers.record import NoticeRecord
from parsers.sniff import detect_format

__all__ = ["Document", "NoticeRecord", "ParseError", "content_id", "parse_file", "read_document"]


def content_id(data: bytes) -> str:
    """Stable document id: the first 16 hex digits of the file's SHA-256."""
    return hashlib.sha256(data).hexdigest()[:16]


def read_document(path: str | Path, fmt: SourceFormat | None = None) -> Document:
    """Read one file into the format-neutral ``Document`` (raises ``ParseError``)."""
    p = Path(path)
    fmt = fmt or detect_format(p)
    if fmt == "pdf":
        from parsers import pdf as reader
    elif fmt == "docx":
        from parsers import docx as reader  # type: ignore[no-redef]
    else:
        from parsers import html as reader  # type: ignore[no-redef]
    return reader.parse(p)


def parse_file(path: str | Path) -> NoticeRecord:
    """Read one notice and extract its record (raises ``ParseError`` for unreadable input)."""
    from parsers.extract import extract_notice

    p = Path(path)
    fmt = detect_format(p)
    doc_id = content_id(p.read_bytes())
    document = read_document(p, fmt)
    return extract_notice(document, doc_id)
