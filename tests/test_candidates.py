"""Organisations outside the lexicons: patterns, signature blocks and NER, lexicon names left out."""

from __future__ import annotations

from pipeline.candidates import find_candidates, name_key
from pipeline.lexicon import Lexicon
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
