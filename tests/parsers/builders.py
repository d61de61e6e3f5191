"""Small in-memory Documents for rule tests (real-file behaviour is tested on raw/ and fixtures)."""

from __future__ import annotations

from parsers.model import Document, Location, Paragraph
from parsers.normalize import normalize_document


def doc_from_lines(*lines: str, fmt: str = "docx", meta: dict[str, str] | None = None) -> Document:
    blocks = tuple(Paragraph(line, line, Location(i)) for i, line in enumerate(lines))
    return normalize_document(Document("test." + fmt, fmt, blocks, meta=meta or {}))  # type: ignore[arg-type]
