"""Test helpers that write small PDFs reproducing what real contracts send us.

Any test may import these (`from pdfs import make_pdf`; `tests/` is on pytest's pythonpath).
Each helper writes one file with reportlab (or raw bytes for broken files) and returns its path.
Text is French so that the extractor's language checks (dictionary test, OCR in French) see realistic input.
"""

from __future__ import annotations

import hashlib
import io
import random
from collections.abc import Sequence
from pathlib import Path

import reportlab
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from pipeline.types import ContractFile

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 56.0

FRENCH_WORDS = [
    "le",
    "contrat",
    "de",
    "ville",
    "engagements",
    "quartiers",
    "2030",
    "est",
    "signé",
    "par",
    "l'État",
    "la",
    "commune",
    "l'intercommunalité",
    "le",
    "département",
    "la",
    "région",
    "la",
    "caisse",
    "d'allocations",
    "familiales",
    "France",
    "Travail",
    "la",
    "mission",
    "locale",
    "l'agence",
    "régionale",
    "de",
    "santé",
    "les",
    "bailleurs",
    "sociaux",
    "pour",
    "les",
    "habitants",
    "des",
    "quartiers",
    "prioritaires",
    "de",
    "la",
    "politique",
    "de",
    "la",
    "ville",
    "avec",
    "l'éducation",
    "nationale",
    "et",
    "les",
    "associations",
    "du",
    "territoire",
    "dans",
    "le",
    "cadre",
    "de",
    "la",
    "cohésion",
    "sociale",
    "du",
    "renouvellement",
    "urbain",
    "et",
    "de",
    "l'emploi",
    "des",
    "jeunes",
    "les",
    "actions",
    "portent",
    "sur",
    "la",
    "santé",
    "la",
    "mobilité",
    "la",
    "réussite",
    "éducative",
    "la",
    "tranquillité",
    "publique",
    "le",
    "cadre",
    "de",
    "vie",
    "la",
    "participation",
    "citoyenne",
    "et",
    "l'insertion",
    "professionnelle",
]

SAMPLE_SENTENCES = (
    "Le contrat de ville est signé par l'État, la commune et l'intercommunalité.",
    "La caisse d'allocations familiales accompagne les familles des quartiers prioritaires.",
    "France Travail et la mission locale agissent pour l'emploi des jeunes.",
    "L'agence régionale de santé soutient le contrat local de santé.",
    "Les bailleurs sociaux participent à la gestion urbaine de proximité.",
    "Le programme de réussite éducative est porté par la commune.",
    "La participation des habitants passe par les conseils citoyens.",
    "Le département finance l'insertion et la prévention spécialisée.",
)


def french_text(words: int, seed: int = 0) -> str:
    """Deterministic French-looking prose of about `words` words, in sentences."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < words:
        sentence = rng.choice(SAMPLE_SENTENCES).split()
        out.extend(sentence)
        if rng.random() < 0.5:
            extra = [rng.choice(FRENCH_WORDS) for _ in range(rng.randint(6, 14))]
            extra[0] = extra[0].capitalize()
            out.extend(extra)
            out[-1] += "."
    return " ".join(out[:words]).rstrip(".") + "."


def unicode_font() -> str:
    """Register and return a TrueType font that has accents and ligatures (DejaVu, else Vera)."""
    name = "CdvTestSans"
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    for candidate in (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path(reportlab.__file__ or "").parent / "fonts" / "Vera.ttf",
    ):
        if candidate.exists():
            pdfmetrics.registerFont(TTFont(name, str(candidate)))
            return name
    raise RuntimeError("no TrueType font found for test PDFs")


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap of `text` into lines no wider than `width` points."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if line and pdfmetrics.stringWidth(candidate, font, size) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def _running_text(template: str | None, number: int, total: int) -> str:
    return template.format(page=number, pages=total) if template else ""


def make_pdf(
    path: Path,
    pages: Sequence[str],
    *,
    header: str | None = None,
    footer: str | None = None,
    font_size: float = 11,
    leading: float | None = None,
    columns: int = 1,
    interleave_columns: bool = False,
    page_size: tuple[float, float] = A4,
    title: str = "",
) -> Path:
    """Write one page per string of `pages`, word-wrapped, in `columns` columns.

    `header`/`footer` are repeated on every page; `{page}` and `{pages}` are replaced by the page
    number and count. With `interleave_columns`, lines of both columns are written alternately to
    the content stream (left line 1, right line 1, ...), as some producers do, so stream order is
    not reading order.
    """
    font = unicode_font()
    leading = leading or font_size * 1.25
    width, height = page_size
    pdf = canvas.Canvas(str(path), pagesize=page_size, invariant=1)
    if title:
        pdf.setTitle(title)
    gutter = 24.0
    column_width = (width - 2 * MARGIN - gutter * (columns - 1)) / columns
    for number, text in enumerate(pages, start=1):
        pdf.setFont(font, 9)
        if header is not None:
            pdf.drawString(MARGIN, height - MARGIN / 2, _running_text(header, number, len(pages)))
        if footer is not None:
            pdf.drawCentredString(width / 2, MARGIN / 2, _running_text(footer, number, len(pages)))
        pdf.setFont(font, font_size)
        lines = wrap(text, font, font_size, column_width)
        per_column = int((height - 2 * MARGIN) // leading)
        chunks = [lines[i : i + per_column] for i in range(0, len(lines), per_column)][:columns]
        placed: list[tuple[float, float, str]] = []
        for column, chunk in enumerate(chunks):
            x = MARGIN + column * (column_width + gutter)
            for row, line in enumerate(chunk):
                placed.append((x, height - MARGIN - leading * (row + 1), line))
        if interleave_columns:
            placed.sort(key=lambda item: (-item[1], item[0]))
        for x, y, line in placed:
            pdf.drawString(x, y, line)
        pdf.showPage()
    pdf.save()
    return path


def make_lines_pdf(
    path: Path, pages: Sequence[Sequence[str]], *, font_size: float = 11, leading: float | None = None
) -> Path:
    """Write each page's lines exactly as given (no wrapping): controls where lines break."""
    font = unicode_font()
    leading = leading or font_size * 1.3
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for lines in pages:
        pdf.setFont(font, font_size)
        for row, line in enumerate(lines):
            pdf.drawString(MARGIN, PAGE_HEIGHT - MARGIN - leading * (row + 1), line)
        pdf.showPage()
    pdf.save()
    return path


def make_blocks_pdf(path: Path, blocks: Sequence[tuple[float, float, Sequence[str]]], font_size: float = 10) -> Path:
    """One page of text blocks placed at (x, y-from-top) with their lines: e.g. a signature grid."""
    font = unicode_font()
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    pdf.setFont(font, font_size)
    for x, top, lines in blocks:
        for row, line in enumerate(lines):
            pdf.drawString(x, PAGE_HEIGHT - top - font_size * 1.3 * (row + 1), line)
    pdf.showPage()
    pdf.save()
    return path


def make_table_pdf(
    path: Path, rows: Sequence[Sequence[str]], *, intro: str = "", col_width: float = 160, font_size: float = 9
) -> Path:
    """One page with an optional paragraph and a ruled table (grid lines), as Word exports them."""
    font = unicode_font()
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    pdf.setFont(font, font_size)
    top = PAGE_HEIGHT - MARGIN
    for line in wrap(intro, font, font_size, PAGE_WIDTH - 2 * MARGIN) if intro else []:
        top -= font_size * 1.4
        pdf.drawString(MARGIN, top, line)
    top -= 20
    row_height = font_size * 2.2
    n_cols = max(len(row) for row in rows)
    for r, row in enumerate(rows):
        y = top - r * row_height
        for c, cell in enumerate(row):
            pdf.drawString(MARGIN + c * col_width + 4, y - row_height + font_size * 0.8, cell)
    for r in range(len(rows) + 1):
        y = top - r * row_height
        pdf.line(MARGIN, y, MARGIN + n_cols * col_width, y)
    for c in range(n_cols + 1):
        x = MARGIN + c * col_width
        pdf.line(x, top, x, top - len(rows) * row_height)
    pdf.showPage()
    pdf.save()
    return path


def render_text_image(
    text: str, *, dpi: int = 200, rotate: float = 1.5, noise: float = 0.03, seed: int = 0, font_size: float = 12
) -> bytes:
    """A scanned-looking PNG of an A4 page of `text`: grey paper, speckle noise, slight rotation."""
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(seed)
    width, height = int(PAGE_WIDTH / 72 * dpi), int(PAGE_HEIGHT / 72 * dpi)
    image = Image.new("L", (width, height), 245)
    draw = ImageDraw.Draw(image)
    pixel_size = int(font_size / 72 * dpi)
    font_path = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not font_path.exists():
        font_path = Path(reportlab.__file__ or "").parent / "fonts" / "Vera.ttf"
    font = ImageFont.truetype(str(font_path), pixel_size)
    margin = int(MARGIN / 72 * dpi)
    y = margin
    for line in wrap(text, unicode_font(), font_size, PAGE_WIDTH - 2 * MARGIN):
        draw.text((margin, y), line, fill=20, font=font)
        y += int(pixel_size * 1.5)
    for _ in range(int(width * height * noise / 50)):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        draw.point((x0, y0), fill=rng.choice((0, 90, 160)))
    if rotate:
        image = image.rotate(rotate, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=245)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def make_scanned_pdf(
    path: Path,
    pages: Sequence[str],
    *,
    hidden_text: Sequence[str] | None = None,
    dpi: int = 200,
    rotate: float = 1.5,
    text_pages: Sequence[str] = (),
) -> Path:
    """Image-only pages of `pages` (as a scanner makes them), after optional real text pages.

    `hidden_text`, if given, is drawn invisibly over each scanned page (render mode 3), like a
    broken OCR or font layer: e.g. "(cid:12)(cid:7)..." runs or encoding garbage.
    """
    font = unicode_font()
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for text in text_pages:
        pdf.setFont(font, 11)
        for row, line in enumerate(wrap(text, font, 11, PAGE_WIDTH - 2 * MARGIN)):
            pdf.drawString(MARGIN, PAGE_HEIGHT - MARGIN - 14 * (row + 1), line)
        pdf.showPage()
    for index, text in enumerate(pages):
        png = render_text_image(text, dpi=dpi, rotate=rotate, seed=index)
        pdf.drawImage(ImageReader(io.BytesIO(png)), 0, 0, PAGE_WIDTH, PAGE_HEIGHT)
        if hidden_text is not None:
            layer = pdf.beginText(MARGIN, PAGE_HEIGHT - MARGIN)
            layer.setTextRenderMode(3)
            layer.setFont(font, 11)
            for line in wrap(hidden_text[index % len(hidden_text)], font, 11, PAGE_WIDTH - 2 * MARGIN):
                layer.textLine(line)
            pdf.drawText(layer)
        pdf.showPage()
    pdf.save()
    return path


def caesar(text: str, shift: int = 3) -> str:
    """Shift letters as a broken font encoding does: looks like text, reads like nothing."""
    out = []
    for char in text:
        if "a" <= char <= "z":
            out.append(chr((ord(char) - 97 + shift) % 26 + 97))
        elif "A" <= char <= "Z":
            out.append(chr((ord(char) - 65 + shift) % 26 + 65))
        else:
            out.append(char)
    return "".join(out)


def cid_garbage(n: int = 200, seed: int = 0) -> str:
    """A `(cid:NN)` run, as extractors print glyphs of fonts without a Unicode map."""
    rng = random.Random(seed)
    return "".join(f"(cid:{rng.randint(3, 90)})" + (" " if rng.random() < 0.15 else "") for _ in range(n))


def make_truncated_pdf(path: Path, source: Path, keep: float = 0.5) -> Path:
    """Copy the first `keep` share of `source`'s bytes: a download cut short."""
    data = source.read_bytes()
    path.write_bytes(data[: max(1, int(len(data) * keep))])
    return path


def make_not_a_pdf(path: Path, text: str = "Ceci n'est pas un PDF mais un texte renommé.\n") -> Path:
    """A text file named `.pdf`."""
    path.write_text(text, encoding="utf-8")
    return path


def make_empty_pdf_pages(path: Path) -> Path:
    """A syntactically valid PDF with a page tree of zero pages."""
    body = [
        b"%PDF-1.4\n",
        b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n",
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n",
    ]
    offsets, position = [], 0
    for chunk in body:
        offsets.append(position)
        position += len(chunk)
    xref = [b"xref\n0 3\n0000000000 65535 f \n"] + [f"{o:010d} 00000 n \n".encode() for o in offsets[1:]]
    trailer = f"trailer << /Size 3 /Root 1 0 R >>\nstartxref\n{position}\n%%EOF\n".encode()
    path.write_bytes(b"".join(body) + b"".join(xref) + trailer)
    return path


def make_huge_page_pdf(path: Path, size_points: float = 14_400.0, text: str = "Page géante") -> Path:
    """One page of `size_points` square (the PDF maximum is 14,400 pt = 200 inches)."""
    pdf = canvas.Canvas(str(path), pagesize=(size_points, size_points), invariant=1)
    pdf.setFont(unicode_font(), 40)
    pdf.drawString(100, size_points - 200, text)
    pdf.showPage()
    pdf.save()
    return path


def contract_file(path: Path, contract_id: str | None = None) -> ContractFile:
    """The `ContractFile` of a test PDF, with its real sha256 and size."""
    data = path.read_bytes()
    return ContractFile(
        contract_id=contract_id or path.stem,
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )
