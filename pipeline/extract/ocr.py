"""OCR of pages without a usable text layer: render with PDFium, read with the `tesseract` CLI.

The page is rendered in grey at `ocr_dpi` (capped at `ocr_max_pixels`, so an enormous page cannot
exhaust memory), piped to Tesseract as a PGM image, and read back as TSV: words with boxes and
confidences, grouped into lines and paragraphs for the layout stage.
"""

from __future__ import annotations

import functools
import io
import math
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field

from pipeline.extract.layout import Block, Line
from pipeline.extract.settings import ExtractSettings

MIN_SCALE = 100 / 72  # below 100 dpi Tesseract reads little: give up instead


@dataclass
class OcrResult:
    """Blocks read on one page, mean word confidence (0-100), time spent, or why nothing was read."""

    blocks: list[Block] = field(default_factory=list)
    confidence: float | None = None
    seconds: float = 0.0
    failure: str = ""


@functools.lru_cache(maxsize=8)
def tesseract_problem(command: str, language: str) -> str:
    """Why OCR cannot run here (in French), or '' when `command` can read `language`."""
    path = shutil.which(command)
    if path is None:
        return "Tesseract n'est pas installé (paquets Debian tesseract-ocr et tesseract-ocr-fra)"
    try:
        listed = subprocess.run([path, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError) as error:
        return f"Tesseract ne répond pas ({error})"
    languages = set(listed.stdout.split()) | set(listed.stderr.split())
    if language not in languages:
        return f"la langue « {language} » de Tesseract n'est pas installée (paquet tesseract-ocr-{language})"
    return ""


def render_scale(width: float, height: float, settings: ExtractSettings) -> float:
    """Pixels per point: the requested dpi, lowered so that the image stays under the pixel cap."""
    scale = settings.ocr_dpi / 72
    area = max(width * height, 1.0)
    if area * scale * scale > settings.ocr_max_pixels:
        scale = math.sqrt(settings.ocr_max_pixels / area)
    return scale


def parse_tsv(tsv: str, scale: float) -> tuple[list[Block], float | None]:
    """Tesseract TSV into blocks (paragraphs) of lines in points, and the mean word confidence."""
    paragraphs: dict[tuple[int, int], dict[int, list[tuple[float, float, float, float, str]]]] = {}
    confidences: list[float] = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5":
            continue
        word = cells[11].strip()
        if not word:
            continue
        try:
            left, top, width, height = (float(value) / scale for value in cells[6:10])
            confidence = float(cells[10])
        except ValueError:
            continue
        if confidence >= 0:
            confidences.append(confidence)
        key = (int(cells[2]), int(cells[3]))
        paragraphs.setdefault(key, {}).setdefault(int(cells[4]), []).append(
            (left, top, left + width, top + height, word)
        )
    blocks = []
    for lines in paragraphs.values():
        block = Block()
        for words in lines.values():
            block.add(
                Line(
                    x0=min(w[0] for w in words),
                    top=min(w[1] for w in words),
                    x1=max(w[2] for w in words),
                    bottom=max(w[3] for w in words),
                    text=" ".join(w[4] for w in words),
                )
            )
        blocks.append(block)
    mean = sum(confidences) / len(confidences) if confidences else None
    return blocks, mean


def ocr_page(page: object, settings: ExtractSettings) -> OcrResult:
    """Render one PDFium page and read it with Tesseract in the configured language."""
    started = time.perf_counter()
    problem = tesseract_problem(settings.tesseract_cmd, settings.ocr_language)
    if problem:
        return OcrResult(failure=problem)
    width, height = page.get_size()  # type: ignore[attr-defined]
    scale = render_scale(width, height, settings)
    if scale < MIN_SCALE:
        return OcrResult(failure="page trop grande pour être lue par OCR")
    try:
        bitmap = page.render(scale=scale, grayscale=True, may_draw_forms=False)  # type: ignore[attr-defined]
        image = bitmap.to_pil()
        bitmap.close()
        buffer = io.BytesIO()
        image.convert("L").save(buffer, format="PPM")
        del image
    except Exception as error:  # PDFium or Pillow failing on one page must not stop the document
        return OcrResult(failure=f"rendu de la page impossible ({error})", seconds=time.perf_counter() - started)
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    command = [
        shutil.which(settings.tesseract_cmd) or settings.tesseract_cmd,
        "stdin", "stdout", "-l", settings.ocr_language, "--psm", "3", "--dpi", str(round(scale * 72)), "tsv",
    ]  # fmt: skip
    try:
        done = subprocess.run(
            command, input=buffer.getvalue(), capture_output=True, timeout=settings.ocr_page_seconds,
            env=env, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return OcrResult(failure="OCR trop long sur cette page", seconds=time.perf_counter() - started)
    except OSError as error:
        return OcrResult(failure=f"Tesseract n'a pas pu être lancé ({error})", seconds=time.perf_counter() - started)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        return OcrResult(failure=f"échec de Tesseract ({message[0]})", seconds=time.perf_counter() - started)
    blocks, confidence = parse_tsv(done.stdout.decode("utf-8", "replace"), scale)
    return OcrResult(blocks=blocks, confidence=confidence, seconds=time.perf_counter() - started)
