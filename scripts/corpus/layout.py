"""GB/T 9704-2012 page geometry and the layout decisions shared by the PDF and DOCX renderers."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from scripts.corpus.model import Block, Para, Role, Table

MM = 72 / 25.4  # points per millimetre
PAGE_W, PAGE_H = 210 * MM, 297 * MM
MARGIN_TOP, MARGIN_LEFT = 37 * MM, 28 * MM
TEXT_W, TEXT_H = 156 * MM, 225 * MM
MARGIN_RIGHT = PAGE_W - MARGIN_LEFT - TEXT_W
MARGIN_BOTTOM = PAGE_H - MARGIN_TOP - TEXT_H
LINES_PER_PAGE = 22
BODY_SIZE = 16.0  # 三号
TITLE_SIZE = 22.0  # 二号
BANNER_SIZE = 30.0
PAGE_NUMBER_SIZE = 14.0  # 四号
LEADING = TEXT_H / LINES_PER_PAGE  # ≈ 28.9 pt: 22 lines fill the text block
TITLE_LEADING = 1.45 * TITLE_SIZE
INDENT = 2 * BODY_SIZE  # 2-character first-line indent
DATE_RIGHT = 4 * BODY_SIZE  # 成文日期 ends 4 characters from the right edge
RED = (0.85, 0.0, 0.0)

# Landscape pages (wide tables) rotate the text block: 225 mm wide, 156 mm high.
L_PAGE_W, L_PAGE_H = PAGE_H, PAGE_W
L_MARGIN_LEFT, L_MARGIN_BOTTOM = 37 * MM, 28 * MM
L_TEXT_W, L_TEXT_H = TEXT_H, TEXT_W


@dataclass(frozen=True)
class PageGroup:
    """Blocks that start on a fresh page (or the first page) and share one orientation."""

    blocks: tuple[Block, ...]
    landscape: bool


def page_groups(blocks: tuple[Block, ...]) -> list[PageGroup]:
    """Split blocks at ``new_page`` marks; a group holding a landscape table is landscape."""
    groups: list[list[Block]] = []
    for b in blocks:
        if not groups or b.new_page:
            groups.append([])
        groups[-1].append(b)
    return [PageGroup(tuple(g), any(isinstance(b, Table) and b.landscape for b in g)) for g in groups]


def char_width(ch: str, size: float) -> float:
    """Advance width of a character in a CJK font: full width for wide glyphs, half otherwise."""
    return size if unicodedata.east_asian_width(ch) in "WF" else size / 2


def text_width(text: str, size: float = BODY_SIZE) -> float:
    return sum(char_width(ch, size) for ch in text)


def paper_text(p: Para) -> str:
    """Paragraph text for paper formats: HTML ``&nbsp;`` becomes a space; continuation items
    of an aligned list lose the leading blanks the web page used for indenting."""
    text = p.printed_text.replace("\xa0", " ")
    if p.align_after is not None or p.role is Role.TITLE:
        text = text.lstrip(" ")
    return text


def on_paper(b: Block) -> bool:
    """HTML-only spacer paragraphs have no place in PDF and DOCX."""
    return not (isinstance(b, Para) and b.role is Role.SPACER)
