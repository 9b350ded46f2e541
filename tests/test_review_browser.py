"""Browser tests of the review app: Debian's chromium driven by Playwright against the real app served by
uvicorn on 127.0.0.1. Screenshots go to the test's temporary folder."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import chromium_page, needs_chromium
from test_review_support import review_run, serve  # noqa: F401  (fixture)

from pipeline.review.app import create_app
from pipeline.review.session import ReviewSession

pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium


@pytest.fixture()
def browser_page() -> Iterator[object]:
    with chromium_page() as page:
        yield page


def progress(page) -> tuple[int, int]:
    done, total = re.findall(r"(\d+) / (\d+)", page.inner_text("#progress-text"))[0]
    return int(done), int(total)


def press(page, key: str) -> None:
    """A decision key on the contract page: no reload, the progress counter moves once the server answered."""
    before = page.inner_text("#toast-text") if page.locator("#toast").is_visible() else ""
    page.keyboard.press(key)
    page.wait_for_function(
        "before => !document.getElementById('toast').hidden"
        " && document.getElementById('toast-text').textContent !== before",
        arg=before,
    )


def select_row(page, entity: str, role: str) -> None:
    """Click the unreviewed detection of an entity with a role (selects it for the keyboard, no reload)."""
    name = page.locator("span.entity", has_text=re.compile("^" + re.escape(entity)))
    rows = page.locator("li.det.status-auto").filter(has=name).filter(has=page.locator(f".badge.role-{role}"))
    row_id = rows.first.get_attribute("data-id")
    rows.first.locator("a.pick").click()
    page.wait_for_function(
        "id => document.getElementById('actions') && document.getElementById('actions').dataset.detection === id",
        arg=row_id,
    )
    assert entity in page.inner_text("#actions .current")


def no_reload_marker(page) -> None:
    page.evaluate("window.__sans_rechargement = true")


def not_reloaded(page) -> bool:
    return bool(page.evaluate("window.__sans_rechargement === true"))


def signatories(page, base: str, entity: str) -> int:
    page.goto(base + "/tables")
    return int(page.inner_text(f"#p-{entity} .n-sig"))


def test_review_a_contract_in_the_browser(review_run: Path, browser_page, tmp_path: Path) -> None:  # noqa: F811
    page = browser_page
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    shots = tmp_path / "captures"
    shots.mkdir()
    session = ReviewSession(review_run)
    with serve(create_app(session)) as base:
        page.goto(base + "/")
        assert "/nom" in page.url
        page.fill("#nom", "Alice")
        page.click("text=Commencer la relecture")
        assert page.locator("#stabilite").is_visible() and page.locator("#c-contrat_1").is_visible()
        page.screenshot(path=str(shots / "1-contrats.png"), full_page=True)
        ars_before = signatories(page, base, "ars")
        caf_before = signatories(page, base, "caf")

        page.goto(base + "/contrats/contrat_1")
        assert page.title().startswith("contrat_1") and not dialogs  # the PDF's script did not run
        assert page.get_by_text('<script>document.title="pwned"</script>', exact=False).count() >= 1
        done, total = progress(page)
        assert done == 0 and total > 8
        page.screenshot(path=str(shots / "2-contrat.png"), full_page=False)

        no_reload_marker(page)
        press(page, "v")  # validate the first detection (impact first)
        assert progress(page) == (1, total) and "Décision enregistrée" in page.inner_text("#toast-text")
        select_row(page, "Agence régionale de santé", "signataire")
        press(page, "x")  # reject: the ARS does not sign this contract
        assert progress(page) == (2, total) and "rejetée" in page.inner_text("#toast-text")
        select_row(page, "Caisse d'allocations familiales", "signataire")
        press(page, "m")  # the CAF is only mentioned here
        assert "rôle → mentionne" in page.inner_text("#toast-text")
        page.wait_for_function("() => document.getElementById('actions').dataset.detection !== ''")
        page.wait_for_load_state("networkidle")  # the panel of the next detection is in place

        page.keyboard.press("t")
        page.wait_for_function("() => document.activeElement.id === 'theme-select'")
        page.select_option("#theme-select", "emploi")
        before = page.inner_text("#toast-text")
        page.keyboard.press("Enter")
        page.wait_for_function("b => document.getElementById('toast-text').textContent !== b", arg=before)
        assert "thème → emploi" in page.inner_text("#toast-text")
        assert not_reloaded(page)
        page.wait_for_function("() => document.activeElement.id !== 'theme-select'")

        page.keyboard.press("a")
        page.select_option("#add-entity", "anct")
        page.fill("#add-page", "3")
        page.fill("#add-quote", "Mission locale accompagnent")
        with page.expect_navigation():
            page.click("#add-form button[type=submit]")
        assert "ajoutée" in page.inner_text("#notice")
        added = page.locator("li.det.selected")
        assert "Agence nationale de la cohésion des territoires" in added.inner_text()
        done_after, total_after = progress(page)
        assert (done_after, total_after) == (5, total + 1)
        page.screenshot(path=str(shots / "3-contrat-apres.png"), full_page=False)

        page.goto(base + "/")
        assert page.inner_text("#c-contrat_1 .progress-text").startswith(f"5 / {total + 1}")
        assert signatories(page, base, "ars") == ars_before - 1
        assert signatories(page, base, "caf") == caf_before - 1
        assert "%" in page.inner_text("#p-ars .revu")
        page.screenshot(path=str(shots / "4-tables.png"), full_page=True)
        page.goto(base + "/entites/ars?role=signataire")
        page.screenshot(path=str(shots / "5-entite.png"), full_page=True)

        # Time to review one whole contract with the keyboard only.
        page.goto(base + "/contrats/contrat_2")
        _, total_2 = progress(page)
        started = time.perf_counter()
        while progress(page)[0] < total_2:
            done = progress(page)[0]
            page.keyboard.press("v")
            page.wait_for_function(
                "done => Number(/(\\d+) \\//.exec(document.getElementById('progress-text').textContent)[1]) > done",
                arg=done,
            )
            page.wait_for_function("() => !document.querySelector('li.det[data-sending]')")
        seconds = time.perf_counter() - started
        print(f"\nrevue au clavier de contrat_2 : {total_2} détections en {seconds:.1f} s")
        assert seconds < 60
    assert not dialogs and page.title() != "pwned"
    trail = session.store.all()
    assert [(d.entity_id, d.action) for d in trail[1:3]] == [("ars", "rejeter"), ("caf", "role")]
    assert len(session.store.all()) == 5 + total_2


def queue_state(page) -> tuple[str, int]:
    """The selected queue item and the number of decisions the server confirmed."""
    return (
        str(page.get_attribute("li.qitem.selected", "data-id")),
        int(page.get_attribute("#session-count", "data-confirmed") or 0),
    )


def test_queue_decision_without_reload_and_undo(review_run: Path, browser_page, tmp_path: Path) -> None:  # noqa: F811
    page = browser_page
    session = ReviewSession(review_run)
    with serve(create_app(session, publish_pause=0)) as base:
        page.goto(base + "/nom?suivant=/file")
        page.fill("#nom", "Alice")
        page.click("text=Commencer la relecture")
        assert page.url.endswith("/file")
        first = page.locator("li.qitem").first
        # each item says why it is there (which reason depends on the models' scores)
        why = r"(seule|passages? à revoir pour cette) (mention|signature) dans ce contrat"
        assert re.search(why, first.inner_text())
        marked = first.locator("mark").inner_text()
        assert marked.strip() and marked in first.locator(".snippet").inner_text()
        page.screenshot(path=str(tmp_path / "file.png"), full_page=False)
        no_reload_marker(page)
        selected, _ = queue_state(page)
        page.keyboard.press("v")
        page.wait_for_function("() => document.getElementById('session-count').dataset.confirmed === '1'")
        assert not_reloaded(page)
        assert page.get_attribute(f"#q-{selected}", "class").split() == ["qitem", "status-valide"]
        assert queue_state(page)[0] != selected  # the next item is selected
        assert [(d.detection_id, d.action) for d in session.store.all()] == [(selected, "valider")]
        page.keyboard.press("u")
        page.wait_for_function(
            "id => document.getElementById('q-' + id).classList.contains('status-auto')", arg=selected
        )
        assert queue_state(page)[0] == selected and not_reloaded(page)
        assert [d.action for d in session.store.all()] == ["valider", "annuler"]
        assert session.view().decided.set_index("detection_id").loc[selected, "status"] == "auto"
        page.keyboard.press("x")
        page.wait_for_function("() => document.getElementById('session-count').dataset.confirmed === '2'")
        assert session.view().decided.set_index("detection_id").loc[selected, "status"] == "rejete"


def test_bulk_decision_from_the_concordance(review_run: Path, browser_page, tmp_path: Path) -> None:  # noqa: F811
    page = browser_page
    session = ReviewSession(review_run)
    with serve(create_app(session, publish_pause=0)) as base:
        page.goto(base + "/nom?suivant=/concordance/caf")
        page.fill("#nom", "Alice")
        page.click("text=Commencer la relecture")
        group = page.locator("section.kwic-group", has_text="« Pour la Caisse d'allocations familiales »")
        assert group.locator("tr.kline").count() == 3
        page.screenshot(path=str(tmp_path / "concordance.png"), full_page=True)
        no_reload_marker(page)
        group.locator(".group-check").check()
        assert page.inner_text("#bulk-count") == "3 sélectionnées"
        page.click("#bulk button[data-action='role'][data-value='mentionne']")
        page.wait_for_function(
            "() => document.querySelectorAll('section.kwic-group tr.kline.status-valide .role-mentionne').length === 3"
        )
        assert not_reloaded(page) and "3 décisions enregistrées" in page.inner_text("#toast-text")
    trail = session.store.all()
    assert len(trail) == 3 and {(d.entity_id, d.action, d.reviewer, d.source) for d in trail} == {
        ("caf", "role", "Alice", "lot")
    }
    assert len({d.detection_id for d in trail}) == 3
    tables = session.tables()[0].set_index("entity_id")
    assert tables.loc["caf", "n_signataire"] == 0


def test_matrix_cells_lead_to_the_passages(review_run: Path, browser_page, tmp_path: Path) -> None:  # noqa: F811
    page = browser_page
    session = ReviewSession(review_run)
    session.decide(
        str(session.detections.query("contract_id == 'contrat_2' and entity_id == 'ars' and role == 'signataire'")
            .iloc[0]["detection_id"]),
        "rejeter",
        "Alice",
    )  # fmt: skip
    with serve(create_app(session, publish_pause=0)) as base:
        page.goto(base + "/nom?suivant=/matrice")
        page.fill("#nom", "Alice")
        page.click("text=Commencer la relecture")
        headers = page.locator("#matrice thead th.col").all_inner_texts()
        ars = headers.index("ARS") + 1
        assert page.inner_text(f"#m-contrat_1 td:nth-child({ars + 1})") == "S"
        assert page.inner_text(f"#m-contrat_2 td:nth-child({ars + 1})") == "M"
        assert page.inner_text(f"#matrice tfoot tr.foot-sig td:nth-child({ars + 1})") == "2"
        band = page.locator(f"#matrice tfoot tr.foot-band td:nth-child({ars + 1})")
        assert band.inner_text() == "plus de 70\u00a0%"
        page.screenshot(path=str(tmp_path / "matrice.png"), full_page=True)
        page.click(f"#m-contrat_2 td:nth-child({ars + 1}) a")
        page.wait_for_url(re.compile(r"/concordance/ars\?contrat=contrat_2$"))
        assert page.locator("tr.kline").count() == 2
        assert page.locator("tr.kline.status-rejete").count() == 1


def test_add_a_missed_detection_by_selecting_text_on_the_page_image(
    review_run: Path,  # noqa: F811
    browser_page,
    tmp_path: Path,
) -> None:
    page = browser_page
    session = ReviewSession(review_run)
    with serve(create_app(session, publish_pause=0)) as base:
        page.goto(base + "/nom?suivant=/contrats/contrat_1/page/3")
        page.fill("#nom", "Alice")
        page.click("text=Commencer la relecture")
        page.wait_for_function("() => document.getElementById('page-review').dataset.wordsReady === '1'")
        words = page.locator("#word-layer span.word")
        first = words.filter(has_text=re.compile(r"^France $")).first.bounding_box()
        last = words.filter(has_text=re.compile(r"^Travail $")).first.bounding_box()
        page.mouse.move(first["x"] + 2, first["y"] + first["height"] / 2)
        page.mouse.down()
        page.mouse.move(last["x"] + last["width"] - 2, last["y"] + last["height"] / 2, steps=8)
        page.mouse.up()
        assert page.input_value("#sel-quote") == "France Travail"
        page.select_option("#sel-entity", "reseau_pour_emploi")
        page.screenshot(path=str(tmp_path / "selection.png"), full_page=False)
        page.click("#sel-submit")
        page.wait_for_function(
            "() => document.getElementById('toast-text').textContent.indexOf('Détection ajoutée') === 0"
        )
        assert page.inner_text("#toast-text") == "Détection ajoutée : Réseau pour l'emploi, p. 3"
        page.fill("#sel-quote", "Maison de la justice et du droit")
        page.select_option("#sel-entity", "mjd")
        page.click("#sel-submit")
        page.wait_for_selector("#sel-insist:not([hidden])")
        assert "citation non retrouvée" in page.inner_text("#sel-error")
    added = [d for d in session.store.all() if d.action == "ajouter"]
    assert len(added) == 1
    assert (added[0].entity_id, added[0].page, added[0].after["quote"], added[0].after["quote_found"]) == (
        "reseau_pour_emploi",
        3,
        "France Travail",
        True,
    )
    row = session.view().decided.query("method == 'ajout'").iloc[0]
    assert session.texts.text("contrat_1", 3)[int(row["start"]) : int(row["end"])] == "France Travail"


def test_report_regenerates_from_the_app(review_run: Path, browser_page) -> None:  # noqa: F811
    page = browser_page
    session = ReviewSession(review_run)
    report = review_run / "rapport.html"
    with serve(create_app(session, publish_pause=1.0, publish_png=False)) as base:
        page.goto(base + "/nom?suivant=/file")
        page.fill("#nom", "Alice")
        page.click("text=Commencer la relecture")
        assert page.inner_text("#publication-etat") == "à jour"  # the run published its report
        page.click("#publier")
        page.wait_for_function(
            "() => document.getElementById('publication-etat').textContent === 'à jour'", timeout=120000
        )
        assert report.exists()
        stamp = report.stat().st_mtime
        page.keyboard.press("x")
        page.wait_for_function("() => document.getElementById('session-count').dataset.confirmed === '1'")
        assert page.inner_text("#publication-etat") in ("à régénérer", "régénération en cours")
        page.wait_for_function(
            "() => document.getElementById('publication-etat').textContent === 'à jour'", timeout=120000
        )
        assert report.stat().st_mtime > stamp
