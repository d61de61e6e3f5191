"""The cross-check asset on real warehouse tables built from the sample corpus."""

from __future__ import annotations

import datetime as dt
import gc
from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from dagster import DagsterInstance, materialize

from crosscheck.align import AlignOptions
from crosscheck.linking import MissingTemplate, Notice
from crosscheck.model import Item, NoticeRef
from pipelines import crosscheck_cache
from pipelines.assets.crosscheck import CrossCheckSettings, missing_templates_line, plan_alignment
from pipelines.assets.ingest import parsed_documents
from pipelines.assets.warehouse import warehouse_tables
from pipelines.crosscheck_cache import (
    CheckedPairs,
    _worth_sharing,
    checked_pairs,
    collector_paused,
    overview_pages,
    template_groups,
)
from pipelines.crosscheck_pairs import Pair, Side, check_and_render, dump_entry, load_entry
from pipelines.partitions import sync_document_partitions
from pipelines.resources import RawStore, Warehouse
from pipelines.storage import table_path
from schemas.tables import MISSING_TEMPLATES, PLAN_ALIGNMENT, conform

RAW = Path(__file__).resolve().parents[2] / "raw"
SEEDS = ("000_3fcaf470a0c023ac", "001_3066dfd361fc75f9", "002_c5a7bb6645cf0ce3", "003_b54ff24471a88dd0")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("crosscheck")
    raw = root / "raw"
    raw.mkdir()
    for seed in SEEDS:  # the template in two formats: one copy per notice is checked
        for fmt in ("docx", "pdf") if seed.startswith("000") else ("docx",):
            (raw / f"{seed}.{fmt}").write_bytes((RAW / f"{seed}.{fmt}").read_bytes())
    with DagsterInstance.ephemeral() as instance:
        keys = sync_document_partitions(instance, raw, root / "warehouse").keys
        result = materialize(
            [parsed_documents, warehouse_tables, plan_alignment],
            instance=instance,
            resources={
                "raw_store": RawStore(root=str(raw)),
                "warehouse": Warehouse(root=str(root / "warehouse")),
                "crosscheck_settings": CrossCheckSettings(as_of="2022-01-01"),
            },
            tags={
                "dagster/asset_partition_range_start": keys[0],
                "dagster/asset_partition_range_end": keys[-1],
            },
        )
        assert result.success
    return root / "warehouse"


def test_plans_aligned_with_their_template(warehouse: Path) -> None:
    table = conform(pq.read_table(table_path(warehouse, "plan_alignment")), PLAN_ALIGNMENT)
    docs = {d["doc_id"]: d["path"] for d in pq.read_table(table_path(warehouse, "documents")).to_pylist()}
    rows = table.to_pylist()
    plans = {docs[r["plan_doc_id"]] for r in rows}
    assert plans == {"001_3066dfd361fc75f9.docx", "003_b54ff24471a88dd0.docx"}
    assert {docs[r["template_doc_id"]] for r in rows} == {
        "000_3fcaf470a0c023ac.docx"
    }  # the plan's own format
    wanyuan = [r for r in rows if docs[r["plan_doc_id"]].startswith("003")]
    assert sorted(r["task_number"] for r in wanyuan if r["task_status"] == "added") == ["3.7", "4.5", "4.6"]
    assert {r["requirement_status"] for r in wanyuan if r["requirement_id"]} <= {
        "verbatim",
        "modified",
        "partial",
    }
    assert {r["linked_by"] for r in rows} == {"doc_number", "title"}


def test_missing_templates_reported(warehouse: Path) -> None:
    table = conform(pq.read_table(table_path(warehouse, "missing_templates")), MISSING_TEMPLATES)
    assert sorted(r["cited_doc_number"] for r in table.to_pylist()) == [
        "云政办发〔2020〕33号",
        "国办发〔2019〕54号",
        "达市府办函〔2021〕119号",
    ]


def test_domain_changes_written(warehouse: Path) -> None:
    rows = pq.read_table(table_path(warehouse, "plan_domains")).to_pylist()
    assert {"renamed", "reassigned"} <= {r["status"] for r in rows}
    assert any(r["template_domain"] == "国土空间规划" and r["plan_domain"] == "城乡规划" for r in rows)


def test_reports_written_for_every_plan_and_template(warehouse: Path) -> None:
    reports = sorted(p.name for p in (warehouse / "reports").glob("*.html"))
    assert len([n for n in reports if n.startswith("report_")]) == 2
    assert len([n for n in reports if n.startswith("overview_")]) == 1
    overview = next((warehouse / "reports").glob("overview_*.html")).read_text(encoding="utf-8")
    for name in reports:
        if name.startswith("report_"):
            assert f'href="{name}"' in overview  # the overview links each plan's report


# --- the pair cache and its helpers (pipelines.crosscheck_cache), on small hand-made pairs --------


def _side(doc_id: str, *texts: str) -> Side:
    ref = NoticeRef(doc_id, f"{doc_id} 方案", None, None, None, f"{doc_id}.docx")
    return Side(ref, tuple(Item(f"{doc_id}-{i}", str(i + 1), t) for i, t in enumerate(texts)), ())


TEMPLATE = _side("t", "探索建立群众参与基层政府有关会议制度。", "编发政务地图，便于群众查询政务服务场所。")
PLANS = [
    _side("p1", "探索建立群众参与基层政府有关会议制度。", "编发政务地图。"),
    _side("p2", "编发政务地图，方便群众查询政务服务场所。", "开展政务公开进社区活动。"),
]
DAY = dt.date(2022, 1, 1)


def _checked(cache: Path, plans: list[Side] = PLANS, day: dt.date = DAY) -> CheckedPairs:
    pairs = [Pair(plan, TEMPLATE, "doc_number") for plan in plans]
    return checked_pairs(pairs, AlignOptions(), day, cache)


def test_cache_entry_refers_to_the_pairs_own_items() -> None:
    pair = Pair(PLANS[0], TEMPLATE, "doc_number")
    result = check_and_render((pair, AlignOptions(), DAY))
    loaded = load_entry(pair, dump_entry(pair, result))
    assert loaded == result
    assert loaded[0].alignment.requirements[0].requirement is TEMPLATE.items[0]  # not a copy
    assert loaded[0].plan is PLANS[0].ref


def test_pairs_come_from_the_cache_on_a_rerun(tmp_path: Path) -> None:
    first = _checked(tmp_path)
    again = _checked(tmp_path)
    assert (first.computed, again.computed) == (2, 0)
    assert again.checks == first.checks and again.pages == first.pages and again.keys == first.keys


def test_an_unreadable_cache_entry_is_computed_again(tmp_path: Path) -> None:
    first = _checked(tmp_path)
    (tmp_path / f"{first.keys[0]}.pickle").write_bytes(b"not a pickle")
    again = _checked(tmp_path)
    assert (again.computed, again.rejudged) == (1, 0)
    assert again.checks == first.checks and again.pages == first.pages
    assert _checked(tmp_path).computed == 0  # written back whole


def test_a_new_day_rejudges_cached_pairs_as_if_computed_that_day(tmp_path: Path) -> None:
    dated = [_side("p3", "编发政务地图。")]
    dated[0] = replace(dated[0], items=(replace(dated[0].items[0], deadline_date=dt.date(2022, 3, 31)),))
    _checked(tmp_path / "cache", dated)
    later = _checked(tmp_path / "cache", dated, day=dt.date(2022, 6, 1))
    fresh = _checked(tmp_path / "fresh", dated, day=dt.date(2022, 6, 1))
    assert (later.computed, later.rejudged) == (0, 1) and (fresh.computed, fresh.rejudged) == (1, 0)
    assert later.checks == fresh.checks and later.pages == fresh.pages
    assert [g.kind for g in later.checks[0].gaps if g.kind == "past_deadline"] == ["past_deadline"]
    again = _checked(tmp_path / "cache", dated, day=dt.date(2022, 6, 1))
    assert (again.computed, again.rejudged) == (0, 0)  # the rejudged entry was written back


def test_a_pool_started_ahead_computes_the_same_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(crosscheck_cache, "STARTED_POOL_MIN_PAIRS", 1)  # two pairs are enough here
    pairs = [Pair(plan, TEMPLATE, "doc_number") for plan in PLANS]
    with crosscheck_cache.pair_pool(workers=2) as pool:
        assert pool is not None
        pooled = checked_pairs(pairs, AlignOptions(), DAY, tmp_path / "pooled", pool=pool)
        next_day = DAY + dt.timedelta(days=1)
        rejudged = checked_pairs(pairs, AlignOptions(), next_day, tmp_path / "pooled", pool=pool)
    alone = _checked(tmp_path / "alone")
    assert pooled.computed == 2 and pooled.checks == alone.checks and pooled.pages == alone.pages
    assert (rejudged.computed, rejudged.rejudged) == (0, 2)
    assert rejudged.pages == _checked(tmp_path / "alone-next", day=next_day).pages
    with crosscheck_cache.pair_pool(workers=2, enabled=False) as pool:
        assert pool is None


def test_workers_started_earlier_are_taken_by_the_next_cross_check() -> None:
    crosscheck_cache.start_pair_pool(workers=2)
    started = crosscheck_cache._started_pool
    assert started is not None
    with crosscheck_cache.pair_pool(workers=2) as pool:
        assert pool is started  # not a second pool
        assert pool.submit(sum, [1, 2]).result() == 3
    assert crosscheck_cache._started_pool is None
    crosscheck_cache.start_pair_pool(workers=2)
    unused = crosscheck_cache._started_pool
    with crosscheck_cache.pair_pool(workers=2, enabled=False) as pool:
        assert pool is None  # a small warehouse: the workers started for nothing are let go
    assert unused is not None and crosscheck_cache._started_pool is None


def test_overview_kept_only_while_its_group_is_unchanged(tmp_path: Path) -> None:
    checked = _checked(tmp_path)
    (page,) = overview_pages(checked, tmp_path).values()
    (cached,) = tmp_path.glob("*.html")
    cached.write_text("kept", encoding="utf-8")  # a page from the cache is used as it is
    assert list(overview_pages(checked, tmp_path).values()) == ["kept"]
    changed = _checked(tmp_path, [PLANS[0], _side("p2", "开展政务公开进社区活动。")])  # p2 edited
    (rendered,) = overview_pages(changed, tmp_path).values()
    assert rendered != "kept" and rendered != page and "开展政务公开进社区活动" not in page
    assert not cached.exists()  # the page of a group that is gone is removed


def test_template_groups_keep_the_order_of_the_checks(tmp_path: Path) -> None:
    checks = _checked(tmp_path).checks
    other = replace(checks[0], template=replace(checks[0].template, doc_id="t2"))
    assert template_groups([checks[0], other, checks[1]]) == {"t": [0, 2], "t2": [1]}


def test_pairs_go_to_the_pool_only_in_a_batch_worth_sharing_out() -> None:
    with crosscheck_cache.pair_pool(workers=2) as pool:
        assert not _worth_sharing(10_000, None)
        assert not _worth_sharing(crosscheck_cache.STARTED_POOL_MIN_PAIRS - 1, pool)
        assert _worth_sharing(crosscheck_cache.STARTED_POOL_MIN_PAIRS, pool)


def test_collector_paused_restores_the_collector() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # left off when it was off
    finally:
        gc.enable()


def test_one_warning_line_for_all_missing_templates() -> None:
    plan = Notice("p", None, "p.docx", "docx", None, "方案", True, ())
    missing = [MissingTemplate(plan, f"川办函〔2021〕{n}号", None) for n in range(1, 6)]
    line = missing_templates_line(missing)
    assert "\n" not in line and line.startswith("5 cited template(s) not in the corpus")
    assert "川办函〔2021〕3号" in line and "川办函〔2021〕4号" not in line and "and 2 more" in line
    assert "and" not in missing_templates_line(missing[:1]).split(":", 1)[1]
