"""Decision store and apply: audit trail, supersede never delete, applied statuses, tables follow, priority,
indicator decisions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_review_support import review_run  # noqa: F401  (fixture)

from pipeline.aggregate import DETECTION_COLUMNS
from pipeline.review.apply import apply_decisions, review_counts
from pipeline.review.indicators import indicator_decisions, load_grid
from pipeline.review.priority import impact_scores, order_impact_first
from pipeline.review.session import ReviewError, ReviewSession


def find(frame: pd.DataFrame, contract: str, entity: str, role: str | None = None) -> str:
    rows = frame[(frame["contract_id"] == contract) & (frame["entity_id"] == entity)]
    if role:
        rows = rows[rows["role"] == role]
    return str(rows.iloc[0]["detection_id"])


def test_audit_trail_supersedes_and_keeps_everything(review_run: Path) -> None:  # noqa: F811
    session = ReviewSession(review_run)
    target = find(session.detections, "contrat_1", "caf")
    first = session.decide(target, "valider", "Alice").decision
    second = session.decide(target, "rejeter", "Bruno", comment="homonyme").decision
    trail = session.store.all("contrat_1")
    assert [d.id for d in trail] == [first.id, second.id]
    assert trail[0].superseded_by == second.id and trail[1].superseded_by is None
    assert trail[1].before["status"] == "valide" and trail[1].after["status"] == "rejete"
    assert trail[1].reviewer == "Bruno" and trail[1].after["comment"] == "homonyme"
    assert [d.id for d in session.store.current()] == [second.id]


def test_apply_decisions_changes_rows_and_keeps_columns(review_run: Path) -> None:  # noqa: F811
    session = ReviewSession(review_run)
    raw = session.detections
    rejected = find(raw, "contrat_1", "caf")
    role = find(raw, "contrat_1", "ars", "signataire")
    theme = find(raw, "contrat_1", "france_travail", "mentionne")
    entity = find(raw, "contrat_1", "mission_locale")
    session.decide(rejected, "rejeter", "Alice")
    session.decide(role, "role", "Alice", value="mentionne")
    session.decide(theme, "theme", "Alice", value="sante")
    session.decide(entity, "entite", "Alice", value="ctg")
    session.add_detection("contrat_1", "anct", 3, "Alice", quote="Mission locale accompagnent")
    decided = apply_decisions(raw, session.workspace, review_run).set_index("detection_id")
    assert list(decided.reset_index().columns) == list(raw.columns) == DETECTION_COLUMNS
    assert decided.loc[rejected, "status"] == "rejete"
    assert (decided.loc[role, "role"], decided.loc[role, "status"]) == ("mentionne", "valide")
    assert decided.loc[theme, "theme"] == "sante"
    assert (decided.loc[entity, "entity_id"], decided.loc[entity, "kind"], decided.loc[entity, "role"]) == (
        "ctg",
        "dispositif",
        "articulation",
    )
    added = decided[decided["status"] == "ajoute"].iloc[0]
    assert (added["entity_id"], added["page"], added["method"]) == ("anct", 3, "ajout")
    assert int(added["end"]) > int(added["start"])  # located in the cached page text
    counts = review_counts(decided)
    assert (counts["reviewed"], counts["rejected"], counts["added"]) == (5, 1, 1)


def test_tables_follow_a_decision(review_run: Path) -> None:  # noqa: F811
    session = ReviewSession(review_run)
    before, _ = session.tables()
    ars = before.set_index("entity_id").loc["ars"]
    assert ars["n_signataire"] == 3
    for detection_id in session.detections.query("entity_id == 'ars' and role == 'signataire'")["detection_id"][:1]:
        session.decide(detection_id, "rejeter", "Alice")
    after, _ = session.tables()
    assert after.set_index("entity_id").loc["ars", "n_signataire"] == 2
    assert after.set_index("entity_id")["pct_revu"].to_dict()["ars"] > 0


def test_bad_values_are_refused_in_french(review_run: Path) -> None:  # noqa: F811
    session = ReviewSession(review_run)
    detection = find(session.detections, "contrat_1", "ctg")
    with pytest.raises(ReviewError, match="impossible pour un dispositif"):
        session.decide(detection, "role", "Alice", value="signataire")
    with pytest.raises(ReviewError, match="thème"):
        session.decide(detection, "theme", "Alice", value="inexistant")
    with pytest.raises(ReviewError, match="relecteur"):
        session.decide(detection, "valider", " ")
    with pytest.raises(ReviewError, match="page 99"):
        session.add_detection("contrat_1", "ars", 99, "Alice")
    assert session.store.all() == []


def test_impact_first_ranks_the_deciding_detection_first() -> None:
    frame = pd.DataFrame(
        {
            "contract_id": ["A"] * 5,
            "entity_id": ["ars", "caf", "caf", "caf", "caf"],
            "role": ["signataire", "mentionne", "mentionne", "mentionne", "mentionne"],
            "status": ["auto"] * 5,
            "score": [0.95, 0.6, 0.9, 0.9, 0.9],
            "page": [40, 2, 3, 4, 5],
            "start": [0] * 5,
            "detection_id": list("abcde"),
        }
    )
    impact = impact_scores(frame, n_read=10)
    assert impact.iloc[0] == pytest.approx(20.0) and impact.iloc[1] == pytest.approx(2.5)
    order = list(order_impact_first(frame, 10)["detection_id"])
    assert order[0] == "a" and order[1] == "b"  # then the least certain CAF mention


def test_indicator_decisions_keep_their_history(review_run: Path, tmp_path: Path) -> None:  # noqa: F811
    session = ReviewSession(review_run)
    store = session.store
    store.record_indicator("contrat_1", "gouv_ademe_mentionnee", "oui", "", False, "", "Alice")
    store.record_indicator("contrat_1", "gouv_ademe_mentionnee", "sans_objet", "", False, "pas d'ADEME", "Bruno")
    store.record_indicator("inconnu", "gouv_ademe_mentionnee", "non", "", False, "", "Bruno")
    frame = indicator_decisions(session.workspace, review_run)
    assert frame[["contract_id", "value", "comment", "reviewer"]].values.tolist() == [
        ["contrat_1", "sans_objet", "pas d'ADEME", "Bruno"]
    ]
    assert len(indicator_decisions(session.workspace)) == 2
    assert load_grid(tmp_path) == []  # no grid file: nothing to review, no error
    assert any(row.manual for row in load_grid())


def test_cdv_tables_writes_decided_detections_and_keeps_the_automatic_ones(review_run: Path) -> None:  # noqa: F811
    from click.testing import CliRunner

    from pipeline.cli import main

    session = ReviewSession(review_run)
    target = session.detections.query("entity_id == 'ars' and role == 'signataire'")["detection_id"].iloc[0]
    session.decide(target, "rejeter", "Alice")
    result = CliRunner().invoke(main, ["tables", "--run", str(review_run), "--sans-png"])
    assert result.exit_code == 0, result.output
    decided = pd.read_csv(review_run / "detections.csv", dtype=str).set_index("detection_id")
    automatic = pd.read_csv(review_run / "detections_auto.csv", dtype=str).set_index("detection_id")
    assert decided.loc[target, "status"] == "rejete"
    assert automatic.loc[target, "status"] == "auto"
    assert ReviewSession(review_run).detections.set_index("detection_id").loc[target, "status"] == "auto"
