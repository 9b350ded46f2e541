"""A review session over one run folder: the run's data, the workspace's decisions, and the operations
the web app, the spreadsheet import and the CLI share (decide, add, tables).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from pipeline.errors import CdvError
from pipeline.inert import read_csv_text
from pipeline.lexicon import Lexicon, load_lexicon
from pipeline.report.outputs import detections_source
from pipeline.review.anchor import PageTexts, normalise, row_context
from pipeline.review.apply import APPLIED_FIELDS, Resolution, apply_resolution, page_texts_for, resolve
from pipeline.review.store import DecisionStore, NewDecision, Recorded
from pipeline.types import Entity
from pipeline.workspace import Workspace, resolve_workspace

ROLES_BY_KIND = {"partenaire": ("signataire", "mentionne"), "dispositif": ("articulation",)}
T = TypeVar("T")
STATE_FIELDS = ("status", "role", "theme", "entity_id", "entity_name", "entity_acronym", "kind")


class ReviewError(CdvError):
    """A review operation cannot be done; the message is French and names the cause."""


@dataclass
class View:
    """Decided detections of the run, and the resolution that produced them."""

    decided: pd.DataFrame
    resolution: Resolution
    coding: str = "principal"


def read_frame(path: Path) -> pd.DataFrame:
    """A CSV of the run with text kept as text (ids like `0123` stay as written, inert escapes removed)."""
    frame = read_csv_text(path)
    for name in ("page", "start", "end"):
        if name in frame.columns:
            frame[name] = pd.to_numeric(frame[name], errors="coerce").fillna(0).astype(int)
    if "score" in frame.columns:
        frame["score"] = pd.to_numeric(frame["score"], errors="coerce").fillna(0.0)
    return frame


class ReviewSession:
    """Everything needed to review one run: detections, contracts, lexicon, store (thread-safe)."""

    def __init__(
        self,
        run_dir: Path,
        workspace: Workspace | None = None,
        lexicon: Lexicon | None = None,
        lexicon_dir: Path | None = None,
    ) -> None:
        from pipeline.report.publish import run_lexicon_dir

        self.run_dir = Path(run_dir)
        if not detections_source(self.run_dir).exists():
            raise ReviewError(f"{self.run_dir} : pas de detections.csv ; indiquez le dossier d'un run avec --run.")
        self.run_info: dict[str, Any] = {}
        if (self.run_dir / "run.json").exists():
            self.run_info = json.loads((self.run_dir / "run.json").read_text(encoding="utf-8"))
        self.lexicon_dir = run_lexicon_dir(self.run_info, lexicon_dir)
        if workspace is None:
            recorded = self.run_info.get("workspace")
            workspace = Workspace(Path(recorded)) if recorded else resolve_workspace(None)
        self.workspace = workspace
        self.store = DecisionStore(workspace)
        self._lexicon = lexicon
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, pd.DataFrame]] = {}
        self._texts: PageTexts | None = None
        self._views: dict[tuple[object, ...], View] = {}
        self._memo: dict[str, tuple[object, object]] = {}
        self._principal: tuple[int, float, View] | None = None

    # Run data

    @property
    def run_id(self) -> str:
        """The run's id (from run.json), else a fingerprint of its detections."""
        if self.run_info.get("run_id"):
            return str(self.run_info["run_id"])
        digest = hashlib.sha256(detections_source(self.run_dir).read_bytes()).hexdigest()
        return f"sans-id-{digest[:12]}"

    def _read(self, name: str) -> pd.DataFrame:
        path = self.run_dir / name
        if not path.exists():
            return pd.DataFrame()
        mtime = path.stat().st_mtime
        with self._lock:
            cached = self._cache.get(name)
            if cached is None or cached[0] != mtime:
                cached = (mtime, read_frame(path))
                self._cache[name] = cached
                self._texts = None
        return cached[1]

    @property
    def detections(self) -> pd.DataFrame:
        """The run's detections as the pipeline wrote them (before decisions)."""
        return self._read(detections_source(self.run_dir).name)

    @property
    def contracts(self) -> pd.DataFrame:
        return self._read("contracts.csv")

    @property
    def n_read(self) -> int:
        """Contracts successfully read: the denominator of every percentage."""
        contracts = self.contracts
        if contracts.empty:
            return int(self.detections["contract_id"].nunique()) if len(self.detections) else 0
        return int((contracts["status"] == "ok").sum())

    @property
    def texts(self) -> PageTexts:
        if self._texts is None:
            self._texts = page_texts_for(self.workspace, self.run_dir)
        return self._texts

    @property
    def lexicon(self) -> Lexicon | None:
        """The run's lexicons (None when they cannot be read: entity choices then come from the run)."""
        if self._lexicon is None:
            try:
                self._lexicon = load_lexicon(self.lexicon_dir)
            except Exception:  # a lexicon being edited must not stop the review
                return None
        return self._lexicon

    def reload_lexicon(self) -> None:
        """Forget the loaded lexicon (after an edit of the lexicon files) and every result derived from it."""
        with self._lock:
            self._lexicon = None
            self._memo.clear()

    def run_stamp(self) -> float:
        """Modification time of the run's detections file (derived results of the run alone depend on it)."""
        _ = self.detections  # refreshes the file stamp
        return self._cache[detections_source(self.run_dir).name][0]

    def revision(self) -> tuple[object, ...]:
        """What derived results depend on: the decisions, the run's detections and the lexicon version."""
        lexicon = self.lexicon
        version = lexicon.version if lexicon else ""
        return (self.store.revision(), self.store.indicator_revision(), self.run_stamp(), version)

    def memo(self, name: str, key: object, compute: Callable[[], T]) -> T:
        """A result derived from the session, computed once per `key` (the latest one is kept per name)."""
        with self._lock:
            cached = self._memo.get(name)
        if cached is not None and cached[0] == key:
            return cached[1]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            self._memo[name] = (key, value)
        return value

    def entities(self) -> dict[str, Entity]:
        """Entities a reviewer may choose: the lexicon's, else those seen in the run."""
        lexicon = self.lexicon
        if lexicon is not None:
            return lexicon.by_id()
        rows = self.detections.drop_duplicates("entity_id")
        return {
            str(row.entity_id): Entity(
                entity_id=str(row.entity_id),
                name=str(row.entity_name),
                kind=row.kind,  # type: ignore[arg-type]
                acronyms=(str(row.entity_acronym),) if row.entity_acronym else (),
            )
            for row in rows.itertuples()
        }

    def themes(self) -> list[tuple[str, str]]:
        """(theme_id, name) choices, from the lexicon, else from the run's detections."""
        lexicon = self.lexicon
        if lexicon is not None:
            return [(theme.theme_id, theme.name) for theme in lexicon.themes]
        seen = sorted({str(t) for t in self.detections["theme"] if t})
        return [(theme, theme) for theme in seen]

    # Decisions

    def coding_for(self, reviewer: str, contract_id: str) -> str:
        """`double` when this reviewer codes this contract a second time (blind), else `principal`."""
        return "double" if (reviewer, contract_id) in set(self.store.assignments(reviewer)) else "principal"

    def view(self, reviewer: str | None = None, contract_id: str | None = None) -> View:
        """Detections with the decisions in force: the principal coding, or this reviewer's double coding."""
        shared = self._shared_view(reviewer, contract_id)
        return View(shared.decided.copy(), shared.resolution, shared.coding)

    def positions(self) -> dict[str, int]:
        """detection_id -> row of the run's detections (the same row in the views; added rows come after)."""

        def compute() -> dict[str, int]:
            ids = self.detections["detection_id"].astype(str).tolist()
            return {value: index for index, value in enumerate(ids)}

        return self.memo("positions", self.run_stamp(), compute)

    def _shared_view(self, reviewer: str | None = None, contract_id: str | None = None) -> View:
        """The cached view itself, not a copy: for reading only."""
        detections = self.detections
        double = bool(reviewer and contract_id and self.coding_for(reviewer, contract_id) == "double")
        stamp = self._cache[detections_source(self.run_dir).name][0]
        key = (("double", reviewer, contract_id) if double else ("principal",), self.store.revision(), stamp)
        with self._lock:
            cached = self._views.get(key)
        if cached is not None:
            return cached
        view = None if double else self._advance_principal(detections, stamp, int(key[1]))
        if view is None:
            if double:
                decisions = [d for d in self.store.current("double", contract_id) if d.reviewer == reviewer]
            else:
                decisions = self.store.current("principal")
            resolution = resolve(detections, decisions, self.texts)
            view = View(apply_resolution(detections, resolution), resolution, "double" if double else "principal")
        with self._lock:
            if len(self._views) > 32:
                self._views.clear()
            self._views[key] = view
            if not double:
                self._principal = (int(key[1]), stamp, view)
        return view

    def _advance_principal(self, detections: pd.DataFrame, stamp: float, revision: int) -> View | None:
        """The principal view at `revision` from the previous one, when the decisions since then each name a
        detection of the run by its id (what the app and the spreadsheet record): those rows take the state of
        their latest decision, as `resolve` would attach them. None when a full resolution is needed."""
        with self._lock:
            previous = self._principal
        if previous is None or previous[1] != stamp or previous[0] >= revision:
            return None
        newer = self.store.since(previous[0], "principal")
        position = self.positions()
        if any(d.after.get("added") or d.detection_id not in position for d in newer) or len(newer) > 200:
            return None
        frame = previous[2].decided
        id_column = list(frame.columns).index("detection_id")
        if any(frame.iat[position[d.detection_id], id_column] != d.detection_id for d in newer):
            return None  # rows not in the run's order (a run written with added rows): resolve in full
        frame = frame.copy()
        old = previous[2].resolution
        resolution = Resolution(
            attached=dict(old.attached),
            attached_ids={k: list(v) for k, v in old.attached_ids.items()},
            added=list(old.added),
            added_rows=list(old.added_rows),
            unattached=list(old.unattached),
        )
        columns = list(frame.columns)
        raw_columns = list(detections.columns)
        for decision in newer:
            row = position[decision.detection_id]
            resolution.attached[decision.detection_id] = decision
            resolution.attached_ids.setdefault(decision.detection_id, []).append(decision.id)
            for name in APPLIED_FIELDS:
                if name not in columns:
                    continue
                if decision.after.get("restore"):
                    value: Any = detections.iat[row, raw_columns.index(name)]
                elif name in decision.after:
                    value = decision.after[name]
                else:
                    continue
                frame.iat[row, columns.index(name)] = value
        return View(frame, resolution, "principal")

    def decide(
        self,
        detection_id: str,
        action: str,
        reviewer: str,
        value: str = "",
        comment: str = "",
        basis: int | None = None,
        source: str = "web",
    ) -> Recorded:
        """Record one decision on one detection (valider, rejeter, role, theme, entite, note, retablir)."""
        return self.store.record(self.prepare(detection_id, action, reviewer, value, comment, basis, source))

    def decide_many(
        self, detection_ids: list[str], action: str, reviewer: str, value: str = "", source: str = "lot"
    ) -> tuple[list[Recorded], list[str]]:
        """The same decision on several detections, each recorded as its own audited decision.

        Every detection is checked first; the valid ones are recorded, and the French reason of each refused
        one is returned.
        """
        prepared: list[NewDecision] = []
        errors: list[str] = []
        for detection_id in dict.fromkeys(detection_ids):
            try:
                prepared.append(self.prepare(detection_id, action, reviewer, value, source=source))
            except ReviewError as error:
                errors.append(str(error))
        return [self.store.record(new) for new in prepared], errors

    def record_all(self, decisions: list[NewDecision], protect_others: bool = False) -> list[Recorded]:
        """Record prepared decisions in one transaction, all or none (see `DecisionStore.record_all`)."""
        return self.store.record_all(decisions, protect_others=protect_others)

    def prepare(
        self,
        detection_id: str,
        action: str,
        reviewer: str,
        value: str = "",
        comment: str = "",
        basis: int | None = None,
        source: str = "web",
        previous: NewDecision | None = None,
    ) -> NewDecision:
        """The decision `decide` would record, checked against the state in force but not written. `previous`, a
        decision prepared on the same detection and not recorded yet, is the state this one starts from
        (several actions on one row of an imported spreadsheet, recorded together)."""
        reviewer = reviewer.strip()
        if not reviewer:
            raise ReviewError("indiquez votre nom de relecteur avant de décider.")
        raw = self.detections
        row_number = self.positions().get(detection_id)
        matches = raw.iloc[[row_number]] if row_number is not None else raw.iloc[0:0]
        contract_id = str(matches.iloc[0]["contract_id"]) if len(matches) else self._added_contract(detection_id)
        coding = self.coding_for(reviewer, contract_id)
        view = self._shared_view(reviewer, contract_id) if coding == "double" else self._shared_view()
        rows = view.decided.iloc[[row_number]] if row_number is not None and row_number < len(view.decided) else None
        if rows is None or str(rows.iloc[0]["detection_id"]) != detection_id:
            rows = view.decided[view.decided["detection_id"] == detection_id]
        if rows.empty:
            raise ReviewError(f"détection « {detection_id} » inconnue dans ce run.")
        current = rows.iloc[0].to_dict()
        in_force = view.resolution.decision_for(detection_id)
        in_force_after = dict(in_force.after) if in_force else {}
        prior_comment = self._comment(view, detection_id)
        if previous is not None:
            restored = previous.after.get("restore") and len(matches)
            state = matches.iloc[0].to_dict() if restored else previous.after
            current.update({name: state[name] for name in STATE_FIELDS if name in state})
            in_force_after, prior_comment = dict(previous.after), str(previous.after.get("comment", ""))
        before = {name: current[name] for name in STATE_FIELDS} | {"comment": prior_comment}
        after = dict(before)
        after["comment"] = comment if comment else before["comment"]
        self._change(after, action, value, current)
        if in_force_after.get("added"):
            after = {**in_force_after, **after, "status": "rejete" if action == "rejeter" else "ajoute"}
        if len(matches):
            anchor_row = matches.iloc[0].to_dict()
            context, entity_id, page = (
                row_context(anchor_row, self.texts),
                str(anchor_row["entity_id"]),
                int(anchor_row["page"]),
            )
        else:
            context, entity_id, page = (
                previous.context if previous else in_force.context if in_force else "",
                str(current["entity_id"]),
                int(current["page"]),
            )
        return NewDecision(
            contract_id=contract_id,
            detection_id=detection_id,
            entity_id=entity_id,
            context=context,
            page=page,
            action=action,
            before=before,
            after=after,
            reviewer=reviewer,
            source=source,
            coding=coding,
            run_id=self.run_id,
            basis=basis,
            also_supersede=tuple(view.resolution.attached_ids.get(detection_id, [])),
        )

    def _added_contract(self, detection_id: str) -> str:
        for decision in self.store.current("principal") + self.store.current("double"):
            if decision.detection_id == detection_id:
                return decision.contract_id
        raise ReviewError(f"détection « {detection_id} » inconnue dans ce run.")

    @staticmethod
    def _comment(view: View, detection_id: str) -> str:
        decision = view.resolution.decision_for(detection_id)
        return str(decision.after.get("comment", "")) if decision else ""

    def _change(self, after: dict[str, Any], action: str, value: str, current: Mapping[Any, Any]) -> None:
        """Apply one action to a reviewed state, checking the value (French errors)."""
        if action in {"valider", "role", "theme", "entite"}:
            after["status"] = "valide"
        if action == "valider":
            return
        if action == "rejeter":
            after["status"] = "rejete"
        elif action == "retablir":
            after.update({name: current[name] for name in STATE_FIELDS}, status="auto", restore=True)
        elif action == "note":
            after["status"] = current["status"]
        elif action == "role":
            allowed = ROLES_BY_KIND.get(str(current["kind"]), ())
            if value not in allowed:
                raise ReviewError(f"rôle « {value} » impossible pour un {current['kind']} ({', '.join(allowed)}).")
            after["role"] = value
        elif action == "theme":
            if value and value not in {theme for theme, _ in self.themes()}:
                raise ReviewError(f"thème « {value} » inconnu.")
            after["theme"] = value
        elif action == "entite":
            entity = self.entities().get(value)
            if entity is None:
                raise ReviewError(f"entité « {value} » inconnue du lexique.")
            after.update(entity_id=entity.entity_id, entity_name=entity.name, entity_acronym=entity.acronym)
            if entity.kind != current["kind"]:
                after["role"] = "articulation" if entity.kind == "dispositif" else "mentionne"
            after["kind"] = entity.kind
        else:
            raise ReviewError(f"action « {action} » inconnue.")

    def add_detection(
        self,
        contract_id: str,
        entity_id: str,
        page: int,
        reviewer: str,
        quote: str = "",
        role: str = "",
        theme: str = "",
        comment: str = "",
        source: str = "web",
        entity: Entity | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Recorded:
        """Record a detection the pipeline missed: entity, page, optional quoted text.

        `entity` stands for an organisation not (yet) in the lexicons; `extra` is kept in the decision
        (e.g. `candidate`, `quote_found`).
        """
        reviewer = reviewer.strip()
        if not reviewer:
            raise ReviewError("indiquez votre nom de relecteur avant de décider.")
        if contract_id not in set(self.contracts.get("contract_id", self.detections["contract_id"])):
            raise ReviewError(f"contrat « {contract_id} » inconnu dans ce run.")
        entity = entity or self.entities().get(entity_id)
        if entity is None:
            raise ReviewError(f"entité « {entity_id} » inconnue du lexique.")
        role = role or ("articulation" if entity.kind == "dispositif" else "mentionne")
        if role not in ROLES_BY_KIND[entity.kind]:
            raise ReviewError(f"rôle « {role} » impossible pour un {entity.kind}.")
        if theme and theme not in {t for t, _ in self.themes()}:
            raise ReviewError(f"thème « {theme} » inconnu.")
        pages = self.texts.pages(contract_id)
        if page < 1 or (pages and page not in pages):
            raise ReviewError(f"page {page} absente du contrat « {contract_id} ».")
        quote = " ".join(quote.split())
        key = f"{contract_id}\x1f{entity_id}\x1f{normalise(quote)}\x1f{page if not quote else ''}"
        detection_id = "ajout-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]
        after: dict[str, Any] = {
            "added": True,
            "status": "ajoute",
            "entity_id": entity.entity_id,
            "entity_name": entity.name,
            "entity_acronym": entity.acronym,
            "kind": entity.kind,
            "role": role,
            "theme": theme,
            "page": page,
            "start": 0,
            "end": 0,
            "snippet": quote,
            "quote": quote,
            "score": 1.0,
            "method": "ajout",
            "comment": comment,
            **(extra or {}),
        }
        return self.store.record(
            NewDecision(
                contract_id=contract_id,
                detection_id=detection_id,
                entity_id=entity.entity_id,
                context=normalise(quote),
                page=page,
                action="ajouter",
                before={},
                after=after,
                reviewer=reviewer,
                source=source,
                coding=self.coding_for(reviewer, contract_id),
                run_id=self.run_id,
            )
        )

    # Tables

    def tables(self, decided: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Partner and articulation tables as the report publishes them (`pipeline.review.cells.live_tables`),
        with each row's number of detections and reviewed share."""
        from pipeline.review.cells import live_tables

        live = live_tables(self, decided)
        partners, schemes = live.partners.copy(), live.schemes.copy()
        by_entity = live.data.by_entity()
        for table in (partners, schemes):
            mentions = [by_entity.get(entity_id, []) for entity_id in table["entity_id"]]
            table["n_detections"] = [len(items) for items in mentions]
            table["pct_revu"] = [
                float(round(100.0 * sum(m.status != "auto" for m in items) / len(items))) if items else 0.0
                for items in mentions
            ]
        return partners, schemes
