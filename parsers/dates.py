"""Chinese dates: ``2021年8月12日``, ``2021-08-12``, Chinese numerals ``二〇二一年八月十二日``, and
the Republic-of-China calendar used in Taiwan (``中华民国110年8月12日`` = 2021-08-12; text is
Simplified by the time it gets here)."""

from __future__ import annotations

import datetime as dt
import re

_CN_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "Ｏ": 0,
    "O": 0,
    "o": 0,
    "0": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUM = "〇○零Ｏ一二三四五六七八九十"
_SP = r"[ \t\u3000]*"

DATE = re.compile(
    rf"(?P<y>(?:19|20)\d{{2}}|[{_CN_NUM}O]{{4}}){_SP}年{_SP}(?P<m>\d{{1,2}}|[{_CN_NUM}]{{1,3}})"
    rf"{_SP}月{_SP}(?P<d>\d{{1,2}}|[{_CN_NUM}]{{1,3}}){_SP}[日号]"
)
ROC_DATE = re.compile(
    rf"(?:中华民国|民国){_SP}(?P<y>\d{{2,3}}){_SP}年{_SP}(?P<m>\d{{1,2}}){_SP}月{_SP}(?P<d>\d{{1,2}}){_SP}[日号]"
)
ROC_OFFSET = 1911
ISO_DATE = re.compile(r"(?P<y>(?:19|20)\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})")
# A line that is a date and nothing else (the 成文日期 under a signature), parentheses allowed.
STANDALONE_DATE = re.compile(rf"^[（(]?{_SP}(?:{DATE.pattern}){_SP}[）)]?$")


def _cn_year(text: str) -> int:
    return int("".join(str(_CN_DIGITS[ch]) for ch in text))


def _cn_small(text: str) -> int:
    """Months and days written ``8``, ``八``, ``十二``, ``二十一``, ``三十``."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)
    return _CN_DIGITS[text]


def _build(y: str, m: str, d: str) -> dt.date | None:
    try:
        year = int(y) if y.isdigit() else _cn_year(y)
        return dt.date(year, _cn_small(m), _cn_small(d))
    except (KeyError, ValueError):
        return None


def parse_date(text: str) -> dt.date | None:
    """The first full date (year, month and day) in ``text``, or ``None``."""
    roc = ROC_DATE.search(text)
    if roc:
        return _build(str(int(roc.group("y")) + ROC_OFFSET), roc.group("m"), roc.group("d"))
    m = DATE.search(text) or ISO_DATE.search(text)
    return _build(m.group("y"), m.group("m"), m.group("d")) if m else None


def standalone_date(text: str) -> dt.date | None:
    """The date when ``text`` is a date line and nothing else."""
    stripped = text.strip().strip("()（）")
    roc = ROC_DATE.fullmatch(stripped)
    if roc:
        return _build(str(int(roc.group("y")) + ROC_OFFSET), roc.group("m"), roc.group("d"))
    m = STANDALONE_DATE.match(text.strip())
    return _build(m.group("y"), m.group("m"), m.group("d")) if m else None
