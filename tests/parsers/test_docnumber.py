import pytest

from parsers.docnumber import find_doc_numbers, is_doc_number_line, normalize_doc_number
from tests.parsers.casefile import load_cases


@pytest.mark.parametrize(("source", "expected"), load_cases("docnumber.txt"))
def test_normalize_doc_number(source, expected):
    assert normalize_doc_number(source) == expected


def test_raw_form_is_kept_beside_normalized():
    (found,) = find_doc_numbers("按照国办发〔2019〕54 号文件要求")
    assert found.raw == "国办发〔2019〕54 号"
    assert found.normalized == "国办发〔2019〕54号"
    assert found.year == 2019


def test_all_numbers_in_order():
    text = "《甲》（国办发〔2019〕54号）和《乙》（云政办发〔2020〕33号）"
    assert [d.normalized for d in find_doc_numbers(text)] == ["国办发〔2019〕54号", "云政办发〔2020〕33号"]


def test_doc_number_line_allows_signer_and_label():
    assert is_doc_number_line("川府〔2021〕1号  签发人：张三").normalized == "川府〔2021〕1号"
    assert is_doc_number_line("发文字号：川办函〔2021〕57号").normalized == "川办函〔2021〕57号"


def test_sentence_with_a_number_is_not_a_number_line():
    assert is_doc_number_line("按照国办发〔2019〕54号文件要求执行") is None
