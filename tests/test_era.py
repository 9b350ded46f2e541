"""The era of a document and `eras.csv`'s rows (the phrasings it settles are in `test_lexicon_phrasings.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.era import document_year
from pipeline.lexicon import LexiconError, default_lexicon_dir, load_lexicon
from pipeline.types import ExtractedDocument, Page


def document(text: str) -> ExtractedDocument:
    return ExtractedDocument("c", "3" * 64, [Page(1, text)])


def test_a_year_a_text_looks_forward_to_does_not_date_it() -> None:  # rpp26
    text = (
        "Les contrats sont actuellement prolongés et demeureront en vigueur jusqu'au 31 décembre 2014 (Circulaire "
        "du 8 novembre 2010 relative à la prolongation des Cucs en 2011)"
    )
    assert document_year(document(text)) == 2011
    assert document_year(document("Aucune date ici.")) is None


def test_a_year_before_a_comma_or_a_full_stop_dates_the_text() -> None:  # rre05 (IREV, CGET instruction)
    text = "depuis la promulgation de la loi Ville 2014, à tous les plans ; l'appel à projets lancé en mai 2013."
    assert document_year(document(text)) == 2014
    assert document_year(document("Un taux de 2014,5 euros et la ligne 1.2013 du tableau.")) is None


def lexicon_copy(tmp_path: Path) -> Path:
    """A copy of the project's lexicon folder, to edit one file of."""
    folder = tmp_path / "lexiques"
    folder.mkdir()
    for source in default_lexicon_dir().glob("*.csv"):
        (folder / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def test_an_era_of_an_unknown_scheme_is_a_french_error_naming_the_line(tmp_path: Path) -> None:
    folder = lexicon_copy(tmp_path)
    (folder / "eras.csv").write_text("id,since,earlier,note\nnpnru,deux mille,pnru,\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"eras\.csv, ligne 2 : année « deux mille » invalide"):
        load_lexicon(folder)
    (folder / "eras.csv").write_text("id,since,earlier,note\nnpnru,2014,prnu,\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"eras\.csv, ligne 2 : identifiant inconnu « prnu »"):
        load_lexicon(folder)


def test_an_era_without_shared_names_reads_every_name_as_shared(tmp_path: Path) -> None:
    """`eras.csv` written before its `shared` column: every name of the scheme means the one before (as then)."""
    from pipeline.era import hits_in_era
    from pipeline.types import Hit

    folder = lexicon_copy(tmp_path)
    (folder / "eras.csv").write_text("id,since,earlier,note\nnpnru,2014,pnru,\n", encoding="utf-8")
    eras = load_lexicon(folder).eras
    assert eras["npnru"].shared == ()
    hit = Hit("c", "npnru", 1, 0, 5, "NPNRU", "NPNRU", "sigle", 1.0)
    assert [h.entity_id for h in hits_in_era([hit], document("NPNRU, signé en 2008."), eras)] == ["pnru"]
    shared = load_lexicon(default_lexicon_dir()).eras
    assert [h.entity_id for h in hits_in_era([hit], document("NPNRU, signé en 2008."), shared)] == ["npnru"]
