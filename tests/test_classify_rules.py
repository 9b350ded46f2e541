"""Classify stage without models: collisions, contrastive lines, person titles, themes, stable ids."""

from __future__ import annotations

from pipeline.classify import classify_document, is_collision
from pipeline.lexicon import Lexicon
from pipeline.match import build_matcher, match_document
from pipeline.structure import analyse_structure
from pipeline.types import Detection, ExtractedDocument, Hit, Page

SIGNATURES = (
    "Les signataires\nFait à Foix, le 3 mars 2024\nLe Directeur territorial de France Travail\n"
    "La Présidente du Conseil départemental de l'Ariège\nPour l'État, le Préfet de l'Ariège\n"
    "Pour la CAF de l'Ariège, la Directrice\nLa DRAC, non signataire, sera associée au suivi.\n"
)


def detections_of(lexicon: Lexicon, *texts: str, ocr: tuple[int, ...] = ()) -> list[Detection]:
    pages = [Page(i, t, method="ocr" if i in ocr else "text") for i, t in enumerate(texts, start=1)]
    doc = ExtractedDocument("c", "0" * 64, pages)
    return classify_document(doc, match_document(build_matcher(lexicon), doc), analyse_structure(doc, lexicon), lexicon)


def test_person_titles_sign_and_contrastive_lines_do_not(lexicon: Lexicon) -> None:
    roles = {(d.entity_id, d.page): d.role for d in detections_of(lexicon, "Axe 1 – Santé\nL'ARS agit.", SIGNATURES)}
    assert roles[("france_travail", 2)] == "signataire"
    assert roles[("conseil_departemental", 2)] == "signataire"
    assert roles[("caf", 2)] == "signataire"
    assert roles[("drac", 2)] == "mentionne"
    assert roles[("ars", 1)] == "mentionne"


def test_signature_mentions_have_no_theme_and_body_mentions_take_the_heading_theme(lexicon: Lexicon) -> None:
    found = detections_of(lexicon, "Axe 1 – Cadre de vie et habitat\nL'ANRU finance la rénovation.", SIGNATURES)
    themes = {(d.entity_id, d.page): d.theme for d in found}
    assert themes[("anru", 1)] == "cadre_vie"
    assert themes[("caf", 2)] == ""


def test_ocr_debris_and_compound_acronyms_are_collisions() -> None:
    debris = Page(1, "Pour la BDT\nM. Laurent Martin, Délégué\nPNR\nPour la DSDEN", method="ocr")
    start = debris.text.index("PNR")
    assert is_collision(Hit("c", "pnr", 1, start, start + 3, "PNR", "", "sigle", 0.85), debris, set())
    compound = Page(1, "Le dispositif CLS-XY est reconduit.")
    start = compound.text.index("CLS")
    assert is_collision(Hit("c", "cls_sante", 1, start, start + 3, "CLS", "", "sigle_ambigu", 0.6), compound, set())
    caps = Page(1, "LE PRÉ VERT ET LES JARDINS DU QUARTIER")
    start = caps.text.index("PRÉ")
    assert is_collision(Hit("c", "x", 1, start, start + 3, "PRÉ", "", "sigle", 0.85), caps, {"pré"})
    assert not is_collision(Hit("c", "x", 1, start, start + 3, "PRÉ", "", "sigle", 0.85), caps, set())


def test_ids_are_stable_across_runs(lexicon: Lexicon) -> None:
    first = detections_of(lexicon, "Axe 1 – Santé\nL'ARS agit avec la CPAM.", SIGNATURES)
    again = detections_of(lexicon, "Axe 1 – Santé\nL'ARS agit avec la CPAM.", SIGNATURES)
    assert [d.detection_id for d in first] == [d.detection_id for d in again]
    assert len({d.detection_id for d in first}) == len(first)
