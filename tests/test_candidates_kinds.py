"""Kinds of organisation names outside the lexicons that the candidate step missed on the fresh real-prose part
(`benchmarks/realprose`, files `rpf*`): institutional head words read from data, a second name after a comma,
a bare acronym inside a longer name, brand names in a list of examples, places known by name. One test per kind,
with the real phrasing; spaCy is not needed (no NER)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.candidate_score import name_features, occurrence_features
from pipeline.candidate_spans import defined_names, head_phrases
from pipeline.candidate_words import candidate_words
from pipeline.candidates import (
    Candidate,
    acronym_fits,
    french_stop_words,
    gives_way,
    keep,
    lexicon_keys,
    page_candidates,
)
from pipeline.lexicon import Lexicon
from pipeline.match import build_matcher, match_document
from pipeline.types import ExtractedDocument, Page


def heads(text: str) -> list[str]:
    return [name for _, _, name in head_phrases(text, french_stop_words())]


def test_inspection_generale_names_are_proposed_from_the_head_word_data() -> None:
    # rpf19: a report's "Auteur moral" line naming three inspections
    text = (
        "Auteur moral : France. Inspection générale de l'administration ; France. Inspection générale des "
        "affaires sociales ; France. Inspection générale de l'environnement et du développement durable (IGEDD)"
    )
    assert "Inspection" in candidate_words().heads
    assert heads(text) == [
        "Inspection générale de l'administration",
        "Inspection générale des affaires sociales",
        "Inspection générale de l'environnement et du développement durable",
    ]


def test_assemblee_des_departements_de_france_passes_the_lexicon_filter(lexicon: Lexicon) -> None:
    # rpf29: a lexicon word ("départements") inside the name
    text = (
        "J'ai signé une convention avec l'Association des régions de France, et avec l'Assemblée des "
        "départements de France pour qu'au minimum 10 % des fonds soient fléchés vers les quartiers."
    )
    document = ExtractedDocument("a", "0" * 64, [Page(1, text)])
    spans = [(hit.start, hit.end) for hit in match_document(build_matcher(lexicon), document)]
    start = text.index("Assemblée")
    assert "Assemblée des départements de France" in heads(text)
    name = "Assemblée des départements de France"
    candidate = Candidate("a", 1, start, start + len(name), name, "tete", "")
    assert keep(candidate, lexicon_keys(lexicon), {1: spans}, short_acronyms=True)


def test_head_phrase_ends_before_a_second_organisation_after_a_comma() -> None:
    # rpf02: two unions in one list, the second after ", de l'Union"
    text = (
        "des conseils régionaux, de l'Union d'économie sociale du logement, de l'Union nationale des "
        "fédérations d'organismes d'habitations à loyer modéré, des sociétés d'économie mixte"
    )
    assert heads(text)[0] == "Union d'économie sociale du logement"
    # the comma before "de" still continues a directorate's name (rpb16)
    assert heads("la Direction de la jeunesse, de l'éducation populaire et de la vie associative (DJEPVA)") == [
        "Direction de la jeunesse, de l'éducation populaire et de la vie associative"
    ]


def test_bare_acronym_gives_way_to_the_longer_name_kept_around_it() -> None:
    # rpf14: "le CREPI Hauts-de-France et FACE MEL"; the acronyms alone were shown instead of the names
    text = "des deux clubs en charge de son animation : le CREPI Hauts-de-France et FACE MEL."

    def at(name: str, source: str) -> Candidate:
        start = text.index(name)
        return Candidate("a", 1, start, start + len(name), name, source, "")

    crepi, face = at("CREPI", "sigle"), at("FACE", "sigle")
    scored = [at("CREPI Hauts-de-France", "majuscules"), at("FACE MEL", "majuscules|ner")]
    assert gives_way(crepi, [crepi, face], scored) and gives_way(face, [crepi, face], scored)
    ner = at("CREPI", "ner")  # a NER name does not give way
    assert not gives_way(ner, [ner], scored)
    pattern = at("CREPI", "motif")  # a legal-form name gives way to the name it starts, not to one around it
    assert gives_way(pattern, [pattern], scored)
    assert not gives_way(pattern, [pattern], [at("le CREPI Hauts-de-France", "majuscules")])
    assert not gives_way(at("CREPI", "motif|signature"), [pattern], scored)
    assert not gives_way(crepi, [crepi], [])


def test_brand_names_after_comme_in_a_sentence_about_companies_are_marked() -> None:
    # rpf16: "Des entreprises de la restauration comme Mc Donald's ou My Little Italy, des transports comme Keolis"
    text = (
        "Des entreprises de la restauration comme Mc Donald's ou My Little Italy, des transports comme Keolis, "
        "du\nbricolage comme Leroy Merlin. La ville de Besançon accueille."
    )
    for name in ("Mc Donald's", "Keolis", "Leroy Merlin"):
        start = text.index(name)
        features = occurrence_features(name, "majuscules", "ORG", text, start, start + len(name), False)
        assert features["example_before"] == 1.0 and features["kind_noun_before"] == 1.0, name
        assert features["prev=comme"] == 1.0
    start = text.index("Besançon")
    far = occurrence_features("Besançon", "majuscules", "LOC", text, start, start + 8, False)
    assert far["example_before"] == 0.0 and far["kind_noun_before"] == 0.0  # another sentence


def test_regions_and_departements_are_known_places() -> None:
    # rp18 (held-out part): "Aisne", "Oise" shown as organisations
    for place in ("Aisne", "Oise", "Hauts-de-France", "PACA", "La Réunion"):
        assert name_features(place, frozenset())["known_place"] == 1.0, place
    assert name_features("Keolis", frozenset())["known_place"] == 0.0
    assert name_features("CREPI Hauts-de-France", frozenset())["acronym_first"] == 1.0


def test_candidate_words_file_with_an_unknown_kind_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "candidate_words.csv"
    path.write_text("kind,word,note\ntete,Inspection,\nmarque,Darty,\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"candidate_words\.csv:3"):
        candidate_words.__wrapped__(path)


def test_a_module_data_file_enters_its_code_fingerprint(tmp_path: Path) -> None:
    from pipeline.fingerprint import clear_caches, source_bytes

    module = tmp_path / "words.py"
    module.write_text("WORDS = 1\n", encoding="utf-8")
    (tmp_path / "words.csv").write_text("kind,word\ntete,Inspection\n", encoding="utf-8")
    before = source_bytes(module)
    (tmp_path / "words.csv").write_text("kind,word\ntete,Tribunal\n", encoding="utf-8")
    clear_caches()
    assert source_bytes(module) != before and b"Tribunal" in source_bytes(module)


def test_cue_word_of_the_previous_sentence_does_not_mark_a_name() -> None:
    # "centre social. À Roubaix": "social" (a cue of "le bailleur social Vilogia", rpb13) ends the sentence before
    text = "L'association Compagnons du Lien anime le centre social. À Roubaix, la Caisse finance."
    start = text.index("Roubaix")
    assert occurrence_features("Roubaix", "majuscules", "LOC", text, start, start + 7, False)["cue_before"] == 0.0
    text = "Le bailleur social Vilogia rénove 200 logements."
    start = text.index("Vilogia")
    assert occurrence_features("Vilogia", "majuscules", "", text, start, start + 7, False)["cue_before"] == 1.0


def test_two_foundations_joined_by_et_la_are_two_head_phrases() -> None:
    # rpg17 (Carenews): one legal-form phrase ran over both names
    text = (
        "la Fondation Nexity et la Fondation Fier de nos quartiers ont lancé un appel à projets commun sur le "
        "territoire de La Rochelle"
    )
    assert heads(text) == ["Fondation Nexity", "Fondation Fier"]


def test_head_phrase_in_capitals_stops_before_the_report_number() -> None:
    # rpg34 (IGA-IGÉSR report): the inspections named in a heading, in capitals
    text = (
        "## INSPECTION GENERALE DE L'ADMINISTRATION N° 20103-R – INSPECTION GENERALE DE L'EDUCATION, DU SPORT ET DE "
        "LA RECHERCHE N° 2021-114 – Juin 2021"
    )
    assert heads(text) == [
        "INSPECTION GENERALE DE L'ADMINISTRATION",
        "INSPECTION GENERALE DE L'EDUCATION, DU SPORT ET DE LA RECHERCHE",
    ]


def test_head_word_in_lower_case_with_a_scope_adjective_opens_a_name() -> None:
    # rpg34: French typography writes the directorate in lower case
    text = (
        "La coordination nationale de cette démarche est assurée par l'agence nationale de la cohésion des "
        "territoires (ANCT) et la direction générale de l'enseignement scolaire (DGESCO)"
    )
    assert "générale" in candidate_words().scopes
    assert "direction générale de l'enseignement scolaire" in heads(text)
    assert "coordination nationale" not in heads(text)  # the scope adjective and nothing after: any coordination


def test_lower_case_phrase_stops_at_the_third_common_word_in_a_row() -> None:
    assert heads("la direction générale de la cohésion sociale soutient les actions") == [
        "direction générale de la cohésion sociale"
    ]
    assert heads("l'association des habitants du quartier organise une fête") == []  # no scope, no proper name


def test_name_defined_with_its_acronym_may_be_in_lower_case() -> None:
    # rpg12 (convention Département des Bouches-du-Rhône - Pôle emploi)
    text = (
        "Vu l'accord-cadre signé le 1er avril 2014 entre l'association des départements de france (ADF) et Pôle emploi,"
    )
    assert [name for _, _, name, _ in defined_names(text, acronym_fits)] == ["association des départements de france"]


def test_legal_form_pattern_splits_two_organisations_joined_by_et() -> None:
    # rpg17: "Fondation Nexity et la Fondation Fier" was one strong candidate, matching neither foundation
    text = "la Fondation Nexity et la Fondation Fier de nos quartiers ont lancé un appel à projets commun"
    document = ExtractedDocument("a", "0" * 64, [Page(1, text)])
    found = [c.name for c in page_candidates(document, use_ner=False) if c.source == "motif"]
    assert found == ["Fondation Nexity", "Fondation Fier"]


def test_lower_case_unit_of_a_lexicon_body_is_not_a_candidate(lexicon: Lexicon) -> None:
    # demo corpus, seed 31: the ARS's departmental delegation, proposed by its lower-case head word
    text = "avec la délégation départementale de l'Aude de l'ARS et l'association des départements de France (ADF)"
    document = ExtractedDocument("a", "0" * 64, [Page(1, text)])
    spans = [(hit.start, hit.end) for hit in match_document(build_matcher(lexicon), document)]
    found = {c.name: c for c in page_candidates(document, use_ner=False, hit_spans={1: spans}, wide=True)}
    kept = {name for name, c in found.items() if keep(c, lexicon_keys(lexicon), {1: spans}, short_acronyms=True)}
    assert "délégation départementale de l'Aude de l'ARS" in found
    assert "délégation départementale de l'Aude de l'ARS" not in kept
    assert "association des départements de France" in kept


def test_a_lone_capital_letter_ends_no_name() -> None:
    # demo corpus, seed 31: "Pour l'ÉTAT M. X" gave "ÉTAT M"
    from pipeline.candidate_spans import capitalised_runs

    text = "Pour l'ÉTAT M. Jean Roux\nPour Carcassonne Agglo M. Paul Mas"
    names = [name for _, _, name in capitalised_runs(text, french_stop_words())]
    assert "ÉTAT" in names and "Carcassonne Agglo" in names
    assert not [name for name in names if name.endswith(" M")]


def test_a_name_runs_over_et_a_la_between_capitalised_words() -> None:
    # rph30 (PRIJ): three particles in a row, and « à » inside a directorate's name
    from pipeline.candidate_spans import capitalised_runs

    text = (
        "Le prix « Lutte contre l’illettrisme et l’illectronisme » parrainé la Délégation Générale à l’Emploi et à "
        "la Formation Professionnelle"
    )
    name = "Délégation Générale à l’Emploi et à la Formation Professionnelle"
    assert name in [found for _, _, found in capitalised_runs(text, french_stop_words())]
    assert name in heads(text)


def test_signature_line_names_lose_their_legal_form_and_their_group_apart(lexicon: Lexicon) -> None:
    # rpi01 (GUP convention, Troyes): "OPH" and "ESH" are lexicon acronyms, and "SA d'HLM" hid "ICF NORD-EST"
    from pipeline.members import member_group

    text = "\n".join(
        [
            "Les parties",
            "Pour l'ESH MON LOGIS groupe PLURIAL",
            "Pour l'OPH TROYES HABITAT",
            "Pour l'OPH AUBE IMMOBILIER",
            "Pour la SA d'HLM ICF NORD-EST",
        ]
    )
    document = ExtractedDocument("a", "0" * 64, [Page(1, text)])
    spans = [(hit.start, hit.end) for hit in match_document(build_matcher(lexicon), document)]
    found = page_candidates(document, use_ner=False, signature_pages=frozenset({1}), hit_spans={1: spans})
    signed = [c for c in found if c.source == "signature" and keep(c, lexicon_keys(lexicon), {1: spans})]
    assert [c.name for c in signed] == ["MON LOGIS", "PLURIAL", "TROYES HABITAT", "AUBE IMMOBILIER", "ICF NORD-EST"]
    assert all(text[c.start : c.end] == c.name for c in signed)
    assert member_group("TROYES HABITAT", lexicon) == "bailleurs_sociaux"  # the member word in capitals too


@pytest.mark.parametrize(
    "name",
    ["HABITAT ET DÉVELOPPEMENT", "Habitat et Vie sociale", "Observatoires et Habitat"],  # rql12, rql32, rql24
)
def test_a_member_word_in_a_compound_with_et_names_no_landlord(lexicon: Lexicon, name: str) -> None:
    from pipeline.members import member_group

    assert member_group(name, lexicon) is None
    assert member_group("Habitat du Nord", lexicon) == "bailleurs_sociaux"


@pytest.mark.parametrize("name", ["– Habitat", "• HABITAT", "Habitat :"])
def test_a_member_word_alone_between_dashes_of_a_table_of_contents_is_no_member(lexicon: Lexicon, name: str) -> None:
    # rsu34 (Angers, CUCS report 2009): « page 28 – Habitat et cadre de vie page 30 », read by NER as « – Habitat »
    from pipeline.members import member_group

    assert member_group(name, lexicon) is None
    assert member_group("– Isère Habitat", lexicon) == "bailleurs_sociaux"


def test_a_capitalised_common_noun_after_an_elided_article_is_no_member() -> None:
    # rry21, rsb02 (Béthune-Bruay): « PROTOCOLE DE COOPÉRATION DE LUTTE CONTRE L'HABITAT INDIGNE », a title in capitals
    from pipeline.members import common_noun_start

    assert common_noun_start("HABITAT INDIGNE", "PROTOCOLE DE COOPÉRATION DE LUTTE CONTRE L’")
    assert not common_noun_start("Isère Habitat", "les logements d’")
    assert not common_noun_start("Habitat du Nord", "le bailleur ")


@pytest.mark.parametrize("name", ["Tennis Passion", "ASNB Tennis", "Union Basket Nîmes", "Nîmes Athlétisme"])
def test_a_club_named_by_its_sport_is_a_sports_club(lexicon: Lexicon, name: str) -> None:
    # rrx09 (Fête le Mur, La Réunion: « l'association Tennis Passion »), rrx13 (« à l'ASNB Tennis »)
    from pipeline.members import member_group

    assert member_group(name, lexicon) == "clubs_sportifs"
    assert member_group("Tennis", lexicon) is None  # the sport alone is no club


def test_a_list_of_landlords_and_mediators_gives_one_name_per_item() -> None:
    # rpj37 (USH, Les Cahiers n° 142): a title before a body, towns after names, dashes between items
    from pipeline.candidate_spans import capitalised_runs

    text = (
        "Conception et rédaction du guide : X., Consultant, avec le concours de X., Directeur de France-Médiation.\n"
        "Les associations de médiation : ALTM (L'Association Lyonnaise pour la tranquillité et la médiation) - Omega "
        "à Angoulême - Citéo à Lille - Optima à Rennes.\n"
        "Les organismes d'Hlm : La Société dauphinoise pour l'habitat - L'OPH de l' Angoumois - Brest Métropole "
        "Habitat - Lillemétropole Habitat - L'Opievoy - Vilogia - Loire-Habitat - Le groupe EFIDIS."
    )
    runs = [name for _, _, name in capitalised_runs(text, french_stop_words())]
    assert {"France-Médiation", "Omega", "Citéo", "Optima", "Loire-Habitat", "Vilogia"} <= set(runs)
    assert "Société dauphinoise pour l'habitat" in heads(text)


def test_a_signing_body_s_name_stops_before_its_signer_or_a_remark() -> None:
    # rpl05 (Fort-de-France CUCS), rpl06 (Noisy-le-Grand GUP), rpl01 (Orange): the line goes on after the name
    from pipeline.candidate_spans import capitalised_runs
    from pipeline.candidates import SIGNATURE_FOR, signature_names

    lines = {
        "Pour la Caisse des Dépôts le Directeur Régional Antilles-Guyane": "Caisse des Dépôts",
        "Pour le Syndic FONCIA ICV (copropriétés Jara, Picasso 1 et 2, Les Portes du Levant)": "Syndic FONCIA ICV",
        "Pour Boulangerie coopérative du Canal Mme Hélène Pujol, Gérante": "Boulangerie coopérative du Canal",
    }
    for line, name in lines.items():
        found = SIGNATURE_FOR.search(line)
        assert found is not None and [n for _, n in signature_names(found)] == [name], line
    runs = [n for _, _, n in capitalised_runs("Mistral Habitat Représenté par son Directeur", french_stop_words())]
    assert "Mistral Habitat" in runs


def test_a_head_phrase_ends_before_a_reflexive_verb() -> None:
    # demo contracts' commitments (« La Mission locale s'engage à renforcer l'aller-vers … ») were proposed whole
    assert heads("La Mission locale s'engage à renforcer l'aller-vers auprès des jeunes.") == ["Mission locale"]
    assert heads("L'Agence nationale de l'habitat s’engage à renforcer la gestion de proximité.") == [
        "Agence nationale de l'habitat"
    ]
    assert heads("La Maison d'accueil des jeunes n'a pas ouvert.") == ["Maison d'accueil des jeunes"]


def test_ministries_and_forums_open_head_phrases() -> None:
    # rpx37 (instruction DPV 2017), rpx35 (batiactu, 2002), rpx36 (Banque des territoires): names in the lexicons
    # of no body, proposed from the head-word data
    assert heads("sous le timbre du Ministère de la Ville, de la Jeunesse et des Sports") == [
        "Ministère de la Ville, de la Jeunesse et des Sports"
    ]
    assert heads("Le rapport reproche au ministère de la Ville de ne pas piloter") == ["ministère de la Ville"]
    assert heads("le Forum français pour la sécurité urbaine (Efus) a publié") == [
        "Forum français pour la sécurité urbaine"
    ]


def test_a_ministry_s_name_keeps_the_adjectives_of_its_capitalised_words() -> None:
    # rqt38 (Pau, crèche à vocation d'insertion professionnelle): three ministries listed by their full names
    text = (
        "le ministère des Affaires sociales et de la Santé, le ministère du Travail, de l'Emploi, de la Formation "
        "professionnelle et du Dialogue social, et l'IEPC"
    )
    assert heads(text) == [
        "ministère des Affaires sociales et de la Santé",
        "ministère du Travail, de l'Emploi, de la Formation professionnelle et du Dialogue social",
    ]
    assert heads("L'Association Trait d'Union Foix soutient les familles.") == ["Association Trait d'Union Foix"]


def test_a_directorate_s_name_stops_before_the_ministry_it_belongs_to() -> None:
    # rqu34 (BO, circulaire OEPRE 2017): a directorate named with its ministry
    text = (
        "la direction générale de l'enseignement scolaire du ministère de l'éducation nationale pilote le dispositif."
    )
    assert heads(text)[0] == "direction générale de l'enseignement scolaire"


def test_a_head_phrase_goes_on_over_a_line_break_after_a_particle() -> None:
    # rtc14 (OZP, Ville Vie Vacances à Paris): the PDF wraps « ministère de la » and « Ville » on two lines
    text = "grâce à un partenariat entre le ministère de la\nVille, la mairie de Paris, la préfecture de police"
    assert heads(text) == ["ministère de la Ville"]
    wrapped_elision = "la direction départementale de l’\nEmploi, du travail et des solidarités a signé"
    assert heads(wrapped_elision) == ["direction départementale de l’Emploi"]
    assert heads("Le Conseil départemental\nPréfecture du Gard") == ["Conseil départemental"]  # a new line's name


def test_a_capitalised_run_is_split_where_et_opens_another_organisation() -> None:
    # rtc33 (INJEP, évaluation nationale des cités éducatives): two firms joined by « et l'Agence »
    from pipeline.candidates import wide_page_candidates

    text = "cette évaluation : le cabinet JEUDEVI, le cabinet Pluricité et l’Agence Phare. Chacun a mené l’enquête."
    found = {(c.name, c.source) for c in wide_page_candidates("rtc33", 1, text, french_stop_words())}
    assert {("Pluricité", "majuscules"), ("Agence Phare", "majuscules"), ("Pluricité", "indice")} <= found
    assert not any(" et " in name for name, _ in found)


def test_a_name_the_pdf_layout_wraps_after_a_particle_is_proposed_whole(tmp_path: Path) -> None:
    # rtc14 on a real PDF: the line breaks between « ministère de la » and « Ville »
    from pdfs import make_lines_pdf

    from pipeline.candidates import wide_page_candidates
    from pipeline.extract.document import extract_path

    lines = [
        "Le dispositif est en place à Paris depuis 1982, grâce à un partenariat entre le ministère de la",
        "Ville, la mairie de Paris, la préfecture de police de Paris et l'Éducation nationale.",
    ]
    text = extract_path(make_lines_pdf(tmp_path / "rtc14.pdf", [lines])).pages[0].text
    assert "ministère de la\nVille" in text
    names = {c.name for c in wide_page_candidates("rtc14", 1, text, french_stop_words())}
    assert "ministère de la Ville" in names


def test_a_list_of_ministries_in_lower_case_is_cut_at_each_comma_that_opens_another() -> None:
    # rsy11 (circulaire CLAS 2002): ministries in lower case, one after another, « , du ministère … »
    text = (
        "une circulaire du ministère des affaires sociales, du travail et de la solidarité, du ministère de la santé,"
        " de la famille et des personnes handicapées, du ministère délégué à la ville et à la rénovation urbaine et"
        " du Fonds d'action et de soutien pour l'intégration"
    )
    assert sorted(heads(text)) == sorted(
        [
            "Fonds d'action et de soutien pour l'intégration",
            "ministère de la santé, de la famille et des personnes handicapées",
            "ministère délégué à la ville et à la rénovation urbaine",
            "ministère des affaires sociales, du travail et de la solidarité",
        ]
    )


def test_a_lower_case_expansion_after_an_acronym_is_a_defined_name() -> None:
    # rtb07 (Dihal): « la Dihal (délégation interministérielle à l'hébergement et à l'accès au logement) »
    text = (
        "le contact des administrations centrales et de la Dihal (délégation interministérielle à l'hébergement "
        "et à l'accès au logement)."
    )
    assert [(name, acronym) for _, _, name, acronym in defined_names(text, acronym_fits)] == [
        ("délégation interministérielle à l'hébergement et à l'accès au logement", "Dihal")
    ]
    assert list(defined_names("le prix (jusqu'à 300 euros) est versé", acronym_fits)) == []


def test_lower_case_courts_and_inter_regional_directorates_are_named_by_their_scope() -> None:
    # rtd06 (tribunal administratif de Lyon), rtb30 (direction inter-régionale des services pénitentiaires)
    assert heads("Le tribunal administratif de Lyon annule l’arrêté du préfet du Rhône") == [
        "tribunal administratif de Lyon"
    ]
    assert heads(
        "la protection judiciaire de la jeunesse et de la direction inter-régionale des services "
        "pénitentiaires. Selon les situations"
    ) == ["direction inter-régionale des services pénitentiaires"]


def test_a_lower_case_ministry_named_by_its_remit_is_a_head_phrase() -> None:
    # rth34 (« Le ministère chargé de la ville, pour sa part, s'engagera »), rrj23 (« le ministère chargé des
    # transports a conduit »): « chargé » is read as a scope word, like « délégué »
    assert heads("Le ministère chargé de la ville, pour sa part, s’engagera notamment à") == [
        "ministère chargé de la ville"
    ]
    assert heads("C’est la raison pour laquelle le ministère chargé des transports a conduit en 2014") == [
        "ministère chargé des transports"
    ]
    assert heads("une personne chargée de la coordination du projet") == []


def test_a_head_phrase_stops_at_an_imperfect_verb_and_before_a_complement() -> None:
    # rsy05 « l'Inspection générale des finances préconisait », rtc31 « la Cour des comptes relatif à »
    assert heads("A ce titre l’Inspection générale des finances préconisait d’ailleurs dans un rapport") == [
        "Inspection générale des finances"
    ]
    assert heads("l'important rapport de la Cour des comptes relatif à la politique de la ville") == [
        "Cour des comptes"
    ]
