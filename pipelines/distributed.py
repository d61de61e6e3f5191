"""The ``ingest`` assets run on a Dask cluster: the ``ingest_dask`` job (docs/distributed.md).

Same asset selection as ``ingest`` (``pipelines.jobs.INGEST_SELECTION``), but every step — the
parse of a partition range, each table build, the cross-check, each asset check — is a task on
a Dask worker instead of a call in the run's own process. The run's process (``dagster job
execute``, a run launched from the UI, or ``run_on_dask`` below) only plans the run and collects
the steps' events.

What the Dask executor needs, and this module provides:

* a reconstructable job: the workers import ``pipelines.definitions`` and rebuild the job by
  name (``reconstructable_ingest_dask``);
* a persistent Dagster instance that the workers can open too (on one machine ``$DAGSTER_HOME``
  with SQLite; across machines Postgres): each worker writes its steps' events there;
* a scheduler address: ``execution.config.cluster.existing.address`` in the run config, else
  ``$GONGWEN_DASK_SCHEDULER`` (``tcp://host:8786``) where the run starts.

Workers must not be daemonic processes (``DASK_DISTRIBUTED__WORKER__DAEMON=False``, or ``dask
worker --no-nanny``): the cross-check computes many new pairs on a process pool, which a
daemonic process may not start. A run checks this first and fails with that fix in its message.
The readers of ``parsed_documents`` are plain subprocesses and work either way.

The executor is ``dagster-dask``'s with three fixes (``RunScopedDaskExecutor``): task keys carry
the run id (``dagster-dask`` names a step's task ``<job>.<step>``, and Dask treats equal keys as
one task cluster-wide, so two runs of the same job at once would share the first run's results
and the second would parse nothing: dagster-io/dagster#21418; concurrent runs over different key
ranges are how a large intake uses several workers); a run with an asset selection works (its
``AssetKey`` records broke Dask's argument parsing); and the steps after a failed step are
skipped instead of run anyway.
"""

from __future__ import annotations

import argparse
import functools
import os
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from dagster import (
    AssetKey,
    DagsterInstance,
    ExecutorDefinition,
    Field,
    InitExecutorContext,
    Permissive,
    Selector,
    StringSource,
    define_asset_job,
    execute_job,
    multiple_process_executor_requirements,
)
from dagster._core.definitions.reconstruct import ReconstructableJob, ReconstructableRepository
from dagster._core.errors import DagsterInvalidConfigError
from dagster._core.execution.job_execution_result import JobExecutionResult
from dagster._core.executor.base import Executor

from pipelines.assets.ingest import parsed_documents
from pipelines.jobs import INGEST_SELECTION
from pipelines.partitions import sync_document_partitions
from pipelines.paths import PROJECT_ROOT, RAW_DIR_ENV, resolve_dir, resolve_warehouse
from pipelines.raw_files import discover_raw_files
from pipelines.reading import stale_keys
from pipelines.sensors import RANGE_END, RANGE_START
from pipelines.storage import Location

#: Where the Dask scheduler listens (``tcp://host:port``), when the run config does not say.
SCHEDULER_ENV = "GONGWEN_DASK_SCHEDULER"
JOB_NAME = "ingest_dask"

#: Cluster types of ``dagster-dask`` other than ``existing``: ``module:class`` of the cluster
#: the executor starts itself for the run (``local`` needs nothing more; the others need their
#: ``dask-*`` package installed). The same names as ``dagster_dask.dask_executor``'s (tested).
CLUSTER_CLASSES = {
    "local": "dask.distributed:LocalCluster",
    "ssh": "dask.distributed:SSHCluster",
    "yarn": "dask_yarn:YarnCluster",
    "pbs": "dask_jobqueue:PBSCluster",
    "moab": "dask_jobqueue:MoabCluster",
    "sge": "dask_jobqueue:SGECluster",
    "lsf": "dask_jobqueue:LSFCluster",
    "slurm": "dask_jobqueue:SLURMCluster",
    "oar": "dask_jobqueue:OARCluster",
    "kube": "dask_kubernetes:KubeCluster",
}


def _create_executor(init_context: InitExecutorContext) -> Executor:
    from pipelines.dask_executor import RunScopedDaskExecutor  # Dask is imported when a run starts

    cluster = init_context.executor_config.get("cluster")
    if not cluster:  # read when a run starts, not at import: the code location loads without it
        address = os.environ.get(SCHEDULER_ENV)
        if not address:
            raise DagsterInvalidConfigError(
                f"{JOB_NAME} has no Dask scheduler: set ${SCHEDULER_ENV} (tcp://HOST:8786) where the run "
                "starts, or give execution.config.cluster.existing.address in the run config",
                [],
                init_context.executor_config,
            )
        cluster = {"existing": {"address": address}}
    ((cluster_type, cluster_configuration),) = cluster.items()
    return RunScopedDaskExecutor(cluster_type, cluster_configuration)


#: ``dagster_dask.dask_executor``'s cluster choice: ``existing`` (an address) or a cluster the run
#: starts, with that cluster class's keyword arguments (declared here without importing Dask).
CLUSTER_SELECTOR = Selector(
    {
        "existing": Field({"address": StringSource}, description="A running scheduler: tcp://HOST:8786."),
        **{
            name: Field(Permissive(), description=f"Start a {target.rpartition(':')[2]} for the run.")
            for name, target in CLUSTER_CLASSES.items()
        },
    }
)

#: ``dagster_dask.dask_executor`` (same name, same config, the cluster optional: default
#: ``existing`` at ``$GONGWEN_DASK_SCHEDULER``) with the changes of ``RunScopedDaskExecutor``.
gongwen_dask_executor = ExecutorDefinition(
    name="dask",
    config_schema={
        "cluster": Field(
            CLUSTER_SELECTOR,
            is_required=False,
            description=f"Where the steps run. Default: the scheduler at ${SCHEDULER_ENV}.",
        )
    },
    requirements=multiple_process_executor_requirements(),
    executor_creation_fn=_create_executor,
    description="Run every step as a task on a Dask cluster (dagster-dask, run-scoped task keys).",
)

#: ``ingest`` on a Dask cluster. The scheduler comes from the run config, else from
#: ``$GONGWEN_DASK_SCHEDULER`` at launch; ``parsed_documents`` keeps its single-run backfill
#: policy, so one run parses its key range in one step on one worker (docs/distributed.md).
ingest_dask_job = define_asset_job(
    name=JOB_NAME,
    selection=INGEST_SELECTION,
    executor_def=gongwen_dask_executor,
    description="Parse raw files (the selected document partitions) and rebuild the tables, every "
    "step on a Dask worker (cluster address: run config or $GONGWEN_DASK_SCHEDULER).",
)


def reconstructable_ingest_dask() -> ReconstructableJob:
    """``ingest_dask`` as the workers rebuild it: by name, from the code location's ``defs``."""
    repository = ReconstructableRepository.for_module(
        "pipelines.definitions", "defs", working_directory=str(PROJECT_ROOT)
    )
    return repository.get_reconstructable_job(JOB_NAME)


def dask_run_config(
    scheduler: str | None,
    raw_dir: Path,
    warehouse_dir: Location,
    resources: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """Run config of ``ingest_dask``: the scheduler address (``None``: ``$GONGWEN_DASK_SCHEDULER``
    where the run starts), the two directories (which must be the same paths on every worker)
    and any other resource settings (``{resource: {field: value}}``,
    e.g. ``{"raw_store": {"parse_workers": 2}}``)."""
    config: dict[str, dict[str, Any]] = {
        "raw_store": {"root": str(raw_dir)},
        "warehouse": {"root": str(warehouse_dir)},
    }
    for name, fields in (resources or {}).items():
        config[name] = {**config.get(name, {}), **fields}
    run_config: dict[str, Any] = {"resources": {name: {"config": fields} for name, fields in config.items()}}
    if scheduler is not None:
        run_config["execution"] = {"config": {"cluster": {"existing": {"address": scheduler}}}}
    return run_config


def run_on_dask(
    instance: DagsterInstance,
    scheduler: str | None,
    raw_dir: Path,
    warehouse_dir: Location,
    *,
    key_range: tuple[str, str] | None = None,
    asset_selection: Sequence[AssetKey] | None = None,
    resources: Mapping[str, Mapping[str, Any]] | None = None,
    tags: Mapping[str, str] | None = None,
) -> JobExecutionResult:
    """One run of ``ingest_dask`` from this process, its steps on the cluster at ``scheduler``.

    ``key_range`` (first, last registered key) selects the documents, as ``gongwen run`` does
    with the ``dagster/asset_partition_range_*`` tags; ``asset_selection`` narrows the assets
    (e.g. ``[parsed_documents.key]`` for a parse-only run of one range among several);
    ``resources`` as in ``dask_run_config``. The partitions must be registered first
    (``pipelines.partitions.sync_document_partitions``).
    """
    run_tags = dict(tags or {})
    if key_range is not None:
        run_tags[RANGE_START], run_tags[RANGE_END] = key_range
    return execute_job(
        reconstructable_ingest_dask(),
        instance=instance,
        run_config=dask_run_config(scheduler, raw_dir, warehouse_dir, resources),
        tags=run_tags,
        asset_selection=list(asset_selection) if asset_selection is not None else None,
    )


# --- a night's intake on several workers: one parse run per key range, in parallel -------------


def split_ranges(keys: Sequence[str], stale: set[str], runs: int) -> list[tuple[str, str]]:
    """Up to ``runs`` ranges ``(first, last)`` of ``keys`` (registration order) that together
    cover every stale key, each with about as many stale keys as the others. Unchanged keys
    between them are inside some range and cost a cheap "unchanged" pass, not a read."""
    todo = [k for k in keys if k in stale]
    if not todo:
        return []
    runs = max(1, min(runs, len(todo)))
    size, extra = divmod(len(todo), runs)
    ranges, start = [], 0
    for i in range(runs):
        end = start + size + (1 if i < extra else 0)
        ranges.append((todo[start], todo[end - 1]))
        start = end
    return ranges


def load_run_config(config_file: Path | None) -> tuple[str | None, dict[str, dict[str, Any]]]:
    """The scheduler address (``execution.config.cluster.existing.address``, if given) and
    ``{resource: {field: value}}`` (``resources:``) of a run config YAML file, the file
    ``dagster job execute -c`` takes. The directories' ``root`` is set separately."""
    if config_file is None:
        return None, {}
    import yaml

    data = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
    cluster = ((data.get("execution") or {}).get("config") or {}).get("cluster") or {}
    address = (cluster.get("existing") or {}).get("address")
    resources = data.get("resources") or {}
    config = {str(name): dict((spec or {}).get("config") or {}) for name, spec in resources.items()}
    return (str(address) if address else None), config


def run_intake(
    scheduler: str,
    raw_dir: Path,
    warehouse_dir: Location,
    *,
    instance: DagsterInstance,
    runs: int | None = None,
    config_file: Path | None = None,
    log: Callable[[str], None] = print,
) -> bool:
    """Parse every new or changed file on the cluster, then rebuild the tables and the cross-check.

    The stale keys are split into ``runs`` ranges (default: one per Dask worker); each range is
    one parse-only run of ``ingest_dask`` in its own process (``--range``: Dagster sets up
    logging per run and is not safe to run concurrently in one process), all at once, so each
    parse step lands on its own worker. When every parse run succeeded, one run of everything
    downstream follows, from this process. ``instance`` must be persistent; the child processes
    open it through ``$DAGSTER_HOME``.
    """
    files = discover_raw_files(raw_dir)
    keys = list(sync_document_partitions(instance, raw_dir, warehouse_dir, files).keys)
    stale = set(stale_keys(keys, files, raw_dir, warehouse_dir))
    if runs is None:
        import dask.distributed

        with dask.distributed.Client(scheduler, timeout=30) as client:
            runs = max(1, len(client.scheduler_info(n_workers=-1)["workers"]))
    ranges = split_ranges(keys, stale, runs)
    log(f"{len(keys)} files registered, {len(stale)} to read, in {len(ranges)} parse runs on {scheduler}")
    env = {**os.environ, "DAGSTER_HOME": str(instance.root_directory)}
    base = [sys.executable, "-m", "pipelines.distributed", "--scheduler", scheduler]
    base += ["--raw", str(raw_dir), "--warehouse", str(warehouse_dir)]
    base += ["--config", str(config_file)] if config_file is not None else []
    children = [
        subprocess.Popen([*base, "--range", first, last], env=env, cwd=PROJECT_ROOT) for first, last in ranges
    ]
    try:
        codes = [child.wait() for child in children]
    finally:  # interrupted: no parse run goes on without us
        for child in children:
            if child.poll() is None:
                child.terminate()
                child.wait()
    for (first, last), code in zip(ranges, codes, strict=True):
        log(f"parse run {first} … {last}: {'done' if code == 0 else f'failed (exit {code})'}")
    if any(codes):
        return False
    downstream = [key for key in ingest_asset_keys() if key != parsed_documents.key]
    result = run_on_dask(
        instance,
        scheduler,
        raw_dir,
        warehouse_dir,
        asset_selection=downstream,
        resources=load_run_config(config_file)[1],
    )
    log(f"tables and cross-check: run {result.run_id[:8]} {'done' if result.success else 'failed'}")
    return result.success


def ingest_asset_keys() -> list[AssetKey]:
    """The assets of ``ingest`` / ``ingest_dask``: ``parsed_documents`` and everything downstream."""
    from pipelines.definitions import defs

    return sorted(defs.resolve_job_def(JOB_NAME).asset_layer.executable_asset_keys)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pipelines.distributed``: a night's intake on a Dask cluster (see docs/distributed.md)."""
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.distributed",
        description="Parse the raw files on a Dask cluster (one run per key range, in parallel), "
        "then rebuild the tables and the cross-check.",
    )
    parser.add_argument(
        "--scheduler", default=os.environ.get(SCHEDULER_ENV), help=f"default: ${SCHEDULER_ENV}"
    )
    parser.add_argument("--raw", type=Path, default=None, help="raw directory (default as for gongwen run)")
    parser.add_argument(
        "--warehouse", default=None, help="warehouse directory or s3:// URL (default as for gongwen run)"
    )
    parser.add_argument("--runs", type=int, default=None, help="parse runs at once (default: one per worker)")
    parser.add_argument("--config", type=Path, default=None, help="run config YAML; its resources: are used")
    parser.add_argument(
        "--range", nargs=2, metavar=("FIRST", "LAST"), help="only one parse run over these registered keys"
    )
    args = parser.parse_args(argv)
    if args.config is not None and not args.config.is_file():
        parser.error(f"config file {args.config} does not exist")
    address, resources = load_run_config(args.config)
    scheduler = args.scheduler or address or os.environ.get(SCHEDULER_ENV)
    if not scheduler:
        parser.error(f"no scheduler: pass --scheduler tcp://HOST:8786 or set ${SCHEDULER_ENV}")
    from gongwen.warehouse_cli import dagster_home

    raw = resolve_dir(str(args.raw) if args.raw else None, RAW_DIR_ENV, "raw")
    warehouse = resolve_warehouse(args.warehouse)
    if not raw.is_dir():
        parser.error(f"raw directory {raw} does not exist")
    dagster_home()
    with DagsterInstance.get() as instance:
        if args.range:
            result = run_on_dask(
                instance,
                scheduler,
                raw,
                warehouse,
                key_range=(args.range[0], args.range[1]),
                asset_selection=[parsed_documents.key],
                resources=resources,
            )
            return 0 if result.success else 1
        log = functools.partial(print, file=sys.stderr, flush=True)
        ok = run_intake(
            scheduler,
            raw,
            warehouse,
            instance=instance,
            runs=args.runs,
            config_file=args.config,
            log=log,
        )
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
