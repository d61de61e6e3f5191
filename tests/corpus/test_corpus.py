"""The sample corpus in raw/: present, reproducible, and faithful to the seeds in every format.

Faithfulness is checked against the structured sources (``scripts.corpus.seeds``), which are in
turn checked against the seed dumps: the sources must hold every character of a seed, in order,
once the dump artefacts the structuring undoes (page chrome, markdown marks, a repeated table
header) are set aside.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import docx
import lxml.html
import pdfplumber
import pytest

from scripts.corpus.__main__ import FORMATS, generate, main
from scripts.corpus.fonts import FontMissingError, font_available, register_font
from scripts.corpus.layout import on_paper, paper_text
from scripts.corpus.model import Para, Role, SourceDoc, Table
from scripts.corpus.seeds import build_source, seed_files

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "raw"
SEEDS = ROOT.parent / "shared" / "seeds"
SEED_FILES = seed_files(SEEDS)
STEMS = [p.stem for p in SEED_FILES]
WS = re.compile(r"\s+")
PAGE_NUMBER = re.compile(r"^— \d+ —$", re.M)

# Dump artefacts the structuring removes on purpose, per seed (regexes over the seed text).
ARTEFACTS: dict[str, list[str]] = {
    "000": [r"\n 序号 领域 指导部门\(单位\)\n"],  # header repeated on the table's 2nd page
    "001": [
        r"^泸县人民政府办公室 关于印发.*$",
        r"^来源:.*$",
        r"^扫一扫在手机打开当前页$",
        r"^分享到:$",
        r"^【打印正文】$",
    ],
    "002": [],
    "003": [r"\*\*", r"^- "],
    "004": [
        r"^政府信息公开$",
        r"^办文通知$",
        r"^来源:.*$",
        r"^扫一扫在手机打开当前页$",
        r"^主办:.*$",
        r"^政府网站标识码.*$",
    ],
}

# Strings every rendering of a seed must contain (whitespace ignored).
KEY_STRINGS: dict[str, list[str]] = {
    "000": [
        "川办函〔2021〕57号",
        "2021年8月12日",
        "深化政务公开是促进基层政府治理能力提升的重要途径",
        "明确职责分工和时间进度",
        "资阳市雁江区",
        "四川省税务局",
    ],
    "001": [
        "泸县府办函〔2021〕155号",
        "2021年9月29日",
        "县委常委、副县长",
        "加大泸州市信息公开服务监管平台",
        "县乡村振兴局",
    ],
    "002": [
        "国办发〔2019〕54号",
        "云政办发〔2020〕33号",
        "于2020年9月底前完成政务公开事项标准目录编制",
        "基层政务公开事项标准目录格式",
    ],
    "003": [
        "万府办函〔2021〕44号",
        "2021年11月11日",
        "排第一位的为牵头单位",
        "达市府办函〔2021〕119号",
        "2022年6月并长期坚持",
        "<p>开展问题对账销号",
        "市人武部。",
    ],
    "004": [
        "川办发〔2021〕16号",
        "不低于8000条",
        "2021年3月30日",
        "5月底前",
        "不低于25%",
        "省政府门户网站汇集整理市(州)和省直部门(单位)网站主动公开的规划",
    ],
}
# Web chrome that must stay out of the PDF and DOCX renderings.
CHROME = ["发布时间", "扫一扫在手机打开当前页", "网站标识码", "浏览次数", "打印正文"]

needs_font = pytest.mark.skipif(
    not font_available(), reason="CJK font missing: run scripts/install-system-deps.sh"
)


def squash(text: str) -> str:
    return WS.sub("", text)


@cache
def source(stem: str) -> SourceDoc:
    return build_source(SEEDS / f"{stem}.txt")


@cache
def pdf_text(stem: str) -> str:
    with pdfplumber.open(RAW / f"{stem}.pdf") as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


@cache
def pdf_cells(stem: str) -> set[str]:
    with pdfplumber.open(RAW / f"{stem}.pdf") as pdf:
        return {
            squash(cell)
            for page in pdf.pages
            for table in page.extract_tables()
            for row in table
            for cell in row
            if cell
        }


def seed_sequence(stem: str) -> str:
    text = (SEEDS / f"{stem}.txt").read_text(encoding="utf-8")
    for pattern in ARTEFACTS[stem[:3]]:
        text = re.sub(pattern, "\n", text, flags=re.M)
    return squash(text)


def source_sequence(src: SourceDoc) -> str:
    parts: list[str] = []
    for b in src.blocks:
        if isinstance(b, Para):
            parts.append(b.printed_text)
        else:
            parts += [c.text for c in b.cells]
    return squash("".join(parts))


def paper_paragraphs(src: SourceDoc) -> list[Para]:
    return [b for b in src.blocks if isinstance(b, Para) and on_paper(b)]


# --- the files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("stem", STEMS)
def test_file_exists(stem: str, fmt: str) -> None:
    assert (RAW / f"{stem}.{fmt}").stat().st_size > 1000


def test_fifteen_files() -> None:
    assert len(SEED_FILES) == 5
    assert sorted(p.name for p in RAW.iterdir() if p.suffix[1:] in FORMATS) == sorted(
        f"{s}.{f}" for s in STEMS for f in FORMATS
    )


@needs_font
def test_regeneration_is_byte_identical(tmp_path: Path) -> None:
    for path in generate(SEEDS, tmp_path):
        assert path.read_bytes() == (RAW / path.name).read_bytes(), f"{path.name} differs"


def test_missing_font_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FontMissingError, match=r"install-system-deps\.sh"):
        register_font(tmp_path / "missing.ttc")


def test_cli_writes_requested_formats(tmp_path: Path) -> None:
    assert main(["--out", str(tmp_path), "--seeds", str(SEEDS), "--formats", "html"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{s}.html" for s in STEMS)
    assert main(["--out", str(tmp_path), "--seeds", str(tmp_path)]) == 1  # no seeds there


# --- the structured sources ----------------------------------------------------------------------


@pytest.mark.parametrize("stem", STEMS)
def test_source_keeps_every_seed_character_in_order(stem: str) -> None:
    assert source_sequence(source(stem)) == seed_sequence(stem)


@pytest.mark.parametrize("stem", STEMS)
def test_web_facts_come_from_the_seed(stem: str) -> None:
    seed = (SEEDS / f"{stem}.txt").read_text(encoding="utf-8")
    w = source(stem).web
    facts = [
        w.pub_date_shown,
        w.content_source,
        w.site_id_code,
        w.heading,
        *w.keywords,
        *w.column_heads,
        *w.footer,
        *w.after_article,
    ]
    for fact in filter(None, facts):
        assert fact in seed or squash(fact) in squash(seed), fact
    for title in filter(None, (w.article_title, w.description)):
        assert squash(title) in squash(seed.replace("**", "")), title


def test_table_layouts() -> None:
    t003 = source("003_b54ff24471a88dd0").tables()
    plan, units = t003
    assert (plan.n_rows, plan.n_cols) == (26, 7)
    assert [(c.rowspan, c.text) for c in plan.cells if c.col == 0 and c.row] == [
        (4, "1"),
        (4, "2"),
        (7, "3"),
        (6, "4"),
        (4, "5"),
    ]
    assert next(c for c in plan.cells if c.row == 0 and c.col == 1).colspan == 2
    assert [c.rowspan for c in units.cells if c.col == 3 and c.row] == [26]
    split = source("004_597f21caaa58e27d").tables()[1]
    assert (split.n_rows, split.n_cols) == (57, 6)
    groups = [(c.text, c.rowspan) for c in split.cells if c.col == 1 and c.row]
    assert groups[0] == ("重点领域信息公开", 20) and len(groups) == 8
    numbers = [c.text for c in split.cells if c.col == 0 and c.row]
    assert numbers == [str(n) for n in range(1, 36)]
    units_2_3 = next(
        c for c in split.cells if c.col == 4 and c.text.startswith("省政府办公厅、省发展改革委、经济")
    )
    assert units_2_3.rowspan == 10  # items 2 and 3 share one 责任单位 cell


# --- PDF ---------------------------------------------------------------------------------------------


@needs_font
@pytest.mark.parametrize("stem", STEMS)
def test_pdf_has_every_paragraph_and_key_string(stem: str) -> None:
    text = squash(PAGE_NUMBER.sub("", pdf_text(stem)))
    for key in KEY_STRINGS[stem[:3]]:
        assert squash(key) in text or squash(key) in "".join(pdf_cells(stem)), key
    for p in paper_paragraphs(source(stem)):
        assert squash(paper_text(p)) in text, p.text[:30]
    for chrome in CHROME:
        assert chrome not in text


@needs_font
@pytest.mark.parametrize("stem", STEMS)
def test_pdf_tables_come_back_cell_by_cell(stem: str) -> None:
    cells = pdf_cells(stem)
    for table in source(stem).tables():
        for c in table.cells:
            if c.rowspan == 1 and c.text:  # merged cells may be cut in two by a page end
                assert squash(c.text) in cells, c.text[:30]


@needs_font
def test_pdf_page_numbers() -> None:
    text = pdf_text("000_3fcaf470a0c023ac")
    assert PAGE_NUMBER.findall(text) == [f"— {n} —" for n in range(1, 11)]


# --- DOCX --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stem", STEMS)
def test_docx_paragraphs_and_tables(stem: str) -> None:
    src = source(stem)
    d = docx.Document(str(RAW / f"{stem}.docx"))
    expected = [
        p.text.replace("\xa0", " ") if p.auto_number else paper_text(p) for p in paper_paragraphs(src)
    ]
    # empty paragraphs only carry section breaks after a table (Word needs one there)
    assert [p.text for p in d.paragraphs if p.text] == expected
    assert len(d.tables) == len(src.tables())
    for got, want in zip(d.tables, src.tables(), strict=True):
        assert (len(got.rows), len(got.columns)) == (want.n_rows, want.n_cols)
        for c in want.cells:
            assert got.cell(c.row, c.col).text == c.text
        assert got.rows[0]._tr.trPr.xpath("./w:tblHeader")
    body = "".join(p.text for p in d.paragraphs)
    assert not any(chrome in body for chrome in CHROME)
    assert d.core_properties.title == (src.title or "")
    assert d.core_properties.created.year == 2000


def test_docx_merged_cells() -> None:
    d = docx.Document(str(RAW / "003_b54ff24471a88dd0.docx"))
    plan = d.tables[0]
    first_col = [row._tr.tc_lst[0].vMerge for row in plan.rows]
    assert first_col[1:6] == ["restart", "continue", "continue", "continue", "restart"]
    assert plan.rows[0]._tr.tc_lst[1].grid_span == 2
    units = d.tables[1]
    assert [row._tr.tc_lst[-1].vMerge for row in units.rows][1:] == ["restart"] + ["continue"] * 25


def test_docx_auto_numbering() -> None:
    """003's 25 numbered tasks carry their number in numbering.xml, not in the text."""
    d = docx.Document(str(RAW / "003_b54ff24471a88dd0.docx"))
    numbered = [p for p in d.paragraphs if p._p.pPr is not None and p._p.pPr.numPr is not None]
    assert len(numbered) == 25
    assert numbered[0].text.startswith("推行重大行政决策预公开")
    assert len({p._p.pPr.numPr.numId.val for p in numbered}) == 5
    assert 'w:lvlText w:val="%1."' in d.part.numbering_part.element.xml


# --- HTML --------------------------------------------------------------------------------------------


def declared_charset(data: bytes) -> str:
    m = re.search(rb'charset="?([A-Za-z0-9_-]+)', data[:2000])
    assert m, "no charset declared"
    return m.group(1).decode("ascii")


@pytest.mark.parametrize("stem", STEMS)
def test_html_decodes_and_has_the_article(stem: str) -> None:
    data = (RAW / f"{stem}.html").read_bytes()
    page = data.decode(declared_charset(data))  # strict
    tree = lxml.html.fromstring(page)
    article = squash(tree.get_element_by_id("zoom").text_content())
    assert article == source_sequence(source(stem)).replace("\xa0", "")
    for key in KEY_STRINGS[stem[:3]]:
        assert squash(key) in article
    metas = {m.get("name"): m.get("content") for m in tree.iter("meta") if m.get("name")}
    assert {"SiteName", "SiteDomain", "ColumnName", "Keywords", "Description"} <= metas.keys()
    n_tables = len(source(stem).tables())
    assert len(tree.get_element_by_id("zoom").findall(".//table")) == n_tables


def test_html_gbk_page_and_meta_facts() -> None:
    data = (RAW / "001_3066dfd361fc75f9.html").read_bytes()
    assert declared_charset(data) == "gb2312"
    data.decode("gb2312")  # strict: every character fits
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    metas = {
        m.get("name"): m.get("content") for m in lxml.html.fromstring(data).iter("meta") if m.get("name")
    }
    assert metas["PubDate"] == "2021-09-30 09:43"
    assert metas["ContentSource"] == "县政府办"
    for stem in STEMS[2:]:
        assert declared_charset((RAW / f"{stem}.html").read_bytes()) == "utf-8"
    yaan = lxml.html.fromstring((RAW / "004_597f21caaa58e27d.html").read_bytes())
    metas = {m.get("name"): m.get("content") for m in yaan.iter("meta") if m.get("name")}
    assert metas["PubDate"] == "2021-05-20 14:51" and metas["ContentSource"] == "市政府办公室"
    assert "ArticleTitle" not in metas  # the seed shows no title for the wrapper notice
    cell = next(td for td in yaan.iter("td") if td.text_content() == "重点领域信息公开")
    assert cell.get("rowspan") == "20"


def test_html_attachment_links_and_literal_tags() -> None:
    page = lxml.html.fromstring((RAW / "002_c5a7bb6645cf0ce3.html").read_bytes())
    hrefs = [a.get("href") for a in page.get_element_by_id("zoom").iter("a")]
    assert [h.rsplit(".", 1)[1] for h in hrefs] == ["doc", "xls"]
    page = lxml.html.fromstring((RAW / "003_b54ff24471a88dd0.html").read_bytes())
    cells = [td.text_content() for td in page.iter("td")]
    assert any(c.startswith("<p>抓好政策部署落实落地") for c in cells)


def test_paragraph_roles_cover_gbt_elements() -> None:
    roles = {p.role for stem in STEMS for p in source(stem).paragraphs()}
    assert {
        Role.BANNER,
        Role.TITLE,
        Role.DOC_NUMBER,
        Role.SIGNATURE,
        Role.DATE,
        Role.ATTACHMENT_LABEL,
        Role.CC,
    } <= roles
    assert all(isinstance(t, Table) for stem in STEMS for t in source(stem).tables())
