"""Page images for the review app: a contract page rendered with pypdfium2, the hit highlighted.

A page is addressed by contract id and page number only: the PDF path comes from the run's
`contracts.csv` (corpus folder + file), must stay inside the corpus folder and match the recorded sha256.
Rendering is bounded: the image never exceeds `RenderLimits.max_pixels` whatever the page size, and it is
drawn in a forked child with a deadline and a memory cap (`pipeline.extract.limits`), so that a hostile page
costs neither the app's memory nor its time. PDFium is not thread-safe: rendering holds a lock; images are
cached in memory.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from pipeline.extract.limits import can_isolate, run_limited

SCALE = 1.4
CACHE_SIZE = 64
_LOCK = threading.Lock()
_CACHE: OrderedDict[tuple[str, int, str, int, object], bytes] = OrderedDict()
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


@dataclass(frozen=True)
class RenderLimits:
    """Bounds on one page image: pixels (and longest side) whatever the page size, seconds, and memory the
    rendering child may use beyond what the app already holds."""

    max_pixels: int = 4_000_000
    max_side: int = 2_400
    timeout: float = 10.0
    memory_mb: int = 768

    def __post_init__(self) -> None:
        if self.max_pixels < 10_000 or self.max_side < 100 or self.timeout <= 0 or self.memory_mb < 0:
            raise ValueError("limites de rendu invalides (pixels ≥ 10 000, côté ≥ 100, délai > 0, mémoire ≥ 0)")


def render_scale(width: float, height: float, limits: RenderLimits) -> float:
    """The usual scale, reduced so that the image stays within the limits (a 14,400-pt page included)."""
    width, height = max(width, 1.0), max(height, 1.0)
    return min(SCALE, limits.max_side / max(width, height), math.sqrt(limits.max_pixels / (width * height)))


def process_memory_mb() -> int:
    """The address space this process already uses (Linux), 0 when unknown."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE") // (1024 * 1024)


def render_page(
    pdf_path: Path, page_number: int, needle: str = "", occurrence: int = 0, limits: RenderLimits | None = None
) -> bytes | None:
    """PNG of one page with the `occurrence`-th match of `needle` boxed; None if the page does not exist, the
    file cannot be read, or rendering overran its time or memory."""
    limits = limits or RenderLimits()
    key = (str(pdf_path), page_number, needle, occurrence, limits)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
        if can_isolate():
            memory = process_memory_mb()
            outcome = run_limited(
                lambda _progress: draw_page(pdf_path, page_number, needle, occurrence, limits),
                timeout=limits.timeout,
                memory_mb=memory + limits.memory_mb if memory else 0,
            )
            data = None if outcome.failure else outcome.result
        else:
            data = draw_page(pdf_path, page_number, needle, occurrence, limits)
        if data is not None:
            _CACHE[key] = data
            while len(_CACHE) > CACHE_SIZE:
                _CACHE.popitem(last=False)
    return data


def draw_page(pdf_path: Path, page_number: int, needle: str, occurrence: int, limits: RenderLimits) -> bytes | None:
    """The PNG bytes of one page within the size limits, the hit boxed; None when the PDF cannot be read."""
    try:
        document = pdfium.PdfDocument(str(pdf_path))
    except (pdfium.PdfiumError, OSError):
        return None
    try:
        if page_number < 1 or page_number > len(document):
            return None
        page = document[page_number - 1]
        scale = render_scale(page.get_width(), page.get_height(), limits)
        image: Any = page.render(scale=scale).to_pil().convert("RGB")
        boxes = find_boxes(page, needle, occurrence) if needle.strip() else []
        page_height = page.get_height()
    except pdfium.PdfiumError:
        return None
    finally:
        document.close()
    return draw_boxes(image, boxes, page_height, scale)


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


def draw_boxes(
    image: Image.Image, boxes: list[tuple[float, float, float, float]], page_height: float, scale: float = SCALE
) -> bytes:
    """Yellow translucent boxes with a red outline over the hit, as PNG bytes."""
    if boxes:
        overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(overlay)
        for left, bottom, right, top in boxes:
            x0, y0 = left * scale - 3, (page_height - top) * scale - 3
            x1, y1 = right * scale + 3, (page_height - bottom) * scale + 3
            draw.rectangle((x0, y0, x1, y1), fill=(255, 221, 0, 90), outline=(200, 0, 0, 255), width=3)
        image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()
