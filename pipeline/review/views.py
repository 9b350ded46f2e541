"""Data for the review pages: plain dicts the templates show (every PDF text is escaped by Jinja2)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pipeline.french import ROLE_LABELS, fr_datetime, sort_key
from pipeline.quote import quote_parts
from pipeline.review.apply import decision_summary
from pipeline.review.priority import order_by_page, order_impact_first
from pipeline.review.session import ReviewSession, View
from pipeline.review.store import Decision
from pipeline.review.words import page_method

KIND_LABELS = {"partenaire": "Partenaires", "dispositif": "Dispositifs"}
STATUS_LABELS = {"auto": "à revoir", "valide": "validée", "rejete": "rejetée", "ajoute": "ajoutée"}
METHOD_HELP = {
    "nom": "trouvé par le nom ou une variante du lexique",
    "ancien_nom": "trouvé par un ancien nom (ex. : Pôle emploi pour France Travail)",
    "motif": "trouvé par un motif du lexique (expression régulière) : variante locale comme « CAF de l'Aude »",
    "sigle": "trouvé par un sigle, en majuscules et en mot entier",
    "sigle_ambigu": "sigle à plusieurs sens : le sens retenu vient du contexte, à vérifier",
    "approche": "graphie voisine retrouvée par similarité",
    "variante": "forme libre d'un nom du lexique (pluriel, sans article, casse) : acceptée par le modèle des mentions",
    "membre": "organisation hors lexique dont le nom dit le groupe (« Nantes Habitat » : bailleurs sociaux)",
    "ajout": "ajouté à la main par un relecteur",
}


@dataclass(frozen=True)
class Filters:
    """What the reviewer chose to see on a contract page (kept across decisions)."""

    order: str = "impact"
    entity: str = ""
    theme: str = ""
    pending_only: bool = False

    def query(self) -> dict[str, str]:
        """As query parameters (only the non-default ones)."""
        query: dict[str, str] = {}
        if self.order != "impact":
            query["ordre"] = self.order
        if self.entity:
            query["entite"] = self.entity
        if self.theme:
            query["theme"] = self.theme
        if self.pending_only:
            query["vue"] = "a_revoir"
        return query


def progress(frame: pd.DataFrame) -> dict[str, Any]:
    """Reviewed count, total and percentage of a set of detections."""
    total = len(frame)
    done = int((frame["status"] != "auto").sum()) if total else 0
    return {"done": done, "total": total, "pct": round(100.0 * done / total) if total else 0}


def contracts_overview(session: ReviewSession, reviewer: str) -> list[dict[str, Any]]:
    """One row per contract of the run: territory, pages, detections and review progress."""
    decided = session.view().decided
    assigned = {contract for _, contract in session.store.assignments(reviewer)}
    rows = []
    contracts = session.contracts
    if contracts.empty:
        contracts = pd.DataFrame({"contract_id": sorted(set(decided["contract_id"]))})
    for contract in contracts.to_dict("records"):
        contract_id = str(contract["contract_id"])
        mine = decided[decided["contract_id"] == contract_id]
        rows.append(
            {
                "contract_id": contract_id,
                "territory": contract.get("territory", ""),
                "department": contract.get("department", ""),
                "pages": contract.get("pages", ""),
                "status": contract.get("status", "ok"),
                "error": contract.get("error", ""),
                "progress": progress(mine),
                "double": contract_id in assigned,
            }
        )
    return rows


def snippet_parts(snippet: str, needle: str) -> tuple[str, str, str]:
    """The snippet split around the hit (case-insensitive), for highlighting.

    Snippets hold the page text on one line: a hit spanning a line break (a pattern, « motif », such as
    « Mission locale\nde l'Aude ») is looked for with its spaces collapsed; the occurrence nearest the
    snippet's middle (where the hit is) wins.
    """
    needle = " ".join(needle.split())
    if needle:
        lowered, wanted = snippet.lower(), needle.lower()
        starts = []
        found = lowered.find(wanted)
        while found >= 0:
            starts.append(found)
            found = lowered.find(wanted, found + 1)
        if starts:
            middle = (len(snippet) - len(needle)) / 2
            found = min(starts, key=lambda start: abs(start - middle))
            return snippet[:found], snippet[found : found + len(needle)], snippet[found + len(needle) :]
    return snippet, "", ""


def row_parts(row: Mapping[Any, Any], needle: str) -> tuple[str, str, str]:
    """A detection's snippet split around its matched words: the offsets the analysis recorded when present,
    else a search for the hit's text."""
    snippet = str(row.get("snippet") or "")
    before, marked, after = quote_parts(snippet, int(row.get("mark_start") or 0), int(row.get("mark_end") or 0))
    return (before, marked, after) if marked else snippet_parts(snippet, needle)


def hit_text(session: ReviewSession, row: Mapping[Any, Any]) -> tuple[str, int]:
    """The matched text of a detection and its occurrence number on the page (for highlighting)."""
    start, end = int(row["start"] or 0), int(row["end"] or 0)
    text = session.texts.text(str(row["contract_id"]), int(row["page"])) if end > start else ""
    if text and end <= len(text):
        needle = text[start:end]
        return needle, text[:start].lower().count(needle.lower())
    if row.get("method") == "ajout" and row.get("snippet"):
        return str(row["snippet"]), 0
    return str(row.get("entity_acronym") or row.get("entity_name") or ""), 0


def filtered(session: ReviewSession, frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Detections of a contract in the chosen order, filtered."""
    ordered = order_impact_first(frame, session.n_read) if filters.order == "impact" else order_by_page(frame)
    if "impact" not in ordered.columns:
        ordered = ordered.assign(impact=order_impact_first(frame, session.n_read)["impact"])
    if filters.entity:
        ordered = ordered[ordered["entity_id"] == filters.entity]
    if filters.theme:
        ordered = ordered[ordered["theme"] == filters.theme]
    if filters.pending_only:
        ordered = ordered[ordered["status"] == "auto"]
    return ordered


def next_pending(session: ReviewSession, view: View, contract_id: str, filters: Filters, after: str) -> str:
    """The next detection to review in the chosen order (the current one if nothing is left)."""
    frame = view.decided[view.decided["contract_id"] == contract_id]
    ordered = filtered(session, frame, filters)
    pending = [d for d in ordered[ordered["status"] == "auto"]["detection_id"] if d != after]
    return pending[0] if pending else after


def contract_page(
    session: ReviewSession, contract_id: str, reviewer: str, filters: Filters, selected: str
) -> dict[str, Any]:
    """Everything the contract page shows: groups of detections, the selected one, notices, choices."""
    view = session.view(reviewer, contract_id)
    frame = view.decided[view.decided["contract_id"] == contract_id]
    ordered = filtered(session, frame, filters)
    theme_names = dict(session.themes())
    overtaken = {
        mine.detection_id: (mine, theirs) for mine, theirs in session.store.overtaken_for(reviewer, contract_id)
    }
    rows = []
    for record in ordered.to_dict("records"):
        detection_id = str(record["detection_id"])
        needle, _ = hit_text(session, record)
        decision = view.resolution.decision_for(detection_id)
        rows.append(
            record
            | {
                "parts": row_parts(record, needle),
                "theme_name": theme_names.get(str(record["theme"]), str(record["theme"])) or "sans thème",
                "quote_found": decision.after.get("quote_found") if decision else None,
                "role_label": ROLE_LABELS.get(str(record["role"]), str(record["role"])),
                "status_label": STATUS_LABELS.get(str(record["status"]), str(record["status"])),
                "decision": decision,
                "basis": decision.id if decision else 0,
                "overtaken": overtaken_notice(overtaken.get(detection_id)),
            }
        )
    if not selected or selected not in {row["detection_id"] for row in rows}:
        pending = [row["detection_id"] for row in rows if row["status"] == "auto"]
        selected = pending[0] if pending else (rows[0]["detection_id"] if rows else "")
    groups: list[dict[str, Any]] = []
    for kind, kind_label in KIND_LABELS.items():
        kind_rows = [row for row in rows if row["kind"] == kind]
        themes = sorted({row["theme_name"] for row in kind_rows}, key=sort_key)
        for theme in themes:
            members = [row for row in kind_rows if row["theme_name"] == theme]
            groups.append(
                {"kind": kind_label, "theme": theme, "rows": members, "progress": progress(pd.DataFrame(members))}
            )
    chosen = next((row for row in rows if row["detection_id"] == selected), None)
    if chosen is not None:
        chosen = chosen | {"page_method": page_method(session, contract_id, int(chosen["page"]))}
    history = history_for(session, view, selected) if chosen else []
    entities = sorted(session.entities().values(), key=lambda e: sort_key(e.name))
    present = frame.drop_duplicates("entity_id")
    return {
        "contract_id": contract_id,
        "coding": view.coding,
        "groups": groups,
        "visible": [row["detection_id"] for group in groups for row in group["rows"]],
        "selected": chosen,
        "history": history,
        "progress": progress(frame),
        "filters": filters,
        "themes": session.themes(),
        "entities": entities,
        "present_entities": sorted(
            zip(present["entity_id"], present["entity_name"], strict=True), key=lambda p: sort_key(p[1])
        ),
        "pages": int(session.contracts.set_index("contract_id")["pages"].get(contract_id, 0))
        if not session.contracts.empty
        else 0,
        "n_overtaken": sum(1 for row in rows if row["overtaken"]),
    }


def overtaken_notice(pair: tuple[Decision, Decision] | None) -> str:
    """French notice for a reviewer whose decision a colleague replaced."""
    if pair is None:
        return ""
    mine, theirs = pair
    return (
        f"Votre décision ({decision_summary(mine)}, {short_time(mine.created_at)}) a été remplacée par celle de "
        f"{theirs.reviewer} ({decision_summary(theirs)}, {short_time(theirs.created_at)})."
    )


def history_for(session: ReviewSession, view: View, detection_id: str) -> list[dict[str, Any]]:
    """The audit trail of a detection: every decision on it or re-attached to it, newest first."""
    ids = set(view.resolution.attached_ids.get(detection_id, []))
    trail = [d for d in session.store.all() if d.detection_id == detection_id or d.id in ids]
    if view.coding == "principal":
        trail = [d for d in trail if d.coding == "principal"]
    return [
        {
            "decision": d,
            "summary": decision_summary(d),
            "when": short_time(d.created_at),
            "current": d.superseded_by is None,
        }
        for d in sorted(trail, key=lambda d: d.id, reverse=True)
    ]


def short_time(iso: str) -> str:
    """`29/03/2024 à 11 h 32` (Paris time) from an ISO timestamp (UTC)."""
    return fr_datetime(iso) if iso else ""


def entity_page(session: ReviewSession, entity_id: str, role: str) -> dict[str, Any]:
    """Every contract where an entity is named (or signs), with its evidence."""
    decided = session.view().decided
    mine = decided[(decided["entity_id"] == entity_id) & (decided["status"] != "rejete")]
    contracts = []
    for contract_id, group in mine.groupby("contract_id", sort=True):
        signs = bool((group["role"] == "signataire").any())
        if role == "signataire" and not signs:
            continue
        contracts.append(
            {
                "contract_id": contract_id,
                "signataire": signs,
                "rows": order_by_page(group).to_dict("records"),
                "progress": progress(group),
            }
        )
    entity = session.entities().get(entity_id)
    return {
        "entity_id": entity_id,
        "name": entity.name if entity else entity_id,
        "acronym": entity.acronym if entity else "",
        "kind": entity.kind if entity else "",
        "role": role,
        "contracts": contracts,
        "n_read": session.n_read,
    }
