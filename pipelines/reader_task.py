"""What a reader process does with one file during a run: parse it, turn the record into rows and
store them as the partition's fragments. No Dagster in here.

Runs inside a guarded reader (``parsers.guard.Guard.call``), so the conversion to Arrow and the
fragment writes happen on every reader in parallel, under the same per-file limits as the
parsing, and the run's main process receives a few counts instead of a whole record. Failures
keep their meaning: a ``ParseError`` or a reader bug reaches the caller as the guard reports it,
and a record that does not fit the schema comes back as ``schema_error`` with nothing written; the
caller then stores the quarantine row. The warehouse comes as a string, a directory or an fsspec
URL (``pipelines.storage.location``); a reader inherits the run's environment, so credentials and
endpoints of an object store given there reach it too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import parsers
from pipelines import storage
from schemas.rows import record_tables
from schemas.tables import SchemaError

TARGET = "pipelines.reader_task:parse_into_fragments"


def parse_into_fragments(
    path: str, rel_path: str, warehouse_dir: str, key: str, state: dict[str, Any]
) -> dict[str, Any]:
    """Parse ``path``; write its non-empty tables as the fragments of ``key`` (a table with no rows
    has no fragment) and ``state`` (plus status and counts) as its marker. Returns
    ``{"status": "parsed", "counts": {...}}`` or ``{"status": "schema_error", "message": ...}``."""
    record = parsers.parse_file(Path(path))
    try:
        tables = record_tables(record, rel_path)
    except SchemaError as err:
        return {"status": "schema_error", "message": str(err)}
    counts = {name: t.num_rows for name, t in tables.items()}
    marker = {**state, "status": "parsed", "error_kind": None, "counts": counts} if state else None
    storage.write_fragments(
        storage.location(warehouse_dir), key, {n: t for n, t in tables.items() if t.num_rows}, state=marker
    )
    return {"status": "parsed", "counts": counts}
