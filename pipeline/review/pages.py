"""The review app's cross-contract pages: the review queue, the concordance of an entity, full-text search,
the contract × entity matrices, a page view to add what was missed, the candidates, and the help page.

Pages are rendered on the server (readable without JavaScript); the scripts of `static/` make decisions
through the JSON API (`api`) without reloading them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pipeline.french import sort_key, sorted_fr
from pipeline.lexicon_check import CATEGORIES, SCOPES
from pipeline.report.matrix import KINDS
from pipeline.review.additions import candidates
from pipeline.review.api import item_json, without_double_coding
from pipeline.review.apply import review_counts
from pipeline.review.cells import live_tables
from pipeline.review.concordance import concordance, search
from pipeline.review.queue import review_queue
from pipeline.review.session import ReviewError, ReviewSession
from pipeline.review.views import snippet_parts
from pipeline.review.words import contract_pdf

Render = Callable[[Request, str, dict[str, Any], int], HTMLResponse]
QUEUE_PAGE = 40


def pages_router(session: ReviewSession, render: Render, reviewer_of: Callable[[Request], str]) -> APIRouter:
    """The HTML routes over one session."""
    router = APIRouter()

    def error(request: Request, message: str, status: int = 404) -> HTMLResponse:
        return render(request, "error.html", {"message": message}, status)

    @router.get("/file", response_class=HTMLResponse)
    def queue(request: Request, entite: str = "", mesure: str = "") -> HTMLResponse:
        try:
            items = review_queue(session, entite, mesure, limit=QUEUE_PAGE)
            items = without_double_coding(session, items, reviewer_of(request))
        except ReviewError as failure:
            return error(request, str(failure), 500)
        entity = session.entities().get(entite)
        rows = [item_json(session, item) | {"parts": snippet_parts(item.snippet, item.hit)} for item in items]
        return render(
            request,
            "queue.html",
            {
                "items": rows,
                "counts": review_counts(session.view().decided),
                "entity": entity,
                "measure": mesure,
                "filter_query": urlencode({"entite": entite, "mesure": mesure}) if entite else "",
                "themes": session.themes(),
            },
            200,
        )

    @router.get("/concordance/{entity_id}", response_class=HTMLResponse)
    def concordance_page(request: Request, entity_id: str, contrat: str = "") -> HTMLResponse:
        entities = session.entities()
        entity = entities.get(entity_id)
        if entity is None:
            return error(request, f"Entité « {entity_id} » inconnue du lexique.")
        groups = concordance(session, entity_id, contrat)
        lexicon = session.lexicon
        senses = next((s for s in (lexicon.ambiguous.values() if lexicon else []) if entity_id in s), ())
        alternatives = [entities[s] for s in senses if s != entity_id and s in entities]
        choices = sorted_fr([e for e in entities.values() if e.kind == entity.kind], key=lambda e: e.name)
        return render(
            request,
            "concordance.html",
            {
                "entity": entity,
                "groups": groups,
                "contract": contrat,
                "alternatives": alternatives,
                "choices": choices,
                "total": sum(len(g.lines) for g in groups),
            },
            200,
        )

    @router.get("/recherche", response_class=HTMLResponse)
    def search_page(request: Request, q: str = "") -> HTMLResponse:
        hits, total = search(session, q[:200]) if q.strip() else ([], 0)
        return render(request, "search.html", {"query": q[:200], "hits": hits, "total": total}, 200)

    @router.get("/matrice", response_class=HTMLResponse)
    def matrix(request: Request, nature: str = "partenaires") -> HTMLResponse:
        nature = nature if nature in KINDS else "partenaires"
        try:
            tables = live_tables(session)
        except ReviewError as failure:
            return error(request, str(failure), 500)
        contracts = [{str(k): str(v) for k, v in row.items()} for row in session.contracts.to_dict("records")]
        return render(request, "matrix.html", {"matrix": tables.matrix(contracts, nature), "nature": nature}, 200)

    @router.get("/contrats/{contract_id}/page/{page}", response_class=HTMLResponse)
    def page_view(request: Request, contract_id: str, page: int, citation: str = "", d: str = "") -> HTMLResponse:
        pages = session.texts.pages(contract_id)
        if contract_id not in set(session.contracts.get("contract_id", [])) or page not in pages:
            return error(request, f"Page {page} du contrat « {contract_id} » introuvable.")
        entities = sorted_fr(session.entities().values(), key=lambda e: e.name)
        return render(
            request,
            "page.html",
            {
                "contract_id": contract_id,
                "page": page,
                "n_pages": max(pages),
                "text": pages[page],
                "quote": citation[:500],
                "detection": d,
                "entities": entities,
                "themes": session.themes(),
                "has_image": contract_pdf(session, contract_id) is not None,
            },
            200,
        )

    @router.get("/candidats", response_class=HTMLResponse)
    def candidates_page(request: Request) -> HTMLResponse:
        lexicon = session.lexicon
        by_id = lexicon.by_id() if lexicon else {}
        group_ids = {e.group for e in lexicon.entities if e.group in by_id} if lexicon else set()
        groups = sorted_fr([(g, by_id[g].name) for g in group_ids], key=lambda pair: pair[1])
        return render(
            request,
            "candidates.html",
            {
                "candidates": candidates(session),
                "categories": sorted(CATEGORIES, key=sort_key),
                "scopes": sorted(SCOPES),
                "groups": groups,
                "themes": session.themes(),
            },
            200,
        )

    @router.get("/aide", response_class=HTMLResponse)
    def help_page(request: Request) -> HTMLResponse:
        return render(request, "help.html", {}, 200)

    return router
