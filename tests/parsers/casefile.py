"""Reads ``input => expected`` case files (one case per line, ``#`` comments)."""

from __future__ import annotations

from pathlib import Path

CASES = Path(__file__).parent / "cases"


def load_cases(name: str) -> list[tuple[str, str | None]]:
    cases = []
    for line in (CASES / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        source, _, expected = line.partition(" => ")
        cases.append((source, None if expected == "None" else expected))
    return cases
