"""Vocabularies kept as data files under ``parsers/data/`` (one entry per line, ``#`` comments)."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def word_list(name: str) -> tuple[str, ...]:
    """Entries of ``parsers/data/<name>.txt``, longest first (so alternations match greedily)."""
    text = resources.files("parsers").joinpath("data", f"{name}.txt").read_text(encoding="utf-8")
    words = {line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")}
    return tuple(sorted(words, key=lambda w: (-len(w), w)))
