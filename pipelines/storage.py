"""Warehouse files: per-partition fragments and the combined tables. Plain Python, no Dagster.

Layout under the warehouse directory::

    <table>.parquet                    the table analysts query (documents.parquet, …)
    _parts/<table>/<key>.parquet       the rows one partition (one raw file) contributed

Every file is written to a temporary name in the same directory and moved into place with
``os.replace``, so a reader sees the old file or the new one, never half of one. Tables are built
from fragments in partition-key order, rows deduplicated on the schema's primary key (the first
fragment wins: two byte-identical copies of a file have the same ``doc_id``), so a rebuild on the
same fragments gives the same rows in the same order.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from schemas.tables import TABLES, conform, primary_key, schema_for

PARTS_DIR = "_parts"


def table_path(warehouse_dir: Path, table: str) -> Path:
    return warehouse_dir / f"{table}.parquet"


def fragment_path(warehouse_dir: Path, table: str, key: str) -> Path:
    return warehouse_dir / PARTS_DIR / table / f"{key}.parquet"


def atomic_write_parquet(table: pa.Table, path: Path) -> Path:
    """Write ``table`` to ``path`` via a temporary file and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_fragments(warehouse_dir: Path, key: str, tables: Mapping[str, pa.Table]) -> list[Path]:
    """Store one partition's rows: write ``tables`` and drop the partition's other fragments.

    A file that parsed last time and fails now loses its documents/citations fragments and gets a
    quarantine fragment, and the other way round. New fragments are written before stale ones
    are removed.
    """
    written = [atomic_write_parquet(t, fragment_path(warehouse_dir, name, key)) for name, t in tables.items()]
    for name in TABLES:
        if name not in tables:
            fragment_path(warehouse_dir, name, key).unlink(missing_ok=True)
    return written


def remove_partition(warehouse_dir: Path, key: str) -> None:
    for name in TABLES:
        fragment_path(warehouse_dir, name, key).unlink(missing_ok=True)


def fragment_keys(warehouse_dir: Path, table: str) -> set[str]:
    folder = warehouse_dir / PARTS_DIR / table
    if not folder.is_dir():
        return set()
    return {p.name[: -len(".parquet")] for p in folder.glob("*.parquet") if not p.name.startswith(".")}


def prune_fragments(warehouse_dir: Path, keep: Iterable[str]) -> list[str]:
    """Remove fragments of partitions not in ``keep`` (deleted in the UI, file gone …)."""
    keep_set = set(keep)
    removed: set[str] = set()
    for name in TABLES:
        for key in fragment_keys(warehouse_dir, name) - keep_set:
            fragment_path(warehouse_dir, name, key).unlink(missing_ok=True)
            removed.add(key)
    return sorted(removed)


@dataclass(frozen=True)
class Combined:
    table: pa.Table
    fragments: int  # fragments read
    duplicates: int  # rows dropped because an earlier fragment had the same primary key


def dedupe_first(table: pa.Table, key: tuple[str, ...]) -> pa.Table:
    """Keep the first row for each value of ``key`` columns, preserving row order."""
    if not key or table.num_rows == 0:
        return table
    idx = pa.array(range(table.num_rows), type=pa.int64())
    firsts = (
        table.select(list(key))
        .append_column("__row", idx)
        .group_by(list(key), use_threads=False)
        .aggregate([("__row", "min")])
        .column("__row_min")
    )
    if len(firsts) == table.num_rows:
        return table
    return table.take(pc.sort_indices(firsts))


def combine_fragments(warehouse_dir: Path, table: str, keys: Iterable[str]) -> Combined:
    """The table built from the fragments of ``keys`` (in sorted key order), schema enforced."""
    schema = schema_for(table)
    parts: list[pa.Table] = []
    for key in sorted(set(keys)):
        path = fragment_path(warehouse_dir, table, key)
        if path.is_file():
            parts.append(conform(pq.read_table(path), schema, what=f"fragment {path}"))
    combined = pa.concat_tables(parts) if parts else schema.empty_table()
    deduped = dedupe_first(combined, primary_key(schema))
    return Combined(
        table=conform(deduped.combine_chunks(), schema, what=table),
        fragments=len(parts),
        duplicates=combined.num_rows - deduped.num_rows,
    )


def read_table(warehouse_dir: Path, table: str) -> pa.Table:
    """A built table, checked against its schema (``FileNotFoundError`` if not built yet)."""
    path = table_path(warehouse_dir, table)
    return conform(pq.read_table(path), schema_for(table), what=str(path))
