"""The resident analyser (`pipeline.analyser`): it analyses real contract PDFs exactly as a plain in-process analysis
with the real French spaCy pipeline does, keeps its resources loaded between requests, refuses peers without its
key, restarts for other code, stops when idle, and a child does not outlive the run that asked for it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client
from pathlib import Path

import psutil
import pytest
from run_fixture import run_settings, write_corpus

from pipeline.analyse import analyse_contract
from pipeline.analyser import (
    STATE_FILE,
    analyse_resident,
    answers,
    ensure_analyser,
    prepare_resident,
    read_state,
    stop_analyser,
)
from pipeline.corpus import scan_corpus
from pipeline.errors import CdvError
from pipeline.prefect_server import IDLE_ENV, process_alive
from pipeline.types import ContractAnalysis
from pipeline.workspace import Workspace

pytestmark = pytest.mark.e2e
REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def own_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A Prefect home of the test's own, so that the session's shared analyser is left alone."""
    home = tmp_path / "home"
    monkeypatch.setenv("PREFECT_HOME", str(home))
    monkeypatch.setenv(IDLE_ENV, "120")
    yield home
    stop_analyser(Workspace(tmp_path / "ws"))


def comparable(analysis: ContractAnalysis) -> tuple[object, ...]:
    return analysis.detections, analysis.candidates, analysis.cues, analysis.page_themes, analysis.signature_pages


def wait_until(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_resident_analyser_analyses_like_a_plain_run(tmp_path: Path, own_home: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    resident = run_settings(corpus, tmp_path / "out", tmp_path / "ws", use_ner=True)
    plain = replace(resident, workspace=tmp_path / "ws-plain")
    contracts = scan_corpus(corpus).contracts

    prepare_resident(resident)
    state = read_state(own_home)
    assert state is not None and process_alive(state.pid)
    assert (own_home / STATE_FILE).stat().st_mode & 0o077 == 0  # the key is its owner's only
    for contract in contracts:
        remote = analyse_resident(contract, resident)
        here = analyse_contract(contract, plain)
        assert here.detections and here.candidates
        assert comparable(remote) == comparable(here), contract.contract_id
        assert remote.seconds["ressources"] < 1.0  # loaded by the analyser before the fork, not by the child
    assert read_state(own_home) == state  # one analyser served them all


def test_an_analyser_error_is_raised_in_the_run(tmp_path: Path, own_home: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    settings = run_settings(corpus, tmp_path / "out", tmp_path / "ws")
    broken = replace(settings, lexicon_dir=tmp_path / "pas-de-lexique")
    with pytest.raises(CdvError):
        analyse_resident(scan_corpus(corpus).contracts[0], broken)
    assert answers(ensure_analyser(Workspace(settings.workspace)))  # still serving (its code answered)


def test_a_peer_without_the_key_is_refused(tmp_path: Path, own_home: Path) -> None:
    state = ensure_analyser(Workspace(tmp_path / "ws"))
    with pytest.raises((AuthenticationError, EOFError, OSError)):
        Client(state.address, family="AF_UNIX", authkey=b"x" * 32).send(("ping",))
    assert not answers(replace(state, key=(b"y" * 32).hex()))
    assert answers(state)


def test_other_code_restarts_the_analyser(tmp_path: Path, own_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.analyser as analyser_module
    from pipeline.stage_versions import code_versions

    first = ensure_analyser(Workspace(tmp_path / "ws"))
    assert answers(first) == first.code != ""
    updated = {**code_versions(), "analyse": "mis à jour"}
    monkeypatch.setattr(analyser_module, "code_versions", lambda: updated)  # cdv's code changed on disk

    second = ensure_analyser(Workspace(tmp_path / "ws"))

    assert second.pid != first.pid and answers(second)
    assert wait_until(lambda: not process_alive(first.pid), 10)


def test_an_idle_analyser_stops_by_itself(tmp_path: Path, own_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(IDLE_ENV, "2")
    state = ensure_analyser(Workspace(tmp_path / "ws"))
    assert wait_until(lambda: not process_alive(state.pid), 30)


def test_a_child_does_not_outlive_its_killed_run(tmp_path: Path, own_home: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    settings = run_settings(corpus, tmp_path / "out", tmp_path / "ws", use_ner=True)
    prepare_resident(settings)
    state = read_state(own_home)
    assert state is not None
    script = (
        "import sys; from pathlib import Path; sys.path.insert(0, 'tests')\n"
        "from run_fixture import run_settings\n"
        "from pipeline.analyser import analyse_resident\n"
        "from pipeline.corpus import scan_corpus\n"
        f"s = run_settings(Path({str(corpus)!r}), Path({str(tmp_path / 'out')!r}), Path({str(tmp_path / 'ws')!r}), "
        "use_ner=True)\n"
        "for c in scan_corpus(s.corpus).contracts: analyse_resident(c, s)\n"
    )
    run = subprocess.Popen([sys.executable, "-c", script], cwd=REPO_ROOT, env=os.environ.copy())
    analyser = psutil.Process(state.pid)
    assert wait_until(lambda: analyser.children(), 60)  # a child is analysing for the run
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    assert wait_until(lambda: not analyser.children(), 15)
    assert process_alive(state.pid)


def test_a_run_with_other_code_than_the_analyser_analyses_itself(
    tmp_path: Path, own_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """cdv updated on disk while a run was starting: the analyser serves the code on disk and refuses the run's
    contracts, which the run then analyses with its own code (rather than failing)."""
    import pipeline.analyser as analyser_module
    from pipeline.stage_versions import code_versions, stage_versions

    corpus = write_corpus(tmp_path / "corpus")
    settings = run_settings(corpus, tmp_path / "out", tmp_path / "ws")
    contract = scan_corpus(corpus).contracts[0]
    older = {**code_versions(), "analyse": "ancien"}
    monkeypatch.setattr(analyser_module, "code_versions", lambda: older)
    monkeypatch.setattr(analyser_module, "stage_versions", lambda s: {**stage_versions(s), "analyse": "ancien"})

    analysis = analyse_resident(contract, settings)

    here = analyse_contract(contract, replace(settings, workspace=tmp_path / "ws-plain"))
    assert analysis.detections and comparable(analysis) == comparable(here)
    state = read_state(own_home)
    assert state is not None and "ancien" not in state.code and process_alive(state.pid)


def test_a_contract_started_ahead_counts_as_analysed_in_the_run(tmp_path: Path, own_home: Path) -> None:
    """Regression guard for `pipeline.in_flight`: an analysis started while Prefect starts is stored in the cache
    by the analyser's child before the run looks there; the run must wait for it, not count it a cache hit."""
    from pipeline.analyser import prefetch_in_background
    from pipeline.in_flight import in_flight
    from pipeline.run import execute_run

    corpus = write_corpus(tmp_path / "corpus")
    settings = run_settings(corpus, tmp_path / "out", tmp_path / "ws")
    contracts = scan_corpus(corpus).contracts
    prefetch_in_background(settings, contracts)
    assert [in_flight(c) for c in contracts] == [True] * settings.workers + [False] * (
        len(contracts) - settings.workers
    )
    cache = Workspace(settings.workspace).detection_cache
    assert wait_until(lambda: len(list(cache.glob("*/*.json.gz"))) >= settings.workers, 60)  # stored ahead

    result = execute_run(settings, lambda pending, s: (analyse_resident(c, s) for c in pending))
    assert [record.cache.analysis for record in result.contracts if record.cache] == ["miss"] * len(contracts)
    assert not any(in_flight(c) for c in contracts)  # each taken once
