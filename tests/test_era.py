"""The era of a document: « PRU » names the first urban renewal programme in a text written before the NPNRU (2014).

Real phrasings from the real-prose set; the classify stage runs with the committed models, as `cdv run` does."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.classify import classify_document
from pipeline.era import document_year
from pipeline.lexicon import Lexicon, LexiconError, default_lexicon_dir, load_lexicon
from pipeline.match import build_matcher, match_document
from pipeline.models import Models, default_models_dir, load_models
from pipeline.structure import analyse_structure
from pipeline.types import ExtractedDocument, Page


@pytest.fixture(scope="module")
def models() -> Models:
    loaded = load_models(default_models_dir())
    assert loaded is not None
    return loaded


def document(text: str) -> ExtractedDocument:
    return ExtractedDocument("c", "3" * 64, [Page(1, text)])


def entities(text: str, lexicon: Lexicon, models: Models) -> set[str]:
    page = document(text)
    hits = match_document(build_matcher(lexicon), page)
    return {
        d.entity_id for d in classify_document(page, hits, analyse_structure(page, lexicon, models), lexicon, models)
    }


def test_a_year_a_text_looks_forward_to_does_not_date_it() -> None:  # rpp26
    text = (
        "Les contrats sont actuellement prolongés et demeureront en vigueur jusqu'au 31 décembre 2014 (Circulaire "
        "du 8 novembre 2010 relative à la prolongation des Cucs en 2011)"
    )
    assert document_year(document(text)) == 2011
    assert document_year(document("Aucune date ici.")) is None


@pytest.mark.parametrize(
    "text",
    [
        "CONVENTION DE GESTION URBAINE DE PROXIMITE\nPRU des Quartiers Nord de Blois — signée en 2008",  # rpn13
        (  # rpt21 (ARRA Habitat, Chambéry)
            "DSQ en 1990-1993, Contrat de Ville 1994-1999, GPV 2001-2003, Contrat de Ville d'Agglomération 2000-2006.\n"
            "## Le projet de renouvellement urbain du quartier des Hauts de Chambéry\n"
            "La convention ANRU a été signée le 17 octobre 2005."
        ),
    ],
)
def test_the_renewal_project_of_a_text_before_2014_is_the_first_programme(
    lexicon: Lexicon, models: Models, text: str
) -> None:
    found = entities(text, lexicon, models)
    assert "pnru" in found and "npnru" not in found


def test_the_renewal_project_of_a_2024_contract_is_the_npnru(lexicon: Lexicon, models: Models) -> None:
    text = "Le contrat de ville 2024-2030 s'articule avec le PRU du quartier des Hauts de Chambéry."
    found = entities(text, lexicon, models)
    assert "npnru" in found and "pnru" not in found


def test_an_era_of_an_unknown_scheme_is_a_french_error_naming_the_line(tmp_path: Path) -> None:
    folder = tmp_path / "lexiques"
    folder.mkdir()
    for source in default_lexicon_dir().glob("*.csv"):
        (folder / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "eras.csv").write_text("id,since,earlier,note\nnpnru,deux mille,pnru,\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"eras\.csv, ligne 2 : année « deux mille » invalide"):
        load_lexicon(folder)
    (folder / "eras.csv").write_text("id,since,earlier,note\nnpnru,2014,prnu,\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"eras\.csv, ligne 2 : identifiant inconnu « prnu »"):
        load_lexicon(folder)
