from pathlib import Path

import pytest

from parsers.members import extract_members, split_name_post
from tests.parsers.builders import doc_from_lines
from tests.seeds import parsed

RAW = Path(__file__).resolve().parents[2] / "raw"


@pytest.mark.parametrize(
    ("text", "raw", "expected"),
    [
        ("叶仕良县委常委、副县长", "叶仕良  县委常委、副县长", ("叶仕良", "县委常委、副县长")),
        ("梅燕县发展改革局局长", "梅  燕  县发展改革局局长", ("梅燕", "县发展改革局局长")),
        ("郑晓波县委编办主任", "郑晓波县委编办主任", ("郑晓波", "县委编办主任")),
        (
            "各镇镇长、玉蟾街道办事处主任",
            "各镇镇长、玉蟾街道办事处主任",
            (None, "各镇镇长、玉蟾街道办事处主任"),
        ),
    ],
)
def test_name_and_post(text, raw, expected):
    assert split_name_post(text, raw) == expected


def test_roles_carry_over_and_unit_lists_split():
    doc = doc_from_lines(
        "某县工作领导小组成员名单",
        "组  长:叶仕良  县委常委、副县长",
        "成  员:郑晓波  县委编办主任",
        "梅  燕  县发展改革局局长",
        "职  责:负责统筹协调。",
    )
    members = extract_members(doc)
    assert [(m.role, m.name, m.post) for m in members] == [
        ("组长", "叶仕良", "县委常委、副县长"),
        ("成员", "郑晓波", "县委编办主任"),
        ("成员", "梅燕", "县发展改革局局长"),
    ]


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_member_units_of_a_list_wrapped_over_lines(fmt):
    members = parsed(RAW / f"003_b54ff24471a88dd0.{fmt}").members
    people = [(m.role, m.name) for m in members if m.name]
    assert people == [("组长", "朱挺"), ("副组长", "熊江成"), ("副组长", "何思源")]
    units = [m.unit for m in members if m.unit]
    assert units[0] == "市政府办公室" and units[-1] == "各乡镇人民政府" and "市委政法委" in units


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_luxian_members(fmt):
    members = parsed(RAW / f"001_3066dfd361fc75f9.{fmt}").members
    assert len(members) == 27
    assert members[2].post == "宣传部副部长、县委外宣办(县政府新闻办主任"  # wrapped post joined
