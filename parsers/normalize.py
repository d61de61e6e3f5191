"""Text normalization as named, switchable steps.

Contract (after WeTextProcessing): a step never loses the source text. Readers keep the raw
string on every block (``Paragraph.raw``, ``Cell.raw``); ``normalize_document`` fills the
normalized ``text`` beside it. Punctuation keeps the width the document itself uses (a notice that
writes ``(单位)`` keeps it): only what is noise is changed.

Steps, in order:

``controls``     drop control and zero-width characters, NBSP/ideographic space → space
``width``        full-width Latin letters and digits → half-width (``２０２１`` → ``2021``)
``traditional``  Traditional → Simplified (OpenCC ``t2s``), only for documents detected as
                 Traditional, because ``t2s`` also rewrites valid Simplified characters (著 → 着)
``spacing``      remove whitespace a layout put between CJK characters, between CJK and digits
                 and around CJK punctuation (``57 号`` → ``57号``, ``梅  燕`` → ``梅燕``); line
                 breaks inside a paragraph join its lines (a table cell keeps its lines: there they
                 separate items); runs of spaces between Latin words become one space
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parsers.model import Block, Document

STEP_NAMES: tuple[str, ...] = ("controls", "width", "traditional", "spacing")

# CJK ideographs, CJK punctuation, full-width forms: characters between which layout spaces are noise.
_CJK = (
    r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
    r"\u2014\u2026\u201c\u201d\u2018\u2019\u00b7"
)
_CJK_CHAR = f"[{_CJK}]"
_SPACE = r"[ \t\u00a0\u2002-\u200a\u202f\u205f\u3000]+"
_SPACE_BETWEEN_CJK = re.compile(f"(?<={_CJK_CHAR}){_SPACE}(?={_CJK_CHAR})")
_SPACE_CJK_DIGIT = re.compile(f"(?<={_CJK_CHAR}){_SPACE}(?=[0-9])|(?<=[0-9]){_SPACE}(?={_CJK_CHAR})")
# Half-width punctuation directly beside CJK text: "( 单位 )", "57 ." – spaces there are layout too.
# A run of spaces is only tried from its first character (the ``(?<!…)``): trying every position
# inside a long run made these patterns quadratic (50 000 spaces took minutes; regression test
# ``test_long_space_runs_are_linear``).
_NOT_AFTER_SPACE = r"(?<![ \t\u00a0\u2002-\u200a\u202f\u205f\u3000])"
_SPACE_AROUND_PUNCT = re.compile(
    f"{_NOT_AFTER_SPACE}{_SPACE}(?=[(),.:;、%])|(?<=[(),.:;、]){_SPACE}(?={_CJK_CHAR}|[0-9])"
)
_MULTI_SPACE = re.compile(r"[ \t]{2,}")
_LINE_BREAK = re.compile(r"(?<![ \t])[ \t]*\r?\n[ \t\r\n]*")
# Invisible format characters: zero-width, soft hyphen, BOM, and bidirectional controls
# (LRM/RLM, embeddings/overrides U+202A–202E, isolates U+2066–2069), which can make text display
# in another order than it is stored.
_ZERO_WIDTH = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ODD_SPACES = re.compile("[\u00a0\u2002-\u200a\u202f\u205f\u3000]")


def step_controls(text: str) -> str:
    text = _ZERO_WIDTH.sub("", text)
    text = _CONTROL.sub("", text)
    return _ODD_SPACES.sub(" ", text)


def step_width(text: str) -> str:
    """Full-width ASCII letters and digits to half-width; punctuation keeps its width."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
            out.append(chr(code - 0xFEE0))
        else:
            out.append(ch)
    return "".join(out)


@lru_cache(maxsize=1)
def _t2s() -> Callable[[str], str]:
    from opencc_purepy import OpenCC

    return OpenCC("t2s").convert  # type: ignore[no-any-return]


def step_traditional(text: str) -> str:
    return _t2s()(text)


def _join_lines(match: re.Match[str]) -> str:
    """A line break inside a paragraph or cell is layout: nothing between CJK, a space elsewhere."""
    text = match.string
    before = text[match.start() - 1] if match.start() else ""
    after = text[match.end()] if match.end() < len(text) else ""
    cjk = re.compile(_CJK_CHAR)
    return "" if cjk.match(before) or cjk.match(after) else " "


def step_spacing(text: str, *, keep_line_breaks: bool = False) -> str:
    if keep_line_breaks:
        return "\n".join(step_spacing(line) for line in text.splitlines() if line.strip())
    text = _LINE_BREAK.sub(_join_lines, text.strip())
    text = _SPACE_BETWEEN_CJK.sub("", text)
    text = _SPACE_CJK_DIGIT.sub("", text)
    text = _SPACE_AROUND_PUNCT.sub("", text)
    return _MULTI_SPACE.sub(" ", text)


_STEPS: dict[str, Callable[[str], str]] = {
    "controls": step_controls,
    "width": step_width,
    "traditional": step_traditional,
    "spacing": step_spacing,
}


@dataclass(frozen=True, slots=True)
class NormalizeOptions:
    """Which steps run. ``traditional=None`` means: detect per document."""

    controls: bool = True
    width: bool = True
    traditional: bool | None = None
    spacing: bool = True


def is_traditional(texts: Iterable[str], threshold: float = 0.03) -> bool:
    """True when the text reads as Traditional Chinese.

    Counts CJK characters that OpenCC ``t2s`` would change; Simplified text has almost none (a
    stray 著 or 於), Traditional text has many (廳, 關, 於, 發, 門 …).
    """
    sample = "".join(texts)[:20000]
    cjk = [ch for ch in sample if "\u4e00" <= ch <= "\u9fff"]
    if len(cjk) < 4:
        return False
    converted = _t2s()("".join(cjk))
    changed = sum(1 for a, b in zip(cjk, converted, strict=False) if a != b)
    return changed >= 2 and changed / len(cjk) >= threshold


def normalize_text(
    text: str,
    options: NormalizeOptions | None = None,
    *,
    traditional: bool = False,
    keep_line_breaks: bool = False,
) -> str:
    """Run the enabled steps over one string; ``traditional`` says whether t2s applies.

    ``keep_line_breaks`` keeps the lines of a table cell apart: in a Word or web table a line
    break separates items (one unit per line), while inside a paragraph it is only layout.
    """
    opts = options or NormalizeOptions()
    use_t2s = traditional if opts.traditional is None else opts.traditional
    for name in STEP_NAMES:
        enabled = use_t2s if name == "traditional" else getattr(opts, name)
        if not enabled:
            continue
        text = (
            step_spacing(text, keep_line_breaks=keep_line_breaks) if name == "spacing" else _STEPS[name](text)
        )
    return unicodedata.normalize("NFC", text)


def normalize_document(doc: Document, options: NormalizeOptions | None = None) -> Document:
    """Fill every block's normalized ``text`` from its ``raw``; detect Traditional once per document."""
    from parsers.model import Paragraph, Table

    raws: list[str] = []
    for b in doc.blocks:
        if isinstance(b, Paragraph):
            raws.append(b.raw)
        else:
            raws.extend(c.raw for row in b.rows for c in row)
    opts = options or NormalizeOptions()
    traditional = is_traditional(raws) if opts.traditional is None else opts.traditional

    def norm(s: str, keep_line_breaks: bool = False) -> str:
        return normalize_text(s, opts, traditional=traditional, keep_line_breaks=keep_line_breaks)

    blocks: list[Block] = []
    for b in doc.blocks:
        if isinstance(b, Paragraph):
            blocks.append(replace(b, text=norm(b.raw)))
        elif isinstance(b, Table):
            rows = tuple(tuple(replace(c, text=norm(c.raw, True)) for c in row) for row in b.rows)
            blocks.append(replace(b, rows=rows))
    meta = {k: norm(v) for k, v in doc.meta.items()}
    links = tuple(replace(link, text=norm(link.text)) for link in doc.links)
    warnings = doc.warnings + (
        ("text converted from Traditional to Simplified Chinese",) if traditional else ()
    )
    return replace(doc, blocks=tuple(blocks), meta=meta, links=links, warnings=warnings)


def normalize_many(texts: Sequence[str], options: NormalizeOptions | None = None) -> list[str]:
    """Normalize loose strings that belong together (Traditional detected over all of them)."""
    opts = options or NormalizeOptions()
    traditional = is_traditional(texts) if opts.traditional is None else opts.traditional
    return [normalize_text(t, opts, traditional=traditional) for t in texts]
