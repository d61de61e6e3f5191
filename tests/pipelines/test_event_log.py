"""``PooledSqliteEventLogStorage``: Dagster's SQLite event log with kept connections."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dagster import AssetKey, AssetMaterialization, DagsterInstance, asset, materialize
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from pipelines.event_log import PooledSqliteEventLogStorage


def _instance(home: Path) -> DagsterInstance:
    (home / "dagster.yaml").write_text(
        "event_log_storage:\n"
        "  module: pipelines.event_log\n"
        "  class: PooledSqliteEventLogStorage\n"
        "  config:\n"
        f"    base_dir: {home / 'history' / 'runs'}\n",
        encoding="utf-8",
    )
    return DagsterInstance.from_config(str(home))


@asset
def numbers() -> int:
    return 3


def test_events_written_are_read_by_another_instance(tmp_path: Path) -> None:
    with _instance(tmp_path) as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        runs = [materialize([numbers], instance=instance) for _ in range(3)]
        for i in range(50):
            instance.report_runless_asset_event(AssetMaterialization("x", partition=f"p{i}"))
        assert all(r.success for r in runs)
    with DagsterInstance.from_config(str(tmp_path)) as other:  # a fresh process's view
        assert len(other.fetch_materializations(AssetKey("x"), limit=100).records) == 50
        assert len(other.fetch_materializations(numbers.key, limit=10).records) == 3
        assert len(other.all_logs(runs[0].run_id)) > 5  # the run's own database


def test_only_the_latest_databases_keep_a_connection(tmp_path: Path) -> None:
    with _instance(tmp_path) as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, PooledSqliteEventLogStorage)
        runs = [materialize([numbers], instance=instance) for _ in range(storage.KEPT_SHARDS + 2)]
        assert len(storage._engines) == storage.KEPT_SHARDS
        assert runs[-1].run_id in storage._engines and runs[0].run_id not in storage._engines
        assert len(instance.all_logs(runs[0].run_id)) > 5  # reopened when asked for


def test_wipe_closes_the_connections_before_deleting(tmp_path: Path) -> None:
    with _instance(tmp_path) as instance:
        run = materialize([numbers], instance=instance)
        instance.event_log_storage.wipe()
        assert not instance.all_logs(run.run_id)
        assert not instance.fetch_materializations(numbers.key, limit=10).records
        assert materialize([numbers], instance=instance).success  # usable again


def _report(home: str, prefix: str, count: int) -> None:
    """In another process: ``count`` materialization events into the instance at ``home``."""
    with DagsterInstance.from_config(home) as instance:
        for i in range(count):
            instance.report_runless_asset_event(AssetMaterialization("x", partition=f"{prefix}{i}"))


def test_processes_writing_at_once_lose_no_event(tmp_path: Path) -> None:
    import multiprocessing

    _instance(tmp_path).dispose()  # the databases exist before the writers start
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_report, args=(str(tmp_path), p, 150)) for p in ("a", "b", "c")]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)
    assert [w.exitcode for w in writers] == [0, 0, 0]
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        records = instance.fetch_materializations(AssetKey("x"), limit=1000).records
        assert len({r.partition_key for r in records}) == 450


def _schema(path: Path) -> tuple[list[tuple[str, str, str]], list[tuple[str]]]:
    with sqlite3.connect(path) as conn:
        tables = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()
        return tables, conn.execute("SELECT version_num FROM alembic_version").fetchall()


def test_a_runs_database_starts_as_a_copy_of_an_empty_one(tmp_path: Path) -> None:
    with _instance(tmp_path) as instance:
        runs = [materialize([numbers], instance=instance) for _ in range(2)]
        assert sorted(instance.event_log_storage.get_all_run_ids()) == sorted(r.run_id for r in runs)
    base = tmp_path / "history" / "runs"
    (template,) = base.glob(".empty-run-*.db")
    assert not list(base.glob(".*.tmp")) and not list(base.glob("*-wal"))
    plain = SqliteEventLogStorage(str(tmp_path / "plain"))  # a run database as Dagster makes it
    with plain._connect("run"):
        pass
    expected = _schema(tmp_path / "plain" / "run.db")
    assert expected[1]  # stamped with its schema revision
    assert _schema(template) == expected
    assert _schema(base / f"{runs[0].run_id}.db") == expected
