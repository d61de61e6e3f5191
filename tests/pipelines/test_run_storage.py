"""``NormalSyncSqliteRunStorage``: Dagster's SQLite run storage, commits flushed at checkpoints."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as db
from dagster import DagsterInstance, asset, materialize

from pipelines.run_storage import NormalSyncSqliteRunStorage


@asset
def numbers() -> int:
    return 3


def test_runs_are_stored_and_read_back_with_normal_sync(tmp_path: Path) -> None:
    (tmp_path / "dagster.yaml").write_text(
        "run_storage:\n"
        "  module: pipelines.run_storage\n"
        "  class: NormalSyncSqliteRunStorage\n"
        "  config:\n"
        f"    base_dir: {tmp_path / 'history'}\n",
        encoding="utf-8",
    )
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        storage = instance.run_storage
        assert isinstance(storage, NormalSyncSqliteRunStorage)
        runs = [materialize([numbers], instance=instance) for _ in range(2)]
        with storage.connect() as conn:
            assert conn.execute(db.text("PRAGMA synchronous")).scalar() == 1  # NORMAL (FULL is 2)
            assert conn.execute(db.text("PRAGMA journal_mode")).scalar() == "wal"
    with DagsterInstance.from_config(str(tmp_path)) as other:  # another process's view
        assert {r.run_id for r in other.get_runs()} == {r.run_id for r in runs}
        assert all(other.get_run_by_id(r.run_id).is_success for r in runs)  # type: ignore[union-attr]
