"""The text stage on generated hard cases: layout, OCR, garbage layers and broken files."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import pytest
from pdfs import (
    caesar,
    cid_garbage,
    contract_file,
    french_text,
    make_blocks_pdf,
    make_empty_pdf_pages,
    make_huge_page_pdf,
    make_lines_pdf,
    make_not_a_pdf,
    make_pdf,
    make_scanned_pdf,
    make_table_pdf,
    make_truncated_pdf,
)

from pipeline.extract import EXTRACTOR_VERSION, ExtractSettings, extract_corpus, extract_document
from pipeline.extract.limits import run_limited
from pipeline.extract.ocr import tesseract_problem

FAST = ExtractSettings(ocr=False)
HAS_TESSERACT = tesseract_problem("tesseract", "fra") == ""
needs_tesseract = pytest.mark.skipif(not HAS_TESSERACT, reason="tesseract-ocr-fra absent")


def extract(path: Path, settings: ExtractSettings = FAST):
    return extract_document(contract_file(path), settings)


def test_plain_document_pages_and_version(tmp_path):
    doc = extract(make_pdf(tmp_path / "a.pdf", [french_text(200, seed=n) for n in range(3)]))
    assert doc.ok and doc.extractor_version == EXTRACTOR_VERSION
    assert [page.number for page in doc.pages] == [1, 2, 3]
    assert all(page.method == "text" for page in doc.pages)
    assert doc.pages[0].text.startswith(french_text(200, seed=0)[:40])
    assert doc.pages_text == 3 and doc.pages_unread == 0


@pytest.mark.parametrize("interleave", [False, True])
def test_two_columns_read_in_order(tmp_path, interleave):
    left = "Colonne gauche : " + french_text(180, seed=1) + " FIN-GAUCHE"
    right = "DEBUT-DROITE " + french_text(150, seed=2)
    text = left + "\n" + right
    path = make_pdf(tmp_path / "cols.pdf", [text], columns=2, interleave_columns=interleave, font_size=12)
    page = extract(path).pages[0]
    assert page.text.index("FIN-GAUCHE") < page.text.index("DEBUT-DROITE")
    assert ("Colonne gauche : " + french_text(180, seed=1)[:60]) in page.text.replace("\n", " ")


def test_running_header_footer_and_page_numbers_removed(tmp_path):
    pages = [french_text(120, seed=n) for n in range(5)]
    path = make_pdf(
        tmp_path / "hf.pdf", pages, header="Contrat de ville de Montauban 2024-2030", footer="Page {page} / {pages}"
    )
    doc = extract(path)
    for page in doc.pages:
        assert "Montauban" not in page.text
        assert page.header == "Contrat de ville de Montauban 2024-2030"
        assert page.footer == f"Page {page.number} / 5"


def test_hyphenation_and_compounds(tmp_path):
    lines = [
        "Le contrat de ville de Saint-",
        "Gaudens associe la commu-",
        "nauté de communes et la région Pays-de-la-",
        "Loire ; la sous-",
        "préfecture suit le bien-",
        "être des habitants avec l'accompa-",
        "gnement social. Cet accompagnement est global.",
    ]
    text = extract(make_lines_pdf(tmp_path / "hy.pdf", [lines])).pages[0].text
    for expected in (
        "Saint-Gaudens",
        "communauté",
        "Pays-de-la-Loire",
        "sous-préfecture",
        "bien-être",
        "accompagnement social",
    ):
        assert expected in text, (expected, text)


def test_ligatures_and_apostrophes(tmp_path):
    lines = ["Le ﬁnancement de l\u2019action et les ﬂux", "l\u2019État\u00a0: «\u202fcohésion\u202f»"]
    text = extract(make_lines_pdf(tmp_path / "lig.pdf", [lines])).pages[0].text
    assert "financement de l'action et les flux" in text
    assert "l'État : « cohésion »" in text


def test_table_rows_with_pdfplumber(tmp_path):
    rows = [
        ["Partenaire", "Engagement"],
        ["Caisse d'allocations familiales", "Cofinancement"],
        ["France Travail", "Emploi"],
    ]
    page = extract(make_table_pdf(tmp_path / "t.pdf", rows, intro="Engagements des signataires.")).pages[0]
    assert ["France Travail", "Emploi"] in page.tables[0]
    assert "France Travail\tEmploi" in page.text


def test_prose_pages_are_not_sent_to_pdfplumber(tmp_path):
    page = extract(make_pdf(tmp_path / "p.pdf", [french_text(300)], columns=2)).pages[0]
    assert page.tables == []


def test_signature_grid_keeps_blocks(tmp_path):
    blocks = [
        (60, 100, ["Pour l'État,", "Le préfet de l'Ariège", "Jean Dupont"]),
        (320, 100, ["Pour la Région,", "La présidente", "Carole Martin"]),
        (60, 300, ["Pour la CAF,", "La directrice", "Anne Petit"]),
        (320, 300, ["Pour France Travail,", "Le directeur", "Paul Roux"]),
    ]
    page = extract(make_blocks_pdf(tmp_path / "sig.pdf", blocks)).pages[0]
    texts = [page.text[start:end] for *_box, start, end in page.blocks]
    assert texts == [
        "Pour l'État,\nLe préfet de l'Ariège\nJean Dupont",
        "Pour la Région,\nLa présidente\nCarole Martin",
        "Pour la CAF,\nLa directrice\nAnne Petit",
        "Pour France Travail,\nLe directeur\nPaul Roux",
    ]
    x0, top, x1, bottom, _start, _end = page.blocks[1]
    assert 300 < x0 < x1 and 90 < top < bottom < 160


SCAN_TEXT = (
    "Pour l'État, le préfet de la Haute-Garonne. Pour la commune de Toulouse, le maire. "
    "Pour la caisse d'allocations familiales, la directrice. Fait à Toulouse, le 2 avril 2024."
)


@needs_tesseract
def test_scanned_page_is_read_by_ocr(tmp_path):
    path = make_scanned_pdf(tmp_path / "scan.pdf", [SCAN_TEXT], text_pages=[french_text(80)], rotate=1.5)
    doc = extract(path, ExtractSettings())
    first, scan = doc.pages
    assert first.method == "text"
    assert scan.method == "ocr" and scan.ocr_confidence is not None and scan.ocr_confidence > 60
    for word in ("préfet", "commune", "Toulouse", "allocations", "familiales"):
        assert word in scan.text, (word, scan.text)
    assert doc.ocr_seconds > 0 and doc.mean_ocr_confidence == scan.ocr_confidence


@needs_tesseract
def test_cid_garbage_layer_is_replaced_by_ocr(tmp_path):
    path = make_scanned_pdf(tmp_path / "cid.pdf", [SCAN_TEXT], hidden_text=[cid_garbage(300)], rotate=-1.0)
    page = extract(path, ExtractSettings()).pages[0]
    assert page.method == "ocr" and "cid" in page.reason
    assert "(cid:" not in page.text and "Toulouse" in page.text


def test_shifted_encoding_without_tesseract_is_unread_with_reason(tmp_path):
    path = make_scanned_pdf(tmp_path / "shift.pdf", [SCAN_TEXT], hidden_text=[caesar(french_text(300))], rotate=0)
    doc = extract(path, ExtractSettings(tesseract_cmd="tesseract-absent-here"))
    page = doc.pages[0]
    assert page.method == "unread" and page.text == ""
    assert "encodage" in page.reason and "Tesseract n'est pas installé" in page.reason
    assert doc.ok and doc.pages_unread == 1 and doc.warnings


def test_image_page_with_ocr_off_is_unread_not_empty_text(tmp_path):
    page = extract(make_scanned_pdf(tmp_path / "s.pdf", ["Texte"], rotate=0)).pages[0]
    assert page.method == "unread" and "numérisée" in page.reason and "OCR désactivé" in page.reason


def test_blank_page_is_text_with_reason(tmp_path):
    page = extract(make_pdf(tmp_path / "blank.pdf", [""])).pages[0]
    assert page.method == "text" and page.text == "" and page.reason == "page blanche"


@pytest.mark.parametrize("keep", [0.3, 0.95])
def test_truncated_file(tmp_path, keep):
    source = make_pdf(tmp_path / "full.pdf", [french_text(200, seed=n) for n in range(4)])
    doc = extract(make_truncated_pdf(tmp_path / "cut.pdf", source, keep=keep))
    assert doc.error == "cut.pdf : PDF tronqué (fichier incomplet, téléchargement ou copie interrompu)."
    assert doc.pages == []


def test_text_file_named_pdf(tmp_path):
    doc = extract(make_not_a_pdf(tmp_path / "faux.pdf"))
    assert doc.error == "faux.pdf : ce n'est pas un PDF (le contenu est un fichier texte)."
    assert doc.pages == []


def test_empty_file(tmp_path):
    path = tmp_path / "vide.pdf"
    path.write_bytes(b"")
    assert extract(path).error == "vide.pdf : fichier vide (0 octet), ce n'est pas un PDF."


def test_zero_page_pdf_is_not_reported_as_damaged(tmp_path):
    doc = extract(make_empty_pdf_pages(tmp_path / "zero.pdf"))
    assert doc.error == "zero.pdf : le PDF ne contient aucune page."


def test_enormous_page_is_read_and_reported(tmp_path):
    doc = extract(make_huge_page_pdf(tmp_path / "huge.pdf", text="Programme de réussite éducative"))
    assert doc.ok and "Programme de réussite éducative" in doc.pages[0].text
    assert "taille démesurée" in doc.warnings[0]


def test_file_replaced_after_inventory(tmp_path):
    path = make_pdf(tmp_path / "v1.pdf", [french_text(100)])
    contract = contract_file(path)
    make_pdf(path, [french_text(100, seed=9)])
    doc = extract_document(contract, FAST)
    assert "a changé depuis l'inventaire" in doc.error and doc.error.startswith("v1.pdf : ")


def test_missing_file(tmp_path):
    path = make_pdf(tmp_path / "gone.pdf", [french_text(50)])
    contract = contract_file(path)
    path.unlink()
    assert "introuvable" in extract_document(contract, FAST).error


def test_duplicates_are_read_once_and_reported(tmp_path):
    path = make_pdf(tmp_path / "a.pdf", [french_text(80)])
    copy = tmp_path / "b.pdf"
    copy.write_bytes(path.read_bytes())
    first, second = extract_corpus([contract_file(path), contract_file(copy)], settings=FAST)
    assert first.duplicate_of == "" and second.duplicate_of == "a"
    assert second.contract_id == "b" and second.pages[0].text == first.pages[0].text
    assert "même contenu que a.pdf" in second.warnings[-1]


def test_corpus_keeps_going_after_bad_files(tmp_path):
    good = make_pdf(tmp_path / "bon.pdf", [french_text(80)])
    bad = make_not_a_pdf(tmp_path / "mauvais.pdf")
    docs = list(extract_corpus([contract_file(bad), contract_file(good)], workers=2, settings=FAST))
    assert [d.ok for d in docs] == [False, True]


def test_time_limit_kills_a_hanging_reader():
    started = time.monotonic()
    outcome = run_limited(lambda extend: time.sleep(30), timeout=0.5, memory_mb=0)
    assert outcome.timed_out and "délai dépassé" in outcome.failure
    assert time.monotonic() - started < 5


def test_deadline_can_be_extended():
    def work(extend):
        extend(2.0)
        time.sleep(0.8)
        return "fini"

    assert run_limited(work, timeout=0.3, memory_mb=0).result == "fini"


def test_memory_limit_stops_a_greedy_reader():
    outcome = run_limited(lambda extend: bytearray(2_000 * 1024 * 1024), timeout=20, memory_mb=1024)
    assert outcome.result is None and "mémoire" in outcome.failure


def test_timeout_reported_on_document(tmp_path, monkeypatch):
    import pipeline.extract.document as document

    path = make_pdf(tmp_path / "lent.pdf", [french_text(50)])
    monkeypatch.setattr(document, "read_page", lambda *args: time.sleep(30))
    doc = extract_document(contract_file(path), replace(FAST, timeout_seconds=0.5, page_seconds=0.0))
    assert doc.error.startswith("lent.pdf : lecture abandonnée") and doc.pages == []


def test_in_process_mode_gives_the_same_text(tmp_path):
    path = make_pdf(tmp_path / "a.pdf", [french_text(150)], header="En-tête", footer="{page}")
    isolated = extract(path)
    in_process = extract(path, replace(FAST, isolate=False))
    assert [p.text for p in isolated.pages] == [p.text for p in in_process.pages]
    assert os.getpid() > 0
