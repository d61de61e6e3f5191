"""parsers.html on real files: the rendered seeds in raw/ and the focused fixtures in
tests/fixtures/html/ (made by tests/fixtures/make_docx_html_fixtures.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from parsers.errors import ParseError
from parsers.html import HtmlOptions, decode_html, parse
from parsers.model import Document, Table

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "html"
RAW = ROOT / "raw"
SEED_001 = RAW / "001_3066dfd361fc75f9.html"
SEED_004 = RAW / "004_597f21caaa58e27d.html"


@pytest.fixture(scope="module")
def spans_doc() -> Document:
    return parse(FIXTURES / "spans_chrome_links.html")


def _paragraph_texts(doc: Document) -> list[str]:
    return [p.text for p in doc.paragraphs()]


# -- decoding --------------------------------------------------------------------------------


def test_gbk_page_declared_utf8_decoded_as_gbk_with_warning() -> None:
    doc = parse(FIXTURES / "gbk_declared_utf8.html")
    assert "各镇人民政府、玉蟾街道办事处：" in _paragraph_texts(doc)
    assert doc.meta["ArticleTitle"] == "关于做好政务公开工作的通知"
    assert any("declares utf-8" in w for w in doc.warnings)


def test_gb2312_declaration_read_as_gb18030(spans_doc: Document) -> None:
    assert spans_doc.meta["html_encoding"] == "gb18030"
    assert "泸县人民政府办公室" in _paragraph_texts(spans_doc)


def test_utf8_page_declared_gbk_decoded_as_utf8() -> None:
    data = '<html><head><meta charset="gbk"></head><body><p>政务公开工作要点</p></body></html>'
    text, codec, warnings = decode_html(data.encode("utf-8"))
    assert codec == "utf-8"
    assert "政务公开工作要点" in text
    assert warnings


def test_bom_wins_over_declaration() -> None:
    data = '<html><head><meta charset="gbk"></head><body><p>正文</p></body></html>'
    text, codec, _ = decode_html(b"\xef\xbb\xbf" + data.encode("utf-8"))
    assert codec == "utf-8-sig"
    assert "正文" in text


def test_undeclared_gbk_detected() -> None:
    data = "<html><body><p>关于印发深化政务公开促进基层政府治理能力提升实施方案的通知</p></body></html>"
    text, codec, _ = decode_html(data.encode("gbk"))
    assert "实施方案" in text
    assert codec == "gb18030"


# -- metadata --------------------------------------------------------------------------------


def test_meta_tags_under_their_own_names(spans_doc: Document) -> None:
    m = spans_doc.meta
    assert m["ArticleTitle"] == "泸县人民政府办公室关于印发实施方案的通知"
    assert m["PubDate"] == "2021-09-30 09:43"
    assert m["ContentSource"] == "县政府办"
    assert m["SiteName"] == "泸县人民政府"
    assert m["ColumnName"] == "通知公告"
    assert m["html_title"] == "泸县人民政府办公室关于印发实施方案的通知"


def test_info_bar_labels_in_meta(spans_doc: Document) -> None:
    assert spans_doc.meta["来源"] == "县政府办"
    assert spans_doc.meta["发布时间"] == "2021-09-30 09:43:25"


def test_xxgk_metadata_table_labels_in_meta() -> None:
    doc = parse(FIXTURES / "xxgk_meta_table.html")
    assert doc.meta["索引号"] == "008411352/2021-00155"
    assert doc.meta["成文日期"] == "2021-09-29"
    assert doc.meta["发文字号"] == "泸县府办函〔2021〕155号"
    assert doc.meta["发布日期"] == "2021-09-30"


def test_info_line_inside_article_goes_to_meta_not_body() -> None:
    doc = parse(FIXTURES / "xxgk_meta_table.html")
    assert doc.meta["信息来源"] == "县政府办"
    assert not any("信息来源" in t for t in _paragraph_texts(doc))


# -- content and chrome ----------------------------------------------------------------------


def test_chrome_not_in_any_paragraph(spans_doc: Document) -> None:
    text = spans_doc.text()
    for chrome in (
        "首页",
        "当前位置",
        "扫一扫",
        "分享到",
        "打印正文",
        "关闭窗口",
        "上一篇",
        "下一篇",
        "政府网站标识码",
        "ICP备",
        "脚本里的文字",
        "字体",
    ):
        assert chrome not in text, chrome


def test_br_separated_lines_are_paragraphs(spans_doc: Document) -> None:
    texts = _paragraph_texts(spans_doc)
    assert "各镇人民政府、玉蟾街道办事处：" in texts
    assert "现将《实施方案》印发你们，请认真贯彻落实。" in texts


def test_bold_and_centered_styles(spans_doc: Document) -> None:
    paras = {p.text: p for p in spans_doc.paragraphs()}
    assert paras["泸县人民政府办公室"].style.bold
    assert paras["泸县人民政府办公室"].style.centered  # align=center
    assert paras["关于印发实施方案的通知"].style.centered  # style="text-align: center"
    assert not paras["关于印发实施方案的通知"].style.bold
    assert paras["附件3"].style.bold  # <h2>


def test_colspan_rowspan_resolved_to_grid(spans_doc: Document) -> None:
    t = next(spans_doc.tables())
    assert t.header_rows == 1
    assert t.texts()[0] == ["序号", "重点任务", "责任单位", "责任单位"]
    assert t.rows[0][3].origin == (0, 2)
    assert t.rows[2][0].text == "1" and t.rows[2][0].origin == (1, 0)
    assert t.rows[2][3].origin == (2, 2) and t.rows[2][3].text == "县政府办公室"


def test_ragged_row_padded(spans_doc: Document) -> None:
    t = next(spans_doc.tables())
    assert {len(r) for r in t.rows} == {4}
    last = t.rows[3]
    assert [c.text for c in last] == ["2", "深化行政执法公示。", "", ""]
    assert not any(c.is_continuation for c in last)


def test_layout_table_is_not_a_data_table() -> None:
    doc = parse(FIXTURES / "layout_table.html")
    texts = _paragraph_texts(doc)
    assert "各县（区）人民政府，经开区管委会，市政府各部门：" in texts
    tables = list(doc.tables())
    assert len(tables) == 1
    assert tables[0].texts() == [["序号", "任务"], ["1", "调整完善目录。"]]


def test_attachment_links_absolute_with_base_href(spans_doc: Document) -> None:
    hrefs = {link.text: link.href for link in spans_doc.links}
    assert hrefs["1.领导小组成员名单"] == "http://www.luxian.gov.cn/attach/2021/fj1.docx"
    assert hrefs["2.指导部门"] == "http://www.luxian.gov.cn/zwgk/tzgg/fj2.pdf"
    nav = [link for link in spans_doc.links if link.text == "首页"]
    assert not nav


def test_links_as_written_without_base_href(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text(
        '<html><body><div id="zoom"><p>附件：<a href="../files/a.pdf">附件1</a></p>'
        "<p>现将有关文件印发你们，请认真贯彻落实。</p></div></body></html>",
        encoding="utf-8",
    )
    doc = parse(page)
    assert [link.href for link in doc.links] == ["../files/a.pdf"]


# -- limits and bad input --------------------------------------------------------------------


def test_deep_nesting_keeps_all_text() -> None:
    doc = parse(FIXTURES / "deep_nesting.html")
    assert _paragraph_texts(doc) == ["开头的段落。", "最深处的段落。", "结尾的段落。"]


def test_page_without_text_is_empty() -> None:
    with pytest.raises(ParseError) as err:
        parse(FIXTURES / "empty.html")
    assert err.value.kind == "empty"


def test_zero_byte_page_is_empty(tmp_path: Path) -> None:
    f = tmp_path / "zero.html"
    f.write_bytes(b"")
    with pytest.raises(ParseError) as err:
        parse(f)
    assert err.value.kind == "empty"


def test_page_over_max_bytes_is_too_large() -> None:
    with pytest.raises(ParseError) as err:
        parse(FIXTURES / "deep_nesting.html", HtmlOptions(max_bytes=10_000))
    assert err.value.kind == "too_large"


def test_missing_page_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(ParseError) as err:
        parse(tmp_path / "nope.html")
    assert err.value.kind == "not_found"


# -- the rendered seeds ----------------------------------------------------------------------

needs_001 = pytest.mark.skipif(not SEED_001.exists(), reason="raw/ corpus not rendered yet")
needs_004 = pytest.mark.skipif(not SEED_004.exists(), reason="raw/ corpus not rendered yet")


@pytest.fixture(scope="module")
def seed_001() -> Document:
    return parse(SEED_001)


@pytest.fixture(scope="module")
def seed_004() -> Document:
    return parse(SEED_004)


@needs_001
def test_seed_001_gbk_decoded(seed_001: Document) -> None:
    assert seed_001.meta["html_encoding"] == "gb18030"
    assert "泸县府办函〔2021〕155号" in seed_001.text()


@needs_001
def test_seed_001_pubdate_meta(seed_001: Document) -> None:
    assert seed_001.meta["PubDate"].startswith("2021-09-30")


@needs_001
def test_seed_001_chrome_not_in_any_paragraph(seed_001: Document) -> None:
    texts = [p.text for p in seed_001.paragraphs()]
    assert not any("扫一扫在手机打开当前页" in t for t in texts)
    assert not any("打印正文" in t for t in texts)
    assert not any("分享到" in t for t in texts)


@needs_001
def test_seed_001_attachment_3_is_a_26_row_table(seed_001: Document) -> None:
    tables = [t for t in seed_001.tables() if any("重点任务" in c.text for c in t.rows[0])]
    assert tables
    t = tables[0]
    assert t.n_rows - t.header_rows == 26
    assert t.rows[-1][0].text == "26"


@needs_004
def test_seed_004_both_tables_present(seed_004: Document) -> None:
    assert len(list(seed_004.tables())) >= 2


@needs_004
def test_seed_004_rowspans_resolved(seed_004: Document) -> None:
    tables: list[Table] = list(seed_004.tables())
    assert any(c.is_continuation for t in tables for row in t.rows for c in row)
    for t in tables:
        assert len({len(r) for r in t.rows}) == 1  # rectangular
        for row in t.rows:
            for c in row:
                assert c.text == t.rows[c.origin[0]][c.origin[1]].text


@needs_004
def test_seed_004_info_bar_in_meta(seed_004: Document) -> None:
    assert seed_004.meta["来源"] == "市政府办公室"
    assert seed_004.meta["发布时间"] == "2021-05-20 14:51"


SEED_002 = RAW / "002_c5a7bb6645cf0ce3.html"


@pytest.mark.skipif(not SEED_002.exists(), reason="raw/ corpus not rendered yet")
def test_seed_002_attachment_links_collected() -> None:
    doc = parse(SEED_002)
    hrefs = [link.href for link in doc.links]
    assert any(h.endswith(".doc") for h in hrefs)
    assert any(h.endswith(".xls") for h in hrefs)
