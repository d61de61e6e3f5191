"""Where the files are: the raw landing zone and the Parquet warehouse.

Both resources take their directory from, in order: the resource config (``root``, settable in
the launchpad or in code), the environment variable (``GONGWEN_RAW_DIR`` /
``GONGWEN_WAREHOUSE_DIR``, read when the run starts, never at import; ``pipelines.paths``), and
finally ``raw/`` / ``warehouse/`` under the project root. Relative paths are taken from the
project root, so a run started from any working directory finds the same files. The warehouse may
also be an fsspec URL (``s3://bucket/prefix``): see ``pipelines.storage``.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
from dagster import ConfigurableResource
from pydantic import Field

from parsers.guard import Limits
from pipelines import storage
from pipelines.paths import RAW_DIR_ENV, WAREHOUSE_DIR_ENV, resolve_dir, resolve_warehouse
from pipelines.raw_files import discover_raw_files

_DEFAULT_LIMITS = Limits()


class RawStore(ConfigurableResource):
    """The raw landing zone: one partition per file (see ``pipelines.partitions``), and the
    per-file limits under which each file is read (``parsers.guard``)."""

    root: str | None = Field(
        default=None,
        description=f"Raw directory. Default: ${RAW_DIR_ENV}, else raw/ in the project.",
    )
    parse_timeout_s: float = Field(
        default=_DEFAULT_LIMITS.timeout_s, gt=0, description="Wall-clock limit for reading one file (s)."
    )
    parse_max_memory_mb: int = Field(
        default=_DEFAULT_LIMITS.max_memory_mb,
        ge=0,
        description="Memory cap of the reader process (MB, 0: none).",
    )
    max_file_mb: float = Field(
        default=_DEFAULT_LIMITS.max_file_mb, gt=0, description="Larger files are refused (MB)."
    )

    parse_workers: int = Field(
        default=0,
        ge=0,
        description="Reader processes working in parallel, each under the limits above (0: one per CPU).",
    )

    def limits(self) -> Limits:
        return Limits(self.parse_timeout_s, self.parse_max_memory_mb, self.max_file_mb)

    @property
    def path(self) -> Path:
        return resolve_dir(self.root, RAW_DIR_ENV, "raw")

    def files(self) -> dict[str, str]:
        """``{partition key: path relative to the raw dir}`` for the files present now."""
        return discover_raw_files(self.path)

    def file_for(self, key: str) -> tuple[str, Path] | None:
        """``(relative path, absolute path)`` of a partition's file, ``None`` if it is gone."""
        rel = self.files().get(key)
        return (rel, self.path / rel) if rel is not None else None


class Warehouse(ConfigurableResource):
    """The Parquet warehouse (layout in ``pipelines.storage``): a local directory, or a prefix on
    object storage given as an fsspec URL (``s3://bucket/prefix``)."""

    root: str | None = Field(
        default=None,
        description=f"Warehouse directory or fsspec URL (s3://bucket/prefix). Default: ${WAREHOUSE_DIR_ENV}, "
        "else warehouse/ in the project.",
    )

    @property
    def path(self) -> storage.Location:
        """A ``Path`` for a local warehouse, a ``UPath`` on object storage."""
        return resolve_warehouse(self.root)

    def write_fragments(
        self, key: str, tables: dict[str, pa.Table], state: dict[str, Any] | None = None
    ) -> list[storage.Location]:
        return storage.write_fragments(self.path, key, tables, state)

    def read_state(self, key: str) -> dict[str, Any] | None:
        return storage.read_state(self.path, key)

    def read_states(self, keys: list[str]) -> dict[str, dict[str, Any] | None]:
        """``read_state`` of each key (fetched together on object storage)."""
        return storage.read_states(self.path, keys)

    def build(self, table: str, keys: list[str]) -> storage.Combined:
        """Bring ``<table>.parquet`` up to date with the fragments of ``keys`` (incrementally)."""
        return storage.build_table(self.path, table, keys)

    def write_table(self, table: str, data: pa.Table) -> storage.Location:
        return storage.atomic_write_parquet(data, storage.table_path(self.path, table))

    def read_table(self, table: str, columns: Sequence[str] | None = None) -> pa.Table:
        return storage.read_table(self.path, table, columns)
