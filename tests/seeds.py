"""The sample corpus, parsed once per test session (records are frozen, so tests can share them)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from parsers import parse_file
from parsers.record import NoticeRecord

RAW = Path(__file__).resolve().parents[1] / "raw"


@cache
def parsed(path: Path | str) -> NoticeRecord:
    return parse_file(Path(path))


def seed(stem: str, fmt: str) -> NoticeRecord:
    """A seed notice in one format, e.g. ``seed("003_b54ff24471a88dd0", "pdf")``."""
    return parsed(RAW / f"{stem}.{fmt}")
