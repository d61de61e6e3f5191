"""Small text helpers shared by the extractors."""

from __future__ import annotations

OPENING = "(（[［〔【《"
CLOSING = ")）]］〕】》"


def split_outside_brackets(text: str, separators: str, strip: str = " \t。.") -> list[str]:
    """Split at ``separators`` that stand outside any brackets; parts are stripped of ``strip``
    and empty parts dropped (``各市(州)、县(市、区)人民政府,有关单位`` at ``,`` → two parts)."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch in OPENING:
            depth += 1
        elif ch in CLOSING and depth:
            depth -= 1
        if ch in separators and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip(strip) for p in parts if p.strip(strip)]
