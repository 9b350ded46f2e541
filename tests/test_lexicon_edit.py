"""Adding an organisation to the lexicon files (what the review app calls to accept a candidate)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.lexicon import default_lexicon_dir, load_lexicon
from pipeline.lexicon_edit import LexiconEditError, NewPartner, add_partner, name_to_entity_id
from pipeline.match import build_matcher, match_document
from pipeline.types import ExtractedDocument, Page


@pytest.fixture
def lexicon_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "lexicons"
    shutil.copytree(default_lexicon_dir(), folder)
    return folder


def test_an_accepted_candidate_is_matched_by_the_next_run(lexicon_dir: Path) -> None:
    entity_id = add_partner(
        lexicon_dir, NewPartner("Agence de services et de paiement", "opérateur public", acronyms=("ASP",))
    )
    assert entity_id == "agence_de_services_et_de_paiement"
    lexicon = load_lexicon(lexicon_dir)
    entity = lexicon.by_id()[entity_id]
    assert (entity.kind, entity.category, entity.acronym) == ("partenaire", "opérateur public", "ASP")
    document = ExtractedDocument("c", "0" * 64, [Page(1, "L'aide est versée par l'ASP à l'employeur.")])
    assert [hit.entity_id for hit in match_document(build_matcher(lexicon), document)] == [entity_id]


def test_a_group_counts_the_new_landlord_under_bailleurs_sociaux(lexicon_dir: Path) -> None:
    entity_id = add_partner(lexicon_dir, NewPartner("Habitat Sud Atlantic", "bailleur", group="bailleurs_sociaux"))
    assert load_lexicon(lexicon_dir).by_id()[entity_id].group == "bailleurs_sociaux"


def test_refusals_leave_the_file_as_it_was(lexicon_dir: Path) -> None:
    before = (lexicon_dir / "partners.csv").read_bytes()
    with pytest.raises(LexiconEditError, match="existe déjà"):
        add_partner(lexicon_dir, NewPartner("France Travail", "opérateur public", entity_id="france_travail"))
    with pytest.raises(LexiconEditError, match="catégorie inconnue"):
        NewPartner("Ville et Banlieue", "club")
    with pytest.raises(LexiconEditError, match="groupe inconnu"):
        add_partner(lexicon_dir, NewPartner("Ville et Banlieue", "associatif", group="inconnu"))
    with pytest.raises(LexiconEditError, match="partag"):
        add_partner(lexicon_dir, NewPartner("Pôle emploi bis", "opérateur public", aliases=("France Travail",)))
    assert (lexicon_dir / "partners.csv").read_bytes() == before


def test_ids_are_slugs_of_the_name() -> None:
    assert name_to_entity_id("Ville et Banlieue") == "ville_et_banlieue"
    assert name_to_entity_id("Délégation régionale académique (DRAJES)") == "delegation_regionale_academique_drajes"
    assert name_to_entity_id("3F Occitanie") == "org_3f_occitanie"
