"""The cross-check asset on real warehouse tables built from the sample corpus."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from dagster import DagsterInstance, materialize

from pipelines.assets.crosscheck import CrossCheckSettings, plan_alignment
from pipelines.assets.ingest import parsed_documents
from pipelines.assets.warehouse import TABLE_ASSETS
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
            [parsed_documents, *TABLE_ASSETS.values(), plan_alignment],
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
