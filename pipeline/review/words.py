"""Word boxes of a contract page, for selecting text on the page image and boxing hits on scanned pages.

Pages with a text layer give their words from PDFium's character boxes; scanned pages (read by OCR)
from Tesseract's word boxes, read again at the extraction's resolution (a few seconds, then cached).
Boxes are fractions of the page's width and height, top-left origin, so the browser places them over the
image at any size. A detection's hit is located among the words by its folded text and occurrence.
`contract_pdf` and `page_method` say where a contract's PDF is (checked as the page images are) and how
each page was read.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass
from pathlib import Path

import pypdfium2 as pdfium

from pipeline.extract.ocr import render_scale
from pipeline.extract.settings import ExtractSettings
from pipeline.match import fold_text
from pipeline.review import render
from pipeline.review.render import safe_pdf_path
from pipeline.review.session import ReviewSession

CACHE_SIZE = 48
_CACHE: OrderedDict[tuple[str, int, bool], list[Word]] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def pdfium_lock() -> threading.Lock:
    """The lock the page renderer holds around PDFium (not thread-safe), shared with it."""
    return getattr(render, "_LOCK", _CACHE_LOCK)


@dataclass(frozen=True)
class Word:
    """A word and its box as fractions of the page (x, y from the top-left corner)."""

    t: str
    x: float
    y: float
    w: float
    h: float

    def as_dict(self) -> dict[str, object]:
        return {key: (round(value, 5) if isinstance(value, float) else value) for key, value in asdict(self).items()}


def text_layer_words(pdf_path: Path, page_number: int) -> list[Word]:
    """Words of a page's text layer, from PDFium's character boxes."""
    with pdfium_lock():
        document = pdfium.PdfDocument(str(pdf_path))
        try:
            if not 1 <= page_number <= len(document):
                return []
            page = document[page_number - 1]
            width, height = page.get_size()
            textpage = page.get_textpage()
            count = textpage.count_chars()
            text = textpage.get_text_range(0, count) if count else ""
            boxes = [textpage.get_charbox(i) for i in range(min(count, len(text)))]
        finally:
            document.close()
    words: list[Word] = []
    current: list[tuple[str, tuple[float, float, float, float]]] = []

    def flush() -> None:
        if current:
            left = min(box[0] for _, box in current)
            bottom = min(box[1] for _, box in current)
            right = max(box[2] for _, box in current)
            top = max(box[3] for _, box in current)
            words.append(
                Word("".join(c for c, _ in current), left / width, (height - top) / height,
                     (right - left) / width, (top - bottom) / height)
            )  # fmt: skip
            current.clear()

    for char, box in zip(text, boxes, strict=False):
        if char.isspace() or box[2] <= box[0]:
            flush()
        else:
            current.append((char, box))
    flush()
    return words


def ocr_words(pdf_path: Path, page_number: int, settings: ExtractSettings | None = None) -> list[Word]:
    """Words of a scanned page, from Tesseract's TSV at the extraction's resolution ([] when OCR fails)."""
    settings = settings or ExtractSettings()
    command = shutil.which(settings.tesseract_cmd)
    if command is None:
        return []
    with pdfium_lock():
        document = pdfium.PdfDocument(str(pdf_path))
        try:
            if not 1 <= page_number <= len(document):
                return []
            page = document[page_number - 1]
            width, height = page.get_size()
            scale = render_scale(width, height, settings)
            bitmap = page.render(scale=scale, grayscale=True, may_draw_forms=False)
            image = bitmap.to_pil().convert("L")
            bitmap.close()
        finally:
            document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PPM")
    arguments = [
        command,
        "stdin",
        "stdout",
        "-l",
        settings.ocr_language,
        "--psm",
        "3",
        "--dpi",
        str(round(scale * 72)),
        "tsv",
    ]
    try:
        done = subprocess.run(
            arguments, input=buffer.getvalue(), capture_output=True, timeout=settings.ocr_page_seconds,
            env=dict(os.environ, OMP_THREAD_LIMIT="1"), check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return []
    if done.returncode != 0:
        return []
    return tsv_words(done.stdout.decode("utf-8", "replace"), image.width, image.height)


def tsv_words(tsv: str, width: int, height: int) -> list[Word]:
    """Word rows (level 5) of Tesseract's TSV as page fractions."""
    words = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        try:
            left, top, w, h = (float(value) for value in cells[6:10])
        except ValueError:
            continue
        words.append(Word(cells[11].strip(), left / width, top / height, w / width, h / height))
    return words


def page_words(pdf_path: Path, page_number: int, ocr: bool) -> list[Word]:
    """The words of a page (OCR for scanned pages), cached."""
    key = (str(pdf_path), page_number, ocr)
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    words = ocr_words(pdf_path, page_number) if ocr else text_layer_words(pdf_path, page_number)
    with _CACHE_LOCK:
        _CACHE[key] = words
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return words


def folded_word(text: str) -> str:
    return "".join(char for char in fold_text(text).lower() if char.isalnum())


def hit_boxes(words: list[Word], needle: str, occurrence: int = 0) -> list[Word]:
    """The words covering the `occurrence`-th match of `needle` (letters and digits compared, case and
    accents ignored, so « l'ARS » holds « ARS » and a word cut by hyphenation is joined), the first match as
    fallback; [] when absent."""
    target = folded_word(needle)
    if not target:
        return []
    keys = [folded_word(word.t) for word in words]
    matches: list[list[Word]] = []
    for first, key in enumerate(keys):
        if not key:
            continue
        joined, bounds, index = "", [], first
        while index < len(words) and len(joined) < len(key) + len(target):
            joined += keys[index]
            bounds.append(len(joined))
            index += 1
        position = joined.find(target)
        if 0 <= position < len(key):
            end = position + len(target)
            last = next(k for k, bound in enumerate(bounds) if bound >= end)
            matches.append(words[first : first + last + 1])
    if not matches:
        return []
    return matches[min(occurrence, len(matches) - 1)]


def contract_pdf(session: ReviewSession, contract_id: str) -> Path | None:
    """The contract's PDF inside the corpus (checked as the page images are), else None."""
    contracts = session.contracts
    corpus = session.run_info.get("corpus")
    if contracts.empty or not corpus:
        return None
    rows = contracts[contracts["contract_id"] == contract_id]
    if rows.empty:
        return None
    return safe_pdf_path(Path(corpus), str(rows.iloc[0]["file"]), str(rows.iloc[0]["sha256"]))


def page_method(session: ReviewSession, contract_id: str, page: int) -> str:
    """How a page was read (`text`, `ocr`, `unread`), from the page cache (read once per contract)."""

    def compute() -> dict[int, str]:
        from pipeline.cache import load_pages
        from pipeline.extract import EXTRACTOR_VERSION

        sha = session.texts.sha_by_contract.get(contract_id, "")
        document = load_pages(session.workspace.page_cache, sha, EXTRACTOR_VERSION) if sha else None
        return {item.number: item.method for item in document.pages} if document else {}

    return session.memo(f"page_methods:{contract_id}", session.run_stamp(), compute).get(page, "text")
