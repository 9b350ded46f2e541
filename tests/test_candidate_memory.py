"""Organisations outside the lexicons that the golds name again and again, and the glossary's bodies: both are
candidate names (the blind parts fresh108-110 missed « France urbaine » three times, never proposed; the glossary
kept « Conseil national des villes » from ever being one)."""

from __future__ import annotations

from pathlib import Path

from pipeline.candidate_memory import known_name_candidates
from pipeline.candidate_training import known_names_from_golds
from pipeline.candidates import Candidate, keep, lexicon_keys, name_key
from pipeline.lexicon import Lexicon
from pipeline.types import ExtractedDocument, Page

FRANCE_URBAINE = {"out_of_lexicon": [{"name": "France urbaine", "signataire": False}]}


def test_a_name_two_other_golds_list_is_proposed_where_printed_even_across_a_line_break() -> None:
    # rtd03 (Banque des territoires, 2022): « du côté de France urbaine et de l'ADCF »
    known = known_names_from_golds([("a", FRANCE_URBAINE), ("b", FRANCE_URBAINE), ("c", {"out_of_lexicon": []})])
    assert known.printed == ("France urbaine",)
    text = "La nouvelle a été bien accueillie du côté de France\nurbaine et de l'ADCF. La France urbanisée."
    document = ExtractedDocument("rtd03", "0" * 64, [Page(1, text)])
    found = known_name_candidates(document, known.printed)
    assert [(c.name, c.source, text[c.start : c.end]) for c in found] == [
        ("France urbaine", "connu", "France\nurbaine")
    ]


def test_a_contract_s_own_gold_never_makes_a_name_known_to_it_in_training() -> None:
    known = known_names_from_golds([("a", FRANCE_URBAINE), ("b", FRANCE_URBAINE)])
    text = "l’AdCF et France urbaine ont demandé la prorogation des contrats de ville."
    assert [c.name for c in known.contract_candidates(ExtractedDocument("z", "0" * 64, [Page(1, text)]))] == [
        "France urbaine"
    ]
    assert known.contract_candidates(ExtractedDocument("a", "0" * 64, [Page(1, text)])) == []  # only b lists it


def test_a_name_the_golds_accept_more_often_than_they_list_is_not_known() -> None:
    amf_listed = {"out_of_lexicon": [{"name": "Association des maires de France", "signataire": False}]}
    amf_accepted = {"out_of_lexicon": [], "acceptable_candidates": ["Association des maires de France"]}
    golds = [("a", amf_listed), ("b", amf_listed), ("c", amf_accepted), ("d", amf_accepted), ("e", amf_accepted)]
    assert known_names_from_golds(golds).printed == ()


def test_the_glossary_s_bodies_are_candidates_and_its_other_terms_are_not(lexicon: Lexicon) -> None:
    # rsx21, rsz23 « Conseil national des villes », rsw18 « CIV »: bodies outside the partners
    keys = lexicon_keys(lexicon)
    assert {name_key("Conseil national des villes"), name_key("CNV"), name_key("CIV")}.isdisjoint(keys)
    assert {name_key("QPV"), name_key("Comité de pilotage")} <= keys
    name = "Conseil national des villes"
    assert keep(Candidate("a", 1, 0, len(name), name, "sigle_defini", ""), keys, {1: []}, short_acronyms=True)


def test_the_committed_candidate_model_proposes_a_known_name_read_from_a_real_pdf(
    tmp_path: Path, lexicon: Lexicon
) -> None:
    # rti05 / rtd03: « France urbaine » is a capital and a word in lower case, which no pattern proposes; the
    # committed model knows it from the training golds, and `cdv run`'s candidate step finds it across a line break
    from pdfs import make_lines_pdf

    from pipeline.candidates import contract_candidates
    from pipeline.extract.document import extract_path
    from pipeline.match import build_matcher, match_document
    from pipeline.models import default_models_dir, load_models

    models = load_models(default_models_dir())
    assert models is not None and "France urbaine" in models.candidate.known_names_
    lines = ["La nouvelle a été bien accueillie du côté de l'AdCF et de France", "urbaine, qui réunissaient un club."]
    document = extract_path(make_lines_pdf(tmp_path / "rtd03.pdf", [lines]))
    hits = match_document(build_matcher(lexicon), document)
    found = contract_candidates(document, hits, lexicon, use_ner=False, models=models)
    assert "France urbaine" in {c.name for c in found}
    assert "France urbaine" not in {c.name for c in contract_candidates(document, hits, lexicon, use_ner=False)}
