"""Text stage: every page of a contract, read fast with pypdfium2, with how each page was read.

Failures never raise: a document that cannot be read comes back with a French `error`.
"""

from __future__ import annotations

import time
from pathlib import Path

import pypdfium2 as pdfium

from pipeline.extract.text import normalise_text
from pipeline.types import ContractFile, ExtractedDocument, Page

EXTRACTOR_VERSION = "pdfium-1"
MIN_TEXT_CHARS = 20


def pdf_error_to_message(path: Path, error: Exception) -> str:
    """Turn a PDFium opening error into a one-line French reason naming the file."""
    text = str(error).lower()
    if "password" in text:
        return f"{path.name} : PDF protégé par un mot de passe, impossible à ouvrir sans lui."
    if "format" in text or "data" in text or "header" in text:
        return f"{path.name} : fichier illisible (pas un PDF valide ou fichier tronqué)."
    return f"{path.name} : ouverture du PDF impossible ({error})."


def page_text_to_page(number: int, raw: str) -> Page:
    """Wrap the raw text of a page, marking pages with too little text as unread."""
    text = normalise_text(raw)
    method = "text" if len(text.strip()) >= MIN_TEXT_CHARS else "unread"
    return Page(number=number, text=text, method=method)  # type: ignore[arg-type]


def read_pages(path: Path) -> list[Page]:
    """Read the text layer of every page with PDFium."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        pages = []
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            try:
                raw = textpage.get_text_bounded()
            finally:
                textpage.close()
                page.close()
            pages.append(page_text_to_page(index + 1, raw))
        return pages
    finally:
        pdf.close()


def extract_document(contract: ContractFile) -> ExtractedDocument:
    """Extract all pages of one contract file; never raises on a bad file."""
    started = time.perf_counter()
    document = ExtractedDocument(
        contract_id=contract.contract_id, sha256=contract.sha256, extractor_version=EXTRACTOR_VERSION
    )
    try:
        document.pages = read_pages(contract.path)
        if not document.pages:
            document.error = f"{contract.path.name} : le PDF ne contient aucune page."
    except pdfium.PdfiumError as error:
        document.error = pdf_error_to_message(contract.path, error)
    except OSError as error:
        document.error = f"{contract.path.name} : lecture du fichier impossible ({error.strerror or error})."
    document.seconds = time.perf_counter() - started
    return document
