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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from parsers.model import Block, Cell, Document

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
# Any character ``step_controls`` changes: most text has none, and one scan is cheaper than three.
_ANY_CONTROL = re.compile(f"{_ZERO_WIDTH.pattern}|{_CONTROL.pattern}|{_ODD_SPACES.pattern}")
# Any character the spacing patterns start from (every one of them needs a space of this class).
_ANY_SPACE = re.compile(_SPACE)
_CJK_CHAR_RE = re.compile(_CJK_CHAR)
_LINE_BOUNDARY = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")  # where ``str.splitlines`` splits
# Full-width digits and Latin letters (U+FF10–19, FF21–3A, FF41–5A), and the map to their ASCII forms.
_FULL_WIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_HALF_WIDTH = {
    code: code - 0xFEE0
    for lo, hi in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
    for code in range(lo, hi + 1)
}


def step_controls(text: str) -> str:
    if not _ANY_CONTROL.search(text):
        return text
    text = _ZERO_WIDTH.sub("", text)
    text = _CONTROL.sub("", text)
    return _ODD_SPACES.sub(" ", text)


def step_width(text: str) -> str:
    """Full-width ASCII letters and digits to half-width; punctuation keeps its width."""
    if not _FULL_WIDTH.search(text):
        return text  # the usual case, found faster than ``translate`` looks up every character
    return text.translate(_HALF_WIDTH)


@lru_cache(maxsize=1)
def _t2s_opencc() -> Any:
    from opencc_purepy import OpenCC

    return OpenCC("t2s")


def _t2s() -> Callable[[str], str]:
    return _t2s_opencc().convert  # type: ignore[no-any-return]


def step_traditional(text: str) -> str:
    return _t2s()(text)


def _join_lines(match: re.Match[str]) -> str:
    """A line break inside a paragraph or cell is layout: nothing between CJK, a space elsewhere."""
    text = match.string
    before = text[match.start() - 1] if match.start() else ""
    after = text[match.end()] if match.end() < len(text) else ""
    return "" if _CJK_CHAR_RE.match(before) or _CJK_CHAR_RE.match(after) else " "


def step_spacing(text: str, *, keep_line_breaks: bool = False) -> str:
    if keep_line_breaks and _LINE_BOUNDARY.search(text):  # one line is spaced as any paragraph
        return "\n".join(step_spacing(line) for line in text.splitlines() if line.strip())
    text = text.strip()
    if "\n" in text:
        text = _LINE_BREAK.sub(_join_lines, text)
    if not _ANY_SPACE.search(text):
        return text  # no space left for the patterns below to remove
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


_DEFAULTS = NormalizeOptions()


@lru_cache(maxsize=1)
def _t2s_changeable() -> re.Pattern[str] | None:
    """CJK ideographs ``t2s`` can change, when its mapping keeps lengths (then the character at a
    position can only change if it is one of these); None when a mapping changes a length."""
    try:
        rounds = _t2s_opencc()._get_dict_refs("t2s")
        mapping = rounds.round_1.merged_map
        if not isinstance(mapping, dict) or rounds.round_2 or rounds.round_3:
            return None
    except AttributeError:  # tables laid out otherwise than in this opencc_purepy: always convert
        return None
    chars: set[str] = set()
    for key, value in mapping.items():
        if len(key) != len(value):
            return None
        chars.update(a for a, b in zip(key, value, strict=True) if a != b and "\u4e00" <= a <= "\u9fff")
    return re.compile("[" + "".join(sorted(chars)) + "]") if chars else None


_NOT_CJK_IDEOGRAPH = re.compile("[^\u4e00-\u9fff]+")


def is_traditional(texts: Iterable[str], threshold: float = 0.03) -> bool:
    """True when the text reads as Traditional Chinese.

    Counts CJK characters that OpenCC ``t2s`` would change; Simplified text has almost none (a
    stray 著 or 於), Traditional text has many (廳, 關, 於, 發, 門 …). Converting is slow, so it
    runs only when enough characters could change to pass the threshold at all.
    """
    sample = "".join(texts)[:20000]
    n_cjk = len(_NOT_CJK_IDEOGRAPH.sub("", sample))
    if n_cjk < 4:
        return False
    changeable = _t2s_changeable()
    if changeable is not None:
        at_most = len(changeable.findall(sample))
        if at_most < 2 or at_most / n_cjk < threshold:
            return False
    cjk = [ch for ch in sample if "\u4e00" <= ch <= "\u9fff"]
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
    opts = options or _DEFAULTS
    use_t2s = traditional if opts.traditional is None else opts.traditional
    for name in STEP_NAMES:
        enabled = use_t2s if name == "traditional" else getattr(opts, name)
        if not enabled:
            continue
        text = (
            step_spacing(text, keep_line_breaks=keep_line_breaks) if name == "spacing" else _STEPS[name](text)
        )
    return unicodedata.normalize("NFC", text)


class _DocumentNormalizer:
    """``normalize_text`` with the document's settings, once per distinct string: a merged table
    cell repeats its text in every slot it covers, and headers repeat on every page."""

    def __init__(self, options: NormalizeOptions, traditional: bool) -> None:
        self.options = options
        self.traditional = traditional
        self._done: dict[tuple[str, bool], str] = {}

    def __call__(self, text: str, keep_line_breaks: bool = False) -> str:
        key = (text, keep_line_breaks)
        out = self._done.get(key)
        if out is None:
            out = normalize_text(
                text, self.options, traditional=self.traditional, keep_line_breaks=keep_line_breaks
            )
            self._done[key] = out
        return out


def _normalized_block(block: Block, norm: _DocumentNormalizer) -> Block:
    """The block with its normalized text; the very same block when that text is already there
    (readers start with ``text == raw``, and most text is already normal)."""
    from parsers.model import Paragraph

    if isinstance(block, Paragraph):
        text = norm(block.raw)
        return block if text == block.text else replace(block, text=text)
    rows = tuple(tuple(_normalized_cell(c, norm) for c in row) for row in block.rows)
    unchanged = all(
        new is old
        for new_row, old_row in zip(rows, block.rows, strict=True)
        for new, old in zip(new_row, old_row, strict=True)
    )
    return block if unchanged else replace(block, rows=rows)


def _normalized_cell(cell: Cell, norm: _DocumentNormalizer) -> Cell:
    text = norm(cell.raw, True)
    return cell if text == cell.text else replace(cell, text=text)


def normalize_document(doc: Document, options: NormalizeOptions | None = None) -> Document:
    """Fill every block's normalized ``text`` from its ``raw``; detect Traditional once per document."""
    from parsers.model import Paragraph

    raws: list[str] = []
    for b in doc.blocks:
        if isinstance(b, Paragraph):
            raws.append(b.raw)
        else:
            raws.extend(c.raw for row in b.rows for c in row)
    opts = options or _DEFAULTS
    traditional = is_traditional(raws) if opts.traditional is None else opts.traditional
    norm = _DocumentNormalizer(opts, traditional)
    blocks = tuple(_normalized_block(b, norm) for b in doc.blocks)
    meta = {k: norm(v) for k, v in doc.meta.items()}
    links = tuple(replace(link, text=norm(link.text)) for link in doc.links)
    warnings = doc.warnings + (
        ("text converted from Traditional to Simplified Chinese",) if traditional else ()
    )
    return replace(doc, blocks=blocks, meta=meta, links=links, warnings=warnings)


def normalize_many(texts: Sequence[str], options: NormalizeOptions | None = None) -> list[str]:
    """Normalize loose strings that belong together (Traditional detected over all of them)."""
    opts = options or NormalizeOptions()
    traditional = is_traditional(texts) if opts.traditional is None else opts.traditional
    return [normalize_text(t, opts, traditional=traditional) for t in texts]
