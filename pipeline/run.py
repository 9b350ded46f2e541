"""A run, whatever executes it: scan the corpus, register versions, analyse every contract, write the raw run,
publish it, replace the output folder, record the history.

`execute_run` is the body of the Prefect flow (`pipeline.flows`), which only supplies a way to analyse the
contracts in parallel; tests and small corpora run it serially. Nothing here imports Prefect.
"""

from __future__ import annotations

import pickle
import time
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from pipeline.analyse import analyse_contract, cached_analysis
from pipeline.corpus import Corpus, ManifestRow, RejectedFile, check_corpus, scan_corpus
from pipeline.files import staged_directory
from pipeline.freshness import run_versions
from pipeline.history import record_run_folder
from pipeline.in_flight import in_flight
from pipeline.lexicon import Lexicon, load_lexicon
from pipeline.models import model_versions
from pipeline.report.outputs import write_raw_run, write_run_json
from pipeline.report.publish import publish
from pipeline.runfolder import check_output_dir
from pipeline.stage_versions import stage_versions
from pipeline.types import (
    ContractAnalysis,
    ContractFile,
    ContractRecord,
    RunCounts,
    RunResult,
    RunSettings,
)
from pipeline.versions import VersionChange, register_versions
from pipeline.workspace import Workspace

AnalyseAll = Callable[[list[ContractFile], RunSettings], Iterable[ContractAnalysis]]
Progress = Callable[[int, int], None]


def analyse_serially(contracts: list[ContractFile], settings: RunSettings) -> Iterator[ContractAnalysis]:
    """Analyse the contracts one after the other in this process."""
    for contract in contracts:
        yield analyse_contract(contract, settings)


def pack_findings(analysis: ContractAnalysis) -> bytes:
    """Take a contract's detections, candidates and cues out of its analysis, pickled and compressed: held so
    while the other contracts are analysed, the 400 contracts' findings take ~8 MB instead of ~120 MB of objects
    in the process that waits for them (our own objects, never read from a file)."""
    findings = (analysis.detections, analysis.candidates, analysis.cues)
    analysis.detections, analysis.candidates, analysis.cues = [], [], []
    return zlib.compress(pickle.dumps(findings, protocol=pickle.HIGHEST_PROTOCOL), 1)


def unpack_findings(analysis: ContractAnalysis, packed: bytes) -> None:
    """Put back what `pack_findings` took out of the analysis."""
    analysis.detections, analysis.candidates, analysis.cues = pickle.loads(zlib.decompress(packed))


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def contract_record(contract: ContractFile, analysis: ContractAnalysis | None, corpus_root: Path) -> ContractRecord:
    """The `contracts.csv` row of a contract file from its analysis (none for a duplicate file)."""
    document = analysis.document if analysis else None
    pages = document.pages if document else []
    error = document.error if document else ""
    if contract.duplicate_of:
        error = f"{contract.path.name} : même contenu que le contrat « {contract.duplicate_of} », lu une seule fois."
    try:
        file_name = contract.path.relative_to(corpus_root).as_posix()
    except ValueError:
        file_name = contract.path.name
    return ContractRecord(
        contract_id=contract.contract_id,
        file=file_name,
        sha256=contract.sha256,
        pages=len(pages),
        territory=contract.territory,
        department=contract.department,
        status="error" if error else "ok",
        error=error,
        pages_text=sum(page.method == "text" for page in pages),
        pages_ocr=sum(page.method == "ocr" for page in pages),
        pages_unread=sum(page.method == "unread" for page in pages),
        ocr_confidence=document.mean_ocr_confidence if document else None,
        duplicate_of=contract.duplicate_of,
        warnings=list(analysis.warnings) if analysis else [],
        cache=analysis.cache if analysis else None,
    )


def unread_record(entry: ManifestRow | RejectedFile, error: str) -> ContractRecord:
    """An error row for a contract file that is not read: named by the manifest but absent, or refused (a link
    leading outside the corpus folder)."""
    return ContractRecord(
        contract_id=entry.contract_id,
        file=entry.file,
        territory=entry.territory,
        department=entry.department,
        status="error",
        error=error,
    )


def contract_records(
    scan: Corpus, analyses: dict[str, ContractAnalysis], changes: dict[str, VersionChange]
) -> list[ContractRecord]:
    """Every contract file of the scan (duplicates included) and every missing manifest file, in scan order."""
    records = []
    for contract in scan.contracts:
        record = contract_record(contract, analyses.get(contract.contract_id), scan.root)
        change = changes.get(contract.contract_id)
        if change is not None:
            record.version, record.version_change = f"v{change.version_no}", change.kind
        records.append(record)
    absent = "fichier indiqué dans le manifeste mais absent du dossier du corpus."
    records += [unread_record(row, f"{row.file} : {absent}") for row in scan.missing]
    return records + [unread_record(rejected, rejected.error) for rejected in scan.rejected]


def run_counts(records: list[ContractRecord], analyses: dict[str, ContractAnalysis]) -> RunCounts:
    """Counts over the contracts; partners and dispositifs found come from the publication."""
    ok = sum(record.status == "ok" for record in records)
    return RunCounts(
        contracts=len(records),
        contracts_ok=ok,
        contracts_error=len(records) - ok,
        pages=sum(record.pages for record in records),
        detections=sum(len(a.detections) for a in analyses.values() if a.ok),
    )


def stage_seconds(analyses: dict[str, ContractAnalysis]) -> dict[str, float]:
    """Summed library time per stage over the contracts analysed in this run; for the resources, the longest
    loading (the workers load them once each, side by side, or once for all in their forkserver)."""
    totals: dict[str, float] = {"ressources": 0.0, "extraction": 0.0, "ocr": 0.0, "analyse": 0.0}
    for analysis in analyses.values():
        for name in totals:
            value = analysis.seconds.get(name, 0.0)
            totals[name] = max(totals[name], value) if name == "ressources" else totals[name] + value
    return {name: round(value, 3) for name, value in totals.items()}


def settings_warnings(settings: RunSettings) -> list[str]:
    """What the user must know about the settings before trusting the figures (French)."""
    if not model_versions(settings.models_dir):
        return [
            f"aucun modèle dans {settings.models_dir} : sens, rôles et thèmes décidés par règles, scores non calibrés."
        ]
    return []


def check_run(settings: RunSettings) -> Lexicon:
    """Everything that can be refused before any work: corpus, output folder, lexicons (French errors)."""
    check_corpus(settings.corpus)
    check_output_dir(settings.out, settings.corpus, Workspace(settings.workspace), on_resume=record_run_folder)
    return load_lexicon(settings.lexicon_dir)


def execute_run(
    settings: RunSettings, analyse_all: AnalyseAll = analyse_serially, progress: Progress | None = None
) -> RunResult:
    """Read a corpus folder and write the evidence-backed tables into `settings.out`, atomically."""
    wall = time.perf_counter()
    lexicon = check_run(settings)
    result = RunResult(
        run_id=new_run_id(),
        started_at=now_iso(),
        settings=settings,
        lexicon_version=lexicon.version,
        versions=run_versions(settings),
        warnings=settings_warnings(settings),
    )
    scanned = time.perf_counter()
    scan = scan_corpus(settings.corpus, follow_links=settings.follow_links)
    contracts = [contract for contract in scan.contracts if not contract.duplicate_of]
    space = Workspace(settings.workspace)
    changes = {change.contract_id: change for change in register_versions(space, contracts, run_id=result.run_id)}
    result.stage_seconds["corpus"] = round(time.perf_counter() - scanned, 3)
    analysis_versions = stage_versions(settings)
    analyses: dict[str, ContractAnalysis] = {
        contract.contract_id: cached
        for contract in contracts
        if not in_flight(contract) and (cached := cached_analysis(contract, settings, analysis_versions)) is not None
    }
    pending = [contract for contract in contracts if contract.contract_id not in analyses]
    if progress:
        progress(len(analyses), len(contracts))
    packed: dict[str, bytes] = {}
    for done, analysis in enumerate(analyse_all(pending, settings), start=len(analyses) + 1):
        analyses[analysis.contract.contract_id] = analysis
        packed[analysis.contract.contract_id] = pack_findings(analysis)
        if progress:
            progress(done, len(contracts))
    for contract_id, findings in packed.items():
        unpack_findings(analyses[contract_id], findings)
    packed.clear()
    result.contracts = contract_records(scan, analyses, changes)
    result.counts = run_counts(result.contracts, analyses)
    result.stage_seconds |= stage_seconds(analyses)
    result.stage_seconds["pipeline_wall"] = round(time.perf_counter() - wall, 3)
    ordered = [analyses[c.contract_id] for c in contracts if c.contract_id in analyses]
    with staged_directory(settings.out, result.run_id, lambda staging: record_run_folder(staging, space)) as staging:
        result.finished_at = now_iso()
        write_raw_run(staging, result, ordered)
        ordered.clear()
        analyses.clear()  # the publication reads the run's files: the analyses' memory goes before it starts
        result.publication = publish(staging, lexicon, space, previous=settings.out)
        result.stage_seconds["publication"] = result.publication.seconds["total"]
        result.counts.partners_found = result.publication.partners_found
        result.counts.dispositifs_found = result.publication.dispositifs_found
        result.warnings += result.publication.warnings
        write_run_json(staging, result)
    return result
