from parsers.structure import chinese_number, outline
from tests.parsers.builders import doc_from_lines


def test_heading_levels_and_paths():
    doc = doc_from_lines(
        "一、总体要求",
        "（一）指导思想。以习近平新时代中国特色社会主义思想为指导，全面贯彻党的十九大精神。",
        "二、主要任务",
        "（一）深化行政决策公开，促进基层政府决策能力提升",
        "1.推行重大行政决策预公开，大力推进行政决策内容、过程公开。在正式决定前，将拟定的方案和事由向社会征求意见，在充分听取意见和建议后进行调整，再作出决策决定。",
        "（1）细化措施",
        "①第一项",
    )
    heads = outline(doc)
    assert [(h.level, h.path) for h in heads] == [
        (1, "一"),
        (2, "一/(一)"),
        (1, "二"),
        (2, "二/(一)"),
        (3, "二/(一)/1"),
        (4, "二/(一)/1/(1)"),
        (5, "二/(一)/1/(1)/①"),
    ]
    assert heads[1].title == "指导思想" and heads[1].inline_body
    assert heads[3].title == "深化行政决策公开，促进基层政府决策能力提升"


def test_attachment_label_restarts_numbering():
    heads = outline(doc_from_lines("一、正文", "附件1", "一、乡镇、街道（5个）"))
    assert [(h.part, h.path) for h in heads] == [(0, "一"), (1, "一")]


def test_running_text_starting_with_a_number_is_not_a_heading():
    long = (
        "2021年，基层政务公开载体和渠道更加丰富多元、规范有序，基层政府信息公开、重要政策解读回应明显提升。"
    )
    assert outline(doc_from_lines(long)) == ()


def test_chinese_numbers():
    assert [chinese_number(t) for t in ("一", "十", "十二", "二十", "二十二", "③")] == [1, 10, 12, 20, 22, 3]
