"""Check a printed demo PDF against its gold: page count, and every text mention found on its page."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from pipeline.demo import model as M


def normalise(text: str) -> tuple[str, str]:
    """Two comparable forms of page text: line-end hyphens joined, and kept (real compound hyphens)."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u00a0", " ")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    joined = re.sub(r"(-\n|\ufffe\n?)", "", text)
    kept = re.sub(r"(-\n|\ufffe\n?)", "-", text)
    return (re.sub(r"\s+", " ", joined).lower(), re.sub(r"\s+", " ", kept).lower())


def normalise_surface(surface: str) -> str:
    text = unicodedata.normalize("NFKC", surface).replace("\u2019", "'").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).lower()


def page_texts(pdf: Path) -> list[str]:
    """Text of each page, read with pypdfium2."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        return [document[k].get_textpage().get_text_range() for k in range(len(document))]
    finally:
        document.close()


def verify(pdf: Path, doc: M.Document, expected_pages: int) -> list[str]:
    """Problems found (empty when the PDF matches the gold): page count and text mentions on their pages."""
    texts = page_texts(pdf)
    problems = []
    if expected_pages and len(texts) != expected_pages:
        problems.append(f"{len(texts)} pages au lieu de {expected_pages}")
        return problems
    forms = [normalise(t) for t in texts]
    for block in doc.blocks:
        for mention in block.mentions():
            if mention.context == "scan":
                continue
            if not block.pages:
                problems.append(f"page inconnue pour « {mention.surface} »")
                continue
            needle = normalise_surface(mention.surface)
            if not any(needle in form for page in block.pages if page <= len(forms) for form in forms[page - 1]):
                pages = ", ".join(map(str, block.pages))
                problems.append(f"« {mention.surface} » introuvable dans le texte relu de la page {pages}")
    return problems
