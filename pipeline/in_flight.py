"""Analyses started ahead of a run's tasks: the CLI has the resident analyser begin the first contracts while
Prefect is imported and the flow starts (`pipeline.analyser.prefetch_in_background`). The run neither reads such a
contract from the cache nor asks for it again: its task waits for the analysis started ahead, which counts as
made in this run (`run.json` says "miss", with its seconds)."""

from __future__ import annotations

import threading
from concurrent.futures import Future

from pipeline.types import ContractAnalysis, ContractFile

_in_flight: dict[tuple[str, str], tuple[dict[str, str], Future[ContractAnalysis]]] = {}
_in_flight_lock = threading.Lock()


def start_in_flight(contract: ContractFile, versions: dict[str, str]) -> Future[ContractAnalysis]:
    """Register an analysis of this contract version started ahead of the run's tasks (`pipeline.analyser`
    prefetches the first contracts while Prefect starts): the run does not read it from the cache but waits for it
    (`take_in_flight`), so that it counts as analysed in this run."""
    future: Future[ContractAnalysis] = Future()
    with _in_flight_lock:
        _in_flight[(contract.contract_id, contract.sha256)] = (versions, future)
    return future


def in_flight(contract: ContractFile) -> bool:
    with _in_flight_lock:
        return (contract.contract_id, contract.sha256) in _in_flight


def take_in_flight(contract: ContractFile, versions: dict[str, str]) -> Future[ContractAnalysis] | None:
    """The analysis started ahead for this contract version with these versions, taken once; None otherwise."""
    with _in_flight_lock:
        started = _in_flight.pop((contract.contract_id, contract.sha256), None)
    return started[1] if started is not None and started[0] == versions else None


def forget_in_flight(contracts: list[ContractFile]) -> None:
    """Drop what a run started ahead and did not take (it stopped before its tasks): a later run in the same
    process reads those contracts from the cache."""
    with _in_flight_lock:
        for contract in contracts:
            _in_flight.pop((contract.contract_id, contract.sha256), None)
