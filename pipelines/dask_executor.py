"""The Dask side of ``ingest_dask`` (``pipelines.distributed``): the executor and what runs on a
worker. Kept apart because Dask and ``dagster-dask`` take ~0.8 s to import (``dagster-dask``
loads ``dask.dataframe``): the code location and ``gongwen run`` load ``pipelines.distributed``
without them, and this module is imported when an ``ingest_dask`` run starts.

The executor is ``dagster-dask``'s with three fixes (``RunScopedDaskExecutor``; the reasons are in
``pipelines.distributed``'s docstring).
"""

from __future__ import annotations

import importlib
import multiprocessing
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import dask.distributed
from dagster import _check as check
from dagster._core.definitions.reconstruct import ReconstructableJob
from dagster._core.errors import DagsterExecutionInterruptedError, raise_execution_interrupts
from dagster._core.events import DagsterEvent
from dagster._core.execution.context.system import PlanOrchestrationContext
from dagster._core.execution.plan.active import ActiveExecution
from dagster._core.execution.plan.plan import ExecutionPlan
from dagster._core.execution.plan.state import KnownExecutionState
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.dagster_run import DagsterRun
from dagster._utils.error import serializable_error_info_from_exc_info
from dagster_dask.executor import DaskExecutor, get_dask_resource_requirements, query_on_dask_worker

from pipelines.distributed import CLUSTER_CLASSES


def _is_daemon() -> bool:
    """In a worker: whether it is a daemonic process (which may not start a process pool)."""
    return bool(multiprocessing.current_process().daemon)


def check_workers(client: dask.distributed.Client) -> None:
    """Fail when a worker is daemonic: the cross-check's process pool would fail there later."""
    daemonic = sorted(address for address, flag in client.run(_is_daemon).items() if flag)
    if daemonic:
        raise RuntimeError(
            f"Dask workers {', '.join(daemonic)} run as daemonic processes, which cannot start the "
            "cross-check's process pool; start them with DASK_DISTRIBUTED__WORKER__DAEMON=False in "
            "their environment (or `dask worker --no-nanny`)"
        )


@dataclass(frozen=True)
class StepCall:
    """What a worker needs to execute one step, in one object that Dask passes through as is.

    ``dagster-dask`` passes these as separate task arguments; Dask then walks every tuple among
    them looking for futures, and Dagster's records (the ``AssetKey`` of a run with an asset
    selection) refuse to be iterated: such a run fails before its first step.
    """

    recon_job: ReconstructableJob
    dagster_run: DagsterRun
    run_config: Mapping[str, object]
    step_key: str
    instance_ref: InstanceRef
    known_state: KnownExecutionState | None


def execute_step(call: StepCall) -> Sequence[DagsterEvent]:
    """On a worker: one step of the run (``dagster-dask``'s worker function)."""
    return query_on_dask_worker(
        [],
        call.recon_job,
        call.dagster_run,
        call.run_config,
        [call.step_key],
        call.instance_ref,
        call.known_state,
    )


class RunScopedDaskExecutor(DaskExecutor):
    """``dagster_dask.DaskExecutor``, changed where it does not fit concurrent runs and partial
    failures:

    * a step's Dask task key is ``<job>.<step>.<run id>``, not ``<job>.<step>`` (see the module
      docstring), and its arguments travel in one ``StepCall``;
    * steps are submitted when they become ready, tracked by Dagster's own ``ActiveExecution``
      (as the multiprocess executor does) instead of all at once with Dask futures as
      dependencies: so when a step fails, the steps downstream of it are skipped, as in the
      in-process ``ingest`` job, rather than run anyway (the tables rebuilt after a failed
      parse); a task that dies on its worker becomes that step's failure.
    """

    def _cluster(self, job_name: str) -> Any:
        """What ``dask.distributed.Client`` connects to: the address, or a cluster started now."""
        if self.cluster_type == "existing":
            return self.cluster_configuration["address"]
        if self.cluster_type not in CLUSTER_CLASSES:
            raise ValueError(f"unknown Dask cluster type {self.cluster_type!r}")
        module, _, name = CLUSTER_CLASSES[self.cluster_type].partition(":")
        return getattr(importlib.import_module(module), name)(**self.build_dict(job_name))

    def execute(
        self, plan_context: PlanOrchestrationContext, execution_plan: ExecutionPlan
    ) -> Iterator[DagsterEvent]:
        check.invariant(
            plan_context.instance.is_persistent,
            "Dask execution needs a persistent Dagster instance (set DAGSTER_HOME)",
        )
        job_name = plan_context.job_name
        run_id = plan_context.dagster_run.run_id
        instance_ref = plan_context.instance.get_ref()
        with (
            dask.distributed.Client(self._cluster(job_name)) as client,
            ActiveExecution(execution_plan, retry_mode=self.retries) as active,
        ):
            check_workers(client)
            running: dict[str, tuple[str, dask.distributed.Future]] = {}  # task key -> step, task
            finished = dask.distributed.as_completed()
            while not active.is_complete:
                for step in active.get_steps_to_execute():
                    call = StepCall(
                        plan_context.reconstructable_job,
                        plan_context.dagster_run,
                        plan_context.run_config,
                        step.key,
                        instance_ref,
                        active.get_known_state(),
                    )
                    future = client.submit(
                        execute_step,
                        call,
                        key=f"{job_name}.{step.key}.{run_id}",
                        resources=get_dask_resource_requirements(step.tags),
                    )
                    running[future.key] = (step.key, future)
                    finished.add(future)
                if running:
                    try:
                        with raise_execution_interrupts():
                            future = next(finished)
                    except DagsterExecutionInterruptedError:
                        # pending steps are dropped; a step already running on a worker runs on
                        steps = sorted(step_key for step_key, _ in running.values())
                        yield DagsterEvent.engine_event(
                            plan_context, f"Interrupted: cancelling the Dask tasks of {steps}"
                        )
                        client.cancel([task for _, task in running.values()])
                        active.mark_interrupted()
                        raise
                    step_key, _ = running.pop(future.key)
                    yield from self._step_events(plan_context, active, step_key, future)
                    active.verify_complete(plan_context, step_key)
                yield from active.plan_events_iterator(plan_context)  # skipped, abandoned steps

    def _step_events(
        self,
        plan_context: PlanOrchestrationContext,
        active: ActiveExecution,
        step_key: str,
        future: dask.distributed.Future,
    ) -> Iterator[DagsterEvent]:
        """The events the step's task returned, or its failure when the task itself failed."""
        try:
            events: Sequence[DagsterEvent] = future.result()
        except Exception:
            error = serializable_error_info_from_exc_info(sys.exc_info())
            step_context = plan_context.for_step(active.get_step_by_key(step_key))
            events = [
                self.log_failure_or_retry_event_after_error(step_context, error, active.get_known_state())
            ]
        for event in events:
            yield check.inst(event, DagsterEvent)
            active.handle_event(event)
