"""The workspace's shared local Prefect server: started by the first `cdv run`, reused by the next, stopped when
idle; a run never starts a temporary server of its own beside it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from contract_pdf import write_contract

from pipeline.prefect_server import IDLE_ENV, ensure_server, process_alive, running_server, stop_server
from pipeline.workspace import Workspace

pytestmark = pytest.mark.e2e
CDV = Path(sys.executable).parent / "cdv"


def cdv_run(corpus: Path, out: Path, workspace: Path, home: Path) -> str:
    environment = {**os.environ, "PREFECT_HOME": str(home), IDLE_ENV: "120"}
    environment.pop("PREFECT_API_URL", None)
    command = [str(CDV), "run", "--corpus", str(corpus), "--out", str(out), "--workspace", str(workspace)]
    result = subprocess.run([*command, "--sans-ner"], env=environment, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def test_runs_share_one_server_and_never_start_a_temporary_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: events forwarded from the workers started a temporary server (and, with a copied Prefect home,
    printed SQLAlchemy foreign-key errors) because Prefect's global settings lacked the API address."""
    corpus = tmp_path / "corpus"
    write_contract(corpus / "a.pdf", ["Axe emploi\nFrance Travail et la Mission locale accompagnent les jeunes."])
    home = tmp_path / "prefect"
    monkeypatch.setenv("PREFECT_HOME", str(home))
    try:
        first = cdv_run(corpus, tmp_path / "out1", tmp_path / "ws1", home)
        state = json.loads((home / "serveur-local.json").read_text(encoding="utf-8"))
        write_contract(corpus / "b.pdf", ["Axe santé\nL'ARS et la CPAM portent le contrat local de santé."])
        second = cdv_run(corpus, tmp_path / "out2", tmp_path / "ws2", home)
        assert json.loads((home / "serveur-local.json").read_text(encoding="utf-8"))["pid"] == state["pid"]
        for output in (first, second):
            assert "ERROR" not in output and "Traceback" not in output and "temporary server" not in output
        assert "Contrats lus : 2 sur 2" in second
    finally:
        stopped = stop_server(Workspace(tmp_path / "ws1"))
    assert stopped and not running_server(home)


def test_an_idle_server_stops_by_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(IDLE_ENV, "2")
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    workspace = Workspace(tmp_path / "ws")
    url = ensure_server(workspace)
    pid = json.loads((tmp_path / "prefect" / "serveur-local.json").read_text(encoding="utf-8"))["pid"]
    assert url.startswith("http://127.0.0.1:") and ensure_server(workspace) == url
    deadline = time.monotonic() + 60
    while process_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not process_alive(pid)
    assert running_server(tmp_path / "prefect") is None


def test_flow_heartbeats_are_off_unless_asked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: Prefect's heartbeat thread sleeps in one-second steps and held every run's end for up to 1 s."""
    from prefect.settings import get_current_settings

    from pipeline.flows import prefect_api
    from pipeline.workspace import Workspace

    monkeypatch.delenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", raising=False)
    with prefect_api(Workspace(tmp_path / "ws")):
        assert get_current_settings().flows.heartbeat_frequency is None
    monkeypatch.setenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "60")
    with prefect_api(Workspace(tmp_path / "ws")):
        assert get_current_settings().flows.heartbeat_frequency == 60


def flow_runs(home: Path) -> list[tuple[str, str]]:
    """(name, state type) of the flow runs in a Prefect home's database."""
    import sqlite3

    database = home / "prefect.db"
    if not database.exists():
        return []
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as connection:
        try:
            return [(str(n), str(s)) for n, s in connection.execute("SELECT name, state_type FROM flow_run")]
        except sqlite3.OperationalError:
            return []  # the server has not made its tables yet


def test_a_run_that_loses_its_local_server_says_so_and_the_next_one_recovers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: a local server killed during a run ended it on a traceback (httpx.ConnectError, or Prefect's
    ConcurrencySlotAcquisitionError) after a minute of Prefect errors; the run now ends on one French line, and the
    next run starts a server again, marks the lost flow run crashed and reads every contract."""
    corpus = tmp_path / "corpus"
    for n in range(6):
        line = f"France Travail et la Mission locale accompagnent les jeunes du quartier {n}."
        write_contract(corpus / f"c{n}.pdf", [f"Axe {k}\n{line}" for k in range(8)])
    home = tmp_path / "prefect"
    monkeypatch.setenv("PREFECT_HOME", str(home))
    environment = {**os.environ, "PREFECT_HOME": str(home), IDLE_ENV: "120"}
    environment.pop("PREFECT_API_URL", None)
    command = [str(CDV), "run", "--corpus", str(corpus), "--out", str(tmp_path / "out"), "--workspace"]
    command += [str(tmp_path / "ws"), "--sans-ner"]
    run = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 300
        while not flow_runs(home) and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        first = json.loads((home / "serveur-local.json").read_text(encoding="utf-8"))["pid"]
        os.kill(first, 9)
        output, _ = run.communicate(timeout=600)
        assert run.returncode == 1, output
        last = output.strip().splitlines()[-1]
        assert last.startswith("Erreur : le serveur Prefect local s'est arrêté pendant la lecture"), output
        again = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=600)
        assert again.returncode == 0, again.stdout + again.stderr
        assert "Contrats lus : 6 sur 6" in again.stdout + again.stderr
        second = json.loads((home / "serveur-local.json").read_text(encoding="utf-8"))["pid"]
        assert second != first and process_alive(second)
        assert sorted(state for _, state in flow_runs(home)) == ["COMPLETED", "CRASHED"]
    finally:
        if run.poll() is None:
            run.kill()
        stop_server(Workspace(tmp_path / "ws"))
