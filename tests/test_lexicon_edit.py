"""Editing the lexicon files from the review app: rows appended or one line changed, every edit checked as
`cdv lexicon check` checks it, and a refused edit changes no byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.lexicon import default_lexicon_dir, load_lexicon
from pipeline.lexicon_edit import LexiconEditError, NewEntity, add_alias, add_entity, name_to_id
from pipeline.match import build_matcher, match_document
from pipeline.types import ExtractedDocument, Page


@pytest.fixture()
def lexicon_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(default_lexicon_dir(), tmp_path / "lexicons"))


def test_add_entity_appends_one_row_that_loads(lexicon_copy: Path) -> None:
    before = (lexicon_copy / "partners.csv").read_bytes()
    entity = NewEntity(
        name="Association Trait d'Union Foix", category="associatif", themes=("participation",), acronyms=("ATUF",)
    )
    entity_id = add_entity(lexicon_copy, entity)
    assert entity_id == "association_trait_d_union_foix"
    after = (lexicon_copy / "partners.csv").read_bytes()
    assert after.startswith(before)
    assert after[len(before) :] == (
        b"association_trait_d_union_foix,Association Trait d'Union Foix,ATUF,,,,associatif,participation,,\n"
    )
    loaded = load_lexicon(lexicon_copy).by_id()[entity_id]
    assert (loaded.name, loaded.kind, loaded.category, loaded.acronyms) == (
        "Association Trait d'Union Foix",
        "partenaire",
        "associatif",
        ("ATUF",),
    )


def test_add_scheme_needs_its_scope(lexicon_copy: Path) -> None:
    with pytest.raises(LexiconEditError, match="portée"):
        NewEntity(name="Plan vélo du quartier", kind="dispositif")
    entity_id = add_entity(
        lexicon_copy, NewEntity(name="Plan vélo du quartier", kind="dispositif", scope="droit commun")
    )
    assert load_lexicon(lexicon_copy).by_id()[entity_id].scope == "droit commun"


def test_a_name_owned_by_another_entity_is_refused_and_nothing_changes(lexicon_copy: Path) -> None:
    before = {path.name: path.read_bytes() for path in lexicon_copy.glob("*.csv")}
    with pytest.raises(LexiconEditError, match="modification refusée"):
        add_entity(lexicon_copy, NewEntity(name="Caisse d'allocations familiales"))
    with pytest.raises(LexiconEditError, match="catégorie"):
        NewEntity(name="Société X", category="inconnue")
    with pytest.raises(LexiconEditError, match="commencer"):
        add_entity(lexicon_copy, NewEntity(name='=HYPERLINK("http://x")'))
    with pytest.raises(LexiconEditError, match=r"\|"):
        add_entity(lexicon_copy, NewEntity(name="A|B"))
    assert {path.name: path.read_bytes() for path in lexicon_copy.glob("*.csv")} == before


def test_add_alias_rewrites_only_that_line(lexicon_copy: Path) -> None:
    path = lexicon_copy / "partners.csv"
    before = path.read_text(encoding="utf-8").splitlines()
    add_alias(lexicon_copy, "action_logement", "logement")
    after = path.read_text(encoding="utf-8").splitlines()
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(changed) == 1 and after[changed[0]].startswith("action_logement,")
    assert "logement" in load_lexicon(lexicon_copy).by_id()["action_logement"].aliases
    add_alias(lexicon_copy, "action_logement", "logement")  # already there: nothing written twice
    assert path.read_text(encoding="utf-8").splitlines() == after
    with pytest.raises(LexiconEditError, match="absente"):
        add_alias(lexicon_copy, "inconnue", "x")


def test_name_to_id_is_stable_and_unique() -> None:
    assert name_to_id("Régie de quartier Ouest", set()) == "regie_de_quartier_ouest"
    assert name_to_id("Œuvre des 3 quartiers", set()) == "oeuvre_des_3_quartiers"
    assert name_to_id("3F Occitanie", set()) == "e_3f_occitanie"
    assert name_to_id("Caf", {"caf"}) == "caf_2"


def test_an_accepted_candidate_is_matched_by_the_next_run(lexicon_copy: Path) -> None:
    entity_id = add_entity(
        lexicon_copy, NewEntity("Agence de services et de paiement", category="opérateur public", acronyms=("ASP",))
    )
    assert entity_id == "agence_de_services_et_de_paiement"
    lexicon = load_lexicon(lexicon_copy)
    entity = lexicon.by_id()[entity_id]
    assert (entity.kind, entity.category, entity.acronym) == ("partenaire", "opérateur public", "ASP")
    document = ExtractedDocument("c", "0" * 64, [Page(1, "L'aide est versée par l'ASP à l'employeur.")])
    assert [hit.entity_id for hit in match_document(build_matcher(lexicon), document)] == [entity_id]


def test_a_new_landlord_counts_under_bailleurs_sociaux(lexicon_copy: Path) -> None:
    entity = NewEntity("Habitat Sud Atlantic", category="bailleur", group="bailleurs_sociaux")
    entity_id = add_entity(lexicon_copy, entity)
    assert load_lexicon(lexicon_copy).by_id()[entity_id].group == "bailleurs_sociaux"
    with pytest.raises(LexiconEditError, match="catégorie"):
        NewEntity("Ville et Banlieue", category="club")
