"""The review app's JSON API over real HTTP (uvicorn on 127.0.0.1), on a real run of two contracts (one with a
scanned signature page read by Tesseract): decisions, undo, live per-contract indicators, OCR hit boxes,
additions from a selection, candidates written into the lexicon and counted by `cdv tables`, and the report
regenerated from the app."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pandas as pd
import pytest
from browser import chromium_page, needs_chromium
from click.testing import CliRunner
from contract_pdf import SIGNATURE_PAGE, write_contract
from pdfs import make_scanned_pdf
from test_review_support import EMPLOI, HEALTH, build_run, serve

from pipeline.cli import main
from pipeline.lexicon import default_lexicon_dir
from pipeline.review.app import create_app
from pipeline.review.session import ReviewSession

BODY = (
    "Partenariats\nL'association Trait d'Union accompagne les familles du quartier.\n"
    "Le conseil citoyen se réunit chaque mois."
)
SCANNED = (
    "Les signataires\nPour la Caisse d'allocations familiales, la Directrice\n"
    "Pour France Travail, le Directeur territorial"
)
CANDIDATES = (
    "name,key,source,n_mentions,n_contracts,contracts,pages,signature_page,snippet\n"
    "Association Trait d'Union,association trait d'union,motif,1,1,contrat_ml,contrat_ml:3,0,"
    "L'association Trait d'Union accompagne les familles du quartier.\n"
)


@pytest.fixture(scope="module")
def built_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One text contract whose Mission locale signs, one whose signature page is a scan (built once)."""
    root = tmp_path_factory.mktemp("api")
    corpus = root / "corpus"
    corpus.mkdir()
    write_contract(
        corpus / "contrat_ml.pdf", [HEALTH, BODY], signature=SIGNATURE_PAGE + "\nPour la Mission locale, le Directeur"
    )
    make_scanned_pdf(
        corpus / "contrat_scan.pdf", [SCANNED], text_pages=["Contrat de ville Engagements Quartiers 2030", EMPLOI]
    )
    run = build_run(corpus, root / "run", root / "ws")
    (run / "candidates.csv").write_text(CANDIDATES, encoding="utf-8")
    return root


@pytest.fixture()
def app_run(built_run: Path, tmp_path: Path) -> Iterator[tuple[ReviewSession, Path]]:
    """A fresh copy of the run, its workspace and the lexicons for each test."""
    shutil.copytree(built_run / "corpus", tmp_path / "corpus")
    shutil.copytree(built_run / "ws", tmp_path / "ws")
    run = shutil.copytree(built_run / "run", tmp_path / "run")
    info = (run / "run.json").read_text(encoding="utf-8")
    for name in ("corpus", "ws", "run"):
        info = info.replace(str((built_run / name).resolve()), str((tmp_path / name).resolve()))
    (run / "run.json").write_text(info, encoding="utf-8")
    lexicons = shutil.copytree(default_lexicon_dir(), tmp_path / "lexicons")
    yield ReviewSession(run, lexicon_dir=lexicons), lexicons


def client(base: str, name: str = "Alice") -> httpx.Client:
    http = httpx.Client(base_url=base, timeout=60, follow_redirects=True)
    http.post("/nom", data={"nom": name, "suivant": "/"})
    return http


def detection(session: ReviewSession, contract: str, entity: str, role: str = "") -> str:
    rows = session.view().decided.query("contract_id == @contract and entity_id == @entity")
    if role:
        rows = rows[rows["role"] == role]
    return str(rows.iloc[0]["detection_id"])


def indicator_cell(html: str, indicator: str) -> str:
    start = html.index(f'id="i-{indicator}"')
    return html[start : html.index("</tr>", start)]


def test_indicator_ignores_a_rejected_detection(app_run: tuple[ReviewSession, Path]) -> None:
    """Regression: « Missions locales signataires : Oui p. 4 » stayed after its only detection was rejected."""
    session, _ = app_run
    with serve(create_app(session, publish_pause=0)) as base:
        http = client(base)
        row = indicator_cell(http.get("/contrats/contrat_ml/indicateurs").text, "gouv_missions_locales_signataires")
        assert "<td>Oui</td>" in row and "p. 4" in row
        target = detection(session, "contrat_ml", "mission_locale", "signataire")
        answer = http.post("/api/decisions", json={"detection_id": target, "action": "rejeter"}).json()
        assert answer["ok"] and answer["detection"]["status"] == "rejete"
        row = indicator_cell(http.get("/contrats/contrat_ml/indicateurs").text, "gouv_missions_locales_signataires")
        assert "<td>Non</td>" in row and "p. 4" not in row


def test_decisions_undo_and_errors_through_the_api(app_run: tuple[ReviewSession, Path]) -> None:
    session, _ = app_run
    target = detection(session, "contrat_ml", "ars", "signataire")
    with serve(create_app(session, publish_pause=0)) as base:
        alice, bruno = client(base, "Alice"), client(base, "Bruno")
        response = alice.post("/api/decisions", json={"detection_id": target, "action": "role", "value": "mentionne"})
        assert response.headers["server-timing"].startswith("app;dur=")
        body = response.json()
        assert body["detection"] | {"detection_id": ""} == {
            "detection_id": "",
            "status": "valide",
            "status_label": "validée",
            "role": "mentionne",
            "role_label": "mentionné",
            "theme": "",
            "theme_name": "sans thème",
            "entity_id": "ars",
            "entity_name": "Agence régionale de santé",
        }
        refused = bruno.post("/api/annuler", json={"decision_id": body["decision"]["id"]})
        assert (
            refused.status_code == 400
            and refused.json()["erreur"] == "seules vos propres décisions peuvent être annulées."
        )
        undone = alice.post("/api/annuler", json={"decision_id": body["decision"]["id"]}).json()
        assert undone["detection"]["status"] == "auto" and undone["detection"]["role"] == "signataire"
        bad = alice.post("/api/decisions", json={"detection_id": target, "action": "role", "value": "articulation"})
        assert bad.status_code == 400 and "rôle « articulation » impossible" in bad.json()["erreur"]
        forged = alice.post(
            "/api/decisions",
            json={"detection_id": target, "action": "valider"},
            headers={"origin": "http://evil.example"},
        )
        assert forged.status_code == 403
        queue = alice.get("/api/file?limite=5").json()
        assert len(queue["items"]) == 5 and all(item["reasons"] for item in queue["items"])
    assert [d.action for d in session.store.all()] == ["role", "annuler"]
    assert session.view().decided.set_index("detection_id").loc[target, "role"] == "signataire"


def test_scanned_page_hit_is_boxed_from_ocr_words(app_run: tuple[ReviewSession, Path]) -> None:
    session, _ = app_run
    target = detection(session, "contrat_scan", "caf")
    page = int(session.view().decided.set_index("detection_id").loc[target, "page"])
    with serve(create_app(session, publish_pause=0)) as base:
        http = client(base)
        words = http.get(f"/api/contrats/contrat_scan/pages/{page}/mots?d={target}").json()
        assert words["ocr"] is True
        assert [w["t"] for w in words["passage"]] == ["Caisse", "d'allocations", "familiales,"]
        first = words["passage"][0]
        assert 0 < first["x"] < 0.5 and 0 < first["y"] < 0.5 and first["w"] > 0
        text_words = http.get("/api/contrats/contrat_ml/pages/4/mots").json()
        assert text_words["ocr"] is False and "Mission" in [w["t"] for w in text_words["mots"]]
        contract_page = http.get(f"/contrats/contrat_scan?sel={target}").text
        assert "page numérisée" in contract_page


def test_adding_a_missed_detection_checks_the_quote(app_run: tuple[ReviewSession, Path]) -> None:
    session, _ = app_run
    with serve(create_app(session, publish_pause=0)) as base:
        http = client(base)
        found = http.post(
            "/api/ajouts",
            json={
                "contract_id": "contrat_ml",
                "page": 3,
                "quote": "conseil  citoyen",
                "entity_id": "conseils_citoyens",
            },
        ).json()
        assert found["ok"] and found["citation_trouvee"] is True and found["detection"]["status"] == "ajoute"
        absent = {"contract_id": "contrat_ml", "page": 3, "quote": "Maison de la justice", "entity_id": "mjd"}
        refused = http.post("/api/ajouts", json=absent)
        assert refused.status_code == 400 and "citation non retrouvée" in refused.json()["erreur"]
        forced = http.post("/api/ajouts", json=absent | {"insister": True}).json()
        assert forced["ok"] and forced["citation_trouvee"] is False
        page = http.get("/contrats/contrat_ml?ordre=page").text
        assert "citation non retrouvée" in page and "ajout manuel" in page
    added = session.view().decided.query("method == 'ajout'").set_index("entity_id")
    assert added.loc["conseils_citoyens", "page"] == 3 and added.loc["conseils_citoyens", "end"] > 0


def test_an_organisation_outside_the_lexicons_goes_to_the_lexicon_and_is_counted(
    app_run: tuple[ReviewSession, Path],
) -> None:
    session, lexicons = app_run
    with serve(create_app(session, publish_pause=0)) as base:
        http = client(base)
        added = http.post(
            "/api/ajouts",
            json={
                "contract_id": "contrat_ml",
                "page": 3,
                "quote": "association Trait d'Union",
                "nouveau_nom": "Association Trait d'Union",
            },
        ).json()
        assert added["ok"] and added["detection"]["entity_id"] == "association_trait_d_union"
        listing = http.get("/candidats").text
        assert listing.count('id="cand-association_trait_d_union"') == 1 and "1 ajout manuel" in listing
        confirmed = http.post(
            "/api/candidats/confirmer",
            json={
                "entity_id": "association_trait_d_union",
                "name": "Association Trait d'Union",
                "category": "associatif",
            },
        ).json()
        assert confirmed == {"ok": True, "entity_id": "association_trait_d_union", "detections_ajoutees": 1}
        again = http.post("/api/candidats/confirmer", json={"entity_id": "association_trait_d_union", "name": "x"})
        assert again.status_code == 404
    assert "association_trait_d_union,Association Trait d'Union,,,,,associatif,,," in (
        lexicons / "partners.csv"
    ).read_text(encoding="utf-8")
    result = CliRunner().invoke(
        main, ["tables", "--run", str(session.run_dir), "--lexicons", str(lexicons), "--sans-png"]
    )
    assert result.exit_code == 0, result.output
    partners = pd.read_csv(session.run_dir / "tables" / "partenaires.csv").set_index("entity_id")
    assert partners.loc["association_trait_d_union", "n_mentionne"] == 1


def test_report_regenerates_from_the_app(app_run: tuple[ReviewSession, Path]) -> None:
    session, _ = app_run
    report = session.run_dir / "rapport.html"
    with serve(create_app(session, publish_pause=1.0, publish_png=False)) as base:
        http = client(base)
        assert http.get("/api/etat").json()["publication"]["etat"] == "a_jour"  # cdv run published it
        started = http.post("/api/publier").json()
        assert started["lancee"] is True
        deadline = time.monotonic() + 120
        while http.get("/api/etat").json()["publication"]["etat"] != "a_jour":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        stamp = report.stat().st_mtime
        target = detection(session, "contrat_ml", "ars", "signataire")
        http.post("/api/decisions", json={"detection_id": target, "action": "rejeter"})
        assert http.get("/api/etat").json()["publication"]["etat"] in ("a_regenerer", "en_cours")
        deadline = time.monotonic() + 120  # regenerated by itself after a pause of one second
        while http.get("/api/etat").json()["publication"]["etat"] != "a_jour":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert report.stat().st_mtime > stamp
    tables = pd.read_csv(session.run_dir / "tables" / "partenaires.csv").set_index("entity_id")
    assert tables.loc["ars", "n_signataire"] == 0


@needs_chromium
def test_scanned_page_hit_is_boxed_on_the_contract_page(app_run: tuple[ReviewSession, Path]) -> None:
    session, _ = app_run
    target = detection(session, "contrat_scan", "caf")
    with serve(create_app(session, publish_pause=0)) as base, chromium_page(timeout_ms=30000) as page:
        page.goto(base + f"/nom?suivant=/contrats/contrat_scan%3Fsel%3D{target}")
        page.fill("#nom", "Alice")
        page.click("text=Commencer la relecture")
        page.wait_for_selector("#hit-layer .hit-box", timeout=60000)
        assert page.locator("#hit-layer .hit-box").count() == 3
        assert "page numérisée (OCR)" in page.inner_text("#page-caption")
        image = page.locator("#page-image").bounding_box()
        box = page.locator("#hit-layer .hit-box").first.bounding_box()
        assert image and box and image["x"] < box["x"] < image["x"] + image["width"] / 2
