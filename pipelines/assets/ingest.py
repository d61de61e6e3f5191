"""Raw file → the rows it contributes to the warehouse, one partition per file.

``parsed_documents`` is partitioned by document (``pipelines.partitions``) and declares
``BackfillPolicy.single_run()``: a backfill over many documents is one run in one process that
loops over ``context.partition_keys``, while rerunning a single document stays one click. Each
document's rows go to its own fragments (``warehouse/_parts/<table>/<key>.arrow``), so a
rerun replaces exactly that document's rows and never duplicates them. A file the parser rejects
becomes a quarantine fragment; the asset still succeeds and the run goes on.

Speed (docs/benchmark.md): files are read by a pool of guarded reader processes (one per CPU by
default, ``raw_store.parse_workers``), each under the same per-file limits, results taken in key
order; and a file whose bytes and parser code are those its fragments were made from is not read
again (``parser_version``, the ``_parts/_state/<key>.json`` marker in ``pipelines.storage``). The
reading itself is ``pipelines.reading`` (no Dagster there).

A run tagged ``gongwen/changed_only=true`` (``CHANGED_ONLY_TAG``; ``gongwen run`` uses it when the
changed files are scattered) reads only the files of its range that changed and records a
materialization for those partitions alone, not for every partition of the range: Dagster runs
one contiguous key range at a time (dagster-io/dagster#32335) and writes one event per partition
of it (~9 ms each on SQLite), so 20 changed files among 2,000 are one cheap run instead of 20 runs
or 2,000 events. Such a run yields no output for the range, so the steps downstream are skipped:
the tables follow in a run of their own.
"""

import datetime as dt
import logging
import os
import time
from collections import Counter
from collections.abc import Iterator
from functools import partial
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetMaterialization,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)

from pipelines.partitions import documents_partitions
from pipelines.reading import ReaderPool, ReadJob, parser_version, read_file, reader_pool, unchanged
from pipelines.resources import RawStore, Warehouse
from pipelines.storage import check_writable

#: Run tag: read only the changed files of the run's range and materialize only their partitions.
CHANGED_ONLY_TAG = "gongwen/changed_only"

#: One record per document processed, for whoever wants progress (``gongwen run`` listens).
#: ``record.gongwen`` holds index, total, status (parsed/quarantined/missing), path, message.
progress_log = logging.getLogger("gongwen.progress")


def readers_for(raw_store: RawStore) -> ReaderPool:
    """The pool a run over ``raw_store`` reads with: ``parse_workers`` readers (one per CPU by
    default) under its limits."""
    return reader_pool(raw_store.parse_workers or os.cpu_count() or 1, raw_store.limits())


#: Up to this many partitions in a run, each partition's materialization carries its own metadata
#: (status, rows). Dagster checks every such call against all registered partitions, which makes
#: a bulk load quadratic (18 s of 2,000 documents' run); beyond it the run's metadata lists the
#: files that were not parsed, and each document's outcome is in the documents/quarantine tables.
PER_PARTITION_METADATA_MAX = 200


@asset(
    partitions_def=documents_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    output_required=False,  # a changed-only run materializes its partitions one by one instead
    group_name="ingest",
    kinds={"python", "parquet"},
    description="Each raw file parsed into its rows (documents, citations) or a quarantine row, "
    "stored as per-document fragments under warehouse/_parts/.",
)
def parsed_documents(
    context: AssetExecutionContext, raw_store: RawStore, warehouse: Warehouse
) -> Iterator[MaterializeResult]:
    t_start = time.perf_counter()
    keys = list(context.partition_keys)
    changed_only = context.run.tags.get(CHANGED_ONLY_TAG, "").lower() == "true"
    check_writable(warehouse.path)  # object storage: one clear error instead of one per file
    files = raw_store.files()
    limits = raw_store.limits()
    totals: Counter[str] = Counter()
    per_partition: dict[str, dict[str, Any]] = {}
    timings: Counter[str] = Counter()

    # 1. which files need reading: new, changed, parser code changed, or retryable failures;
    # and those ``gongwen run`` started reading ahead for this run (their state may be written)
    pool = readers_for(raw_store)
    job = ReadJob(raw_store.path, warehouse.path, limits)
    todo: list[tuple[str, str]] = []
    reuse: dict[str, dict[str, Any]] = {}
    states = warehouse.read_states([key for key in keys if key in files])
    for key in keys:
        rel = files.get(key)
        if rel is None:
            continue
        state = states[key]
        started_ahead = pool.has_ahead(job.tag((key, rel)))
        if not started_ahead and unchanged(state, raw_store.path / rel) and state is not None:
            reuse[key] = state
        else:
            todo.append((key, rel))
    timings["hash"] = time.perf_counter() - t_start
    # a changed-only run reports (and materializes) only the documents it does something to
    reported = [key for key in keys if key not in reuse] if changed_only else keys

    # 2. read them on a pool of guarded readers, which also write the fragments; results come
    # back in key order (a file read ahead is taken from there, not read twice)
    outcomes = pool.map(partial(read_file, job, pool), todo, tag=job.tag)
    try:
        for index, key in enumerate(reported, start=1):
            rel = files.get(key)
            info: dict[str, object] = {"index": index, "total": len(reported), "key": key, "path": rel}
            if rel is None:
                warehouse.write_fragments(key, {})  # its rows go at the next table build
                status, message = "missing", "the file is no longer in the raw directory"
                meta: dict[str, Any] = {"status": status, "message": message}
            elif key in reuse:
                state = reuse[key]
                status, message = "unchanged", "unchanged, not read again"
                counts = state.get("counts", {})
                meta = {"status": state["status"], "path": rel, "reused": True}
                meta.update({f"rows_{k}": v for k, v in counts.items()})
                if state.get("error_kind"):
                    meta["error_kind"] = state["error_kind"]
                totals[state["status"]] += 1
            else:
                t0 = time.perf_counter()
                outcome, seconds = next(outcomes)
                timings["wait_for_readers"] += time.perf_counter() - t0
                timings["read_and_convert"] += seconds
                if outcome.error_kind == "internal_error":
                    context.log.error(f"{rel}: parser bug, quarantined: {outcome.message}")
                status, message = outcome.status, outcome.message
                meta = {"status": status, "path": rel, **{f"rows_{k}": v for k, v in outcome.counts.items()}}
                if outcome.status == "quarantined":
                    meta["error_kind"] = outcome.error_kind or ""
                    meta["error"] = outcome.message
                totals["read"] += 1
            if status != "unchanged":
                totals[status] += 1
            per_partition[key] = meta
            line = f"[{index}/{len(reported)}] {status} {rel or key}: {message}"
            if status in ("quarantined", "missing"):  # one event log entry per problem, not per file
                context.log.warning(line)
            progress_log.info(line, extra={"gongwen": {**info, "status": status, "message": message}})
    finally:
        outcomes.close()
    context.log.info(
        f"{len(keys)} documents: {totals['read']} read, {len(reuse)} unchanged (not read again), "
        f"{totals['quarantined']} quarantined, {totals['missing']} missing"
    )
    t0 = time.perf_counter()
    run_meta: dict[str, Any] = {
        "run_documents": len(keys),
        "run_parsed": totals["parsed"],
        "run_quarantined": totals["quarantined"],
        "run_missing": totals["missing"],
        "run_files_read": totals["read"],
        "run_files_unchanged": len(reuse),
        "run_reader_processes": pool.workers if todo else 0,
        "parser_version": parser_version(),
        "run_finished_at": MetadataValue.timestamp(dt.datetime.now(dt.UTC)),
    }
    if changed_only:  # one materialization per document read or gone, none for the range
        for key, meta in per_partition.items():
            meta = {**meta, "parser_version": run_meta["parser_version"]}
            context.log_event(AssetMaterialization(asset_key=context.asset_key, partition=key, metadata=meta))
        return
    if len(keys) == 1:  # one document: its metadata is the materialization's
        yield MaterializeResult(metadata={**run_meta, **per_partition[keys[0]]})
        return
    if len(keys) <= PER_PARTITION_METADATA_MAX:  # a range: each partition's event gets its own
        for key, meta in per_partition.items():
            context.add_asset_metadata(meta, partition_key=key)
    else:  # a bulk load: the problems only (the rest is in the documents and quarantine tables)
        problems = [
            f"| {meta.get('path') or key} | {meta['status']} | {meta.get('error_kind', '')} |"
            for key, meta in per_partition.items()
            if meta["status"] != "parsed"
        ]
        run_meta["run_problems"] = MetadataValue.md(
            "| file | status | error |\n|---|---|---|\n" + ("\n".join(problems) or "| — | | |")
        )
    timings["metadata"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - t_start
    run_meta.update({f"time_{k}": round(v, 2) for k, v in timings.items()})
    yield MaterializeResult(metadata=run_meta)
