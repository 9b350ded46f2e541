"""Analyse one contract version: extraction (cached), structure, matching, classification, candidates and
indicator cues — the page text read once, the whole result cached under a key derived from the code, the
lexicon, the models and the settings.

`analyse_contract` is what every run calls per contract: the Prefect flow maps it over the corpus, tests
call it directly. The lexicon, matcher and models are loaded once per process.
"""

from __future__ import annotations

import sys
import time
import traceback
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.cache import (
    document_summary,
    extract_with_cache,
    json_to_analysis,
    load_analysis,
    load_ner_memo,
    miss_reason,
    page_cache_path,
    store_analysis,
    store_ner_memo,
)
from pipeline.candidates import NerMemo, load_ner, ner_version
from pipeline.classify import classify_document
from pipeline.cues import contract_cues
from pipeline.extract import EXTRACTOR_VERSION
from pipeline.files import mode_of
from pipeline.french import plural
from pipeline.lexicon import Lexicon, load_lexicon
from pipeline.lexicon_change import copy_analysis, core_fingerprint, reusable_key, store_previous, store_snapshot
from pipeline.match import LexiconMatcher, build_matcher, match_document
from pipeline.members import run_hits
from pipeline.models import Models, load_models
from pipeline.quote import text_to_quote
from pipeline.stage_versions import analysis_key, stage_versions, stage_versions_for
from pipeline.structure import analyse_structure
from pipeline.types import ContractAnalysis, ContractFile, Detection, ExtractedDocument, RunSettings, StageCache
from pipeline.workspace import Workspace

REUSE_REASON = "lexique modifié sans effet possible sur ce contrat : analyse précédente reprise telle quelle"


@dataclass(frozen=True)
class Resources:
    """What analysing a contract needs besides the contract: lexicon, matcher, models and their versions."""

    lexicon: Lexicon
    matcher: LexiconMatcher
    models: Models | None
    versions: dict[str, str]


@lru_cache(maxsize=4)
def _resources(lexicon_dir: Path, models_dir: Path, versions: tuple[tuple[str, str], ...]) -> Resources:
    lexicon = load_lexicon(lexicon_dir)
    core_fingerprint(lexicon)
    model_versions = tuple((name, value) for name, value in versions if name.startswith("modele_"))
    return Resources(lexicon, build_matcher(lexicon), _models(models_dir, model_versions), dict(versions))


@lru_cache(maxsize=1)
def _models(models_dir: Path, versions: tuple[tuple[str, str], ...]) -> Models | None:
    """The models of a folder at these versions: kept when only the lexicon changes (the resident analyser)."""
    return load_models(models_dir)


def resources_for(lexicon_dir: Path, models_dir: Path, use_ner: bool) -> Resources:
    """The lexicon, matcher and models of these folders, loaded once per process and version (the workers of a
    local run find them loaded by `pipeline.preload`)."""
    versions = stage_versions_for(lexicon_dir, models_dir, use_ner)
    return _resources(Path(lexicon_dir).resolve(), Path(models_dir).resolve(), tuple(sorted(versions.items())))


def load_resources(settings: RunSettings) -> Resources:
    """The lexicon, matcher and models of a run's settings, loaded once per process and version."""
    return resources_for(settings.lexicon_dir, settings.models_dir, settings.use_ner)


_preload_counted = False


def preloaded_seconds() -> float:
    """The time the forkserver of this worker took to load its resources (`pipeline.preload`), counted by the
    first analysis of the worker only; 0 elsewhere."""
    global _preload_counted
    preload = sys.modules.get("pipeline.preload")
    if preload is None or _preload_counted:
        return 0.0
    _preload_counted = True
    return float(getattr(preload, "PRELOAD_SECONDS", 0.0))


def blank_document_error(contract: ContractFile, document: ExtractedDocument) -> str:
    """A French error when no page of a readable PDF holds any text (not counted as read)."""
    if not document.ok or any(page.text.strip() for page in document.pages):
        return ""
    return (
        f"{contract.path.name} : aucun texte lisible sur {plural(len(document.pages), 'page')} "
        "(pages blanches, ou illisibles même par OCR) ; contrat non compté."
    )


def internal_error_message(contract: ContractFile, error: Exception) -> str:
    """The French error of a contract whose analysis failed on a fault of cdv (the run goes on without it)."""
    return (
        f"{contract.path.name} : erreur interne de cdv pendant l'analyse ({type(error).__name__} : {error}) ; "
        "contrat non compté, les autres sont analysés. Signalez ce fichier avec la trace affichée."
    )


def mark_quotes(detections: list[Detection], document: ExtractedDocument) -> None:
    """Give each detection the quote of its own page with the matched words located in it."""
    pages = {page.number: page for page in document.pages}
    for detection in detections:
        page = pages.get(detection.page)
        if page is not None:
            detection.snippet, detection.mark_start, detection.mark_end = text_to_quote(
                page.text, detection.start, detection.end
            )


def analyse_document(
    contract: ContractFile,
    document: ExtractedDocument,
    resources: Resources,
    use_ner: bool,
    ner_memo: NerMemo | None = None,
) -> ContractAnalysis:
    """Structure, matches, detections, candidates and indicator cues of one readable document (`ner_memo`: what
    NER read of it before, completed here)."""
    lexicon, models = resources.lexicon, resources.models
    structure = analyse_structure(document, lexicon, models=models)
    matched = match_document(resources.matcher, document)
    signature_pages = frozenset(structure.signature_pages)
    hits, candidates = run_hits(document, matched, lexicon, signature_pages, use_ner, ner_memo, models)
    detections = classify_document(document, hits, structure, lexicon, models=models)
    mark_quotes(detections, document)
    return ContractAnalysis(
        contract=contract,
        document=document_summary(document),
        detections=detections,
        candidates=candidates,
        cues=contract_cues(document, lexicon, dict(structure.page_themes)),
        page_themes=dict(structure.page_themes),
        signature_pages=signature_pages,
        warnings=list(document.warnings),
    )


def analyse_with_memo(
    contract: ContractFile, document: ExtractedDocument, resources: Resources, use_ner: bool, cache_dir: Path
) -> ContractAnalysis:
    """`analyse_document`, NER reading only the stretches of the pages it has not read in an earlier analysis of
    this file version (after a lexicon edit, most of them)."""
    if not use_ner:
        return analyse_document(contract, document, resources, use_ner)
    version = ner_version()
    memo = load_ner_memo(cache_dir, contract.sha256, version)
    known = len(memo)
    analysis = analyse_document(contract, document, resources, use_ner, memo)
    if len(memo) != known:
        store_ner_memo(cache_dir, contract.sha256, version, memo, mode_of(contract.path))
    return analysis


def analyse_or_reuse(
    contract: ContractFile,
    document: ExtractedDocument,
    resources: Resources,
    use_ner: bool,
    cache_dir: Path,
    key: str,
) -> ContractAnalysis:
    """The analysis of a readable document, stored under `key`: the previous analysis of this file version taken
    again when only surface forms of the lexicon changed and none can reach it (`pipeline.lexicon_change`),
    else a full analysis."""
    mode = mode_of(contract.path)
    versions = resources.versions
    reused = reusable_key(cache_dir, contract, versions, resources.lexicon, resources.matcher, document)
    if reused is not None:
        analysis = json_to_analysis(contract, copy_analysis(cache_dir, contract.sha256, reused, key, mode))
        analysis.cache = StageCache(extraction="hit", analysis="reprise", analysis_reason=REUSE_REASON)
    else:
        analysis = analyse_with_memo(contract, document, resources, use_ner, cache_dir)
        store_analysis(cache_dir, contract.sha256, key, analysis, mode)
    store_snapshot(cache_dir, resources.lexicon)
    store_previous(cache_dir, contract, key, versions, mode)
    return analysis


def cached_analysis(
    contract: ContractFile, settings: RunSettings, versions: dict[str, str] | None = None
) -> ContractAnalysis | None:
    """The analysis of a contract version from the workspace cache, when nothing it depends on changed."""
    key = analysis_key(contract.contract_id, versions or stage_versions(settings))
    cached = load_analysis(Workspace(settings.workspace).detection_cache, contract, key)
    if cached is not None:
        cached.cache = StageCache(extraction="hit", analysis="hit")
        cached.seconds = {"analyse": 0.0, "extraction": 0.0, "ocr": 0.0}
    return cached


def analyse_contract(contract: ContractFile, settings: RunSettings) -> ContractAnalysis:
    """Everything a run learns of one contract version, from the workspace cache when nothing it depends on
    changed; otherwise the pages are read once (from the page cache, else from the PDF) and analysed."""
    started = time.perf_counter()
    space = Workspace(settings.workspace)
    versions = stage_versions(settings)
    cached = cached_analysis(contract, settings, versions)
    if cached is not None:
        return cached
    resources = load_resources(settings)
    if settings.use_ner:
        load_ner()
    loaded = time.perf_counter()
    key = analysis_key(contract.contract_id, versions)
    cache = StageCache(analysis_reason=miss_reason(space.detection_cache, contract.sha256))
    page_cached = page_cache_path(space.page_cache, contract.sha256, EXTRACTOR_VERSION).exists()
    if not page_cached:
        cache.extraction_reason = miss_reason(space.page_cache, contract.sha256)
    document, cache.extraction = extract_with_cache(contract, space.page_cache)
    extracted = time.perf_counter()
    if not document.error:
        document.error = blank_document_error(contract, document)
    analysis = None
    if document.ok:
        try:
            analysis = analyse_or_reuse(contract, document, resources, settings.use_ner, space.detection_cache, key)
        except Exception as error:  # a fault met on one contract's text must not cost the others
            traceback.print_exc(file=sys.stderr)
            document.error = internal_error_message(contract, error)
    if analysis is None:
        analysis = ContractAnalysis(contract=contract, document=document_summary(document), warnings=document.warnings)
    elif analysis.cache.analysis == "reprise":
        cache.analysis, cache.analysis_reason = analysis.cache.analysis, analysis.cache.analysis_reason
    analysis.cache = cache
    analysis.seconds = {
        "ressources": round(loaded - started + preloaded_seconds(), 3),
        "extraction": 0.0 if cache.extraction == "hit" else document.seconds,
        "ocr": 0.0 if cache.extraction == "hit" else document.ocr_seconds,
        "analyse": round(time.perf_counter() - extracted, 3),
        "total": round(time.perf_counter() - started, 3),
    }
    return analysis
