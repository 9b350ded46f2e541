"""Page images for the review app: a contract page rendered with pypdfium2, the hit highlighted.

A page is addressed by contract id and page number only: the PDF path comes from the run's
`contracts.csv` (corpus folder + file), must stay inside the corpus folder and match the recorded sha256.
PDFium is not thread-safe: rendering holds a lock; images are cached in memory.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

SCALE = 1.4
CACHE_SIZE = 64
_LOCK = threading.Lock()
_CACHE: OrderedDict[tuple[str, int, str, int], bytes] = OrderedDict()
_SHA_CACHE: dict[tuple[str, float, int], str] = {}


def file_sha256(path: Path) -> str:
    """sha256 of a file, cached by path, mtime and size."""
    stat = path.stat()
    key = (str(path), stat.st_mtime, stat.st_size)
    if key not in _SHA_CACHE:
        _SHA_CACHE[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _SHA_CACHE[key]


def safe_pdf_path(corpus: Path, relative: str, sha256: str) -> Path | None:
    """The contract file inside the corpus folder with the recorded content, else None."""
    if not relative or not sha256:
        return None
    root = corpus.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or path.suffix.lower() != ".pdf" or not path.is_file():
        return None
    return path if file_sha256(path) == sha256 else None


def occurrence_before(text: str, needle: str, start: int) -> int:
    """How many times `needle` occurs (case-insensitive) in the page text before `start`."""
    return text[:start].lower().count(needle.lower()) if needle else 0


def render_page(pdf_path: Path, page_number: int, needle: str = "", occurrence: int = 0) -> bytes | None:
    """PNG of one page with the `occurrence`-th match of `needle` boxed; None if the page does not exist."""
    key = (str(pdf_path), page_number, needle, occurrence)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
        document = pdfium.PdfDocument(str(pdf_path))
        try:
            if page_number < 1 or page_number > len(document):
                return None
            page = document[page_number - 1]
            image = page.render(scale=SCALE).to_pil().convert("RGB")
            boxes = find_boxes(page, needle, occurrence) if needle.strip() else []
            page_height = page.get_height()
        finally:
            document.close()
    data = draw_boxes(image, boxes, page_height)
    with _LOCK:
        _CACHE[key] = data
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return data


def find_boxes(page: pdfium.PdfPage, needle: str, occurrence: int) -> list[tuple[float, float, float, float]]:
    """PDF-space rectangles (left, bottom, right, top) of the chosen match of `needle`, first one as fallback."""
    textpage = page.get_textpage()
    found: list[tuple[int, int]] = []
    for candidate in (needle, " ".join(needle.split())):
        searcher = textpage.search(candidate, match_case=False, match_whole_word=False)
        while True:
            match = searcher.get_next()
            if match is None or len(found) > occurrence + 50:
                break
            found.append(match)
        if found:
            break
    if not found:
        return []
    index, count = found[min(occurrence, len(found) - 1)]
    return [textpage.get_rect(i) for i in range(textpage.count_rects(index, count))]


def draw_boxes(image: Image.Image, boxes: list[tuple[float, float, float, float]], page_height: float) -> bytes:
    """Yellow translucent boxes with a red outline over the hit, as PNG bytes."""
    if boxes:
        overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(overlay)
        for left, bottom, right, top in boxes:
            x0, y0 = left * SCALE - 3, (page_height - top) * SCALE - 3
            x1, y1 = right * SCALE + 3, (page_height - bottom) * SCALE + 3
            draw.rectangle((x0, y0, x1, y1), fill=(255, 221, 0, 90), outline=(200, 0, 0, 255), width=3)
        image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()
