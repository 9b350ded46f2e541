"""Write small contract-like PDFs with reportlab for the pipeline's tests (real PDFs, known text)."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

SIGNATURE_PAGE = """Les signataires
Fait à Carcassonne, le 29 mars 2024
Pour l'État, le Préfet de l'Aude
Pour France Travail, le Directeur territorial
Pour la Caisse d'allocations familiales de l'Aude, la Directrice
Pour l'Agence régionale de santé, le Délégué départemental"""


def write_pdf(path: Path, pages: list[str], font_size: int = 11) -> Path:
    """One PDF page per string; lines wrap where the string has line breaks."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    _, height = A4
    for text in pages:
        pdf.setFont("Helvetica", font_size)
        y = height - 72
        for line in text.splitlines():
            pdf.drawString(60, y, line)
            y -= font_size * 1.5
        pdf.showPage()
    pdf.save()
    return path


def write_contract(path: Path, body: list[str], signature: str = SIGNATURE_PAGE) -> Path:
    """A contract: cover, the given body pages, then a signature page."""
    cover = "Contrat de ville Engagements Quartiers 2030\nCommunauté d'agglomération de démonstration"
    return write_pdf(path, [cover, *body, signature])
