"""Warehouse files: per-partition fragments and the combined tables. Plain Python, no Dagster.

Layout under the warehouse directory::

    <table>.parquet                    the table analysts query (documents.parquet, …)
    _parts/<table>/<key>.arrow         the rows one partition (one raw file) contributed
    _parts/_state/<key>.json           what those fragments were made from (hash, parser version)
    _parts/_built/<table>.json         which fragments the table file was built from
    _parts/_built/<table>.arrow        those fragments' rows, concatenated (for incremental builds)

Fragments are Arrow IPC files (LZ4): an internal format written and read thousands of times a
run, where Parquet's per-file cost (~2.5 ms to write, ~1.4 ms to read a small file) would be
most of the work; the tables analysts query are Parquet (zstd).

Every file is written to a temporary name in the same directory and moved into place with
``os.replace``, so a reader sees the old file or the new one, never half of one. Tables are built
from fragments in partition-key order, rows deduplicated on the schema's primary key (the first
fragment wins: two byte-identical copies of a file have the same ``doc_id``), so a rebuild on the
same fragments gives the same rows in the same order. A rebuild reads only the fragments written
or removed since the last build (``build_table``).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from schemas.tables import TABLES, conform, primary_key, schema_for

PARTS_DIR = "_parts"
STATE_DIR = "_state"  # _parts/_state/<key>.json: what a partition's fragments were made from
BUILT_DIR = "_built"  # _parts/_built/<table>.json/.arrow: what a table file was built from
READ_THREADS = 4
FRAGMENT_SUFFIX = ".arrow"
#: Written into every state marker: fragments of another format (an older release wrote Parquet
#: fragments) do not count as made, so their files are read again.
FRAGMENT_FORMAT = "arrow-ipc-lz4"
_IPC_OPTIONS = ipc.IpcWriteOptions(compression="lz4")
#: A temporary file this old belongs to a write that was killed; ``prune_fragments`` removes it.
STALE_TMP_SECONDS = 3600


def table_path(warehouse_dir: Path, table: str) -> Path:
    return warehouse_dir / f"{table}.parquet"


def fragment_path(warehouse_dir: Path, table: str, key: str) -> Path:
    return warehouse_dir / PARTS_DIR / table / f"{key}{FRAGMENT_SUFFIX}"


def _tmp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")


def atomic_write_parquet(table: pa.Table, path: Path) -> Path:
    """Write ``table`` to ``path`` via a temporary file and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(path)
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def atomic_write_arrow(table: pa.Table, path: Path) -> Path:
    """Write ``table`` as an Arrow IPC file (LZ4) via a temporary file and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(path)
    try:
        with pa.OSFile(str(tmp), "wb") as sink, ipc.new_file(sink, table.schema, options=_IPC_OPTIONS) as w:
            w.write_table(table)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def read_arrow(path: Path) -> pa.Table:
    """An Arrow IPC file written by ``atomic_write_arrow``, read whole."""
    with pa.OSFile(str(path), "rb") as source:
        return ipc.open_file(source).read_all()


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
    written = [atomic_write_arrow(t, fragment_path(warehouse_dir, name, key)) for name, t in tables.items()]
    for name in TABLES:
        if name not in tables:
            fragment_path(warehouse_dir, name, key).unlink(missing_ok=True)
    if state is not None:
        marker = {**state, "fragment_format": FRAGMENT_FORMAT}
        atomic_write_text(json.dumps(marker, sort_keys=True), state_path(warehouse_dir, key))
    return written


def is_current_format(state: Mapping[str, Any]) -> bool:
    """The fragments a state marker describes are in the format this code reads."""
    return state.get("fragment_format") == FRAGMENT_FORMAT


def atomic_write_bytes(data: bytes, path: Path) -> Path:
    """Write ``data`` to ``path`` via a temporary file and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(path)
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
    suffix = FRAGMENT_SUFFIX
    return {p.name[: -len(suffix)] for p in folder.glob(f"*{suffix}") if not p.name.startswith(".")}


def prune_fragments(warehouse_dir: Path, keep: Iterable[str]) -> list[str]:
    """Remove fragments of partitions not in ``keep`` (deleted in the UI, file gone …), fragments
    in a format this code no longer writes, and temporary files left by a killed write."""
    keep_set = set(keep)
    removed: set[str] = set()
    stale_before = time.time() - STALE_TMP_SECONDS
    for name in (*TABLES, STATE_DIR):
        folder = warehouse_dir / PARTS_DIR / name
        suffix = ".json" if name == STATE_DIR else FRAGMENT_SUFFIX
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.name.startswith("."):
                if path.name.endswith(".tmp") and _mtime(path) < stale_before:
                    path.unlink(missing_ok=True)
                continue
            if not path.name.endswith(suffix):  # an older fragment format
                path.unlink(missing_ok=True)
                continue
            key = path.name[: -len(suffix)]
            if key not in keep_set:
                path.unlink(missing_ok=True)
                removed.add(key)
    return sorted(removed)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return float("inf")  # gone meanwhile: nothing to remove


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
    return table.take(firsts.take(pc.sort_indices(firsts)))  # the first rows, in table order


# --- building a table from fragments, incrementally ---------------------------------------------
#
# A table build remembers, per table, the fragments it read (key → size and mtime of the file) and
# keeps their rows, concatenated in key order and not yet deduplicated, with the partition key of
# each row (``_parts/_built/<table>.arrow``, column ``__key``). The next build compares the
# fragments on disk with that list: none changed and the table file is the one it wrote → nothing
# to do; some changed → the kept rows of the other keys plus the changed fragments, re-sorted by
# key, deduplicated again. A missing or unreadable record means a full build from every fragment.

KEY_COLUMN = "__key"
_POS_COLUMN = "__pos"
#: Bumped when the layout of the build record or of the kept rows changes.
_BUILD_FORMAT = 1


@dataclass(frozen=True)
class Combined:
    table: pa.Table
    fragments: int  # fragments read by this build
    duplicates: int  # rows dropped because an earlier fragment had the same primary key
    rebuilt: bool = True  # False: the table file on disk already had these rows
    incremental: bool = False  # True: only changed fragments were read


def built_path(warehouse_dir: Path, table: str) -> Path:
    return warehouse_dir / PARTS_DIR / BUILT_DIR / f"{table}.json"


def _kept_rows_path(warehouse_dir: Path, table: str) -> Path:
    return warehouse_dir / PARTS_DIR / BUILT_DIR / f"{table}{FRAGMENT_SUFFIX}"


def _file_token(path: Path) -> str | None:
    """Changes whenever the file is rewritten (size and mtime in ns); None if it is missing."""
    try:
        st = path.stat()
    except OSError:
        return None
    return f"{st.st_size}:{st.st_mtime_ns}"


def fragment_tokens(warehouse_dir: Path, table: str, keys: Iterable[str]) -> dict[str, str]:
    """``{key: token}`` of the fragments of ``table`` that exist for ``keys``, in key order."""
    tokens: dict[str, str] = {}
    for key in sorted(set(keys)):
        token = _file_token(fragment_path(warehouse_dir, table, key))
        if token is not None:
            tokens[key] = token
    return tokens


def _schema_digest(table: str) -> str:
    return hashlib.sha256(str(schema_for(table)).encode("utf-8")).hexdigest()[:16]


def _read_build_record(warehouse_dir: Path, table: str) -> dict[str, Any] | None:
    """The last build's record, if it describes the table file on disk and this schema."""
    try:
        record = json.loads(built_path(warehouse_dir, table).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        not isinstance(record, dict)
        or record.get("format") != _BUILD_FORMAT
        or record.get("schema") != _schema_digest(table)
        or record.get("table") != _file_token(table_path(warehouse_dir, table))
        or not isinstance(record.get("fragments"), dict)
    ):
        return None
    return record


def _read_fragments(warehouse_dir: Path, table: str, keys: list[str]) -> list[pa.Table]:
    """The fragments of ``keys`` (in that order), schema enforced, each with its key and row
    positions; read on threads, as the reads release the GIL."""
    schema = schema_for(table)

    def read(key: str) -> pa.Table:
        path = fragment_path(warehouse_dir, table, key)
        data = conform(read_arrow(path), schema, what=f"fragment {path}")
        n = data.num_rows
        return data.append_column(KEY_COLUMN, pa.array([key] * n, pa.string())).append_column(
            _POS_COLUMN, pa.array(range(n), pa.int64())
        )

    if len(keys) > 8:
        with ThreadPoolExecutor(READ_THREADS) as pool:
            return list(pool.map(read, keys))
    return [read(k) for k in keys]


def _kept_rows(warehouse_dir: Path, table: str, drop: set[str]) -> pa.Table | None:
    """The rows kept by the last build, minus those of the keys in ``drop``; None if unreadable."""
    path = _kept_rows_path(warehouse_dir, table)
    try:
        kept = read_arrow(path)
    except (OSError, pa.ArrowInvalid):
        return None
    expected = [*schema_for(table).names, KEY_COLUMN]
    if kept.schema.names != expected:
        return None
    if drop:
        kept = kept.filter(pc.invert(pc.is_in(kept[KEY_COLUMN], value_set=pa.array(sorted(drop)))))
    return kept.append_column(_POS_COLUMN, pa.array(range(kept.num_rows), pa.int64()))


def build_table(warehouse_dir: Path, table: str, keys: Iterable[str]) -> Combined:
    """``warehouse/<table>.parquet`` from the fragments of ``keys``, reading only the fragments
    written or removed since the last build; the same file content a full build would give."""
    schema = schema_for(table)
    tokens = fragment_tokens(warehouse_dir, table, keys)
    record = _read_build_record(warehouse_dir, table)
    if record is not None and record["fragments"] == tokens:
        return Combined(read_table(warehouse_dir, table), 0, record.get("duplicates", 0), rebuilt=False)

    kept = None
    if record is not None:
        old: dict[str, str] = record["fragments"]
        changed = {k for k, t in tokens.items() if old.get(k) != t} | (set(old) - set(tokens))
        kept = _kept_rows(warehouse_dir, table, changed)
    to_read = sorted(tokens) if kept is None else sorted(k for k in tokens if old.get(k) != tokens[k])
    parts = _read_fragments(warehouse_dir, table, to_read)
    if kept is not None:
        parts.insert(0, kept.cast(parts[0].schema) if parts else kept)
    if parts:
        rows = pa.concat_tables(parts)
        if kept is not None and to_read:  # changed keys' rows go back to their place in key order
            order = pc.sort_indices(rows, sort_keys=[(KEY_COLUMN, "ascending"), (_POS_COLUMN, "ascending")])
            rows = rows.take(order)
        rows = rows.drop_columns([_POS_COLUMN]).combine_chunks()
    else:
        rows = schema.empty_table().append_column(KEY_COLUMN, pa.array([], pa.string()))
    deduped = dedupe_first(rows, primary_key(schema))
    result = conform(deduped.drop_columns([KEY_COLUMN]), schema, what=table)
    duplicates = rows.num_rows - deduped.num_rows

    built_path(warehouse_dir, table).unlink(missing_ok=True)  # the record describes complete files only
    atomic_write_arrow(rows, _kept_rows_path(warehouse_dir, table))
    atomic_write_parquet(result, table_path(warehouse_dir, table))
    record = {
        "format": _BUILD_FORMAT,
        "schema": _schema_digest(table),
        "table": _file_token(table_path(warehouse_dir, table)),
        "duplicates": duplicates,
        "fragments": tokens,
    }
    atomic_write_text(json.dumps(record), built_path(warehouse_dir, table))
    return Combined(result, len(to_read), duplicates, rebuilt=True, incremental=kept is not None)


def combine_fragments(warehouse_dir: Path, table: str, keys: Iterable[str]) -> Combined:
    """The table built from every fragment of ``keys`` (in sorted key order), schema enforced;
    reads them all and writes nothing (``build_table`` is the incremental, writing variant)."""
    schema = schema_for(table)
    present = [k for k in sorted(set(keys)) if fragment_path(warehouse_dir, table, k).is_file()]
    parts = _read_fragments(warehouse_dir, table, present)
    combined = (
        pa.concat_tables(parts).drop_columns([KEY_COLUMN, _POS_COLUMN]) if parts else schema.empty_table()
    )
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
