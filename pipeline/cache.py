"""Content-addressed stage cache: results keyed by input hash and stage version, in the workspace.

An unchanged file is never re-extracted; a lexicon change invalidates matching, not extraction.
"""

from __future__ import annotations

import gzip
import json
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, fields, replace
from pathlib import Path
from typing import Any

from pipeline.candidates import Candidate, NerMemo
from pipeline.corpus import scan_corpus
from pipeline.extract import EXTRACTOR_VERSION, extract_document
from pipeline.files import FILE_MODE, atomic_write_bytes, mode_of
from pipeline.types import ContractAnalysis, ContractFile, Detection, ExtractedDocument, IndicatorCue, Page
from pipeline.workspace import detections_cache_path


def page_cache_path(cache_dir: Path, sha256: str, extractor_version: str) -> Path:
    """Where the pages of one file version, read by one extractor version, are stored."""
    return cache_dir / sha256[:2] / f"{sha256}.{extractor_version}.json.gz"


def document_to_json(document: ExtractedDocument) -> bytes:
    """Serialise an extracted document (gzip-compressed JSON)."""
    return gzip.compress(json.dumps(asdict(document), ensure_ascii=False).encode("utf-8"), compresslevel=5)


def json_to_document(data: bytes) -> ExtractedDocument:
    """Rebuild an extracted document; unknown keys (from a newer version) are ignored."""
    return dict_to_document(json.loads(gzip.decompress(data)))


def dict_to_document(raw: dict[str, Any]) -> ExtractedDocument:
    """An extracted document from its JSON form."""
    raw = dict(raw)
    page_keys = {field.name for field in fields(Page)}
    pages = [Page(**{k: v for k, v in page.items() if k in page_keys}) for page in raw.pop("pages", [])]
    document_keys = {field.name for field in fields(ExtractedDocument)}
    return ExtractedDocument(pages=pages, **{k: v for k, v in raw.items() if k in document_keys})


def load_pages(cache_dir: Path, sha256: str, extractor_version: str) -> ExtractedDocument | None:
    """The cached extraction of a file version, or None (a damaged cache entry counts as absent)."""
    path = page_cache_path(cache_dir, sha256, extractor_version)
    if not path.exists():
        return None
    try:
        return json_to_document(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None


def store_pages(cache_dir: Path, document: ExtractedDocument, mode: int = FILE_MODE) -> None:
    """Cache a successful extraction (failures are retried on the next run), readable as its PDF is (`mode`)."""
    if document.ok:
        path = page_cache_path(cache_dir, document.sha256, document.extractor_version)
        atomic_write_bytes(path, document_to_json(document), mode)


def miss_reason(cache_dir: Path, sha256: str) -> str:
    """Why a stage result is not in the cache: this file version is new, or a version changed."""
    folder = cache_dir / sha256[:2]
    if folder.exists() and any(folder.glob(f"{sha256}.*")):
        return "recalcul : version du code, du lexique ou du modèle modifiée"
    return "recalcul : nouvelle version du fichier"


def extract_with_cache(contract: ContractFile, cache_dir: Path) -> tuple[ExtractedDocument, str]:
    """Pages of a contract file, from the cache if this version was read before; says "hit" or "miss"."""
    cached = load_pages(cache_dir, contract.sha256, EXTRACTOR_VERSION)
    if cached is not None:
        cached.contract_id = contract.contract_id
        cached.cache_hit = True
        return cached, "hit"
    document = extract_document(contract)
    store_pages(cache_dir, document, mode_of(contract.path))
    return document, "miss"


def extract_corpus_to_jsonl(corpus: Path, out_file: Path, cache_dir: Path, workers: int = 2) -> dict[str, Any]:
    """Extract every contract of a folder (in parallel) into one JSON line per page; return counts."""
    contracts = [c for c in scan_corpus(corpus).contracts if not c.duplicate_of]
    counts: dict[str, Any] = {
        "contracts": len(contracts),
        "errors": 0,
        "pages": 0,
        "text": 0,
        "ocr": 0,
        "unread": 0,
        "cache_hits": 0,
        "messages": [],
    }
    lines: list[str] = []
    with ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
        results = pool.map(extract_with_cache, contracts, [cache_dir] * len(contracts))
        for contract, (document, status) in zip(contracts, results, strict=True):
            counts["cache_hits"] += status == "hit"
            if not document.ok:
                counts["errors"] += 1
                counts["messages"].append(document.error)
            for page in document.pages:
                counts["pages"] += 1
                counts[page.method] += 1
                record = {"contract_id": contract.contract_id, "file": contract.path.name, **asdict(page)}
                lines.append(json.dumps(record, ensure_ascii=False))
    atomic_write_bytes(out_file, ("\n".join(lines) + "\n").encode("utf-8") if lines else b"")
    return counts


def analysis_to_json(analysis: ContractAnalysis) -> bytes:
    """Serialise a contract's analysis without its contract file (which the caller knows)."""
    payload = {
        "document": asdict(analysis.document),
        "detections": [asdict(d) for d in analysis.detections],
        "candidates": [asdict(c) for c in analysis.candidates],
        "cues": [asdict(c) for c in analysis.cues],
        "page_themes": {str(page): theme for page, theme in analysis.page_themes.items()},
        "signature_pages": sorted(analysis.signature_pages),
        "warnings": analysis.warnings,
    }
    return gzip.compress(json.dumps(payload, ensure_ascii=False).encode("utf-8"), compresslevel=5)


def json_to_analysis(contract: ContractFile, data: bytes) -> ContractAnalysis:
    """Rebuild a contract's analysis; raises on a damaged or foreign entry."""
    raw: dict[str, Any] = json.loads(gzip.decompress(data))
    document = dict_to_document(raw["document"])
    document.contract_id = contract.contract_id
    document.cache_hit = True
    return ContractAnalysis(
        contract=contract,
        document=document,
        detections=[Detection(**row) for row in raw["detections"]],
        candidates=[Candidate(**row) for row in raw["candidates"]],
        cues=[IndicatorCue(**row) for row in raw["cues"]],
        page_themes={int(page): theme for page, theme in raw["page_themes"].items()},
        signature_pages=frozenset(raw["signature_pages"]),
        warnings=list(raw["warnings"]),
    )


def load_analysis(cache_dir: Path, contract: ContractFile, key: str) -> ContractAnalysis | None:
    """The cached analysis of a contract version under the current key, or None (damaged entries count as absent)."""
    path = detections_cache_path(cache_dir, contract.sha256, key)
    if not path.exists():
        return None
    try:
        return json_to_analysis(contract, path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError, KeyError):
        return None


def store_analysis(cache_dir: Path, sha256: str, key: str, analysis: ContractAnalysis, mode: int = FILE_MODE) -> None:
    """Cache the analysis of a contract version (its quotes readable as its PDF is: `mode`)."""
    atomic_write_bytes(detections_cache_path(cache_dir, sha256, key), analysis_to_json(analysis), mode)


def ner_memo_path(cache_dir: Path, sha256: str, version: str) -> Path:
    return detections_cache_path(cache_dir, sha256, "ner-" + re.sub(r"[^0-9A-Za-z.-]", "_", version))


def load_ner_memo(cache_dir: Path, sha256: str, version: str) -> NerMemo:
    """What spaCy's NER (at `version`) found before in the pages of this file version, by stretch read: an
    analysis run again (lexicon or code edited) reads only the stretches it has not read."""
    try:
        raw = json.loads(gzip.decompress(ner_memo_path(cache_dir, sha256, version).read_bytes()))
        return {str(key): [(str(label), int(a), int(b)) for label, a, b in found] for key, found in raw.items()}
    except (OSError, ValueError, TypeError, EOFError):
        return {}


def store_ner_memo(cache_dir: Path, sha256: str, version: str, memo: NerMemo, mode: int = FILE_MODE) -> None:
    """Keep the NER memo of a file version (readable as its PDF is: `mode`)."""
    data = gzip.compress(json.dumps(memo, separators=(",", ":")).encode("utf-8"), compresslevel=3, mtime=0)
    atomic_write_bytes(ner_memo_path(cache_dir, sha256, version), data, mode)


def document_summary(document: ExtractedDocument) -> ExtractedDocument:
    """The document without its page texts, blocks and tables: what a run keeps in memory per contract
    (readability and errors), while the texts stay in the page cache."""
    pages = [replace(page, text="", header="", footer="", tables=[], blocks=[]) for page in document.pages]
    return replace(document, pages=pages)
