"""The review app against a hostile web page and hostile PDFs, over real HTTP: DNS rebinding (Host), forged
origins (scheme, host, port), short tokens, unreadable contracts and giant pages."""

from __future__ import annotations

import io
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from contract_pdf import write_contract
from PIL import Image
from reportlab.pdfgen import canvas
from test_review_support import build_run, serve, write_corpus

from pipeline.cli import main
from pipeline.review.app import create_app
from pipeline.review.render import render_page
from pipeline.review.session import ReviewError, ReviewSession


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three contracts, a file that is not a PDF, and a contract whose second page is 14,400 pt square."""
    root = tmp_path_factory.mktemp("hostile")
    corpus = write_corpus(root / "corpus")
    (corpus / "illisible.pdf").write_bytes(b"%PDF-1.7\nceci n'est pas un PDF valide")
    giant = corpus / "geant.pdf"
    write_contract(giant, ["Axe emploi\nFrance Travail et la Mission locale accompagnent les jeunes."])
    pdf = canvas.Canvas(str(corpus / "page-geante.pdf"), pagesize=(14400, 14400))
    pdf.setFont("Helvetica", 400)
    pdf.drawString(200, 7000, "France Travail et la Mission locale")
    pdf.showPage()
    pdf.save()
    return build_run(corpus, root / "run", root / "ws")


def named(base: str, name: str = "Alice", **kwargs: object) -> httpx.Client:
    http = httpx.Client(base_url=base, timeout=30, **kwargs)  # type: ignore[arg-type]
    assert http.post("/nom", data={"nom": name, "suivant": "/"}).status_code == 303
    return http


def test_dns_rebinding_host_is_refused(hostile_run: Path) -> None:
    with serve(create_app(ReviewSession(hostile_run))) as base:
        port = base.rsplit(":", 1)[1]
        http = named(base)
        assert http.get("/").status_code == 200
        assert http.get("/", headers={"host": f"localhost:{port}"}).status_code == 200
        for host in (f"attacker.example:{port}", "attacker.example", f"127.0.0.1.nip.io:{port}", "", "[::1]:x"):
            response = http.get("/", headers={"host": host})
            assert response.status_code == 400, host
            assert "Nom d'hôte non autorisé" in response.text
        assert http.get("/static/review.css", headers={"host": f"evil.example:{port}"}).status_code == 400
    with serve(create_app(ReviewSession(hostile_run), hosts=("127.0.0.1", "relecture.interne"))) as base:
        port = base.rsplit(":", 1)[1]
        http = named(base)
        assert http.get("/", headers={"host": f"relecture.interne:{port}"}).status_code == 200
        assert http.get("/", headers={"host": f"localhost:{port}"}).status_code == 400


def test_origin_is_checked_with_scheme_host_and_port(hostile_run: Path) -> None:
    session = ReviewSession(hostile_run)
    detection = session.detections.iloc[0]
    url = f"/contrats/{detection['contract_id']}/decision"
    form = {"detection_id": str(detection["detection_id"]), "action": "valider"}
    with serve(create_app(session)) as base:
        port = int(base.rsplit(":", 1)[1])
        http = named(base)
        for origin in (
            f"https://127.0.0.1:{port}",
            f"http://127.0.0.1:{port + 1}",
            "http://127.0.0.1",
            f"http://evil.example:{port}",
            "null",
        ):
            assert http.post(url, data=form, headers={"origin": origin}).status_code == 403, origin
        cross = http.post(url, data=form, headers={"sec-fetch-site": "cross-site"})
        assert cross.status_code == 403
        assert session.store.all() == []
        own = {"origin": f"http://127.0.0.1:{port}", "sec-fetch-site": "same-origin"}
        same = http.post(url, data=form, headers=own)
        assert same.status_code == 303
        assert [d.reviewer for d in session.store.all()] == ["Alice"]


def test_short_token_is_refused(hostile_run: Path) -> None:
    with pytest.raises(ReviewError, match="jeton d'accès trop court"):
        create_app(ReviewSession(hostile_run), token="s3cret")
    result = CliRunner().invoke(main, ["review", "--run", str(hostile_run), "--token", "court"])
    assert result.exit_code == 1
    assert result.output.startswith(
        "Erreur : jeton d'accès trop court (5 caractères) : il en faut au moins 16 (par exemple : python -c"
    )
    assert result.output.count("\n") == 1


def test_page_image_of_unreadable_contract_is_404(hostile_run: Path) -> None:
    with serve(create_app(ReviewSession(hostile_run))) as base:
        http = named(base)
        assert http.get("/contrats/illisible/pages/1.png").status_code == 404
        assert http.get("/contrats/contrat_1/pages/1.png").status_code == 200


def test_giant_page_renders_small_and_fast(hostile_run: Path) -> None:
    from pipeline.review.render import RenderLimits

    with serve(create_app(ReviewSession(hostile_run))) as base:
        http = named(base)
        started = time.monotonic()
        response = http.get("/contrats/page-geante/pages/1.png")
        assert time.monotonic() - started < 5
        assert response.status_code == 200
        width, height = Image.open(io.BytesIO(response.content)).size
        assert width * height <= RenderLimits().max_pixels and max(width, height) <= RenderLimits().max_side


def test_rendering_over_its_deadline_gives_no_image(hostile_run: Path) -> None:
    from pipeline.review.render import RenderLimits

    pdf = (Path(ReviewSession(hostile_run).run_info["corpus"]) / "page-geante.pdf").resolve()
    assert render_page(pdf, 1, limits=RenderLimits(timeout=0.001)) is None
    assert render_page(pdf, 1, limits=RenderLimits(max_pixels=10_000)) is not None
