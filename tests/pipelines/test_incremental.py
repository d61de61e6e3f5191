"""Incremental reruns: unchanged files are not read again, the cross-check recomputes only the
pairs whose plan or template changed, and the tables are what a full run gives.

A small corpus: the template (000) and the two county plans (001 泸县, 003 万源) as DOCX, plus
one empty file (quarantined as ``empty``, which depends on the bytes only, so it is not retried).
Counters come from the run metadata (``run_files_read``, ``run_files_unchanged`` of
``parsed_documents``; ``pairs_computed``/``pairs_from_cache`` of ``plan_alignment``).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from dagster import AssetKey, DagsterInstance, ExecuteInProcessResult, materialize

from pipelines import reading, storage
from pipelines.assets.crosscheck import CrossCheckSettings, plan_alignment
from pipelines.assets.ingest import parsed_documents
from pipelines.assets.warehouse import warehouse_tables
from pipelines.partitions import sync_document_partitions
from pipelines.paths import PROJECT_ROOT
from pipelines.resources import RawStore, Warehouse
from tests.pipelines.corpus import SAMPLE_DIR

TEMPLATE, LUXIAN, WANYUAN = (
    "000_3fcaf470a0c023ac.docx",
    "001_3066dfd361fc75f9.docx",
    "003_b54ff24471a88dd0.docx",
)
ASSETS = [parsed_documents, warehouse_tables, plan_alignment]


@dataclass
class Setup:
    raw: Path
    warehouse: Path
    instance: DagsterInstance
    as_of: str = "2022-01-01"

    def run(self) -> ExecuteInProcessResult:
        keys = sync_document_partitions(self.instance, self.raw, self.warehouse).keys
        result = materialize(
            ASSETS,
            instance=self.instance,
            resources={
                "raw_store": RawStore(root=str(self.raw), parse_workers=2),
                "warehouse": Warehouse(root=str(self.warehouse)),
                "crosscheck_settings": CrossCheckSettings(as_of=self.as_of),
            },
            tags={
                "dagster/asset_partition_range_start": keys[0],
                "dagster/asset_partition_range_end": keys[-1],
            },
        )
        assert result.success
        return result

    def table_bytes(self) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(self.warehouse.glob("*.parquet"))}


def run_meta(result: ExecuteInProcessResult, asset: str) -> dict[str, Any]:
    """The run-level metadata of ``asset``'s materialization(s) in ``result``."""
    events = [
        e.materialization for e in result.get_asset_materialization_events() if e.asset_key == AssetKey(asset)
    ]
    assert events, asset
    return {k: getattr(v, "value", v) for k, v in events[-1].metadata.items()}


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in (TEMPLATE, LUXIAN, WANYUAN):
        shutil.copy2(SAMPLE_DIR / name, raw / name)
    (raw / "empty.pdf").write_bytes(b"")
    with DagsterInstance.ephemeral() as instance:
        yield Setup(raw, tmp_path / "warehouse", instance)


def test_rerun_with_nothing_changed_reads_nothing(setup: Setup) -> None:
    first = setup.run()
    meta = run_meta(first, "parsed_documents")
    assert (meta["run_files_read"], meta["run_files_unchanged"]) == (4, 0)
    assert meta["run_parsed"] == 3 and meta["run_quarantined"] == 1
    cc = run_meta(first, "plan_alignment")
    assert cc["pairs_computed"] == 2 and cc["pairs_from_cache"] == 0  # 泸县 and 万源 vs the template
    tables = setup.table_bytes()

    second = setup.run()
    meta = run_meta(second, "parsed_documents")
    assert (meta["run_files_read"], meta["run_files_unchanged"]) == (0, 4)
    assert meta["run_parsed"] == 3 and meta["run_quarantined"] == 1  # counted from their fragments
    cc = run_meta(second, "plan_alignment")
    assert cc["pairs_computed"] == 0 and cc["pairs_from_cache"] == 2
    assert cc["recomputed"] is False  # same tables, settings and day: nothing read at all
    assert run_meta(second, "tasks")["rebuilt"] is False
    assert setup.table_bytes() == tables  # same rows, same files


def test_a_new_day_rejudges_deadlines_without_aligning_again(setup: Setup) -> None:
    setup.run()
    reports = sorted((setup.warehouse / "reports").glob("report_*.html"))
    before = [p.read_text(encoding="utf-8") for p in reports]
    setup.as_of = "2022-06-01"  # a new day: overdue tasks and report pages redone, no alignment
    cc = run_meta(setup.run(), "plan_alignment")
    assert cc["recomputed"] is True
    assert (cc["pairs_computed"], cc["pairs_rejudged"], cc["pairs_from_cache"]) == (0, 2, 0)
    after = [p.read_text(encoding="utf-8") for p in reports]
    assert all("2022-01-01" in page and "2022-06-01" not in page for page in before)
    assert all("2022-06-01" in page for page in after)
    report = reports[0]
    report.unlink()  # an output removed by hand is written again
    cc = run_meta(setup.run(), "plan_alignment")
    assert cc["recomputed"] is True and (cc["pairs_computed"], cc["pairs_rejudged"]) == (0, 0)
    assert report.exists()


def test_a_changed_plan_is_read_again_and_only_its_pair_recomputed(setup: Setup) -> None:
    setup.run()
    # 万源's plan replaced by another notice's bytes (a real change of content under the same name)
    shutil.copy2(SAMPLE_DIR / "003_b54ff24471a88dd0.pdf", setup.raw / WANYUAN.replace(".docx", ".pdf"))
    (setup.raw / WANYUAN).unlink()
    result = setup.run()
    meta = run_meta(result, "parsed_documents")
    assert (meta["run_files_read"], meta["run_files_unchanged"]) == (1, 3)
    cc = run_meta(result, "plan_alignment")
    assert cc["pairs_computed"] == 1 and cc["pairs_from_cache"] == 1  # 万源 (now the PDF) only
    assert run_meta(result, "tasks")["rebuilt"] is True
    paths = {d["path"] for d in pq.read_table(storage.table_path(setup.warehouse, "documents")).to_pylist()}
    assert WANYUAN not in paths and WANYUAN.replace(".docx", ".pdf") in paths


def test_same_name_new_bytes_is_read_again(setup: Setup) -> None:
    setup.run()
    target = setup.raw / LUXIAN
    target.write_bytes((SAMPLE_DIR / WANYUAN).read_bytes())  # same file name, other content
    meta = run_meta(setup.run(), "parsed_documents")
    assert (meta["run_files_read"], meta["run_files_unchanged"]) == (1, 3)
    documents = pq.read_table(storage.table_path(setup.warehouse, "documents")).to_pylist()
    assert sum(d["path"] == LUXIAN for d in documents) == 1
    assert next(d for d in documents if d["path"] == LUXIAN)["doc_number"] == "万府办函〔2021〕44号"


def test_parser_code_change_reads_everything_again(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    setup.run()
    monkeypatch.setattr(reading, "parser_version", lambda: "a-new-parser")
    meta = run_meta(setup.run(), "parsed_documents")
    assert (meta["run_files_read"], meta["run_files_unchanged"]) == (4, 0)


def test_parser_version_covers_the_parsers_and_schemas() -> None:
    names = {path.relative_to(PROJECT_ROOT).as_posix() for path in reading.parser_sources()}
    assert {"parsers/guard.py", "parsers/pdf.py", "schemas/tables.py", "schemas/rows.py"} <= names
    assert not any(name.startswith(("pipelines/", "crosscheck/", "tests/")) for name in names)


def test_state_marker_records_hash_and_parser_version(setup: Setup) -> None:
    setup.run()
    key = TEMPLATE  # an ordinary file name is its own partition key
    state = json.loads(storage.state_path(setup.warehouse, key).read_text(encoding="utf-8"))
    stamp = reading.file_stamp(setup.raw / TEMPLATE)
    assert stamp is not None and state["sha256"] == stamp["sha256"] and state["stat"] == stamp["stat"]
    assert state["parser_version"] == reading.parser_version()
    assert state["status"] == "parsed" and state["counts"]["tasks"] > 0
    # a marker without its fragments' complete set (killed mid-write) makes the file be read again
    storage.state_path(setup.warehouse, key).unlink()
    meta = run_meta(setup.run(), "parsed_documents")
    assert (meta["run_files_read"], meta["run_files_unchanged"]) == (1, 3)


def _age_state(setup: Setup, key: str, seconds: float) -> None:
    """Record the key's hash as taken ``seconds`` later than it was (the files of a test are
    brand new, so their change time is always within ``RACY_NS`` of the hash)."""
    path = storage.state_path(setup.warehouse, key)
    state = json.loads(path.read_text(encoding="utf-8"))
    state["hashed_at_ns"] += int(seconds * 1e9)
    path.write_text(json.dumps(state), encoding="utf-8")


def test_an_untouched_file_is_not_hashed_again(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    setup.run()
    state = storage.read_state(setup.warehouse, TEMPLATE)
    assert not reading.unchanged(state, setup.raw / "gone.docx")
    hashed: list[Path] = []
    real_stamp = reading.file_stamp
    monkeypatch.setattr(reading, "file_stamp", lambda path: hashed.append(path) or real_stamp(path))
    assert reading.unchanged(state, setup.raw / TEMPLATE) and hashed == [setup.raw / TEMPLATE]  # racy: hashed
    _age_state(setup, TEMPLATE, 10)
    state = storage.read_state(setup.warehouse, TEMPLATE)
    assert reading.unchanged(state, setup.raw / TEMPLATE) and len(hashed) == 1  # a stat, no read
    (setup.raw / TEMPLATE).touch()  # status changed, bytes the same: hashed, still unchanged
    assert reading.unchanged(state, setup.raw / TEMPLATE) and len(hashed) == 2


def test_a_touched_file_is_hashed_once_by_a_process_until_its_status_changes(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup.run()
    path = setup.raw / TEMPLATE
    path.touch()  # status changed, bytes the same (the benchmark's reruns link every file anew)
    state = storage.read_state(setup.warehouse, TEMPLATE)
    hashed: list[Path] = []
    real_stamp = reading.file_stamp
    monkeypatch.setattr(reading, "file_stamp", lambda path: hashed.append(path) or real_stamp(path))
    assert reading.unchanged(state, path) and hashed == [path]
    assert reading.unchanged(state, path) and hashed == [path]  # as gongwen run's check, then its run's
    path.write_bytes(path.read_bytes() + b"\0")  # a new size: hashed again, and changed
    assert not reading.unchanged(state, path) and hashed == [path, path]


def test_a_file_replaced_with_the_old_size_and_times_is_read_again(setup: Setup) -> None:
    setup.run()
    for key in (TEMPLATE, LUXIAN, WANYUAN):
        _age_state(setup, key, 10)
    path = setup.raw / LUXIAN
    old = path.stat()
    data = bytearray(path.read_bytes())
    data[-1000] ^= 1  # same size, different bytes
    replacement = path.with_name("new.tmp")
    replacement.write_bytes(bytes(data))
    os.utime(replacement, ns=(old.st_atime_ns, old.st_mtime_ns))  # as cp -p or rsync -t would leave it
    os.replace(replacement, path)
    meta = run_meta(setup.run(), "parsed_documents")
    assert (meta["run_files_read"], meta["run_files_unchanged"]) == (1, 3)


def test_stale_keys_hashes_only_the_files_whose_status_changed(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup.run()
    for key in (TEMPLATE, LUXIAN, WANYUAN, "empty.pdf"):
        _age_state(setup, key, 10)
    files = {p.name: p.name for p in sorted(setup.raw.iterdir())}
    keys = list(files)
    events: list[str] = []
    real_stamp = reading.file_stamp
    monkeypatch.setattr(
        reading, "file_stamp", lambda path: events.append(f"hash {path.name}") or real_stamp(path)
    )

    def stale() -> list[str]:
        return reading.stale_keys(keys, files, setup.raw, setup.warehouse)

    assert stale() == [] and events == []  # every status as recorded: nothing hashed
    (setup.raw / TEMPLATE).touch()  # status changed, bytes the same
    assert stale() == [] and events == [f"hash {TEMPLATE}"]
    shutil.copy2(SAMPLE_DIR / LUXIAN, setup.raw / "new.docx")  # a new file: stale without hashing
    files["new.docx"] = "new.docx"
    keys.append("new.docx")
    events.clear()
    assert stale() == ["new.docx"] and events == []  # the template was hashed here already
