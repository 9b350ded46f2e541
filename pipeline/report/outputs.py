"""The raw files of a run: what the analysis found, before any table is built.

`write_raw_run` writes `contracts.csv`, `detections_auto.csv` (and a first `detections.csv`, which
publication rewrites with reviewer decisions), `candidates.csv`, `indicator_cues.csv`, `page_themes.csv`
and `run.json` into a run's staging folder; `pipeline.report.publish.publish` builds every table from them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from pipeline.aggregate import detections_to_frame
from pipeline.candidates import candidates_to_frame
from pipeline.files import atomic_write_bytes, atomic_writer
from pipeline.inert import csv_bytes, write_inert_csv
from pipeline.types import ContractAnalysis, IndicatorCue, RunResult

AUTO_DETECTIONS = "detections_auto.csv"
DECIDED_DETECTIONS = "detections.csv"
CUES_FILE = "indicator_cues.csv"
PAGE_THEMES_FILE = "page_themes.csv"
RAW_FILES = ("contracts.csv", AUTO_DETECTIONS, DECIDED_DETECTIONS, "candidates.csv", CUES_FILE, PAGE_THEMES_FILE)

CONTRACT_COLUMNS = [
    "contract_id",
    "file",
    "sha256",
    "pages",
    "territory",
    "department",
    "status",
    "error",
    "pages_text",
    "pages_ocr",
    "pages_unread",
    "ocr_confidence",
    "duplicate_of",
    "warnings",
]
CUE_COLUMNS = ["contract_id", "indicator_id", "kind", "page", "start", "end", "snippet", "mark_start", "mark_end"]
PAGE_THEME_COLUMNS = ["contract_id", "page", "theme", "signature"]


def frame_to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a header row, no index, every text cell inert in a spreadsheet (`pipeline.inert`)."""
    return csv_bytes(frame)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """A table as a CSV file (as `frame_to_csv_bytes`), written atomically without its whole text in memory."""
    with atomic_writer(path) as stream:
        write_inert_csv(frame, stream)


def cues_to_frame(cues: list[IndicatorCue]) -> pd.DataFrame:
    """One row per indicator cue (`indicator_cues.csv`)."""
    return pd.DataFrame([vars(cue) for cue in cues], columns=CUE_COLUMNS)  # flat: vars is asdict, faster


def page_themes_to_frame(analyses: list[ContractAnalysis]) -> pd.DataFrame:
    """One row per page of every contract read: its theme, and whether it is in a signature section."""
    rows = [
        {
            "contract_id": analysis.contract.contract_id,
            "page": page.number,
            "theme": analysis.page_themes.get(page.number, ""),
            "signature": int(page.number in analysis.signature_pages),
        }
        for analysis in analyses
        if analysis.ok
        for page in analysis.document.pages
    ]
    return pd.DataFrame(rows, columns=PAGE_THEME_COLUMNS)


def write_run_json(folder: Path, result: RunResult) -> None:
    """`run.json` of a run (see `RunResult.to_json`)."""
    text = json.dumps(result.to_json(), ensure_ascii=False, indent=2, default=str)
    atomic_write_bytes(Path(folder) / "run.json", text.encode("utf-8"))


def write_raw_run(folder: Path, result: RunResult, analyses: list[ContractAnalysis]) -> None:
    """Every raw file of a run, from its contract records and the analyses of the contracts read."""
    folder = Path(folder)
    read = [analysis for analysis in analyses if analysis.ok]
    contracts = pd.DataFrame([record.to_row() for record in result.contracts], columns=CONTRACT_COLUMNS)
    detections = detections_to_frame([d for analysis in read for d in analysis.detections])
    signature_pages = {analysis.contract.contract_id: analysis.signature_pages for analysis in read}
    candidates = candidates_to_frame([c for analysis in read for c in analysis.candidates], signature_pages)
    write_csv(contracts, folder / "contracts.csv")
    write_csv(detections, folder / AUTO_DETECTIONS)
    write_csv(detections, folder / DECIDED_DETECTIONS)
    write_csv(candidates, folder / "candidates.csv")
    write_csv(cues_to_frame([cue for analysis in read for cue in analysis.cues]), folder / CUES_FILE)
    write_csv(page_themes_to_frame(read), folder / PAGE_THEMES_FILE)
    write_run_json(folder, result)


def detections_source(run_dir: Path) -> Path:
    """The detections as the pipeline found them (`detections_auto.csv`), before reviewer decisions.

    `detections.csv` is the same list with the decisions applied, rewritten by `cdv tables`; runs made
    before the split only have `detections.csv`.
    """
    auto = Path(run_dir) / AUTO_DETECTIONS
    return auto if auto.exists() else Path(run_dir) / DECIDED_DETECTIONS
