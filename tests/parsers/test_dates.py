import datetime as dt

import pytest

from parsers.dates import parse_date, standalone_date
from tests.parsers.casefile import load_cases


@pytest.mark.parametrize(("source", "expected"), load_cases("dates.txt"))
def test_parse_date(source, expected):
    result = parse_date(source)
    assert (result.isoformat() if result else None) == expected


def test_standalone_date_line():
    assert standalone_date("2021 年 8 月 12 日") == dt.date(2021, 8, 12)
    assert standalone_date("（二〇二一年八月十二日）") == dt.date(2021, 8, 12)


def test_date_inside_a_sentence_is_not_a_date_line():
    assert standalone_date("确保到2022年7月31日完成") is None
