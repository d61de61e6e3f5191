"""The HTML diff reports as strings: structure, escaping of document text, self-containment,
the character-level redline, file names and atomic writes. No browser (see test_report_browser)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html as html_lib
import re
from dataclasses import replace
from pathlib import Path

import pytest

from crosscheck.model import (
    Alignment,
    CrossCheck,
    DomainDiff,
    Gap,
    Item,
    Link,
    NoticeRef,
    RequirementResult,
    TaskResult,
)
from crosscheck.report import (
    diff_markup,
    diff_segments,
    overview_file_name,
    render_overview,
    render_plan_report,
    report_file_name,
    write_overview,
    write_plan_report,
)

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "raw" / "003_b54ff24471a88dd0.docx"
TEMPLATE = ROOT / "raw" / "000_3fcaf470a0c023ac.docx"
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)>"


def ref(doc_id: str, **kw: object) -> NoticeRef:
    base = NoticeRef(
        doc_id,
        "某县人民政府办公室关于印发某方案的通知",
        "某府办〔2021〕1号",
        "某县人民政府办公室",
        dt.date(2021, 11, 1),
        f"{doc_id}.docx",
    )
    return replace(base, **kw)


def small_check(
    requirement_text: str = "推行重大行政决策预公开，大力推进行政决策内容、过程公开。", **plan_kw: object
) -> CrossCheck:
    """Three requirements, three tasks: a reworded one, a merge (t1 carries r1 and r2), a
    missing requirement, an added task without unit and deadline, one overdue task."""
    r1 = Item("r1", "(一).1", requirement_text, category="深化行政决策公开")
    r2 = Item("r2", "(一).2", "探索建立群众参与基层政府有关会议制度。", category="深化行政决策公开")
    r3 = Item("r3", "(二).1", "县级国家档案馆设置政府公报查阅点。", category="深化重点领域信息公开")
    t1 = Item(
        "t1",
        "1.1",
        "推行重大行政决策预公开，积极推进行政决策过程公开。探索建立群众参与基层政府有关会议制度。",
        lead_unit="县司法局",
        responsible_units=("县司法局", "县发改局"),
        deadline_raw="2021年12月并长期坚持",
        deadline_date=dt.date(2021, 12, 31),
        ongoing=True,
    )
    t2 = Item("t2", "1.2", "开展政务公开进社区活动。", deadline_raw="长期坚持")
    alignment = Alignment(
        requirements=(
            RequirementResult(r1, "modified", 0.82, (Link("t1", 0.82, False),)),
            RequirementResult(r2, "verbatim", 1.0, (Link("t1", 1.0, True),)),
            RequirementResult(r3, "missing", 0.1, ()),
        ),
        tasks=(TaskResult(t1, "matched", ("r1", "r2")), TaskResult(t2, "added", ())),
        options={"link": 0.55, "modified": 0.6, "partial": 0.3},
    )
    return CrossCheck(
        plan=ref("plan1", **plan_kw),
        template=ref(
            "tmpl1",
            title="四川省人民政府办公厅关于印发工作方案的通知",
            doc_number="川办函〔2021〕57号",
            issuer="四川省人民政府办公厅",
        ),
        linked_by="doc_number",
        alignment=alignment,
        domains=(
            DomainDiff("same", "义务教育", "教育厅", "义务教育", "教科局", 1.0),
            DomainDiff("reassigned", "市政服务", "住房城乡建设厅", "市政服务", "城市发展服务中心", 1.0),
            DomainDiff("dropped", "扶贫", "省乡村振兴局", None, None, 0.0),
        ),
        gaps=(
            Gap("no_unit", t2, "names no responsible unit"),
            Gap("no_deadline", t2, "deadline '长期坚持' gives no date"),
            Gap("past_deadline", t1, "deadline 2021-12-31 passed 1 days before 2022-01-01"),
        ),
        as_of=dt.date(2022, 1, 1),
    )


@pytest.fixture(scope="module")
def real_check() -> CrossCheck:
    from crosscheck.check import cross_check
    from parsers import parse_file

    return cross_check(
        parse_file(PLAN), parse_file(TEMPLATE), linked_by="doc_number", as_of=dt.date(2022, 1, 1)
    )


def text_of(html: str) -> str:
    """The page's visible text, roughly: tags dropped, whitespace collapsed."""
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


# --- the redline ----------------------------------------------------------------------------


def test_identical_text_is_all_equal() -> None:
    assert [s.kind for s in diff_segments("做好督查公开。", "做好督查公开。")] == ["equal"]


def test_full_and_half_width_punctuation_compare_equal() -> None:
    segments = diff_segments("乡镇(街道),村(社区)。", "乡镇（街道），村（社区）。")
    assert [s.kind for s in segments] == ["equal"]
    assert segments[0].text == "乡镇（街道），村（社区）。"  # the plan's own characters are shown


def test_insertion_inside_the_requirement_is_marked_not_its_end_lost() -> None:
    req = "对涉及群众切身利益的政策措施、重点项目等,采取座谈会、网上征求意见等多种方式,提升群众参与度。"
    task = (
        "探索建立群众参与基层政府有关会议制度。对涉及群众切身利益的政策措施、重点项目等，"
        "通过政府网站及时发布，同时，采取座谈会、网上征求意见等多种方式，提升群众参与度。"
    )
    kinds = [(s.kind, s.text) for s in diff_segments(req, task)]
    assert kinds[0] == ("context", "探索建立群众参与基层政府有关会议制度。")
    assert [t.strip("，") for k, t in kinds if k == "insert"] == ["通过政府网站及时发布，同时"]
    assert not any(k == "delete" for k, _ in kinds)


def test_reworded_opening_is_a_deletion_and_an_insertion() -> None:
    segments = diff_segments(
        "有条件的地方,可以推进村(社区)数据资源建设。", "探索推进村（社区）数据资源建设。"
    )
    assert [(s.kind, s.text) for s in segments[:2]] == [("delete", "有条件的地方,可以"), ("insert", "探索")]


def test_text_outside_the_carrying_stretch_is_context() -> None:
    segments = diff_segments(
        "做好督查和审计发现问题的公开。", "开展问题对账销号，做好督查和审计发现问题的公开，并及时发布。"
    )
    assert segments[0].kind == "context" and segments[-1].kind == "context"
    assert (
        "".join(s.text for s in segments if s.kind != "delete")
        == "开展问题对账销号，做好督查和审计发现问题的公开，并及时发布。"
    )


def test_segments_rebuild_the_task_and_the_requirement() -> None:
    req, task = (
        "依法发布地震地质灾害等预警信息,做好常态化疫情防控。",
        "强化预警，依法发布地质灾害和极端天气预警信息，做好疫情防控信息公开。",
    )
    segments = diff_segments(req, task)
    assert "".join(s.text for s in segments if s.kind != "delete") == task
    kept = "".join(s.text for s in segments if s.kind in ("equal", "delete"))
    assert kept.replace("，", ",") == req  # the requirement, in order, with the plan's punctuation


def test_diff_markup_escapes_every_piece() -> None:
    html = str(diff_markup(HOSTILE + "公开", "公开" + HOSTILE.replace("alert", "prompt")))
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert re.fullmatch(r"(<(del|ins|span)[^>]*>|</(del|ins|span)>|[^<>])*", html), html


# --- the plan report ------------------------------------------------------------------------


def test_plan_report_sections_and_figures() -> None:
    html = render_plan_report(small_check())
    assert html.startswith("<!DOCTYPE html>")
    for anchor in ("summary", "requirements", "additions", "missing", "gaps", "domains"):
        assert f'id="{anchor}"' in html
    assert 'data-figure="requirements">3<' in html
    assert 'data-figure="added">' in html and 'data-figure="past_deadline">' in html
    text = text_of(html)
    assert "川办函〔2021〕57号" in text and "某府办〔2021〕1号" in text
    assert "方案引用了模板的发文字号" in text  # how they were linked
    assert "2022-01-01" in text and "link 0.55" in text  # as-of date and thresholds


def test_plan_report_side_by_side_merge_and_status() -> None:
    html = render_plan_report(small_check())
    assert html.count('class="req s-') == 3
    assert 'data-status="modified"' in html and 'data-status="missing"' in html
    assert "同时承接 (一).2" in html and "同时承接 (一).1" in html  # task 1.1 carries both: a merge
    assert "<del" in html and "<ins" in html
    assert "方案中没有承接这条要求的任务" in html  # the missing requirement, on the plan side


def test_plan_report_additions_gaps_overdue_domains() -> None:
    html = render_plan_report(small_check())
    additions = html.split('id="additions"')[1].split('id="missing"')[0]
    assert "开展政务公开进社区活动" in additions
    missing = html.split('id="missing"')[1].split('id="gaps"')[0]
    assert "县级国家档案馆设置政府公报查阅点" in missing
    gaps = html.split('id="gaps"')[1].split('id="domains"')[0]
    assert "gives no date" in gaps and "names no responsible unit" in gaps
    assert "是 · 长期坚持" in gaps  # the overdue task is an ongoing duty
    domains = html.split('id="domains"')[1]
    assert 'data-domain-status="reassigned"' in domains and "城市发展服务中心" in domains
    assert 'data-domain-status="dropped"' in domains


HOSTILE_FIELDS = {
    "title": HOSTILE,
    "doc_number": HOSTILE,
    "issuer": HOSTILE,
    "path": HOSTILE,
}


def test_hostile_document_text_is_escaped_everywhere() -> None:
    check = small_check(requirement_text=HOSTILE + "推行重大行政决策预公开。", **HOSTILE_FIELDS)
    t1 = check.alignment.tasks[0]
    evil_task = replace(
        t1.task,
        text=HOSTILE + t1.task.text,
        responsible_units=(HOSTILE,),
        lead_unit=HOSTILE,
        deadline_raw=HOSTILE,
    )
    evil_domain = DomainDiff("renamed", HOSTILE, HOSTILE, HOSTILE + "x", HOSTILE, 0.7)
    check = replace(
        check,
        alignment=replace(check.alignment, tasks=(replace(t1, task=evil_task), *check.alignment.tasks[1:])),
        domains=(evil_domain,),
        gaps=(Gap("no_deadline", evil_task, HOSTILE),),
    )
    for html in (render_plan_report(check), render_overview([check])):
        assert "alert(1)" not in html.split("<script>", 1)[1].split("</script>")[0]  # our script only
        assert html.count("<script") == 1  # and no <script> from document text
        assert "<img" not in html and "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html


def test_plan_report_is_self_contained() -> None:
    html = render_plan_report(small_check())
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert not re.search(r"<link\b", html, re.I)
    assert "@import" not in html and not re.search(r"url\(\s*['\"]?(?!data:)", html)
    assert "<style>" in html  # CSS inline
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp and "default-src 'none'" in html_lib.unescape(csp.group(1))


def test_inline_script_is_admitted_by_its_hash() -> None:
    html = render_plan_report(small_check())
    script = html.split("<script>", 1)[1].split("</script>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in html_lib.unescape(html)


def test_filters_are_progressive_enhancement() -> None:
    html = render_plan_report(small_check())
    # without JS the filter controls stay hidden and every row is shown
    assert re.search(r'class="filters" data-js-only hidden', html)
    assert not re.search(r'class="req [^"]*"[^>]*hidden', html)


def test_real_sample_report(real_check: CrossCheck) -> None:
    html = render_plan_report(real_check)
    assert 'data-figure="requirements">27<' in html
    assert 'data-figure="added"><span class="swatch s-added" aria-hidden="true">＋</span><b>3</b>' in html
    assert "进学校、进企业" in html
    assert "同时承接 (一).3" in html and "同时承接 (一).2" in html  # task 1.2 merges (一).2 and (一).3
    assert 'data-figure="past_deadline"><b>4</b>' in html  # 1.3, 2.1, 3.3, 5.2 ended 2021-12-31


# --- overview ---------------------------------------------------------------------------------


def test_overview_matrix_and_links(real_check: CrossCheck) -> None:
    other = replace(small_check(), template=real_check.template)
    html = render_overview([real_check, other], links={"plan1": "plan-one.html"})
    assert (
        html.count('<th scope="row" class="rowhead"><span class="num">') == 27
    )  # rows matched by number across checks
    assert 'href="plan-one.html"' in html
    assert f'href="{report_file_name(real_check)}"' in html
    assert "万源市" in html and 'class="cell s-verbatim"' in html and 'class="cell s-missing"' in html
    assert 'data-total="added">3<' in html


def test_overview_rejects_mixed_templates() -> None:
    with pytest.raises(ValueError, match="one template"):
        render_overview(
            [small_check(), replace(small_check(), template=ref("other", doc_number="X〔2020〕1号"))]
        )
    with pytest.raises(ValueError):
        render_overview([])


# --- names and writes -------------------------------------------------------------------------


def test_file_names_are_safe_and_distinct() -> None:
    a = small_check()
    b = replace(a, plan=ref("../../etc/passwd"))
    assert report_file_name(a) == "report_plan1_vs_tmpl1.html"
    assert "/" not in report_file_name(b) and ".." not in report_file_name(b)
    assert report_file_name(a) != report_file_name(b)
    assert overview_file_name(a.template) == "overview_tmpl1.html"


def test_writes_are_atomic_and_accept_a_folder(tmp_path: Path) -> None:
    check = small_check()
    out = write_plan_report(check, tmp_path / "sub" / "r.html")
    assert out.read_text(encoding="utf-8") == render_plan_report(check)
    in_folder = write_plan_report(check, tmp_path)
    assert in_folder == tmp_path / report_file_name(check)
    overview = write_overview([check], tmp_path)
    assert overview == tmp_path / overview_file_name(check.template)
    assert f'href="{report_file_name(check)}"' in overview.read_text(encoding="utf-8")
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import crosscheck.report as report

    out = tmp_path / "r.html"
    out.write_text("old", encoding="utf-8")

    def failing_replace(src: str, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(report.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        write_plan_report(small_check(), out)
    assert out.read_text(encoding="utf-8") == "old"
    assert list(tmp_path.iterdir()) == [out]


def test_words_the_plan_moved_are_marked_moved_not_replaced() -> None:
    req = "灵活采取局长(主任)进大厅、参观政务场所等形式,定期开展“政务开放日(周)”活动。"
    task = (
        "定期开展“政务开放日（周）”活动，灵活采取局长（主任）进大厅、参观政务场所等形式，让群众走进政府机关。"
    )
    kinds = [(s.kind, s.text) for s in diff_segments(req, task)]
    assert ("moved", "定期开展“政务开放日(周)”活动。") in kinds
    assert not any(k == "insert" for k, _ in kinds)  # the clause after it is context, not a replacement
    assert 'class="moved"' in str(diff_markup(req, task))
