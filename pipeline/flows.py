"""Prefect orchestration of a run: one task per contract (`analyse_contract`), mapped on a process pool or a
Dask cluster, inside a flow whose body is `pipeline.run.execute_run`.

Import this module after `pipeline.workspace.configure_prefect` so that Prefect reads its settings from the
workspace.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import prefect.task_runners as prefect_task_runners
from prefect import flow, task
from prefect.context import FlowRunContext
from prefect.futures import as_completed
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from pipeline.analyse import analyse_contract
from pipeline.analyser import analyse_resident, resident_enabled
from pipeline.errors import CdvError
from pipeline.flowruns import exit_with_parent, mark_crashed_runs, tagged_with_process, temporary_server
from pipeline.prefect_server import (
    LOG_FILE,
    PrefectServerError,
    ensure_server,
    idle_seconds,
    prefect_home,
    read_state,
    running_server,
)
from pipeline.run import check_run, execute_run
from pipeline.stage_versions import stage_versions
from pipeline.types import ContractAnalysis, ContractFile, RunResult, RunSettings
from pipeline.workers import can_fork, start_warm_workers
from pipeline.workspace import Workspace

ProgressHook = Callable[[int, int], None]
progress_hook: ProgressHook | None = None


def report_progress(done: int, total: int) -> None:
    """Tell the CLI's progress bar, if any, how far the run is."""
    if progress_hook is not None:
        progress_hook(done, total)


@task(name="analyse-contrat", task_run_name="analyse-{contract.contract_id}")
def analyse_task(
    contract: ContractFile, settings: RunSettings, resident_versions: dict[str, str] | None = None
) -> ContractAnalysis:
    """Extraction (cached), structure, matching, classification, candidates and cues of one contract — here, or,
    given the run's versions, by a child of the resident analyser (`pipeline.analyser`)."""
    if resident_versions is None:
        return analyse_contract(contract, settings)
    return analyse_resident(contract, settings, resident_versions)


def analyse_with_prefect(contracts: list[ContractFile], settings: RunSettings) -> Iterator[ContractAnalysis]:
    """Submit one task per contract to the flow's task runner; yield analyses as they complete. The local
    workers' forkserver is started here if the CLI has not started it earlier."""
    if contracts and warm_runner_active():
        start_warm_workers(settings)
    resident_versions = stage_versions(settings) if resident_runner_active() else None  # hashed once per run
    futures = [analyse_task.submit(contract, settings, resident_versions) for contract in contracts]
    for future in as_completed(futures):
        yield future.result()


@flow(name="cdv-run", log_prints=False)
def cdv_flow(settings: RunSettings) -> RunResult:
    """Read a corpus folder and write the evidence-backed tables into `settings.out`."""
    return execute_run(settings, analyse_with_prefect, report_progress)


# The set-up Prefect gives each worker of its process pool (a private function): a Prefect without it gets its own
# spawned pool, whose workers load their resources themselves — slower, same results.
PREFECT_WORKER_SETUP = getattr(prefect_task_runners, "_initialize_process_pool_worker", None)


class WarmProcessPoolTaskRunner(ProcessPoolTaskRunner):
    """Prefect's process pool with its workers forked from the preloaded forkserver (`pipeline.workers`) instead
    of spawned: a spawned worker imported Prefect and spaCy and loaded the models again, seconds per worker and
    per run. Same set-up of each worker as Prefect's pool (events and logs forwarded to this process)."""

    def __enter__(self) -> WarmProcessPoolTaskRunner:
        if not can_fork() or PREFECT_WORKER_SETUP is None:
            super().__enter__()
            return self
        TaskRunner.__enter__(self)
        context = multiprocessing.get_context("forkserver")
        self._subprocess_message_queue = context.Queue()
        self._message_forwarding_thread = threading.Thread(
            target=self._forward_subprocess_messages, name="ProcessPoolTaskRunnerMessageForwarder", daemon=True
        )
        self._message_forwarding_thread.start()
        try:
            self._executor = ProcessPoolExecutor(
                max_workers=self._max_workers,
                mp_context=context,
                initializer=PREFECT_WORKER_SETUP,
                initargs=(self._subprocess_message_queue, self._initializer, self._initargs),
            )
            self._resolver_executor = ThreadPoolExecutor(max_workers=self._max_workers)
        except Exception:
            self.__exit__(None, None, None)
            raise
        return self


class ResidentTaskRunner(ThreadPoolTaskRunner):
    """Prefect's thread pool, each task handing its contract to the resident analyser and waiting for it."""


def resident_runner_active() -> bool:
    """Whether the running flow's tasks go to the resident analyser."""
    context = FlowRunContext.get()
    return context is not None and isinstance(context.task_runner, ResidentTaskRunner)


def warm_runner_active() -> bool:
    """Whether the running flow's tasks go to local warm workers (not to Dask or another runner)."""
    context = FlowRunContext.get()
    return context is not None and isinstance(context.task_runner, WarmProcessPoolTaskRunner)


def task_runner_for(workers: int, dask_address: str | None = None) -> Any:
    """The resident analyser (`pipeline.analyser`), else a local process pool of warm workers, or the Dask cluster
    at `dask_address` (through prefect-dask)."""
    if dask_address:
        try:
            from prefect_dask import DaskTaskRunner
        except ImportError as error:
            raise CdvError("prefect-dask n'est pas installé : pip install prefect-dask pour --dask-address.") from error
        return DaskTaskRunner(address=dask_address)
    if resident_enabled():
        return ResidentTaskRunner(max_workers=max(1, workers))
    return WarmProcessPoolTaskRunner(max_workers=max(1, workers), initializer=exit_with_parent)


def run_corpus(settings: RunSettings) -> RunResult:
    """Run the whole pipeline through the Prefect flow, on local processes or a Dask cluster; flow runs of
    cdv processes that died are marked crashed first. When the workspace's local Prefect server stops during the
    run (killed, out of memory), the run ends on a French error instead of Prefect's traceback: the next command
    starts a server again, marks the lost run crashed and reads the contracts read before from the cache."""
    check_run(settings)
    configured = cdv_flow.with_options(task_runner=task_runner_for(settings.workers, settings.dask_address))
    workspace = Workspace(settings.workspace)
    local_server = uses_local_server(workspace)
    try:
        with prefect_api(workspace):
            mark_crashed_runs()
            with tagged_with_process():
                result: RunResult = configured(settings)
                return result
    except Exception as error:
        if local_server and server_lost(workspace, error):
            raise PrefectServerError(
                f"le serveur Prefect local s'est arrêté pendant la lecture (journal : "
                f"{prefect_home(workspace) / LOG_FILE}) ; relancez la commande : les contrats déjà lus sont repris "
                "du cache."
            ) from error
        raise


def uses_local_server(workspace: Workspace) -> bool:
    """Whether a run goes to the workspace's shared local server: no API configured, or the address its state file
    records (put in the environment by an earlier run of the same process, `prefect_api`)."""
    url = os.environ.get("PREFECT_API_URL")
    if not url:
        return idle_seconds() > 0
    state = read_state(prefect_home(workspace))
    return state is not None and state.get("api_url") == url


def server_lost(workspace: Workspace, error: Exception) -> bool:
    """Whether a run failed because the workspace's local Prefect server is gone (a library error other than the
    server's own is the run's real failure)."""
    if isinstance(error, CdvError) and not isinstance(error, PrefectServerError):
        return False
    return running_server(prefect_home(workspace)) is None


@contextmanager
def prefect_api(workspace: Workspace) -> Iterator[None]:
    """One Prefect API for the flow and its worker processes: the configured server (`PREFECT_API_URL`), else the
    workspace's shared local server (started on first use, stopped when idle), else — with
    `CDV_PREFECT_IDLE_SECONDS=0` — a temporary server for this process.

    The address is put in the environment and in Prefect's global settings, and stays there afterwards: Prefect's
    background threads (events forwarded from the worker processes, the last flush at exit) read the global
    settings, and without the address they would start a temporary server of their own.

    Flow-run heartbeats are off unless `PREFECT_FLOWS_HEARTBEAT_FREQUENCY` asks for them: cdv marks the flow runs
    of dead cdv processes crashed itself (`mark_crashed_runs`), and Prefect's heartbeat thread, which sleeps in
    one-second steps, held every run's end for up to a second."""
    if not os.environ.get("PREFECT_API_URL"):
        if idle_seconds():
            os.environ["PREFECT_API_URL"] = ensure_server(workspace)
        else:
            server = temporary_server()  # dies with this process, even on kill -9
            server.start(timeout=int(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")))
            os.environ["PREFECT_API_URL"] = server.api_url
    from prefect.context import refresh_global_settings_context
    from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    refresh_global_settings_context()
    updates: dict[Any, Any] = {PREFECT_API_URL: os.environ["PREFECT_API_URL"]}
    if not os.environ.get("PREFECT_FLOWS_HEARTBEAT_FREQUENCY"):
        updates[PREFECT_FLOWS_HEARTBEAT_FREQUENCY] = None  # see `flow_heartbeats_off`
    with temporary_settings(updates=updates):
        yield
