"""Acronyms a text defines in brackets after another entity's name (real phrasings of the real-prose set); the
classify stage runs with the committed models, as `cdv run` does."""

from __future__ import annotations

import pytest

from pipeline.classify import classify_document
from pipeline.definitions import defined_acronyms
from pipeline.lexicon import Lexicon
from pipeline.match import build_matcher, match_document
from pipeline.models import Models, default_models_dir, load_models
from pipeline.structure import analyse_structure
from pipeline.types import ExtractedDocument, Page


@pytest.fixture(scope="module")
def models() -> Models:
    loaded = load_models(default_models_dir())
    assert loaded is not None
    return loaded


def entities(text: str, lexicon: Lexicon, models: Models) -> set[str]:
    page = ExtractedDocument("c", "4" * 64, [Page(1, text)])
    hits = match_document(build_matcher(lexicon), page)
    return {
        d.entity_id for d in classify_document(page, hits, analyse_structure(page, lexicon, models), lexicon, models)
    }


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        (  # rps08 (Nantes, contrat de ville 2015-2020): the first programme's projects
            "Durant cette période, des projets de rénovation urbaine spécifiquement identifiés comme tels (PRU) ont "
            "concerné quatre sites. Le PRU de Malakoff s'achève.",
            "pnru",
            "npnru",
        ),
        (  # rpk04 (Vitrolles): the same programme, named as one project
            "Historique : une démarche engagée dès 2003, le projet de rénovation urbaine (PRU) du quartier des Pins",
            "pnru",
            "npnru",
        ),
        (  # a list of tools: « CLS » is the contrat local de sécurité here
            "ateliers santé ville (ASV), réseaux d’accès aux droits, contrat local de sécurité (CLS), Ville Vie "
            "Vacances",
            "cls_securite",
            "cls_sante",
        ),
    ],
)
def test_an_acronym_defined_by_the_name_before_it(
    lexicon: Lexicon, models: Models, text: str, present: str, absent: str
) -> None:
    found = entities(text, lexicon, models)
    assert present in found and absent not in found


def test_a_name_far_before_or_in_another_sentence_defines_nothing(lexicon: Lexicon) -> None:
    text = "Le projet de rénovation urbaine est achevé. Le nouveau projet (PRU) commence."
    page = ExtractedDocument("c", "4" * 64, [Page(1, text)])
    assert defined_acronyms(match_document(build_matcher(lexicon), page), page, lexicon) == {}
