"""The review app's JSON API: decisions without page reloads (single, bulk, undo), the queue, the publication
state and regeneration, word boxes of a page, additions from a selection, candidates into the lexicon.

Every write goes through `ReviewSession` (the same checks and audit trail as the forms and the spreadsheet
import) and tells the publisher that the report is out of date. Responses carry `Server-Timing` (`app`, in
milliseconds): the server time of a decision is measured by `benchmarks/review_speed.py`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from pipeline.errors import CdvError
from pipeline.french import METHOD_LABELS, ROLE_LABELS
from pipeline.lexicon_edit import NewEntity
from pipeline.review.actions import undo_decision
from pipeline.review.additions import add_from_selection, candidates, confirm_candidate
from pipeline.review.apply import decision_summary, review_counts
from pipeline.review.publisher import Publisher
from pipeline.review.queue import QueueItem, review_queue
from pipeline.review.session import ReviewSession
from pipeline.review.store import Decision
from pipeline.review.views import STATUS_LABELS, hit_text
from pipeline.review.words import contract_pdf, hit_boxes, page_method, page_words

MAX_BULK = 2000


class DecisionIn(BaseModel):
    detection_id: str = Field(max_length=80)
    action: str = Field(max_length=20)
    value: str = Field(default="", max_length=200)
    comment: str = Field(default="", max_length=2000)
    basis: int | None = None


class BulkIn(BaseModel):
    detection_ids: list[str] = Field(max_length=MAX_BULK)
    action: str = Field(max_length=20)
    value: str = Field(default="", max_length=200)


class UndoIn(BaseModel):
    decision_id: int


class AddIn(BaseModel):
    contract_id: str = Field(max_length=200)
    page: int
    quote: str = Field(max_length=2000)
    entity_id: str = Field(default="", max_length=80)
    nouveau_nom: str = Field(default="", max_length=200)
    nature: str = Field(default="partenaire", max_length=20)
    role: str = Field(default="", max_length=20)
    theme: str = Field(default="", max_length=80)
    insister: bool = False


class CandidateIn(BaseModel):
    entity_id: str = Field(max_length=80)
    name: str = Field(max_length=200)
    kind: str = Field(default="partenaire", max_length=20)
    category: str = Field(default="", max_length=60)
    group: str = Field(default="", max_length=80)
    scope: str = Field(default="", max_length=60)
    themes: list[str] = Field(default_factory=list, max_length=20)
    acronyms: str = Field(default="", max_length=200)


def decision_json(session: ReviewSession, decision: Decision) -> dict[str, Any]:
    """A recorded decision and the detection's state after it, as the page shows them."""
    after = decision.after
    themes = dict(session.themes())
    status, role, theme = str(after.get("status", "")), str(after.get("role", "")), str(after.get("theme", ""))
    return {
        "decision": {
            "id": decision.id,
            "action": decision.action,
            "summary": decision_summary(decision),
            "detection_id": decision.detection_id,
            "contract_id": decision.contract_id,
        },
        "detection": {
            "detection_id": decision.detection_id,
            "status": status,
            "status_label": STATUS_LABELS.get(status, status),
            "role": role,
            "role_label": ROLE_LABELS.get(role, role),
            "theme": theme,
            "theme_name": themes.get(theme, theme) or "sans thème",
            "entity_id": str(after.get("entity_id", decision.entity_id)),
            "entity_name": str(after.get("entity_name", "")),
        },
    }


def item_json(session: ReviewSession, item: QueueItem) -> dict[str, Any]:
    """A queue item as the queue page shows it."""
    return {
        "detection_id": item.detection_id,
        "contract_id": item.contract_id,
        "entity_id": item.entity_id,
        "entity_name": item.entity_name,
        "entity_acronym": item.entity_acronym,
        "kind": item.kind,
        "role": item.role,
        "role_label": ROLE_LABELS.get(item.role, item.role),
        "page": item.page,
        "score": item.score,
        "method": item.method,
        "method_label": METHOD_LABELS.get(item.method, item.method),
        "ocr": page_method(session, item.contract_id, item.page) == "ocr",
        "snippet": item.snippet,
        "form": item.form,
        "hit": item.hit,
        "impact": item.impact,
        "reasons": item.reasons,
    }


def without_double_coding(session: ReviewSession, items: list[QueueItem], reviewer: str) -> list[QueueItem]:
    """The queue without the contracts this reviewer codes a second time (those are reviewed blind, on
    their contract page)."""
    blind = {contract for _, contract in session.store.assignments(reviewer)} if reviewer else set()
    return [item for item in items if item.contract_id not in blind] if blind else items


def error_response(error: Exception, status: int = 400) -> JSONResponse:
    return JSONResponse({"ok": False, "erreur": str(error)}, status_code=status)


def timed(response: JSONResponse, started: float) -> JSONResponse:
    response.headers["Server-Timing"] = f"app;dur={1000 * (time.perf_counter() - started):.1f}"
    return response


def api_router(session: ReviewSession, publisher: Publisher, reviewer_of: Callable[[Request], str]) -> APIRouter:
    """The `/api/...` routes over one session."""
    router = APIRouter(prefix="/api")

    @router.post("/decisions")
    def decide(request: Request, body: DecisionIn) -> JSONResponse:
        started = time.perf_counter()
        try:
            recorded = session.decide(
                body.detection_id, body.action, reviewer_of(request), value=body.value,
                comment=body.comment.strip(), basis=body.basis,
            )  # fmt: skip
        except CdvError as error:
            return timed(error_response(error), started)
        publisher.touch()
        payload = {"ok": True, **decision_json(session, recorded.decision)}
        if recorded.overtaken is not None:
            payload["avertissement"] = (
                f"{recorded.overtaken.reviewer} avait décidé entre-temps ({decision_summary(recorded.overtaken)}) ; "
                "votre décision, plus récente, s'applique."
            )
        return timed(JSONResponse(payload), started)

    @router.post("/decisions/lot")
    def decide_many(request: Request, body: BulkIn) -> JSONResponse:
        started = time.perf_counter()
        try:
            recorded, errors = session.decide_many(body.detection_ids, body.action, reviewer_of(request), body.value)
        except CdvError as error:
            return timed(error_response(error), started)
        if recorded:
            publisher.touch()
        return timed(
            JSONResponse(
                {
                    "ok": not errors,
                    "enregistrees": len(recorded),
                    "decisions": [decision_json(session, r.decision) for r in recorded],
                    "erreurs": errors,
                }
            ),
            started,
        )

    @router.post("/annuler")
    def undo(request: Request, body: UndoIn) -> JSONResponse:
        started = time.perf_counter()
        try:
            recorded = undo_decision(session, body.decision_id, reviewer_of(request))
        except CdvError as error:
            return timed(error_response(error), started)
        publisher.touch()
        return timed(JSONResponse({"ok": True, **decision_json(session, recorded.decision)}), started)

    @router.get("/file")
    def queue(request: Request, limite: int = 40, entite: str = "", mesure: str = "") -> JSONResponse:
        started = time.perf_counter()
        items = review_queue(session, entite, mesure, limit=max(1, min(limite, 500)))
        items = without_double_coding(session, items, reviewer_of(request))
        counts = review_counts(session.view().decided)
        return timed(JSONResponse({"items": [item_json(session, i) for i in items], "progression": counts}), started)

    @router.get("/etat")
    def state() -> JSONResponse:
        return JSONResponse(
            {"publication": publisher.status().as_dict(), "progression": review_counts(session.view().decided)}
        )

    @router.post("/publier")
    def publish(request: Request) -> JSONResponse:
        started = publisher.start(reviewer_of(request))
        return JSONResponse({"ok": True, "lancee": started, "publication": publisher.status().as_dict()})

    @router.get("/contrats/{contract_id}/pages/{page}/mots")
    def words(contract_id: str, page: int, d: str = "") -> JSONResponse:
        path = contract_pdf(session, contract_id)
        pages = session.texts.pages(contract_id)
        if path is None or page not in pages:
            return JSONResponse({"ok": False, "erreur": "page introuvable"}, status_code=404)
        scanned = page_method(session, contract_id, page) == "ocr"
        found = page_words(path, page, ocr=scanned)
        hit: list[dict[str, Any]] = []
        if d:
            decided = session.view().decided
            rows = decided[(decided["detection_id"] == d) & (decided["contract_id"] == contract_id)]
            if len(rows) and int(rows.iloc[0]["page"]) == page:
                needle, occurrence = hit_text(session, rows.iloc[0].to_dict())
                hit = [word.as_dict() for word in hit_boxes(found, needle, occurrence)]
        return JSONResponse({"ok": True, "ocr": scanned, "mots": [w.as_dict() for w in found], "passage": hit})

    @router.post("/ajouts")
    def add(request: Request, body: AddIn) -> JSONResponse:
        started = time.perf_counter()
        try:
            recorded, located = add_from_selection(
                session, body.contract_id, body.page, body.quote, reviewer_of(request), entity_id=body.entity_id,
                new_name=body.nouveau_nom, new_kind=body.nature, role=body.role, theme=body.theme,
                insist=body.insister,
            )  # fmt: skip
        except CdvError as error:
            return timed(error_response(error), started)
        publisher.touch()
        payload = {"ok": True, "citation_trouvee": located.found, **decision_json(session, recorded.decision)}
        return timed(JSONResponse(payload), started)

    @router.post("/candidats/confirmer")
    def confirm(request: Request, body: CandidateIn) -> JSONResponse:
        found = next((c for c in candidates(session) if c.entity_id == body.entity_id), None)
        if found is None:
            return JSONResponse({"ok": False, "erreur": "candidat inconnu ou déjà dans les lexiques."}, status_code=404)
        try:
            entity = NewEntity(
                name=body.name or found.name, kind=body.kind, category=body.category, group=body.group,
                scope=body.scope, themes=tuple(body.themes),
                acronyms=tuple(a.strip() for a in body.acronyms.split(",") if a.strip()),
            )  # fmt: skip
            entity_id, added = confirm_candidate(session, found, entity, reviewer_of(request))
        except CdvError as error:
            return error_response(error)
        publisher.touch()
        return JSONResponse({"ok": True, "entity_id": entity_id, "detections_ajoutees": added})

    return router
