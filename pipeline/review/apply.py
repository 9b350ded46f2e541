"""Apply reviewer decisions to a run's detections: status, role, theme, entity, and added rows.

Decisions re-attach by content (see `anchor`); the latest decision attached to a detection wins. A
decision's `after` holds the whole reviewed state (status, role, theme, entity), so applying it needs
neither the lexicon nor the decision's history. Added detections carry their own row in `after`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.inert import read_csv_text
from pipeline.review.anchor import Anchor, Candidate, PageTexts, attach, locate_text, row_context
from pipeline.review.store import Decision, DecisionStore
from pipeline.workspace import Workspace

APPLIED_FIELDS = ("status", "role", "theme", "entity_id", "entity_name", "entity_acronym", "kind")
ROW_FIELDS = ("page", "start", "end", "snippet", "score", "method")


@dataclass
class Resolution:
    """Which current decision applies to which detection, the added rows, and what no longer attaches."""

    attached: dict[str, Decision] = field(default_factory=dict)
    attached_ids: dict[str, list[int]] = field(default_factory=dict)
    added: list[Decision] = field(default_factory=list)
    added_rows: list[dict[Any, Any]] = field(default_factory=list)
    unattached: list[Decision] = field(default_factory=list)

    def decision_for(self, detection_id: str) -> Decision | None:
        """The decision in force on a detection (regular or added), if any."""
        if detection_id in self.attached:
            return self.attached[detection_id]
        return next((d for d in self.added if d.detection_id == detection_id), None)


def read_contract_shas(run_dir: Path | None) -> dict[str, str]:
    """contract_id -> sha256 of the version read by the run (for page texts from the cache)."""
    if run_dir is None or not (Path(run_dir) / "contracts.csv").exists():
        return {}
    contracts = read_csv_text(Path(run_dir) / "contracts.csv")
    return dict(zip(contracts["contract_id"], contracts["sha256"], strict=True))


def run_extractor_version(run_dir: Path | None) -> str:
    """The extraction version a run read its pages with (from `run.json`; empty when unknown)."""
    if run_dir is None or not (Path(run_dir) / "run.json").exists():
        return ""
    try:
        run = json.loads((Path(run_dir) / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    return str(run.get("versions", {}).get("extraction", ""))


def page_texts_for(workspace: Workspace, run_dir: Path | None) -> PageTexts:
    """Lazy page texts of the run's contract versions, as the run read them."""
    return PageTexts(workspace.page_cache, read_contract_shas(run_dir), run_extractor_version(run_dir))


def decision_anchor(decision: Decision) -> Anchor:
    return Anchor(decision.contract_id, decision.entity_id, decision.detection_id, decision.context, decision.page)


def resolve(
    detections: pd.DataFrame,
    decisions: list[Decision],
    texts: PageTexts | None,
) -> Resolution:
    """Attach current decisions to the detections; place added detections; list what does not attach."""
    resolution = Resolution()
    regular = [d for d in decisions if not d.after.get("added")]
    added = [d for d in decisions if d.after.get("added")]
    anchors = [decision_anchor(d) for d in regular]
    ids = set(detections["detection_id"].astype(str)) if len(detections) else set()
    pending_contracts = {a.contract_id for a in anchors if a.detection_id not in ids}
    candidates = [Candidate(detection_id, "", "", 0, "") for detection_id in ids & {a.detection_id for a in anchors}]
    if pending_contracts and len(detections):
        for row in detections[detections["contract_id"].astype(str).isin(pending_contracts)].to_dict("records"):
            candidates.append(
                Candidate(
                    detection_id=str(row["detection_id"]),
                    contract_id=str(row["contract_id"]),
                    entity_id=str(row["entity_id"]),
                    page=int(row["page"]),
                    context=row_context(row, texts),
                )
            )
    matched = attach(anchors, candidates)
    for index, decision in enumerate(regular):
        target = matched.get(index)
        if target is None:
            resolution.unattached.append(decision)
            continue
        resolution.attached_ids.setdefault(target, []).append(decision.id)
        best = resolution.attached.get(target)
        if best is None or decision.id > best.id:
            resolution.attached[target] = decision
    contracts = set(detections["contract_id"].astype(str)) if len(detections) else set()
    for decision in added:
        added_detection = added_row(decision, texts)
        if added_detection is None or (contracts and decision.contract_id not in contracts):
            resolution.unattached.append(decision)
            continue
        resolution.added.append(decision)
        resolution.added_rows.append(added_detection)
    return resolution


def added_row(decision: Decision, texts: PageTexts | None) -> dict[Any, Any] | None:
    """The detection row a reviewer added; re-located by its quoted text when the version changed."""
    after = decision.after
    row: dict[Any, Any] = {
        "detection_id": decision.detection_id,
        "contract_id": decision.contract_id,
        "entity_id": after.get("entity_id", decision.entity_id),
        "entity_name": after.get("entity_name", ""),
        "entity_acronym": after.get("entity_acronym", ""),
        "kind": after.get("kind", ""),
        "role": after.get("role", ""),
        "theme": after.get("theme", ""),
        "page": int(after.get("page", decision.page) or 0),
        "start": int(after.get("start", 0) or 0),
        "end": int(after.get("end", 0) or 0),
        "snippet": after.get("snippet", ""),
        "score": float(after.get("score", 1.0)),
        "method": after.get("method", "ajout"),
        "status": after.get("status", "ajoute"),
    }
    quote = str(after.get("quote", ""))
    if quote and texts is not None:
        pages = texts.pages(decision.contract_id)
        if pages:
            found = locate_text(pages, quote, row["page"])
            if found is not None:
                row["page"], row["start"], row["end"] = found
    return row


def apply_resolution(detections: pd.DataFrame, resolution: Resolution) -> pd.DataFrame:
    """The detections with the attached decisions applied and the added rows appended (same columns)."""
    columns = list(detections.columns)
    frame = detections.copy()
    if resolution.attached and len(frame):
        index_by_id = {str(value): position for position, value in enumerate(frame["detection_id"].astype(str))}
        for detection_id, decision in resolution.attached.items():
            position = index_by_id.get(detection_id)
            if position is None or decision.after.get("restore"):
                continue
            for name in APPLIED_FIELDS:
                if name in decision.after and name in columns:
                    frame.iat[position, columns.index(name)] = decision.after[name]
    if resolution.added_rows:
        extra = pd.DataFrame(resolution.added_rows)
        if len(frame):  # a frame that already holds added rows (written back by a caller) is not doubled
            frame = frame[~frame["detection_id"].astype(str).isin(set(extra["detection_id"]))]
        for name in columns:
            if name not in extra.columns:
                extra[name] = ""
        frame = pd.concat([frame, extra[columns]], ignore_index=True) if len(frame) else extra[columns]
    return frame.reset_index(drop=True)


def apply_decisions(detections: pd.DataFrame, workspace: Workspace, run_dir: Path | None = None) -> pd.DataFrame:
    """Detections with reviewer decisions applied (status, role, theme, entity; added rows)."""
    if not Path(workspace.database).exists():
        return detections.copy()
    store = DecisionStore(workspace)
    decisions = store.current("principal")
    if not decisions:
        return detections.copy()
    resolution = resolve(detections, decisions, page_texts_for(workspace, run_dir))
    return apply_resolution(detections, resolution)


def unattached_decisions(detections: pd.DataFrame, workspace: Workspace, run_dir: Path | None = None) -> list[Decision]:
    """Current decisions that attach to no detection of this run (shown to the reviewer, never dropped)."""
    if not Path(workspace.database).exists():
        return []
    store = DecisionStore(workspace)
    return resolve(detections, store.current("principal"), page_texts_for(workspace, run_dir)).unattached


def review_counts(decided: pd.DataFrame) -> dict[str, Any]:
    """How many detections are reviewed (valide, rejete, ajoute) out of all, for tables and reports."""
    total = len(decided)
    reviewed = int((decided["status"] != "auto").sum()) if total else 0
    return {
        "detections": total,
        "reviewed": reviewed,
        "pct_reviewed": round(100.0 * reviewed / total, 1) if total else 0.0,
        "rejected": int((decided["status"] == "rejete").sum()) if total else 0,
        "added": int((decided["status"] == "ajoute").sum()) if total else 0,
    }


def decision_summary(decision: Decision) -> str:
    """A short French description of a decision, for notices and the audit trail."""
    after = decision.after
    labels = {
        "valider": "validée",
        "rejeter": "rejetée",
        "role": f"rôle → {after.get('role', '')}",
        "theme": f"thème → {after.get('theme', '') or '(aucun)'}",
        "entite": f"entité → {after.get('entity_name', '')}",
        "ajouter": "ajoutée",
        "note": "note",
        "retablir": "rétablie (automatique)",
        "annuler": "décision annulée (état précédent rétabli)",
    }
    text = labels.get(decision.action, decision.action)
    if after.get("comment"):
        text += f" — « {after['comment']} »"
    return text


def dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
