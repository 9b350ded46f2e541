"""Knobs of the text stage, with defaults that suit contracts of 20-150 pages on a small machine."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExtractSettings:
    """How to read a document, and the limits that keep a pathological file from hanging a run.

    Time limit of one document: `timeout_seconds` + `page_seconds` per page + `ocr_page_seconds` per
    page sent to OCR + `table_page_seconds` per page read for tables (known once its pages are
    counted). `memory_mb` caps the address space of the process that reads it.
    """

    ocr: bool = True
    ocr_language: str = "fra"
    ocr_dpi: int = 300
    ocr_max_pixels: int = 40_000_000
    tesseract_cmd: str = "tesseract"
    tables: bool = True
    passwords: tuple[str, ...] = ()
    isolate: bool = True
    timeout_seconds: float = 60.0
    page_seconds: float = 1.0
    ocr_page_seconds: float = 90.0
    table_page_seconds: float = 15.0
    memory_mb: int = 4096
    max_file_mb: int = 1024
    max_pages: int = 5000
