"""The warehouse side of the ``gongwen`` command: ``run``, ``ui`` and ``query``.

Each function returns an exit code (0 ok, 1 the work failed, 2 bad input or environment) and
prints errors to stderr as one line each. ``run`` and ``ui`` share one persistent Dagster
instance, ``$DAGSTER_HOME`` or else ``.dagster/`` in the project (created on first use with
telemetry off), so every run of ``gongwen run`` shows in the UI afterwards.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import decimal
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import unicodedata
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipelines.storage import Location

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
OUTPUT_FORMATS = ("table", "csv", "json")
TABLE_CELL_WIDTH = 60  # display columns; csv/json print full values

_PROJECT_ROOT = Path(__file__).resolve().parents[1]
_DAGSTER_YAML = """\
# Local Dagster instance of gongwen (created by `gongwen run` / `gongwen ui`).
telemetry:
  enabled: false
# Dagster's SQLite event log in its usual place, keeping its connections open (pipelines/event_log.py)
event_log_storage:
  module: pipelines.event_log
  class: PooledSqliteEventLogStorage
  config:
    base_dir: {event_logs}
# Dagster's SQLite run storage in its usual place, commits not waiting for the disk (pipelines/run_storage.py)
run_storage:
  module: pipelines.run_storage
  class: NormalSyncSqliteRunStorage
  config:
    base_dir: {history}
"""


def _error(message: str) -> None:
    print(f"gongwen: error: {message}", file=sys.stderr)


def _warn(message: str) -> None:
    print(f"gongwen: warning: {message}", file=sys.stderr)


def _display(path: Location) -> str:
    """``path`` relative to the working directory when it lies below it, else absolute; a
    warehouse on object storage as its URL."""
    if not isinstance(path, Path):
        return str(path)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return str(path)


# --- Dagster instance --------------------------------------------------------------------------


#: Environment of the processes that create runs (this one, the UI's, the distributed runner's),
#: unless already set. Dagster writes a "materialization planned" event for every partition of a
#: run over a key range (~15 ms each on SQLite: 30 s of a first run over 2,000 documents); with
#: this switch it writes one event naming the range. Dagster's trade-off: when such a run fails,
#: its partitions are not shown as failed in the UI (the run is).
INSTANCE_ENV = {"DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS": "true"}


def dagster_home() -> Path:
    """``$DAGSTER_HOME`` if set, else ``<project>/.dagster`` (then exported to this process,
    with ``INSTANCE_ENV``).

    Creates the directory and a ``dagster.yaml`` when they are missing (telemetry disabled, the
    event log in ``pipelines.event_log.PooledSqliteEventLogStorage``, the run storage in
    ``pipelines.run_storage.NormalSyncSqliteRunStorage``); an existing ``dagster.yaml`` is never
    touched.
    """
    home = Path(os.environ.get("DAGSTER_HOME") or _PROJECT_ROOT / ".dagster").resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        tmp = config.with_name(f".dagster.yaml.{os.getpid()}.tmp")
        history = home / "history"
        paths = {"history": history, "event_logs": history / "runs"}
        yaml = _DAGSTER_YAML.format(**{name: json.dumps(str(path)) for name, path in paths.items()})
        tmp.write_text(yaml, encoding="utf-8")  # the paths as quoted YAML strings
        os.replace(tmp, config)
    os.environ["DAGSTER_HOME"] = str(home)
    for name, value in INSTANCE_ENV.items():
        os.environ.setdefault(name, value)
    return home


@contextlib.contextmanager
def _quiet_dagster() -> Iterator[None]:
    """Hide Dagster's beta/preview warnings: they are for developers, not for ``gongwen run``."""
    import dagster

    with warnings.catch_warnings():
        for name in ("BetaWarning", "PreviewWarning", "SupersessionWarning", "ExperimentalWarning"):
            category = getattr(dagster, name, None)
            if isinstance(category, type) and issubclass(category, Warning):
                warnings.simplefilter("ignore", category)
        yield


# --- gongwen run -------------------------------------------------------------------------------


class _ProgressHandler(logging.Handler):
    """Prints one line per document from ``pipelines.assets.ingest.progress_log`` records."""

    def __init__(self, raw_display: str, stream: IO[str]) -> None:
        super().__init__(logging.INFO)
        self.raw_display = raw_display.rstrip("/")
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        info = getattr(record, "gongwen", None)
        if not isinstance(info, dict):
            return
        where = f"{self.raw_display}/{info.get('path') or info.get('key')}"
        head = f"[{info['index']}/{info['total']}] {info['status']} {where}"
        status, message = info["status"], info.get("message")
        line = (
            f"{head} ({message})"
            if status == "parsed" and message
            else (f"{head}: {message}" if message else head)
        )
        print(line, file=self.stream, flush=True)


def _run_failure(result: Any) -> str:
    """One line saying which step failed and why."""
    for event in result.all_events:
        if event.is_step_failure:
            err = event.step_failure_data.error
            message = (err.message or "").strip().splitlines()
            return f"step {event.step_key} failed: {message[-1] if message else err.cls_name}"
    return "the run failed (see the Dagster UI for its logs)"


def run(
    raw_dir: Path | None = None, warehouse_dir: Path | str | None = None, as_of: dt.date | None = None
) -> int:
    """Register every raw file as a partition and materialize the ``ingest`` job; the cross-check
    judges deadlines as of ``as_of`` (default: today in Shanghai).

    A first run is one run over every partition. A rerun reads only the files that changed and
    is at most two runs (``run_plan``).

    Progress: one line per document on stderr, then a summary. Quarantined files are not a
    failure; a failed run is (exit 1). ``warehouse_dir`` may be an fsspec URL (``s3://…``).
    """
    from pipelines.paths import RAW_DIR_ENV, from_cwd, resolve_dir, resolve_warehouse

    raw = resolve_dir(from_cwd(raw_dir), RAW_DIR_ENV, "raw")
    warehouse = resolve_warehouse(from_cwd(warehouse_dir))
    if not raw.is_dir():
        _error(f"raw directory {_display(raw)} does not exist")
        return EXIT_USAGE
    if isinstance(warehouse, Path) and warehouse.exists() and not warehouse.is_dir():
        _error(f"warehouse {_display(warehouse)} exists and is not a directory")
        return EXIT_USAGE

    from parsers.startup import loading_for_life

    with loading_for_life():
        from parsers.guard import Limits
        from pipelines.raw_files import discover_raw_files
        from pipelines.reading import ReadJob, close_reader_pools, read_ahead, reader_pool, stale_keys
        from pipelines.storage import arrow_without_pandas, check_writable

    # The first reader starts now, before the files are checked: in a rerun with files to read, the
    # readers are what the run waits for (a reader's start-up is ~1 s of CPU, then the files), and
    # here a CPU is still free. Where nothing turns out to need reading, it is stopped again within
    # a fraction of a second of that free CPU. The run takes the readers' results (same raw
    # directory, warehouse and limits: RawStore's defaults).
    limits = Limits()
    reader_pool(1, limits).start()
    arrow_without_pandas()  # nothing here hands pyarrow pandas objects (~0.3 s of CPU spared)
    try:
        check_writable(warehouse)
        files = discover_raw_files(raw)
    except (OSError, ValueError) as err:
        _error(str(err))
        return EXIT_USAGE
    # Before Dagster is loaded (~1.5 s): the files new or changed since their fragments were made
    # go to the readers now, so that the readers work while it loads.
    changed = set(stale_keys(list(files), files, raw, warehouse))
    to_read = [(key, rel) for key, rel in files.items() if key in changed]
    readers = reader_count(len(to_read))
    if to_read:
        pool = reader_pool(readers, limits)
        read_ahead(pool, ReadJob(raw, warehouse, limits), to_read)
    else:
        close_reader_pools()  # nothing to read: the reader started above is not needed

    with _quiet_dagster():
        with loading_for_life():  # Dagster, the definitions and the instance stay for the run
            from dagster import DagsterInstance

            from pipelines.assets.crosscheck import PAIR_POOL_MIN_DOCUMENTS
            from pipelines.assets.ingest import parsed_documents, progress_log
            from pipelines.crosscheck_cache import start_pair_pool
            from pipelines.definitions import defs
            from pipelines.partitions import sync_document_partitions

            dagster_home()
            instance = DagsterInstance.get()
            job = defs.resolve_job_def("ingest")
        try:
            sync = sync_document_partitions(instance, raw, warehouse, files)
        except (OSError, ValueError) as err:
            _error(str(err))
            return EXIT_USAGE
        print(
            f"{len(sync.keys)} files in {_display(raw)} ({len(sync.added)} new, "
            f"{len(sync.removed)} gone); warehouse {_display(warehouse)}; "
            f"Dagster instance {_display(Path(os.environ['DAGSTER_HOME']))}",
            file=sys.stderr,
        )

        downstream = [k for k in job.asset_layer.executable_asset_keys if k != parsed_documents.key]
        stale = [key for key in sync.keys if key in changed]
        plan = run_plan(list(sync.keys), stale, parsed_documents.key, downstream)
        run_config = {
            "resources": {
                "raw_store": {"config": {"root": str(raw), "parse_workers": readers}},
                "warehouse": {"config": {"root": str(warehouse)}},
                **({"crosscheck_settings": {"config": {"as_of": as_of.isoformat()}}} if as_of else {}),
            },
            "loggers": {"console": {"config": {"log_level": "ERROR"}}},
        }
        cpus = os.cpu_count() or 1
        if to_read and readers < cpus and pool.pending_ahead() >= LATE_READER_MIN_FILES:
            pool.add_reader()  # Dagster is loaded: this process waits from now on, a CPU is free
        # the cross-check's workers start once the changed files are read (their start-up would
        # slow the readers down), while this process builds the tables
        pair_pool_after_parse = bool(to_read) and len(files) >= PAIR_POOL_MIN_DOCUMENTS and cpus >= 2
        handler = _ProgressHandler(_display(raw), sys.stderr)
        previous_level = progress_log.level
        progress_log.addHandler(handler)
        progress_log.setLevel(logging.INFO)
        try:
            for planned in plan:
                if pair_pool_after_parse and planned.selection == downstream:
                    start_pair_pool()
                result = job.execute_in_process(
                    run_config=run_config,
                    instance=instance,
                    tags={"gongwen/command": "run", **planned.tags},
                    asset_selection=planned.selection,
                    raise_on_error=False,
                )
                if not result.success:
                    break
        finally:
            progress_log.removeHandler(handler)
            progress_log.setLevel(previous_level)

        if not result.success:
            _error(f"run {result.run_id[:8]}: {_run_failure(result)}")
            return EXIT_FAILED
        for evaluation in result.get_asset_check_evaluations():
            if not evaluation.passed:
                counts = ", ".join(
                    f"{key.replace('_', ' ')}: {value.value}"
                    for key, value in evaluation.metadata.items()
                    if isinstance(getattr(value, "value", None), int)
                )
                level = "warning" if evaluation.severity.value == "WARN" else "ERROR"
                _warn(
                    f"check {evaluation.asset_key.to_user_string()}:{evaluation.check_name} "
                    f"did not pass ({level}; {counts or 'see the Dagster UI'})"
                )
    return _print_summary(warehouse, result.run_id)


#: Spawning a reader costs ~1.4 s of CPU (Python, the parsers, spaCy and jieba's dictionary), and
#: on 2 cores the run's own process needs a core while the readers start: where readers cannot be
#: copied from the first one (``can_fork_workers``), a rerun with few files to read starts fewer
#: (a second spawned one for 20 files made the rerun no shorter, measured).
FILES_PER_READER = 30

#: Once Dagster is loaded, ``gongwen run`` only waits for its readers: when at least this many
#: files are still queued, it starts one more reader on the free CPU (``ReaderPool.add_reader``),
#: which takes files from the queue once it has started.
LATE_READER_MIN_FILES = 8


def reader_count(files_to_read: int) -> int:
    """Readers for a run that reads ``files_to_read`` files, at least one, at most one per CPU:
    one per file where the readers after the first are copies of it (``can_fork_workers``, ~20 ms
    each), else one per ``FILES_PER_READER``."""
    from parsers.guard import can_fork_workers

    per_reader = 1 if can_fork_workers() else FILES_PER_READER
    return max(1, min(os.cpu_count() or 1, -(-files_to_read // per_reader)))


@dataclass(frozen=True)
class PlannedRun:
    """One Dagster run of the ``ingest`` job: its tags and asset selection (None: all of it)."""

    tags: dict[str, str]
    selection: list[Any] | None = None


def run_plan(keys: list[str], stale: Sequence[str], parse: Any, downstream: list[Any]) -> list[PlannedRun]:
    """The runs that bring the warehouse up to date when ``stale`` of the registered ``keys``
    (in registration order) are new or changed; ``parse`` is the parsing asset's key,
    ``downstream`` the keys of everything after it.

    - none: one run of the tables and the cross-check (they skip what did not change);
    - one unbroken stretch of keys (a first run, or files added at the end): one run over that
      range, parsing and everything downstream;
    - scattered: a changed-only parse run over the range from the first to the last stale key
      (it reads and materializes the stale files only; ``CHANGED_ONLY_TAG``), then one run of
      everything downstream. Dagster runs one contiguous range at a time and writes an event per
      partition of it, so neither a run per stretch nor one plain run over the whole range is cheap.
    """
    from pipelines.assets.ingest import CHANGED_ONLY_TAG
    from pipelines.sensors import RANGE_END, RANGE_START, span_of

    span = span_of(stale, keys)
    if span is None:
        return [PlannedRun({}, downstream)]
    first, last = span
    key_range = {RANGE_START: first, RANGE_END: last}
    if keys.index(last) - keys.index(first) + 1 == len(set(stale)):  # no unchanged key between
        return [PlannedRun(key_range)]
    return [PlannedRun({**key_range, CHANGED_ONLY_TAG: "true"}, [parse]), PlannedRun({}, downstream)]


def _print_summary(warehouse: Location, run_id: str) -> int:
    """The run's one-line summary: the rows of the main tables, read with pyarrow (one column
    each; DuckDB's first query would cost ~0.1 s more at the end of every run)."""
    import pyarrow as pa

    from pipelines import storage

    try:
        parents = storage.read_table(warehouse, "documents", ["parent_id"]).column("parent_id")
        docs, forwarded = len(parents), len(parents) - parents.null_count
        cites, tasks, bad = (
            storage.read_table(warehouse, table, [column]).num_rows
            for table, column in (("citations", "doc_id"), ("tasks", "task_id"), ("quarantine", "path"))
        )
    except (OSError, pa.ArrowException, ValueError) as err:
        _error(f"the run finished but its tables cannot be read: {str(err).splitlines()[0]}")
        return EXIT_FAILED
    print(
        f"done: {docs} documents ({forwarded} forwarded), {cites} citations, {tasks} tasks, "
        f"{bad} quarantined; run {run_id[:8]}",
        file=sys.stderr,
    )
    return EXIT_OK


# --- gongwen ui --------------------------------------------------------------------------------


class _Stop(Exception):
    """SIGTERM/SIGHUP reached ``gongwen ui``."""


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _dagster_executable() -> str:
    beside = Path(sys.executable).with_name("dagster")
    return str(beside) if beside.exists() else "dagster"


def _reset_signals() -> None:  # runs in the child before exec
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT):
        signal.signal(sig, signal.SIG_DFL)


def ui(port: int = 3000, host: str = "127.0.0.1", *, stop_timeout: float = 30.0) -> int:
    """Run ``dagster dev`` (webserver + daemon) on the project until Ctrl-C or SIGTERM.

    The server runs in its own process group with default signal dispositions (so it obeys
    SIGINT even when this process was started in the background, where SIGINT is ignored);
    Ctrl-C or SIGTERM here is forwarded as SIGINT, and after ``stop_timeout`` seconds the group
    is terminated. Returns 0 after a clean stop.
    """
    if not 0 < port < 65536:
        _error(f"port {port} is not a valid TCP port")
        return EXIT_USAGE
    if not _port_free(host, port):
        _error(f"port {port} on {host} is in use; choose another with --port")
        return EXIT_USAGE
    home = dagster_home()
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    cmd = [
        _dagster_executable(),
        "dev",
        "-m",
        "pipelines.definitions",
        "-d",
        str(_PROJECT_ROOT),
        "-h",
        host,
        "-p",
        str(port),
    ]
    print(f"Dagster UI on http://{host}:{port} (instance {_display(home)}); Ctrl-C stops it", file=sys.stderr)

    def on_signal(signum: int, frame: object) -> None:
        raise _Stop

    old = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        proc = subprocess.Popen(cmd, cwd=_PROJECT_ROOT, env=env, process_group=0, preexec_fn=_reset_signals)
    except OSError as err:
        for sig, handler in old.items():
            signal.signal(sig, handler)
        _error(f"cannot start dagster dev: {err}")
        return EXIT_FAILED
    try:
        code = proc.wait()
        if code != 0:
            _error(f"dagster dev exited with code {code}")
            return EXIT_FAILED
        return EXIT_OK
    except (KeyboardInterrupt, _Stop):
        _stop_group(proc, stop_timeout)
        print("Dagster UI stopped", file=sys.stderr)
        return EXIT_OK
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _stop_group(proc: subprocess.Popen[bytes], timeout: float) -> None:
    for sig, wait in ((signal.SIGINT, timeout), (signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
        except KeyboardInterrupt:  # a second Ctrl-C: stop waiting politely
            continue
    # the group may still hold children of dagster dev (daemon, code server)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)


# --- gongwen query -----------------------------------------------------------------------------


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(value: Any) -> str:
    """A value in a table cell: NULL shown, line breaks escaped so a row stays one line."""
    if value is None:
        return "NULL"
    return _csv_value(value).replace("\r", "\\r").replace("\n", "\\n")


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return str(value)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _clip(text: str, limit: int) -> str:
    if _width(text) <= limit:
        return text
    out, used = [], 0
    for c in text:
        w = _width(c)
        if used + w > limit - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool)


def format_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """An aligned plain-text table (CJK counted as two columns), numbers right-aligned."""
    cells = [[_clip(_text(v), TABLE_CELL_WIDTH) for v in row] for row in rows]
    widths = [_width(c) for c in columns]
    for row in cells:
        widths = [max(w, _width(c)) for w, c in zip(widths, row, strict=True)]
    numeric = [
        bool(rows) and all(_is_number(r[i]) or r[i] is None for r in rows) for i in range(len(columns))
    ]

    def line(values: Sequence[str], align: Sequence[bool]) -> str:
        parts = [
            (" " * (w - _width(v)) + v) if right else (v + " " * (w - _width(v)))
            for v, w, right in zip(values, widths, align, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [line(columns, [False] * len(columns)), "  ".join("-" * w for w in widths)]
    out += [line(row, numeric) for row in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return value.hex()
    return value


def open_warehouse(warehouse: Location) -> Any:
    """An in-memory DuckDB connection with one view per ``<warehouse>/*.parquet``, by name; on
    object storage each table is an Arrow dataset read through fsspec (columns fetched on demand)."""
    import duckdb

    con = duckdb.connect(":memory:")
    if not isinstance(warehouse, Path):
        from pipelines import storage

        for name in storage.file_names(warehouse, ".parquet"):
            con.register(name.removesuffix(".parquet"), storage.parquet_dataset(warehouse / name))
        return con
    for path in sorted(warehouse.glob("*.parquet")):
        literal = "'" + str(path).replace("'", "''") + "'"
        con.execute(f"CREATE VIEW {_quote_ident(path.stem)} AS SELECT * FROM read_parquet({literal})")
    return con


def query(
    sql: str,
    warehouse_dir: Path | str | None = None,
    output_format: str = "table",
    out: IO[str] | None = None,
) -> int:
    """Run ``sql`` with DuckDB over the warehouse tables (a folder or an fsspec URL) and print the
    result."""
    import duckdb

    from pipelines import storage
    from pipelines.paths import from_cwd, resolve_warehouse

    stream = out if out is not None else sys.stdout
    if output_format not in OUTPUT_FORMATS:
        _error(f"unknown output format {output_format!r}; use one of {', '.join(OUTPUT_FORMATS)}")
        return EXIT_USAGE
    warehouse = resolve_warehouse(from_cwd(warehouse_dir))
    try:
        tables = storage.file_names(warehouse, ".parquet")
    except OSError as err:  # object storage out of reach: no such bucket, no credentials, no network
        _error(f"cannot list the warehouse {_display(warehouse)}: {err}")
        return EXIT_USAGE
    if not tables:
        _error(f"no warehouse tables in {_display(warehouse)}; run `gongwen run` first")
        return EXIT_USAGE
    if not sql.strip():
        _error("empty SQL")
        return EXIT_USAGE
    try:
        con = open_warehouse(warehouse)
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description] if cursor.description else []
        rows = cursor.fetchall() if columns else []
    except OSError as err:  # object storage: a table that cannot be read
        _error(f"query failed: {err}")
        return EXIT_USAGE
    except duckdb.Error as err:
        first = str(err).strip().splitlines()
        _error(f"query failed: {first[0] if first else type(err).__name__}")
        return EXIT_USAGE
    if not columns:
        return EXIT_OK
    if output_format == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_value(v) for v in row])
    elif output_format == "json":
        records = [{c: _json_value(v) for c, v in zip(columns, row, strict=True)} for row in rows]
        json.dump(records, stream, ensure_ascii=False, indent=2)
        stream.write("\n")
    else:
        stream.write(format_table(columns, rows) + "\n")
    stream.flush()
    return EXIT_OK
