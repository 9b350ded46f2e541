"""Text stage: every page of a contract, with how it was read (text layer, OCR or unread).

`extract_document` reads one contract in a forked child process with a time limit and a memory
cap (see `limits`), so that a pathological file cannot hang or exhaust a run; `extract_corpus`
reads many in parallel. Failures never raise: a document that cannot be read comes back with a
French `error` naming the file; page-level problems are in each page's `reason` and in `warnings`.
"""

from __future__ import annotations

import logging
import time

from pipeline.extract.corpus import extract_corpus
from pipeline.extract.document import read_document
from pipeline.extract.limits import can_isolate, run_limited
from pipeline.extract.settings import ExtractSettings
from pipeline.fingerprint import code_fingerprint
from pipeline.types import ContractFile, ExtractedDocument

EXTRACTOR_VERSION = "extract-" + code_fingerprint("pipeline.extract")  # changes with any code it runs
logging.getLogger("pdfminer").setLevel(logging.ERROR)  # pdfplumber's parser warns on every odd font

__all__ = ["EXTRACTOR_VERSION", "ExtractSettings", "extract_corpus", "extract_document"]


def extract_document(contract: ContractFile, settings: ExtractSettings | None = None) -> ExtractedDocument:
    """Extract all pages of one contract file, within the settings' time and memory limits."""
    settings = settings or ExtractSettings()
    started = time.perf_counter()
    if settings.isolate and can_isolate():
        outcome = run_limited(
            lambda extend: read_document(contract, settings, extend),
            timeout=settings.timeout_seconds,
            memory_mb=settings.memory_mb,
        )
        if outcome.result is not None:
            document: ExtractedDocument = outcome.result
        else:
            document = ExtractedDocument(
                contract_id=contract.contract_id,
                sha256=contract.sha256,
                error=f"{contract.path.name} : {outcome.failure}.",
            )
    else:
        document = read_document(contract, settings)
    document.extractor_version = EXTRACTOR_VERSION
    document.seconds = round(time.perf_counter() - started, 4)
    return document
