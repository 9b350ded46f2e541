"""Prefect orchestration of the stages: one task per stage, contracts processed in parallel.

The flow only moves data between the library functions of the stages; import this module after
`pipeline.workspace.configure_prefect` so that Prefect reads its settings from the workspace.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.futures import as_completed
from prefect.task_runners import ProcessPoolTaskRunner

from pipeline import __version__
from pipeline.cache import (
    analysis_key,
    cached_document,
    document_summary,
    extract_with_cache,
    load_analysis,
    miss_reason,
    store_analysis,
)
from pipeline.candidates import Candidate, candidates_to_frame, contract_candidates
from pipeline.classify import CLASSIFIER_VERSION, classify_document
from pipeline.corpus import check_corpus, scan_corpus
from pipeline.errors import CdvError
from pipeline.extract import EXTRACTOR_VERSION
from pipeline.history import record_run
from pipeline.lexicon import load_lexicon
from pipeline.match import MATCHER_VERSION, load_matcher, match_document
from pipeline.models import default_models_dir, load_models, model_versions
from pipeline.report import RunRecord, check_output_dir, contract_row, write_outputs
from pipeline.report.publish import publish_run
from pipeline.structure import STRUCTURE_VERSION, analyse_structure
from pipeline.types import ContractFile, Detection, ExtractedDocument, Hit, Structure
from pipeline.versions import register_versions
from pipeline.workspace import Workspace

ProgressHook = Callable[[str, int, int], None]
progress_hook: ProgressHook | None = None


def report_progress(label: str, done: int, total: int) -> None:
    """Tell the CLI's progress bar, if any, how far the run is."""
    if progress_hook is not None:
        progress_hook(label, done, total)


@task(name="extraction", retries=1, retry_delay_seconds=1)
def extract_task(contract: ContractFile, page_cache: str) -> tuple[ExtractedDocument, str]:
    """Text of every page, from the cache when this file version was already read. Returns the document
    without its texts (they stay in the page cache), so that the flow's memory does not grow with the corpus."""
    document, status = extract_with_cache(contract, Path(page_cache))
    return document_summary(document), status


@task(name="structure")
def structure_task(
    extracted: tuple[ExtractedDocument, str], contract: ContractFile, settings: dict[str, Any]
) -> Structure:
    """Signature sections, sections with their themes, page themes."""
    document = cached_document(contract, Path(settings["page_cache"]))
    lexicon = load_lexicon(Path(settings["lexicon_dir"]))
    return analyse_structure(document, lexicon, models=load_models(Path(settings["models_dir"])))


@task(name="correspondance")
def match_task(extracted: tuple[ExtractedDocument, str], contract: ContractFile, settings: dict[str, Any]) -> list[Hit]:
    """Lexicon hits of one contract."""
    document = cached_document(contract, Path(settings["page_cache"]))
    return match_document(load_matcher(Path(settings["lexicon_dir"])), document)


@task(name="classification")
def classify_task(
    extracted: tuple[ExtractedDocument, str],
    hits: list[Hit],
    structure: Structure,
    contract: ContractFile,
    settings: dict[str, Any],
    key: str,
) -> tuple[list[Detection], list[Candidate], float]:
    """Roles, senses, themes and scores of the hits of one contract, and the organisations outside the
    lexicons; both cached under the analysis key."""
    started = time.perf_counter()
    if not extracted[0].ok:
        return [], [], 0.0
    document = cached_document(contract, Path(settings["page_cache"]))
    lexicon = load_lexicon(Path(settings["lexicon_dir"]))
    models = load_models(Path(settings["models_dir"]))
    detections = classify_document(document, hits, structure, lexicon, models=models)
    candidates = contract_candidates(document, hits, lexicon, structure.signature_pages, use_ner=settings["use_ner"])
    store_analysis(Path(settings["detection_cache"]), document.sha256, key, detections, candidates)
    return detections, candidates, time.perf_counter() - started


@task(name="agregation-rapport")
def write_task(
    out: str,
    rows: list[dict[str, Any]],
    detections: list[Detection],
    candidates: list[Candidate],
    signature_pages: dict[str, frozenset[int]],
    lexicon_dir: str,
    record: RunRecord,
) -> dict[str, int]:
    """Tables from the detections, the candidates, the publications: every output file, atomically."""

    def publish(staging: Path) -> None:
        candidates_to_frame(candidates, signature_pages).to_csv(staging / "candidates.csv", index=False)
        publish_run(staging, Path(lexicon_dir), Workspace(Path(record.workspace)))

    return write_outputs(Path(out), rows, detections, load_lexicon(Path(lexicon_dir)), record, publish=publish)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@flow(name="cdv-run", log_prints=False)
def cdv_flow(
    corpus: str, out: str, workspace: str, lexicon_dir: str, models_dir: str = "", use_ner: bool = True
) -> dict[str, Any]:
    """Read a corpus folder and write the evidence-backed tables into `out`."""
    wall_start = time.perf_counter()
    models_dir = models_dir or str(default_models_dir())
    lexicon = load_lexicon(Path(lexicon_dir))
    record = RunRecord(
        run_id=datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6],
        started_at=now_iso(),
        corpus=str(Path(corpus).resolve()),
        out=str(Path(out).resolve()),
        workspace=str(Path(workspace).resolve()),
        lexicon_version=lexicon.version,
        versions={
            "cdv": __version__,
            "extraction": EXTRACTOR_VERSION,
            "structure": STRUCTURE_VERSION,
            "correspondance": MATCHER_VERSION,
            "classification": CLASSIFIER_VERSION,
            "candidats": "ner" if use_ner else "motifs",
            **{f"modele_{name}": version for name, version in model_versions(Path(models_dir)).items()},
        },
    )
    stage_start = time.perf_counter()
    corpus_scan = scan_corpus(Path(corpus))
    record.stage_seconds["corpus"] = round(time.perf_counter() - stage_start, 3)
    contracts = [c for c in corpus_scan.contracts if not c.duplicate_of]
    space = Workspace(Path(workspace))
    version_changes = {
        change.contract_id: change for change in register_versions(space, contracts, run_id=record.run_id)
    }
    analysis_versions = {**record.versions, "lexique": lexicon.version}
    keys = {c.contract_id: analysis_key(c.contract_id, analysis_versions) for c in contracts}
    reused = {
        c.contract_id: cached
        for c in contracts
        if (cached := load_analysis(space.detection_cache, c.sha256, keys[c.contract_id])) is not None
    }
    settings = {
        "lexicon_dir": lexicon_dir,
        "models_dir": models_dir,
        "use_ner": use_ner,
        "page_cache": str(space.page_cache),
        "detection_cache": str(space.detection_cache),
    }
    extraction_reasons = {c.contract_id: miss_reason(space.page_cache, c.sha256) for c in contracts}
    analysis_reasons = {c.contract_id: miss_reason(space.detection_cache, c.sha256) for c in contracts}

    extracted: list[Any] = [extract_task.submit(c, str(space.page_cache)) for c in contracts]
    classified: dict[str, Any] = {}
    for contract, extract_future in zip(contracts, extracted, strict=True):
        if contract.contract_id in reused:
            continue
        structure: Any = structure_task.submit(extract_future, contract, settings)
        matched: Any = match_task.submit(extract_future, contract, settings)
        classified[contract.contract_id] = classify_task.submit(
            extract_future, matched, structure, contract, settings, keys[contract.contract_id]
        )
    pending = list(classified.values()) + [
        e for c, e in zip(contracts, extracted, strict=True) if c.contract_id in reused
    ]
    report_progress("Lecture des contrats", 0, len(pending))
    for done, _ in enumerate(as_completed(pending), start=1):
        report_progress("Lecture des contrats", done, len(pending))

    documents: dict[str, ExtractedDocument] = {}
    detections: list[Detection] = []
    candidates: list[Candidate] = []
    for contract, extract_future in zip(contracts, extracted, strict=True):
        document, extraction_status = extract_future.result()
        documents[contract.contract_id] = document
        change = version_changes.get(contract.contract_id)
        status = {"version": f"v{change.version_no}", "version_changement": change.kind} if change else {}
        status["extraction"] = extraction_status
        if extraction_status == "miss":
            status["extraction_raison"] = extraction_reasons[contract.contract_id]
        if contract.contract_id in reused:
            contract_detections, contract_candidates_found = reused[contract.contract_id]
            status["analyse"] = "hit"
        else:
            contract_detections, contract_candidates_found, seconds = classified[contract.contract_id].result()
            record.stage_seconds["analyse"] = record.stage_seconds.get("analyse", 0.0) + seconds
            status["analyse"] = "miss"
            status["analyse_raison"] = analysis_reasons[contract.contract_id]
        record.cache[contract.contract_id] = status
        if document.ok:
            detections.extend(contract_detections)
            candidates.extend(contract_candidates_found)
    record.stage_seconds["extraction"] = round(
        sum(document.seconds for document in documents.values() if not document.cache_hit), 3
    )
    record.stage_seconds["analyse"] = round(record.stage_seconds.get("analyse", 0.0), 3)
    record.stage_seconds["pipeline_wall"] = round(time.perf_counter() - wall_start, 3)

    rows = [contract_row(c, documents.get(c.contract_id), Path(corpus)) for c in corpus_scan.contracts]
    rows += [missing_row(row.contract_id, row.file, row.territory, row.department) for row in corpus_scan.missing]
    for row in rows:
        row["cache"] = record.cache.get(row["contract_id"], {})
    record.finished_at = now_iso()
    signature_pages = signature_pages_of(detections)
    counts = write_task.submit(out, rows, detections, candidates, signature_pages, lexicon_dir, record).result()
    record_run(space, json.loads((Path(out) / "run.json").read_text(encoding="utf-8")), register=False)
    versions = {cid: change.kind for cid, change in version_changes.items()}
    return {"counts": counts, "run_id": record.run_id, "out": record.out, "contracts": rows, "versions": versions}


def signature_pages_of(detections: list[Detection]) -> dict[str, frozenset[int]]:
    """Pages where each contract has a signatory: enough to flag candidates met on signature pages."""
    pages: dict[str, set[int]] = {}
    for detection in detections:
        if detection.role == "signataire":
            pages.setdefault(detection.contract_id, set()).add(detection.page)
    return {contract_id: frozenset(numbers) for contract_id, numbers in pages.items()}


def missing_row(contract_id: str, file: str, territory: str, department: str) -> dict[str, Any]:
    """A manifest row whose file is not in the corpus folder."""
    return {
        "contract_id": contract_id,
        "file": file,
        "sha256": "",
        "pages": 0,
        "territory": territory,
        "department": department,
        "status": "error",
        "error": f"{file} : fichier indiqué dans le manifeste mais absent du dossier du corpus.",
    }


def task_runner_for(workers: int, dask_address: str | None = None) -> Any:
    """A local process pool, or the Dask cluster at `dask_address` (through prefect-dask)."""
    if dask_address:
        try:
            from prefect_dask import DaskTaskRunner
        except ImportError as error:
            raise CdvError("prefect-dask n'est pas installé : pip install prefect-dask pour --dask-address.") from error
        return DaskTaskRunner(address=dask_address)
    return ProcessPoolTaskRunner(max_workers=max(1, workers))


def run_corpus(
    corpus: Path,
    out: Path,
    workspace: Workspace,
    lexicon_dir: Path,
    workers: int = 2,
    dask_address: str | None = None,
    models_dir: Path | None = None,
    use_ner: bool = True,
) -> dict[str, Any]:
    """Run the whole pipeline through the Prefect flow, on local processes or a Dask cluster."""
    check_corpus(corpus)
    check_output_dir(out, corpus)
    configured = cdv_flow.with_options(task_runner=task_runner_for(workers, dask_address))
    models = str(models_dir or default_models_dir())
    with prefect_api():
        return configured(str(corpus), str(out), str(workspace.root), str(lexicon_dir), models, use_ner)


@contextmanager
def prefect_api() -> Iterator[None]:
    """One Prefect API for the flow and its worker processes: the configured server (`PREFECT_API_URL`),
    else one temporary local server started once per process — without it, every worker process would
    start a temporary server of its own."""
    if os.environ.get("PREFECT_API_URL"):
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, temporary_settings

    server = SubprocessASGIServer()
    server.start(timeout=int(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")))
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            yield
    finally:
        os.environ.pop("PREFECT_API_URL", None)
