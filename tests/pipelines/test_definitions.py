"""The code location loads, and its partitions, keys and resources follow the documented rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import (
    AssetKey,
    BackfillPolicy,
    DagsterInstance,
    Definitions,
    DynamicPartitionsDefinition,
)

from pipelines import storage
from pipelines.definitions import defs
from pipelines.partitions import documents_partitions, sync_document_partitions
from pipelines.paths import PROJECT_ROOT
from pipelines.raw_files import MAX_KEY_BYTES, discover_raw_files, partition_key_for
from pipelines.resources import RawStore, Warehouse
from schemas import TABLES


def test_definitions_load() -> None:
    Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"parsed_documents", "documents", "citations", "quarantine"} <= keys
    checks = {c.name for c in graph.asset_check_keys}
    assert {
        "doc_id_is_unique",
        "citation_doc_id_exists_in_documents",
        "quarantine_has_no_internal_errors",
    } <= checks
    assert defs.resolve_job_def("ingest").partitions_def == documents_partitions
    assert defs.resolve_job_def("register_documents_job")


def test_documents_are_partitions_of_one_asset() -> None:
    parsed = defs.resolve_assets_def("parsed_documents")
    assert isinstance(parsed.partitions_def, DynamicPartitionsDefinition)
    assert parsed.partitions_def.name == "documents"
    assert parsed.backfill_policy == BackfillPolicy.single_run()
    for table in TABLES:
        assert defs.resolve_assets_def(table).partitions_def is None


def test_table_assets_carry_their_column_schema() -> None:
    for table, schema in TABLES.items():
        spec = defs.resolve_assets_def(table).specs_by_key[AssetKey(table)]
        columns = spec.metadata["dagster/column_schema"].columns
        assert [c.name for c in columns] == schema.names
        assert [c.constraints.nullable for c in columns] == [f.nullable for f in schema]


def test_resources_default_to_project_dirs_and_read_env_at_run_time(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("GONGWEN_RAW_DIR", raising=False)
    monkeypatch.delenv("GONGWEN_WAREHOUSE_DIR", raising=False)
    assert RawStore().path == PROJECT_ROOT / "raw"
    assert Warehouse().path == PROJECT_ROOT / "warehouse"
    monkeypatch.setenv("GONGWEN_RAW_DIR", str(tmp_path / "r"))
    monkeypatch.setenv("GONGWEN_WAREHOUSE_DIR", "elsewhere/wh")
    assert RawStore().path == tmp_path / "r"
    assert Warehouse().path == PROJECT_ROOT / "elsewhere" / "wh"
    assert RawStore(root=str(tmp_path)).path == tmp_path  # explicit config wins


@pytest.mark.parametrize(
    ("rel", "key"),
    [
        ("000_3fcaf470a0c023ac.pdf", "000_3fcaf470a0c023ac.pdf"),
        ("附件1.docx", "附件1.docx"),
        ("bad.pdf", "bad.pdf"),
    ],
)
def test_plain_file_names_are_their_own_key(rel: str, key: str) -> None:
    assert partition_key_for(rel) == key


@pytest.mark.parametrize(
    "rel",
    [
        "2024/泸县 方案.docx",
        "a...b.pdf",
        "x|y,z[1].html",
        "关于（试行）.pdf",
        "a__b.pdf/../c.pdf",
        "长" * 200 + ".pdf",
        "tab\there.pdf",
    ],
)
def test_other_paths_get_a_readable_key_with_a_hash(rel: str) -> None:
    key = partition_key_for(rel)
    assert "~" in key and key != rel
    assert len(key.encode()) <= MAX_KEY_BYTES
    assert "..." not in key and "/" not in key
    assert not set(key) & set("|,[]\t\n")
    assert partition_key_for(rel) == key  # deterministic


def test_a_subfolder_cannot_collide_with_a_flat_name() -> None:
    assert partition_key_for("a/b.pdf") != partition_key_for("a__b.pdf")


def test_discover_skips_hidden_lock_and_unknown_files(tmp_path: Path) -> None:
    for rel in [
        "a.pdf",
        "sub/b.HTML",
        "c.doc",
        ".hidden.pdf",
        ".git/x.pdf",
        "~$lock.docx",
        "notes.txt",
        "d.docx",
    ]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    found = discover_raw_files(tmp_path)
    assert sorted(found.values()) == ["a.pdf", "c.doc", "d.docx", "sub/b.HTML"]
    assert list(found) == sorted(found)
    with pytest.raises(FileNotFoundError):
        discover_raw_files(tmp_path / "missing")


def test_sync_adds_and_removes_partitions_and_prunes_fragments(tmp_path: Path) -> None:
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    raw.mkdir()
    for name in ["b.pdf", "a.pdf", "sub/c.html"]:
        (raw / name).parent.mkdir(exist_ok=True)
        (raw / name).write_bytes(b"x")
    with DagsterInstance.ephemeral() as instance:
        first = sync_document_partitions(instance, raw, wh)
        assert first.added == first.keys
        assert first.keys[:2] == ("a.pdf", "b.pdf") and first.keys[2].startswith("sub__c.html~")
        # valid Dagster keys: the instance accepted them
        assert documents_partitions.get_partition_keys(dynamic_partitions_store=instance) == list(first.keys)
        storage.write_fragments(wh, "b.pdf", {"documents": TABLES["documents"].empty_table()})
        (raw / "b.pdf").unlink()
        (raw / "d.docx").write_bytes(b"x")
        second = sync_document_partitions(instance, raw, wh)
        assert second.added == ("d.docx",) and second.removed == ("b.pdf",)
        assert set(second.keys) == {"a.pdf", first.keys[2], "d.docx"}
        assert not storage.fragment_path(wh, "documents", "b.pdf").exists()
        again = sync_document_partitions(instance, raw, wh)
        assert again.added == () and again.removed == () and again.keys == second.keys


def test_register_documents_job_syncs_the_raw_dir(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.pdf").write_bytes(b"%PDF-1.4")
    (raw / "b.html").write_bytes(b"<html></html>")
    with DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("register_documents_job").execute_in_process(
            instance=instance,
            run_config={
                "resources": {
                    "raw_store": {"config": {"root": str(raw)}},
                    "warehouse": {"config": {"root": str(tmp_path / "wh")}},
                }
            },
        )
        assert result.success
        assert instance.get_dynamic_partitions("documents") == ["a.pdf", "b.html"]
