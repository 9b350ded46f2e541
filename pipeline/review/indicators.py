"""Indicator review: per contract and indicator of the grid, confirm or override the automatic value,
and enter the `manual` indicators (oui / non / sans objet, with a comment). Same audit trail as detections.

The grid is `lexicons/indicators.csv`; automatic values are read from the run's `contract_indicators.csv`
(contract_id, indicator_id, value, optional evidence) when the indicator stage wrote one.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.inert import read_csv_text
from pipeline.lexicon import INDICATORS_FILE, default_lexicon_dir
from pipeline.review.store import DecisionStore
from pipeline.workspace import Workspace

AUTO_FILE = "contract_indicators.csv"
TRUE_VALUES = {"1", "oui", "yes", "true", "vrai"}
FALSE_VALUES = {"0", "non", "no", "false", "faux"}
VALUE_LABELS = {"oui": "Oui", "non": "Non", "sans_objet": "Sans objet", "": "—"}
DECISION_COLUMNS = [
    "contract_id",
    "indicator_id",
    "value",
    "auto_value",
    "confirmed",
    "comment",
    "reviewer",
    "decided_at",
]


@dataclass(frozen=True)
class GridRow:
    """One indicator of the grid, as the review needs it."""

    indicator_id: str
    label: str
    theme: str
    manual: bool
    published: str = ""


def load_grid(lexicon_dir: Path | None = None) -> list[GridRow]:
    """The indicator grid, or an empty list when the file is absent or unreadable."""
    path = Path(lexicon_dir or default_lexicon_dir()) / INDICATORS_FILE
    if not path.exists():
        return []
    try:
        with path.open(encoding="utf-8", newline="") as stream:
            rows = list(csv.DictReader(stream))
    except (OSError, csv.Error, UnicodeDecodeError):
        return []
    return [
        GridRow(
            indicator_id=row.get("id", "").strip(),
            label=row.get("label", "").strip(),
            theme=row.get("theme", "").strip(),
            manual=row.get("computable", "").strip() == "manual",
            published=row.get("published", "").strip(),
        )
        for row in rows
        if row.get("id", "").strip()
    ]


def normalise_value(raw: object) -> str:
    """`oui`, `non` or `` from what the indicator stage wrote."""
    text = str(raw).strip().lower()
    if text in TRUE_VALUES:
        return "oui"
    if text in FALSE_VALUES:
        return "non"
    return ""


def auto_values(run_dir: Path | None) -> dict[tuple[str, str], tuple[str, str]]:
    """(contract_id, indicator_id) -> (automatic value, evidence), empty if the run has none."""
    if run_dir is None or not (Path(run_dir) / AUTO_FILE).exists():
        return {}
    return frame_to_autos(read_csv_text(Path(run_dir) / AUTO_FILE))


def frame_to_autos(frame: pd.DataFrame) -> dict[tuple[str, str], tuple[str, str]]:
    """(contract_id, indicator_id) -> (automatic value, evidence) from a `contract_indicators` table."""
    if not {"contract_id", "indicator_id"} <= set(frame.columns):
        return {}
    value_column = next((c for c in ("value", "present", "valeur") if c in frame.columns), None)
    evidence_column = next((c for c in ("evidence", "snippet", "pages") if c in frame.columns), None)
    return {
        (str(row["contract_id"]), str(row["indicator_id"])): (
            normalise_value(row[value_column]) if value_column else "",
            str(row[evidence_column]) if evidence_column else "",
        )
        for row in frame.to_dict("records")
    }


def indicator_decisions(workspace: Workspace, run_dir: Path | None = None) -> pd.DataFrame:
    """Current reviewer values per contract and indicator (for the indicator table and the report).

    `value` is oui / non / sans_objet; `confirmed` is 1 when the reviewer confirmed the automatic value.
    Contracts absent from `run_dir` (when given) are left out.
    """
    if not Path(workspace.database).exists():
        return pd.DataFrame(columns=DECISION_COLUMNS)
    decisions = DecisionStore(workspace).current_indicators()
    rows = [
        {
            "contract_id": d.contract_id,
            "indicator_id": d.indicator_id,
            "value": d.value,
            "auto_value": d.auto_value,
            "confirmed": int(d.confirmed),
            "comment": d.comment,
            "reviewer": d.reviewer,
            "decided_at": d.created_at,
        }
        for d in decisions
    ]
    frame = pd.DataFrame(rows, columns=DECISION_COLUMNS)
    if run_dir is not None and (Path(run_dir) / "contracts.csv").exists():
        contracts = read_csv_text(Path(run_dir) / "contracts.csv")
        frame = frame[frame["contract_id"].isin(set(contracts["contract_id"]))]
    return frame.reset_index(drop=True)


def contract_indicator_rows(
    store: DecisionStore,
    contract_id: str,
    run_dir: Path | None,
    grid: list[GridRow],
    autos: dict[tuple[str, str], tuple[str, str]] | None = None,
) -> list[dict[str, object]]:
    """The grid for one contract: automatic value and evidence, reviewer value, who and when.

    `autos` are the automatic values with the detection decisions in force (see
    `cells.live_contract_indicators`); without them, those of the run's last publication.
    """
    autos = auto_values(run_dir) if autos is None else autos
    current = {d.indicator_id: d for d in store.current_indicators(contract_id)}
    rows: list[dict[str, object]] = []
    for item in grid:
        auto, evidence = autos.get((contract_id, item.indicator_id), ("", ""))
        decision = current.get(item.indicator_id)
        rows.append(
            {
                "indicator": item,
                "auto": auto,
                "evidence": evidence,
                "decision": decision,
                "value": decision.value if decision else auto,
            }
        )
    return rows
