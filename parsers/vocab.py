"""Vocabularies kept as data files under ``parsers/data/`` (one entry per line, ``#`` comments)."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def data_lines(name: str) -> tuple[str, ...]:
    """Non-empty, non-comment lines of ``parsers/data/<name>.txt``, in file order."""
    text = resources.files("parsers").joinpath("data", f"{name}.txt").read_text(encoding="utf-8")
    return tuple(ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#"))


@cache
def word_list(name: str) -> tuple[str, ...]:
    """Entries of ``parsers/data/<name>.txt``, longest first (so alternations match greedily)."""
    return tuple(sorted(set(data_lines(name)), key=lambda w: (-len(w), w)))
