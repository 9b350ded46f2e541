"""A stored run, loaded for publication: contracts, detections with reviewer decisions, lexicon, pages.

Nothing is re-extracted: detections come from the run's `detections_auto.csv` (decisions applied through
`pipeline.review.apply_decisions`), page texts from the workspace page cache when it still holds them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.aggregate import DETECTION_COLUMNS
from pipeline.errors import CdvError
from pipeline.lexicon import Lexicon, load_lexicon
from pipeline.report.figures import Evidence
from pipeline.report.outputs import detections_source
from pipeline.types import ExtractedDocument
from pipeline.workspace import Workspace


class RunDataError(CdvError):
    """A run folder cannot be published (missing or unreadable files); the message is in French."""


@dataclass(frozen=True)
class Mention:
    """One detection row, as plain values (fast to scan in Python loops)."""

    detection_id: str
    contract_id: str
    entity_id: str
    kind: str
    role: str
    theme: str
    page: int
    start: int
    end: int
    snippet: str
    score: float
    status: str

    def evidence(self) -> Evidence:
        return Evidence(self.contract_id, self.page, self.status, self.score, self.detection_id, self.snippet)


@dataclass
class RunData:
    """Everything publication needs from one run folder."""

    run_dir: Path
    run: dict[str, Any]
    contracts: pd.DataFrame
    detections: pd.DataFrame
    lexicon: Lexicon
    workspace: Workspace | None = None
    mentions: list[Mention] = field(default_factory=list)
    _pages: dict[str, ExtractedDocument | None] = field(default_factory=dict)

    @cached_property
    def read_ids(self) -> list[str]:
        """Contracts successfully read: the denominator of every percentage."""
        return sorted(self.contracts.loc[self.contracts["status"] == "ok", "contract_id"])

    @property
    def n_read(self) -> int:
        return len(self.read_ids)

    @cached_property
    def unread(self) -> dict[str, int]:
        """Unread pages per contract read (0 when the column is missing)."""
        if "pages_unread" not in self.contracts:
            return {}
        ok = self.contracts[self.contracts["status"] == "ok"]
        return {cid: int(n or 0) for cid, n in zip(ok["contract_id"], pd.to_numeric(ok["pages_unread"]), strict=True)}

    @cached_property
    def departments(self) -> dict[str, str]:
        """Department of every contract (empty string when unknown)."""
        return dict(zip(self.contracts["contract_id"], self.contracts["department"], strict=True))

    def by_entity(self) -> dict[str, list[Mention]]:
        """Mentions grouped by entity id."""
        grouped: dict[str, list[Mention]] = {}
        for mention in self.mentions:
            grouped.setdefault(mention.entity_id, []).append(mention)
        return grouped

    def pages(self, contract_id: str) -> ExtractedDocument | None:
        """The cached page texts of a contract, or None when the workspace cache no longer holds them."""
        if contract_id not in self._pages:
            self._pages[contract_id] = self._load_pages(contract_id)
        return self._pages[contract_id]

    def _load_pages(self, contract_id: str) -> ExtractedDocument | None:
        if self.workspace is None:
            return None
        from pipeline.cache import load_pages
        from pipeline.extract import EXTRACTOR_VERSION

        rows = self.contracts[self.contracts["contract_id"] == contract_id]
        if rows.empty or not rows.iloc[0]["sha256"]:
            return None
        version = self.run.get("versions", {}).get("extraction") or EXTRACTOR_VERSION
        document = load_pages(self.workspace.page_cache, str(rows.iloc[0]["sha256"]), version)
        if document is None and version != EXTRACTOR_VERSION:
            document = load_pages(self.workspace.page_cache, str(rows.iloc[0]["sha256"]), EXTRACTOR_VERSION)
        return document


def read_csv(path: Path) -> pd.DataFrame:
    """A run CSV as strings (empty cells stay empty strings)."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError as error:
        raise RunDataError(f"{path} introuvable : ce dossier n'est pas un résultat complet de cdv run.") from error
    except (OSError, ValueError, pd.errors.ParserError) as error:
        raise RunDataError(f"{path} illisible ({error}).") from error


def typed_detections(frame: pd.DataFrame) -> pd.DataFrame:
    """Detections with numeric page, offsets and score, and every contract column present."""
    frame = frame.copy()
    for column in DETECTION_COLUMNS:
        if column not in frame:
            frame[column] = ""
    for column in ("page", "start", "end"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").fillna(0).astype(int)
    frame["score"] = pd.to_numeric(frame["score"], errors="coerce").fillna(1.0).astype(float)
    frame["status"] = frame["status"].replace("", "auto").fillna("auto")
    for column in ("theme", "role", "snippet", "entity_acronym"):
        frame[column] = frame[column].fillna("").astype(str)
    return frame


def frame_to_mentions(frame: pd.DataFrame) -> list[Mention]:
    """Plain records of the detections, for fast grouping."""
    columns = [
        "detection_id",
        "contract_id",
        "entity_id",
        "kind",
        "role",
        "theme",
        "page",
        "start",
        "end",
        "snippet",
        "score",
        "status",
    ]
    return [Mention(*row) for row in frame[columns].itertuples(index=False, name=None)]


def resolve_run_workspace(run: dict[str, Any], workspace: Workspace | None) -> Workspace | None:
    """The workspace given, else the run's own (from run.json) when that folder still exists."""
    if workspace is not None:
        return workspace
    recorded = run.get("workspace")
    if recorded and Path(recorded).is_dir():
        return Workspace(Path(recorded))
    return None


def load_run(run_dir: Path, lexicon_dir: Path, workspace: Workspace | None = None) -> RunData:
    """Load a run folder with reviewer decisions applied to its stored detections."""
    from pipeline.review import apply_decisions

    run_dir = Path(run_dir)
    if not (run_dir / "run.json").exists():
        raise RunDataError(f"{run_dir} : pas de run.json, ce dossier n'est pas un résultat de cdv run.")
    try:
        run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise RunDataError(f"{run_dir / 'run.json'} illisible ({error}).") from error
    contracts = read_csv(run_dir / "contracts.csv")
    for column in ("department", "pages_unread", "sha256", "status"):
        if column not in contracts:
            contracts[column] = ""
    space = resolve_run_workspace(run, workspace)
    detections = typed_detections(read_csv(detections_source(run_dir)))
    if space is not None:
        detections = typed_detections(apply_decisions(detections, space, run_dir))
    lexicon = load_lexicon(Path(lexicon_dir))
    data = RunData(run_dir, run, contracts, detections, lexicon, space)
    data.mentions = frame_to_mentions(detections)
    return data
