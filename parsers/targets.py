"""Quantitative targets (``不低于8000条``, ``达100%``, ``不低于4%``) in running text and cells."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from parsers.model import Document, Location, Paragraph

_COMPARATORS = {
    "不低于": ">=",
    "不少于": ">=",
    "至少": ">=",
    "达到": ">=",
    "达": ">=",
    "超过": ">",
    "高于": ">",
    "不超过": "<=",
    "不高于": "<=",
    "低于": "<",
    "控制在": "<=",
}
_CMP = "|".join(sorted(_COMPARATORS, key=len, reverse=True))
TARGET = re.compile(
    rf"(?P<cmp>{_CMP})?\s*(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>%|％|个百分点|条|个|家|次|项|人|万元|亿元|天|小时|个工作日)"
)


_DIGIT = re.compile(r"\d")


def _has_number(text: str) -> bool:
    """Every target carries a number; most text (and most cells) has none, and the scan for a
    comparator at every position is the slow part."""
    return _DIGIT.search(text) is not None


@dataclass(frozen=True, slots=True)
class Target:
    raw: str
    comparator: str  # >=, >, <=, <, =
    value: float
    unit: str
    context: str  # the sentence the target stands in
    location: Location


def _sentence_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind(ch, 0, start) for ch in "。；;！？")
    right_candidates = [i for i in (text.find(ch, end) for ch in "。；;！？") if i >= 0]
    right = min(right_candidates) + 1 if right_candidates else len(text)
    return text[left + 1 : right].strip()


def targets_in(text: str, location: Location) -> list[Target]:
    out: list[Target] = []
    if not _has_number(text):
        return out
    for m in TARGET.finditer(text):
        cmp_word, unit = m.group("cmp"), m.group("unit").replace("％", "%")
        if not cmp_word and unit != "%":
            continue  # a bare count (26个领域) is not a target; a percentage is
        if re.match(r"\d{4}年", text[m.start("value") :]):
            continue
        out.append(
            Target(
                m.group(0).strip(),
                _COMPARATORS.get(cmp_word or "", "="),
                float(m.group("value")),
                unit,
                _sentence_around(text, m.start(), m.end()),
                location,
            )
        )
    return out


def extract_targets(doc: Document) -> tuple[Target, ...]:
    out: list[Target] = []
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            out.extend(targets_in(block.text, block.location))
        else:
            for row in block.rows:
                for cell in row:
                    if not cell.is_continuation and _has_number(cell.text):
                        out.extend(targets_in(cell.text, replace(block.location, row=cell.row, col=cell.col)))
    return tuple(out)
