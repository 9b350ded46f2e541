"""Write the output files of the data contract, all at once or not at all.

`contracts.csv`, `detections.csv`, `contract_entities.csv`, `tables/partenaires.csv`,
`tables/articulations.csv` and `run.json` are built in a staging folder that replaces the output folder
only when every file is written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.aggregate import (
    articulation_table,
    detections_to_contract_entities,
    detections_to_frame,
    partner_table,
)
from pipeline.errors import CdvError
from pipeline.files import staged_directory
from pipeline.lexicon import Lexicon
from pipeline.types import ContractFile, Detection, ExtractedDocument

AUTO_DETECTIONS = "detections_auto.csv"
DECIDED_DETECTIONS = "detections.csv"

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
]


@dataclass
class RunRecord:
    """What `run.json` says of a run: identity, timings, versions and per-contract status."""

    run_id: str
    started_at: str
    corpus: str
    out: str
    workspace: str
    finished_at: str = ""
    lexicon_version: str = ""
    versions: dict[str, str] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    cache: dict[str, dict[str, str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    contracts: list[dict[str, Any]] = field(default_factory=list)


def contract_row(contract: ContractFile, document: ExtractedDocument | None, corpus_root: Path) -> dict[str, Any]:
    """One row of `contracts.csv`: the file, its readability and its status."""
    pages = document.pages if document else []
    confidences = [page.ocr_confidence for page in pages if page.ocr_confidence is not None]
    error = document.error if document else ""
    if contract.duplicate_of:
        error = f"{contract.path.name} : même contenu que le contrat « {contract.duplicate_of} », lu une seule fois."
    try:
        file_name = contract.path.relative_to(corpus_root).as_posix()
    except ValueError:
        file_name = contract.path.name
    return {
        "contract_id": contract.contract_id,
        "file": file_name,
        "sha256": contract.sha256,
        "pages": len(pages),
        "territory": contract.territory,
        "department": contract.department,
        "status": "error" if error else "ok",
        "error": error,
        "pages_text": sum(page.method == "text" for page in pages),
        "pages_ocr": sum(page.method == "ocr" for page in pages),
        "pages_unread": sum(page.method == "unread" for page in pages),
        "ocr_confidence": round(sum(confidences) / len(confidences), 1) if confidences else "",
        "duplicate_of": contract.duplicate_of,
        "warnings": " | ".join(document.warnings) if document else "",
    }


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 CSV with a header row, no index."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, encoding="utf-8")


def write_outputs(
    out_dir: Path,
    contract_rows: list[dict[str, Any]],
    detections: list[Detection],
    lexicon: Lexicon,
    record: RunRecord,
    publish: Callable[[Path], object] | None = None,
) -> dict[str, int]:
    """Write every output file of a run into `out_dir` atomically; return the counts for the summary.

    `publish`, given the staging folder once the contract files are in it, adds the publications
    (workbook, HTML report, per-theme tables) before the folder replaces `out_dir`.
    """
    contracts = pd.DataFrame(contract_rows, columns=CONTRACT_COLUMNS)
    n_read = int((contracts["status"] == "ok").sum())
    detection_frame = detections_to_frame(detections)
    contract_entities = detections_to_contract_entities(detection_frame, lexicon)
    partners = partner_table(contract_entities, lexicon, n_read)
    schemes = articulation_table(contract_entities, lexicon, n_read)
    record.counts = {
        "contracts": len(contracts),
        "contracts_ok": n_read,
        "contracts_error": len(contracts) - n_read,
        "pages": int(contracts["pages"].sum()) if len(contracts) else 0,
        "detections": len(detection_frame),
        "partners_found": int((partners["n_mentionne"] > 0).sum()),
        "dispositifs_found": int((schemes["n_mentionne"] > 0).sum()),
    }
    record.contracts = contract_rows
    with staged_directory(out_dir) as staging:
        write_csv(contracts, staging / "contracts.csv")
        write_csv(detection_frame, staging / AUTO_DETECTIONS)
        write_csv(detection_frame, staging / DECIDED_DETECTIONS)
        write_csv(contract_entities, staging / "contract_entities.csv")
        write_csv(partners, staging / "tables" / "partenaires.csv")
        write_csv(schemes, staging / "tables" / "articulations.csv")
        (staging / "run.json").write_text(
            json.dumps(record.__dict__, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
        )
        if publish is not None:
            publish(staging)
    return record.counts


class OutputDirError(CdvError):
    """The output folder would overwrite something that is not a cdv run."""


def check_output_dir(out_dir: Path, corpus: Path) -> None:
    """Refuse to replace a folder that is neither empty nor a previous run, or that holds the corpus."""
    out_dir = Path(out_dir).resolve()
    corpus = Path(corpus).resolve()
    if out_dir == corpus or corpus.is_relative_to(out_dir):
        raise OutputDirError(f"{out_dir} : le dossier de sortie contient le corpus ; choisissez un autre --out.")
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / "run.json").exists():
        raise OutputDirError(
            f"{out_dir} : le dossier de sortie existe et n'est pas un résultat de cdv ; "
            "choisissez un dossier vide ou nouveau avec --out."
        )


def detections_source(run_dir: Path) -> Path:
    """The detections as the pipeline found them (`detections_auto.csv`), before reviewer decisions.

    `detections.csv` is the same list with the decisions applied, rewritten by `cdv tables`; runs made
    before the split only have `detections.csv`.
    """
    auto = Path(run_dir) / AUTO_DETECTIONS
    return auto if auto.exists() else Path(run_dir) / DECIDED_DETECTIONS
