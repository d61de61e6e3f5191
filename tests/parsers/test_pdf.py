"""parsers.pdf on real files: the focused fixtures in tests/fixtures/pdf/ (made by
tests/fixtures/pdf/make_fixtures.py) and, once rendered, the seed notices in raw/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from parsers.errors import ParseError
from parsers.model import Document, Paragraph
from parsers.pdf import OPENER_RE, PAGE_NUMBER_PATTERNS, PdfOptions, _continues_row, parse
from parsers.pdf_layout import (
    GridCell,
    TextLine,
    cell_text,
    color_hex,
    is_bold_font,
    is_reddish,
    join_cjk,
    starts_numbered,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "pdf"
RAW = ROOT / "raw"
SEED_000 = RAW / "000_3fcaf470a0c023ac.pdf"
SEED_PDFS = sorted(RAW.glob("*.pdf"))

PAGE_NUMBER_RE = re.compile(r"^\s*(?:[-—–－]\s*\d+\s*[-—–－]|第\s*\d+\s*页|\d+\s*/\s*\d+|\d+)\s*$")


@pytest.fixture(scope="module")
def notice() -> Document:
    return parse(FIXTURES / "notice.pdf")


@pytest.fixture(scope="module")
def split_table_doc() -> Document:
    return parse(FIXTURES / "table_split.pdf")


@pytest.fixture(scope="module")
def merged_table_doc() -> Document:
    return parse(FIXTURES / "table_merged.pdf")


def _para(doc: Document, start: str) -> Paragraph:
    found = [p for p in doc.paragraphs() if p.text.startswith(start)]
    assert len(found) == 1, f"{len(found)} paragraphs start with {start!r}: {_texts(doc)}"
    return found[0]


def _texts(doc: Document) -> list[str]:
    return [p.text for p in doc.paragraphs()]


# -- document ---------------------------------------------------------------------------------


def test_document_format_pages_and_info(notice: Document) -> None:
    assert notice.format == "pdf"
    assert notice.page_count == 3
    assert notice.path.endswith("notice.pdf")
    assert notice.meta["pdf_Title"] == "notice"
    assert notice.meta["pdf_Author"] == "gongwen fixtures"
    assert notice.meta["pdf_Producer"].startswith("ReportLab")
    assert notice.warnings == ()


def test_block_locations_follow_reading_order(notice: Document) -> None:
    assert [b.location.block for b in notice.blocks] == list(range(len(notice.blocks)))
    pages = [b.location.page for b in notice.blocks]
    assert pages == sorted(pages)
    assert pages[0] == 1


def test_options_are_validated() -> None:
    with pytest.raises(ValueError, match="max_pages"):
        PdfOptions(max_pages=0)
    with pytest.raises(ValueError, match="gap_factor"):
        PdfOptions(gap_factor=0)


# -- paragraphs -------------------------------------------------------------------------------


def test_broken_lines_join_without_spaces(notice: Document) -> None:
    para = _para(notice, "基层政府治理是国家治理体系")
    assert para.raw.endswith("特制定本方案。")
    assert " " not in para.raw
    assert "组成部分和重要基础" in para.text  # the line broke between 组成 and 部分


def test_paragraph_across_page_break_is_joined(notice: Document) -> None:
    para = _para(notice, "（一）指导思想。")
    assert para.location.page == 1
    assert para.end_page == 2
    assert para.text.endswith("服务型政府建设提供重要支撑。")
    single = _para(notice, "基层政府治理")
    assert single.end_page is None


def test_line_broken_before_a_long_word_joins(notice: Document) -> None:
    # the line above the e-mail address stops 6 characters short: the address did not fit there
    para = _para(notice, "（三）联系方式。")
    assert para.text.endswith("电子邮箱：gongwen_office@example.gov.cn。")


def test_heading_numbers_start_paragraphs(notice: Document) -> None:
    texts = _texts(notice)
    for heading in (
        "一、总体要求",
        "二、主要任务",
        "1．推行重大行政决策预公开。",
        "（1）探索建立群众参与基层政府有关会议制度。",
        "①确定政务协商事项。",
    ):
        assert heading in texts


def test_dash_bullets_start_paragraphs(notice: Document) -> None:
    bullets = [t for t in _texts(notice) if t.startswith("———")]
    assert len(bullets) == 2
    assert bullets[0].endswith("所需所盼。")


def test_attachment_list_wraps_under_its_name(notice: Document) -> None:
    texts = _texts(notice)
    assert "附件：1．深化政务公开促进基层政府治理能力提升先行县名单" in texts
    assert "2．政务公开事项标准目录编制的指导部门（单位）" in texts


def test_title_lines_join_into_one_centered_paragraph(notice: Document) -> None:
    title = _para(notice, "关于印发")
    assert title.text == "关于印发深化政务公开促进基层政府治理能力提升工作方案的通知"
    assert title.style.centered
    assert title.style.font_size == 22
    assert title.style.bold  # the font is named …-Bold


def test_red_banner_is_its_own_paragraph(notice: Document) -> None:
    banner = notice.blocks[0]
    assert isinstance(banner, Paragraph)
    assert banner.text == "四川省人民政府办公厅"
    assert is_reddish(banner.style.color)
    assert banner.style.font_size == 30
    assert banner.style.centered


def test_doc_number_spacing_kept_raw_and_normalized(notice: Document) -> None:
    number = _para(notice, "川办函")
    assert number.raw == "川办函〔2021〕57 号"
    assert number.text == "川办函〔2021〕57号"
    assert number.style.centered


def test_signature_and_date_are_separate_paragraphs(notice: Document) -> None:
    texts = _texts(notice)
    assert texts[-2:] == ["四川省人民政府办公厅", "2021年8月12日"]
    assert notice.blocks[-1].raw == "2021 年 8 月 12 日"  # type: ignore[union-attr]


def test_recipients_line_is_one_paragraph(notice: Document) -> None:
    para = _para(notice, "各市")
    assert para.text.endswith("有关单位：")


def test_fake_bold_doubled_chars_removed() -> None:
    doc = parse(FIXTURES / "fake_bold.pdf")
    assert _texts(doc) == ["一、总体要求", "坚持以人民为中心，推动政务公开与政府治理有机融合。"]


def test_fake_bold_kept_without_dedupe() -> None:
    doc = parse(FIXTURES / "fake_bold.pdf", PdfOptions(dedupe_tolerance=0))
    assert _texts(doc)[0] == "一一、、总总体体要要求求"


# -- page furniture ---------------------------------------------------------------------------


def test_page_numbers_removed(notice: Document) -> None:
    raws = [p.raw for p in notice.paragraphs()]
    assert not [t for t in raws if PAGE_NUMBER_RE.match(t) or t.strip("—- 0123456789") == ""]


def test_page_number_styles_removed() -> None:
    doc = parse(FIXTURES / "page_numbers.pdf")
    assert _texts(doc) == [f"第{n}页的正文段落，用来检查页码是否被去掉。" for n in range(1, 5)]
    assert [p.location.page for p in doc.paragraphs()] == [1, 2, 3, 4]


def test_running_head_removed(notice: Document) -> None:
    assert not [t for t in _texts(notice) if "行政规范性文件" in t]


def test_furniture_kept_when_stripping_is_off() -> None:
    doc = parse(FIXTURES / "notice.pdf", PdfOptions(strip_page_furniture=False))
    texts = _texts(doc)
    assert any("行政规范性文件" in t for t in texts)
    assert "— 2 —" in [p.raw for p in doc.paragraphs()]


@pytest.mark.parametrize(
    ("line", "is_number"),
    [
        ("— 3 —", True),
        ("—3—", True),
        ("- 3 -", True),
        ("-3-", True),
        ("第3页", True),
        ("第 3 页 共 12 页", True),
        ("3/12", True),
        ("3", True),
        ("— 3", False),
        ("3号", False),
        ("2021年", False),
        ("第三页", False),
    ],
)
def test_page_number_patterns(line: str, is_number: bool) -> None:
    squashed = re.sub(r"\s+", "", line)
    assert any(p.match(squashed) for p in PAGE_NUMBER_PATTERNS) is is_number


# -- tables -----------------------------------------------------------------------------------


def test_merged_cells_resolved(merged_table_doc: Document) -> None:
    (table,) = merged_table_doc.tables()
    assert table.n_rows == 6 and table.n_cols == 3
    assert table.texts()[0] == ["序号", "领域", "指导部门（单位）"]
    row = table.rows[1]
    assert [c.text for c in row] == ["事项标准目录"] * 3
    assert [c.origin for c in row] == [(1, 0)] * 3
    assert [c.is_continuation for c in row] == [False, True, True]
    assert table.header_rows == 1  # the header row is set in a bold face
    assert table.pages == (1,)


def test_table_text_not_in_paragraphs(merged_table_doc: Document) -> None:
    texts = _texts(merged_table_doc)
    assert texts == ["政务公开事项标准目录编制的指导部门如下表。", "以上部门负责指导本领域事项标准目录编制。"]
    kinds = [b.kind for b in merged_table_doc.blocks]
    assert kinds == ["paragraph", "table", "paragraph"]


def test_table_split_across_pages_is_one_table(split_table_doc: Document) -> None:
    (table,) = split_table_doc.tables()
    assert table.pages == (1, 2)
    assert table.location.page == 1
    assert table.n_rows == 10 and table.n_cols == 4
    assert table.header_rows == 1
    texts = table.texts()
    assert texts[0] == ["类别", "序号", "重点任务", "责任单位"]
    assert [r[0] for r in texts].count("类别") == 1  # the repeated header row is dropped
    assert [r[1] for r in texts[1:]] == [str(n) for n in range(1, 10)]


def test_merged_cell_carried_across_page_break(split_table_doc: Document) -> None:
    (table,) = split_table_doc.tables()
    column = [row[0] for row in table.rows[1:]]
    assert [c.text for c in column] == ["重点领域信息公开"] * 7 + ["政务公开平台建设"] * 2
    assert {c.origin for c in column[:7]} == {(1, 0)}
    assert column[7].origin == (8, 0) and column[8].is_continuation


def test_wrapped_cell_text_joined_without_space(split_table_doc: Document) -> None:
    (table,) = split_table_doc.tables()
    assert table.rows[2][3].text == "县政务服务和资源交易服务中心"
    assert table.rows[1][2].text == "推进重大建设项目批准和实施信息公开，公开项目审批、核准、备案结果。"


def test_text_around_split_table_stays_in_order(split_table_doc: Document) -> None:
    kinds = [b.kind for b in split_table_doc.blocks]
    assert kinds[-2:] == ["table", "paragraph"]
    assert split_table_doc.blocks[-1].location.page == 2


def test_merged_cell_cut_by_page_break_is_carried_down() -> None:
    # 责任单位 of rows 3–4 is one merged cell; the page break falls between the rows, so page 2
    # shows an empty ruled box where the merged text continues (rules drawn on both sides).
    doc = parse(FIXTURES / "table_cut_merge.pdf")
    (table,) = doc.tables()
    assert table.pages == (1, 2)
    assert [r[0] for r in table.texts()] == ["序号", "1", "2", "3", "4", "5", "6"]
    third, fourth = table.rows[3], table.rows[4]
    assert third[2].text == fourth[2].text == "市（州）人民政府，省直各部门（单位）"
    assert fourth[2].origin == third[2].origin == (3, 2) and fourth[2].is_continuation
    assert fourth[1].text == "政府信息公开平台是发布法定主动公开内容的平台。"
    assert table.rows[5][2].text == "县政府办公室"


def test_blank_cell_cut_by_page_break_stays_blank() -> None:
    # 备注 is blank in most rows: a blank under 按季度报送 at the page break is a real blank.
    (table,) = parse(FIXTURES / "table_cut_merge.pdf").tables()
    assert [r[4] for r in table.texts()[1:]] == ["", "", "按季度报送", "", "", ""]
    assert table.rows[4][4].origin == (4, 4)


def test_row_cut_by_page_break_is_one_row() -> None:
    # Word processors break a tall row across pages: page 2 starts with the rest of row 2's
    # 具体内容 and empty boxes for its other cells.
    (table,) = parse(FIXTURES / "table_cut_row.pdf").tables()
    assert table.pages == (1, 2)
    texts = table.texts()
    assert [r[0] for r in texts] == ["序号", "1", "2", "3", "4"]
    assert texts[2] == [
        "2",
        "系统清理各地现行有效政府规章，通过省政府和市（州）政府门户网站政府信息公开专栏统一集中公开，"
        "方便社会公众快速准确获取所需信息，推动规章库等数据资源与省政府信息公开平台有效联通。",
        "县司法局，县政府办公室",
        "9月30日前",
    ]
    assert texts[3] == ["3", "稳步推动开设政府公报。", "县政府办公室", "全年"]
    assert all(c.origin == (r, k) for r, row in enumerate(table.rows) for k, c in enumerate(row))


def _gc(raw: str, room: float = 0.5, below: float = 4.0, head: float = 12.0) -> GridCell:
    return GridCell(raw=raw, origin=(0, 0), room=room, room_below=below, head=head, size=12.0)


def test_cut_row_needs_a_full_cell_above() -> None:
    last = [_gc("2"), _gc("系统清理各地现行有效政府规章，通过省政府门"), _gc("县司法局", room=40.0)]
    assert _continues_row(last, [_gc(""), _gc("户网站统一集中公开。"), _gc("")])
    # the text above closed its sentence (markup and closing quotes after 。 do not hide it)
    closed = [_gc("2"), _gc("让群众“听得懂”、“信得过”。</p>"), _gc("县司法局")]
    assert not _continues_row(closed, [_gc(""), _gc("开展工作跟踪问效。"), _gc("")])
    # the first word below would have fitted on the last line above
    roomy = [_gc("2"), _gc("系统清理各地现行有效政府规章", room=30.0), _gc("县司法局")]
    assert not _continues_row(roomy, [_gc(""), _gc("通过门户网站公开。"), _gc("")])
    # a short name filling a narrow column, high in a tall row, is not full
    name = [_gc("2"), _gc("开展重要政策解读", below=60.0), _gc("熊江成", below=40.0), _gc("X。", below=4.0)]
    assert not _continues_row(name, [_gc(""), _gc(""), _gc("张虹"), _gc("")])
    # a row number or the same text again starts a new row
    assert not _continues_row(last, [_gc("3"), _gc("户网站统一集中公开。"), _gc("")])
    assert not _continues_row(last, [_gc(""), _gc("系统清理各地现行有效政府规章，通过省政府门"), _gc("")])
    # text under an empty cell is new
    assert not _continues_row([_gc(""), *last[1:]], [_gc("3"), _gc("户网站公开。"), _gc("")])


def test_tables_off_leaves_text() -> None:
    doc = parse(FIXTURES / "table_merged.pdf", PdfOptions(detect_tables=False))
    assert not list(doc.tables())
    assert any("省发展改革委" in t for t in _texts(doc))


def _line(text: str, size: float = 12.0, x0: float = 4.0) -> TextLine:
    xs = tuple(x0 + i * size for i in range(len(text)))
    return TextLine(
        page=1,
        text=text,
        xs=xs,
        x0=x0,
        x1=x0 + len(text) * size,
        top=0.0,
        bottom=size,
        size=size,
        fontname="F",
        color=None,
        bold=False,
    )


def test_cell_text_keeps_deliberate_breaks() -> None:
    # a 120 pt wide cell with 4 pt padding holds 9 characters of 12 pt per line
    wrapped = [_line("县政务服务和资源交"), _line("易服务中心")]
    assert cell_text(wrapped, 0, 120) == "县政务服务和资源交易服务中心"
    listed = [_line("县发改局"), _line("县教育和体育局"), _line("县财政局")]
    assert cell_text(listed, 0, 120) == "县发改局\n县教育和体育局\n县财政局"
    numbered = [_line("1．公开目录和指南编"), _line("2．公开指南")]
    assert cell_text(numbered, 0, 120) == "1．公开目录和指南编\n2．公开指南"
    centered = [_line("县政务服务和资源交"), _line("易服务中心", x0=34.0)]
    assert cell_text(centered, 0, 120) == "县政务服务和资源交易服务中心"


def test_cell_text_joins_lines_moved_down_by_line_breaking_rules() -> None:
    # the next character would have fitted, but not with the ``，`` a line may not start with
    kinsoku = [_line("宣讲、议事会等方"), _line("式，全面公开")]
    assert cell_text(kinsoku, 0, 120) == "宣讲、议事会等方式，全面公开"
    # ``〔2021〕12`` of a document number moves down whole
    number = [_line("要点（国办发"), _line("〔2021〕12号）和")]
    assert cell_text(number, 0, 120) == "要点（国办发〔2021〕12号）和"


def test_attachment_heading_alone_opens_a_paragraph() -> None:
    for line in ("附件", "附件2", "附 件", "附件：重点工作责任分工表", "附件1：分工表"):
        assert OPENER_RE.match(line), line
    for line in ("附件 1)，率先开展试点", "附件中的表格"):
        assert not OPENER_RE.match(line), line


# -- bad input --------------------------------------------------------------------------------


def test_scanned_pdf_has_no_text_layer() -> None:
    with pytest.raises(ParseError) as err:
        parse(FIXTURES / "scanned.pdf")
    assert err.value.kind == "no_text_layer"
    assert "OCR" in str(err.value) and "scanned.pdf" in str(err.value)


def test_partly_scanned_page_warns() -> None:
    doc = parse(FIXTURES / "partly_scanned.pdf")
    assert _texts(doc) == ["本页有文字层。下一页是扫描图片，没有文字层。"]
    assert doc.warnings == ("page 2: no text layer (image only); its text is missing, OCR is not supported",)


def test_encrypted_pdf() -> None:
    with pytest.raises(ParseError) as err:
        parse(FIXTURES / "encrypted.pdf")
    assert err.value.kind == "encrypted"
    assert "password" in err.value.message


def test_truncated_pdf_is_corrupt() -> None:
    with pytest.raises(ParseError) as err:
        parse(FIXTURES / "truncated.pdf")
    assert err.value.kind == "corrupt"
    assert "truncated" in err.value.message and "download it again" in err.value.message


def test_garbage_after_pdf_header_is_corrupt() -> None:
    with pytest.raises(ParseError) as err:
        parse(FIXTURES / "garbage.pdf")
    assert err.value.kind == "corrupt"


def test_too_many_pages() -> None:
    with pytest.raises(ParseError) as err:
        parse(FIXTURES / "notice.pdf", PdfOptions(max_pages=2))
    assert err.value.kind == "too_large"
    assert "3 pages" in err.value.message and "max_pages" in err.value.message


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(ParseError) as err:
        parse(tmp_path / "nope.pdf")
    assert err.value.kind == "not_found"
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(ParseError) as err:
        parse(empty)
    assert err.value.kind == "empty"


@pytest.mark.parametrize("cut", [0.2, 0.5, 0.8, 0.95, 0.99])
def test_cut_files_never_leak_library_errors(tmp_path: Path, cut: float) -> None:
    data = (FIXTURES / "table_split.pdf").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: int(len(data) * cut)])
    try:
        parse(path)
    except ParseError as err:
        assert err.kind in {"corrupt", "empty", "no_text_layer"}


# -- helpers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right", "joined"),
    [
        ("组成", "部分", "组成部分"),
        ("2021", "年", "2021年"),
        ("第", "57", "第57"),
        ("PDF", "file", "PDF file"),
        ("e-", "mail", "e-mail"),
        ("57", "号", "57号"),
        ("", "x", "x"),
    ],
)
def test_join_cjk(left: str, right: str, joined: str) -> None:
    assert join_cjk(left, right) == joined


@pytest.mark.parametrize(
    ("text", "numbered"),
    [
        ("一、总体要求", True),
        ("（一）指导思想", True),
        ("(二)基本原则", True),
        ("1.推行", True),
        ("1．推行", True),
        ("12、推行", True),
        ("（1）探索", True),
        ("①确定", True),
        ("3.5亿元", False),
        ("2021年", False),
        ("(街道)通过", False),
        ("一步增强", False),
    ],
)
def test_heading_numbers(text: str, numbered: bool) -> None:
    assert starts_numbered(text) is numbered


def test_colors_and_fonts() -> None:
    assert color_hex((1, 0, 0)) == "#ff0000"
    assert color_hex((0,)) == "#000000"
    assert color_hex((0, 1, 1, 0)) == "#ff0000"  # CMYK red
    assert color_hex("P1") is None
    assert is_reddish("#e60000") and not is_reddish("#000000") and not is_reddish(None)
    assert is_bold_font("ABCDEF+SimSun,Bold") and is_bold_font("FZXBSJW-Bold")
    assert not is_bold_font("FangSong_GB2312")


# -- the rendered seeds in raw/ ---------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_000() -> Document:
    if not SEED_000.exists():
        pytest.skip("raw/000_3fcaf470a0c023ac.pdf not rendered yet")
    return parse(SEED_000)


def test_seed_000_intro_is_one_paragraph(seed_000: Document) -> None:
    para = _para(seed_000, "基层政府治理是国家治理体系")
    assert "特制定本方案。" in para.text
    assert "有机组成部分和重要基础" in para.text


def test_seed_000_doc_number_normalized(seed_000: Document) -> None:
    assert any("川办函〔2021〕57号" in t for t in _texts(seed_000))


def test_seed_000_title_is_whole(seed_000: Document) -> None:
    title = "关于印发深化政务公开促进基层政府治理能力提升工作方案的通知"
    assert any(t.endswith(title) for t in _texts(seed_000))


def test_seed_000_headings_are_paragraphs(seed_000: Document) -> None:
    texts = _texts(seed_000)
    for heading in ("一、总体要求", "二、主要任务", "三、组织实施"):
        assert heading in texts


def test_seed_000_red_banner(seed_000: Document) -> None:
    banner = seed_000.blocks[0]
    assert isinstance(banner, Paragraph)
    assert banner.text == "四川省人民政府办公厅"
    assert is_reddish(banner.style.color) and banner.style.centered


def test_seed_000_attachment_list(seed_000: Document) -> None:
    texts = _texts(seed_000)
    assert any(t.startswith("附件") and t.endswith("先行县名单") for t in texts)
    assert any(t.endswith("政务公开事项标准目录编制的指导部门(单位)") and t.startswith("2") for t in texts)


def test_seed_000_domain_table_split_over_pages(seed_000: Document) -> None:
    (table,) = seed_000.tables()
    assert len(table.pages) == 2
    assert table.n_cols == 3 and table.header_rows == 1
    texts = table.texts()
    assert texts[0][0] == "序号" and [r[0] for r in texts].count("序号") == 1
    assert [r[0] for r in texts[1:]] == [str(n) for n in range(1, 27)]


@pytest.fixture(scope="module")
def seed_003() -> Document:
    path = RAW / "003_b54ff24471a88dd0.pdf"
    if not path.exists():
        pytest.skip("raw/003_b54ff24471a88dd0.pdf not rendered yet")
    return parse(path)


def test_seed_003_task_table_is_one_table(seed_003: Document) -> None:
    table = next(t for t in seed_003.tables() if "完成时限" in t.texts()[0])
    assert len(table.pages) > 2  # a landscape table over several pages
    assert table.header_rows == 1
    assert [r[0] for r in table.texts()].count("序号") == 1
    cells = [c for row in table.texts() for c in row]
    assert any("（万府办函〔2021〕30号）要求" in c for c in cells)


def test_seed_003_number_wrapped_to_next_line_joins(seed_003: Document) -> None:
    para = _para(seed_003, "3.定期开展“政务开放日（周）”活动")
    assert "（万府办函〔2021〕30号）要求" in para.text


@pytest.mark.parametrize("path", SEED_PDFS, ids=[p.name for p in SEED_PDFS])
def test_seed_has_no_page_number_paragraphs(path: Path) -> None:
    doc = parse(path)
    assert doc.page_count and doc.page_count >= 1
    assert not [t for t in _texts(doc) if PAGE_NUMBER_RE.match(t)]
    assert not [t for t in _texts(doc) if re.fullmatch(r"[-—–－\s]*\d+[-—–－\s]*", t)]
