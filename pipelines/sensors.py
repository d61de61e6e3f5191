"""Sensors that start parsing by themselves: files dropped into ``raw/``, and files a scrape saved.

Both request one ``ingest`` run. New keys are registered after the existing ones, in sorted
order, so they form one contiguous range of the ``documents`` partitions: one run tagged
``dagster/asset_partition_range_start``/``_end`` covers them all, and ``parsed_documents``'
single-run backfill policy parses them in one process (a night's intake is one run, not one per
file). Files a scrape updated keep their key, wherever it is: the run after a scrape spans from
the first to the last key it saved or updated, and reads only the files that changed.

``raw_files_sensor`` must stay cheap (sensor evaluations time out after ~60 s, dagster-io/dagster
#14830): it lists the raw directory, and only when the list of files differs from the cursor
(a digest of the partition keys) does it ask the instance which keys are registered. It never
parses. Files replaced in place keep their key and are not picked up: rerun them from the UI.
"""

import hashlib
from collections.abc import Sequence

from dagster import (
    DagsterEventType,
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    RunStatusSensorContext,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_status_sensor,
    sensor,
)

from pipelines.jobs import ingest_job
from pipelines.partitions import DOCUMENTS_PARTITIONS_NAME, documents_partitions
from pipelines.raw_files import discover_raw_files
from pipelines.resources import RawStore
from pipelines.schedules import scrape_job

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


def span_of(keys: Sequence[str], order: Sequence[str]) -> tuple[str, str] | None:
    """The first and the last of ``keys`` in ``order`` (the registered partition order); None
    when none of them is registered."""
    wanted = set(keys)
    present = [key for key in order if key in wanted]
    return (present[0], present[-1]) if present else None


def parse_request(first: str, last: str, run_key: str) -> RunRequest:
    """One ``ingest`` run over the partitions ``first``…``last``."""
    if first == last:
        return RunRequest(run_key=run_key, partition_key=first, tags={"gongwen/trigger": "sensor"})
    return RunRequest(
        run_key=run_key, tags={RANGE_START: first, RANGE_END: last, "gongwen/trigger": "sensor"}
    )


@sensor(
    job=ingest_job,
    minimum_interval_seconds=30,
    default_status=DefaultSensorStatus.RUNNING,
    description="Files dropped into raw/ by hand: register them as documents partitions and "
    "parse only those (one ingest run).",
)
def raw_files_sensor(context: SensorEvaluationContext, raw_store: RawStore) -> SensorResult | SkipReason:
    try:
        files = discover_raw_files(raw_store.path)
    except (FileNotFoundError, ValueError) as err:
        return SkipReason(str(err))
    digest = hashlib.sha1("\n".join(files).encode()).hexdigest()
    cursor = f"{len(files)}:{digest}"
    if context.cursor == cursor:
        return SkipReason(f"no change in {raw_store.path} ({len(files)} files)")
    registered = set(context.instance.get_dynamic_partitions(DOCUMENTS_PARTITIONS_NAME))
    new = [key for key in files if key not in registered]  # sorted, like the files
    if not new:
        return SensorResult(skip_reason=SkipReason("no new files in raw/"), cursor=cursor)
    context.log.info(f"{len(new)} new files in raw/: {', '.join(new[:10])}{' …' if len(new) > 10 else ''}")
    return SensorResult(
        run_requests=[parse_request(new[0], new[-1], run_key=f"raw:{digest[:16]}")],
        dynamic_partitions_requests=[documents_partitions.build_add_request(new)],
        cursor=cursor,
    )


def scraped_partition_keys(context: RunStatusSensorContext) -> list[str]:
    """``parse_partition_keys`` of the ``scraped_files`` materialization in the finished run."""
    records = context.instance.all_logs(
        context.dagster_run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION
    )
    keys: list[str] = []
    for record in records:
        event = record.dagster_event
        materialization = event.step_materialization_data.materialization if event else None
        if materialization is None or materialization.asset_key.to_user_string() != "scraped_files":
            continue
        value = materialization.metadata.get("parse_partition_keys")
        keys += list(getattr(value, "data", None) or [])
    return keys


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[scrape_job],
    request_job=ingest_job,
    default_status=DefaultSensorStatus.RUNNING,
    description="After a successful scrape: parse the files it saved (one ingest run from the "
    "first to the last partition it saved or updated; unchanged ones in between are not read).",
)
def parse_after_scrape(context: RunStatusSensorContext) -> list[RunRequest] | SkipReason:
    """One ingest run from the first to the last partition the scrape saved or updated. New files
    are registered last, so they are one stretch; files it updated may lie anywhere among the
    others. The unchanged partitions in between are not read again (their state markers), only
    recorded as materialized (~2.4 ms each): cheaper than one run per stretch, which the daemon
    would launch all at once, each with its own process, readers and table builds."""
    keys = scraped_partition_keys(context)
    if not keys:
        return SkipReason("the scrape saved no new files")
    span = span_of(keys, context.instance.get_dynamic_partitions(DOCUMENTS_PARTITIONS_NAME))
    if span is None:
        return SkipReason("none of the files the scrape saved is registered as a partition")
    first, last = span
    return [parse_request(first, last, run_key=f"scrape:{context.dagster_run.run_id}:{first}:{last}")]


SENSORS = [raw_files_sensor, parse_after_scrape]
