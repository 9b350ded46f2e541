"""`cdv run` as users run it, through Prefect, on a hostile corpus: a file named `=2+3.pdf`, a formula in the
text, a link to a secret outside the corpus, a private contract; a run killed with kill -9 in the middle; an
analyst's note in the run folder. Nothing read from a PDF becomes a formula, no secret is read or copied, the
killed run is marked crashed, the note survives, and the history of an unchanged re-run says nothing changed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from contract_pdf import write_contract
from openpyxl import load_workbook

from pipeline.cli import main
from pipeline.runfolder import read_marker
from pipeline.workspace import Workspace

pytestmark = pytest.mark.e2e

FORMULA = '=HYPERLINK("http://evil.example/vol","clic")'
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def write_hostile_corpus(root: Path) -> Path:
    corpus = root / "corpus"
    write_contract(
        corpus / "=2+3.pdf",
        [f"{FORMULA} La Mission locale accompagne les jeunes vers l'emploi.", "Axe santé\nL'ARS et la CPAM."],
    )
    write_contract(corpus / "aude.pdf", ["Axe emploi\nFrance Travail et la Mission locale.\n@SUM(1+1) CLSPD."])
    write_contract(corpus / "prive.pdf", ["Cadre de vie\nLes bailleurs sociaux mobilisent la GUSP."])
    os.chmod(corpus / "prive.pdf", 0o600)
    write_contract(root / "secret.pdf", ["Document confidentiel\nFrance Travail."])
    os.chmod(root / "secret.pdf", 0o600)
    (corpus / "secret.pdf").symlink_to(root / "secret.pdf")
    (corpus / "alias.pdf").symlink_to(corpus / "aude.pdf")
    return corpus


def kill_during_flow(args: list[str], api_url: str) -> tuple[str, int]:
    """Start `cdv run` in a process group, kill -9 the group once its flow run is RUNNING; the run's id."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
    from prefect.client.schemas.objects import StateType

    cdv = str(Path(sys.executable).parent / "cdv")
    env = {**os.environ, "PREFECT_API_URL": api_url}
    process = subprocess.Popen([cdv, *args], env=env, start_new_session=True, stdout=subprocess.DEVNULL)
    running = FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.RUNNING])))
    deadline = time.monotonic() + 240
    try:
        with get_client(sync_client=True) as client:
            while time.monotonic() < deadline:
                found = [r for r in client.read_flow_runs(flow_run_filter=running) if f":{process.pid}:" in str(r.tags)]
                if found:  # killed at once: with the resident analyser warm, the flow can end within a second
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
                    return str(found[0].id), process.returncode
                time.sleep(0.2)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    raise AssertionError("le run lancé n'a jamais atteint l'état RUNNING")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from pipeline.flows import prefect_api

    root = tmp_path_factory.mktemp("surete")
    corpus = write_hostile_corpus(root)
    out, ws = root / "out", root / "ws"
    args = ["run", "--corpus", str(corpus), "--out", str(out), "--workspace", str(ws), "--sans-ner"]
    runner = CliRunner()
    with prefect_api(Workspace(ws)):
        first = runner.invoke(main, args)
        first_marker = read_marker(out)
        (out / "notes.txt").write_text("mes remarques", encoding="utf-8")
        # analyses to redo, so that the kill lands while the workers run them: with every analysis cached and the
        # charts taken from the previous run folder, the whole flow can finish within the second before the kill
        shutil.rmtree(Workspace(ws).detection_cache)
        killed_id, killed_code = kill_during_flow([*args, "--force"], os.environ["PREFECT_API_URL"])
        second = runner.invoke(main, [*args, "--force"])  # an unchanged re-run, forced
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            killed_state = client.read_flow_run(killed_id).state_type.value  # type: ignore[union-attr]
    history = runner.invoke(main, ["history", "--workspace", str(ws)])
    return {
        "root": root,
        "out": out,
        "ws": ws,
        "first": first,
        "first_marker": first_marker,
        "second": second,
        "killed": (killed_state, killed_code),
        "history": history,
    }


def raw_cells(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def is_live(text: str) -> bool:
    """A cell a spreadsheet would evaluate: starts with a trigger and is not a plain number."""
    try:
        float(text.replace(",", "."))
        return False
    except ValueError:
        return text.startswith(TRIGGERS)


def test_runs_succeed(runs: dict[str, Any]) -> None:
    assert runs["first"].exit_code == 0, runs["first"].output
    assert runs["second"].exit_code == 0, runs["second"].output


def test_no_csv_cell_from_a_pdf_or_a_file_name_is_a_formula(runs: dict[str, Any]) -> None:
    out = runs["out"]
    marker = read_marker(out)
    assert marker is not None
    csvs = [name for name in marker.files if name.endswith(".csv")]
    assert "tables/preuves.csv" in csvs and "candidates.csv" in csvs
    for name in csvs:
        frame = raw_cells(out / name)
        live = [value for column in frame.columns for value in frame[column] if is_live(value)]
        assert live == [], name
    contracts = raw_cells(out / "contracts.csv").set_index("contract_id")
    assert contracts.loc["'=2+3", "file"] == "'=2+3.pdf"
    snippets = raw_cells(out / "detections.csv")["snippet"]
    assert any(snippet.startswith("'" + FORMULA) for snippet in snippets)


def test_no_workbook_cell_is_a_formula(runs: dict[str, Any]) -> None:
    book = load_workbook(runs["out"] / "rapport.xlsx")
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    assert "'=2+3" in texts
    assert not [text for text in texts if is_live(text)]


def test_review_export_import_round_trip_changes_nothing(runs: dict[str, Any], tmp_path: Path) -> None:
    out, ws, runner = runs["out"], runs["ws"], CliRunner()
    book = tmp_path / "relecture.xlsx"
    assert runner.invoke(main, ["review", "export", "--out", str(book), "--run", str(out)]).exit_code == 0
    workbook = load_workbook(book)
    sheets = [workbook["Détections"], workbook["_cdv"]]
    for sheet in sheets:
        assert all(c.data_type != "f" and not is_live(str(c.value or "")) for r in sheet.iter_rows() for c in r)
    visible = workbook["Détections"]
    header = [cell.value for cell in visible[1]]
    line = next(r for r in range(2, visible.max_row + 1) if visible.cell(r, 2).value == "'=2+3")
    assert str(visible.cell(line, header.index("extrait") + 1).value).startswith("'=HYPERLINK")
    unchanged = runner.invoke(main, ["review", "import", str(book), "--reviewer", "Alice", "--run", str(out)])
    assert unchanged.exit_code == 0, unchanged.output
    assert unchanged.output.startswith("0 décision enregistrée, 0 ligne déjà à jour")
    comment = visible.cell(line, header.index("commentaire") + 1)
    comment.value = "=1+2 à vérifier"
    comment.data_type = "s"  # typed as text ('=1+2 … in Excel): the reviewer's text, not a formula
    workbook.save(book)
    noted = runner.invoke(main, ["review", "import", str(book), "--reviewer", "Alice", "--run", str(out)])
    assert noted.output.startswith("1 décision enregistrée"), noted.output
    from pipeline.review.session import ReviewSession
    from pipeline.workspace import Workspace

    session = ReviewSession(out, Workspace(ws))
    assert [d.after["comment"] for d in session.store.all()] == ["=1+2 à vérifier"]
    assert session.store.all()[0].contract_id == "=2+3"
    again = tmp_path / "relecture-2.xlsx"
    runner.invoke(main, ["review", "export", "--out", str(again), "--run", str(out)])
    second = load_workbook(again)["Détections"]
    assert second.cell(line, header.index("commentaire") + 1).value == "'=1+2 à vérifier"
    repeat = runner.invoke(main, ["review", "import", str(again), "--reviewer", "Alice", "--run", str(out)])
    assert repeat.output.startswith("0 décision enregistrée"), repeat.output


def test_link_to_a_secret_outside_the_corpus_is_neither_read_nor_copied(runs: dict[str, Any]) -> None:
    root, out, ws = runs["root"], runs["out"], runs["ws"]
    contracts = raw_cells(out / "contracts.csv").set_index("contract_id")
    assert contracts.loc["secret", "status"] == "error" and contracts.loc["secret", "sha256"] == ""
    assert "lien symbolique vers un fichier hors du dossier du corpus" in contracts.loc["secret", "error"]
    assert contracts.loc["aude", "duplicate_of"] == "alias"  # a link inside the corpus is followed
    secret = (root / "secret.pdf").read_bytes()
    kept = [path for path in (ws / "versions").rglob("*.pdf")]
    assert len(kept) == 3 and all(path.read_bytes() != secret for path in kept)
    private = (root / "corpus" / "prive.pdf").read_bytes()
    (copy,) = [path for path in kept if path.read_bytes() == private]
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600


def test_killed_run_is_marked_crashed_and_the_next_run_keeps_foreign_files(runs: dict[str, Any]) -> None:
    assert runs["killed"] == ("CRASHED", -signal.SIGKILL)
    out = runs["out"]
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mes remarques"
    marker = read_marker(out)
    assert marker is not None and marker.run_id != runs["first_marker"].run_id
    assert marker.run_id == json.loads((out / "run.json").read_text(encoding="utf-8"))["run_id"]
    assert "notes.txt" not in marker.files
    assert not [p.name for p in out.parent.iterdir() if ".staging-" in p.name or ".previous-" in p.name]


def test_history_of_an_unchanged_rerun_reports_nothing_changed(runs: dict[str, Any]) -> None:
    history = runs["history"]
    assert history.exit_code == 0, history.output
    lines = history.output.splitlines()
    assert lines[0] == "Runs (2 plus récents d'abord) :"
    assert lines[1].endswith("3 contrats lus sur 5 ; rien de changé"), lines[1]
    assert "cellule" not in history.output
