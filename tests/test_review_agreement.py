"""Double coding: blind second coding that does not change the tables, Cohen's kappa, disagreements."""

from __future__ import annotations

from pathlib import Path

import pytest
from sklearn.metrics import cohen_kappa_score
from test_review_support import review_run  # noqa: F401  (fixture)

from pipeline.review.agreement import agreement_lines, cohen_kappa, compute_agreement
from pipeline.review.apply import apply_decisions
from pipeline.review.session import ReviewSession


def test_kappa_matches_reference() -> None:
    first = ["signataire", "mentionne", "rejete", "mentionne", "mentionne", "signataire"]
    second = ["signataire", "mentionne", "mentionne", "mentionne", "rejete", "signataire"]
    assert cohen_kappa(first, second) == pytest.approx(cohen_kappa_score(first, second), abs=1e-3)
    assert cohen_kappa(["a", "a"], ["a", "a"]) == 1.0
    assert cohen_kappa([], []) is None


def test_double_coding_is_blind_and_measured(review_run: Path) -> None:  # noqa: F811
    session = ReviewSession(review_run)
    rows = session.detections[session.detections["contract_id"] == "contrat_1"]
    partners = list(rows[rows["kind"] == "partenaire"]["detection_id"])[:4]
    for detection_id in partners:
        session.decide(detection_id, "valider", "Alice")
    session.store.assign("Bruno", ["contrat_1"], assigned_by="Alice")
    blind = session.view("Bruno", "contrat_1")
    assert blind.coding == "double" and set(blind.decided["status"]) == {"auto"}  # Alice's decisions hidden
    for detection_id in partners[:3]:
        session.decide(detection_id, "valider", "Bruno")
    session.decide(partners[3], "rejeter", "Bruno")
    decided = apply_decisions(session.detections, session.workspace, review_run).set_index("detection_id")
    assert decided.loc[partners[3], "status"] == "valide"  # the second coding does not change the tables
    result = compute_agreement(session)
    assert result.pairs == 4
    assert [(d["first"], d["second"]) for d in result.disagreements] == [(decided.loc[partners[3], "role"], "rejete")]
    overall = next(row for row in result.rows if row["scope"] == "ensemble")
    assert overall["pct_agreement"] == 75.0
    assert any("Désaccords à arbitrer : 1" in line for line in agreement_lines(result))
