"""Browser tests of the review app: Debian's chromium driven by Playwright against the real app served by
uvicorn on 127.0.0.1. Screenshots go to the test's temporary folder."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_review_support import review_run, serve  # noqa: F401  (fixture)

from pipeline.review.app import create_app
from pipeline.review.session import ReviewSession

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="Debian chromium absent")


@pytest.fixture()
def browser_page() -> Iterator[object]:
    with playwright_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(15000)
        yield page
        browser.close()


def progress(page) -> tuple[int, int]:
    done, total = re.findall(r"(\d+) / (\d+)", page.inner_text("#progress-text"))[0]
    return int(done), int(total)


def press(page, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def select_row(page, entity: str, role: str) -> None:
    """Click the unreviewed detection of an entity with a role (selects it for the keyboard)."""
    name = page.locator("span.entity", has_text=re.compile("^" + re.escape(entity)))
    rows = page.locator("li.det.status-auto").filter(has=name).filter(has=page.locator(f".badge.role-{role}"))
    with page.expect_navigation():
        rows.first.locator("a.pick").click()
    assert entity in page.inner_text("#actions .current")


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
        assert page.locator("table.grid").is_visible()
        page.screenshot(path=str(shots / "1-contrats.png"), full_page=True)
        ars_before = signatories(page, base, "ars")
        caf_before = signatories(page, base, "caf")

        page.goto(base + "/contrats/contrat_1")
        assert page.title().startswith("contrat_1") and not dialogs  # the PDF's script did not run
        assert page.get_by_text('<script>document.title="pwned"</script>', exact=False).count() >= 1
        done, total = progress(page)
        assert done == 0 and total > 8
        page.screenshot(path=str(shots / "2-contrat.png"), full_page=False)

        press(page, "v")  # validate the first detection (impact first)
        assert progress(page) == (1, total) and "Décision enregistrée" in page.inner_text("#notice")
        select_row(page, "Agence régionale de santé", "signataire")
        press(page, "x")  # reject: the ARS does not sign this contract
        assert progress(page) == (2, total) and "rejetée" in page.inner_text("#notice")
        select_row(page, "Caisse d'allocations familiales", "signataire")
        press(page, "m")  # the CAF is only mentioned here
        assert "rôle → mentionne" in page.inner_text("#notice")

        page.keyboard.press("t")
        assert page.evaluate("document.activeElement.id") == "theme-select"
        page.select_option("#theme-select", "emploi")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "thème → emploi" in page.inner_text("#notice")

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
            press(page, "v")
        seconds = time.perf_counter() - started
        print(f"\nrevue au clavier de contrat_2 : {total_2} détections en {seconds:.1f} s")
        assert seconds < 60
    assert not dialogs and page.title() != "pwned"
    trail = session.store.all()
    assert [(d.entity_id, d.action) for d in trail[1:3]] == [("ars", "rejeter"), ("caf", "role")]
    assert len(session.store.all()) == 5 + total_2
