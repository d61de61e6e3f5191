"""Raw file → the rows it contributes to the warehouse, one partition per file.

``parsed_documents`` is partitioned by document (``pipelines.partitions``) and declares
``BackfillPolicy.single_run()``: a backfill over many documents is one run in one process that
loops over ``context.partition_keys``, while rerunning a single document stays one click. Each
document's rows go to its own fragments (``warehouse/_parts/<table>/<key>.parquet``), so a
rerun replaces exactly that document's rows and never duplicates them. A file the parser rejects
becomes a quarantine fragment; the asset still succeeds and the run goes on.
"""

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from dagster import AssetExecutionContext, BackfillPolicy, MaterializeResult, MetadataValue, asset

import parsers
from parsers.errors import ParseError
from parsers.guard import Limits, ReaderError, parse_guarded
from pipelines.partitions import documents_partitions
from pipelines.resources import RawStore, Warehouse
from schemas.rows import quarantine_table, record_tables
from schemas.tables import SchemaError

#: One record per document processed, for whoever wants progress (``gongwen run`` listens).
#: ``record.gongwen`` holds index, total, status (parsed/quarantined/missing), path, message.
progress_log = logging.getLogger("gongwen.progress")


@dataclass(frozen=True)
class Outcome:
    """What became of one raw file."""

    status: str  # "parsed" | "quarantined"
    tables: dict[str, pa.Table]
    message: str = ""
    error_kind: str | None = None
    counts: dict[str, int] = field(default_factory=dict)


def ingest_file(
    path: Path, rel_path: str, now: dt.datetime | None = None, limits: Limits | None = None
) -> Outcome:
    """Parse one file into its warehouse tables, or into a quarantine row when it fails.

    With ``limits`` (what the asset passes) the file is read by ``parsers.guard`` in its worker
    process within them (size, time, memory); without, in this process and unguarded (tests,
    debugging). ``ParseError`` (bad input, over a limit) and any other exception
    (a parser bug, kind ``internal_error``) quarantine at stage ``parse``; a record that does not
    fit the schema quarantines at stage ``convert`` (kind ``schema_error``). Never raises for a bad file.
    """
    recorded_at = now or dt.datetime.now(dt.UTC)

    def quarantined(stage: str, kind: str, message: str) -> Outcome:
        table = quarantine_table(rel_path, stage, kind, message, recorded_at)
        return Outcome("quarantined", {"quarantine": table}, message, kind, {"quarantine": 1})

    try:
        record = parse_guarded(path, limits) if limits is not None else parsers.parse_file(path)
    except ParseError as err:
        return quarantined("parse", err.kind, err.message)
    except ReaderError as err:
        return quarantined("parse", "internal_error", str(err))
    except Exception as err:  # a parser bug must not stop the other documents
        return quarantined("parse", "internal_error", f"{type(err).__name__}: {err}")
    try:
        tables = record_tables(record, rel_path)
    except SchemaError as err:
        return quarantined("convert", "schema_error", str(err))
    counts = {name: t.num_rows for name, t in tables.items()}
    message = ", ".join(f"{n} {name if n != 1 else name[:-1]}" for name, n in counts.items())
    return Outcome("parsed", tables, message, None, counts)


@asset(
    partitions_def=documents_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    group_name="ingest",
    kinds={"python", "parquet"},
    description="Each raw file parsed into its rows (documents, citations) or a quarantine row, "
    "stored as per-document fragments under warehouse/_parts/.",
)
def parsed_documents(
    context: AssetExecutionContext, raw_store: RawStore, warehouse: Warehouse
) -> MaterializeResult:
    keys = list(context.partition_keys)
    files = raw_store.files()
    totals: Counter[str] = Counter()
    per_partition: dict[str, dict[str, Any]] = {}
    for index, key in enumerate(keys, start=1):
        rel = files.get(key)
        info: dict[str, object] = {"index": index, "total": len(keys), "key": key, "path": rel}
        if rel is None:
            warehouse.write_fragments(key, {})  # its rows go at the next table build
            status, message = "missing", "the file is no longer in the raw directory"
            meta: dict[str, Any] = {"status": status, "message": message}
        else:
            outcome = ingest_file(raw_store.path / rel, rel, limits=raw_store.limits())
            if outcome.error_kind == "internal_error":
                context.log.error(f"{rel}: parser bug, quarantined: {outcome.message}")
            warehouse.write_fragments(key, outcome.tables)
            status, message = outcome.status, outcome.message
            meta = {"status": status, "path": rel, **{f"rows_{k}": v for k, v in outcome.counts.items()}}
            if outcome.status == "quarantined":
                meta["error_kind"] = outcome.error_kind or ""
                meta["error"] = outcome.message
        totals[status] += 1
        per_partition[key] = meta
        line = f"[{index}/{len(keys)}] {status} {rel or key}: {message}"
        (context.log.warning if status != "parsed" else context.log.info)(line)
        progress_log.info(line, extra={"gongwen": {**info, "status": status, "message": message}})
    run_meta: dict[str, Any] = {
        "run_documents": len(keys),
        "run_parsed": totals["parsed"],
        "run_quarantined": totals["quarantined"],
        "run_missing": totals["missing"],
        "run_finished_at": MetadataValue.timestamp(dt.datetime.now(dt.UTC)),
    }
    if len(keys) == 1:  # one document: its metadata is the materialization's
        return MaterializeResult(metadata={**run_meta, **per_partition[keys[0]]})
    for key, meta in per_partition.items():  # a range: each partition's event gets its own
        context.add_asset_metadata(meta, partition_key=key)
    return MaterializeResult(metadata=run_meta)
