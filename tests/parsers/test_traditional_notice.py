"""A Taiwan-style 函 in Traditional Chinese: labelled header fields, a ``…政府 函`` banner and
Republic-of-China dates (tests/fixtures/html/taiwan_han_traditional.html)."""

import datetime as dt
from pathlib import Path

from parsers import parse_file

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "html" / "taiwan_han_traditional.html"


def test_traditional_han_notice():
    rec = parse_file(FIXTURE)
    assert rec.doc_number == "府授人考字第1103012345号"
    assert rec.doc_number_raw == "府授人考字第1103012345号"
    assert rec.issuer == "台北市政府"
    assert rec.signing_date == dt.date(2021, 8, 12)  # 中華民國110年8月12日
    assert rec.recipients == ("本府各机关学校",)
    assert rec.cc == ("本府秘书处", "本府研究发展考核委员会")
    assert rec.cited_doc_numbers == ["院台法字第1100012345号"]
    assert rec.attachments == ()  # 附件：如說明 points to the notes, it names no attachment
    assert rec.title == "检送「台北市政府推动政务公开精进作业计划」1份，请查照。"
    assert any("Traditional" in w for w in rec.warnings)
