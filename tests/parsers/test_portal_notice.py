"""A notice page of a national government portal: the elements stand in an info table above the
article (索引号 / 发文机关 / 标题 / 发文字号 / 成文日期), with spaced labels such as ``标　　题：``."""

import datetime as dt
from pathlib import Path

from parsers import parse_file

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "html" / "portal_info_table.html"


def test_info_table_gives_the_elements():
    rec = parse_file(FIXTURE)
    assert rec.doc_number == "国办发〔2019〕54号"
    assert rec.issuer == "国务院办公厅"
    assert rec.title == "国务院办公厅关于全面推进基层政务公开标准化规范化工作的指导意见"
    assert rec.signing_date == dt.date(2019, 12, 24)
    assert rec.publication_date == "2020-01-06"
    assert rec.recipients == ("各省、自治区、直辖市人民政府", "国务院各部委、各直属机构")
    assert rec.cited_doc_numbers == []  # its own number is not a citation
