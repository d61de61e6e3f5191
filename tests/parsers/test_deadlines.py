import pytest

from parsers.deadlines import parse_deadline
from tests.parsers.casefile import load_cases


@pytest.mark.parametrize(("source", "expected"), load_cases("deadlines.txt"))
def test_parse_deadline(source, expected):
    d = parse_deadline(source, year=2021)
    date = d.date.isoformat() if d.date else None
    assert f"{date}|{d.precision}|{d.ongoing}|{d.year_inferred}" == expected
    assert d.raw == source  # the phrase as written is kept


def test_year_less_phrase_without_document_year_has_no_date():
    d = parse_deadline("9月30日前", year=None)
    assert d.date is None and d.precision == "day"


def test_empty_deadline():
    assert parse_deadline("  ") is None
    assert parse_deadline(None) is None
