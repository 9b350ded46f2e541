"""Match stage: tricky ways of naming an entity, in real sentences of real generated PDFs."""

from __future__ import annotations

from pathlib import Path

import pytest
from contract_pdf import write_pdf

from pipeline.corpus import scan_corpus
from pipeline.extract import extract_document
from pipeline.lexicon import Lexicon
from pipeline.match import LexiconMatcher, Span, build_matcher, filter_overlaps, fold_text, match_document
from pipeline.types import ExtractedDocument, Page


@pytest.fixture(scope="module")
def matcher(lexicon: Lexicon) -> LexiconMatcher:
    return build_matcher(lexicon)


def page_hits(matcher: LexiconMatcher, text: str) -> list[tuple[str, str, str]]:
    document = ExtractedDocument(contract_id="c", sha256="0", pages=[Page(number=1, text=text)])
    return [(hit.entity_id, hit.matched, hit.method) for hit in match_document(matcher, document)]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Le soutien de l'ADEME est acquis.", ("ademe", "ADEME")),
        ("Avec l’ADEME, en lien avec la commune.", ("ademe", "ADEME")),
        ("Les aides d'ANAH seront mobilisées.", ("anah", "ANAH")),
        ("La C.A.F. finance les centres.", ("caf", "C.A.F.")),
        ("LA CAISSE D'ALLOCATIONS FAMILIALES ET LA VILLE", ("caf", "CAISSE D'ALLOCATIONS FAMILIALES")),
        ("Les bailleurs sociaux s'engagent sur la TFPB.", ("bailleurs_sociaux", "bailleurs sociaux")),
        ("L'Agence nationale de\nl'habitat accompagne la copropriété.", ("anah", "Agence nationale de\nl'habitat")),
        ("Pôle emploi accompagne les demandeurs.", ("france_travail", "Pôle emploi")),
        ("La CAF de l'Aude et la ville.", ("caf", "CAF de l'Aude")),
        ("l'Agence Régionale de la Santé soutient", ("ars", "Agence Régionale de la Santé")),
    ],
)
def test_tricky_names_are_found(matcher: LexiconMatcher, sentence: str, expected: tuple[str, str]) -> None:
    assert expected in [(entity, matched) for entity, matched, _ in page_hits(matcher, sentence)]


def test_name_hyphenated_across_lines_in_a_pdf(matcher: LexiconMatcher, tmp_path: Path) -> None:
    write_pdf(tmp_path / "c.pdf", ["La Caisse primaire d'assurance ma-\nladie et la Mission locale jeunes."])
    document = extract_document(scan_corpus(tmp_path).contracts[0])
    assert {hit.entity_id for hit in match_document(matcher, document)} == {"cpam", "mission_locale"}


def test_acronym_inside_a_word_is_not_a_hit_and_lower_case_is_only_a_loose_candidate(matcher: LexiconMatcher) -> None:
    hits = page_hits(matcher, "Le CAFE des ARSENAUX, une caf, des ars.")
    assert hits == [("caf", "caf", "sigle_variante"), ("ars", "ars", "sigle_variante")]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Ces contrats sont signés par les départements et les régions.", ("conseil_departemental", "départements")),
        ("Ces contrats sont signés par les départements et les régions.", ("conseil_regional", "régions")),
        ("(État, Région Auvergne / Rhône-Alpes, Département de la Loire)", ("etat", "État")),
        ("(État, Région Auvergne / Rhône-Alpes, Département de la Loire)", ("conseil_regional", "Région")),
        ("qui les lie aux caisses d'allocations familiales (Caf)", ("caf", "Caf")),
        ("les aides de l'Anah1 et la convention Anru", ("anah", "Anah")),
        ("les aides de l'Anah1 et la convention Anru", ("anru", "Anru")),
        ("les préfets de département de la région", ("etat", "préfets de département")),
        ("Ainsi les conseils généraux seront-ils sollicités", ("conseil_departemental", "conseils généraux")),
        ("une aide financière versée par l'ETAT à l'employeur", ("etat", "ETAT")),
        (  # rqr17 (Saint-Joseph): the commune's football clubs, named by « clubs » alone
            "signée entre la mairie de Saint-Joseph, la ligue réunionnaise de football et les présidents des clubs",
            ("clubs_sportifs", "clubs"),
        ),
        ("Le Tennis club de Lauricisque emploie deux animateurs.", ("clubs_sportifs", "club")),  # rqr19
    ],
)
def test_loose_variants_are_candidate_mentions(
    matcher: LexiconMatcher, sentence: str, expected: tuple[str, str]
) -> None:
    assert expected in [(entity, matched) for entity, matched, _ in page_hits(matcher, sentence)]


def test_ambiguous_acronym_yields_every_sense(matcher: LexiconMatcher) -> None:
    hits = page_hits(matcher, "Le CLS est signé.")
    assert sorted(entity for entity, _, _ in hits) == ["cls_sante", "cls_securite"]
    assert {method for _, _, method in hits} == {"sigle_ambigu"}


def test_longest_overlapping_name_wins(matcher: LexiconMatcher) -> None:
    hits = page_hits(matcher, "Le contrat local de santé mentale est prolongé.")
    assert [entity for entity, _, _ in hits] == ["clsm"]


def test_filter_overlaps_keeps_longest_then_best_score() -> None:
    spans = [Span(0, 3, ("a",), "sigle", 0.85), Span(0, 10, ("b",), "nom", 0.95), Span(12, 15, ("c",), "sigle", 0.8)]
    assert [span.senses for span in filter_overlaps(spans)] == [("b",), ("c",)]


def test_folding_keeps_offsets() -> None:
    text = "Éducation nationale\nl'ÉTAT-major"
    assert len(fold_text(text)) == len(text)
    assert fold_text(text) == "education nationale l'etat major"


def test_literal_alternation_finds_what_its_pattern_finds(matcher: LexiconMatcher) -> None:
    """The acronym scanners try the pattern only where a form can start: on text made of the lexicon's acronyms in
    every case, dotted, glued to letters, digits, dots and hyphens, they find exactly the matches of
    `pattern.finditer`."""
    import random

    generator = random.Random(16)
    acronyms = sorted(matcher.exact_acronyms)
    pieces = [" ", "  ", ".", "-", "'", "’", "(", ")", "1", "12", "x", "É", "\n", "/", "l'", "d’"]
    for _ in range(300):
        words = []
        for _ in range(40):
            word = generator.choice(acronyms)
            shape = generator.random()
            if shape < 0.2:
                word = word.lower()
            elif shape < 0.3:
                word = ".".join(word) + generator.choice([".", ""])
            elif shape < 0.4:
                word = word.capitalize()
            words.append(word + generator.choice(pieces))
        text = "".join(words)
        for scanner in (matcher.acronym_regex, matcher.loose_acronym_regex):
            assert scanner is not None
            expected = [(m.span(), m.lastgroup) for m in scanner.pattern.finditer(text)]
            assert [(m.span(), m.lastgroup) for m in scanner.finditer(text)] == expected, text


def test_fuzzy_names_need_a_window_ending_like_them(matcher: LexiconMatcher) -> None:
    hits = page_hits(matcher, "L'Agence regionalle de santé et la Caisse primaire d'assurance maladie.")
    assert ("ars", "Agence regionalle de santé", "approche") in hits


def test_a_name_with_another_word_is_not_matched_approximately(matcher: LexiconMatcher) -> None:
    # rre05 (IREV, CGET instruction): local travel plans are not the lexicon's « plans globaux de déplacements »
    text = "la révision des plans de déplacements urbains (PDU) et des plan locaux de déplacements (PLD)"
    assert not [hit for hit in page_hits(matcher, text) if hit[0] == "pgd"]
    # rri25 (APEI Papillons blancs): the association's mission, not the Défenseur des droits
    text = "Elle assure à la fois une mission de défense des droits et intérêts des personnes handicapées."
    assert not [hit for hit in page_hits(matcher, text) if hit[0] == "defenseur_droits"]


def test_a_short_name_is_not_matched_approximately(matcher: LexiconMatcher) -> None:
    # rpz11 (Batiweb, 2023): « quartiers d'être rénovés » is one letter from « Quartiers d'été »
    text = "Si un premier programme a déjà permis à 600 quartiers d'être rénovés, et qu'un second en concerne 450"
    assert not [hit for hit in page_hits(matcher, text) if hit[0] == "quartiers_ete"]


def test_a_club_of_companies_is_not_a_sports_club_candidate(matcher: LexiconMatcher) -> None:
    hits = page_hits(matcher, "Le Club des entreprises de Quimper et le CLUB DES PARTENAIRES se réunissent.")
    assert "clubs_sportifs" not in [entity for entity, _, _ in hits]
