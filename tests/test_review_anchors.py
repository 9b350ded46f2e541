"""Decisions survive a re-run and a new version of the PDF where the text moved page; what cannot attach
any more is listed, never dropped."""

from __future__ import annotations

import shutil
from pathlib import Path

from contract_pdf import write_contract
from test_review_support import EMPLOI, FILLER, HEALTH, build_run, write_corpus

from pipeline.review.anchor import Anchor, Candidate, attach, context_from_page, locate_text, normalise
from pipeline.review.apply import apply_decisions, unattached_decisions
from pipeline.review.session import ReviewSession


def clspd(frame, contract: str = "contrat_1") -> dict:
    rows = frame[(frame["contract_id"] == contract) & (frame["entity_id"] == "clspd")]
    assert len(rows) == 1
    return rows.iloc[0].to_dict()


def test_normalised_context_ignores_layout() -> None:
    assert normalise("L'Agence  régionale\nde SANTÉ,") == "l agence regionale de sante"
    text = "xx Le CLSPD coordonne"
    assert "⟦clspd⟧" in context_from_page(text, 6, 11)


def test_attach_prefers_exact_then_closest_context() -> None:
    anchors = [
        Anchor("A", "caf", "gone-1", "la caisse ⟦caf⟧ finance les centres sociaux du quartier nord", 2),
        Anchor("A", "caf", "same", "anything", 9),
        Anchor("A", "caf", "gone-2", "texte sans rapport aucun avec la suite", 2),
    ]
    candidates = [
        Candidate("same", "A", "caf", 9, "x"),
        Candidate("new-1", "A", "caf", 5, "la caisse ⟦caf⟧ finance les centres sociaux du quartier sud"),
        Candidate("new-2", "A", "caf", 5, "la caisse ⟦caf⟧ et l etat signent"),
    ]
    assert attach(anchors, candidates) == {0: "new-1", 1: "same"}


def test_locate_text_across_line_breaks() -> None:
    pages = {1: "rien", 2: "La Mission\nlocale   accompagne"}
    page, start, end = locate_text(pages, "mission locale accompagne", 1) or (0, 0, 0)
    assert page == 2 and pages[2][start:end] == "Mission\nlocale   accompagne"


def test_rejection_survives_rerun(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", n=2)
    first = build_run(corpus, tmp_path / "run1", tmp_path / "ws")
    session = ReviewSession(first)
    target = clspd(session.detections)
    session.decide(target["detection_id"], "rejeter", "Alice")
    second = build_run(corpus, tmp_path / "run2", tmp_path / "ws")
    rerun = ReviewSession(second)
    decided = apply_decisions(rerun.detections, rerun.workspace, second)
    assert clspd(decided)["status"] == "rejete"
    assert unattached_decisions(rerun.detections, rerun.workspace, second) == []


def test_rejection_follows_text_moved_in_a_new_version(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", n=2)
    first = build_run(corpus, tmp_path / "run1", tmp_path / "ws")
    session = ReviewSession(first)
    before = clspd(session.detections)
    session.decide(before["detection_id"], "rejeter", "Alice")
    session.add_detection("contrat_1", "anct", 3, "Alice", quote="Mission locale accompagnent")
    # New version: two pages inserted before, and the neighbourhood of the hit edited.
    edited = EMPLOI.replace("Emploi et insertion", "Emploi, insertion et formation").replace(
        "coordonne la", "coordonne aussi la"
    )
    write_contract(corpus / "contrat_1.pdf", [FILLER, FILLER, HEALTH, edited])
    second = build_run(corpus, tmp_path / "run2", tmp_path / "ws")
    rerun = ReviewSession(second)
    moved = clspd(rerun.detections)
    assert moved["page"] != before["page"]
    assert moved["detection_id"] != before["detection_id"]  # the id changed: the content anchor does the work
    decided = apply_decisions(rerun.detections, rerun.workspace, second)
    assert clspd(decided)["status"] == "rejete"
    added = decided[decided["status"] == "ajoute"].iloc[0]
    assert added["page"] == moved["page"]  # the added detection found its text on the new page
    assert clspd(decided, "contrat_2")["status"] == "auto"


def test_decision_without_its_text_is_listed_not_dropped(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", n=2)
    first = build_run(corpus, tmp_path / "run1", tmp_path / "ws")
    session = ReviewSession(first)
    session.decide(clspd(session.detections)["detection_id"], "rejeter", "Alice")
    write_contract(corpus / "contrat_1.pdf", [HEALTH, FILLER])
    second = build_run(corpus, tmp_path / "run2", tmp_path / "ws")
    rerun = ReviewSession(second)
    lost = unattached_decisions(rerun.detections, rerun.workspace, second)
    assert [(d.contract_id, d.entity_id, d.action) for d in lost] == [("contrat_1", "clspd", "rejeter")]
    assert len(rerun.store.all()) == 1
    shutil.rmtree(tmp_path / "run1")
