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

**Object storage.** The warehouse may also be an fsspec URL (``s3://bucket/prefix``, or any
other fsspec file system): ``location`` turns it into a ``UPath``, while a local directory stays
a plain ``Path`` and keeps the code paths above untouched. This module is the one place that
knows the difference; the few operations that differ go through the helpers below:

- a write is one PUT of the whole file (an object appears whole or not at all, so no temporary
  name and no rename, which object stores do not have);
- a file's change token is its size and ETag (or modification time) instead of size and mtime;
- a folder is listed with one request per 1,000 names instead of one ``stat`` per file, and the
  file system's listing cache is dropped first, because the reader processes write behind it;
- a file is read whole in one download (many files, such as the state markers, concurrently).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias
from urllib.parse import unquote, urlparse

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from parsers.startup import hidden
from schemas.tables import TABLES, conform, primary_key, schema_for

if TYPE_CHECKING:
    from upath import UPath

#: Where warehouse files live: a ``Path`` for a local directory, a ``UPath`` on an fsspec store.
Location: TypeAlias = "Path | UPath"

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


# --- where the warehouse is: a local directory or an fsspec store -------------------------------

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")


def arrow_without_pandas() -> None:
    """Have pyarrow take pandas for absent in this process, unless pandas is imported already.

    The first time pyarrow builds an array from Python objects, it imports pandas (if installed)
    to tell whether the objects are pandas ones: ~0.3 s of CPU in every reader and in ``gongwen
    run``'s process, and gongwen hands pyarrow no pandas objects. Called before that first build,
    this makes the import fail while pyarrow tries it, once for the process; pandas stays
    importable (``Table.to_pandas`` imports it when called). Nothing is done where pandas is
    imported already."""
    with hidden("pandas"):
        pa.array([0])  # pyarrow looks for pandas here, the first time only


def is_url(root: str | os.PathLike[str]) -> bool:
    """``root`` names a location by URL (``s3://…``, ``memory://…``), not a local path."""
    return isinstance(root, str) and _URL.match(root) is not None


def location(root: str | os.PathLike[str]) -> Location:
    """The warehouse at ``root``: a plain ``Path`` for a local directory (also ``file://`` URLs),
    a ``UPath`` for any other fsspec URL. Credentials and endpoints come from the file system's
    own configuration (for S3: ``AWS_*`` environment variables, ``FSSPEC_S3_*`` for s3fs options),
    so a reader process given the same string finds the same store."""
    if not is_url(root):
        return Path(root)
    text = str(root)
    parsed = urlparse(text)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    from upath import UPath  # imported here: a local run and its reader processes never load fsspec

    return UPath(text)


def is_local(path: Location) -> bool:
    return isinstance(path, Path)


def uri(path: Location) -> str:
    """A link to the file for Dagster metadata: ``file://…`` locally, the store's URL otherwise."""
    return path.as_uri() if isinstance(path, Path) else str(path)


def _remote(path: UPath) -> tuple[Any, str]:
    """The fsspec file system of ``path`` and the path as that file system names it."""
    return path.fs, path.path


def _info_token(info: Mapping[str, Any]) -> str:
    """A remote file's change token from its listing or ``info`` entry: size and ETag, else the
    modification time the store reports, else the whole entry (some stores give nothing else)."""
    for field in ("ETag", "etag", "md5Hash", "LastModified", "last_modified", "mtime", "updated", "created"):
        value = info.get(field)
        if value:
            return f"{info.get('size')}:{str(value).strip(chr(34))}"
    entry = json.dumps(dict(info), sort_keys=True, default=str)
    return f"{info.get('size')}:{hashlib.sha256(entry.encode()).hexdigest()[:16]}"


def _info_modified(info: Mapping[str, Any]) -> float:
    """Seconds since the epoch a remote file was last written; inf when the store does not say."""
    for field in ("LastModified", "last_modified", "mtime", "updated", "created"):
        value = info.get(field)
        if isinstance(value, dt.datetime):
            return value.timestamp()
        if isinstance(value, int | float):
            return float(value)
    return float("inf")


def _listing(folder: UPath) -> dict[str, dict[str, Any]]:
    """``{file name: info}`` of the files directly in ``folder`` (empty if there is none), from
    one listing; the cached listing is dropped first, as other processes write here."""
    fs, where = _remote(folder)
    fs.invalidate_cache(where)
    try:
        entries = fs.ls(where, detail=True)
    except FileNotFoundError:
        return {}
    return {e["name"].rstrip("/").rsplit("/", 1)[-1]: e for e in entries if e.get("type") == "file"}


def _stat_token(st: os.stat_result) -> str:
    return f"{st.st_size}:{st.st_mtime_ns}"


def file_token(path: Location) -> str | None:
    """Changes whenever the file is rewritten; None if it is missing. Locally size and mtime in
    ns; on object storage size and ETag (one HEAD)."""
    if isinstance(path, Path):
        try:
            return _stat_token(path.stat())
        except OSError:
            return None
    fs, where = _remote(path)
    fs.invalidate_cache(where)
    try:
        info = fs.info(where)
    except FileNotFoundError:
        return None
    return _info_token(info) if info.get("type") == "file" else None


def folder_tokens(folder: Location, suffix: str = "") -> dict[str, str]:
    """``{name: file_token}`` of the files in ``folder`` whose name ends in ``suffix`` (not the
    hidden ones: files being written), from one scan of the folder — one listing on object
    storage — instead of a ``stat`` or a request per file (a ``Path`` and a ``stat`` per file cost
    ~0.15 ms each: ~0.3 s per build of the nine tables at 2,000 documents)."""
    if not isinstance(folder, Path):
        return {
            name: _info_token(info)
            for name, info in _listing(folder).items()
            if name.endswith(suffix) and not name.startswith(".")
        }
    found: dict[str, str] = {}
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(suffix) and not entry.name.startswith("."):
                    try:
                        found[entry.name] = _stat_token(entry.stat())
                    except OSError:  # removed meanwhile
                        continue
    except (FileNotFoundError, NotADirectoryError):
        return {}
    return found


def file_tokens(paths: Iterable[Location]) -> list[str | None]:
    """``file_token`` of each of ``paths``, from one scan of each folder they are in; a hidden
    file (one being written, ``folder_tokens``) counts as missing."""
    paths = list(paths)
    scans = {folder: folder_tokens(folder) for folder in {p.parent for p in paths}}
    return [scans[p.parent].get(p.name) for p in paths]


def file_names(folder: Location, suffix: str) -> list[str]:
    """Names of the files in ``folder`` ending in ``suffix`` (none if the folder is missing)."""
    if isinstance(folder, Path):
        return [p.name for p in folder.glob(f"*{suffix}")] if folder.is_dir() else []
    return sorted(name for name in _listing(folder) if name.endswith(suffix))


def read_bytes(path: Location) -> bytes:
    """The whole file (``FileNotFoundError``/``OSError`` when it cannot be read)."""
    if isinstance(path, Path):
        return path.read_bytes()
    fs, where = _remote(path)
    data: bytes = fs.cat_file(where)
    return data


def read_text(path: Location) -> str:
    return read_bytes(path).decode("utf-8")


def holds(path: Location, data: bytes) -> bool:
    """The file exists and holds exactly ``data`` (locally its size is compared first)."""
    try:
        if isinstance(path, Path) and path.stat().st_size != len(data):
            return False
        return read_bytes(path) == data
    except OSError:
        return False


def read_files(paths: Sequence[Location]) -> list[bytes | None]:
    """Each file's bytes, None for one that cannot be read; on object storage fetched together."""
    remote = [p for p in paths if not isinstance(p, Path)]
    if not remote or len(remote) < len(paths):  # local: one file after the other
        out: list[bytes | None] = []
        for path in paths:
            try:
                out.append(read_bytes(path))
            except OSError:
                out.append(None)
        return out
    fs = remote[0].fs
    names = [p.path for p in remote]
    fetched = fs.cat(names, on_error="return")
    return [v if isinstance(v, bytes) else None for v in (fetched.get(n) for n in names)]


def unlink(path: Location) -> None:
    """Remove the file if it is there."""
    unlink_all([path])


def unlink_all(paths: Iterable[Location]) -> None:
    """Remove the files that are there; on object storage in one batch request."""
    remote: list[UPath] = []
    for path in paths:
        if isinstance(path, Path):
            path.unlink(missing_ok=True)
        else:
            remote.append(path)
    if not remote:
        return
    fs = remote[0].fs
    names = [p.path for p in remote]
    try:
        fs.rm(names)
    except FileNotFoundError:  # a store that refuses a batch naming a missing file: one by one
        for name in names:
            with contextlib.suppress(FileNotFoundError):
                fs.rm_file(name)


def _put(path: UPath, data: bytes) -> UPath:
    """One PUT of the whole object: readers see the old object or the new one, never part."""
    fs, where = _remote(path)
    fs.pipe_file(where, data)
    return path


def check_writable(warehouse_dir: Location) -> None:
    """Raise ``OSError`` saying why, when files cannot be written to an object-storage warehouse
    (no such bucket, no credentials, endpoint out of reach): one small object is written and
    removed. Otherwise every reader would fail on its first file, each with the same error. A
    local directory is created on the first write, as before: nothing to check."""
    if isinstance(warehouse_dir, Path):
        return
    probe = warehouse_dir / PARTS_DIR / ".write-check"
    try:
        _put(probe, b"")
        unlink(probe)
    except Exception as err:  # botocore and aiohttp errors are not all OSErrors
        raise OSError(f"cannot write to the warehouse {warehouse_dir}: {err}") from err


def table_path(warehouse_dir: Location, table: str) -> Location:
    return warehouse_dir / f"{table}.parquet"


def fragment_path(warehouse_dir: Location, table: str, key: str) -> Location:
    return warehouse_dir / PARTS_DIR / table / f"{key}{FRAGMENT_SUFFIX}"


def _tmp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")


def _write_atomically(path: Location, write: Callable[[pa.NativeFile], object]) -> Location:
    """``write`` the file's content into a sink, then make it appear whole: locally a temporary
    file in the same directory moved into place with ``os.replace``; on object storage one PUT."""
    if not isinstance(path, Path):
        buffer = pa.BufferOutputStream()
        write(buffer)
        return _put(path, buffer.getvalue().to_pybytes())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(path)
    try:
        with pa.OSFile(str(tmp), "wb") as sink:
            write(sink)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def atomic_write_parquet(table: pa.Table, path: Location) -> Location:
    """Write ``table`` as Parquet (zstd), whole or not at all (``_write_atomically``)."""
    return _write_atomically(path, lambda sink: pq.write_table(table, sink, compression="zstd"))


def atomic_write_arrow(table: pa.Table, path: Location) -> Location:
    """Write ``table`` as an Arrow IPC file (LZ4), whole or not at all (``_write_atomically``)."""

    def write(sink: pa.NativeFile) -> None:
        with ipc.new_file(sink, table.schema, options=_IPC_OPTIONS) as writer:
            writer.write_table(table)

    return _write_atomically(path, write)


def read_arrow(path: Location) -> pa.Table:
    """An Arrow IPC file written by ``atomic_write_arrow``, read whole."""
    if not isinstance(path, Path):
        return ipc.open_file(pa.BufferReader(read_bytes(path))).read_all()
    with pa.OSFile(str(path), "rb") as source:
        return ipc.open_file(source).read_all()


def read_parquet(path: Location, columns: Sequence[str] | None = None) -> pa.Table:
    """A Parquet file, read whole or only ``columns``."""
    source = path if isinstance(path, Path) else pa.BufferReader(read_bytes(path))
    return pq.read_table(source, columns=list(columns) if columns is not None else None)


def parquet_dataset(path: Location) -> Any:
    """A Parquet file as a lazily read ``pyarrow.dataset`` (columns and row groups fetched when
    scanned): how DuckDB queries a table on object storage without an extension of its own."""
    import pyarrow.dataset as ds

    if isinstance(path, Path):
        return ds.dataset(str(path), format="parquet")
    fs, where = _remote(path)
    fs.invalidate_cache(where)
    return ds.dataset(where, filesystem=fs, format="parquet")


def state_path(warehouse_dir: Location, key: str) -> Location:
    return warehouse_dir / PARTS_DIR / STATE_DIR / f"{key}.json"


def _parse_state(data: bytes | None) -> dict[str, Any] | None:
    if data is None:
        return None
    try:
        state = json.loads(data.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError and JSONDecodeError: a damaged marker counts as none
        return None
    return state if isinstance(state, dict) else None


def read_state(warehouse_dir: Location, key: str) -> dict[str, Any] | None:
    """What a partition's fragments were made from (``write_fragments(state=…)``), or None."""
    try:
        data = read_bytes(state_path(warehouse_dir, key))
    except OSError:
        return None
    return _parse_state(data)


def read_states(warehouse_dir: Location, keys: Iterable[str]) -> dict[str, dict[str, Any] | None]:
    """``read_state`` of each key; on object storage the markers are fetched together."""
    keys = list(keys)
    if isinstance(warehouse_dir, Path):
        return {key: read_state(warehouse_dir, key) for key in keys}
    data = read_files([state_path(warehouse_dir, key) for key in keys])
    return {key: _parse_state(d) for key, d in zip(keys, data, strict=True)}


def write_fragments(
    warehouse_dir: Location, key: str, tables: Mapping[str, pa.Table], state: Mapping[str, Any] | None = None
) -> list[Location]:
    """Store one partition's rows: write ``tables`` and drop the partition's other fragments.

    A file that parsed last time and fails now loses its documents/citations fragments and gets a
    quarantine fragment, and the other way round. New fragments are written before stale ones
    are removed. ``state`` (the file's content hash, the parser version, the outcome) is written
    last, as ``_parts/_state/<key>.json``, and removed first: a state marker always describes a
    complete set of fragments, so a run killed half-way makes the file be read again.
    """
    unlink(state_path(warehouse_dir, key))
    written = [atomic_write_arrow(t, fragment_path(warehouse_dir, name, key)) for name, t in tables.items()]
    unlink_all(fragment_path(warehouse_dir, name, key) for name in TABLES if name not in tables)
    if state is not None:
        marker = {**state, "fragment_format": FRAGMENT_FORMAT}
        atomic_write_text(json.dumps(marker, sort_keys=True), state_path(warehouse_dir, key))
    return written


def is_current_format(state: Mapping[str, Any]) -> bool:
    """The fragments a state marker describes are in the format this code reads."""
    return state.get("fragment_format") == FRAGMENT_FORMAT


def atomic_write_bytes(data: bytes, path: Location) -> Location:
    """Write ``data``, whole or not at all (``_write_atomically``)."""
    return _write_atomically(path, lambda sink: sink.write(data))


def atomic_write_text(text: str, path: Location) -> Location:
    return atomic_write_bytes(text.encode("utf-8"), path)


def remove_partition(warehouse_dir: Location, key: str) -> None:
    unlink(state_path(warehouse_dir, key))
    unlink_all(fragment_path(warehouse_dir, name, key) for name in TABLES)


def fragment_keys(warehouse_dir: Location, table: str) -> set[str]:
    suffix = FRAGMENT_SUFFIX
    names = file_names(warehouse_dir / PARTS_DIR / table, suffix)
    return {n[: -len(suffix)] for n in names if not n.startswith(".")}


def prune_fragments(warehouse_dir: Location, keep: Iterable[str]) -> list[str]:
    """Remove fragments of partitions not in ``keep`` (deleted in the UI, file gone …), fragments
    in a format this code no longer writes, and temporary files left by a killed write (on object
    storage: one listing and one batch delete per folder)."""
    keep_set = set(keep)
    removed: set[str] = set()
    stale_before = time.time() - STALE_TMP_SECONDS
    for name in (*TABLES, STATE_DIR):
        folder = warehouse_dir / PARTS_DIR / name
        suffix = ".json" if name == STATE_DIR else FRAGMENT_SUFFIX
        doomed: list[Location] = []
        for file_name, written_at in _folder_files(folder).items():
            if file_name.startswith("."):
                if file_name.endswith(".tmp") and written_at() < stale_before:
                    doomed.append(folder / file_name)
                continue
            key = file_name[: -len(suffix)] if file_name.endswith(suffix) else None
            if key is None or key not in keep_set:  # an older fragment format, or a partition gone
                doomed.append(folder / file_name)
                if key is not None:
                    removed.add(key)
        unlink_all(doomed)
    return sorted(removed)


def _folder_files(folder: Location) -> dict[str, Callable[[], float]]:
    """``{name: when it was last written}`` of the files in ``folder`` (none if it is missing);
    the time is looked up only when asked for (a ``stat`` locally, the listing remotely)."""
    if isinstance(folder, Path):
        return {p.name: partial(_mtime, p) for p in folder.iterdir()} if folder.is_dir() else {}
    return {file_name: partial(_info_modified, info) for file_name, info in _listing(folder).items()}


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return float("inf")  # gone meanwhile: nothing to remove


def dedupe_first(table: pa.Table, key: tuple[str, ...]) -> pa.Table:
    """Keep the first row for each value of ``key`` columns, preserving row order."""
    return _unflagged(table, _duplicate_flags(table, key))


def _unflagged(rows: pa.Table, flags: pa.Array) -> pa.Table:
    """``rows`` without those ``flags`` marks, in their order."""
    return rows.filter(pc.invert(flags)) if flags.true_count else rows


# --- building a table from fragments, incrementally ---------------------------------------------
#
# A table build remembers, per table, the fragments it read (key → size and mtime of the file) and
# how many rows each gave, and keeps their rows, concatenated in key order and not deduplicated,
# each with a flag saying whether the dedupe dropped it (``_parts/_built/<table>.arrow``, column
# ``__dup``). The next build compares the fragments on disk with that list: none changed and the
# table file is the one it wrote → nothing to do; some changed → the unchanged keys' rows are
# zero-copy slices of the kept rows (a key's rows start where the counts of the keys before it
# end), the changed fragments go in between, in key order, and only the rows whose duplicate
# status can change are deduplicated again (``_redone_flags``). A missing or unreadable record
# means a full build from every fragment.

DUP_COLUMN = "__dup"
_DUP_FIELD = pa.field(DUP_COLUMN, pa.bool_(), nullable=False)
#: Bumped when the layout of the build record or of the kept rows changes.
_BUILD_FORMAT = 2


@dataclass(frozen=True)
class Combined:
    table: pa.Table
    fragments: int  # fragments read by this build
    duplicates: int  # rows dropped because an earlier fragment had the same primary key
    rebuilt: bool = True  # False: the table file on disk already had these rows
    incremental: bool = False  # True: only changed fragments were read


def built_path(warehouse_dir: Location, table: str) -> Location:
    return warehouse_dir / PARTS_DIR / BUILT_DIR / f"{table}.json"


def _kept_rows_path(warehouse_dir: Location, table: str) -> Location:
    return warehouse_dir / PARTS_DIR / BUILT_DIR / f"{table}{FRAGMENT_SUFFIX}"


def fragment_tokens(warehouse_dir: Location, table: str, keys: Iterable[str]) -> dict[str, str]:
    """``{key: token}`` of the fragments of ``table`` that exist for ``keys``, in key order
    (on object storage from one listing of the folder, not a request per fragment)."""
    found = {
        name[: -len(FRAGMENT_SUFFIX)]: token
        for name, token in folder_tokens(warehouse_dir / PARTS_DIR / table, FRAGMENT_SUFFIX).items()
    }
    return {key: found[key] for key in sorted(set(keys)) if key in found}


def _schema_digest(table: str) -> str:
    return hashlib.sha256(str(schema_for(table)).encode("utf-8")).hexdigest()[:16]


def _read_build_record(warehouse_dir: Location, table: str) -> dict[str, Any] | None:
    """The last build's record, if it describes the table file on disk and this schema."""
    try:
        record = json.loads(read_text(built_path(warehouse_dir, table)))
    except (OSError, ValueError):
        return None
    if (
        not isinstance(record, dict)
        or record.get("format") != _BUILD_FORMAT
        or record.get("schema") != _schema_digest(table)
        or record.get("table") != file_token(table_path(warehouse_dir, table))
        or not isinstance(record.get("fragments"), dict)
        or not isinstance(record.get("rows"), dict)
        or list(record["rows"]) != list(record["fragments"])
        or not all(type(n) is int and n >= 0 for n in record["rows"].values())
    ):
        return None
    return record


def _read_fragments(warehouse_dir: Location, table: str, keys: list[str]) -> list[pa.Table]:
    """The fragments of ``keys`` (in that order), schema enforced; read on threads, as the reads
    release the GIL."""
    schema = schema_for(table)

    def read(key: str) -> pa.Table:
        path = fragment_path(warehouse_dir, table, key)
        return conform(read_arrow(path), schema, what=f"fragment {path}")

    if len(keys) > 8:
        with ThreadPoolExecutor(READ_THREADS) as pool:
            return list(pool.map(read, keys))
    return [read(k) for k in keys]


def _kept_rows(warehouse_dir: Location, table: str, rows: int) -> pa.Table | None:
    """The rows kept by the last build, with their ``__dup`` flags; None if unreadable or not the
    ``rows`` rows its record counted."""
    try:
        kept = read_arrow(_kept_rows_path(warehouse_dir, table))
    except (OSError, pa.ArrowInvalid):
        return None
    if kept.num_rows != rows or not kept.schema.equals(schema_for(table).append(_DUP_FIELD)):
        return None
    return kept


def _row_numbers(n: int) -> pa.Array:
    return pa.array(np.arange(n, dtype=np.int64))  # pa.array(range(n)) takes 25 ms at 260,000 rows


def _duplicate_flags(table: pa.Table, key: tuple[str, ...]) -> pa.Array:
    """For each row, whether an earlier row has the same ``key`` values: the rows ``dedupe_first``
    drops, marked instead of the others taken, so the flags can be kept and partly redone."""
    n = table.num_rows
    if key and n:
        firsts = (
            table.select(list(key))
            .append_column("__row", _row_numbers(n))
            .group_by(list(key), use_threads=False)
            .aggregate([("__row", "min")])
            .column("__row_min")
        )
        if len(firsts) < n:
            flags = np.ones(n, dtype=bool)
            flags[firsts.to_numpy()] = False
            return pa.array(flags)
    return _no_flags(n)


def _row_offsets(counts: Mapping[str, int]) -> dict[str, tuple[int, int]]:
    """``{key: (first row, row count)}`` of each key's rows in the kept rows, which hold the keys'
    rows one key after the other, in key order."""
    offsets: dict[str, tuple[int, int]] = {}
    start = 0
    for key in sorted(counts):
        offsets[key] = (start, counts[key])
        start += counts[key]
    return offsets


def _spliced_rows(
    kept: pa.Table, offsets: Mapping[str, tuple[int, int]], keys: Iterable[str], fresh: Mapping[str, pa.Table]
) -> pa.Table:
    """The rows of ``keys`` (sorted) in key order, without sorting: a changed key's ``fresh``
    fragment (flagged as no duplicate until ``_redone_flags``), the others' rows as zero-copy
    slices of ``kept``, one slice for a run of keys that are still next to each other there."""
    pieces: list[pa.Table] = []
    start = end = 0  # kept rows [start, end): unchanged keys' rows not yet in a piece
    for key in keys:
        if key in fresh:
            part = fresh[key].append_column(_DUP_FIELD, _no_flags(fresh[key].num_rows))
            pieces += [kept.slice(start, end - start), part]
            start = end
        else:
            first, count = offsets[key]
            if first != end:  # a changed or removed key's rows lie between
                pieces.append(kept.slice(start, end - start))
                start = first
            end = first + count
    pieces.append(kept.slice(start, end - start))
    return pa.concat_tables([p for p in pieces if p.num_rows] or [kept.slice(0, 0)])


def _no_flags(n: int) -> pa.Array:
    return pa.array(np.zeros(n, dtype=bool))


def _touched_ids(
    kept: pa.Table,
    offsets: Mapping[str, tuple[int, int]],
    gone: Iterable[str],
    fresh: Mapping[str, pa.Table],
    column: str,
) -> pa.Array:
    """The distinct values of ``column`` (the first primary-key column: an id) in the old rows of
    the changed or removed keys (``gone``) and in the ``fresh`` fragments."""
    old = [kept.slice(*offsets[key]).column(column) for key in gone]
    new = [part.column(column) for part in fresh.values()]
    chunks = [chunk for values in old + new for chunk in values.chunks]
    return pc.unique(pa.chunked_array(chunks, kept.schema.field(column).type))


def _redone_flags(rows: pa.Table, flags: pa.Array, key: tuple[str, ...], touched: pa.Array) -> pa.Array:
    """The duplicate ``flags`` of ``rows``, those of the rows whose first key column holds a
    ``touched`` id deduplicated again among themselves, in table order. Only they can change: rows
    with the same primary key share that id, so a row whose key gained or lost a copy is one of
    them and so are all its copies; the other rows' copies and their order are as they were."""
    if not len(touched):
        return flags
    subset = pc.is_in(rows.column(key[0]), value_set=touched).combine_chunks()
    again = _duplicate_flags(rows.select(list(key)).filter(subset), key)
    return pc.replace_with_mask(flags, subset, again)


def _updated_rows(
    kept: pa.Table,
    record: Mapping[str, Any],
    tokens: Mapping[str, str],
    fresh: Mapping[str, pa.Table],
    key: tuple[str, ...],
) -> tuple[pa.Table, pa.Array, dict[str, int]]:
    """The rows of the keys in ``tokens`` with their duplicate flags and each key's row count: the
    last build's ``kept`` rows (described by its ``record``) updated with the ``fresh`` fragments
    of the keys that changed."""
    old: dict[str, str] = record["fragments"]
    offsets = _row_offsets(record["rows"])
    rows = _spliced_rows(kept, offsets, tokens, fresh).combine_chunks()
    flags = rows.column(DUP_COLUMN).combine_chunks()
    if key:
        gone = [k for k in old if tokens.get(k) != old[k]]
        flags = _redone_flags(rows, flags, key, _touched_ids(kept, offsets, gone, fresh, key[0]))
    counts = {k: fresh[k].num_rows if k in fresh else offsets[k][1] for k in tokens}
    return rows.drop_columns([DUP_COLUMN]), flags, counts


def build_table(warehouse_dir: Location, table: str, keys: Iterable[str]) -> Combined:
    """``warehouse/<table>.parquet`` from the fragments of ``keys``, reading only the fragments
    written or removed since the last build; the same file content a full build would give."""
    schema = schema_for(table)
    key = primary_key(schema)
    tokens = fragment_tokens(warehouse_dir, table, keys)
    record = _read_build_record(warehouse_dir, table)
    if record is not None and record["fragments"] == tokens:
        return Combined(read_table(warehouse_dir, table), 0, record.get("duplicates", 0), rebuilt=False)

    kept = None if record is None else _kept_rows(warehouse_dir, table, sum(record["rows"].values()))
    if record is None or kept is None:
        to_read = list(tokens)
        parts = _read_fragments(warehouse_dir, table, to_read)
        rows = pa.concat_tables(parts).combine_chunks() if parts else schema.empty_table()
        flags = _duplicate_flags(rows, key)
        counts = {k: part.num_rows for k, part in zip(to_read, parts, strict=True)}
    else:
        to_read = [k for k, t in tokens.items() if record["fragments"].get(k) != t]
        fresh = dict(zip(to_read, _read_fragments(warehouse_dir, table, to_read), strict=True))
        rows, flags, counts = _updated_rows(kept, record, tokens, fresh, key)
    duplicates = flags.true_count
    result = conform(_unflagged(rows, flags), schema, what=table)

    unlink(built_path(warehouse_dir, table))  # the record describes complete files only
    atomic_write_arrow(rows.append_column(_DUP_FIELD, flags), _kept_rows_path(warehouse_dir, table))
    atomic_write_parquet(result, table_path(warehouse_dir, table))
    record = {
        "format": _BUILD_FORMAT,
        "schema": _schema_digest(table),
        "table": file_token(table_path(warehouse_dir, table)),
        "duplicates": duplicates,
        "fragments": tokens,
        "rows": counts,
    }
    atomic_write_text(json.dumps(record), built_path(warehouse_dir, table))
    return Combined(result, len(to_read), duplicates, rebuilt=True, incremental=kept is not None)


def combine_fragments(warehouse_dir: Location, table: str, keys: Iterable[str]) -> Combined:
    """The table built from every fragment of ``keys`` (in sorted key order), schema enforced;
    reads them all and writes nothing (``build_table`` is the incremental, writing variant)."""
    schema = schema_for(table)
    parts = _read_fragments(warehouse_dir, table, list(fragment_tokens(warehouse_dir, table, keys)))
    combined = pa.concat_tables(parts) if parts else schema.empty_table()
    deduped = dedupe_first(combined, primary_key(schema))
    return Combined(
        table=conform(deduped.combine_chunks(), schema, what=table),
        fragments=len(parts),
        duplicates=combined.num_rows - deduped.num_rows,
    )


def read_table(warehouse_dir: Location, table: str, columns: Sequence[str] | None = None) -> pa.Table:
    """A built table (or only its ``columns``, in that order), checked against its schema
    (``FileNotFoundError`` if not built yet)."""
    path = table_path(warehouse_dir, table)
    schema = schema_for(table)
    if columns is not None:
        schema = pa.schema([schema.field(name) for name in columns], metadata=schema.metadata)
    return conform(read_parquet(path, columns), schema, what=str(path))
