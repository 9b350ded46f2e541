"""Organisations outside the lexicons: patterns, signature blocks and NER, lexicon names left out."""

from __future__ import annotations

import pytest

from pipeline.candidates import find_candidates, name_key
from pipeline.lexicon import Lexicon
from pipeline.match import build_matcher, match_document
from pipeline.types import ExtractedDocument, Page

TEXT = (
    "L'Association Trait d'Union Foix accueille des jeunes. La Fondation Garonne Solidarités soutient les "
    "projets. La CAF et l'Agence régionale de santé financent. La Fondation Garonne Solidarités poursuit."
)


def doc(contract_id: str, *texts: str) -> ExtractedDocument:
    return ExtractedDocument(contract_id, "0" * 64, [Page(i, t) for i, t in enumerate(texts, start=1)])


def test_patterns_and_signature_blocks_give_counted_candidates(lexicon: Lexicon) -> None:
    signatures = (
        "Signataires\nPour SARL Propreté du Midi\nM. Jean Roux, Gérant\nPour la Boulangerie coopérative du Canal"
    )
    frame = find_candidates(
        [doc("a", TEXT, signatures), doc("b", TEXT)], [], lexicon, {"a": frozenset({2})}, use_ner=False
    )
    rows = {row["key"]: row for row in frame.to_dict("records")}
    fondation = rows[name_key("Fondation Garonne Solidarités")]
    assert fondation["n_mentions"] == 4 and fondation["n_contracts"] == 2 and fondation["contracts"] == "a|b"
    assert name_key("Association Trait d'Union Foix") in rows
    assert rows[name_key("Boulangerie coopérative du Canal")]["signature_page"] == 1
    assert name_key("SARL Propreté du Midi") in rows
    assert not any("allocations" in key or "sante" in key for key in rows)


def test_ner_finds_organisations_and_skips_lexicon_names(lexicon: Lexicon) -> None:
    frame = find_candidates(
        [doc("a", "Le Rugby Club Carcassonne Olympique et la Caisse d'allocations familiales.")], [], lexicon
    )
    names = set(frame["name"])
    assert any("Rugby Club" in name for name in names)
    assert not any("allocations" in name for name in names)


def test_part_of_a_compound_lexicon_name_is_not_a_candidate(lexicon: Lexicon) -> None:
    from pipeline.candidates import lexicon_keys, name_key

    assert name_key("L'ÉTAT") in lexicon_keys(lexicon)


def test_defined_acronyms_and_signature_lines_rank_first(lexicon: Lexicon) -> None:
    # Phrasings of the real-prose set (rp21 Seine-Maritime, rp13 CLS de Saint-Flour).
    body = (
        "L'aide de l'état est versée à l'employeur par l'Agence de Service et de Paiement (ASP). "
        "Les délégués du Préfet donnent leur avis. Le dossier est transmis à la CNSA."
    )
    signatures = (
        "Les co-signataires associés\nPour la Préfecture du Cantal\nX., le Préfet\n"
        "Pour le Conseil Départemental de l'Ordre des Médecins du Cantal\nX., la Vice-Présidente\n"
    )
    document = doc("a", body, signatures)
    hits = match_document(build_matcher(lexicon), document)
    frame = find_candidates([document], hits, lexicon, {"a": frozenset({2})}, use_ner=False)
    rows = frame.to_dict("records")
    names = [row["name"] for row in rows]
    assert names[:2] == ["Conseil Départemental de l'Ordre des Médecins du Cantal", "Agence de Service et de Paiement"]
    assert rows[0]["evidence"] == "signature|forme_juridique" and rows[0]["evidence_score"] == 5.0
    assert rows[1]["evidence"] == "forme_juridique|sigle_defini" and "sigle_defini" in rows[1]["source"]
    assert "CNSA" in names and rows[names.index("CNSA")]["evidence_score"] == 0.0
    assert "Préfecture du Cantal" not in names  # a lexicon entity and its place


def test_intercommunalities_people_and_nested_pieces_are_not_candidates(lexicon: Lexicon) -> None:
    text = (
        "La Caisse nationale de solidarité pour l'autonomie (CNSA) verse un concours. "
        "Mme Fatima Pujol représente la CA Pays Foix-Varilhes et Nîmes Métropole. ENTRE les signataires."
    )
    frame = find_candidates([doc("a", text)], [], lexicon, use_ner=False)
    assert list(frame["name"]) == ["Caisse nationale de solidarité pour l'autonomie"]
    assert frame.iloc[0]["n_mentions"] == 2  # the acronym is counted with its name


def test_a_name_defined_with_its_acronym_is_shown_spelled_out(lexicon: Lexicon) -> None:
    """Regression (rpj23): the acronym, written more often than the name it is defined with (« Pour l'AFEV »),
    became the row's name; `cdv evaluate` and the analyst read « AFEV » for « Association de la Fondation
    Etudiante pour la Ville »."""
    text = "L'Association de la Fondation Etudiante pour la Ville (AFEV) agréée Jeunesse. L'AFEV mobilise."
    signatures = "Les signataires\n" + "Pour l'AFEV\nX., le Président\n" * 5
    frame = find_candidates([doc("a", text, signatures)], [], lexicon, {"a": frozenset({2})}, use_ner=False)
    row = frame[frame["key"] == "association de la fondation etudiante pour la ville"].iloc[0]
    assert row["name"] == "Association de la Fondation Etudiante pour la Ville" and row["n_mentions"] >= 3


def test_ner_reads_only_sentences_where_it_can_find_a_new_name(lexicon: Lexicon) -> None:
    """NER reads the sentences with two capitalised words outside lexicon hits (with some context), and finds
    there what it finds reading the whole page."""
    from pipeline.candidates import ner_candidates, ner_windows

    text = (
        "Le contrat de ville est signé par la commune. Les habitants participent aux conseils citoyens.\n\n"
        "Le Rugby Club Carcassonne Olympique anime un tournoi avec la Caisse d'allocations familiales.\n\n"
        "La Mission locale accompagne les jeunes. Les actions sont évaluées chaque année. Le comité de pilotage "
        "se réunit deux fois par an pour suivre les engagements pris par chacun des signataires du contrat."
    )
    document = doc("a", text)
    hits = match_document(build_matcher(lexicon), document)
    spans = [(hit.start, hit.end) for hit in hits]
    windows = ner_windows(text, spans)
    kept = [text[start:end] for window in windows for start, end in window.kept]
    assert kept == ["Le Rugby Club Carcassonne Olympique anime un tournoi avec la Caisse d'allocations familiales."]
    assert sum(window.end - window.start for window in windows) < len(text) / 2
    restricted = ner_candidates("a", [(1, text)], frozenset(), {1: spans})
    whole = ner_candidates("a", [(1, text)], frozenset(), None)
    assert [c.name for c in restricted] == [c.name for c in whole if c.start < len(text)]
    assert any("Rugby Club" in c.name for c in restricted)
    assert [c.name for c in ner_candidates("a", [(1, text)], frozenset({1}), {1: spans})] == [c.name for c in whole]


def test_ner_model_keeps_only_its_entity_recogniser() -> None:
    """`ner` has its own token vectors: the pipeline's shared `tok2vec` (which only the tagger and parser listen
    to) is not run, and the entities are those found with it."""
    import spacy

    from pipeline.candidates import load_ner

    text = "Le Secours populaire français et la Fondation Abbé Pierre soutiennent les familles de Carcassonne."
    with_tok2vec = spacy.load("fr_core_news_sm", exclude=["parser", "lemmatizer", "morphologizer", "attribute_ruler"])
    assert with_tok2vec.get_pipe("tok2vec").listening_components == []
    assert load_ner().pipe_names == ["ner"]
    found = [(e.text, e.label_) for e in load_ner()(text).ents]
    assert found == [(e.text, e.label_) for e in with_tok2vec(text).ents]
    assert ("Fondation Abbé Pierre", "ORG") in found


def test_ner_reads_again_only_stretches_it_has_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """After a lexicon edit a contract is analysed again: NER reads only the stretches missing from its memo, and
    the candidates are those found without a memo."""
    import pipeline.candidates as candidates

    first = "Le Rugby Club Carcassonne Olympique anime un tournoi. Les familles viennent nombreuses."
    second = "La Fondation Garonne Solidarités soutient les projets des Compagnons Bâtisseurs du Quartier."
    memo: candidates.NerMemo = {}
    without_memo = candidates.ner_entities([first, second])
    assert candidates.ner_entities([first], memo) == without_memo[:1] and len(memo) == 1
    read: list[str] = []
    real_load_ner = candidates.load_ner

    class Counting:
        def pipe(self, texts: object, batch_size: int) -> object:
            texts = list(texts)  # type: ignore[call-overload]
            read.extend(texts)
            return real_load_ner().pipe(texts, batch_size=batch_size)

    monkeypatch.setattr(candidates, "load_ner", Counting)  # a spy: the real model still reads
    assert candidates.ner_entities([first, second], memo) == without_memo
    assert read == [second] and len(memo) == 2
