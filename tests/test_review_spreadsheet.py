"""Spreadsheet round trip: export with drop-downs, import, idempotence, invalid files (nothing written),
a file from another run refused; and the `cdv review` CLI verbs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from test_review_support import build_run, review_run  # noqa: F401  (fixture)

from pipeline.cli import main
from pipeline.review.apply import apply_decisions
from pipeline.review.session import ReviewSession
from pipeline.review.spreadsheet import HEADER, SpreadsheetError, export_workbook, import_workbook


def edit(path: Path, changes: dict[tuple[str, str], object]) -> None:
    """Set cells by (entity_id-ish key, column) where key is `contract|entity|role` of the first matching row."""
    book = load_workbook(path)
    sheet = book["Détections"]
    columns = {name: index + 1 for index, name in enumerate(HEADER)}
    for (key, column), value in changes.items():
        contract, entity = key.split("|")
        for row in range(2, sheet.max_row + 1):
            if sheet.cell(row, columns["contrat"]).value == contract and entity in str(
                sheet.cell(row, columns["entite"]).value
            ):
                sheet.cell(row, columns[column]).value = value
                break
        else:
            raise AssertionError(key)
    book.save(path)


def test_round_trip_and_idempotence(review_run: Path, tmp_path: Path) -> None:  # noqa: F811
    session = ReviewSession(review_run)
    out = tmp_path / "relecture.xlsx"
    assert export_workbook(session, out) == len(session.detections)
    book = load_workbook(out)
    sheet = book["Détections"]
    assert [c.value for c in sheet[1]] == HEADER
    assert len(sheet.data_validations.dataValidation) == 3
    assert book["_cdv"].sheet_state == "veryHidden"
    edit(
        out,
        {
            ("contrat_1|Conseil local", "decision"): "rejeter",
            ("contrat_1|Agence régionale", "nouveau_role"): "signataire",
            ("contrat_1|France Travail", "nouveau_theme"): "sante",
            ("contrat_1|Mission locale", "decision"): "valider",
            ("contrat_1|Mission locale", "commentaire"): "vu p. 3",
        },
    )
    result = import_workbook(session, out, "Chloé")
    assert (result.recorded, result.unchanged) == (4, 0)
    trail = session.store.all()
    assert {d.reviewer for d in trail} == {"Chloé"} and {d.source for d in trail} == {"tableur"}
    decided = apply_decisions(session.detections, session.workspace, review_run)
    assert (decided["status"] == "rejete").sum() == 1
    again = import_workbook(session, out, "Chloé")
    assert (again.recorded, again.unchanged) == (0, 4)
    assert len(session.store.all()) == len(trail)
    # A new export shows the decisions; importing it untouched changes nothing.
    export_workbook(session, out)
    assert import_workbook(session, out, "Chloé").recorded == 0


def test_invalid_file_writes_nothing(review_run: Path, tmp_path: Path) -> None:  # noqa: F811
    session = ReviewSession(review_run)
    out = tmp_path / "relecture.xlsx"
    export_workbook(session, out)
    edit(
        out,
        {
            ("contrat_1|Conseil local", "decision"): "rejeter",  # valid, but must not be written
            ("contrat_1|Mission locale", "decision"): "peut-être",
            ("contrat_1|Convention territoriale", "nouveau_role"): "signataire",
            ("contrat_2|France Travail", "entite"): "Pôle emploi",
            ("contrat_2|Mission locale", "nouveau_theme"): "cuisine",
        },
    )
    book = load_workbook(out)
    book["Détections"].cell(row=5, column=1).value = "inconnu-123"
    book.save(out)
    with pytest.raises(SpreadsheetError) as caught:
        import_workbook(session, out, "Chloé")
    problems = "\n".join(caught.value.problems)
    assert "rien n'a été importé" in str(caught.value)
    assert "Ligne 5 : identifiant de détection inconnu « inconnu-123 »" in problems
    assert "décision « peut-être » invalide" in problems
    assert "rôle « signataire » impossible pour un dispositif" in problems
    assert "la colonne « entite » a été modifiée" in problems
    assert "thème « cuisine » inconnu" in problems
    assert session.store.all() == []


def test_file_from_another_run_is_refused(review_run: Path, tmp_path: Path) -> None:  # noqa: F811
    session = ReviewSession(review_run)
    out = tmp_path / "relecture.xlsx"
    export_workbook(session, out)
    other = build_run(Path(session.run_info["corpus"]), tmp_path / "other", tmp_path / "ws")
    with pytest.raises(SpreadsheetError, match="exporté du run"):
        import_workbook(ReviewSession(other), out, "Chloé")
    not_a_workbook = tmp_path / "faux.xlsx"
    not_a_workbook.write_text("pas un classeur")
    with pytest.raises(SpreadsheetError, match="illisible"):
        import_workbook(session, not_a_workbook, "Chloé")


def test_cli_export_import_agreement(review_run: Path, tmp_path: Path) -> None:  # noqa: F811
    runner = CliRunner()
    out = tmp_path / "r.xlsx"
    result = runner.invoke(main, ["review", "export", "--out", str(out), "--run", str(review_run)])
    assert result.exit_code == 0, result.output
    assert "détections exportées" in result.output
    edit(out, {("contrat_1|Conseil local", "decision"): "rejeter"})
    args = ["review", "import", str(out), "--reviewer", "Chloé", "--run", str(review_run)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0 and "1 décision enregistrée" in result.output, result.output
    edit(out, {("contrat_1|Mission locale", "decision"): "oui"})
    result = runner.invoke(main, args)
    assert result.exit_code == 1 and "Erreur :" in result.output and "Ligne" in result.output
    result = runner.invoke(main, ["review", "agreement", "--run", str(review_run)])
    assert result.exit_code == 0 and "Aucune détection codée deux fois" in result.output
    result = runner.invoke(main, ["review", "--run", str(review_run), "--host", "0.0.0.0"])
    assert result.exit_code == 1 and "jeton" in result.output
    result = runner.invoke(main, ["review", "--run", str(tmp_path / "absent")])
    assert result.exit_code == 1 and "detections.csv" in result.output
    for verb in ([], ["export"], ["import"], ["agreement"]):
        assert "Exemple : cdv review" in runner.invoke(main, ["review", *verb, "--help"]).output
    shutil.rmtree(tmp_path / "ws", ignore_errors=True)
