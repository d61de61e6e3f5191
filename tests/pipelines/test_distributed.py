"""``ingest_dask`` on a real Dask cluster on loopback: one ``dask scheduler`` process and two
``dask worker`` processes (the installed CLI, each in its own process group), started here and
torn down at the end.

The intake goes as docs/distributed.md describes (``pipelines.distributed.run_intake``): two
parse-only runs over two key ranges, each in its own process, launched at once (one per worker),
then one run of everything downstream. The tests check that every step ran in a worker process
and went through the scheduler, that the readers ran as subprocesses of the workers, that the
tables equal those of the in-process ``ingest`` job on the same files, that a failed parse stops
the steps after it, and that stopping the cluster leaves no process behind (the last test).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dask.distributed
import psutil
import pyarrow.parquet as pq
import pytest
from dagster import AssetKey, DagsterEventType, DagsterInstance, DagsterRun, DagsterRunStatus
from dagster._core.execution.job_execution_result import JobExecutionResult

from pipelines.dask_executor import check_workers
from pipelines.definitions import defs
from pipelines.distributed import (
    CLUSTER_SELECTOR,
    JOB_NAME,
    SCHEDULER_ENV,
    load_run_config,
    run_intake,
    run_on_dask,
    split_ranges,
)
from pipelines.partitions import sync_document_partitions
from tests.pipelines.corpus import PROJECT_ROOT, SAMPLE_DIR, make_corpus

#: The provincial template, the two county plans implementing it (so the cross-check has pairs),
#: one web page; plus the empty ``bad.pdf`` and the fake ``x.docx`` from ``make_corpus``.
FILES = [
    "000_3fcaf470a0c023ac.docx",
    "001_3066dfd361fc75f9.docx",
    "003_b54ff24471a88dd0.docx",
    "004_597f21caaa58e27d.html",
]
#: One reader per run (2 cores here), and deadlines judged on a fixed day so both runs agree.
RESOURCES: dict[str, dict[str, Any]] = {
    "raw_store": {"parse_workers": 1},
    "crosscheck_settings": {"as_of": "2022-01-01"},
}
RUN_CONFIG_YAML = """\
resources:
  raw_store: {config: {parse_workers: 1}}
  crosscheck_settings: {config: {as_of: "2022-01-01"}}
"""
WORKERS = 2
START_TIMEOUT_S = 90.0
READER_MARK = "_worker_main"  # in the command line of a parsers.guard reader process


def dask_cli() -> str:
    """The ``dask`` entry point installed beside this interpreter."""
    path = Path(sys.executable).with_name("dask")
    if not path.exists():
        pytest.fail(f"{path} is missing: install the project (`make install`), which brings distributed")
    return str(path)


def dagster_home(path: Path) -> Path:
    """A persistent Dagster instance's directory (SQLite), telemetry off."""
    path.mkdir(parents=True)
    (path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    return path


# --- without a cluster -------------------------------------------------------------------------


def test_ingest_dask_runs_the_assets_and_checks_of_ingest() -> None:
    local, dask = defs.resolve_job_def("ingest"), defs.resolve_job_def(JOB_NAME)
    assert dask.asset_layer.executable_asset_keys == local.asset_layer.executable_asset_keys
    assert set(dask.graph.node_dict) == set(local.graph.node_dict)  # same steps: assets and checks
    assert "plan_alignment" in dask.graph.node_dict and "tasks_task_id_is_unique" in dask.graph.node_dict
    assert dask.partitions_def == local.partitions_def
    assert dask.executor_def.name == "dask" and local.executor_def.name == "in_process"


def test_cluster_choices_are_those_of_dagster_dask_without_importing_dask() -> None:
    from dagster_dask import dask_executor

    theirs = dask_executor.config_schema.as_field().config_type.fields["cluster"].config_type.fields
    assert set(CLUSTER_SELECTOR.fields) == set(theirs)
    code = (
        "import sys, pipelines.definitions; print([m for m in ('dask', 'dagster_dask') if m in sys.modules])"
    )
    run = [sys.executable, "-c", code]
    out = subprocess.run(run, capture_output=True, text=True, cwd=PROJECT_ROOT, check=True)
    assert out.stdout.strip() == "[]"  # the code location loads without Dask (~0.8 s saved per process)


def test_split_ranges_balance_the_files_to_read() -> None:
    keys = [f"k{i}" for i in range(10)]
    assert split_ranges(keys, set(keys), 3) == [("k0", "k3"), ("k4", "k6"), ("k7", "k9")]
    # unchanged keys between stale ones ride along; no more runs than files to read
    assert split_ranges(keys, {"k1", "k5", "k8"}, 2) == [("k1", "k5"), ("k8", "k8")]
    assert split_ranges(keys, {"k2"}, 4) == [("k2", "k2")]
    assert split_ranges(keys, set(), 4) == []


def test_run_config_file_gives_the_scheduler_and_resources(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text(
        "execution: {config: {cluster: {existing: {address: 'tcp://10.0.0.5:8786'}}}}\n" + RUN_CONFIG_YAML,
        encoding="utf-8",
    )
    assert load_run_config(path) == ("tcp://10.0.0.5:8786", RESOURCES)
    assert load_run_config(None) == (None, {})


def test_daemonic_workers_are_refused_with_the_fix() -> None:
    class Client:
        def run(self, fn: Any) -> dict[str, bool]:
            return {"tcp://10.0.0.7:4000": True, "tcp://10.0.0.8:4000": False}

    with pytest.raises(RuntimeError, match=r"10\.0\.0\.7:4000 run as daemonic.*WORKER__DAEMON=False"):
        check_workers(Client())  # type: ignore[arg-type]


def test_a_run_without_a_scheduler_fails_saying_how_to_set_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    raw = make_corpus(tmp_path / "raw", [], bad=True)
    with DagsterInstance.from_config(str(dagster_home(tmp_path / "home"))) as instance:
        keys = sync_document_partitions(instance, raw, tmp_path / "wh").keys
        result = run_on_dask(instance, None, raw, tmp_path / "wh", key_range=(keys[0], keys[-1]))
        assert not result.success
        errors = [
            error.to_string()
            for e in instance.all_logs(result.run_id)
            if e.dagster_event is not None
            and (error := getattr(e.dagster_event.event_specific_data, "error", None)) is not None
        ]
    assert any(f"has no Dask scheduler: set ${SCHEDULER_ENV}" in error for error in errors), errors


# --- on a cluster ------------------------------------------------------------------------------


def die_with_test() -> None:  # runs in the child before exec
    """Linux: SIGTERM a cluster process when the test process dies (killed, not torn down)."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)


def process_group(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


@dataclass
class Cluster:
    """A scheduler and ``WORKERS`` workers on 127.0.0.1, each CLI process leading its own group."""

    root: Path
    scheduler: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def scheduler_file(self) -> Path:
        return self.root / "scheduler.json"

    @property
    def processes(self) -> list[subprocess.Popen[bytes]]:
        return [p for p in (self.scheduler, *self.workers) if p is not None]

    def _spawn(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.root / f"{name}.log").open("wb")
        try:
            return subprocess.Popen(
                [dask_cli(), *args],
                cwd=PROJECT_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: torn down as a whole
                preexec_fn=die_with_test,
            )
        finally:
            log.close()

    def log_tail(self, name: str) -> str:
        path = self.root / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else "(no log)"

    def start(self) -> None:
        """Start the scheduler, wait for its address, start the workers (they register later)."""
        self.root.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
        self.scheduler = self._spawn(
            "scheduler",
            [
                *("scheduler", "--host", "127.0.0.1", "--port", "0"),
                *("--scheduler-file", str(self.scheduler_file)),
                # no dashboard; its HTTP server (health, metrics) stays up, on loopback too
                *("--no-dashboard", "--dashboard-address", "127.0.0.1:0"),
            ],
            env,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self.scheduler_file.exists():
            if self.scheduler.poll() is not None:
                pytest.fail(
                    f"dask scheduler exited ({self.scheduler.returncode}):\n{self.log_tail('scheduler')}"
                )
            if time.monotonic() > deadline:
                pytest.fail(f"dask scheduler wrote no address in {START_TIMEOUT_S:g} s")
            time.sleep(0.1)
        # Not daemonic, so a step may start a process pool (the cross-check's); the code
        # location is imported when a worker starts, not by its first step (the config rather
        # than --preload, which the CLI process would import as well).
        worker_env = {
            **env,
            "DASK_DISTRIBUTED__WORKER__DAEMON": "False",
            "DASK_DISTRIBUTED__WORKER__PRELOAD": '["pipelines.definitions"]',
        }
        for i in range(WORKERS):
            self.workers.append(
                self._spawn(
                    f"worker{i}",
                    [
                        *("worker", "--scheduler-file", str(self.scheduler_file), "--host", "127.0.0.1"),
                        *("--nworkers", "1", "--nthreads", "1", "--name", f"w{i}"),
                        *("--no-dashboard", "--dashboard-address", "127.0.0.1:0"),
                        *("--local-directory", str(self.root / f"w{i}")),
                    ],
                    worker_env,
                )
            )

    @property
    def address(self) -> str:
        address: str = json.loads(self.scheduler_file.read_text())["address"]
        return address

    def client(self) -> dask.distributed.Client:
        """A client once every worker registered (fails with the logs after the timeout)."""
        client = dask.distributed.Client(self.address, timeout=30)
        try:
            client.wait_for_workers(WORKERS, timeout=START_TIMEOUT_S)
        except TimeoutError:
            client.close()
            logs = "\n".join(f"--- worker{i}\n{self.log_tail(f'worker{i}')}" for i in range(WORKERS))
            pytest.fail(f"{WORKERS} workers did not register in {START_TIMEOUT_S:g} s\n{logs}")
        return client

    def stop(self) -> None:
        """SIGTERM each group (workers first, then the scheduler), wait, then SIGKILL stragglers."""
        for proc in [*self.workers, *([self.scheduler] if self.scheduler else [])]:
            for sig, wait in ((signal.SIGTERM, 20.0), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
            # children the group leader left behind (the nanny's worker process, readers)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

    def live_members(self) -> list[psutil.Process]:
        """Processes of the cluster's groups that are still running (zombies do not count)."""
        groups = {p.pid for p in self.processes}
        live = []
        for proc in psutil.process_iter(["status"]):
            if process_group(proc.pid) in groups and proc.info["status"] != psutil.STATUS_ZOMBIE:
                live.append(proc)
        return live


@dataclass
class Distributed:
    cluster: Cluster
    instance: DagsterInstance
    ok: bool
    log: list[str]
    warehouse: Path
    reference: Path
    worker_pids: dict[str, int]
    scheduler_keys: set[str]
    readers: dict[int, list[int]]  # worker pid -> live reader processes after the runs
    failed: JobExecutionResult  # a run whose parse step fails
    tables_before_failed: dict[str, int]  # table -> mtime (ns) before that run

    @property
    def intake_runs(self) -> list[DagsterRun]:
        return [r for r in self.instance.get_runs() if r.run_id != self.failed.run_id]

    @property
    def parse_runs(self) -> list[DagsterRun]:
        return sorted(
            (r for r in self.intake_runs if "dagster/asset_partition_range_start" in r.tags),
            key=lambda r: r.tags["dagster/asset_partition_range_start"],
        )

    @property
    def table_run(self) -> DagsterRun:
        (run,) = [r for r in self.intake_runs if "dagster/asset_partition_range_start" not in r.tags]
        return run

    def step_events(self, run_id: str) -> list[Any]:
        return [
            e.dagster_event
            for e in self.instance.all_logs(run_id, of_type=DagsterEventType.STEP_START)
            if e.dagster_event is not None
        ]


def run_reference(raw: Path, warehouse: Path) -> None:
    """The in-process ``ingest`` job on the same files, one run over every key."""
    with DagsterInstance.ephemeral() as instance:
        keys = sync_document_partitions(instance, raw, warehouse).keys
        resources = {**RESOURCES, "raw_store": {**RESOURCES["raw_store"], "root": str(raw)}}
        resources["warehouse"] = {"root": str(warehouse)}
        result = defs.resolve_job_def("ingest").execute_in_process(
            run_config={"resources": {name: {"config": c} for name, c in resources.items()}},
            instance=instance,
            tags={
                "dagster/asset_partition_range_start": keys[0],
                "dagster/asset_partition_range_end": keys[-1],
            },
        )
        assert result.success


def live_readers(pid: int) -> list[int]:
    """The guarded reader processes (``parsers.guard``) a worker process started and still runs."""
    return [
        child.pid
        for child in psutil.Process(pid).children()
        if any(READER_MARK in part for part in child.cmdline()) and child.status() != psutil.STATUS_ZOMBIE
    ]


@pytest.fixture(scope="module")
def distributed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Distributed]:
    root = tmp_path_factory.mktemp("dask")
    raw = make_corpus(root / "raw", [SAMPLE_DIR / name for name in FILES])
    home = dagster_home(root / "dagster_home")
    config = root / "run_config.yaml"
    config.write_text(RUN_CONFIG_YAML, encoding="utf-8")
    cluster = Cluster(root / "cluster")
    try:
        cluster.start()
        run_reference(raw, root / "reference")  # while the workers start
        with (
            DagsterInstance.from_config(str(home)) as instance,
            cluster.client() as client,
        ):
            log: list[str] = []
            ok = run_intake(
                cluster.address,
                raw,
                root / "warehouse",
                instance=instance,
                runs=2,
                config_file=config,
                log=log.append,
            )
            readers = {pid: live_readers(pid) for pid in client.run(os.getpid).values()}
            tables = {p.name: p.stat().st_mtime_ns for p in (root / "warehouse").glob("*.parquet")}
            # the raw directory is gone: the parse step fails, and nothing downstream may run
            keys = instance.get_dynamic_partitions("documents")
            failed = run_on_dask(
                instance,
                cluster.address,
                root / "missing",
                root / "warehouse",
                key_range=(keys[0], keys[-1]),
                resources=RESOURCES,
            )
            worker_pids: dict[str, int] = client.run(os.getpid)
            scheduler_keys = set(
                client.run_on_scheduler(
                    lambda dask_scheduler: [str(entry[0]) for entry in dask_scheduler.transition_log]
                )
            )
            yield Distributed(
                cluster,
                instance,
                ok,
                log,
                root / "warehouse",
                root / "reference",
                worker_pids,
                scheduler_keys,
                readers,
                failed,
                tables,
            )
    finally:
        cluster.stop()


def test_runs_succeed(distributed: Distributed) -> None:
    assert distributed.ok, distributed.log
    runs = distributed.intake_runs
    assert {r.job_name for r in runs} == {JOB_NAME} and len(runs) == 3
    assert all(r.status == DagsterRunStatus.SUCCESS for r in runs)
    ranges = [
        (r.tags["dagster/asset_partition_range_start"], r.tags["dagster/asset_partition_range_end"])
        for r in distributed.parse_runs
    ]
    keys = sorted([*FILES, "bad.pdf", "x.docx"])
    assert ranges == [(keys[0], keys[2]), (keys[3], keys[5])]


def test_every_step_ran_in_a_worker_process(distributed: Distributed) -> None:
    workers = set(distributed.worker_pids.values())
    assert len(workers) == 2
    cluster = distributed.cluster
    assert cluster.scheduler is not None
    not_workers = {os.getpid(), cluster.scheduler.pid, *(p.pid for p in cluster.workers)}  # nannies
    steps: dict[str, list[Any]] = {}
    for result in [*distributed.parse_runs, distributed.table_run]:
        events = distributed.step_events(result.run_id)
        assert events, result.run_id
        steps[result.run_id] = events
        for event in events:
            assert event.pid in workers and event.pid not in not_workers, event.step_key
    # the two parse runs went to the cluster at once, so each worker took one of them
    parse_pids = {e.pid for r in distributed.parse_runs for e in steps[r.run_id]}
    assert parse_pids == workers
    table_steps = {e.step_key for e in steps[distributed.table_run.run_id]}
    assert {"warehouse_tables", "plan_alignment"} <= table_steps


def test_step_tasks_went_through_the_scheduler(distributed: Distributed) -> None:
    """Task keys are ``<job>.<step>.<run id>``: run-scoped, so the two parse runs stayed two tasks."""
    for result in distributed.parse_runs:
        assert f"{JOB_NAME}.parsed_documents.{result.run_id}" in distributed.scheduler_keys
    for step in ("warehouse_tables", "plan_alignment"):
        assert f"{JOB_NAME}.{step}.{distributed.table_run.run_id}" in distributed.scheduler_keys


def test_readers_were_subprocesses_of_the_workers(distributed: Distributed) -> None:
    """Each parse step read its files in a guarded reader process that its worker started."""
    for result in distributed.parse_runs:
        entries = distributed.instance.all_logs(result.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION)
        metas = [e.asset_materialization.metadata for e in entries if e.asset_materialization]
        assert len(metas) == 3  # one per partition of the range
        assert all(m["run_reader_processes"].value == 1 and m["run_files_read"].value == 3 for m in metas)
    assert all(len(pids) == 1 for pids in distributed.readers.values()), distributed.readers


def test_tables_equal_the_in_process_run(distributed: Distributed) -> None:
    names = sorted(p.name for p in distributed.reference.glob("*.parquet"))
    assert {"documents.parquet", "tasks.parquet", "plan_alignment.parquet"} <= set(names)
    assert sorted(p.name for p in distributed.warehouse.glob("*.parquet")) == names
    for name in names:
        expected = pq.read_table(distributed.reference / name)
        got = pq.read_table(distributed.warehouse / name)
        if name == "quarantine.parquet":  # the time of the failure
            expected, got = expected.drop_columns(["recorded_at"]), got.drop_columns(["recorded_at"])
        assert got.num_rows > 0 or name not in {"documents.parquet", "tasks.parquet"}
        assert got.to_pylist() == expected.to_pylist(), name
    documents = pq.read_table(distributed.warehouse / "documents.parquet").to_pylist()
    assert {d["path"] for d in documents if d["parent_id"] is None} == set(FILES)
    assert len(pq.read_table(distributed.warehouse / "tasks.parquet")) > 20
    assert AssetKey("plan_alignment") in {
        e.asset_materialization.asset_key
        for e in distributed.instance.all_logs(
            distributed.table_run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION
        )
        if e.asset_materialization
    }


def test_steps_after_a_failed_parse_do_not_run(distributed: Distributed) -> None:
    """As in the in-process job: a failed parse step leaves the tables as they were."""
    failed = distributed.failed
    assert not failed.success
    events = distributed.instance.all_logs(failed.run_id)
    started = {e.step_key for e in events if e.dagster_event and e.dagster_event.is_step_start}
    failures = {e.step_key for e in events if e.dagster_event and e.dagster_event.is_step_failure}
    assert started == failures == {"parsed_documents"}
    assert any("Not executing" in e.user_message for e in events if e.step_key == "warehouse_tables")
    tables = {p.name: p.stat().st_mtime_ns for p in distributed.warehouse.glob("*.parquet")}
    assert tables == distributed.tables_before_failed


def test_stopping_the_cluster_leaves_no_process(distributed: Distributed) -> None:
    readers = [pid for pids in distributed.readers.values() for pid in pids]
    distributed.cluster.stop()
    assert distributed.cluster.live_members() == []
    for pid in readers:
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
