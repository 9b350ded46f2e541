"""The text stage on real-world PDFs (pdfplumber's test files): each extracts or fails clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
from pdfs import contract_file

from pipeline.extract import ExtractSettings, extract_corpus, extract_document
from pipeline.extract.ocr import tesseract_problem

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "pdfs"
SWEEP = ExtractSettings(ocr=False, tables=False)
EXPECTED_ERRORS = {
    "empty.pdf": "empty.pdf : fichier vide (0 octet), ce n'est pas un PDF.",
    "password-example.pdf": (
        "password-example.pdf : PDF protégé par un mot de passe ; impossible de l'ouvrir sans lui "
        "(demandez une version non protégée ou indiquez le mot de passe)."
    ),
}
PAGE_COUNTS = {
    "2023-06-20-PV.pdf": 2,
    "chelsea_pdta.pdf": 65,
    "federal-register-2020-17221.pdf": 15,
    "WARN-Report-for-7-1-2015-to-03-25-2016.pdf": 16,
    "issue-67-example.pdf": 22,
    "nics-background-checks-2015-11-rotated.pdf": 1,
    "malformed-from-issue-932.pdf": 1,
}

pytestmark = pytest.mark.skipif(not REFERENCE.is_dir(), reason="../shared/reference/pdfs absent")


def test_every_reference_pdf_is_accounted_for():
    files = sorted(REFERENCE.glob("*.pdf"))
    assert len(files) >= 50
    contracts = [contract_file(path) for path in files]
    documents = {
        c.path.name: d for c, d in zip(contracts, extract_corpus(contracts, workers=2, settings=SWEEP), strict=True)
    }
    for name, document in documents.items():
        if name in EXPECTED_ERRORS:
            assert document.error == EXPECTED_ERRORS[name]
            continue
        assert document.ok, (name, document.error)
        assert document.pages, name
        for page in document.pages:
            assert page.text or page.reason, (name, page.number)  # never silently empty
    for name, count in PAGE_COUNTS.items():
        assert len(documents[name].pages) == count, name
    assert documents["mcid_example.pdf"].duplicate_of == "figure_structure"  # same bytes, read once


def test_french_proces_verbal_page_one():
    document = extract_document(contract_file(REFERENCE / "2023-06-20-PV.pdf"), SWEEP)
    first = document.pages[0].text
    assert first.startswith("COMITÉ DE DÉMOLITION\n\nPROCÈS-VERBAL\nSéance publique tenue le 20 juin")
    assert "M. David Huggins-Daines, conseiller municipal" in first
    assert "Mme Ariane Bélanger, greffière adjointe, Service du greffe" in first
    assert "2. Adoption de l'ordre du jour" in first  # typographic apostrophe folded
    assert document.pages[1].text.endswith("La séance est levée à 16h05.")


def test_password_protected_opens_with_the_given_password():
    document = extract_document(
        contract_file(REFERENCE / "password-example.pdf"), ExtractSettings(ocr=False, passwords=("test",))
    )
    assert document.ok and len(document.pages) == 4
    assert document.pages[0].text.startswith("Backup4all –backup solution for network environments")
    assert "mot de passe fourni" in document.warnings[0]


def test_rotated_page_text_and_tables_read_upright():
    settings = ExtractSettings(ocr=False)
    rotated = extract_document(contract_file(REFERENCE / "nics-background-checks-2015-11-rotated.pdf"), settings)
    upright = extract_document(contract_file(REFERENCE / "nics-background-checks-2015-11.pdf"), settings)
    assert rotated.pages[0].text == upright.pages[0].text
    assert rotated.pages[0].text.startswith("NICS Firearm Background Checks\nNovember - 2015")
    assert rotated.pages[0].tables == upright.pages[0].tables
    rows = [row for table in rotated.pages[0].tables for row in table]
    alabama = next(row for row in rows if row[0] == "Alabama")
    assert alabama[1:4] == ["18,870", "23,022", "22,650"] and alabama[-1] == "71,137"


def test_chinese_text_is_not_mistaken_for_garbage():
    document = extract_document(contract_file(REFERENCE / "issue-461-example.pdf"), SWEEP)
    assert document.pages[0].method == "text" and "白细胞计数" in document.pages[0].text


@pytest.mark.skipif(tesseract_problem("tesseract", "fra") != "", reason="tesseract-ocr-fra absent")
def test_malformed_scan_is_read_by_ocr_with_low_confidence():
    document = extract_document(contract_file(REFERENCE / "malformed-from-issue-932.pdf"), ExtractSettings())
    page = document.pages[0]
    assert document.ok and page.method == "ocr"
    assert page.ocr_confidence is not None and "peu fiable" in page.reason
