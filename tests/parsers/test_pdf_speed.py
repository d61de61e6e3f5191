"""The PDF reader's cheap paths give exactly what the library's general ones give: page objects
(``_CharPage``) and the doubled-glyph dedupe (``_unique_chars``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pdfplumber.utils import dedupe_chars

from parsers.pdf import _CharPage, _unique_chars, _unique_chars_clustered
from parsers.pdf_layout import group_lines

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "pdf"


@pytest.mark.parametrize(
    "name", ["fake_bold.pdf", "notice.pdf", "table_merged.pdf", "partly_scanned.pdf", "page_numbers.pdf"]
)
def test_char_page_objects_are_the_library_s(name: str) -> None:
    """Characters: the library's values of ``CHAR_KEYS``; everything else: the library's objects."""
    with pdfplumber.open(FIXTURES / name) as pdf:
        for page in pdf.pages:
            mine, theirs = _CharPage.of(page).objects, page.objects
            assert list(mine) == list(theirs)
            for kind, objs in theirs.items():
                if kind == "char":
                    assert mine[kind] == [{k: c[k] for k in _CharPage.CHAR_KEYS} for c in objs]
                else:
                    assert mine[kind] == objs


# Coordinates on a coarse grid, so that ties, near-duplicates and chains within the tolerance
# are common; few texts and fonts, so buckets have several members.
_coord = st.integers(min_value=0, max_value=40).map(lambda v: v * 0.25)
_char = st.fixed_dictionaries(
    {
        "upright": st.booleans(),
        "text": st.sampled_from(["一", "二", "a"]),
        "fontname": st.sampled_from(["SimSun", "SimHei"]),
        "size": st.sampled_from([16.0, 16, 22.0]),
        "doctop": _coord,
        "x0": _coord,
        "tag": st.integers(),  # tells apart characters that are otherwise equal
    }
)


def _ids(chars: list[dict[str, Any]]) -> list[int]:
    return [id(c) for c in chars]


@settings(max_examples=400, deadline=None)
@given(chars=st.lists(_char, max_size=40), tolerance=st.sampled_from([0.5, 1.0, 2.5]))
def test_unique_chars_keeps_what_the_library_keeps(chars: list[dict[str, Any]], tolerance: float) -> None:
    kept = _unique_chars(chars, tolerance)
    assert _ids(kept) == _ids(_unique_chars_clustered(chars, tolerance))
    assert kept == dedupe_chars(chars, tolerance=tolerance)


def test_unique_chars_takes_the_reference_path_for_odd_values() -> None:
    chars = [
        {"upright": True, "text": "一", "fontname": "F", "size": 16.0, "doctop": float("nan"), "x0": 1.0},
        {"upright": True, "text": "一", "fontname": "F", "size": 16.0, "doctop": 10.0, "x0": 1.0},
        {"upright": True, "text": "一", "fontname": "F", "size": 16.0, "doctop": 10.2, "x0": 1.1},
    ]
    assert _ids(_unique_chars(chars, 1.0)) == _ids(_unique_chars_clustered(chars, 1.0))


def _glyph(text: str, x0: float, x1: float, **extra: Any) -> dict[str, Any]:
    return {"text": text, "x0": x0, "x1": x1, "top": 100.0, "bottom": 116.0, "size": 16.0, **extra}


def test_line_from_glyphs_spaces_ligatures_and_dominant_style() -> None:
    """The per-glyph loop: a multi-character glyph shares its width, a Latin gap of more than a
    fifth of an em is a space, a CJK one is not, space glyphs collapse; font, colour and bold are
    the majority's."""
    red, black = (1, 0, 0), (0,)
    line = group_lines(
        [
            _glyph("关", 10.0, 26.0, fontname="SimHei,Bold", non_stroking_color=red),
            _glyph("于", 30.0, 46.0, fontname="SimHei,Bold", non_stroking_color=red),  # CJK gap 4: none
            _glyph("fi", 50.0, 60.0, fontname="SimHei,Bold", non_stroking_color=red),  # after CJK: none
            _glyph("x", 64.0, 70.0, fontname="Times", non_stroking_color=black),  # Latin gap 4: space
            _glyph(" ", 70.0, 74.0),
            _glyph("\u3000", 74.0, 90.0),
            _glyph("y", 90.0, 96.0, fontname="Times", non_stroking_color=black),
        ],
        page=1,
    )
    assert len(line) == 1
    ln = line[0]
    assert ln.text == "关于fi x y"
    assert ln.xs == (10.0, 30.0, 50.0, 55.0, 60.0, 64.0, 70.0, 90.0)
    assert (ln.x0, ln.x1, ln.size, ln.fontname, ln.bold) == (10.0, 96.0, 16.0, "SimHei,Bold", True)
    assert ln.color == "#ff0000"
