"""parsers.linear: structure rebuilt from naive line-per-paragraph renderings.

One test per rule on small in-memory Documents, the well-formed case left alone, and end-to-end
runs on naive HTML renderings of seeds 001 and 003 (tests/fixtures/linear/, made by
make_fixtures.py there).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from parsers import parse_file
from parsers.linear import (
    cells_per_paragraph_tables,
    grouped_cells_per_paragraph_tables,
    recover_structure,
    rejoin_split_paragraphs,
    rejoin_wrapped_lines,
    space_separated_tables,
    tab_separated_tables,
)
from parsers.model import Block, Document, Location, Paragraph, Table
from parsers.normalize import normalize_text
from parsers.tasks import extract_tasks, task_table_layout
from tests.parsers.builders import doc_from_blocks, doc_from_lines, table_block

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "linear"


def raw_doc(*raws: str) -> Document:
    """Paragraphs whose raw keeps tabs (normalized text drops them, as readers do)."""
    blocks = tuple(Paragraph(normalize_text(r), r, Location(i)) for i, r in enumerate(raws))
    return Document("test.docx", "docx", blocks)


def tables(blocks: list[Block]) -> list[Table]:
    return [b for b in blocks if isinstance(b, Table)]


# --- Rule A ------------------------------------------------------------------------------------


def test_cells_per_paragraph_tables_builds_the_grid() -> None:
    doc = doc_from_lines(
        "附件3", "序号", "重点任务", "责任单位",
        "1", "推行重大行政决策预公开。", "各镇(街道)、县政府各部门(单位)",
        "2", "探索建立群众参与基层政府有关会议制度。", "县政府办公室、各镇(街道)",
        "序号", "重点任务", "责任单位",  # header repeated after a page break
        "3", "提升群众参与度。", "县政府办公室",
        "扫一扫在手机打开当前页",
    )  # fmt: skip
    blocks = cells_per_paragraph_tables(list(doc.blocks))
    (table,) = tables(blocks)
    assert table.texts()[0] == ["序号", "重点任务", "责任单位"]
    assert [r[0] for r in table.texts()[1:]] == ["1", "2", "3"]
    assert table.texts()[2][2] == "县政府办公室、各镇(街道)"
    assert [b.text for b in blocks if isinstance(b, Paragraph)] == ["附件3", "扫一扫在手机打开当前页"]
    assert task_table_layout(table) is not None


def test_cells_per_paragraph_tables_leaves_uneven_rows() -> None:
    lines = (
        "序号",
        "重点任务",
        "责任单位",
        "1",
        "甲任务。",
        "县民政局",
        "乙任务。",
        "2",
        "丙任务。",
        "县财政局",
    )
    doc = doc_from_lines(*lines)
    assert cells_per_paragraph_tables(list(doc.blocks)) == list(doc.blocks)


# --- Rule A2 -----------------------------------------------------------------------------------


def test_grouped_cells_per_paragraph_tables_carries_merged_cells() -> None:
    doc = doc_from_lines(
        "序号", "任务", "名称", "具体内容", "责任单位", "完成时限",
        "1", "重点领域信息公开", "各类规划", "主动公开本地规划。", "省发展改革委、省大数据中心", "9月30日前",
        "汇集整理主动公开的规划。",
        "2", "重大战略部署", "主动公开重大决策有关的政策。", "省政府办公厅,各市(州)人民政府", "全年",
        "扫一扫在手机打开当前页",
    )  # fmt: skip
    blocks = grouped_cells_per_paragraph_tables(list(doc.blocks))
    (table,) = tables(blocks)
    rows = table.texts()
    assert rows[2] == [
        "1",
        "重点领域信息公开",
        "各类规划",
        "汇集整理主动公开的规划。",
        "省发展改革委、省大数据中心",
        "9月30日前",
    ]
    assert rows[3][:3] == ["2", "重点领域信息公开", "重大战略部署"]  # 任务 merged over both groups
    assert table.rows[2][0].is_continuation
    tasks = extract_tasks(Document("t.html", "html", tuple(blocks)), "d", 2021)
    assert [t.number for t in tasks] == ["1.1", "1.2", "2"]
    assert tasks[1].deadline is not None and tasks[1].deadline.date == dt.date(2021, 9, 30)


# --- Rule B ------------------------------------------------------------------------------------


def test_tab_separated_tables_right_aligns_group_rows() -> None:
    doc = raw_doc(
        "附件3",
        "序号\t主要工作任务\t牵头县级领导\t牵头单位\t责任单位\t完成时限\t",
        "1\t深化行政决策公开\t推行重大行政决策预公开。\t闵军舰\t市司法局\t市司法局、市发改局\t2022年6月并长期坚持",
        "\t探索建立群众参与制度。\t熊江成\t市政府办公室\t市政府办公室\t2022年6月并长期坚持\t",
        "\t\t定期开展政务开放日活动。\t熊江成\t市政府办公室\t市政府办公室\t2021年12月",
        "附件4",
    )
    blocks = tab_separated_tables(list(doc.blocks))
    (table,) = tables(blocks)
    assert table.n_cols == 7
    assert table.rows[0][1].origin == table.rows[0][2].origin == (0, 1)  # 主要工作任务 spans two
    assert table.texts()[2][:4] == ["1", "深化行政决策公开", "探索建立群众参与制度。", "熊江成"]
    assert table.rows[3][1].origin == (1, 1)
    layout = task_table_layout(table)
    assert layout is not None and layout.columns["category"] == [1] and layout.columns["text"] == [2]
    tasks = extract_tasks(Document("t.docx", "docx", tuple(blocks)), "d", 2021)
    assert [(t.number, t.lead_leader) for t in tasks] == [
        ("1.1", "闵军舰"),
        ("1.2", "熊江成"),
        ("1.3", "熊江成"),
    ]


def test_tab_separated_tables_needs_a_known_header() -> None:
    doc = raw_doc("姓名\t职务", "张三\t局长")
    assert tab_separated_tables(list(doc.blocks)) == list(doc.blocks)


# --- Rule C ------------------------------------------------------------------------------------


def test_space_separated_tables_skips_repeated_header() -> None:
    doc = raw_doc(
        "序号 领域 指导部门(单位)",
        "1 重大建设项目 省发展改革委",
        "2 公共资源交易 省政务服务和资源交易服务中心",
        " 序号 领域 指导部门(单位)",
        "3 食品药品监管 省市场监管局、 省药监局",
        "备注:按照国办发〔2019〕54 号文件要求,2021 年底前",
    )
    blocks = space_separated_tables(list(doc.blocks))
    (table,) = tables(blocks)
    assert table.texts()[1:] == [
        ["1", "重大建设项目", "省发展改革委"],
        ["2", "公共资源交易", "省政务服务和资源交易服务中心"],
        ["3", "食品药品监管", "省市场监管局、省药监局"],
    ]
    assert isinstance(blocks[-1], Paragraph) and blocks[-1].text.startswith("备注")


def test_space_separated_tables_merges_letter_spaced_labels_and_group_rows() -> None:
    doc = raw_doc(
        "序号 主要工作任务 牵头县级领导 牵头单位 责任单位 完成时限",
        "1 深化政策落实公开 抓好政策部署落实落地。 何恩源 市委宣传部 市委宣传部、市政府办 2022年6月",
        "2 深化 为民 服务 公开 全面梳理办事服务事项。 熊江成 市行政审批局 市行政审批局、市税务局 2022年6月",
        "汇编发布办事一本通。 熊江成 市行政审批局 市行政审批局 2022年12月",
    )
    (table,) = tables(space_separated_tables(list(doc.blocks)))
    assert table.texts()[2][:3] == ["2", "深化为民服务公开", "全面梳理办事服务事项。"]
    group_row = ["2", "深化为民服务公开", "汇编发布办事一本通。", "熊江成", "市行政审批局", "市行政审批局"]
    assert table.texts()[3] == [*group_row, "2022年12月"]
    assert table.rows[3][0].origin == (2, 0)


# --- Rule D ------------------------------------------------------------------------------------

WRAPPED = (
    "基层政府治理是国家治理体系和治理能力现代化的有机组成",
    "部分和重要基础,深化政务公开是促进基层政府治理能力提升的",
    "重要途径。为有力有序深化政务公开,促进基层政府治理能力提",
    "升,特制定本方案。",
)


def test_rejoin_wrapped_lines_joins_one_paragraph_not_headings() -> None:
    lines = (
        "深化政务公开促进基层政府治理能力提升",
        *WRAPPED,
        "一、总体要求",
        "(一)指导思想。以习近平新时代中国特色社会主义思想为",
        "指导,全面贯彻党的十九大和十九届二中、三中、四中、五中全会精",
        "神,按照党中央、国务院和省委、省政府部署要求,坚持以人民为中",
        "心,推动政务公开与政府治理有机融合,促进政府治理与群众参与",
        "服务型政府建设提供重要支撑。",
        "(二)基本原则",
        "———坚持需求导向,站在群众和企业角度,更多公开民生类和",
        "服务类信息,推进基层办事服务公开透明,更好满足基层群众所需",
        "所盼。",
        "———坚持标准引领,以全面推进基层政务公开标准化规范化",
    )
    blocks = rejoin_wrapped_lines(list(doc_from_lines(*lines).blocks))
    texts = [b.text for b in blocks if isinstance(b, Paragraph)]
    assert texts[0] == "深化政务公开促进基层政府治理能力提升"
    assert texts[1] == "".join(WRAPPED)
    assert texts[2] == "一、总体要求"
    assert texts[3].startswith("(一)指导思想。") and texts[3].endswith("提供重要支撑。")
    assert texts[4] == "(二)基本原则"
    assert texts[5].endswith("所需所盼。") and texts[6].startswith("———坚持标准引领")
    assert blocks[1].raw == "\n".join(WRAPPED)  # type: ignore[union-attr]


def test_rejoin_wrapped_lines_needs_a_hard_wrapped_document() -> None:
    doc = doc_from_lines(*WRAPPED[:2], "各镇(街道)、各园区、县政府各部门(单位)")
    assert rejoin_wrapped_lines(list(doc.blocks)) == list(doc.blocks)


def test_rejoin_split_paragraphs_at_a_page_break() -> None:
    first = "基层政府要组织相关部门对照标准指引。公开事项坚持应公开、尽公开原则，除有法律、法规、规章等明确规"
    doc = doc_from_lines(
        first + "定不予" * 5, "定不予公开的事项外，其余事项均应列入政务公开事项清单。", "（二）完善制度"
    )
    blocks = rejoin_split_paragraphs(list(doc.blocks))
    assert len(blocks) == 2 and blocks[0].text.endswith("列入政务公开事项清单。")  # type: ignore[union-attr]


# --- Well-formed documents ---------------------------------------------------------------------


def test_well_formed_document_is_returned_unchanged() -> None:
    table = table_block([["序号", "重点任务", "责任单位"], ["1", "推行预公开。", "县司法局"]])
    doc = doc_from_blocks("一、总体要求", "（一）指导思想。以习近平新时代中国特色社会主义思想为指导。", table)
    assert recover_structure(doc) is doc


# --- End to end on naive renderings of the seeds -----------------------------------------------


def test_naive_001_tasks_each_with_units() -> None:
    record = parse_file(FIXTURES / "naive_001.html")
    assert len(record.tasks) == 26
    assert all(t.responsible_units for t in record.tasks)


def test_naive_003_tasks_with_leaders_and_deadlines() -> None:
    record = parse_file(FIXTURES / "naive_003.html")
    assert len(record.tasks) == 25
    assert all(t.lead_leader and t.deadline and t.deadline.date for t in record.tasks)
    first = record.tasks[0]
    assert first.lead_leader == "闵军舰"
    assert first.deadline is not None
    assert (first.deadline.date, first.deadline.ongoing) == (dt.date(2022, 6, 30), True)
