"""Errors a reader raises for input it cannot read.

Every failure is one ``ParseError`` with a machine-readable ``kind`` (the quarantine table's
``error_kind``) and a message that says what is wrong and what to do, so the command line prints
one clear line and a pipeline run can quarantine the file and go on with the others.
"""

from __future__ import annotations

from typing import Literal

ErrorKind = Literal[
    "empty",  # zero bytes or no readable text at all
    "corrupt",  # the container is damaged or truncated
    "encrypted",  # password-protected PDF / DOCX
    "no_text_layer",  # scanned PDF: pages are images only (OCR is out of scope)
    "mislabeled",  # content is another format than the file name says
    "unsupported_format",  # .doc / .wps / .xls and anything else we do not read
    "too_large",  # over a size / page / decompression / memory limit
    "timeout",  # reading took longer than the per-file time limit (parsers.guard)
    "not_found",  # the path does not exist or is not a file
]


class ParseError(Exception):
    """A file could not be read; ``str(err)`` is the one line shown to the user."""

    def __init__(self, kind: ErrorKind, path: str, message: str) -> None:
        self.kind: ErrorKind = kind
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")
