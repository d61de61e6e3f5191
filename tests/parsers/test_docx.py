"""parsers.docx on real files: the rendered seed in raw/ and the focused fixtures in
tests/fixtures/docx/ (made by tests/fixtures/make_docx_html_fixtures.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from parsers.docx import DocxOptions, format_number, parse
from parsers.errors import ParseError
from parsers.model import Document, Paragraph, Table

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "docx"
RAW = ROOT / "raw"
SEED_003 = RAW / "003_b54ff24471a88dd0.docx"


@pytest.fixture(scope="module")
def numbering_doc() -> Document:
    return parse(FIXTURES / "numbering_header_textbox.docx")


@pytest.fixture(scope="module")
def merged_doc() -> Document:
    return parse(FIXTURES / "merged_cells.docx")


def _texts(doc: Document, part: str = "body") -> list[str]:
    return [p.text for p in doc.paragraphs() if p.location.part == part]


# -- auto-numbering ---------------------------------------------------------------------------


def test_auto_numbering_labels_are_prepended_per_level(numbering_doc: Document) -> None:
    body = _texts(numbering_doc)
    start = body.index("一、总体要求")
    assert body[start : start + 10] == [
        "一、总体要求",
        "（一）指导思想",
        "（二）基本原则",
        "二、主要任务",
        "（一）深化行政决策公开",  # a deeper level restarts when a higher one advances
        "1.推行重大行政决策预公开。",
        "2.探索建立群众参与制度。",
        "①细化到点",
        "（二）深化政务公开",
        "1.梳理完善目录。",
    ]


def test_auto_numbering_label_in_list_label(numbering_doc: Document) -> None:
    para = next(p for p in numbering_doc.paragraphs() if p.text.endswith("指导思想"))
    assert para.style.list_label == "（一）"
    assert para.raw.startswith("（一）")


def test_auto_numbering_ideograph_digital_and_letters(numbering_doc: Document) -> None:
    body = _texts(numbering_doc)
    assert "九.第九项" in body
    assert "一〇.第十项" in body
    assert "a)小项" in body


def test_auto_numbering_start_override_restarts_list(numbering_doc: Document) -> None:
    body = _texts(numbering_doc)
    assert "一、重新开始的一项" in body
    assert "二、重新开始的二项" in body


def test_bullet_goes_to_list_label_not_text(numbering_doc: Document) -> None:
    para = next(p for p in numbering_doc.paragraphs() if "领导小组名单" in p.text)
    assert para.text == "附件：领导小组名单"
    assert para.style.list_label == "•"


@pytest.mark.parametrize(
    ("n", "fmt", "expected"),
    [
        (1, "chineseCounting", "一"),
        (10, "chineseCounting", "十"),
        (21, "chineseCounting", "二十一"),
        (101, "chineseCounting", "一百零一"),
        (3, "decimalEnclosedCircle", "③"),
        (10, "ideographDigital", "一〇"),
        (28, "upperLetter", "BB"),
        (4, "lowerRoman", "iv"),
        (2, "chineseLegalSimplified", "贰"),
    ],
)
def test_format_number(n: int, fmt: str, expected: str) -> None:
    assert format_number(n, fmt) == expected


# -- headers, footers, text boxes ------------------------------------------------------------


def test_header_text_kept_after_body(numbering_doc: Document) -> None:
    headers = [p for p in numbering_doc.paragraphs() if p.location.part == "header"]
    assert [p.text for p in headers] == ["泸县人民政府办公室文件"]
    last_body = max(p.location.block for p in numbering_doc.paragraphs() if p.location.part == "body")
    assert headers[0].location.block > last_body


def test_footer_page_number_field_dropped(numbering_doc: Document) -> None:
    assert _texts(numbering_doc, "footer") == ["泸县人民政府办公室2021年9月29日印发"]


def test_text_box_read_once_after_its_anchor(numbering_doc: Document) -> None:
    boxes = [p for p in numbering_doc.paragraphs() if p.location.part == "textbox"]
    assert [p.text for p in boxes] == ["文本框里的联系人：章雨"]
    anchor = next(p for p in numbering_doc.paragraphs() if p.text == "泸县府办函〔2021〕155号")
    assert boxes[0].location.block == anchor.location.block + 1


# -- styles and metadata ---------------------------------------------------------------------


def test_banner_style_bold_centered_red_22pt(numbering_doc: Document) -> None:
    banner = next(numbering_doc.paragraphs())
    assert banner.text == "泸县人民政府办公室"
    assert banner.style.bold and banner.style.centered
    assert banner.style.font_size == 22.0
    assert banner.style.color == "#ff0000"


def test_core_properties_in_meta(numbering_doc: Document) -> None:
    assert numbering_doc.meta["docx_title"] == "泸县深化政务公开实施方案"
    assert numbering_doc.meta["docx_author"] == "泸县人民政府办公室"
    assert numbering_doc.meta["docx_created"].startswith("2021-09-29T09:00:00")


def test_blocks_numbered_in_reading_order(merged_doc: Document) -> None:
    kinds = [b.kind for b in merged_doc.blocks]
    assert kinds == ["paragraph", "table", "paragraph"]
    assert [b.location.block for b in merged_doc.blocks] == [0, 1, 2]


# -- tables ----------------------------------------------------------------------------------


def _table(doc: Document) -> Table:
    return next(doc.tables())


def test_vertical_merge_marks_continuations(merged_doc: Document) -> None:
    t = _table(merged_doc)
    assert [t.rows[r][0].text for r in range(1, 4)] == ["1", "1", "1"]
    assert [t.rows[r][0].origin for r in range(1, 4)] == [(1, 0), (1, 0), (1, 0)]
    assert not t.rows[1][0].is_continuation
    assert t.rows[2][0].is_continuation and t.rows[3][0].is_continuation
    assert t.rows[4][0].origin == (4, 0)


def test_horizontal_merge_marks_continuations(merged_doc: Document) -> None:
    t = _table(merged_doc)
    assert t.rows[3][2].text == t.rows[3][3].text == "市发改局（长期坚持）"
    assert t.rows[3][2].origin == (3, 2)
    assert t.rows[3][3].origin == (3, 2)


def test_table_is_rectangular(merged_doc: Document) -> None:
    t = _table(merged_doc)
    assert {len(r) for r in t.rows} == {4}
    assert all(c.row == r and c.col == k for r, row in enumerate(t.rows) for k, c in enumerate(row))


def test_repeated_header_row_counted(merged_doc: Document) -> None:
    t = _table(merged_doc)
    assert t.header_rows == 1
    assert t.texts()[0] == ["序号", "主要任务", "牵头单位", "完成时限"]


def test_nested_table_flattened_into_cell(merged_doc: Document) -> None:
    # raw keeps one line per paragraph / nested cell; normalization decides how lines join
    assert _table(merged_doc).rows[4][2].raw == "牵头：\n市政府办公室\n市大数据中心"


# -- bad input -------------------------------------------------------------------------------


def test_truncated_docx_is_corrupt() -> None:
    with pytest.raises(ParseError) as err:
        parse(FIXTURES / "truncated.docx")
    assert err.value.kind == "corrupt"
    assert "truncated" in str(err.value)


def test_not_a_zip_is_corrupt() -> None:
    with pytest.raises(ParseError) as err:
        parse(FIXTURES / "not_a_zip.docx")
    assert err.value.kind == "corrupt"


def test_encrypted_docx_is_encrypted() -> None:
    with pytest.raises(ParseError) as err:
        parse(FIXTURES / "encrypted.docx")
    assert err.value.kind == "encrypted"
    assert "password" in str(err.value)


def test_zip_bomb_claim_is_too_large() -> None:
    with pytest.raises(ParseError) as err:
        parse(FIXTURES / "bomb_claims_2gb.docx")
    assert err.value.kind == "too_large"


def test_uncompressed_limit_option() -> None:
    with pytest.raises(ParseError) as err:
        parse(FIXTURES / "merged_cells.docx", DocxOptions(max_uncompressed_bytes=10_000))
    assert err.value.kind == "too_large"


def test_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(ParseError) as err:
        parse(tmp_path / "nope.docx")
    assert err.value.kind == "not_found"


def test_empty_file_is_empty(tmp_path: Path) -> None:
    f = tmp_path / "empty.docx"
    f.write_bytes(b"")
    with pytest.raises(ParseError) as err:
        parse(f)
    assert err.value.kind == "empty"


def test_zip_without_document_xml_is_corrupt(tmp_path: Path) -> None:
    import zipfile

    f = tmp_path / "other.docx"
    with zipfile.ZipFile(f, "w") as zf:
        zf.writestr("hello.txt", "not word")
    with pytest.raises(ParseError) as err:
        parse(f)
    assert err.value.kind == "corrupt"
    assert "word/document.xml" in str(err.value)


# -- the rendered seed -----------------------------------------------------------------------

needs_seed = pytest.mark.skipif(not SEED_003.exists(), reason="raw/ corpus not rendered yet")


@pytest.fixture(scope="module")
def seed_003() -> Document:
    return parse(SEED_003)


@needs_seed
def test_seed_003_reads_doc_number_and_title(seed_003: Document) -> None:
    text = seed_003.text()
    assert "万府办函〔2021〕44号" in text
    assert "万源市深化政务公开促进基层政府治理能力提升实施方案" in text


@needs_seed
def test_seed_003_task_table_first_column_vertically_merged(seed_003: Document) -> None:
    tables = [t for t in seed_003.tables() if t.n_cols == 7]
    assert tables, [t.n_cols for t in seed_003.tables()]
    t = tables[0]
    assert {len(r) for r in t.rows} == {7}
    col0 = [row[0] for row in t.rows[t.header_rows :]]
    assert any(c.is_continuation for c in col0)
    # a continuation repeats its origin's value
    for c in col0:
        assert c.text == t.rows[c.origin[0]][c.origin[1]].text


@needs_seed
def test_seed_003_has_paragraphs_and_tables_in_order(seed_003: Document) -> None:
    kinds = [b.kind for b in seed_003.blocks]
    assert "table" in kinds
    first_table = kinds.index("table")
    assert any(isinstance(b, Paragraph) and "附件" in b.text for b in seed_003.blocks[:first_table])


@needs_seed
def test_seed_003_auto_numbered_items_carry_labels(seed_003: Document) -> None:
    labelled = [p for p in seed_003.paragraphs() if p.style.list_label]
    assert labelled
    texts = [p.text for p in labelled]
    assert any(t.startswith("1.推行重大行政决策预公开") for t in texts)
    assert not any(re.match(r"\d+\.\d+\.", t) for t in texts)  # label not doubled
