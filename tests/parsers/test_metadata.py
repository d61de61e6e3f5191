import datetime as dt

from parsers.metadata import extract_record, is_organ_name, split_top_level
from tests.parsers.builders import doc_from_lines

NOTICE = (
    "四川省人民政府办公厅",
    "关于印发深化政务公开促进基层政府治理能力",
    "提升工作方案的通知",
    "川办函〔2021〕57 号",
    "各市(州)、县(市、区)人民政府,省政府各部门、各直属机构,有关单位:",
    "《深化政务公开促进基层政府治理能力提升工作方案》已经省政府同意,现印发给你们,请认真组织实施。",
    "四川省人民政府办公厅",
    "二〇二一年八月十二日",
    "按照国办发〔2019〕54 号文件要求,由相对应的省直部门(单位)负责指导。",
    "附件: 1． 深化政务公开促进基层政府治理能力提升先行县",
    "名单",
    "2． 政务公开事项标准目录编制的指导部门(单位)",
    "附件 1",
    "深化政务公开促进基层政府治理能力提升先行县名单",
    "抄送：市委办，市人大办，",
    "市人武部。",
    "四川省人民政府办公厅秘书处  2021年8月13日印发",
)


def test_issuer_line_above_title_is_part_of_the_title():
    rec = extract_record(doc_from_lines(*NOTICE), "id")
    assert rec.title == "四川省人民政府办公厅关于印发深化政务公开促进基层政府治理能力提升工作方案的通知"
    assert rec.issuer == "四川省人民政府办公厅"


def test_doc_number_normalized_and_raw_kept():
    rec = extract_record(doc_from_lines(*NOTICE), "id")
    assert rec.doc_number == "川办函〔2021〕57号"
    assert rec.doc_number_raw == "川办函〔2021〕57 号"


def test_signing_date_in_chinese_numerals():
    rec = extract_record(doc_from_lines(*NOTICE), "id")
    assert rec.signing_date == dt.date(2021, 8, 12)
    assert rec.signing_date_raw == "二〇二一年八月十二日"


def test_recipients_split_outside_parentheses():
    rec = extract_record(doc_from_lines(*NOTICE), "id")
    assert rec.recipients == ("各市(州)、县(市、区)人民政府", "省政府各部门、各直属机构", "有关单位")


def test_attachment_note_with_wrapped_item():
    rec = extract_record(doc_from_lines(*NOTICE), "id")
    assert [a.title for a in rec.attachments] == [
        "深化政务公开促进基层政府治理能力提升先行县名单",
        "政务公开事项标准目录编制的指导部门(单位)",
    ]
    assert [a.has_body for a in rec.attachments] == [True, False]


def test_citations_by_number_and_title():
    rec = extract_record(doc_from_lines(*NOTICE), "id")
    assert rec.cited_doc_numbers == ["国办发〔2019〕54号"]
    assert rec.cited_titles == ["深化政务公开促进基层政府治理能力提升工作方案"]


def test_cc_and_printed_line():
    rec = extract_record(doc_from_lines(*NOTICE), "id")
    assert rec.cc == ("市委办", "市人大办", "市人武部")
    assert rec.printed_by == "四川省人民政府办公厅秘书处"
    assert rec.printed_date == dt.date(2021, 8, 13)


def test_title_paired_with_its_number_in_a_citation():
    rec = extract_record(
        doc_from_lines(
            "关于做好工作的通知",
            "各县人民政府:",
            "按照《四川省人民政府办公厅关于印发<深化政务公开工作方案>的通知》（川办函〔2021〕57号）要求，现通知如下。",
        ),
        "id",
    )
    (cite,) = rec.citations
    assert cite.title == "四川省人民政府办公厅关于印发<深化政务公开工作方案>的通知"
    assert cite.doc_number == "川办函〔2021〕57号"


def test_plan_without_number_or_signature():
    rec = extract_record(
        doc_from_lines(
            "楚雄州全面推进基层政务公开 标准化规范化工作实施方案",
            "为贯彻落实《国务院办公厅关于全面推进基层政务公开标准化规范化工作的指导意见》（国办发〔2019〕54号）要求，制定本实施方案。",
            "2020年，基层政府对照国务院部门制定的26个试点领域标准指引，编制完善本级政务公开事项标准目录。",
        ),
        "id",
    )
    assert rec.title == "楚雄州全面推进基层政务公开标准化规范化工作实施方案"
    assert rec.doc_number is None and rec.issuer is None and rec.signing_date is None
    assert "no document number (发文字号) found" in rec.warnings


def test_forwarded_notice_is_its_own_record():
    rec = extract_record(
        doc_from_lines(
            "各县(区)人民政府,市政府各部门:",
            "现将《四川省人民政府办公厅关于印发2021年全省政务公开重点工作安排的通知》(川办发〔2021〕16号)转发你们,请抓好落实。",
            "雅安市人民政府办公室",
            "2021年5月20日",
            "四川省人民政府办公厅关于印发2021年全省政务公开重点工作安排的通知",
            "各市(州)、县(市、区)人民政府:",
            "《2021年全省政务公开重点工作安排》已经省政府同意,现印发给你们。",
            "四川省人民政府办公厅",
            "2021年3月30日",
        ),
        "wrapper",
    )
    assert rec.issuer == "雅安市人民政府办公室"
    assert rec.signing_date == dt.date(2021, 5, 20)
    assert rec.cited_doc_numbers == ["川办发〔2021〕16号"]
    (fwd,) = rec.forwarded
    assert fwd.parent_id == "wrapper"
    assert fwd.doc_number == "川办发〔2021〕16号"
    assert fwd.title == "四川省人民政府办公厅关于印发2021年全省政务公开重点工作安排的通知"
    assert fwd.issuer == "四川省人民政府办公厅"
    assert fwd.signing_date == dt.date(2021, 3, 30)
    assert fwd.doc_id != rec.doc_id


def test_printed_notice_is_not_split_as_forwarding():
    rec = extract_record(doc_from_lines(*NOTICE), "id")
    assert rec.forwarded == ()


def test_web_page_facts_from_meta():
    rec = extract_record(
        doc_from_lines(
            "关于印发某方案的通知",
            "各镇人民政府:",
            "现将方案印发你们,请认真贯彻落实。",
            fmt="html",
            meta={"PubDate": "2021-09-30 09:43:25", "ContentSource": "县政府办"},
        ),
        "id",
    )
    assert rec.publication_date == "2021-09-30"
    assert rec.source == "县政府办"


def test_organ_name_predicate():
    assert is_organ_name("四川省人民政府办公厅")
    assert is_organ_name("四川省教育厅 四川省财政厅")
    assert not is_organ_name("现印发给你们,请认真组织实施。")
    assert not is_organ_name("2021年8月12日")


def test_split_top_level_keeps_parenthesised_lists():
    assert split_top_level("各市(州)、县(市、区)人民政府,有关单位") == [
        "各市(州)、县(市、区)人民政府",
        "有关单位",
    ]


def test_cc_list_wrapped_over_several_lines():
    rec = extract_record(
        doc_from_lines(
            "关于做好工作的通知",
            "各县人民政府:",
            "现将有关事项通知如下,请认真贯彻落实。",
            "抄送：市委办，市人大办，市检察院",
            "，",
            "市人武部。",
        ),
        "id",
    )
    assert rec.cc == ("市委办", "市人大办", "市检察院", "市人武部")


# A web page converted to Word/PDF by another tool keeps its chrome as paragraphs.
CONVERTED_PAGE = (
    "楚雄彝族自治州人民政府",
    "首页政务公开政务服务互动交流",
    "当前位置：首页 > 政务公开 > 政策文件",
    "楚雄州全面推进基层政务公开标准化规范化工作实施方案",
    "【字体:】【打印本页】",
    "为贯彻落实《国务院办公厅关于全面推进基层政务公开标准化规范化工作的指导意见》（国办发〔2019〕54号）要求，制定本实施方案。",
    "附件：1.基层政务公开标准化规范化工作任务分工及进度安排",
    "2.基层政务公开事项标准目录格式",
    "楚雄彝族自治州人民政府版权所有",
)


def test_navigation_and_breadcrumb_lines_are_not_part_of_the_title():
    rec = extract_record(doc_from_lines(*CONVERTED_PAGE), "id")
    assert rec.title == "楚雄州全面推进基层政务公开标准化规范化工作实施方案"


def test_site_name_above_the_navigation_is_not_the_issuer():
    assert extract_record(doc_from_lines(*CONVERTED_PAGE), "id").issuer is None


def test_page_footer_is_not_part_of_the_last_attachment():
    rec = extract_record(doc_from_lines(*CONVERTED_PAGE), "id")
    assert [a.title for a in rec.attachments] == [
        "基层政务公开标准化规范化工作任务分工及进度安排",
        "基层政务公开事项标准目录格式",
    ]


def test_banner_above_the_doc_number_is_the_issuer():
    rec = extract_record(
        doc_from_lines(
            "四川省人民政府办公厅",
            "川办函〔2021〕57号",
            "各市(州)人民政府:",
            "《深化政务公开工作方案》已经省政府同意,现印发给你们,请认真组织实施。",
        ),
        "id",
    )
    assert rec.issuer == "四川省人民政府办公厅"
