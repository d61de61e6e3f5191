"""Scrape → register → parse → tables against the fake site, with an ephemeral Dagster instance.

The second scrape must fetch nothing new, register no partition, request no parse run, and a
rebuild of the tables must give the same rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from dagster import (
    DagsterEventType,
    DagsterInstance,
    Definitions,
    RunRequest,
    SensorResult,
    SkipReason,
    build_run_status_sensor_context,
    build_sensor_context,
    materialize,
)

from pipelines import storage
from pipelines.assets.ingest import parsed_documents
from pipelines.assets.scrape import REACHABLE_CHECK, ScrapeSources, scraped_files
from pipelines.assets.warehouse import TABLE_SPECS, warehouse_tables
from pipelines.definitions import defs
from pipelines.resources import RawStore, Warehouse
from pipelines.schedules import nightly_scrape
from pipelines.sensors import RANGE_END, RANGE_START, parse_after_scrape, raw_files_sensor, span_of
from tests.scraper.fakesite import FakeSite

PARSE_ASSETS = [parsed_documents, warehouse_tables]


@pytest.fixture
def site() -> Iterator[FakeSite]:
    with FakeSite() as fake:
        yield fake


def resources(tmp_path: Path, config: Path) -> dict[str, Any]:
    return {
        "raw_store": RawStore(root=str(tmp_path / "raw")),
        "warehouse": Warehouse(root=str(tmp_path / "wh")),
        "scrape_sources": ScrapeSources(path=str(config)),
    }


def after_scrape(instance: DagsterInstance, run_id: str) -> list[RunRequest] | SkipReason:
    """Evaluate ``parse_after_scrape`` as the daemon would after the scrape run succeeded."""
    (record,) = instance.all_logs(run_id, of_type=DagsterEventType.RUN_SUCCESS)
    context = build_run_status_sensor_context(
        sensor_name="parse_after_scrape",
        dagster_event=record.dagster_event,  # type: ignore[arg-type]
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(run_id),  # type: ignore[arg-type]
    )
    return parse_after_scrape(context)  # type: ignore[return-value]


def table_rows(tmp_path: Path) -> dict[str, int]:
    return {name: pq.read_table(storage.table_path(tmp_path / "wh", name)).num_rows for name in TABLE_SPECS}


def test_scrape_register_parse_and_a_second_pass_that_adds_nothing(site: FakeSite, tmp_path: Path) -> None:
    config = tmp_path / "sources.toml"
    config.write_text(site.sources_toml(), encoding="utf-8")
    res = resources(tmp_path, config)
    with DagsterInstance.ephemeral() as instance:
        first = materialize([scraped_files], instance=instance, resources=res)
        assert first.success
        meta = first.asset_materializations_for_node("scraped_files")[0].metadata
        assert meta["new"].value == 8 and meta["pages_fetched"].value == 11
        assert meta["failed"].value == 2 and meta["skipped"].value == 2 and meta["duplicates"].value == 1
        assert meta["unreadable_formats"].value == 3
        assert "t20240301_1001.html" in meta["new_files"].value and "robots.txt" in meta["problems"].value
        keys = instance.get_dynamic_partitions("documents")
        assert len(keys) == 8 and meta["parse_partition_keys"].value == keys
        (check,) = first.get_asset_check_evaluations()
        assert check.check_name == REACHABLE_CHECK and check.passed
        assert (tmp_path / "wh" / "crawl_state.sqlite").is_file() and (
            tmp_path / "wh" / "fetches.parquet"
        ).is_file()

        requests = after_scrape(instance, first.run_id)
        assert isinstance(requests, list) and len(requests) == 1  # one run for the whole night's intake
        (request,) = requests
        assert (request.tags[RANGE_START], request.tags[RANGE_END]) == (keys[0], keys[-1])
        parsed = materialize(PARSE_ASSETS, instance=instance, resources=res, tags=request.tags)
        assert parsed.success

        docs = pq.read_table(storage.table_path(tmp_path / "wh", "documents")).to_pylist()
        paths = {d["path"] for d in docs if d["parent_id"] is None}
        assert {
            "fake-county/t20240301_1001.html",
            "fake-county/t20240302_1002.shtml",
            "fake-county/t20240202_0902.html",
            "fake-county/P020240305_实施方案.pdf",
            "fake-county/t20240302_1002__P020240302_附件1.docx",
        } == paths
        gbk = next(d for d in docs if d["path"] == "fake-county/t20240301_1001.html")
        assert gbk["doc_number"] and "泸县" in (gbk["issuer"] or "")
        quarantined = pq.read_table(storage.table_path(tmp_path / "wh", "quarantine")).to_pylist()
        assert {q["error_kind"] for q in quarantined} == {"unsupported_format"} and len(quarantined) == 3
        rows = table_rows(tmp_path)
        assert rows["tasks"] > 0

        second = materialize([scraped_files], instance=instance, resources=res)
        meta = second.asset_materializations_for_node("scraped_files")[0].metadata
        assert (meta["new"].value, meta["updated"].value, meta["pages_fetched"].value) == (0, 0, 0)
        assert meta["parse_partition_keys"].value == [] and meta["partitions_added"].value == 0
        assert instance.get_dynamic_partitions("documents") == keys
        assert isinstance(after_scrape(instance, second.run_id), SkipReason)
        rebuilt = materialize([warehouse_tables], instance=instance, resources=res)
        assert rebuilt.success and table_rows(tmp_path) == rows  # no new rows


def test_raw_sensor_registers_and_parses_only_new_files(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.html").write_text("<html></html>")
    (raw / "b.pdf").write_bytes(b"%PDF-1.4")
    res = {"raw_store": RawStore(root=str(raw))}
    with DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions("documents", ["a.html"])  # already known
        result = raw_files_sensor(build_sensor_context(instance=instance, resources=res))
        assert isinstance(result, SensorResult)
        (add,) = result.dynamic_partitions_requests or []
        assert list(add.partition_keys or []) == ["b.pdf"]
        (request,) = result.run_requests or []
        assert request.partition_key == "b.pdf"
        instance.add_dynamic_partitions("documents", ["b.pdf"])  # what the daemon does with `add`

        unchanged = raw_files_sensor(
            build_sensor_context(instance=instance, cursor=result.cursor, resources=res)
        )
        assert isinstance(unchanged, SkipReason)

        (raw / "sub").mkdir()
        for name in ("c.docx", "d.doc", "sub/e.html", ".hidden.pdf", "notes.txt"):
            (raw / name).write_bytes(b"x")
        more = raw_files_sensor(build_sensor_context(instance=instance, cursor=result.cursor, resources=res))
        assert isinstance(more, SensorResult)
        (add,) = more.dynamic_partitions_requests or []
        new = list(add.partition_keys or [])
        assert new[:2] == ["c.docx", "d.doc"] and new[2].startswith("sub__e.html~") and len(new) == 3
        (request,) = more.run_requests or []
        assert (request.tags[RANGE_START], request.tags[RANGE_END]) == (new[0], new[-1])
        assert more.cursor != result.cursor


def test_the_run_after_a_scrape_spans_its_files_in_the_registered_order() -> None:
    order = ["a", "b", "c", "d", "e"]  # an updated file ("a") among older ones, new ones last
    assert span_of(["d", "e", "a"], order) == ("a", "e")
    assert span_of(["c"], order) == ("c", "c")
    assert span_of([], order) is None and span_of(["x"], order) is None  # not registered


def test_nightly_schedule_and_definitions() -> None:
    assert nightly_scrape.cron_schedule == "0 2 * * *"
    assert nightly_scrape.execution_timezone == "Asia/Shanghai"
    assert nightly_scrape.job_name == "scrape"
    Definitions.validate_loadable(defs)
    assert defs.resolve_job_def("scrape")
    assert defs.resolve_schedule_def("nightly_scrape").cron_schedule == "0 2 * * *"
    assert {defs.resolve_sensor_def(n).name for n in ("raw_files_sensor", "parse_after_scrape")}
    assert defs.resolve_assets_def("scraped_files").group_names_by_key
