"""A stored run, loaded for publication: contracts, detections with reviewer decisions, indicator cues,
page themes and the lexicon.

Nothing is re-extracted and no page text is read: detections come from the run's `detections_auto.csv`
(decisions applied through `pipeline.review.apply_decisions`), indicator cues and page themes from the
files the analysis wrote. The review app builds the same `RunData` from its own decided detections, so that
its live tables are the published ones.
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
from pipeline.inert import read_csv_text
from pipeline.lexicon import Lexicon
from pipeline.report.figures import Evidence
from pipeline.report.outputs import CUE_COLUMNS, CUES_FILE, PAGE_THEME_COLUMNS, PAGE_THEMES_FILE, detections_source
from pipeline.workspace import Workspace


class RunDataError(CdvError):
    """A run folder cannot be published (missing or unreadable files); the message is in French."""


@dataclass(frozen=True, slots=True)
class Mention:
    """One detection row, as plain values (fast to scan in Python loops; slots: 47,000 of them at 400 contracts)."""

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
    method: str = ""
    mark_start: int = 0
    mark_end: int = 0
    shared: Evidence | None = field(default=None, init=False, repr=False, compare=False)

    def evidence(self) -> Evidence:
        """The mention as evidence, built once: the figures counting it (a dozen tables) share one object."""
        shared = self.shared
        if shared is None:
            shared = self.as_evidence()
            object.__setattr__(self, "shared", shared)
        return shared

    def as_evidence(self) -> Evidence:
        return Evidence(
            self.contract_id,
            self.page,
            self.status,
            self.score,
            self.detection_id,
            self.snippet,
            self.mark_start,
            self.mark_end,
            self.entity_id,
            self.role,
        )


@dataclass
class RunData:
    """Everything publication needs from one run."""

    run_dir: Path
    run: dict[str, Any]
    contracts: pd.DataFrame
    detections: pd.DataFrame
    lexicon: Lexicon
    workspace: Workspace | None = None
    mentions: list[Mention] = field(default_factory=list)

    @cached_property
    def cues(self) -> pd.DataFrame:
        """The indicator cues the analysis found (`indicator_cues.csv`), read on first use."""
        return typed_cues(read_csv(self.run_dir / CUES_FILE, required=False))

    @cached_property
    def page_themes(self) -> dict[str, dict[int, str]]:
        """contract id -> page -> theme, as the structure stage gave them (`page_themes.csv`), read on first use."""
        return page_themes_of(read_csv(self.run_dir / PAGE_THEMES_FILE, required=False))

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
        numbers = pd.to_numeric(ok["pages_unread"], errors="coerce").fillna(0)
        return {cid: int(n) for cid, n in zip(ok["contract_id"], numbers, strict=True)}

    @cached_property
    def departments(self) -> dict[str, str]:
        """Department of every contract (empty string when unknown)."""
        return dict(zip(self.contracts["contract_id"], self.contracts["department"], strict=True))

    @cached_property
    def group_of(self) -> dict[str, str]:
        """Member entity id -> group entity id, for the groups the lexicon declares."""
        ids = {entity.entity_id for entity in self.lexicon.entities}
        return {e.entity_id: e.group for e in self.lexicon.entities if e.group and e.group in ids}

    def by_entity(self) -> dict[str, list[Mention]]:
        """Mentions grouped by entity id; a group also holds its members' mentions (a named landlord counts
        for "bailleurs sociaux" in every table)."""
        grouped: dict[str, list[Mention]] = {}
        for mention in self.mentions:
            grouped.setdefault(mention.entity_id, []).append(mention)
            group = self.group_of.get(mention.entity_id)
            if group:
                grouped.setdefault(group, []).append(mention)
        return grouped


def read_csv(path: Path, required: bool = True) -> pd.DataFrame:
    """A run CSV as strings (empty cells stay empty strings, inert escapes removed); an absent optional file is
    an empty frame."""
    try:
        return read_csv_text(path)
    except FileNotFoundError as error:
        if not required:
            return pd.DataFrame()
        raise RunDataError(f"{path} introuvable : ce dossier n'est pas un résultat complet de cdv run.") from error
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (OSError, ValueError, pd.errors.ParserError) as error:
        raise RunDataError(f"{path} illisible ({error}).") from error


def typed_detections(frame: pd.DataFrame) -> pd.DataFrame:
    """Detections with numeric page, offsets and score, and every contract column present."""
    frame = frame.copy()
    for column in DETECTION_COLUMNS:
        if column not in frame:
            frame[column] = ""
    for column in ("page", "start", "end", "mark_start", "mark_end"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").fillna(0).astype(int)
    frame["score"] = pd.to_numeric(frame["score"], errors="coerce").fillna(1.0).astype(float)
    frame["status"] = frame["status"].replace("", "auto").fillna("auto")
    for column in ("theme", "role", "snippet", "entity_acronym", "method"):
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
        "method",
        "mark_start",
        "mark_end",
    ]
    return [Mention(*row) for row in frame[columns].itertuples(index=False, name=None)]


def typed_cues(frame: pd.DataFrame) -> pd.DataFrame:
    """Indicator cues with numeric pages and offsets."""
    frame = frame.reindex(columns=CUE_COLUMNS, fill_value="")
    for column in ("page", "start", "end", "mark_start", "mark_end"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").fillna(0).astype(int)
    return frame


def page_themes_of(frame: pd.DataFrame) -> dict[str, dict[int, str]]:
    """contract id -> page -> theme, from `page_themes.csv`."""
    themes: dict[str, dict[int, str]] = {}
    if frame.empty:
        return themes
    frame = frame.reindex(columns=PAGE_THEME_COLUMNS, fill_value="")
    for contract_id, page, theme in frame[["contract_id", "page", "theme"]].itertuples(index=False, name=None):
        themes.setdefault(str(contract_id), {})[int(page)] = str(theme)
    return themes


def resolve_run_workspace(run: dict[str, Any], workspace: Workspace | None) -> Workspace | None:
    """The workspace given, else the run's own (from run.json) when that folder still exists."""
    if workspace is not None:
        return workspace
    recorded = run.get("workspace")
    if recorded and Path(recorded).is_dir():
        return Workspace(Path(recorded))
    return None


def read_run_json(run_dir: Path) -> dict[str, Any]:
    """A run folder's `run.json`, or a French error saying why it cannot be used."""
    path = Path(run_dir) / "run.json"
    if not path.exists():
        raise RunDataError(f"{run_dir} : pas de run.json, ce dossier n'est pas un résultat de cdv run.")
    try:
        run: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise RunDataError(f"{path} illisible ({error}).") from error
    return run


def build_run_data(
    run_dir: Path,
    run: dict[str, Any],
    contracts: pd.DataFrame,
    detections: pd.DataFrame,
    lexicon: Lexicon,
    workspace: Workspace | None = None,
) -> RunData:
    """A `RunData` from a run's metadata, contracts and (decided) detections; indicator cues and page themes are
    read from the run folder when first needed."""
    contracts = contracts.copy()
    if contracts.empty and len(detections):
        ids = sorted(set(detections["contract_id"].astype(str)))
        contracts = pd.DataFrame({"contract_id": ids, "status": "ok", "file": "", "pages": 0})
    for column in ("department", "pages_unread", "sha256", "status", "territory", "pages"):
        if column not in contracts:
            contracts[column] = ""
    contracts = contracts.astype({"contract_id": str})
    detections = typed_detections(detections)
    data = RunData(Path(run_dir), run, contracts, detections, lexicon, workspace)
    data.mentions = frame_to_mentions(detections)
    return data


def load_run(run_dir: Path, lexicon: Lexicon, workspace: Workspace | None = None) -> RunData:
    """Load a run folder with reviewer decisions applied to its stored detections."""
    from pipeline.review.apply import apply_decisions

    run_dir = Path(run_dir)
    run = read_run_json(run_dir)
    contracts = read_csv(run_dir / "contracts.csv")
    space = resolve_run_workspace(run, workspace)
    detections = typed_detections(read_csv(detections_source(run_dir)))
    if space is not None:
        detections = apply_decisions(detections, space, run_dir)
    return build_run_data(run_dir, run, contracts, detections, lexicon, space)
