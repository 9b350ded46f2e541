"""Organisations outside the lexicons: patterns, signature blocks and NER, lexicon names left out."""

from __future__ import annotations

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
