"""Organisations outside the lexicons written without a legal-form word: wide span proposals (one test per
phrasing) and the trained candidate model that decides which are shown (`candidates.csv`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.candidate_score import contract_features, group_name
from pipeline.candidate_spans import (
    capitalised_runs,
    cue_names,
    defined_names,
    head_phrases,
    list_items,
    mixed_acronyms,
    quoted_names,
)
from pipeline.candidate_training import choose_threshold, cross_fitted_name_scores, fit_name_model
from pipeline.candidates import (
    CANDIDATE_COLUMNS,
    STRONG_SOURCES,
    acronym_fits,
    candidates_to_frame,
    contract_candidates,
    find_candidates,
    french_stop_words,
    keep,
    lexicon_keys,
    page_candidates,
)
from pipeline.lexicon import Lexicon
from pipeline.match import build_matcher, match_document
from pipeline.models import Models, default_models_dir
from pipeline.types import ExtractedDocument, Page


def doc(*texts: str) -> ExtractedDocument:
    return ExtractedDocument("a", "0" * 64, [Page(i, t) for i, t in enumerate(texts, start=1)])


def runs(text: str) -> list[str]:
    return [name for _, _, name in capitalised_runs(text, french_stop_words())]


def wide_names(text: str, lexicon: Lexicon) -> set[str]:
    """The names proposed on a page (no NER) that the lexicon filter keeps."""
    document = doc(text)
    keys = lexicon_keys(lexicon)
    found = page_candidates(document, use_ner=False, hit_spans={}, wide=True)
    return {c.name for c in found if keep(c, keys, {}, short_acronyms=True)}


def test_name_after_the_bailleur_cue_is_proposed() -> None:
    text = "Le bailleur Logirem Habitat rénovera 200 logements."
    assert [(name, cue) for _, _, name, cue in cue_names(text)] == [("Logirem Habitat", "bailleur")]
    assert runs(text) == ["Logirem Habitat"]


def test_name_after_l_association_loses_the_cue_word() -> None:
    text = "L'association Compagnons du Lien anime le centre social."
    assert [name for _, _, name, _ in cue_names(text)] == ["Compagnons du Lien"]
    assert runs(text) == ["Compagnons du Lien"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Mis en œuvre par l'association Vivre la ville, cet outil de proximité", "Vivre la ville"),  # rqe28
        ("Le directeur de l'association Clair et Net, entreprise d'insertion", "Clair et Net"),  # rqd10
    ],
)
def test_a_coined_name_in_words_after_l_association_is_proposed(text: str, name: str) -> None:
    assert name in [found for _, _, found, _ in cue_names(text)]


def test_capitalised_run_keeps_inner_d_apostrophe_and_de() -> None:
    assert runs("avec les Compagnons d'Emmaüs et le réseau Villes Moyennes de France.") == [
        "Compagnons d'Emmaüs",
        "Villes Moyennes de France",
    ]


def test_capitalised_run_joined_by_et_is_also_proposed_in_parts() -> None:
    assert runs("avec Villes Moyennes de France et Logis Cévenols demain") == [
        "Villes Moyennes de France et Logis Cévenols",
        "Villes Moyennes de France",
        "Logis Cévenols",
    ]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("avec un ensemble de partenaires : le CADR 67 (vélo-école, marquage", ["CADR 67"]),  # rtv04
        ("sous l’impulsion d’IDEE 93 à travers différents groupes", ["IDEE 93"]),  # rtv20
        ("Les résidences portées par Ciné 32 et CIRCA sont capitalisées", ["Ciné 32", "CIRCA"]),
        ("À Sevran 93 000 habitants, le Vendredi 12 mars, Loos 95 % des", ["Sevran", "Vendredi", "Loos"]),
    ],
)
def test_a_name_keeps_the_departement_number_that_follows_it(text: str, names: list[str]) -> None:
    assert runs(text) == names


def test_sentence_start_function_words_are_not_part_of_a_name() -> None:
    assert runs("Dans Lille, Pour Logis Cévenols.") == ["Lille", "Logis Cévenols"]


def test_tab_separated_cells_are_not_one_name(lexicon: Lexicon) -> None:
    assert runs("Santé\tMme Claire Delmas") == ["Santé", "Mme Claire Delmas"]
    assert "Santé\tMme Claire Delmas" not in wide_names("Santé\tMme Claire Delmas", lexicon)


def test_acronym_before_its_expansion_is_linked() -> None:
    text = "L'ACIF (Association pour le Conseil et l'Information sur les Finances) accompagne les ménages."
    defined = list(defined_names(text, acronym_fits))
    assert [(name, acronym) for _, _, name, acronym in defined] == [
        ("Association pour le Conseil et l'Information sur les Finances", "ACIF")
    ]


def test_expansion_before_its_acronym_without_legal_form_word() -> None:
    text = "Le dossier passe par la Plateforme Territoriale d'Appui (PTA) du secteur."
    defined = list(defined_names(text, acronym_fits))
    assert [(name, acronym) for _, _, name, acronym in defined] == [("Plateforme Territoriale d'Appui", "PTA")]


def test_names_listed_with_their_kinds_in_brackets_are_not_one_defined_name() -> None:
    """Regression (rpe14): « Aide Intérim (ETTI), Alturas (ACI) » gave the defined name « Aide Intérim (ETTI), Alturas »
    for ACI, which hid both companies."""
    text = "Les entreprises impliquées dans les marchés à clauses : Aide Intérim (ETTI), Alturas (ACI), ASFED (EI)."
    assert not [name for _, _, name, _ in defined_names(text, acronym_fits) if "(" in name or ")" in name]


def test_acronym_and_its_expansion_are_one_candidate_row(lexicon: Lexicon) -> None:
    text = (
        "L'ACIF (Association pour le Conseil et l'Information sur les Finances) accompagne les ménages. "
        "L'ACIF tient une permanence."
    )
    document = doc(text)
    keys = lexicon_keys(lexicon)
    found = [c for c in page_candidates(document, False, hit_spans={}, wide=True) if keep(c, keys, {}, True)]
    _, groups, _ = contract_features(document, found, frozenset())
    names = {group_name(items): len(items) for items in groups}
    assert names["Association pour le Conseil et l'Information sur les Finances"] >= 3  # name and two ACIF


def test_mixed_case_acronym_is_proposed() -> None:
    assert [name for _, _, name in mixed_acronyms("La DGFiP et la CCMSA transmettent, la Caf aussi.")] == [
        "DGFiP",
        "CCMSA",
    ]


def test_three_letter_acronym_after_l_apostrophe_is_kept(lexicon: Lexicon) -> None:
    assert "AMF" in wide_names("l'AMF, elle, s'y oppose formellement.", lexicon)
    assert "AMF" in runs("l'AMF, elle, s'y oppose formellement.")


def test_common_acronyms_and_stop_words_are_not_candidates(lexicon: Lexicon) -> None:
    names = wide_names("Un CDD ou un CDI. POUR LES HABITANTS", lexicon)
    assert not names & {"CDD", "CDI", "POUR", "LES"}


def test_threshold_is_the_lowest_within_the_noise_budget_of_every_part() -> None:
    probabilities = [0.9, 0.8, 0.6, 0.4, 0.3, 0.2, 0.1]
    labels = [1, 0, 1, 0, 1, 0, 1]
    contracts = ["a", "a", "b", "b", "c", "c", "d"]
    parts = ["demo", "demo", "demo", "prose", "prose", "prose", "prose"]
    # demo (2 contracts): 1 noise name allowed, everything down to 0.6 fits; prose (3 contracts): 1 noise name
    # allowed, 0.2 would be the second; the threshold is the stricter of the two.
    assert choose_threshold(probabilities, labels, contracts, parts, 0.5) == 0.6
    assert choose_threshold(probabilities[3:], labels[3:], contracts[3:], parts[3:], 0.5) == 0.3


def heads(text: str) -> list[str]:
    return [name for _, _, name in head_phrases(text, french_stop_words())]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (  # rpx24 (Sénat): two directorates in lower case, the second after « et de la »
            "Audition de la direction du budget et de la direction générale des collectivités locales.",
            ["direction du budget", "direction générale des collectivités locales"],
        ),
        (
            "avec le ministère des solidarités et de la santé, la convention",
            ["ministère des solidarités et de la santé"],
        ),
        ("la direction de projet est assurée par la commune", []),  # two words: any directorate
    ],
)
def test_a_public_body_in_lower_case_is_proposed_with_its_complement(text: str, names: list[str]) -> None:
    assert heads(text) == names


def test_a_lone_apostrophe_line_ends_a_head_phrase() -> None:
    """Regression (demo seed 79, cdv-31-saint-gaudens): a page where « s'engage » was extracted as « ⏎'⏎⏎engage »
    stopped the whole run with an IndexError."""
    assert heads("La Caisse des Dépôts\n'\n\nengage à renforcer la gestion de proximité.") == ["Caisse des Dépôts"]


def test_observatoire_followed_by_lower_case_words_is_proposed_up_to_the_verb() -> None:
    # rpb03 (blind part): the observatory's name is in lower case after its head word
    text = "l'Observatoire départemental des cités éducatives a été créé en janvier 2020 à l'initiative du Préfet."
    assert heads(text) == ["Observatoire départemental des cités éducatives"]


def test_direction_name_goes_on_over_a_comma_before_de() -> None:
    # rpb16 (blind part): a directorate on its own line, its name listing fields with commas
    text = (
        "Secrétariat d'État chargé de la jeunesse et de la vie associative\n"
        "Direction de la jeunesse, de l'éducation populaire et de la vie associative\n"
        "Mission d'animation du Fonds d'expérimentations pour la jeunesse"
    )
    assert heads(text) == [
        "Direction de la jeunesse, de l'éducation populaire et de la vie associative",
        "Mission d'animation du Fonds d'expérimentations",  # a word in lower case after a proper name ends it
    ]


def test_head_phrase_ends_before_a_verb() -> None:
    # demo corpus phrasings: a verb after the name, in the future or after a proper name, or "pour" + infinitive
    assert heads("La Mission locale participera aux actions.") == ["Mission locale"]
    assert heads("l'Association Trait d'Union Foix soutient les familles") == ["Association Trait d'Union Foix"]
    assert heads("la Chambre d'agriculture de l'Ariège pour accompagner les demandeurs") == [
        "Chambre d'agriculture de l'Ariège"
    ]
    assert heads("l'Union sociale pour l'habitat (USH)") == ["Union sociale pour l'habitat"]


def test_head_phrase_ends_before_a_comma_clause_a_digit_or_a_trailing_particle() -> None:
    assert heads("la Fédération nationale des centres sociaux, qui anime le réseau") == [
        "Fédération nationale des centres sociaux"
    ]
    assert heads("l'Agence régionale de 2024") == ["Agence régionale"]
    assert heads("Union") == [] and heads("la Direction et") == []


def test_head_phrase_holding_a_scheme_name_passes_the_lexicon_filter(lexicon: Lexicon) -> None:
    text = "l'Observatoire départemental des cités éducatives a été créé en janvier 2020."
    document = doc(text)
    hits = match_document(build_matcher(lexicon), document)
    spans = {1: [(hit.start, hit.end) for hit in hits]}
    assert spans[1], "« cités éducatives » is a lexicon scheme"
    found = page_candidates(document, use_ner=False, hit_spans=spans, wide=True)
    kept = {c.name for c in found if c.source == "tete" and keep(c, lexicon_keys(lexicon), spans, True)}
    assert kept == {"Observatoire départemental des cités éducatives"}


def test_name_listed_beside_a_lexicon_name_is_marked(lexicon: Lexicon) -> None:
    # rpb23 (blind part): "signé par Action Logement et Villes de France"
    from pipeline.candidate_score import occurrence_features

    text = "La convention a été signée par Action Logement et Villes de France le 16 novembre 2021."
    hits = [(hit.start, hit.end) for hit in match_document(build_matcher(lexicon), doc(text))]
    start = text.index("Villes")
    features = occurrence_features("Villes de France", "majuscules", "", text, start, start + 16, False, False, hits)
    assert features["beside_lexicon_name"] == 1.0 and features["in_name_list"] == 1.0
    alone = occurrence_features("Villes de France", "majuscules", "", text, start, start + 16, False, False, [])
    assert alone["beside_lexicon_name"] == 0.0


def test_name_in_a_list_of_capitalised_names_is_marked() -> None:
    # a list of associations of elected officials, as national texts write it
    from pipeline.candidate_score import occurrence_features

    text = "Réunion tenue avec Intercommunalités de France, Ville et Banlieue, l'AMF. Dans Lille les habitants"
    start = text.index("Ville et")
    listed = occurrence_features("Ville et Banlieue", "majuscules", "", text, start, start + 17, False)
    assert listed["in_name_list"] == 1.0
    start = text.index("Lille")
    assert occurrence_features("Lille", "majuscules", "", text, start, start + 5, False)["in_name_list"] == 0.0


# --- the trained model -------------------------------------------------------------------------------------


TRAINED_TEXT = (
    "Le bailleur Noalis Habitat rénovera 200 logements du quartier. L'association Compagnons du Lien anime le "
    "centre social. À Roubaix, la Caisse d'allocations familiales finance les actions. Les habitants de "
    "Villeneuve participent."
)


def test_trained_model_keeps_bailleur_and_association_names_and_drops_places(lexicon: Lexicon, models: Models) -> None:
    document = doc(TRAINED_TEXT)
    hits = match_document(build_matcher(lexicon), document)
    found = contract_candidates(document, hits, lexicon, frozenset(), use_ner=True, models=models)
    names = {c.name: c.probability for c in found}
    assert {"Noalis Habitat", "Compagnons du Lien"} <= set(names)
    assert not {"Roubaix", "Villeneuve"} & set(names)
    assert min(names.values()) >= models.candidate.threshold_


def test_name_model_reads_landlord_like_brands_above_places_it_never_saw(models: Models) -> None:
    """The committed candidate model carries its name model (loaded from skops with scikit-learn types only);
    made-up landlords' brands score above French places, none of them in the training data."""
    name_model = models.candidate.name_model_
    column = list(name_model.classes_).index(1)
    brands = name_model.predict_proba(["Logivarem", "Habitalys", "Domelis Habitat"])[:, column]
    places = name_model.predict_proba(["Montbrison", "Castelnaudary", "Pont-Saint-Esprit"])[:, column]
    assert min(brands) > max(places)


def test_name_scores_are_cross_fitted_away_from_every_spelling_of_the_name() -> None:
    """A name seen in other contracts is scored by a name model that never saw it, as a new name is at run time."""
    names = (
        ["Zorglub"] * 6 + [f"Association des Amis {i}" for i in range(20)] + [f"Commune de Vau{i}" for i in range(20)]
    )
    labels = [1] * 6 + [1] * 20 + [0] * 20
    weights = [1.0] * len(names)
    seen = fit_name_model(names, labels, weights)
    column = list(seen.classes_).index(1)
    in_sample = seen.predict_proba(["Zorglub"])[0, column]
    crossed = cross_fitted_name_scores(names, labels, weights)
    assert len(set(crossed[:6])) == 1 and crossed[0] < in_sample - 0.1
    assert fit_name_model(["Zorglub", "Xylo"], [1, 1], [1.0, 1.0]) is None


def test_candidates_csv_keeps_its_columns_with_probability_last(lexicon: Lexicon, models: Models) -> None:
    document = doc(TRAINED_TEXT)
    hits = match_document(build_matcher(lexicon), document)
    frame = find_candidates([document], hits, lexicon, {"a": frozenset()}, use_ner=True, models=models)
    assert list(frame.columns) == CANDIDATE_COLUMNS and CANDIDATE_COLUMNS[-1] == "probability"
    assert CANDIDATE_COLUMNS[:-1] == [
        "name",
        "key",
        "source",
        "n_mentions",
        "n_contracts",
        "contracts",
        "pages",
        "signature_page",
        "snippet",
        "evidence_score",
        "evidence",
    ]
    assert (frame["probability"] >= models.candidate.threshold_).all()
    assert candidates_to_frame([]).empty


def test_candidate_model_version_enters_the_analysis_cache_key(tmp_path: Path) -> None:
    from pipeline.stage_versions import analysis_key, stage_versions_for

    models_dir = tmp_path / "models"
    models_dir.mkdir()
    for name in ("theme", "mention"):
        (models_dir / f"{name}.skops").write_bytes((default_models_dir() / f"{name}.skops").read_bytes())
    before = stage_versions_for(default_models_dir().parent / "lexicons", models_dir, True)
    (models_dir / "candidate.skops").write_bytes((default_models_dir() / "candidate.skops").read_bytes())
    after = stage_versions_for(default_models_dir().parent / "lexicons", models_dir, True)
    assert "modele_candidate" in after and "modele_candidate" not in before
    assert analysis_key("a", before) != analysis_key("a", after)


def test_name_with_one_lower_case_word_after_its_first_word() -> None:
    assert "Union sportive Onet-le-Château Quartiers" in runs("L'Union sportive Onet-le-Château Quartiers soutient")
    assert "Boulangerie coopérative du Canal" in runs("avec Boulangerie coopérative du Canal permettra")


def test_name_wrapped_over_two_lines_is_one_name() -> None:
    found = list(capitalised_runs("besoin. Fondation Garonne\nSolidarités s'est engagée", french_stop_words()))
    assert found[0] == (8, 37, "Fondation Garonne Solidarités")
    assert runs("ENJEUX DU QUARTIER\nLe bailleur") == ["ENJEUX DU QUARTIER"]


def test_longer_kept_name_replaces_the_kept_name_it_contains() -> None:
    from pipeline.candidate_score import without_overlaps
    from pipeline.candidates import Candidate

    text = "Fondation Garonne\nSolidarités et Villes de France et Logis Cévenols"

    def kept(start: int, end: int, probability: float) -> Candidate:
        return Candidate("a", 1, start, end, text[start:end], "majuscules", "", probability=probability)

    names = [c.name for c in without_overlaps([kept(0, 17, 0.9), kept(0, 29, 0.4)], {1: text})]
    assert names == ["Fondation Garonne\nSolidarités"]
    joined = [kept(33, 49, 0.8), kept(33, 67, 0.5), kept(53, 67, 0.7)]
    assert [c.name for c in without_overlaps(joined, {1: text})] == ["Villes de France", "Logis Cévenols"]


def test_a_name_with_et_that_its_acronym_spells_is_one_name() -> None:
    """Regression (rqd13): « Seine Ouest Habitat et Patrimoine (SOHP) » was dropped for « Seine Ouest Habitat »."""
    from pipeline.candidate_score import without_overlaps
    from pipeline.candidates import Candidate

    text = "les résidences de Seine Ouest Habitat et Patrimoine (SOHP) à Meudon"
    start, end = text.index("Seine"), text.index(" (SOHP)")
    inner = Candidate("a", 1, start, start + 19, text[start : start + 19], "majuscules", "", probability=0.59)
    whole = Candidate("a", 1, start, end, text[start:end], "sigle_defini", "", acronym="SOHP", probability=0.57)
    assert [c.name for c in without_overlaps([inner, whole], {1: text})] == ["Seine Ouest Habitat et Patrimoine"]


class RejectEverything:
    """A candidate model that rates every name 0: what is left is what `contract_candidates` keeps regardless."""

    classes_ = (0, 1)
    threshold_ = 0.5

    def predict_proba(self, rows: list[dict[str, float]]) -> list[list[float]]:
        import numpy as np

        return np.array([[1.0, 0.0] for _ in rows])


def test_names_of_strong_evidence_are_kept_whatever_the_model_says(lexicon: Lexicon, models: Models) -> None:
    """A signature line, a legal-form pattern or a defined acronym stays even when the model rates it low
    (« Direction générale », or the longer name it starts when the model keeps that); a bare acronym or a NER name
    is one proposal among others, which the model decides (regression: bare acronyms and NER names of tables of
    contents and council agendas, realprose fresh7, were all kept whatever the model said)."""
    from dataclasses import replace

    text = (
        "La Direction générale des collectivités locales et la Fondation Garonne Solidarités financent.\n\n"
        "L'Agence de service et de paiement (ASP) verse les aides. Le bailleur Noalis Habitat rénove."
    )
    document = doc(text, "Signataires\nPour la Boulangerie coopérative du Canal")
    hits = match_document(build_matcher(lexicon), document)
    strong = contract_candidates(document, hits, lexicon, frozenset({2}), use_ner=True)
    assert {"Direction générale", "Fondation Garonne Solidarités", "Boulangerie coopérative du Canal"} <= {
        c.name for c in strong
    }

    evidence = {c for c in strong if set(c.source.split("|")) & set(STRONG_SOURCES)}
    assert {"Direction générale", "Fondation Garonne Solidarités", "Boulangerie coopérative du Canal"} <= {
        c.name for c in evidence
    }
    rejecting = replace(models, candidate=RejectEverything())
    assert set(contract_candidates(document, hits, lexicon, frozenset({2}), True, models=rejecting)) == evidence
    with_model = contract_candidates(document, hits, lexicon, frozenset({2}), True, models=models)
    kept = {(c.page, c.start): c.name for c in with_model}
    assert all(kept.get((c.page, c.start), "").startswith(c.name) for c in evidence)  # kept, or the name it starts
    assert "Direction générale des collectivités locales" in kept.values()
    assert "Noalis Habitat" in {c.name for c in with_model} - {c.name for c in strong}


def items(text: str) -> list[str]:
    return [name for _, _, name in list_items(text)]


def test_landlords_listed_with_lower_case_kind_words_are_proposed() -> None:
    text = (
        "la ville de Reims et les trois bailleurs – Le Foyer Rémois, Plurial Novilia, Reims habitat – à formaliser "
        "leurs engagements"
    )
    assert items(text) == ["Foyer Rémois", "Plurial Novilia", "Reims habitat"]


def test_coined_association_names_in_a_list_are_proposed_with_digits_and_lower_case_words() -> None:
    text = "Vien A Zot, Tré d'Union, Prévention péi, Zama, 7S4 multisports, Les alizées, le Masque de\nfer."
    assert items(text) == [
        "Vien A Zot",
        "Tré d'Union",
        "Prévention péi",
        "Zama",
        "7S4 multisports",
        "Les alizées",
        "Masque de fer",
    ]


def test_a_list_of_two_or_of_long_clauses_proposes_no_item() -> None:
    assert items("signé par l'État et la Région.") == []
    assert items("Les actions financées, les moyens engagés par chaque partenaire et le suivi annuel du contrat.") == []


def test_short_capitalised_phrases_in_quotation_marks_are_proposed() -> None:
    text = "1. SA d’HLM « Habitat 62/59 Picardie » ; « Nos Quartiers ont des Talents » : un levier"
    assert [name for _, _, name in quoted_names(text)] == ["Habitat 62/59 Picardie", "Nos Quartiers ont des Talents"]


def test_two_names_in_a_list_of_three_stretches_are_proposed() -> None:  # rpo38
    text = (
        "Signature d'une convention entre la ville de Mulhouse, la SPA Mulhouse Haute-Alsace et l'Association "
        "Assistance aux animaux Alsace (444)"
    )
    assert items(text) == ["SPA Mulhouse Haute-Alsace", "Association Assistance aux animaux Alsace"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (  # rqo10 (Vénissieux): the pattern's « Caisse nationale » stopped at the lower-case complement
            "À la suite d’un appel à projets lancé par la Caisse nationale de solidarité pour l’autonomie, deux "
            "résidences ont été identifiées à Vénissieux, gérées par le bailleur social Sacoviv.",
            "Caisse nationale de solidarité pour l’autonomie",
        ),
        (  # rqo17 (CNSA): « Direction générale » alone is any directorate
            "La journée est organisée par la CNSA avec la Direction générale de la cohésion sociale, en présence des "
            "porteurs de projets d'habitat inclusif.",
            "Direction générale de la cohésion sociale",
        ),
    ],
)
def test_a_pattern_name_gives_way_to_the_kept_name_it_starts(
    lexicon: Lexicon, models: Models, text: str, name: str
) -> None:
    document = doc(text)
    hits = match_document(build_matcher(lexicon), document)
    names = {c.name for c in contract_candidates(document, hits, lexicon, frozenset(), use_ner=True, models=models)}
    assert name in names
    assert not {n for n in names if name.startswith(n) and n != name}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Les logements de l'OPH de Dole seront réhabilités.", "OPH de Dole"),  # rro38
        (  # rro22
            "Entre l'Office Public de l'Habitat de Villejuif et ses gardiens",
            "Office Public de l'Habitat de Villejuif",
        ),
        ("une action du Club Animation Prévention auprès des jeunes", "Club Animation Prévention"),  # rrp26
        ("Le Rugby Club Nîmes Olympique accueille les enfants du quartier.", "Rugby Club Nîmes Olympique"),
    ],
)
def test_member_named_around_its_groups_word_is_proposed(lexicon: Lexicon, text: str, name: str) -> None:
    """Regression (fresh63-68): a landlord or a club named around the word of its lexicon group (« OPH », « Club »)
    was dropped with the NER names that touch a lexicon hit."""
    from pipeline.candidates import member_hit_spans

    document = doc(text)
    hits = match_document(build_matcher(lexicon), document)
    spans: dict[int, list[tuple[int, int]]] = {1: [(h.start, h.end) for h in hits]}
    found = page_candidates(document, use_ner=False, hit_spans=spans, wide=True)
    keys = lexicon_keys(lexicon)
    assert name not in {c.name for c in found if keep(c, keys, spans, short_acronyms=True)}
    members = member_hit_spans(hits)
    assert name in {c.name for c in found if keep(c, keys, spans, short_acronyms=True, member_spans=members)}
    bare = doc("Les logements de l'OPH seront réhabilités.")  # the group's word alone is no member
    bare_hits = match_document(build_matcher(lexicon), bare)
    bare_spans = {1: [(h.start, h.end) for h in bare_hits]}
    proposed = page_candidates(bare, use_ner=False, hit_spans=bare_spans, wide=True)
    assert not [c for c in proposed if keep(c, keys, bare_spans, True, member_hit_spans(bare_hits))]


@pytest.mark.parametrize(
    ("text", "inner", "outer"),
    [
        ("avec les CEMEA comme explique X. au conseil", "CEMEA", "CEMEA comme explique X."),  # rrk05
        ("la SAIEM-AGIRE travaille avec", "SAIEM-AGIRE", "SAIEM-AGIRE travaille"),  # rrl23
        ("Le syndicat FO, le syndicat CGT", "FO", "Le syndicat FO"),
    ],
)
def test_a_name_grown_by_lower_case_words_does_not_replace_a_more_probable_name(
    text: str, inner: str, outer: str
) -> None:
    """Regression (fresh63-68): a list item or a run that goes on with words in lower case replaced the more
    probable name inside it; a name going on with capitalised words still does (wrapped names)."""
    from pipeline.candidate_score import without_overlaps
    from pipeline.candidates import Candidate

    def kept(name: str, probability: float) -> Candidate:
        start = text.index(name)
        return Candidate("a", 1, start, start + len(name), name, "liste", "", probability=probability)

    assert [c.name for c in without_overlaps([kept(inner, 0.8), kept(outer, 0.2)], {1: text})] == [inner]
    assert [c.name for c in without_overlaps([kept(inner, 0.2), kept(outer, 0.8)], {1: text})] == [outer]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Les élèves du collège Paul-Ramadier participent au dispositif.", "collège Paul-Ramadier"),  # rrq19, rrq10
        ("l'école maternelle Edouard Herriot accueille les parents", "école maternelle Edouard Herriot"),  # rrs18
        ("avec le collège Jean-Jaurès et le lycée Jean-Macé", "collège Jean-Jaurès"),  # rrq19, rrs04
    ],
)
def test_a_school_is_proposed_with_its_head_word(text: str, name: str) -> None:
    """Regression (fresh69-71): schools written « collège X » were proposed without their head word, or not at all,
    and missed (« Jean-Jaurès » alone is a person)."""
    from pipeline.candidate_spans import named_heads

    assert name in [found for _, _, found in named_heads(text)]


def test_a_capitalised_common_word_is_not_a_name() -> None:
    """Regression (demo seed 23: « Accès » in 31 contracts, « Éducation » in 11; fresh63-68: « Logement », « Ville »):
    a heading's first word, written in lower case elsewhere in the document, was shown as an organisation."""
    from pipeline.candidate_score import common_word, document_vocabulary

    vocabulary = document_vocabulary(doc("Accès aux droits\nL'accès aux droits passe par le logement.", "Emmaüs"))
    assert common_word("Accès", vocabulary) and common_word("Logement", vocabulary)
    assert not common_word("Emmaüs", vocabulary)  # a name written once, capitalised
    assert not common_word("ACCES", vocabulary) and not common_word("Accès Cité", vocabulary)
