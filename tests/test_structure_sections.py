"""Structure stage on hand-made pages: signature sections, headings that set themes across pages, table rows."""

from __future__ import annotations

import pytest

from pipeline.lexicon import Lexicon
from pipeline.parties import party_clauses
from pipeline.structure import (
    DocumentStructure,
    analyse_structure,
    contents_page,
    find_signature_spans,
    heading_lines,
    is_contents_line,
    is_numbered_line,
    is_signature_page,
)
from pipeline.types import ExtractedDocument, Page


def document(*texts: str, ocr: tuple[int, ...] = ()) -> ExtractedDocument:
    pages = [Page(number=i, text=t, method="ocr" if i in ocr else "text") for i, t in enumerate(texts, start=1)]
    return ExtractedDocument(contract_id="c", sha256="0" * 64, pages=pages)


BODY = (
    "Axe 1 – Promouvoir la santé et l'accès aux soins\n"
    "L'ARS soutient les actions de prévention.\n\n"
    "Axe 2 – Tranquillité publique et prévention de la délinquance\n"
    "La police municipale renforce sa présence.",
    "La CAF participe aux actions du quartier.\n",
)
SIGNATURES = (
    "Les signataires\nFait à Auch, le 12 juillet 2024\nPour l'État, le Préfet du Gers\n"
    "Pour France Travail, la Directrice\nPour la CPAM du Gers, le Directeur\n"
)


def structure_of(doc: ExtractedDocument, lexicon: Lexicon) -> DocumentStructure:
    structure = analyse_structure(doc, lexicon)
    assert isinstance(structure, DocumentStructure)
    return structure


def test_heading_theme_holds_until_the_next_heading_across_pages(lexicon: Lexicon) -> None:
    structure = structure_of(document(*BODY), lexicon)
    section = structure.section_at(1, BODY[0].index("L'ARS"))
    assert section is not None and section.theme == "sante"
    later = structure.section_at(2, 3)
    assert later is not None and later.theme == "securite"  # page 2 has no heading: the axis goes on


def test_wrapped_paragraph_line_is_not_a_heading() -> None:
    page = Page(
        1, "Éducation et jeunesse\nL'ambition éducative du territoire repose sur la continuité\nentre les temps."
    )
    assert [line for _, line in heading_lines(page)] == ["Éducation et jeunesse"]


def test_signature_pages_continuation_and_person_titles(lexicon: Lexicon) -> None:
    continuation = "POUR LA CAISSE D'ALLOCATIONS FAMILIALES\nMme Sophie Sabatier, Présidente\nSignature :"
    structure = structure_of(document(*BODY, SIGNATURES, continuation, "Annexes\nGlossaire"), lexicon)
    assert structure.signature_pages == frozenset({3, 4})
    titles = (
        "Signataires\nFait à Foix, le 3 mars 2024\nLe Directeur territorial de France Travail\n"
        "La Présidente du Conseil départemental de l'Ariège\nLe Préfet de l'Ariège\nPour la CAF de l'Ariège"
    )
    assert is_signature_page(Page(1, titles))


def test_side_by_side_blocks_of_an_ocr_scan_count(lexicon: Lexicon) -> None:
    scan = (
        "SIGNATAIRES (SUITE)\nFait à Saint-Girons, le 25 mars 2024\n\n"
        "POUR FRANCE TRAVAIL Pour Action Logement\n\nMme Sandrine Mas, Directrice M. Julien Pujol, Directeur général"
    )
    assert is_signature_page(Page(1, scan, method="ocr"))


def test_table_row_theme_from_a_theme_cell(lexicon: Lexicon) -> None:
    text = "Commission\tMembres\nSanté\tl'ARS, la CPAM\nCadre de vie et habitat\tl'ANRU\n"
    structure = structure_of(document(text), lexicon)
    assert structure.row_theme_at(1, text.index("l'ARS")) == "sante"
    assert structure.row_theme_at(1, text.index("l'ANRU")) == "cadre_vie"


# A convention's party list (rpf22, GUP convention of Rennes, text as pdfium reads the rendered PDF).
RENNES_PARTIES = (
    "GESTION URBAINE DE PROXIMITE : Convention Cadre.\n"
    "ENTRE : L'ETAT, représenté par le Préfet de la Région Bretagne, Préfet d'Ille-et-Vilaine.\n"
    "ET : La VILLE DE RENNES, représentée par son Maire, agissant en vertu de la délibération du Conseil\n"
    "Municipal.\n"
    "ET : La Caisse des Dépôts et Consignations (CDC), établissement public à statut spécial créé par la loi du "
    "28 avril 1816, représentée par son Directeur Régional en Bretagne.\n"
    "Préambule\n"
    "Les actions engagées par les bailleurs, les collectivités locales et l'Etat, depuis plusieurs années, en\n"
    "matière de Gestion Urbaine de Proximité, ont contribué à améliorer le fonctionnement de ces quartiers.\n"
)


def test_a_party_list_counts_as_signing_parties(lexicon: Lexicon) -> None:
    clauses = party_clauses(RENNES_PARTIES)
    assert [RENNES_PARTIES[a:b].split(",")[0] for a, b in clauses] == [
        "ENTRE : L'ETAT",
        "ET : La VILLE DE RENNES",
        "ET : La Caisse des Dépôts et Consignations (CDC)",
    ]
    structure = analyse_structure(ExtractedDocument("c", "4" * 64, [Page(1, RENNES_PARTIES)]), lexicon)
    assert isinstance(structure, DocumentStructure)
    assert structure.in_signature(1, RENNES_PARTIES.index("Caisse des Dépôts"))
    assert not structure.in_signature(1, RENNES_PARTIES.index("l'Etat, depuis"))  # the preamble does not sign


def test_prose_between_and_and_is_no_party_list() -> None:
    text = (
        "Entre 2015 et 2020, le contrat a été piloté par l'État, représenté par le préfet.\n"
        "Et la Région a financé les actions.\n"
    )
    assert party_clauses(text) == ()
    alone = "Entre : la Métropole Aix-Marseille-Provence représentée par son Président, d'une part,\n"
    assert party_clauses(alone) == ()


def test_the_parties_heading_over_two_blocks_is_a_signature_page() -> None:
    # rpf21 (AMP - CRPV PACA convention), signature block as pdfium reads it
    text = (
        "des politiques de droit commun de chaque signataire.\nLes parties\nPour la Métropole Aix-Marseille-Provence\n"
        "le Président\nX.\nPour le GIP Centre de Ressources pour la Politique de la Ville PACA\n"
        "le Directeur coordonnateur\nX.\n"
    )
    assert is_signature_page(Page(1, text))
    assert not is_signature_page(Page(1, "Les parties\nPour la Métropole, le projet est central.\n"))


@pytest.mark.parametrize(
    "heading",
    ["Les parties qui s'engagent", "Les parties et les partenaires associés"],  # rpk02, rpl05
)
def test_a_longer_parties_heading_over_blocks_split_across_pages_is_a_signature_section(heading: str) -> None:
    first = f"{heading}\nPour l'Etat\nle préfet de la Nièvre\nX.\nPour la ville de Cosne\nle maire\nX.\n"
    second = "Pour le Conseil Général de la Nièvre\nle représentant\n\nPour la Caisse d'Allocations Familiales\n"
    document = ExtractedDocument("c", "4" * 64, [Page(1, first), Page(2, second)])
    assert set(find_signature_spans(document)) == {1, 2}
    toc = "Sommaire\nEngagements des parties 3- 4\nPréambule 5- 6\nPour la ville de Cosne\nPour le Département\n"
    assert not is_signature_page(Page(1, toc))


def test_contents_and_agenda_lines_are_told_from_prose() -> None:
    # rpl05's sommaire and rpl19's council agenda, against a sentence of the same contract
    assert is_contents_line("II.4. Habitat et cadre de vie, gestion urbaine de Proximité p. 26")
    assert is_contents_line("Les signataires ........ 54")
    assert is_numbered_line("03 - Plan vélo 2021 de l'Agglomération") and is_numbered_line("A/ ETAT DES LIEUX 8")
    assert not is_contents_line("La Caf de la Martinique finance les actions du quartier.")
    assert not is_numbered_line("La Caf de la Martinique finance les actions du quartier.")
    assert contents_page("## SOMMAIRE\nI PRESENTATION GENERALE p.4\n") == 1.0
    assert contents_page("I.1. Le CUCS p. 5\nI.2. La synthèse p. 7\nUne phrase.\nUne autre phrase.\n") == 0.5


def test_a_mention_on_a_contents_line_carries_it_to_the_mention_model() -> None:
    from pipeline.sense import Mention, mention_features

    mention = Mention("conseil_regional", "partenaire", "motif", "Région", "sommaire\nII.3 La ", " et ses aides 12\n")
    features = mention_features(mention)
    assert features["contents_line"] == 1.0 and features["numbered_line"] == 1.0
    prose = Mention("conseil_regional", "partenaire", "motif", "Région", "Le 12 mai, la ", " finance 3 actions.\n")
    assert mention_features(prose)["contents_line"] == 0.0


def test_an_undersigned_party_list_has_one_party_a_line() -> None:
    # rpi06 (Angoulême, Acaiq convention): « Entre les soussignés : » then one party a line, or two
    text = (
        "Entre les soussignés :\n"
        "L'ACAIQ -Centre Social de Basseau dont le siège est : 16000 Angoulême représenté par son Président, X.\n"
        "La Mairie d'Angoulême\nReprésentée par son Maire, X.,\n"
        "La Caf de la Charente Représentée par X., Directeur\n"
        "Il est convenu ce qui suit :\n"
    )
    clauses = [text[a:b] for a, b in party_clauses(text)]
    assert [clause.split()[0] for clause in clauses] == ["L'ACAIQ", "La", "La"]
    assert clauses[1].endswith("X.,") and "Caf" in clauses[2] and not any("convenu" in c for c in clauses)
    assert party_clauses("Entre les soussignés :\nLa Caf de la Charente Représentée par X.\nIl est convenu\n") == ()
    assert is_signature_page(Page(1, "Les soussignés\nPour l'ACAIQ\nle Président\nPour la Caf\nle Directeur\n"))
    # rpi03 (GIP réussite éducative): the members of the group sign its convention
    assert is_signature_page(Page(1, "Les membres du groupement\nPour le collège\nX.\nPour l'Etat\nle préfet\n"))


@pytest.mark.parametrize(
    "opener",
    [
        "Entre les partenaires suivants :",  # rpi07
        "Entre les signataires du contrat de ville de Carcassonne 2015/2020 :",  # rpk19
        "ENTRE",  # rpk05
        "Convention de partenariat entre",  # rpi05
    ],
)
def test_a_party_list_opened_by_a_line_of_its_own(opener: str) -> None:
    text = f"{opener}\nL'ÉTAT, représenté par la Préfète, X.\n- Le DÉPARTEMENT, représenté par son Président, X.\n"
    assert len(party_clauses(text)) == 2
    assert party_clauses("Entre 2015 et 2020, l'État, représenté par le préfet, a piloté.\nLa Caf aussi.\n") == ()


@pytest.mark.parametrize(
    "text",
    [
        (  # rqt06 (préfecture de la Lozère): a news page saying who signed, one representative a bulleted line
            "A cette occasion, une convention locale relative au traitement des violences a été signée entre\n"
            "- Le préfet de la Lozère, X.\n- Le procureur de la République, X.\n- La présidente du CIDFF, X.\n"
            "## PRESENTATION DU CIDFF\n"
        ),
        (  # rqt07 (préfecture de la Drôme): the name first, then the title
            "Les acteurs ci-dessous ont signé le 08 janvier une convention visant à l'accompagnement des auteurs :\n"
            "- X., préfet de la Drôme\n- X., Procureur de la République\n- X., Présidente du CIDFF 26\n"
            "Cette signature a été réalisée en présence de tous les services.\n"
        ),
    ],
)
def test_the_representatives_listed_after_a_signing_sentence_are_parties(text: str) -> None:
    clauses = [text[a:b] for a, b in party_clauses(text)]
    assert len(clauses) == 3 and all(clause.startswith("- ") for clause in clauses)


def test_a_bulleted_list_after_other_prose_is_no_party_list() -> None:
    listed = "- Le préfet de la Lozère, X.\n- Le procureur de la République, X.\n"
    assert party_clauses("Étaient présents :\n" + listed) == ()
    assert party_clauses("La convention a été signée entre :\n- Le préfet de la Lozère, X.\nLa Caf aussi.\n") == ()
    assert party_clauses("La convention a été signée entre :\n- les communes du territoire\n- la Caf\n") == ()


def test_a_party_whose_representative_follows_its_closing_full_stop_is_one_clause() -> None:
    # rsq20 (Habitat Marseille Provence's CUS): « ET » alone on a line, the party described up to a full stop, then
    # « Représenté par … » on the next line
    text = (
        "ENTRE :\nL'Etat, représenté par Monsieur X., Préfet de la Région Provence- Alpes- Côte d'Azur (PACA),\nET\n"
        "L'Office Public de l'Habitat (OPH) Habitat Marseille Provence (HMP), dont le siège social est situé à\n"
        "Marseille, identifié sous le numéro de SIREN : 390 328 623.\n"
        "Représenté par Monsieur X., agissant en qualité de Directeur Général.\nET\n"
        "La Métropole Aix-Marseille-Provence, en tant qu'Établissement Public de Coopération\nIntercommunale.\n"
        "Représentée par Madame X., agissant en qualité de Présidente.\nDate :\n"
    )
    clauses = [text[a:b] for a, b in party_clauses(text)]
    assert len(clauses) == 3
    assert "Office Public" in clauses[1] and "Directeur Général" in clauses[1]
    assert "Métropole" in clauses[2] and "Présidente" in clauses[2] and "Date" not in clauses[2]
