"""The whole pipeline through Prefect, called as users call it: `cdv run` in-process, twice."""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from contract_pdf import write_contract

from pipeline.cli import main
from pipeline.review.session import ReviewSession

pytestmark = pytest.mark.e2e

REQUIRED_COLUMNS = {
    "contracts.csv": "contract_id file sha256 pages territory department status error",
    "detections.csv": "detection_id contract_id entity_id entity_name entity_acronym kind role theme page start end "
    "snippet score method status",
    "contract_entities.csv": "contract_id entity_id entity_name entity_acronym kind signataire mentionne n_mentions "
    "pages themes",
    "tables/partenaires.csv": "entity_id entity_name entity_acronym n_contracts n_signataire pct_signataire "
    "n_mentionne pct_mentionne",
    "tables/articulations.csv": "entity_id entity_name entity_acronym scope n_contracts n_mentionne pct_mentionne",
}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("e2e")
    corpus = root / "corpus"
    write_contract(
        corpus / "aude.pdf",
        [
            "Axe emploi\nFrance Travail et la Mission locale accompagnent les jeunes vers l'emploi.",
            "Axe santé\nL'ARS et la CPAM portent le contrat local de santé. Le CLSPD se réunit.",
        ],
    )
    write_contract(
        corpus / "gers.pdf",
        ["Cadre de vie\nLes bailleurs sociaux mobilisent l'abattement de TFPB et la GUSP."],
        signature="Les signataires\nFait à Auch, le 12 juillet 2024\nPour l'État, le Préfet du Gers\n"
        "Pour France Travail, la Directrice\nPour Altémed, bailleur social, le Directeur",
    )
    (corpus / "copie-aude.pdf").write_bytes((corpus / "aude.pdf").read_bytes())
    (corpus / "notes.pdf").write_text("ceci n'est pas un PDF", encoding="utf-8")
    (corpus / "manifest.csv").write_text(
        "contract_id,file,territory,department\n"
        "11-carcassonne,aude.pdf,Carcassonne Agglo,Aude\n32-auch,gers.pdf,Grand Auch,Gers\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    args = ["run", "--corpus", str(corpus), "--out", str(root / "out"), "--workspace", str(root / "ws")]
    first = runner.invoke(main, args)
    first_json = json.loads((root / "out" / "run.json").read_text(encoding="utf-8"))
    shutil.copytree(root / "out", root / "first")
    first_ids = {r["detection_id"] for r in read_csv(root / "out" / "detections.csv")}
    session = ReviewSession(root / "out")
    rejected = session.detections.query("entity_id == 'cpam'")["detection_id"].iloc[0]
    session.decide(rejected, "rejeter", "Alice")
    second = runner.invoke(main, args)
    second_json = (root / "out" / "run.json").read_bytes()
    third = runner.invoke(main, args)
    third_json = (root / "out" / "run.json").read_bytes()
    write_contract(corpus / "lot.pdf", ["Éducation\nLe programme de réussite éducative et la cité éducative."])
    fourth = runner.invoke(main, args)
    return {
        "second_json": second_json,
        "third": third,
        "third_json": third_json,
        "fourth": fourth,
        "root": root,
        "first": first,
        "second": second,
        "first_json": first_json,
        "first_ids": first_ids,
        "rejected": rejected,
    }


def test_run_succeeds_with_french_summary(runs: dict[str, Any]) -> None:
    first: Result = runs["first"]
    assert first.exit_code == 0, first.output
    assert "Contrats lus : 2 sur 4 (2 en erreur)" in first.output
    assert "Relecture : 0 détection décidée sur " in first.output
    assert "  ! notes : notes.pdf : ce n'est pas un PDF (le contenu est un fichier texte)." in first.output
    assert "  ! copie-aude : copie-aude.pdf : même contenu que le contrat « 11-carcassonne », lu une seule fois." in (
        first.output
    )


def test_every_output_file_has_the_contract_columns(runs: dict[str, Any]) -> None:
    out = runs["root"] / "first"
    for name, columns in REQUIRED_COLUMNS.items():
        with (out / name).open(encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        assert set(columns.split()) <= set(header), name
    for name in ("detections_auto.csv", "candidates.csv", "rapport.xlsx", "rapport.html", "contract_indicators.csv"):
        assert (out / name).exists(), name
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert {
        "run_id",
        "started_at",
        "finished_at",
        "corpus",
        "counts",
        "contracts",
        "stage_seconds",
        "lexicon_version",
        "versions",
    } <= set(run)


def test_contract_entities_and_tables_values(runs: dict[str, Any]) -> None:
    out = runs["root"] / "first"
    rows = {(r["contract_id"], r["entity_id"]): r for r in read_csv(out / "contract_entities.csv")}
    assert rows[("11-carcassonne", "france_travail")]["signataire"] == "1"
    assert rows[("11-carcassonne", "mission_locale")]["signataire"] == "0"
    assert rows[("32-auch", "bailleurs_sociaux")]["signataire"] == "1"
    assert ("32-auch", "ars") not in rows
    partners = {r["entity_id"]: r for r in read_csv(out / "tables" / "partenaires.csv")}
    assert (partners["france_travail"]["n_contracts"], partners["france_travail"]["pct_signataire"]) == ("2", "100.0")
    assert (partners["ars"]["n_signataire"], partners["ars"]["pct_mentionne"]) == ("1", "50.0")
    schemes = {r["entity_id"]: r for r in read_csv(out / "tables" / "articulations.csv")}
    assert schemes["atfpb"]["pct_mentionne"] == "50.0"
    assert schemes["clspd"]["scope"] == "droit commun"
    contracts = {r["contract_id"]: r for r in read_csv(out / "contracts.csv")}
    assert (contracts["32-auch"]["territory"], contracts["32-auch"]["department"]) == ("Grand Auch", "Gers")


def test_second_run_extracts_nothing_again(runs: dict[str, Any]) -> None:
    second: Result = runs["second"]
    assert second.exit_code == 0, second.output
    first_cache = runs["first_json"]["cache"]
    assert first_cache["11-carcassonne"] == {
        "version": "v1",
        "version_changement": "nouveau",
        "extraction": "miss",
        "extraction_raison": "recalcul : nouvelle version du fichier",
        "analyse": "miss",
        "analyse_raison": "recalcul : nouvelle version du fichier",
    }
    run = json.loads(runs["second_json"])
    unchanged = {"version": "v1", "version_changement": "inchange", "extraction": "hit", "analyse": "hit"}
    assert run["cache"]["11-carcassonne"] == unchanged
    assert run["cache"]["32-auch"] == unchanged
    assert "Versions : 0 nouveau contrat, 0 nouvelle version, 3 inchangés" in second.output
    assert "extraction : 2 contrats depuis le cache" in second.output
    fourth_ids = {r["detection_id"] for r in read_csv(runs["root"] / "out" / "detections.csv")}
    assert runs["first_ids"] < fourth_ids  # the same ids for the same text, plus the new contract's
    assert len(runs["first_ids"]) == run["counts"]["detections"]


def test_history_lists_both_runs_and_the_versions(runs: dict[str, Any]) -> None:
    result = CliRunner().invoke(main, ["history", "--workspace", str(runs["root"] / "ws")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Runs (3 plus récents d'abord) :")
    assert "11-carcassonne@v1" in result.output and "32-auch@v1" in result.output


def test_a_rejection_survives_the_next_run(runs: dict[str, Any]) -> None:
    out = runs["root"] / "out"
    decided = {r["detection_id"]: r for r in read_csv(out / "detections.csv")}
    automatic = {r["detection_id"]: r for r in read_csv(out / "detections_auto.csv")}
    assert decided[runs["rejected"]]["status"] == "rejete"
    assert automatic[runs["rejected"]]["status"] == "auto"
    entities = {(r["contract_id"], r["entity_id"]) for r in read_csv(out / "contract_entities.csv")}
    assert ("11-carcassonne", "cpam") not in entities
    assert "Relecture : 1 détection décidée sur " in runs["second"].output


def test_nothing_new_stops_at_once_and_leaves_the_outputs(runs: dict[str, Any]) -> None:
    third: Result = runs["third"]
    assert third.exit_code == 0, third.output
    assert third.output.startswith("Rien de nouveau : 3 fichiers inchangés, même code, mêmes lexiques, modèles et ")
    assert runs["third_json"] == runs["second_json"]
    history = CliRunner().invoke(main, ["history", "--workspace", str(runs["root"] / "ws")]).output
    assert "1 vérification sans rien de nouveau depuis ; dernière : " in history


def test_only_the_new_contract_goes_through_the_flow(runs: dict[str, Any]) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from pipeline.prefect_server import running_server

    fourth: Result = runs["fourth"]
    assert fourth.exit_code == 0, fourth.output
    run = json.loads((runs["root"] / "out" / "run.json").read_text(encoding="utf-8"))
    assert run["cache"]["lot"]["analyse"] == "miss" and run["cache"]["32-auch"]["analyse"] == "hit"
    api = running_server(Path(os.environ["PREFECT_HOME"]))
    assert api is not None
    with temporary_settings(updates={PREFECT_API_URL: api}), get_client(sync_client=True) as client:
        latest = client.read_flow_runs(sort=FlowRunSort.START_TIME_DESC, limit=1)[0]
        assert latest.name and latest.state and latest.state.is_completed()
        tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[latest.id])))
    assert sorted(task.name for task in tasks) == ["analyse-lot", "analyse-notes"]  # files in error are retried
