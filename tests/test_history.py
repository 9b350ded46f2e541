"""Run history: versions read by each run and what changed, `cdv history`, and the scheduled run's checks."""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from contract_pdf import write_contract

from pipeline.aggregate import CONTRACT_ENTITY_COLUMNS
from pipeline.cli import main
from pipeline.history import diff_contract_entities, list_runs, record_run, runs_for_version
from pipeline.sources import pending_changes
from pipeline.versions import list_versions
from pipeline.workspace import Workspace

ENTITY_COLUMNS = CONTRACT_ENTITY_COLUMNS


def fake_run(
    corpus: Path,
    out: Path,
    run_id: str,
    started: str,
    files: dict[str, bytes],
    entities: list[tuple[str, str, str, int]],
) -> dict[str, Any]:
    """Write a corpus and the outputs a run would have written; return its run.json."""
    corpus.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for contract_id, content in files.items():
        (corpus / f"{contract_id}.pdf").write_bytes(content)
        rows.append(
            {
                "contract_id": contract_id,
                "file": f"{contract_id}.pdf",
                "status": "ok",
                "duplicate_of": "",
                "sha256": hashlib.sha256(content).hexdigest(),
                "pages": 3,
            }
        )
    with (out / "contract_entities.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=ENTITY_COLUMNS)
        writer.writeheader()
        for contract_id, entity_id, signataire, mentions in entities:
            writer.writerow(
                {
                    "contract_id": contract_id,
                    "entity_id": entity_id,
                    "entity_name": entity_id.upper(),
                    "entity_acronym": "",
                    "kind": "partenaire",
                    "signataire": signataire,
                    "mentionne": "1",
                    "n_mentions": mentions,
                    "pages": "2",
                    "themes": "emploi",
                }
            )
    (out / "detections.csv").write_text("detection_id,contract_id\nd1,x\n", encoding="utf-8")
    record = {
        "run_id": run_id,
        "started_at": started,
        "finished_at": started,
        "corpus": str(corpus.resolve()),
        "out": str(out.resolve()),
        "lexicon_version": "lex1",
        "versions": {"extraction": "e1"},
        "counts": {"contracts": len(rows), "contracts_ok": len(rows)},
        "contracts": rows,
    }
    (out / "run.json").write_text(json.dumps(record), encoding="utf-8")
    return record


def test_record_run_names_new_versions_and_entity_changes(tmp_path: Path) -> None:
    space = Workspace(tmp_path / "ws")
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    first = fake_run(
        corpus,
        out,
        "r1",
        "2024-07-01T06:00:00+00:00",
        {"11-aude": b"%PDF a1", "32-gers": b"%PDF g1"},
        [("11-aude", "ars", "0", 2), ("11-aude", "france_travail", "1", 3), ("32-gers", "caf", "1", 1)],
    )
    one = record_run(space, first)
    assert one.previous_run == "" and {c[1] for c in one.contract_changes} == {"nouveau"}
    second = fake_run(
        corpus,
        out,
        "r2",
        "2024-07-02T06:00:00+00:00",
        {"11-aude": b"%PDF a2", "32-gers": b"%PDF g1"},
        [("11-aude", "ars", "1", 2), ("11-aude", "cpam", "0", 1), ("32-gers", "caf", "1", 1)],
    )
    (corpus / "32-gers.pdf").unlink()  # a contract whose file disappears is 'retire' on the next run
    two = record_run(space, second)
    assert two.previous_run == "r1"
    assert {c[0]: c[1] for c in two.contract_changes} == {"11-aude": "remplace", "32-gers": "inchange"}
    assert {(c.entity_id, c.change, c.detail) for c in two.entity_changes} == {
        ("ars", "modifie", "mentionné → signataire"),
        ("cpam", "ajoute", "mentionné"),
        ("france_travail", "retire", "était signataire"),
    }
    assert [r.run_id for r in list_runs(space)] == ["r2", "r1"]
    assert record_run(space, second).entity_changes == two.entity_changes  # idempotent
    versions = list_versions(space, "11-aude")
    assert [(v.version_no, v.current) for v in versions] == [(1, False), (2, True)]
    assert runs_for_version(space, "11-aude", versions[0].sha256) == ["r1"]
    # the snapshot keeps the old run's tables although outputs/latest was replaced
    assert (space.runs / "r1" / "contract_entities.csv").read_text(encoding="utf-8").count("france_travail") == 1
    assert (space.runs / "r1" / "detections.csv.gz").exists()

    result = CliRunner().invoke(main, ["history", "--workspace", str(space.root)])
    assert result.exit_code == 0, result.output
    assert "r2" in result.output and "11-aude : nouvelle version v2" in result.output
    assert (
        "+ 11-aude · CPAM (mentionné)" in result.output and "~ 11-aude · ARS (mentionné → signataire)" in result.output
    )
    assert "11-aude@v1" in result.output and "remplacée le" in result.output and "11-aude@v2" in result.output
    only = CliRunner().invoke(main, ["history", "--workspace", str(space.root), "--contract", "32-gers"])
    assert "11-aude@v1" not in only.output and "32-gers@v1" in only.output


def test_fallback_comparison_of_contract_entities() -> None:
    row = dict.fromkeys(ENTITY_COLUMNS, "1") | {"contract_id": "a", "entity_id": "caf", "entity_name": "CAF"}
    assert diff_contract_entities([row], [dict(row)]) == []
    changed = diff_contract_entities([row], [row | {"signataire": "0", "n_mentions": "4"}])
    assert [(c.change, c.detail) for c in changed] == [("modifie", "signataire 1 → 0, mentions 1 → 4")]


def test_pending_changes_says_when_nothing_is_new(tmp_path: Path) -> None:
    space = Workspace(tmp_path / "ws")
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    assert pending_changes(space, corpus, "lex1").reasons == ["aucun run précédent sur ce corpus"]
    record = fake_run(corpus, out, "r1", "2024-07-01T06:00:00+00:00", {"a": b"%PDF a"}, [])
    record_run(space, record)
    assert pending_changes(space, corpus, "lex1", {"extraction": "e1"}).nothing_new
    assert "Rien de nouveau" in pending_changes(space, corpus, "lex1").summary()
    assert not pending_changes(space, corpus, "lex2").nothing_new
    assert "étape extraction" in pending_changes(space, corpus, "lex1", {"extraction": "e2"}).summary()
    (corpus / "a.pdf").write_bytes(b"%PDF a, avenant 1")
    (corpus / "b.pdf").write_bytes(b"%PDF b")
    (corpus / "manifest.csv").write_text("contract_id,file\na,a.pdf\n", encoding="utf-8")
    pending = pending_changes(space, corpus, "lex1")
    assert (pending.replaced, pending.new, pending.unmatched) == (["a"], ["b"], ["b.pdf"])


def test_cli_help_and_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    help_text = runner.invoke(main, ["serve", "--help"]).output
    assert 'Exemple : cdv serve --cron "0 6 * * *"' in help_text
    assert "Exemple : cdv history" in runner.invoke(main, ["history", "--help"]).output
    bad = runner.invoke(main, ["serve", "--cron", "tous les jours", "--corpus", str(tmp_path)])
    assert bad.exit_code == 1 and "Erreur : planification « tous les jours » invalide" in bad.output
    missing = runner.invoke(main, ["serve", "--corpus", str(tmp_path / "absent")])
    assert missing.exit_code == 1 and "dossier du corpus introuvable" in missing.output
    empty = runner.invoke(main, ["history", "--workspace", str(tmp_path / "ws")])
    assert empty.exit_code == 0 and "Aucun run enregistré" in empty.output


def test_only_transient_failures_are_retried() -> None:
    from pipeline.errors import CorpusError
    from pipeline.schedule import run_with_retries

    calls: list[int] = []
    logged: list[str] = []

    def flaky() -> dict[str, Any]:
        calls.append(1)
        if len(calls) < 3:
            raise sqlite3.OperationalError("database is locked")
        return {"ok": True}

    assert run_with_retries(flaky, retries=2, delay=0.001, log=logged.append) == {"ok": True}
    assert len(calls) == 3 and "Échec passager" in logged[0]

    def broken() -> dict[str, Any]:
        calls.append(1)
        raise CorpusError("manifeste illisible")

    calls.clear()
    with pytest.raises(CorpusError):
        run_with_retries(broken, retries=2, delay=0.001, log=logged.append)
    assert len(calls) == 1


def test_deployment_has_the_schedule_and_parameters(tmp_path: Path) -> None:
    from pipeline.schedule import build_deployment

    space = Workspace(tmp_path / "ws")
    deployment = build_deployment(tmp_path, tmp_path / "out", space, tmp_path, cron="30 5 * * 1-5", workers=3)
    (schedule,) = deployment.schedules or []
    assert getattr(schedule.schedule, "cron", None) == "30 5 * * 1-5"
    assert getattr(schedule.schedule, "timezone", None) == "Europe/Paris"
    assert deployment.parameters["workers"] == 3 and deployment.parameters["workspace"] == str(space.root.resolve())
    assert deployment.entrypoint == "pipeline.schedule.scheduled_flow"


@pytest.mark.e2e
def test_new_version_is_the_only_contract_read_again(tmp_path: Path) -> None:
    """Through Prefect: `cdv serve --once` twice with nothing new, then with one new version and a lexicon edit."""
    corpus = tmp_path / "corpus"
    write_contract(corpus / "aude.pdf", ["Axe emploi\nFrance Travail et la Mission locale accompagnent les jeunes."])
    write_contract(corpus / "gers.pdf", ["Cadre de vie\nLes bailleurs sociaux mobilisent la GUSP."])
    lexicons = tmp_path / "lexicons"
    import shutil

    from pipeline.lexicon import default_lexicon_dir

    shutil.copytree(default_lexicon_dir(), lexicons)
    args = [
        "serve",
        "--once",
        "--corpus",
        str(corpus),
        "--out",
        str(tmp_path / "out"),
        "--workspace",
        str(tmp_path / "ws"),
        "--lexicons",
        str(lexicons),
    ]
    runner = CliRunner()
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "Run " in first.output
    nothing = runner.invoke(main, args)
    assert "Rien de nouveau" in nothing.output, nothing.output

    write_contract(
        corpus / "aude.pdf", ["Axe santé (avenant n°1)\nL'ARS et la CPAM portent le contrat local de santé."]
    )
    second = runner.invoke(main, args)
    assert second.exit_code == 0, second.output
    run = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert (run["cache"]["aude"]["extraction"], run["cache"]["gers"]["extraction"]) == ("miss", "hit")
    history = runner.invoke(main, ["history", "--workspace", str(tmp_path / "ws")]).output
    assert "aude : nouvelle version v2" in history and "aude@v1" in history and "aude@v2" in history
    assert "+ aude · " in history and "- aude · " in history

    with (lexicons / "partners.csv").open("a", encoding="utf-8") as stream:
        stream.write("bailleur_demo,Bailleur de démonstration,BDD,,,,bailleur,cadre_vie,,test\n")
    edited = runner.invoke(main, args)  # a lexicon edit: a new run, and no contract is extracted again
    assert edited.exit_code == 0 and "Run " in edited.output, edited.output
    run = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert {c["extraction"] for c in run["cache"].values()} == {"hit"}


def test_unchanged_rerun_reports_no_phantom_cell_or_contract_changes(tmp_path: Path) -> None:
    space = Workspace(tmp_path / "ws")
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    records = []
    for run_id, started in (("r1", "2024-07-01T06:00:00+00:00"), ("r2", "2024-07-02T06:00:00+00:00")):
        record = fake_run(corpus, out, run_id, started, {"11-aude": b"%PDF a1"}, [("11-aude", "caf", "1", 2)])
        (out / "tables").mkdir(exist_ok=True)
        (out / "tables" / "indicateurs.csv").write_text(
            "indicator_id,label,n,denominateur,pct\nmobilite,Mobilité,1,1,100.0\n", encoding="utf-8"
        )
        record["contracts"].append({"contract_id": "32-gers", "file": "gers.pdf", "status": "error", "sha256": ""})
        records.append(record)
        summary = record_run(space, record, register=False)
    assert summary.previous_run == "r1"
    assert summary.entity_changes == []
    assert {change for _, change, _, _ in summary.contract_changes} == {"inchange"}
    assert (space.runs / "r1" / "tables" / "indicateurs.csv").exists()
    history = CliRunner().invoke(main, ["history", "--workspace", str(space.root)])
    assert "r2  1 contrat lu sur 1 ; rien de changé" in history.output
