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

import hashlib
import json
import os
import uuid
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from schemas.tables import TABLES, conform, primary_key, schema_for

PARTS_DIR = "_parts"
STATE_DIR = "_state"  # _parts/_state/<key>.json: what a partition's fragments were made from
BUILT_DIR = "_built"  # _parts/_built/<table>.json: the fragments a table file was built from
READ_THREADS = 4


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


def state_path(warehouse_dir: Path, key: str) -> Path:
    return warehouse_dir / PARTS_DIR / STATE_DIR / f"{key}.json"


def read_state(warehouse_dir: Path, key: str) -> dict[str, Any] | None:
    """What a partition's fragments were made from (``write_fragments(state=…)``), or None."""
    try:
        state = json.loads(state_path(warehouse_dir, key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) else None


def write_fragments(
    warehouse_dir: Path, key: str, tables: Mapping[str, pa.Table], state: Mapping[str, Any] | None = None
) -> list[Path]:
    """Store one partition's rows: write ``tables`` and drop the partition's other fragments.

    A file that parsed last time and fails now loses its documents/citations fragments and gets a
    quarantine fragment, and the other way round. New fragments are written before stale ones
    are removed. ``state`` (the file's content hash, the parser version, the outcome) is written
    last, as ``_parts/_state/<key>.json``, and removed first: a state marker always describes a
    complete set of fragments, so a run killed half-way makes the file be read again.
    """
    state_path(warehouse_dir, key).unlink(missing_ok=True)
    written = [atomic_write_parquet(t, fragment_path(warehouse_dir, name, key)) for name, t in tables.items()]
    for name in TABLES:
        if name not in tables:
            fragment_path(warehouse_dir, name, key).unlink(missing_ok=True)
    if state is not None:
        atomic_write_text(json.dumps(dict(state), sort_keys=True), state_path(warehouse_dir, key))
    return written


def atomic_write_bytes(data: bytes, path: Path) -> Path:
    """Write ``data`` to ``path`` via a temporary file and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def atomic_write_text(text: str, path: Path) -> Path:
    return atomic_write_bytes(text.encode("utf-8"), path)


def remove_partition(warehouse_dir: Path, key: str) -> None:
    state_path(warehouse_dir, key).unlink(missing_ok=True)
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
    for name in (*TABLES, STATE_DIR):
        folder = warehouse_dir / PARTS_DIR / name
        suffix = ".json" if name == STATE_DIR else ".parquet"
        if not folder.is_dir():
            continue
        for path in folder.glob(f"*{suffix}"):
            key = path.name[: -len(suffix)]
            if not path.name.startswith(".") and key not in keep_set:
                path.unlink(missing_ok=True)
                removed.add(key)
    return sorted(removed)


def fragments_signature(warehouse_dir: Path, table: str, keys: Iterable[str]) -> str:
    """Hash of which fragments of ``table`` exist for ``keys`` and of their size and mtime: it
    changes whenever a fragment is written, removed or a partition (un)registered."""
    digest = hashlib.sha256(str(schema_for(table)).encode("utf-8"))
    for key in sorted(set(keys)):
        try:
            st = fragment_path(warehouse_dir, table, key).stat()
        except OSError:
            continue
        digest.update(f"{key}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def built_path(warehouse_dir: Path, table: str) -> Path:
    return warehouse_dir / PARTS_DIR / BUILT_DIR / f"{table}.json"


def is_built_from(warehouse_dir: Path, table: str, signature: str) -> bool:
    """``warehouse/<table>.parquet`` is the file built from fragments with ``signature``."""
    try:
        built = json.loads(built_path(warehouse_dir, table).read_text(encoding="utf-8"))
        st = table_path(warehouse_dir, table).stat()
    except (OSError, ValueError):
        return False
    return (
        isinstance(built, dict)
        and built.get("signature") == signature
        and built.get("table_mtime_ns") == st.st_mtime_ns
        and built.get("table_size") == st.st_size
    )


def record_built(warehouse_dir: Path, table: str, signature: str) -> None:
    st = table_path(warehouse_dir, table).stat()
    record = {"signature": signature, "table_mtime_ns": st.st_mtime_ns, "table_size": st.st_size}
    atomic_write_text(json.dumps(record), built_path(warehouse_dir, table))


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
    paths = [fragment_path(warehouse_dir, table, key) for key in sorted(set(keys))]
    paths = [p for p in paths if p.is_file()]

    def read(path: Path) -> pa.Table:
        # ParquetFile.read: a tenth of pq.read_table's per-file cost (no dataset discovery) on
        # these small files; threads, as the reads release the GIL
        return conform(pq.ParquetFile(path).read(use_threads=False), schema, what=f"fragment {path}")

    if len(paths) > 8:
        with ThreadPoolExecutor(READ_THREADS) as pool:
            parts = list(pool.map(read, paths))
    else:
        parts = [read(p) for p in paths]
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
