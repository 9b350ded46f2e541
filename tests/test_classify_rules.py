"""Classify stage without models: collisions, contrastive lines, person titles, themes, stable ids."""

from __future__ import annotations

import pytest

from pipeline.classify import classify_document, is_collision, reports_signing, signed_document, signer_in_sentence
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


@pytest.mark.parametrize(
    ("sentence", "name", "signs"),
    [
        (  # préfecture de la Drôme, 2015 (rpu03): initials do not end the sentence
            "Le 1er contrat de ville du département a été signé par X., préfet de la Drôme, X., Président de la "
            "communauté de communes et 10 autres partenaires : Région Rhône-Alpes, Conseil départemental de la Drôme.",
            "Région Rhône-Alpes",
            True,
        ),
        (  # Toulon Provence Méditerranée (rpu08)
            "Le Département du Var et la Région PACA (délibération du 12/12/2014) sont signataires du Contrat de "
            "Ville.",
            "Région PACA",
            True,
        ),
        (  # Aix-Marseille-Provence (rpu16)
            "Il s'agit d'un document signé par l'Etat, la Métropole, les communes concernées, le Département.",
            "Etat",
            True,
        ),
        ("La DRAC, qui n'est pas signataire du présent contrat, participera aux travaux.", "DRAC", False),
        ("Le contrat a été signé en 2015. La CAF finance les centres sociaux.", "CAF", False),
        (  # Saint-Omer (rpw07): the place of the signing, not a signatory
            "Le contrat de ville de l'Agglomération de Saint-Omer 2015-2020 a été signé le 28 mai dernier au centre "
            "Social Inter-Générations de Longuenesse par X., Préfète du Pas-de-Calais, et l'ensemble des partenaires",
            "centre Social",
            False,
        ),
        ("En lien avec la CAF, les signataires veilleront à faciliter l'accès aux droits.", "CAF", False),
    ],
)
def test_a_sentence_reporting_who_signs(sentence: str, name: str, signs: bool) -> None:
    start = sentence.index(name)
    assert reports_signing(sentence, start, start + len(name)) is signs


@pytest.mark.parametrize(
    ("sentence", "name", "signs"),
    [
        (  # rpa06 (Vienne, habitat indigne): after « signé entre »
            "Le protocole a été signé entre la Direction départementale des territoires, l'Agence régionale de santé "
            "et la Caisse d'allocations familiales.",
            "Caisse d'allocations familiales",
            True,
        ),
        (  # rpa07 (Meuse): after « parmi les signataires »
            "Parmi les signataires, on citera notamment la préfecture, l'Agence régionale de santé (ARS) et la CAF.",
            "CAF",
            True,
        ),
        (  # rqa11 (Landes, schéma des services aux familles): the subject of « signent »
            "Ce vendredi 13 septembre 2019, le préfet, le président de la CAF et la présidente de la MSA signent le "
            "nouveau schéma départemental des services aux familles.",
            "CAF",
            True,
        ),
        (  # rqa28 (La Réunion): the subject of « ont signé hier »
            "L'État, la Cinor et les partenaires locaux, au côté de la Caisse des Dépôts (CDC), ont signé hier la "
            "convention.",
            "Caisse des Dépôts",
            True,
        ),
        ("Le contrat a été signé à la préfecture de l'Isère le 3 juillet.", "préfecture", False),
        ("La DRAC, qui n'a pas signé le contrat, participera aux travaux.", "DRAC", False),
        ("En lien avec la CAF, les signataires veilleront à faciliter l'accès aux droits.", "CAF", False),
        ("Le contrat a été signé en 2015. La CAF finance les centres sociaux.", "CAF", False),
    ],
)
def test_a_mention_where_a_sentence_puts_its_signers(sentence: str, name: str, signs: bool) -> None:
    start = sentence.index(name)
    assert signer_in_sentence(sentence, start, start + len(name)) is signs


@pytest.mark.parametrize(
    ("sentence", "name", "document"),
    [
        (  # rsq24 (Localtis, Nice): a convention the news item mentions in passing
            "Le conseil municipal de Nice a approuvé, à l'occasion de sa dernière réunion le 25 mars en "
            "visioconférence, une convention signée entre la maire, le bailleur social Côte d'Azur Habitat, le préfet "
            "et le procureur de la République.",
            "préfet",
            "autre_document",
        ),
        (  # rso29 (pactes régionaux d'investissement dans les compétences): a general practice
            "Classiquement signés entre le Conseil Régional et l’État, ces pactes souffrent deux exceptions.",
            "Conseil Régional",
            "pratique_generale",
        ),
        (
            "La présente convention est signée par l'État, la Région et la Caf de la Haute-Garonne.",
            "Caf",
            "ce_document",
        ),
        ("L'État et la Caf ont signé hier la convention territoriale globale.", "Caf", "rien"),
    ],
)
def test_the_role_model_is_told_which_document_a_signing_sentence_speaks_of(
    sentence: str, name: str, document: str
) -> None:
    start = sentence.index(name)
    assert signed_document(sentence, start, start + len(name)) == document
