"""Importing a reviewed spreadsheet never loses a colleague's decision: one transaction (all or nothing), and
decisions made after the export are superseded only with `--remplacer`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from test_review_spreadsheet import edit
from test_review_support import review_run  # noqa: F401  (fixture)

from pipeline.cli import main
from pipeline.review.session import ReviewSession
from pipeline.review.spreadsheet import export_workbook, import_workbook


def detection_of(session: ReviewSession, contract: str, entity: str) -> str:
    rows = session.detections
    match = rows[(rows["contract_id"] == contract) & rows["entity_name"].str.contains(entity)]
    return str(match["detection_id"].iloc[0])


def test_import_silently_superseding_colleagues_is_refused_without_remplacer(
    review_run: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    session = ReviewSession(review_run)
    book = tmp_path / "relecture.xlsx"
    export_workbook(session, book)
    bruno = session.decide(detection_of(session, "contrat_1", "Conseil local"), "valider", "Bruno").decision
    edit(
        book,
        {
            ("contrat_1|Conseil local", "decision"): "rejeter",
            ("contrat_1|Mission locale", "decision"): "rejeter",
        },
    )
    args = ["review", "import", str(book), "--reviewer", "Alice", "--run", str(review_run)]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 1
    lines = refused.output.splitlines()
    assert lines[0].startswith("  Ligne ") and " : Bruno a décidé (validée) le " in lines[0]
    assert lines[-1] == (
        "Erreur : relecture.xlsx remplacerait 1 décision prise par des collègues depuis l'export ; rien n'a "
        "été importé. Relancez avec --remplacer pour la remplacer, ou exportez à nouveau."
    )
    assert [d.id for d in session.store.all()] == [bruno.id]  # not even the row nobody else touched
    replaced = CliRunner().invoke(main, [*args, "--remplacer"])
    assert replaced.exit_code == 0, replaced.output
    first, second, third = replaced.output.splitlines()
    assert first.startswith("2 décisions enregistrées, 0 ligne déjà à jour, ")
    assert second == "1 décision de collègues remplacée (--remplacer) :"
    assert " : Bruno a décidé (validée) le " in third
    current = {d.detection_id: d for d in session.store.current()}
    assert current[bruno.detection_id].reviewer == "Alice" and current[bruno.detection_id].action == "rejeter"
    assert session.store.by_ids([bruno.id])[bruno.id].superseded_by == current[bruno.detection_id].id


def test_import_is_one_transaction(review_run: Path, tmp_path: Path) -> None:  # noqa: F811
    from pipeline.review.store import OvertakenError

    session = ReviewSession(review_run)
    book = tmp_path / "relecture.xlsx"
    export_workbook(session, book)
    edit(
        book,
        {
            ("contrat_1|Agence régionale", "nouveau_role"): "signataire",
            ("contrat_1|Agence régionale", "nouveau_theme"): "emploi",
            ("contrat_2|Mission locale", "decision"): "rejeter",
        },
    )
    result = import_workbook(session, book, "Alice")
    assert result.recorded == 2
    ars = session.view().decided.set_index("detection_id").loc[detection_of(session, "contrat_1", "Agence régionale")]
    assert (ars["role"], ars["theme"], ars["status"]) == ("signataire", "emploi", "valide")  # both actions kept
    # Planned decisions of which one would supersede a colleague's later decision: none is recorded.
    before = len(session.store.all())
    target = detection_of(session, "contrat_2", "France Travail")
    planned = [
        session.prepare(detection_of(session, "contrat_3", "Mission locale"), "rejeter", "Chloé", basis=0),
        session.prepare(target, "rejeter", "Chloé", basis=0),
    ]
    session.decide(target, "valider", "Bruno")
    with pytest.raises(OvertakenError, match="1 décision"):
        session.record_all(planned, protect_others=True)
    assert len(session.store.all()) == before + 1
    assert len(session.record_all(planned)) == 2
