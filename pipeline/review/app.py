"""The review web app: server-rendered French pages (FastAPI + Jinja2, autoescaped), a little JavaScript
for keyboard shortcuts, every asset shipped in `static/` (no CDN).

Security: the CLI binds 127.0.0.1 by default; every request must name an allowed host (`Host`: the bound
address and `localhost` unless configured — a rebound DNS name of an attacker's page is refused); with a token
(16 characters at least) every request must carry it (query `?token=`, then a cookie, or `Authorization:
Bearer`); a POST whose `Origin` (scheme, host and port) is not the app's own is refused; page images are
addressed by contract id and page number only (see `render`).
"""

from __future__ import annotations

import hmac
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode, urlsplit

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.concurrency import run_in_threadpool

from pipeline.french import METHOD_LABELS, ROLE_LABELS, jinja_filters, plural
from pipeline.review.agreement import compute_agreement
from pipeline.review.apply import decision_summary, review_counts
from pipeline.review.cells import live_contract_indicators, live_tables, table_progress
from pipeline.review.indicators import VALUE_LABELS, contract_indicator_rows, load_grid
from pipeline.review.publisher import DEFAULT_PAUSE, Publisher
from pipeline.review.render import render_page, safe_pdf_path
from pipeline.review.session import ReviewError, ReviewSession
from pipeline.review.views import (
    METHOD_HELP,
    STATUS_LABELS,
    Filters,
    contract_page,
    contracts_overview,
    entity_page,
    hit_text,
    next_pending,
    short_time,
)

HERE = Path(__file__).resolve().parent
REVIEWER_COOKIE = "cdv_relecteur"
TOKEN_COOKIE = "cdv_jeton"
OPEN_PATHS = ("/nom", "/static/")
DEFAULT_HOSTS = ("127.0.0.1", "localhost")
MIN_TOKEN_LENGTH = 16
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
DEFAULT_PORTS = {"http": 80, "https": 443}


def check_token(token: str | None) -> None:
    """A token, when given, must be long enough not to be guessed."""
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise ReviewError(
            f"jeton d'accès trop court ({plural(len(token), 'caractère')}) : il en faut au moins {MIN_TOKEN_LENGTH} "
            '(par exemple : python -c "import secrets; print(secrets.token_urlsafe(24))").'
        )


def split_host(value: str, scheme: str) -> tuple[str, int] | None:
    """`host[:port]` (a `Host` header, or an `Origin`'s netloc) as (lower-case host, port); None if malformed."""
    try:
        parts = urlsplit(f"//{value}")
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname or parts.username is not None or parts.path or parts.query:
        return None
    return parts.hostname.lower(), port if port is not None else DEFAULT_PORTS.get(scheme, 0)


def refusal(request: Request, allowed: frozenset[str]) -> HTMLResponse | None:
    """Why a request must be refused before anything else (DNS rebinding, cross-site POST), or None."""
    scheme = request.url.scheme
    host = split_host(request.headers.get("host", ""), scheme)
    if host is None or host[0] not in allowed:
        return HTMLResponse(
            "<h1>Requête refusée</h1><p>Nom d'hôte non autorisé pour cette application de relecture "
            "(option --hote-autorise de cdv review).</p>",
            status_code=400,
        )
    if request.method in SAFE_METHODS:
        return None
    origin = request.headers.get("origin")
    fetch_site = request.headers.get("sec-fetch-site", "")
    if origin is not None:
        parts = urlsplit(origin)
        origin_host = split_host(parts.netloc, parts.scheme) if parts.scheme in DEFAULT_PORTS else None
        if parts.scheme != scheme or origin_host != host or parts.path not in ("", "/"):
            return HTMLResponse("<h1>Requête refusée</h1><p>Origine différente.</p>", status_code=403)
    if fetch_site not in ("", "same-origin", "none"):
        return HTMLResponse("<h1>Requête refusée</h1><p>Requête venue d'un autre site.</p>", status_code=403)
    return None


def make_templates() -> Jinja2Templates:
    """Templates with autoescaping on for every file (PDF text is untrusted)."""
    environment = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=True)
    environment.globals.update(
        role_labels=ROLE_LABELS,
        status_labels=STATUS_LABELS,
        value_labels=VALUE_LABELS,
        method_labels=METHOD_LABELS,
        method_help=METHOD_HELP,
    )
    environment.filters["short_time"] = short_time
    environment.filters["summary"] = decision_summary
    environment.filters.update(jinja_filters())
    return Jinja2Templates(env=environment)


def read_filters(params: Any) -> Filters:
    return Filters(
        order="page" if params.get("ordre") == "page" else "impact",
        entity=str(params.get("entite", "")),
        theme=str(params.get("theme", "")),
        pending_only=params.get("vue") == "a_revoir",
    )


def create_app(
    session: ReviewSession,
    token: str | None = None,
    publish_pause: float = DEFAULT_PAUSE,
    publish_png: bool = True,
    hosts: Iterable[str] = DEFAULT_HOSTS,
) -> FastAPI:
    """The review app over one run; `token`, when set, is required on every request; `hosts` are the names a
    request may address the app by (the bound address and `localhost`); the report is regenerated
    `publish_pause` seconds after the last decision (never when 0)."""
    check_token(token)
    allowed = frozenset(host.strip().strip("[]").lower() for host in hosts if host.strip())
    app = FastAPI(title="cdv — relecture", docs_url=None, redoc_url=None, openapi_url=None)
    templates = make_templates()
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    publisher = Publisher(session, pause=publish_pause, png=publish_png)
    app.state.publisher = publisher

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        """Allowed host, token on every request, same-origin POSTs, reviewer name asked once, strict headers."""
        refused = refusal(request, allowed)
        if refused is not None:
            return refused
        set_token = False
        if token:
            given = request.query_params.get("token") or request.cookies.get(TOKEN_COOKIE) or ""
            header = request.headers.get("authorization", "")
            if header.lower().startswith("bearer "):
                given = header[7:]
            if not hmac.compare_digest(given.encode(), token.encode()):
                return HTMLResponse("<h1>Accès refusé</h1><p>Jeton d'accès manquant ou invalide.</p>", status_code=401)
            set_token = request.cookies.get(TOKEN_COOKIE) != token
        path = request.url.path
        response: Response
        if not path.startswith(OPEN_PATHS) and not reviewer_of(request):
            response = RedirectResponse("/nom?" + urlencode({"suivant": path}), status_code=303)
        else:
            response = await call_next(request)
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        if set_token and token:
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
        return response

    def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        base = {
            "reviewer": reviewer_of(request),
            "run_id": session.run_id,
            "run_dir": str(session.run_dir),
            "publication": publisher.status().as_dict(),
        }
        return templates.TemplateResponse(request, name, base | context, status_code=status)

    from pipeline.review.api import api_router
    from pipeline.review.pages import pages_router

    app.include_router(api_router(session, publisher, reviewer_of))
    app.include_router(pages_router(session, render, reviewer_of))

    @app.get("/nom", response_class=HTMLResponse)
    def name_form(request: Request, suivant: str = "/") -> HTMLResponse:
        return render(request, "name.html", {"next": local_path(suivant)})

    @app.post("/nom")
    def name_submit(nom: str = Form(...), suivant: str = Form("/")) -> Response:
        name = " ".join(nom.split())[:60]
        if not name:
            return RedirectResponse("/nom", status_code=303)
        response = RedirectResponse(local_path(suivant), status_code=303)
        response.set_cookie(REVIEWER_COOKIE, quote(name), max_age=3600 * 24 * 365, samesite="strict", httponly=True)
        return response

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request) -> HTMLResponse:
        rows = contracts_overview(session, reviewer_of(request))
        decided = session.view().decided
        unattached = session.view().resolution.unattached
        try:
            progress = table_progress(live_tables(session))
        except ReviewError:
            progress = []
        return render(
            request,
            "index.html",
            {
                "contracts": rows,
                "counts": review_counts(decided),
                "n_unattached": len(unattached),
                "tables_progress": progress,
            },
        )

    @app.get("/contrats/{contract_id}", response_class=HTMLResponse)
    def contract(request: Request, contract_id: str, sel: str = "", avis: int = 0) -> HTMLResponse:
        return contract_response(request, contract_id, sel, avis)

    def contract_response(
        request: Request, contract_id: str, selected: str, notice_id: int = 0, error: str = "", status: int = 200
    ) -> HTMLResponse:
        if contract_id not in known_contracts(session):
            return render(request, "error.html", {"message": f"Contrat « {contract_id} » inconnu."}, 404)
        filters = read_filters(request.query_params)
        data = contract_page(session, contract_id, reviewer_of(request), filters, selected)
        notice = notice_for(session, notice_id, reviewer_of(request))
        query = urlencode(filters.query())
        return render(request, "contract.html", data | {"notice": notice, "error": error, "query": query}, status)

    @app.post("/contrats/{contract_id}/decision")
    async def decide(request: Request, contract_id: str) -> Response:
        form = await request.form()
        detection_id = str(form.get("detection_id", ""))
        filters = read_filters(form)
        basis_text = str(form.get("basis", ""))
        action, reviewer = str(form.get("action", "")), reviewer_of(request)

        def work() -> Response:
            try:
                recorded = session.decide(
                    detection_id,
                    action,
                    reviewer,
                    value=str(form.get("value", "")),
                    comment=str(form.get("comment", "")).strip()[:2000],
                    basis=int(basis_text) if basis_text.isdigit() else None,
                )
            except ReviewError as error:
                return contract_response(request, contract_id, detection_id, error=str(error), status=400)
            publisher.touch()
            view = session.view(reviewer, contract_id)
            stay = action in {"note", "theme", "entite"} or form.get("rester")
            target = detection_id if stay else next_pending(session, view, contract_id, filters, detection_id)
            query = filters.query() | {"sel": target, "avis": str(recorded.decision.id)}
            return RedirectResponse(f"/contrats/{quote(contract_id)}?{urlencode(query)}", status_code=303)

        return await run_in_threadpool(work)

    @app.post("/contrats/{contract_id}/ajout")
    async def add(request: Request, contract_id: str) -> Response:
        form = await request.form()
        page_text = str(form.get("page", ""))

        def work() -> Response:
            try:
                recorded = session.add_detection(
                    contract_id,
                    str(form.get("entity_id", "")),
                    int(page_text) if page_text.isdigit() else 0,
                    reviewer_of(request),
                    quote=str(form.get("quote", ""))[:500],
                    role=str(form.get("role", "")),
                    theme=str(form.get("theme", "")),
                    comment=str(form.get("comment", ""))[:2000],
                )
            except ReviewError as error:
                return contract_response(request, contract_id, "", error=str(error), status=400)
            publisher.touch()
            query = read_filters(form).query() | {
                "sel": recorded.decision.detection_id,
                "avis": str(recorded.decision.id),
            }
            return RedirectResponse(f"/contrats/{quote(contract_id)}?{urlencode(query)}", status_code=303)

        return await run_in_threadpool(work)

    @app.get("/contrats/{contract_id}/pages/{page}.png")
    def page_image(contract_id: str, page: int, d: str = "") -> Response:
        contracts = session.contracts
        rows = contracts[contracts["contract_id"] == contract_id] if not contracts.empty else contracts
        corpus = session.run_info.get("corpus")
        if rows.empty or not corpus:
            return Response(status_code=404)
        row = rows.iloc[0]
        if str(row.get("status", "ok")) != "ok":
            return Response(status_code=404)  # an unreadable contract has no page to show
        path = safe_pdf_path(Path(corpus), str(row["file"]), str(row["sha256"]))
        if path is None:
            return Response(status_code=404)
        needle, occurrence = "", 0
        if d:
            decided = session.view().decided
            match = decided[(decided["detection_id"] == d) & (decided["contract_id"] == contract_id)]
            if len(match) and int(match.iloc[0]["page"]) == page:
                needle, occurrence = hit_text(session, match.iloc[0].to_dict())
        data = render_page(path, page, needle, occurrence)
        if data is None:
            return Response(status_code=404)
        return Response(data, media_type="image/png", headers={"Cache-Control": "private, max-age=300"})

    @app.get("/contrats/{contract_id}/indicateurs", response_class=HTMLResponse)
    def indicators(request: Request, contract_id: str, avis: str = "") -> HTMLResponse:
        if contract_id not in known_contracts(session):
            return render(request, "error.html", {"message": f"Contrat « {contract_id} » inconnu."}, 404)
        grid = load_grid(session.lexicon_dir)
        try:
            autos = live_contract_indicators(session)
        except ReviewError:
            autos = None
        rows = contract_indicator_rows(session.store, contract_id, session.run_dir, grid, autos)
        context = {"contract_id": contract_id, "rows": rows, "saved": avis, "theme_names": dict(session.themes())}
        return render(request, "indicators.html", context)

    @app.post("/contrats/{contract_id}/indicateurs")
    async def indicator_decide(request: Request, contract_id: str) -> Response:
        form = await request.form()
        grid = {row.indicator_id: row for row in load_grid(session.lexicon_dir)}
        indicator_id = str(form.get("indicator_id", ""))
        value = str(form.get("value", ""))
        auto = str(form.get("auto", ""))
        if contract_id not in known_contracts(session) or indicator_id not in grid:
            return render(request, "error.html", {"message": "Indicateur ou contrat inconnu."}, 400)
        if form.get("confirmer"):
            value = auto
        if value not in VALUE_LABELS or not value:
            return render(request, "error.html", {"message": f"Valeur « {value} » invalide."}, 400)
        session.store.record_indicator(
            contract_id, indicator_id, value, auto, bool(form.get("confirmer")) or value == auto,
            str(form.get("comment", "")).strip()[:2000], reviewer_of(request), run_id=session.run_id,
        )  # fmt: skip
        publisher.touch()
        target = f"/contrats/{quote(contract_id)}/indicateurs?avis={quote(indicator_id)}#i-{quote(indicator_id)}"
        return RedirectResponse(target, status_code=303)

    @app.get("/entites/{entity_id}", response_class=HTMLResponse)
    def entity(request: Request, entity_id: str, role: str = "") -> HTMLResponse:
        return render(request, "entity.html", entity_page(session, entity_id, role))

    @app.get("/tables", response_class=HTMLResponse)
    def tables(request: Request) -> HTMLResponse:
        decided = session.view().decided
        try:
            partners, schemes = session.tables(decided)
        except ReviewError as error:
            return render(request, "error.html", {"message": str(error)}, 500)
        return render(
            request,
            "tables.html",
            {
                "partners": partners[partners["n_detections"] > 0].to_dict("records"),
                "schemes": schemes[schemes["n_detections"] > 0].to_dict("records"),
                "counts": review_counts(decided),
                "n_read": session.n_read,
            },
        )

    @app.get("/non-rattachees", response_class=HTMLResponse)
    def unattached(request: Request) -> HTMLResponse:
        return render(request, "unattached.html", {"decisions": session.view().resolution.unattached})

    @app.get("/accord", response_class=HTMLResponse)
    def agreement(request: Request) -> HTMLResponse:
        reviewed = sorted({d.contract_id for d in session.store.current("principal")})
        return render(
            request,
            "agreement.html",
            {"result": compute_agreement(session), "reviewed": reviewed, "assignments": session.store.assignments()},
        )

    @app.post("/accord/assigner")
    async def assign(request: Request) -> Response:
        form = await request.form()
        target = " ".join(str(form.get("relecteur", "")).split())[:60]
        chosen = [str(c) for c in form.getlist("contrats") if str(c) in known_contracts(session)]
        sample = str(form.get("echantillon", ""))
        if sample.isdigit() and int(sample) > 0:
            reviewed = sorted({d.contract_id for d in session.store.current("principal") if d.reviewer != target})
            chosen += random.Random(target).sample(reviewed, min(int(sample), len(reviewed)))
        if target and chosen:
            session.store.assign(target, sorted(set(chosen)), assigned_by=reviewer_of(request))
        return RedirectResponse("/accord", status_code=303)

    return app


def reviewer_of(request: Request) -> str:
    """The reviewer name remembered in the cookie ('' if not given yet)."""
    return unquote(request.cookies.get(REVIEWER_COOKIE, "")).strip()[:60]


def local_path(target: str) -> str:
    """A same-site path to go back to (never another site)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def known_contracts(session: ReviewSession) -> set[str]:
    contracts = session.contracts
    if contracts.empty:
        return set(session.detections["contract_id"])
    return set(contracts["contract_id"])


def notice_for(session: ReviewSession, decision_id: int, reviewer: str) -> dict[str, Any] | None:
    """What the page says after a decision: saved, and whether a colleague had decided in between."""
    if not decision_id:
        return None
    found = session.store.by_ids([decision_id]).get(decision_id)
    if found is None or found.reviewer != reviewer:
        return None
    notice: dict[str, Any] = {"decision": found, "summary": decision_summary(found), "overtaken": None}
    if found.basis is not None:
        previous = [d for d in session.store.all(found.contract_id) if d.superseded_by == found.id]
        latest = max(previous, key=lambda d: d.id, default=None)
        if latest is not None and latest.id != found.basis:
            notice["overtaken"] = latest
    later = [d for d in session.store.all(found.contract_id) if d.id == found.superseded_by]
    if later and later[0].reviewer != reviewer:
        notice["lost_to"] = later[0]
    return notice
