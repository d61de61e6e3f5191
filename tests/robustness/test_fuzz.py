"""Property-based fuzzing of the small text parsers: never crash, finish fast, keep invariants.

Profiles (``conftest.py``): ``ci`` runs a few dozen examples per property; ``make fuzz``
(``HYPOTHESIS_PROFILE=fuzz``) runs thousands. Hypothesis' ``deadline`` bounds each example's time.
"""

from __future__ import annotations

import datetime as dt
import re
import time

from hypothesis import assume, example, given
from hypothesis import strategies as st

from parsers import units
from parsers.dates import parse_date
from parsers.deadlines import parse_deadline
from parsers.docnumber import find_doc_numbers, normalize_doc_number
from parsers.normalize import normalize_text

# Text that looks like what readers produce: CJK, digits, Latin, every kind of space and line
# break, brackets of every width, punctuation, control and zero-width characters.
ALPHABET = st.sampled_from(
    list("川办函府发国号第字年月日前底内半季度长期坚持并各县市乡镇人民政府局委办公室牵头负责配合等相关部门")
    + list("0123456789０１２９abcXYZ")
    + list(" \t\n\r\u00a0\u3000\u2002\u200b\u200e\u202e\ufeff\u00ad\x00\x07\x1b\x85")
    + list("〔〕［］[]【】()（）〈〉<>{}｛｝，,；;、。.:：%—-")
)
TEXT = st.text(ALPHABET, max_size=300) | st.text(max_size=200)
AGENCIES = ["川办函", "国办发", "川府发", "泸县府办发", "万府办", "中办发", "川办发"]
BRACKETS = [("〔", "〕"), ("［", "］"), ("[", "]"), ("【", "】"), ("(", ")"), ("（", "）"), ("〈", "〉")]
SPACE = st.sampled_from(["", "", " ", "  ", "\u3000", "\t"])


@given(TEXT, st.booleans())
@example("甲" + " " * 5000 + "b", False)
@example("( " + " \n" * 3000, True)
def test_normalize_text_is_idempotent(text: str, keep_line_breaks: bool) -> None:
    once = normalize_text(text, keep_line_breaks=keep_line_breaks)
    assert normalize_text(once, keep_line_breaks=keep_line_breaks) == once
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\ufeff]", once)


def test_long_space_runs_are_linear() -> None:
    """Regression: runs of spaces made ``step_spacing`` quadratic (40 000 spaces: 15 s)."""
    text = "甲" + " " * 200_000 + "b" + " \n" * 50_000 + "(" + "\u3000" * 100_000
    start = time.perf_counter()
    normalize_text(text)
    normalize_text(text, keep_line_breaks=True)
    assert time.perf_counter() - start < 2.0


@given(TEXT)
def test_find_doc_numbers_never_crashes_and_normalizes_to_a_fixed_point(text: str) -> None:
    for number in find_doc_numbers(text):
        assert text[number.start : number.end] == number.raw
        assert normalize_doc_number(number.normalized) == number.normalized
        assert normalize_doc_number(number.raw) == number.normalized


@given(
    st.sampled_from(AGENCIES),
    st.sampled_from(BRACKETS),
    st.integers(1950, 2099),
    st.integers(0, 999_999),
    st.booleans(),
    SPACE,
    SPACE,
    TEXT,
    TEXT,
)
def test_doc_number_forms_normalize_to_one(
    agency: str,
    brackets: tuple[str, str],
    year: int,
    seq: int,
    di: bool,
    sp1: str,
    sp2: str,
    before: str,
    after: str,
) -> None:
    raw = f"{agency}{sp1}{brackets[0]}{year}{brackets[1]}{'第' if di else ''}{sp2}{seq}{sp1}号"
    assert normalize_doc_number(raw) == f"{agency}〔{year}〕{seq}号"
    assume(not re.search(r"[\u4e00-\u9fffA-Za-z]$", before))  # no letters glued to the agency
    found = find_doc_numbers(f"{before}，{raw}，{after}")
    assert f"{agency}〔{year}〕{seq}号" in [n.normalized for n in found]


_STRIP = re.compile(r"[\s，,；;、。.]")


@given(TEXT, st.sampled_from(["lead", "responsible", "cooperating"]), st.booleans())
def test_parse_units_names_come_from_the_input(text: str, role: str, lead_first: bool) -> None:
    result = units.parse_units(text, role, lead_first=lead_first)  # type: ignore[arg-type]
    source = _STRIP.sub("", units.remove_notes(re.sub(r"\s*\n\s*", "、", text)))
    for unit in result.units:
        assert unit.name.strip()
        assert _STRIP.sub("", unit.name) in source, unit.name
        assert unit.kind in ("agency", "group") and unit.role in ("lead", "responsible", "cooperating")


@given(TEXT, st.one_of(st.none(), st.integers(-5, 12000)))
def test_parse_deadline_never_crashes(text: str, year: int | None) -> None:
    deadline = parse_deadline(text, year)
    if deadline is None:
        assert not text.strip()
        return
    assert deadline.raw == text
    if deadline.date is not None:
        written = {int(y) for y in re.findall(r"(?:19|20)\d{2}", re.sub(r"\s+", "", text))}
        assert deadline.date.year in written | ({year} if year is not None else set())


PHRASE_TAILS = ["", "前", "底前", "底", "末", "内", "并长期坚持", "前完成", "。"]


@example(2022, 0, True, 1, 1, "year", "并长期坚持")  # regression: "2022年并长期坚持" had no date
@given(
    st.integers(2000, 2040),
    st.integers(-10, 10),
    st.booleans(),
    st.integers(1, 12),
    st.integers(1, 31),
    st.sampled_from(["day", "month", "year", "half", "quarter", "whole"]),
    st.sampled_from(PHRASE_TAILS),
)
def test_deadline_phrases_resolve_near_the_document_year(
    doc_year: int, offset: int, with_year: bool, month: int, day: int, form: str, tail: str
) -> None:
    y = f"{doc_year + offset}年" if with_year else ""
    phrase = {
        "day": f"{y}{month}月{day}日",
        "month": f"{y}{month}月",
        "year": f"{doc_year + offset}年" if with_year else "年底",
        "half": f"{y}{'上' if month <= 6 else '下'}半年",
        "quarter": f"{y}第{'一二三四'[(month - 1) // 3]}季度",
        "whole": "全年",
    }[form] + tail
    deadline = parse_deadline(phrase, doc_year)
    assert deadline is not None
    if deadline.date is not None:
        assert abs(deadline.date.year - doc_year) <= 10
        assert deadline.year_inferred == (not with_year or form == "whole")
    else:  # only a day that does not exist in its month (2月30日) may give no date
        assert form == "day"
    assert deadline.ongoing == ("长期坚持" in phrase)


_CN = "〇一二三四五六七八九"


def _cn_number(n: int) -> str:
    if n <= 10:
        return "十" if n == 10 else _CN[n]
    tens, units_ = divmod(n, 10)
    return ("" if tens == 1 else _CN[tens]) + "十" + (_CN[units_] if units_ else "")


@given(st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)), TEXT, SPACE)
def test_parse_date_reads_every_written_form(date: dt.date, noise: str, sp: str) -> None:
    assume(not re.search(r"\d|年|月|日|号|[〇○零一二三四五六七八九十OoＯ]$", noise))
    forms = [
        f"{date.year}{sp}年{sp}{date.month}{sp}月{sp}{date.day}{sp}日",
        f"{date.year}-{date.month:02d}-{date.day:02d}",
        "".join(_CN[int(c)] for c in str(date.year))
        + f"年{_cn_number(date.month)}月{_cn_number(date.day)}日",
    ]
    for form in forms:
        assert parse_date(form) == date, form
        assert parse_date(f"{noise} {form}") == date, form


@given(TEXT)
def test_parse_date_never_crashes(text: str) -> None:
    result = parse_date(text)
    assert result is None or 1900 <= result.year <= 2099 or result.year < 10000


# --- regressions: the unit patterns that backtracked, against the original patterns as oracles ---

_OLD_NOTE = re.compile(r"[（(][^（）()]*(?:牵头|下同|附件|详见|见|负责|配合)[^（）()]*[）)]")
_OLD_GROUP = re.compile(
    r"^各|^其他|^其它|相关|有关|^\d+个|各部门|各直属|各单位|的.*(?:部门|单位|机构)(?:[（(].*[）)])?$|"
    r"(?:县级|市级|省级|州级|省直|市直|县直)部门|^部门$|^单位$|"
    r"、.*(?:人民政府|政府|部门|单位)$"
)
UNIT_TEXT = st.text(st.sampled_from(list("的部门单位机构人民政府、各县（）()\n负责见下同x")), max_size=40)


@given(UNIT_TEXT)
@example("县政府、市发改局\n")
@example("有关的单位（局）\n")
@example("的部门()")
def test_unit_patterns_keep_their_meaning(text: str) -> None:
    assert units.remove_notes(text) == _OLD_NOTE.sub("", text)
    assert units.unit_kind(text) == ("group" if _OLD_GROUP.search(text) else "agency")


def test_long_unit_lists_are_fast() -> None:
    """Regression: 12 000 characters of ``的部门(`` took minutes, an unclosed note 10 s."""
    start = time.perf_counter()
    for text in ("的部门(" * 3000, "(" + "负责" * 20000, "、" * 30000 + "x", "、部门" * 20000 + "x"):
        units.parse_units(text)
        units.unit_kind(text)
    assert time.perf_counter() - start < 2.0
