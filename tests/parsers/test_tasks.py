import datetime as dt
from pathlib import Path

import pytest

from parsers.tasks import extract_tasks, header_meaning, split_sentences, task_table_layout
from tests.parsers.builders import doc_from_blocks, table_block
from tests.seeds import parsed

RAW = Path(__file__).resolve().parents[2] / "raw"


@pytest.mark.parametrize(
    ("label", "meaning"),
    [
        ("序号", "number"),
        ("完成 时限", "deadline"),
        ("牵头县级领导", "lead_leader"),
        ("具体内容", "text"),
        ("责任单位", "responsible"),
        ("配合单位", "cooperating"),
        ("时间节点", "deadline"),
        ("领域", "category"),
    ],
)
def test_header_meanings(label, meaning):
    assert header_meaning(label) == meaning


def test_header_spanning_two_columns_is_group_then_task():
    table = table_block(
        [
            ["序号", "主要工作任务", None, "牵头单位", "责任单位", "完成时限"],
            [
                "1",
                "深化行政决策公开",
                "推行重大行政决策预公开。",
                "市司法局",
                "市司法局、市发改局",
                "2022年6月并长期坚持",
            ],
            [
                None,
                None,
                "探索建立群众参与基层政府有关会议制度。",
                "市政府办公室",
                "市政府办公室",
                "2022年6月",
            ],
        ]
    )
    layout = task_table_layout(table)
    assert layout.columns["category"] == [1] and layout.columns["text"] == [2]
    tasks = extract_tasks(doc_from_blocks(table), "d", 2021)
    assert [t.number for t in tasks] == ["1.1", "1.2"]  # 序号 merged over the group
    assert tasks[0].category == "深化行政决策公开"
    assert tasks[0].lead_unit == "市司法局" and tasks[0].responsible_units == ["市司法局", "市发改局"]
    assert tasks[0].deadline.date == dt.date(2022, 6, 30) and tasks[0].deadline.ongoing


def test_columns_in_any_order_and_group_path():
    table = table_block(
        [
            ["完成时限", "责任单位", "具体内容", "名称", "任务", "序号"],
            ["9月30日前", "省发展改革委", "主动公开本地规划。", "各类规划", "重点领域信息公开", "1"],
        ]
    )
    (task,) = extract_tasks(doc_from_blocks(table), "d", 2021)
    assert task.category == "重点领域信息公开 › 各类规划"
    assert task.deadline.date == dt.date(2021, 9, 30) and task.deadline.year_inferred


def test_domain_table_is_not_a_task_table():
    table = table_block([["序号", "领域", "指导部门(单位)"], ["1", "重大建设项目", "省发展改革委"]])
    assert task_table_layout(table) is None


def test_repeated_header_row_after_page_break_is_skipped():
    table = table_block(
        [
            ["序号", "重点任务", "责任单位"],
            ["1", "推行重大行政决策预公开。", "各镇(街道)"],
            ["序号", "重点任务", "责任单位"],
            ["2", "探索建立群众参与基层政府有关会议制度。", "县政府办公室"],
        ]
    )
    assert [t.number for t in extract_tasks(doc_from_blocks(table), "d", 2021)] == ["1", "2"]


def test_body_items_with_unit_lines_and_lead_first_rule():
    doc = doc_from_blocks(
        "三、主要任务",
        "（一）深化行政决策公开，促进基层政府决策能力提升",
        "1.推行重大行政决策预公开，大力推进行政决策内容、过程公开。",
        "责任单位：市司法局、市发改局等市级相关部门（排第一位的为牵头单位，下同）",
        "2.探索建立群众参与基层政府有关会议制度。",
        "责任单位：市政府办公室、市住建局",
    )
    tasks = extract_tasks(doc, "d", 2021)
    assert [(t.number, t.lead_unit) for t in tasks] == [("1.1", "市司法局"), ("1.2", "市政府办公室")]
    assert tasks[0].responsible_units == ["市司法局", "市发改局", "市级相关部门"]
    assert tasks[0].category == "深化行政决策公开，促进基层政府决策能力提升"


def test_same_task_in_body_and_table_is_kept_once_with_a_warning_on_units():
    doc = doc_from_blocks(
        "（一）深化为民办事服务公开",
        "1.规范设置政务公开专区，提供信息查询咨询服务。",
        "责任单位：市行政审批局、市文体旅局",
        table_block(
            [
                ["序号", "主要工作任务", "牵头单位", "责任单位", "完成时限"],
                [
                    "1",
                    "规范设置政务公开专区，提供信息查询咨询服务。",
                    "市行政审批局",
                    "市行政审批局、市文旅局",
                    "2021年12月",
                ],
            ]
        ),
    )
    (task,) = extract_tasks(doc, "d", 2021)
    assert task.source == "body+table"
    assert task.deadline.date == dt.date(2021, 12, 31)
    assert any("市文体旅局" in w and "市文旅局" in w for w in task.warnings)


def test_prose_requirements_one_per_sentence():
    doc = doc_from_blocks(
        "二、主要任务",
        "通过深化政务公开，加快建成基层政务公开标准体系。",
        "（一）深化行政决策公开，促进基层政府决策能力提升。推行重大行政决策预公开。探索建立群众参与基层政府有关会议制度。",
        "三、组织实施",
        "（一）加强组织领导。明确工作机构。",
    )
    tasks = extract_tasks(doc, "d", 2021)
    assert [(t.number, t.text) for t in tasks] == [
        ("(一).1", "推行重大行政决策预公开。"),
        ("(一).2", "探索建立群众参与基层政府有关会议制度。"),
    ]
    assert tasks[0].category == "深化行政决策公开，促进基层政府决策能力提升"


def test_sentence_split_keeps_quotes_with_their_sentence():
    assert split_sentences("定期开展“政务开放日(周)”活动。确定政务协商事项。") == [
        "定期开展“政务开放日(周)”活动。",
        "确定政务协商事项。",
    ]


def test_task_ids_are_stable_across_runs():
    first = [t.task_id for t in parsed(RAW / "003_b54ff24471a88dd0.docx").tasks]
    again = [t.task_id for t in parsed(RAW / "003_b54ff24471a88dd0.docx").tasks]
    assert first == again and len(set(first)) == len(first)


# ---- the seeds, as the issue checks them ------------------------------------------------------

FORMATS = ("pdf", "docx", "html")


def _no_fragments(units: list[str]) -> None:
    for name in units:
        assert len(name) >= 2, name
        assert not name.startswith(("、", "，", "等", "。")), name
        assert name.count("(") + name.count("（") == name.count(")") + name.count("）"), name


@pytest.mark.parametrize("fmt", FORMATS)
def test_wanyuan_plan_gives_25_complete_tasks(fmt):
    tasks = parsed(RAW / f"003_b54ff24471a88dd0.{fmt}").tasks
    assert len(tasks) == 25
    for t in tasks:
        assert t.lead_leader and t.lead_unit and t.responsible_units and t.deadline.date
        _no_fragments(t.responsible_units)
    first = tasks[0]
    assert (first.lead_leader, first.lead_unit) == ("闵军舰", "市司法局")
    assert first.deadline.raw == "2022年6月并长期坚持"
    assert first.deadline.date == dt.date(2022, 6, 30) and first.deadline.ongoing


@pytest.mark.parametrize("fmt", FORMATS)
def test_luxian_plan_gives_26_tasks_with_units(fmt):
    tasks = parsed(RAW / f"001_3066dfd361fc75f9.{fmt}").tasks
    assert len(tasks) == 26
    for t in tasks:
        assert t.responsible_units
        _no_fragments(t.responsible_units)


@pytest.mark.parametrize("fmt", FORMATS)
def test_forwarded_notice_rows_resolve_year_less_deadlines(fmt):
    (forwarded,) = parsed(RAW / f"004_597f21caaa58e27d.{fmt}").forwarded
    by_raw = {t.deadline.raw: t.deadline.date for t in forwarded.tasks if t.deadline}
    assert by_raw["9月30日前"] == dt.date(2021, 9, 30)
    assert by_raw["全年"] == dt.date(2021, 12, 31)
    assert by_raw["5月底前"] == dt.date(2021, 5, 31)
    for t in forwarded.tasks:
        _no_fragments(t.responsible_units)


@pytest.mark.parametrize("fmt", FORMATS)
def test_template_requirements_are_its_task_sentences(fmt):
    tasks = parsed(RAW / f"000_3fcaf470a0c023ac.{fmt}").tasks
    assert len(tasks) == 27 and all(t.source == "prose" for t in tasks)
    assert tasks[1].text == "探索建立群众参与基层政府有关会议制度。"


def test_two_text_columns_name_then_measures():
    table = table_block(
        [
            ["序号", "重点任务", "具体措施", "牵头单位", "配合单位", "完成时间"],
            [
                "1",
                "优化营商环境",
                "公开市场准入负面清单并动态调整。",
                "县发改局",
                "县市场监管局",
                "2022年底前",
            ],
        ]
    )
    (task,) = extract_tasks(doc_from_blocks(table), "d", 2022)
    assert task.category == "优化营商环境" and task.text == "公开市场准入负面清单并动态调整。"
    assert task.lead_unit == "县发改局" and task.responsible_units == ["县发改局"]
    assert [(u.name, u.role) for u in task.units] == [("县发改局", "lead"), ("县市场监管局", "cooperating")]
    assert task.deadline.date.isoformat() == "2022-12-31"
