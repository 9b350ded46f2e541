"""The review app over real HTTP (uvicorn on 127.0.0.1): pages, escaping of PDF text, no path from a
request to the filesystem, token, same-origin POSTs, and two reviewers deciding concurrently."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import httpx
import pandas as pd
from test_review_support import XSS, review_run, serve  # noqa: F401  (fixture)

from pipeline.review.app import create_app
from pipeline.review.indicators import indicator_decisions, load_grid
from pipeline.review.render import safe_pdf_path
from pipeline.review.session import ReviewSession


def client(base: str, name: str, **kwargs: object) -> httpx.Client:
    http = httpx.Client(base_url=base, timeout=30, follow_redirects=True, **kwargs)  # type: ignore[arg-type]
    response = http.post("/nom", data={"nom": name, "suivant": "/"})
    assert response.status_code == 200
    return http


def test_pages_escape_pdf_text_and_refuse_paths(review_run: Path) -> None:  # noqa: F811
    session = ReviewSession(review_run)
    with serve(create_app(session)) as base:
        anonymous = httpx.Client(base_url=base)
        assert anonymous.get("/", follow_redirects=False).headers["location"].startswith("/nom")
        http = client(base, "Alice")
        assert "contrat_1" in http.get("/").text
        page = http.get("/contrats/contrat_1?ordre=page")
        assert page.status_code == 200
        assert "<script>document.title" not in page.text and "<img src=x" not in page.text
        assert "&lt;script&gt;document.title=" in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
        for url in ("/tables", "/accord", "/non-rattachees", "/entites/ars", "/contrats/contrat_1/indicateurs"):
            assert http.get(url).status_code == 200, url
            assert "<script>document" not in http.get(url).text
        image = http.get("/contrats/contrat_1/pages/2.png")
        assert image.status_code == 200 and image.content[:4] == b"\x89PNG"
        for url in (
            "/contrats/..%2F..%2Fetc%2Fpasswd/pages/1.png",
            "/contrats/contrat_1/pages/0.png",
            "/contrats/contrat_1/pages/999.png",
            "/contrats/contrat_1/pages/..%2F..%2Frun.json",
            "/static/..%2F..%2F..%2Frun.json",
            "/static/../app.py",
            "/contrats/%2Fetc%2Fpasswd/pages/1.png",
        ):
            response = http.get(url)
            assert response.status_code in (404, 422), url
            assert b"root:" not in response.content
        assert http.get("/contrats/contrat_1/pages/2.png?d=../../../etc/passwd").status_code == 200
        forged = http.post(
            "/contrats/contrat_1/decision",
            data={"detection_id": "x", "action": "valider"},
            headers={"origin": "http://evil.example"},
        )
        assert forged.status_code == 403
    corpus = Path(session.run_info["corpus"])
    row = session.contracts.iloc[0]
    assert safe_pdf_path(corpus, "../run/detections.csv", row["sha256"]) is None
    assert safe_pdf_path(corpus, "/etc/passwd", row["sha256"]) is None
    assert safe_pdf_path(corpus, row["file"], "0" * 64) is None
    (corpus / "lien.pdf").symlink_to(Path("/etc/hostname"))
    assert safe_pdf_path(corpus, "lien.pdf", row["sha256"]) is None
    assert safe_pdf_path(corpus, row["file"], row["sha256"]) == (corpus / row["file"]).resolve()


def test_token_is_required_on_every_request(review_run: Path) -> None:  # noqa: F811
    with serve(create_app(ReviewSession(review_run), token="s3cret-relecture-2024")) as base:
        assert httpx.get(base + "/").status_code == 401
        assert httpx.get(base + "/static/review.css").status_code == 401
        assert httpx.get(base + "/?token=wrong").status_code == 401
        http = httpx.Client(base_url=base)
        first = http.get("/?token=s3cret-relecture-2024", follow_redirects=False)
        assert first.status_code == 303 and "cdv_jeton" in first.headers.get("set-cookie", "")
        assert http.get("/static/review.css").status_code == 200  # the cookie now carries the token
        bearer = httpx.get(base + "/static/review.js", headers={"authorization": "Bearer s3cret-relecture-2024"})
        assert bearer.status_code == 200


def test_two_reviewers_hundreds_of_decisions_nothing_lost(review_run: Path) -> None:  # noqa: F811
    session = ReviewSession(review_run)
    ids = list(session.detections["detection_id"])
    contract_of = dict(zip(session.detections["detection_id"], session.detections["contract_id"], strict=True))
    per_client = 150
    errors: list[str] = []
    with serve(create_app(session)) as base:
        clients = {name: client(base, name) for name in ("Alice", "Bruno")}

        def work(name: str, offset: int) -> None:
            http = clients[name]
            for step in range(per_client):
                detection_id = ids[(step + offset) % len(ids)]
                action = ("valider", "rejeter")[(step + offset) % 2]
                response = http.post(
                    f"/contrats/{contract_of[detection_id]}/decision",
                    data={"detection_id": detection_id, "action": action, "basis": "0"},
                    follow_redirects=False,
                )
                if response.status_code != 303:
                    errors.append(f"{name} {step}: {response.status_code}")

        threads = [threading.Thread(target=work, args=(name, i * 7)) for i, name in enumerate(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        trail = session.store.all()
        assert len(trail) == 2 * per_client
        assert Counter(d.reviewer for d in trail) == {"Alice": per_client, "Bruno": per_client}
        current = session.store.current()
        assert len(current) == len({d.detection_id for d in trail})  # exactly one decision in force per detection
        for decision in current:
            latest = max(d.id for d in trail if d.detection_id == decision.detection_id)
            assert decision.id == latest  # the later wins
        superseded = [d for d in trail if d.superseded_by is not None]
        assert len(superseded) == len(trail) - len(current)

        # Two reviewers on the same detection: the later is told, the earlier's page says so.
        target = ids[0]
        contract = contract_of[target]
        basis = str(session.view().resolution.decision_for(target).id)  # type: ignore[union-attr]
        clients["Alice"].post(
            f"/contrats/{contract}/decision", data={"detection_id": target, "action": "rejeter", "basis": basis}
        )
        late = clients["Bruno"].post(
            f"/contrats/{contract}/decision",
            data={"detection_id": target, "action": "valider", "basis": basis, "rester": "1"},
        )
        assert "Alice avait décidé entre-temps" in late.text
        alice_page = clients["Alice"].get(f"/contrats/{contract}?sel={target}").text
        assert "a été remplacée par celle de Bruno" in alice_page
        decided = session.view().decided.set_index("detection_id")
        assert decided.loc[target, "status"] == "valide"
        assert isinstance(decided, pd.DataFrame)


def test_indicators_are_confirmed_or_entered_with_history(review_run: Path) -> None:  # noqa: F811
    session = ReviewSession(review_run)
    manual = next(row.indicator_id for row in load_grid() if row.manual)
    with serve(create_app(session)) as base:
        http = client(base, "Alice")
        page = http.get("/contrats/contrat_1/indicateurs")
        assert "à saisir" in page.text  # the automatic values are computed with the decisions in force
        ademe = page.text[page.text.index('id="i-gouv_ademe_mentionnee"') :]
        assert ademe[: ademe.index("</tr>")].count("<td>Non</td>") == 1
        url = "/contrats/contrat_1/indicateurs"
        http.post(url, data={"indicator_id": "gouv_ademe_mentionnee", "auto": "non", "confirmer": "1"})
        http.post(url, data={"indicator_id": manual, "value": "sans_objet", "comment": "pas de QPV <b>concerné</b>"})
        page = http.get(url)
        assert "pas de QPV &lt;b&gt;concerné&lt;/b&gt;" in page.text and "(confirmée)" in page.text
        assert http.post(url, data={"indicator_id": "inconnu", "value": "oui"}).status_code == 400
    frame = indicator_decisions(session.workspace, review_run).set_index("indicator_id")
    assert (frame.loc["gouv_ademe_mentionnee", "value"], frame.loc["gouv_ademe_mentionnee", "confirmed"]) == ("non", 1)
    assert frame.loc[manual, "value"] == "sans_objet" and frame.loc[manual, "reviewer"] == "Alice"
