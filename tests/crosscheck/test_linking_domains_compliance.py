import datetime as dt
from pathlib import Path

import pytest

from crosscheck.check import cross_check, items, rejudged
from crosscheck.compliance import task_gaps
from crosscheck.domains import compare_domains, same_unit
from crosscheck.linking import (
    Notice,
    find_templates,
    identity,
    load_links,
    notice_from_record,
    representatives,
)
from crosscheck.model import Item
from parsers.domains import DomainRow
from parsers.model import Location
from tests.seeds import parsed, seed

RAW = Path(__file__).resolve().parents[2] / "raw"


def _notice(doc_id, number=None, title=None, basis=(), fmt="docx", tasks=True, path=None):
    return Notice(doc_id, None, path or f"{doc_id}.{fmt}", fmt, number, title, tasks, tuple(basis))


def test_linked_by_number_then_by_title():
    template = _notice("t", "川办函〔2021〕57号", "四川省人民政府办公厅关于印发深化政务公开工作方案的通知")
    by_number = _notice("p1", basis=[("川办函〔2021〕57号", "whatever")])
    by_title = _notice("p2", basis=[(None, "四川省人民政府办公厅关于印发<深化政务公开工作方案>的通知")])
    assert [(link.template.doc_id, link.linked_by) for link in find_templates(by_number, [template])[0]] == [
        ("t", "doc_number")
    ]
    assert [(link.template.doc_id, link.linked_by) for link in find_templates(by_title, [template])[0]] == [
        ("t", "title")
    ]


def test_template_missing_from_the_corpus_is_reported():
    plan = _notice(
        "p", basis=[("国办发〔2019〕54号", "国务院办公厅关于全面推进基层政务公开标准化规范化工作的指导意见")]
    )
    links, missing = find_templates(plan, [plan])
    assert links == [] and [(m.doc_number, m.plan.doc_id) for m in missing] == [("国办发〔2019〕54号", "p")]


def test_link_by_configuration(tmp_path):
    cfg = tmp_path / "crosscheck.toml"
    cfg.write_text('[links]\n"某县府办发〔2021〕12号" = "川办函〔2021〕57号"\n', encoding="utf-8")
    template = _notice("t", "川办函〔2021〕57号", "某方案")
    plan = _notice("p", "某县府办发〔2021〕12号")
    links, _ = find_templates(plan, [template], load_links(cfg))
    assert [(link.template.doc_id, link.linked_by) for link in links] == [("t", "config")]


def test_one_copy_per_notice_and_the_plans_own_format():
    copies = [_notice(f"t{f}", "川办函〔2021〕57号", fmt=f) for f in ("pdf", "docx", "html")]
    assert [n.format for n in representatives(copies)] == ["docx"]
    plan = _notice("p", basis=[("川办函〔2021〕57号", None)], fmt="html")
    (link,), _ = find_templates(plan, copies)
    assert link.template.format == "html"
    assert identity(copies[0]) == identity(copies[1])


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_seed_plans_link_to_the_provincial_template(fmt):
    records = {
        s: parsed(RAW / f"{s}.{fmt}")
        for s in (
            "000_3fcaf470a0c023ac",
            "001_3066dfd361fc75f9",
            "002_c5a7bb6645cf0ce3",
            "003_b54ff24471a88dd0",
        )
    }
    notices = [notice_from_record(r) for r in records.values()]
    by_stem = {Path(n.path).stem: n for n in notices}
    luxian, _ = find_templates(by_stem["001_3066dfd361fc75f9"], notices)
    wanyuan, wanyuan_missing = find_templates(by_stem["003_b54ff24471a88dd0"], notices)
    chuxiong, chuxiong_missing = find_templates(by_stem["002_c5a7bb6645cf0ce3"], notices)
    assert [(Path(link.template.path).stem, link.linked_by) for link in luxian] == [
        ("000_3fcaf470a0c023ac", "title")
    ]
    assert [(Path(link.template.path).stem, link.linked_by) for link in wanyuan] == [
        ("000_3fcaf470a0c023ac", "doc_number")
    ]
    assert [m.doc_number for m in wanyuan_missing] == ["达市府办函〔2021〕119号"]
    assert chuxiong == [] and [m.doc_number for m in chuxiong_missing] == [
        "国办发〔2019〕54号",
        "云政办发〔2020〕33号",
    ]


def _domain(name, unit, i):
    return DomainRow(0, str(i), name, "指导部门(单位)", unit, Location(0))


def test_domain_renamed_reassigned_dropped_added():
    template = [
        _domain("国土空间规划", "自然资源厅", 1),
        _domain("救灾", "应急厅", 2),
        _domain("就业", "人力资源社会保障厅", 3),
        _domain("扶贫", "省乡村振兴局", 4),
        _domain("税收管理", "四川省税务局", 5),
    ]
    plan = [
        _domain("城乡规划", "县自然资源和规划局", 1),
        _domain("救灾生产", "县应急局", 2),
        _domain("就业", "县就业局", 3),
        _domain("税收管理", "县税务局", 4),
        _domain("数据开放", "县大数据中心", 5),
    ]
    statuses = {(d.template_domain, d.plan_domain): d.status for d in compare_domains(template, plan)}
    assert statuses[("国土空间规划", "城乡规划")] == "renamed"
    assert statuses[("救灾", "救灾生产")] == "renamed"
    assert statuses[("就业", "就业")] == "reassigned"
    assert statuses[("税收管理", "税收管理")] == "same"
    assert statuses[("扶贫", None)] == "dropped"
    assert statuses[(None, "数据开放")] == "added"


def test_same_unit_at_two_levels():
    assert same_unit("省发展改革委", "县发展改革局")
    assert same_unit("文化和旅游厅", "县文化广电旅游局")
    assert same_unit("省市场监管局、省药监局", "县市场监管局")
    assert not same_unit("住房城乡建设厅", "县综合行政执法局")


def test_compliance_gaps():
    tasks = [
        Item(
            "a",
            "1",
            "有单位有时限",
            responsible_units=("县政府办",),
            deadline_date=dt.date(2022, 6, 30),
            ongoing=True,
        ),
        Item("b", "2", "无单位", deadline_date=dt.date(2030, 1, 1)),
        Item("c", "3", "时限无法解析", responsible_units=("县政府办",), deadline_raw="适时"),
    ]
    gaps = [(g.kind, g.task.key) for g in task_gaps(tasks, dt.date(2023, 1, 1))]
    assert gaps == [("past_deadline", "a"), ("no_unit", "b"), ("no_deadline", "c")]


def test_a_check_rejudged_on_another_day_is_the_check_of_that_day():
    plan, template = seed("003_b54ff24471a88dd0", "docx"), seed("000_3fcaf470a0c023ac", "docx")
    early, late = dt.date(2021, 1, 1), dt.date(2030, 1, 1)
    before = cross_check(plan, template, as_of=early)
    after = cross_check(plan, template, as_of=late)
    overdue = [g for g in after.gaps if g.kind == "past_deadline"]
    assert overdue and not [g for g in before.gaps if g.kind == "past_deadline"]
    assert rejudged(before, items(plan), late) == after
    assert rejudged(after, items(plan), early) == before
