"""Prefect orchestration of a run: one task per contract (`analyse_contract`), mapped on a process pool or a
Dask cluster, inside a flow whose body is `pipeline.run.execute_run`.

Import this module after `pipeline.workspace.configure_prefect` so that Prefect reads its settings from the
workspace.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from prefect import flow, task
from prefect.futures import as_completed
from prefect.task_runners import ProcessPoolTaskRunner

from pipeline.analyse import analyse_contract
from pipeline.errors import CdvError
from pipeline.run import check_run, execute_run
from pipeline.types import ContractAnalysis, ContractFile, RunResult, RunSettings

ProgressHook = Callable[[int, int], None]
progress_hook: ProgressHook | None = None


def report_progress(done: int, total: int) -> None:
    """Tell the CLI's progress bar, if any, how far the run is."""
    if progress_hook is not None:
        progress_hook(done, total)


@task(name="analyse-contrat", task_run_name="analyse-{contract.contract_id}")
def analyse_task(contract: ContractFile, settings: RunSettings) -> ContractAnalysis:
    """Extraction (cached), structure, matching, classification, candidates and cues of one contract."""
    return analyse_contract(contract, settings)


def analyse_with_prefect(contracts: list[ContractFile], settings: RunSettings) -> Iterator[ContractAnalysis]:
    """Submit one task per contract to the flow's task runner; yield analyses as they complete."""
    futures = [analyse_task.submit(contract, settings) for contract in contracts]
    for future in as_completed(futures):
        yield future.result()


@flow(name="cdv-run", log_prints=False)
def cdv_flow(settings: RunSettings) -> RunResult:
    """Read a corpus folder and write the evidence-backed tables into `settings.out`."""
    return execute_run(settings, analyse_with_prefect, report_progress)


def task_runner_for(workers: int, dask_address: str | None = None) -> Any:
    """A local process pool, or the Dask cluster at `dask_address` (through prefect-dask)."""
    if dask_address:
        try:
            from prefect_dask import DaskTaskRunner
        except ImportError as error:
            raise CdvError("prefect-dask n'est pas installé : pip install prefect-dask pour --dask-address.") from error
        return DaskTaskRunner(address=dask_address)
    return ProcessPoolTaskRunner(max_workers=max(1, workers))


def run_corpus(settings: RunSettings) -> RunResult:
    """Run the whole pipeline through the Prefect flow, on local processes or a Dask cluster."""
    check_run(settings)
    configured = cdv_flow.with_options(task_runner=task_runner_for(settings.workers, settings.dask_address))
    with prefect_api():
        return configured(settings)


@contextmanager
def prefect_api() -> Iterator[None]:
    """One Prefect API for the flow and its worker processes: the configured server (`PREFECT_API_URL`),
    else one temporary local server started once per process — without it, every worker process would
    start a temporary server of its own."""
    if os.environ.get("PREFECT_API_URL"):
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, temporary_settings

    server = SubprocessASGIServer()
    server.start(timeout=int(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")))
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            yield
    finally:
        os.environ.pop("PREFECT_API_URL", None)
