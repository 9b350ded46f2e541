"""Warm workers: forked from the forkserver that loaded the lexicon's matcher, the models and spaCy's NER
(`pipeline.workers`, `pipeline.preload`), they analyse real contract PDFs exactly as a plain in-process analysis
with the real French spaCy pipeline does."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
from run_fixture import run_settings, write_corpus

from pipeline.analyse import _resources, analyse_contract
from pipeline.candidates import load_ner
from pipeline.corpus import scan_corpus
from pipeline.types import ContractAnalysis, ContractFile, RunSettings
from pipeline.workers import PRELOAD_ENV, can_fork, forkserver_running, preload_request, start_warm_workers

pytestmark = pytest.mark.e2e


def analyse_in_worker(contract: ContractFile, settings: RunSettings) -> tuple[bool, bool, ContractAnalysis]:
    """In a worker: whether the matcher and the NER were already loaded before this analysis, and the analysis."""
    preloaded = _resources.cache_info().currsize > 0, load_ner.cache_info().currsize > 0
    return *preloaded, analyse_contract(contract, settings)


def comparable(analysis: ContractAnalysis) -> tuple[object, ...]:
    return analysis.detections, analysis.candidates, analysis.cues, analysis.page_themes, analysis.signature_pages


@pytest.mark.skipif(not can_fork(), reason="no forkserver on this platform")
def test_warm_workers_analyse_like_a_plain_run(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    warm = run_settings(corpus, tmp_path / "out-warm", tmp_path / "ws-warm", use_ner=True)
    plain = replace(warm, out=tmp_path / "out-plain", workspace=tmp_path / "ws-plain")
    contracts = scan_corpus(corpus).contracts

    assert start_warm_workers(warm)
    assert forkserver_running()
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("forkserver")) as pool:
        in_workers = list(pool.map(analyse_in_worker, contracts, [warm] * len(contracts)))

    assert all(matcher and ner for matcher, ner, _ in in_workers)  # nothing loaded again in the workers
    by_worker = {analysis.contract.contract_id: analysis for _, _, analysis in in_workers}
    for contract in contracts:
        here = analyse_contract(contract, plain)
        assert here.detections and here.candidates
        assert comparable(by_worker[contract.contract_id]) == comparable(here), contract.contract_id


def loaded_in_worker() -> tuple[bool, bool]:
    """In a worker: whether the matcher and the NER are loaded."""
    return _resources.cache_info().currsize > 0, load_ner.cache_info().currsize > 0


@pytest.mark.skipif(not can_fork(), reason="no forkserver on this platform")
def test_a_run_with_other_settings_restarts_the_forkserver(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    with_ner = run_settings(corpus, tmp_path / "out", tmp_path / "ws", use_ner=True)
    without_ner = replace(with_ner, use_ner=False)
    context = multiprocessing.get_context("forkserver")

    start_warm_workers(with_ner)
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        assert pool.submit(loaded_in_worker).result() == (True, True)
    start_warm_workers(without_ner)
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        assert pool.submit(loaded_in_worker).result() == (True, False)
    assert os.environ[PRELOAD_ENV] == preload_request(without_ner)


@pytest.mark.parametrize(("setup_known", "start_method"), [(True, "forkserver"), (False, "spawn")])
def test_a_prefect_without_its_worker_setup_gets_its_own_pool(
    setup_known: bool, start_method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The warm pool relies on a private function of Prefect's process pool; a Prefect without it runs on
    Prefect's own spawned pool (slower, same results) instead of failing at import or at start."""
    from pipeline import flows

    if not can_fork():
        pytest.skip("no forkserver on this platform")
    if not setup_known:
        monkeypatch.setattr(flows, "PREFECT_WORKER_SETUP", None)
    with flows.WarmProcessPoolTaskRunner(max_workers=1) as runner:
        executor = runner._executor
        assert isinstance(executor, ProcessPoolExecutor)
        assert executor._mp_context.get_start_method() == start_method  # type: ignore[attr-defined]
