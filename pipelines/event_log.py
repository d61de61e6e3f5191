"""Dagster's SQLite event log, keeping its database connections open.

Dagster's ``SqliteEventLogStorage`` creates a SQLAlchemy engine, opens a connection, commits and
closes it again for every event it stores — twice for an asset event (the run's own database and
the cross-run index) — about 6 ms per materialization on this machine, so ~12 s of a first run over
2,000 documents (one materialization per partition). ``PooledSqliteEventLogStorage`` is the same
storage (same files, schema and migrations; it only replaces how a shard's connection is made):
one connection per database, kept for the most recently used ``KEPT_SHARDS`` databases, with
SQLite's ``synchronous=NORMAL`` (the databases are in WAL mode: a commit is not flushed to disk at
once, so a power cut may lose the last events, never corrupt the file) — ~0.8 ms per event.

A new run's database starts as a copy of an empty one made once per Dagster version
(``TEMPLATE_NAME``, next to the run databases) instead of being created table by table and
stamped with its schema revision, ~55 ms of every run (two per rerun of ``gongwen run``).

``gongwen run`` / ``gongwen ui`` write it into the ``dagster.yaml`` of an instance they create
(``gongwen.warehouse_cli.dagster_home``); an existing ``dagster.yaml`` is left as it is.
"""

from __future__ import annotations

import os
import shutil
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as db
from dagster import __version__ as dagster_version
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME, SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool, StaticPool

#: The empty run database new runs' databases are copied from (hidden: not a run's).
TEMPLATE_NAME = ".empty-run-dagster-{version}.db"


def synchronous_normal(dbapi_connection: Any, _record: Any) -> None:
    """A new SQLite connection's commits are flushed at checkpoints, not each (WAL mode)."""
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` with one kept connection per database (see the module)."""

    #: Databases whose connection is kept: the index and the latest runs' (one database per run).
    KEPT_SHARDS = 8

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        super().__init__(base_dir, inst_data)  # may connect already (a new index is indexed)

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:  # one thread at a time, as in the base class: the connection is shared
            if shard not in self._initialized_dbs:
                if shard == INDEX_SHARD_NAME or not self._copy_of_template(shard):
                    self._initdb(self._engine(shard))
                self._initialized_dbs.add(shard)
            with self._engine(shard).connect() as conn, conn.begin():
                yield conn

    def _copy_of_template(self, shard: str) -> bool:
        """Create a run's database as a copy of the empty one (made by ``_initdb`` on first
        use); False when the database exists already (it is checked as usual then)."""
        path = Path(self.path_for_shard(shard))
        if path.exists():
            return False
        template = Path(self._base_dir) / TEMPLATE_NAME.format(version=dagster_version)
        if not template.exists():
            made = template.with_name(f".{template.name}.{os.getpid()}.tmp")
            engine = db.create_engine(f"sqlite:///{made}", poolclass=NullPool)
            try:
                self._initdb(engine)
            finally:
                engine.dispose()
            os.replace(made, template)
        copy = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        shutil.copyfile(template, copy)
        try:
            os.link(copy, path)  # never over a database another process has just created
        except FileExistsError:
            return False
        finally:
            copy.unlink()
        return True

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.pop(shard, None)
        if engine is None:
            engine = db.create_engine(
                self.conn_string_for_shard(shard),
                poolclass=StaticPool,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            db.event.listen(engine, "connect", synchronous_normal)
        self._engines[shard] = engine  # the most recently used last
        while len(self._engines) > self.KEPT_SHARDS:
            self._engines.popitem(last=False)[1].dispose()
        return engine

    def _close_connections(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._close_connections()  # the run databases are deleted
        super().wipe()

    def dispose(self) -> None:
        self._close_connections()
        super().dispose()
