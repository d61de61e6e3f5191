"""Implementation stages (实施步骤 / 工作步骤) with their deadlines.

A stage is a numbered heading inside a stage section (``（一）启动阶段。（2021年10月前完成）``)
or, in plans that list stages by year, a paragraph led by a year (``2021年，基层政务公开…``).
Its deadline is the dated phrase in brackets next to the name (or the year itself).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.deadlines import Deadline, parse_deadline
from parsers.model import Document, Location, Paragraph
from parsers.structure import outline
from parsers.vocab import word_list

_DATED_BRACKET = re.compile(r"[（(](?P<when>[^（）()]*(?:\d{4}年|\d{1,2}月)[^（）()]*)[）)]")
_YEAR_LED = re.compile(r"^(?P<year>(?:19|20)\d{2})年[，,]\s*(?P<text>.+)$")


@dataclass(frozen=True, slots=True)
class Milestone:
    seq: int
    name: str
    deadline: Deadline | None
    text: str
    location: Location


def extract_milestones(doc: Document, year: int | None) -> tuple[Milestone, ...]:
    words = word_list("stage_sections")
    heads = outline(doc)
    sections = [h for h in heads if h.level == 1 and any(w in h.title for w in words)]
    out: list[Milestone] = []
    for section in sections:
        end = next((h.block for h in heads if h.level == 1 and h.block > section.block), len(doc.blocks))
        stage_heads = {h.block: h for h in heads if section.block < h.block < end and h.level == 2}
        current: dict | None = None
        for i in range(section.block + 1, end):
            block = doc.blocks[i]
            if not isinstance(block, Paragraph):
                continue
            text = block.text.strip()
            head = stage_heads.get(i)
            year_led = _YEAR_LED.match(text) if not stage_heads else None
            if head is not None or year_led:
                if current:
                    out.append(_milestone(len(out) + 1, current, year))
                if head is not None:
                    rest = text[len(head.marker) :].strip()
                    dated = _DATED_BRACKET.search(rest[:60])
                    name = _DATED_BRACKET.sub("", head.title).strip("。 ")
                    body = rest[len(head.title) :].lstrip("。 ")
                    body = _DATED_BRACKET.sub("", body, count=1).lstrip("。 ") if dated else body
                    current = {
                        "name": name,
                        "when": dated.group("when") if dated else None,
                        "text": body,
                        "location": block.location,
                    }
                else:
                    assert year_led is not None
                    current = {
                        "name": f"{year_led.group('year')}年",
                        "when": f"{year_led.group('year')}年",
                        "text": year_led.group("text"),
                        "location": block.location,
                    }
            elif current is not None:
                current["text"] = (current["text"] + text) if current["text"] else text
        if current:
            out.append(_milestone(len(out) + 1, current, year))
    return tuple(out)


def _milestone(seq: int, item: dict, year: int | None) -> Milestone:
    return Milestone(
        seq, item["name"], parse_deadline(item["when"], year), item["text"].strip(), item["location"]
    )
