"""Materialize the assets on a copy of the real sample corpus, read the Parquet back.

One module-scoped run parses the 15 sample files (real ``parsers.parse_file``) plus two bad
files, in one run over the whole partition range; the tests then rerun it and check that the
tables come out identical and nothing is duplicated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dagster import (
    AssetKey,
    DagsterInstance,
    ExecuteInProcessResult,
    materialize,
)

from pipelines import storage
from pipelines.assets.ingest import parsed_documents
from pipelines.assets.warehouse import warehouse_tables
from pipelines.checks import CHECKS
from pipelines.partitions import sync_document_partitions
from pipelines.raw_files import partition_key_for
from pipelines.reading import ingest_file
from pipelines.resources import RawStore, Warehouse
from schemas import TABLES
from tests.pipelines.corpus import BAD_FILES, make_corpus, sample_files

ASSETS = [parsed_documents, warehouse_tables, *CHECKS]


@dataclass
class Corpus:
    raw: Path
    warehouse: Path
    instance: DagsterInstance
    keys: tuple[str, ...]
    result: ExecuteInProcessResult

    def resources(self) -> dict[str, object]:
        return {"raw_store": RawStore(root=str(self.raw)), "warehouse": Warehouse(root=str(self.warehouse))}

    def materialize_all(self) -> ExecuteInProcessResult:
        return materialize(
            ASSETS,
            instance=self.instance,
            resources=self.resources(),
            tags={
                "dagster/asset_partition_range_start": self.keys[0],
                "dagster/asset_partition_range_end": self.keys[-1],
            },
        )

    def table(self, name: str) -> pa.Table:
        return pq.read_table(storage.table_path(self.warehouse, name))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    root = tmp_path_factory.mktemp("pipeline")
    raw = make_corpus(root / "raw")
    with DagsterInstance.ephemeral() as instance:
        keys = sync_document_partitions(instance, raw, root / "warehouse").keys
        c = Corpus(raw, root / "warehouse", instance, keys, None)  # type: ignore[arg-type]
        c.result = c.materialize_all()
        yield c


def test_one_run_covers_every_partition(corpus: Corpus) -> None:
    assert corpus.result.success
    assert len(corpus.keys) == len(sample_files()) + len(BAD_FILES)
    events = corpus.result.get_asset_materialization_events()
    parsed = {
        e.materialization.partition
        for e in events
        if e.materialization.asset_key == AssetKey("parsed_documents")
    }
    assert parsed == set(corpus.keys)
    runs = corpus.instance.get_runs()
    assert len(runs) == 1


def test_partition_metadata_says_parsed_or_quarantined(corpus: Corpus) -> None:
    by_key = {
        e.materialization.partition: e.materialization.metadata
        for e in corpus.result.get_asset_materialization_events()
        if e.materialization.asset_key == AssetKey("parsed_documents")
    }
    assert by_key["bad.pdf"]["status"].value == "quarantined"
    assert by_key["bad.pdf"]["error_kind"].value == "empty"
    assert "empty" in by_key["bad.pdf"]["error"].value
    good = sample_files()[0].name
    assert by_key[good]["status"].value == "parsed"
    assert by_key[good]["rows_documents"].value >= 1


def test_one_documents_row_per_good_file_plus_forwarded(corpus: Corpus) -> None:
    docs = corpus.table("documents").to_pylist()
    top = [d for d in docs if d["parent_id"] is None]
    assert sorted(d["path"] for d in top) == [p.name for p in sample_files()]
    assert {(d["path"], d["format"]) for d in top} == {(p.name, p.suffix[1:]) for p in sample_files()}
    ids = {d["doc_id"] for d in docs}
    assert len(ids) == len(docs)
    for d in docs:
        if d["parent_id"] is not None:  # a forwarded document: same file as its wrapper
            wrapper = next(w for w in docs if w["doc_id"] == d["parent_id"])
            assert d["path"] == wrapper["path"]
    assert not any(d["path"] in BAD_FILES for d in docs)


def test_bad_files_land_in_quarantine(corpus: Corpus) -> None:
    rows = corpus.table("quarantine").to_pylist()
    assert {r["path"]: r["error_kind"] for r in rows} == BAD_FILES
    for r in rows:
        assert r["stage"] == "parse" and r["message"]
        assert r["recorded_at"].tzinfo is not None


def test_parquet_files_have_the_declared_schemas(corpus: Corpus) -> None:
    for name, schema in TABLES.items():
        written = pq.read_schema(storage.table_path(corpus.warehouse, name))
        assert written.remove_metadata().equals(schema.remove_metadata()), name
        assert written.metadata[b"primary_key"] == schema.metadata[b"primary_key"]


def test_citations_belong_to_documents(corpus: Corpus) -> None:
    doc_ids = set(corpus.table("documents").column("doc_id").to_pylist())
    cites = corpus.table("citations").to_pylist()
    assert cites, "the seeds cite other documents"
    assert {c["doc_id"] for c in cites} <= doc_ids
    keys = [(c["doc_id"], c["seq"]) for c in cites]
    assert len(keys) == len(set(keys))


def test_integrity_checks_pass(corpus: Corpus) -> None:
    evaluations = {e.check_name: e for e in corpus.result.get_asset_check_evaluations()}
    assert set(evaluations) == {c.check_key.name for c in CHECKS}
    integrity = {
        "doc_id_is_unique",
        "citation_doc_id_exists_in_documents",
        "quarantine_has_no_internal_errors",
        "task_id_is_unique",
    }
    assert all(evaluations[name].passed for name in integrity)


def test_plan_task_checks_report_the_gaps_of_the_sample_plans(corpus: Corpus) -> None:
    """泸县's task table (001) gives no deadlines: the check says so, as a warning, per notice."""
    evaluations = {e.check_name: e for e in corpus.result.get_asset_check_evaluations()}
    deadline = evaluations["plan_tasks_have_parseable_deadline"]
    assert not deadline.passed and deadline.severity.value == "WARN"
    assert deadline.metadata["tasks_without_deadline"].value >= 3 * 26
    assert "泸县" in deadline.metadata["notices"].value


def test_table_metadata(corpus: Corpus) -> None:
    meta = {
        e.materialization.asset_key.to_user_string(): e.materialization.metadata
        for e in corpus.result.get_asset_materialization_events()
        if e.materialization.partition is None
    }
    assert meta["documents"]["dagster/row_count"].value == corpus.table("documents").num_rows
    assert meta["quarantine"]["dagster/row_count"].value == len(BAD_FILES)
    assert "| doc_id |" in meta["documents"]["preview"].value
    columns = meta["citations"]["dagster/column_schema"].schema.columns
    assert [c.name for c in columns] == TABLES["citations"].names


def _without(table: pa.Table, column: str) -> pa.Table:
    return table.drop_columns([column])


def test_rerun_gives_identical_tables_without_duplicates(corpus: Corpus) -> None:
    before = {name: corpus.table(name) for name in TABLES}
    assert corpus.materialize_all().success
    after = {name: corpus.table(name) for name in TABLES}
    assert after["documents"].equals(before["documents"])
    assert after["citations"].equals(before["citations"])
    assert _without(after["quarantine"], "recorded_at").equals(_without(before["quarantine"], "recorded_at"))
    assert (
        after["quarantine"].column("recorded_at")[0].as_py()
        >= before["quarantine"].column("recorded_at")[0].as_py()
    )  # the latest failure only, one row per file


def test_rerun_one_document_replaces_only_its_rows(corpus: Corpus) -> None:
    before = {name: corpus.table(name) for name in ("documents", "citations")}
    key = partition_key_for(sample_files()[0].name)
    result = materialize(ASSETS, instance=corpus.instance, resources=corpus.resources(), partition_key=key)
    assert result.success
    parsed = [
        e.materialization.partition
        for e in result.get_asset_materialization_events()
        if e.materialization.asset_key == AssetKey("parsed_documents")
    ]
    assert parsed == [key]
    for name, table in before.items():
        assert corpus.table(name).equals(table)


def test_parsing_alone_quarantines_and_succeeds(corpus: Corpus, tmp_path: Path) -> None:
    warehouse = Warehouse(root=str(tmp_path / "wh"))
    resources = {"raw_store": RawStore(root=str(corpus.raw)), "warehouse": warehouse}
    result = materialize(
        [parsed_documents], instance=corpus.instance, resources=resources, partition_key="x.docx"
    )
    assert result.success
    (event,) = result.get_asset_materialization_events()
    assert event.materialization.metadata["run_quarantined"].value == 1
    part = storage.read_arrow(storage.fragment_path(warehouse.path, "quarantine", "x.docx"))
    assert part.column("error_kind").to_pylist() == ["corrupt"]
    assert not storage.fragment_path(warehouse.path, "documents", "x.docx").exists()


def test_a_file_that_starts_failing_loses_its_rows(tmp_path: Path) -> None:
    src = sample_files()[0]
    raw = make_corpus(tmp_path / "raw", [src], bad=False)
    wh = tmp_path / "wh"
    with DagsterInstance.ephemeral() as instance:
        (key,) = sync_document_partitions(instance, raw, wh).keys
        resources = {"raw_store": RawStore(root=str(raw)), "warehouse": Warehouse(root=str(wh))}
        assert materialize(ASSETS, instance=instance, resources=resources, partition_key=key).success
        assert pq.read_table(storage.table_path(wh, "documents")).num_rows >= 1
        (raw / src.name).write_bytes(b"")  # the file got truncated to nothing
        assert materialize(ASSETS, instance=instance, resources=resources, partition_key=key).success
        assert pq.read_table(storage.table_path(wh, "documents")).num_rows == 0
        assert pq.read_table(storage.table_path(wh, "citations")).num_rows == 0
        assert pq.read_table(storage.table_path(wh, "quarantine")).column("path").to_pylist() == [src.name]


def test_ingest_file_quarantines_parser_bugs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import parsers

    def broken(path: object) -> object:
        raise KeyError("oops")

    monkeypatch.setattr(parsers, "parse_file", broken)
    when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    outcome = ingest_file(tmp_path / "a.pdf", "a.pdf", "a.pdf", tmp_path / "wh", {"sha256": "x"}, now=when)
    assert outcome.status == "quarantined" and outcome.error_kind == "internal_error"
    fragment = storage.read_arrow(storage.fragment_path(tmp_path / "wh", "quarantine", "a.pdf"))
    assert fragment.to_pylist()[0]["message"] == "KeyError: 'oops'"
    state = storage.read_state(tmp_path / "wh", "a.pdf")
    assert state is not None and state["error_kind"] == "internal_error"  # retried at the next run


def test_tables_build_empty_without_documents(tmp_path: Path) -> None:
    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            [warehouse_tables, *CHECKS],
            instance=instance,
            resources={"warehouse": Warehouse(root=str(tmp_path))},
        )
        assert result.success
        for name, schema in TABLES.items():
            table = pq.read_table(storage.table_path(tmp_path, name))
            assert table.num_rows == 0
            assert table.schema.remove_metadata().equals(schema.remove_metadata())


def test_task_tables_land_in_the_warehouse(corpus: Corpus) -> None:
    docs = {d["doc_id"]: d["path"] for d in corpus.table("documents").to_pylist()}
    tasks = corpus.table("tasks").to_pylist()
    per_path: dict[str, int] = {}
    for t in tasks:
        per_path[docs[t["doc_id"]]] = per_path.get(docs[t["doc_id"]], 0) + 1
    for fmt in ("pdf", "docx", "html"):
        assert per_path[f"003_b54ff24471a88dd0.{fmt}"] == 25
        assert per_path[f"001_3066dfd361fc75f9.{fmt}"] == 26
    units = corpus.table("task_units").to_pylist()
    task_ids = {t["task_id"] for t in tasks}
    assert {u["task_id"] for u in units} <= task_ids
    leads = [u for u in units if u["role"] == "lead"]
    assert leads and all(u["kind"] in ("agency", "group") for u in units)
    wanyuan = [t for t in tasks if docs[t["doc_id"]] == "003_b54ff24471a88dd0.docx"]
    assert wanyuan[0]["deadline_date"] == dt.date(2022, 6, 30) and wanyuan[0]["ongoing"]
    assert corpus.table("milestones").num_rows and corpus.table("members").num_rows
    assert corpus.table("domains").num_rows and corpus.table("targets").num_rows
