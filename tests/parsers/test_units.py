import pytest

from parsers.units import normalize_unit_name, parse_units
from tests.parsers.casefile import load_cases


@pytest.mark.parametrize(("source", "expected"), load_cases("units.txt"))
def test_split_units(source, expected):
    units = parse_units(source.replace("\\n", "\n")).units
    assert " | ".join(f"{u.name}/{u.kind[0]}/{u.role[0]}" for u in units) == expected


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("市发改局", "市发展改革局"),
        ("县应急局", "县应急管理局"),
        ("市政府办", "市政府办公室"),
        ("县行政审批局", "县行政审批局"),
        ("县交易中心", "县公共资源交易中心"),
        ("市纪委", "市纪委监委"),
    ],
)
def test_abbreviations_expanded_through_the_gazetteer(short, full):
    assert normalize_unit_name(short) == full


def test_lead_first_rule_makes_the_first_unit_lead():
    units = parse_units("市司法局、市发改局", lead_first=True).units
    assert [u.role for u in units] == ["lead", "responsible"]


def test_cooperating_role_from_column():
    units = parse_units("市财政局、市审计局", role="cooperating").units
    assert {u.role for u in units} == {"cooperating"}


def test_empty_list():
    assert parse_units("").units == ()
