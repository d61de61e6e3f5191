"""Deadlines (完成时限 / 时间节点): the raw phrase, its date, precision and ongoing flag.

Rules, tried in order; each is a named pattern over the normalized phrase:

``ongoing``      并长期坚持 / 长期坚持 / 持续推进 / 常态化 … set ``ongoing``; a date may come with it
``full_date``    2021年9月30日(前)                                         → that day
``month_end``    2022年6月 / 2021年9月底(前) / 2021年10月前(完成)            → last day of the month
``year_end``     2021年底(前) / 2021年(内) / 2021年年底                       → 31 December
``half``         2021年上半年 / 下半年                                       → 30 June / 31 December
``quarter``      2021年一季度 / 第三季度末                                   → end of the quarter
Year-less forms (``9月30日前``, ``5月底前``, ``年底前``, ``全年``, ``上半年``) take the document's
year (``year`` argument) and say so with ``year_inferred``. ``X月前`` is read as "by the end of
month X", the reading task tables use for bookkeeping; the raw text is kept for anyone who reads
it strictly.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

Precision = Literal["day", "month", "quarter", "half", "year"]

ONGOING = re.compile(r"长期坚持|长期推进|持续推进|持续开展|常态化|长期|持续|每年|每季度|每月|每半年")
_Y = r"(?:(?P<y>(?:19|20)\d{2})\s*年)?"
FULL_DATE = re.compile(_Y + r"(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]")
MONTH = re.compile(_Y + r"(?P<m>\d{1,2})\s*月(?:份)?(?:底|末|中旬|上旬|下旬)?")
HALF = re.compile(_Y + r"(?:年)?(?P<half>上半年|下半年)")
QUARTER = re.compile(_Y + r"(?:第)?(?P<q>[一二三四1-4])\s*季度")
YEAR_END = re.compile(
    r"(?:(?P<y>(?:19|20)\d{2})\s*年\s*(?:底|末|年底|年末|内|全年|前|$|(?=并))|(?P<bare>全年|年底|年末|年内|本年度))"
)
_CN_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4}


@dataclass(frozen=True, slots=True)
class Deadline:
    raw: str
    date: dt.date | None
    precision: Precision | None
    ongoing: bool
    year_inferred: bool = False


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_deadline(raw: str | None, year: int | None = None) -> Deadline | None:
    """Parse a deadline phrase; ``year`` is the document's year for year-less forms."""
    if raw is None or not raw.strip():
        return None
    text = re.sub(r"\s+", "", raw).rstrip("。.；;，,")
    ongoing = bool(ONGOING.search(text))

    def resolve(y: str | None) -> tuple[int | None, bool]:
        if y:
            return int(y), False
        return year, year is not None

    try:
        if m := FULL_DATE.search(text):
            y, inferred = resolve(m.group("y"))
            date = dt.date(y, int(m.group("m")), int(m.group("d"))) if y else None
            return Deadline(raw, date, "day", ongoing, inferred)
        if m := HALF.search(text):
            y, inferred = resolve(m.group("y"))
            date = (dt.date(y, 6, 30) if m.group("half") == "上半年" else dt.date(y, 12, 31)) if y else None
            return Deadline(raw, date, "half", ongoing, inferred)
        if m := QUARTER.search(text):
            y, inferred = resolve(m.group("y"))
            q = m.group("q")
            quarter = _CN_QUARTER.get(q) or int(q)
            return Deadline(raw, _month_end(y, quarter * 3) if y else None, "quarter", ongoing, inferred)
        if m := MONTH.search(text):
            y, inferred = resolve(m.group("y"))
            month = int(m.group("m"))
            date = _month_end(y, month) if y and 1 <= month <= 12 else None
            return Deadline(raw, date, "month", ongoing, inferred)
        if m := YEAR_END.search(text):
            y, inferred = resolve(m.group("y"))
            return Deadline(raw, dt.date(y, 12, 31) if y else None, "year", ongoing, inferred)
    except ValueError:  # 2月30日, 13月: a phrase that names no real date
        return Deadline(raw, None, None, ongoing)
    return Deadline(raw, None, None, ongoing)
