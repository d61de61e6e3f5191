"""Headings and sections by numbering level (一、 / （一） / 1. / （1） / ①).

Government documents number their outline with a fixed ladder of markers; the marker, not the
font, tells the level. A heading may share its paragraph with body text (``（一）指导思想。以…``):
the heading is the part up to the first full stop. ``附件N`` labels start a new top-level part, so
numbering restarts inside each attachment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.model import Block, Document, Location, Paragraph

_CN = "〇零一二三四五六七八九十百"
# (level, pattern); the marker's number is group "n".
MARKERS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^(?P<n>[{_CN}]{{1,4}})\s*、")),
    (2, re.compile(rf"^[（(]\s*(?P<n>[{_CN}]{{1,4}})\s*[）)]")),
    (3, re.compile(r"^(?P<n>\d{1,2})\s*[.．、](?!\d)")),
    (4, re.compile(r"^[（(]\s*(?P<n>\d{1,2})\s*[）)]")),
    (5, re.compile(r"^(?P<n>[①-⑳])")),
)
ATTACHMENT_LABEL = re.compile(r"^附件\s*(?P<n>\d{1,2})?\s*[:：]?\s*$")
_HEADING_END = re.compile(r"[。：:；;]")
MAX_HEADING_CHARS = 60


def chinese_number(text: str) -> int:
    """一 … 九十九 (and 一百) as an int; circled ① … ⑳ too."""
    if len(text) == 1 and "①" <= text <= "⑳":
        return ord(text) - ord("①") + 1
    if text.isdigit():
        return int(text)
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")}
    digits["〇"] = 0
    if text == "一百":
        return 100
    if "十" in text:
        tens, _, units = text.partition("十")
        return (digits.get(tens, 1) if tens else 1) * 10 + (digits.get(units, 0) if units else 0)
    return digits.get(text, 0)


@dataclass(frozen=True, slots=True)
class Heading:
    """One numbered heading: ``path`` names it within its part, e.g. ``三/(一)/1``."""

    level: int  # 1 一、 · 2 （一） · 3 1. · 4 （1） · 5 ①
    number: int
    marker: str  # the marker as written, e.g. "（一）"
    title: str  # heading text without marker and closing punctuation
    path: str
    part: int  # 0 for the main text, N inside 附件N
    block: int
    location: Location
    inline_body: bool  # body text follows the heading in the same paragraph


def match_marker(text: str) -> tuple[int, re.Match[str]] | None:
    for level, pattern in MARKERS:
        m = pattern.match(text)
        if m:
            return level, m
    return None


def heading_title(rest: str) -> tuple[str, bool] | None:
    """(title, body follows) for the text after a marker, or None when it is running text."""
    rest = rest.strip()
    m = _HEADING_END.search(rest)
    if m and m.start() <= MAX_HEADING_CHARS:
        return rest[: m.start()].strip(), bool(rest[m.end() :].strip())
    if len(rest) <= MAX_HEADING_CHARS and not m:
        return rest, False
    return None


# The last outline computed, with the blocks it was computed from: tasks, prose requirements and
# stages each ask for the outline of the same notice in turn. Holding the blocks keeps their
# identity from being reused by another tuple while they are cached.
_last_outline: tuple[tuple[Block, ...], tuple[Heading, ...]] | None = None


def outline(doc: Document) -> tuple[Heading, ...]:
    """Every numbered heading of ``doc`` in reading order, with its path in the outline."""
    global _last_outline
    cached = _last_outline
    if cached is not None and cached[0] is doc.blocks:
        return cached[1]
    heads = _outline(doc.blocks)
    _last_outline = (doc.blocks, heads)
    return heads


def _outline(blocks: tuple[Block, ...]) -> tuple[Heading, ...]:
    out: list[Heading] = []
    stack: dict[int, str] = {}
    part = 0
    for i, block in enumerate(blocks):
        if not isinstance(block, Paragraph):
            continue
        text = block.text.strip()
        label = ATTACHMENT_LABEL.match(text)
        if label:
            part = int(label.group("n") or 1)
            stack.clear()
            continue
        found = match_marker(text)
        if not found:
            continue
        level, m = found
        titled = heading_title(text[m.end() :])
        if titled is None:
            continue
        title, inline = titled
        marker = text[: m.end()].strip()
        for deeper in [lvl for lvl in stack if lvl >= level]:
            del stack[deeper]
        stack[level] = marker.rstrip("、.．").replace("（", "(").replace("）", ")")
        path = "/".join(stack[lvl] for lvl in sorted(stack))
        out.append(
            Heading(level, chinese_number(m.group("n")), marker, title, path, part, i, block.location, inline)
        )
    return tuple(out)
