"""The cross-contract review queue, the live table cells (settled or not), the matrix, the concordance and
search, and the French display helpers, on a real run of three small contracts with a real decision store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from test_review_support import review_run  # noqa: F401  (fixture)

from pipeline.french import fr_number, fr_pct, plural, sort_key, sorted_fr
from pipeline.review.actions import undo_decision
from pipeline.review.cells import band_label, live_tables, table_progress
from pipeline.review.concordance import Line, concordance, context_keys, group_lines, search
from pipeline.review.queue import build_queue, review_queue
from pipeline.review.session import ReviewSession
from pipeline.review.views import snippet_parts


def detection(session: ReviewSession, contract: str, entity: str, role: str = "", method: str = "") -> str:
    rows = session.view().decided
    rows = rows[(rows["contract_id"] == contract) & (rows["entity_id"] == entity)]
    if role:
        rows = rows[rows["role"] == role]
    if method:
        rows = rows[rows["method"] == method]
    return str(rows.iloc[0]["detection_id"])


def impacts(session: ReviewSession) -> dict[str, float]:
    return {
        item.detection_id: item.impact for item in build_queue(session, session.view().decided, live_tables(session))
    }


def test_queue_puts_a_cell_held_by_one_passage_before_a_cell_held_by_several(review_run: Path) -> None:  # noqa: F811
    session = ReviewSession(review_run)
    queue = review_queue(session)
    assert len(queue) == len(session.detections) and all(item.reasons for item in queue)
    assert [item.impact for item in queue] == sorted((item.impact for item in queue), reverse=True)
    ranked = impacts(session)
    lone = detection(session, "contrat_2", "mission_locale")  # the only passage naming it in contrat_2
    follower = detection(session, "contrat_2", "caf", role="mentionne", method="sigle")  # CAF named 3 times there
    assert ranked[lone] > ranked[follower]
    item = next(i for i in queue if i.detection_id == lone)
    assert item.reasons[0].startswith("seule mention dans ce contrat (Mission locale)")
    assert "près du seuil de 70\u00a0%" in item.reasons[0]


def test_a_rejected_form_raises_its_other_cells_and_a_validated_passage_settles_its_cell(review_run: Path) -> None:  # noqa: F811
    session = ReviewSession(review_run)
    before = impacts(session)
    region = {c: detection(session, c, "conseil_regional") for c in ("contrat_1", "contrat_2", "contrat_3")}
    session.decide(region["contrat_1"], "rejeter", "Alice")
    after = impacts(session)
    assert region["contrat_1"] not in after
    assert after[region["contrat_2"]] > before[region["contrat_2"]]
    item = next(i for i in review_queue(session) if i.detection_id in (region["contrat_2"], region["contrat_3"]))
    assert any("forme « La Région » déjà rejetée 1 fois sur 1" in reason for reason in item.reasons)

    caf = [d for d in session.view().decided.query("contract_id == 'contrat_3' and entity_id == 'caf'")["detection_id"]]
    session.decide(caf[0], "valider", "Alice")
    for other in caf[1:]:
        reasons = next(i.reasons for i in review_queue(session) if i.detection_id == other)
        assert not any("pour cette mention dans ce contrat" in r for r in reasons)


def test_an_ambiguous_acronym_says_which_other_sense_it_could_be(review_run: Path) -> None:  # noqa: F811
    session = ReviewSession(review_run)
    decided = session.view().decided.copy()
    target = detection(session, "contrat_1", "cls_sante")
    decided.loc[decided["detection_id"] == target, ["method", "score"]] = ["sigle_ambigu", 0.55]
    queue = build_queue(session, decided, live_tables(session, decided))
    item = next(i for i in queue if i.detection_id == target)
    assert "sigle ambigu : peut-être Contrat local de sécurité (absent de ce contrat)" in item.reasons
    assert "score calibré bas (0,55)" in item.reasons
    assert queue[0].detection_id == target


def sure(decided: pd.DataFrame) -> pd.DataFrame:
    """The detections with every score made sure (0.95): a cell's interval then depends only on what a test sets."""
    decided = decided.copy()
    decided["score"] = 0.95
    return decided


def test_table_progress_counts_cells_whose_interval_crosses_a_band(review_run: Path) -> None:  # noqa: F811
    session = ReviewSession(review_run)
    progress = {t.key: t for t in table_progress(live_tables(session, sure(session.view().decided)))}
    assert progress["partenaires_mentionnes"].cells == progress["partenaires_mentionnes"].settled == 6
    decided = sure(session.view().decided)
    weak = decided["detection_id"] == detection(session, "contrat_2", "mission_locale")
    decided.loc[weak, "score"] = 0.5  # not sure any more: 2 to 3 contracts of 3, 66.7 % to 100 %
    tables = live_tables(session, decided)
    progress = {t.key: t for t in table_progress(tables)}
    mentions = progress["partenaires_mentionnes"]
    assert (mentions.cells, mentions.settled) == (6, 5)
    assert [(r.entity_id, r.pct_min, r.pct_max) for r in mentions.remaining] == [("mission_locale", 66.7, 100.0)]
    session.decide(detection(session, "contrat_2", "mission_locale"), "valider", "Alice")
    decided = sure(session.view().decided)
    decided.loc[decided["detection_id"] == detection(session, "contrat_2", "mission_locale"), "score"] = 0.5
    assert {t.key: t.settled for t in table_progress(live_tables(session, decided))}["partenaires_mentionnes"] == 6


def test_undo_brings_back_the_state_before_and_keeps_the_trail(review_run: Path) -> None:  # noqa: F811
    session = ReviewSession(review_run)
    target = detection(session, "contrat_1", "ars", role="signataire")
    session.decide(target, "role", "Alice", value="mentionne")
    second = session.decide(target, "rejeter", "Alice").decision
    undone = undo_decision(session, second.id, "Alice").decision
    row = session.view().decided.set_index("detection_id").loc[target]
    assert (row["status"], row["role"]) == ("valide", "mentionne")  # the first decision is back in force
    assert undone.after["role"] == "mentionne" and undone.action == "annuler"
    undo_decision(session, undone.id, "Alice")  # undoing the undo re-applies the rejection
    assert session.view().decided.set_index("detection_id").loc[target, "status"] == "rejete"
    assert [d.action for d in session.store.all() if d.detection_id == target] == [
        "role",
        "rejeter",
        "annuler",
        "annuler",
    ]


def test_bulk_decisions_are_recorded_one_by_one(review_run: Path) -> None:  # noqa: F811
    session = ReviewSession(review_run)
    ids = list(session.view().decided.query("entity_id == 'ctg'")["detection_id"])
    recorded, errors = session.decide_many([*ids, "inconnue"], "rejeter", "Alice", source="concordance")
    assert len(recorded) == len(ids) == 6 and errors == ["détection « inconnue » inconnue dans ce run."]
    trail = [d for d in session.store.all() if d.entity_id == "ctg"]
    assert len({d.id for d in trail}) == 6 and {d.source for d in trail} == {"concordance"}
    assert {d.reviewer for d in trail} == {"Alice"}
    schemes = live_tables(session).schemes.set_index("entity_id")
    assert schemes.loc["ctg", "n_mentionne"] == 0


def test_matrix_has_signatures_and_mentions_with_margins(review_run: Path) -> None:  # noqa: F811
    session = ReviewSession(review_run)
    matrix = live_tables(session).matrix(session.contracts.to_dict("records"), "partenaires")
    names = [c.entity_id for c in matrix.columns]
    assert set(names) == {"caf", "ars", "france_travail", "etat", "mission_locale", "conseil_regional"}
    row = next(r for r in matrix.rows if r.contract_id == "contrat_1")
    cells = dict(zip(names, row.cells, strict=True))
    assert cells == {
        "caf": "S",
        "ars": "S",
        "france_travail": "S",
        "etat": "S",
        "mission_locale": "M",
        "conseil_regional": "M",
    }
    assert (row.named, row.signing) == (6, 4)
    caf = next(c for c in matrix.columns if c.entity_id == "caf")
    assert (caf.count, caf.pct, caf.band, caf.signing) == (3, 100.0, "plus de 70 %", 3)
    session.decide(detection(session, "contrat_1", "caf", role="signataire"), "role", "Alice", value="mentionne")
    matrix = live_tables(session).matrix(session.contracts.to_dict("records"), "partenaires")
    row = next(r for r in matrix.rows if r.contract_id == "contrat_1")
    assert row.cells[[c.entity_id for c in matrix.columns].index("caf")] == "M"
    schemes = live_tables(session).matrix(session.contracts.to_dict("records"), "dispositifs")
    assert {c.entity_id for c in schemes.columns} == {"cls_sante", "ctg", "clspd"}
    assert all(set(r.cells) == {"M"} for r in schemes.rows)


def test_concordance_groups_occurrences_by_context(review_run: Path) -> None:  # noqa: F811
    session = ReviewSession(review_run)
    groups = concordance(session, "caf")
    labels = [g.label for g in groups]
    assert "Pour la Caisse d'allocations familiales" in labels  # the signature lines, in the three contracts
    signature = groups[labels.index("Pour la Caisse d'allocations familiales")]
    assert len(signature.lines) == 3 and signature.contracts == 3
    assert {line.role for line in signature.lines} == {"signataire"}
    assert sum(len(g.lines) for g in groups) == 9
    line = signature.lines[0]
    assert line.hit == "Caisse d'allocations familiales" and line.left.endswith("Pour la")


def test_search_finds_text_accent_and_case_insensitively(review_run: Path) -> None:  # noqa: F811
    session = ReviewSession(review_run)
    hits, total = search(session, "quartier prioritaire")
    assert total == 3 and {h.contract_id for h in hits} == {"contrat_1", "contrat_2", "contrat_3"}
    assert hits[0].hit == "Quartier prioritaire" and not hits[0].detected
    hits, _ = search(session, "REGION occitanie")
    assert hits and hits[0].hit == "Région Occitanie" and hits[0].detected == "Conseil régional"
    assert search(session, "x") == ([], 0)


def test_french_helpers() -> None:
    assert fr_number(92.5) == "92,5" and fr_number(10.0) == "10" and fr_number(1234.5) == "1\u00a0234,5"
    assert fr_pct(0.0) == "0\u00a0%" and fr_pct(33.333) == "33,3\u00a0%"
    assert [plural(n, "partenaire") for n in (0, 1, 2)] == ["0 partenaire", "1 partenaire", "2 partenaires"]
    assert plural(3, "détection revue") == "3 détections revues"
    assert plural(2, "décision non rattachée") == "2 décisions non rattachées"
    names = ["Protection judiciaire", "État – Préfecture", "Éducation nationale", "Emploi", "eau"]
    assert sorted_fr(names) == ["eau", "Éducation nationale", "Emploi", "État – Préfecture", "Protection judiciaire"]
    assert sort_key("Œuvre") < sort_key("Office")
    assert band_label(0, 0.0) == "non trouvé" and band_label(1, 2.5) == "moins de 10\u00a0%"
    assert band_label(4, 10.0) == "10 à 40\u00a0%" and band_label(28, 70.0) == "plus de 70\u00a0%"


def test_view_updated_decision_by_decision_matches_a_full_resolution(review_run: Path) -> None:  # noqa: F811
    session = ReviewSession(review_run)
    ids = list(session.detections["detection_id"])
    session.view()
    steps = [
        (ids[0], "rejeter", ""),
        (ids[1], "valider", ""),
        (ids[10], "role", "mentionne"),
        (ids[3], "entite", "cls_securite"),
        (ids[0], "retablir", ""),
        (ids[2], "theme", "emploi"),
    ]
    for detection_id, action, value in steps:
        session.decide(detection_id, action, "Alice", value=value)
        incremental = session.view().decided
        assert session._principal is not None
        fresh = ReviewSession(review_run).view().decided
        pd.testing.assert_frame_equal(incremental, fresh)
    last = session.store.all()[-1]
    undo_decision(session, last.id, "Alice")
    pd.testing.assert_frame_equal(session.view().decided, ReviewSession(review_run).view().decided)


def test_motif_hit_across_a_line_break_is_highlighted() -> None:
    """Regression: a detection found by a pattern (« motif ») spanning a line break had no highlight."""
    snippet = "Les jeunes sont suivis par la Mission locale de l'Aude et par France Travail."
    assert snippet_parts(snippet, "Mission locale\nde l'Aude") == (
        "Les jeunes sont suivis par la ",
        "Mission locale de l'Aude",
        " et par France Travail.",
    )
    assert snippet_parts("CAF, CAF et CAF", "caf")[1] == "CAF"
    assert snippet_parts("CAF, CAF et CAF", "caf")[0] == "CAF, "  # the occurrence in the middle, where the hit is


def test_context_patterns_name_the_groups() -> None:
    def line(
        number: int, left: str, hit: str, right: str, around: str = "", words: dict[str, str] | None = None
    ) -> Line:
        made = Line(f"d{number}", f"c{number}", 1, left, hit, right, "auto", "mentionne", 0.9, "sigle", "x")
        made.keys = context_keys(left, hit, right, words or {}, around or f"{left} {hit} {right}")
        return made

    insee = [line(i, "Taux de chômage. Sources :", "Insee", f"{2019 + i}, RP") for i in range(3)]
    insee.append(line(9, "selon les données de l'", "Insee", "et de la CAF"))
    groups = group_lines(insee)
    assert [(g.label, len(g.lines)) for g in groups] == [("Sources : Insee", 3), ("Autres contextes", 1)]
    words = {"securite": "sécurité", "delinquance": "sécurité", "sante": "santé"}
    cls = [
        line(1, "Le", "CLS", "coordonne", "prévention de la délinquance", words),
        line(2, "du", "CLS", "réunit", "la sécurité des habitants", words),
        line(3, "Le", "CLS", "finance", "la santé mentale", words),
    ]
    assert [(g.label, len(g.lines)) for g in group_lines(cls)] == [("CLS … sécurité", 2), ("Autres contextes", 1)]
