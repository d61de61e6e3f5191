import datetime as dt
from pathlib import Path

import pytest

from parsers.milestones import extract_milestones
from tests.parsers.builders import doc_from_lines
from tests.seeds import parsed

RAW = Path(__file__).resolve().parents[2] / "raw"


def test_stage_headings_with_bracketed_deadlines():
    doc = doc_from_lines(
        "四、实施步骤",
        "(一)启动阶段。(2021年10月前完成)",
        "制定实施方案,明确职责分工。",
        "(二)总结阶段。(2022年6月前完成)",
        "全面总结经验做法。",
        "五、工作要求",
        "(一)加强组织领导。",
    )
    stages = extract_milestones(doc, 2021)
    assert [(m.name, m.deadline.date, m.text) for m in stages] == [
        ("启动阶段", dt.date(2021, 10, 31), "制定实施方案,明确职责分工。"),
        ("总结阶段", dt.date(2022, 6, 30), "全面总结经验做法。"),
    ]


def test_year_led_stages():
    doc = doc_from_lines(
        "二、实施步骤", "2020年，编制完善本级政务公开事项标准目录。", "2021年，基层政务公开载体更加丰富。"
    )
    stages = extract_milestones(doc, None)
    assert [(m.name, m.deadline.date) for m in stages] == [
        ("2020年", dt.date(2020, 12, 31)),
        ("2021年", dt.date(2021, 12, 31)),
    ]


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_wanyuan_work_steps(fmt):
    stages = parsed(RAW / f"003_b54ff24471a88dd0.{fmt}").milestones
    assert [m.name for m in stages] == ["调研摸排阶段", "动员部署阶段", "组织实施阶段", "巩固提升阶段"]
    assert stages[0].deadline.raw == "2021年9月底前" and stages[0].deadline.date == dt.date(2021, 9, 30)
