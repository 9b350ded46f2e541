"""`rapport.html` in a real browser (Debian's chromium driven by Playwright): a click on a cell of the contract ×
partner (or × dispositif) matrix goes to that contract's passages in the evidence list of the figure."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from browser import chromium_page, needs_chromium
from run_fixture import make_run, write_corpus

pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report-browser")
    return make_run(write_corpus(root / "corpus"), root / "run", root / "ws")


@pytest.fixture()
def browser_page() -> Iterator[object]:
    with chromium_page(1300, 800) as page:
        yield page


def click_cell_and_check(page, table: str, contract_id: str, entity_name: str, value: str, measure: str) -> None:  # type: ignore[no-untyped-def]
    """Click the cell of one contract and entity; the page must show that contract's entry, under the figure's
    title, with a quote, below the sticky navigation bar."""
    link = page.locator(f"#{table} tr", has=page.locator("th.rowhead", has_text=contract_id)).locator(
        f'a.cell-link[title^="{entity_name} · {contract_id} ·"]'
    )
    assert link.inner_text() == value
    href = link.get_attribute("href")
    link.click()
    page.wait_for_function("href => window.location.hash === href", arg=href)
    target = page.locator(href.replace(".", "\\."))
    assert target.evaluate("element => element.matches(':target')")
    assert target.inner_text().startswith(contract_id + " — p. ")
    assert "«" in target.inner_text() and target.locator("mark").count() == 1
    title = target.locator("xpath=ancestor::section[1]/h4").inner_text()
    assert title.startswith(f"{entity_name} — {measure} :")
    box = target.bounding_box()
    nav = page.locator("nav").bounding_box()
    assert box is not None and nav is not None
    assert nav["height"] <= box["y"] < page.viewport_size["height"]  # visible, not under the sticky bar


def test_matrix_cells_go_to_the_passages(run: Path, browser_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    entities = pd.read_csv(run / "contract_entities.csv", dtype=str, keep_default_na=False)
    page.goto((run / "rapport.html").resolve().as_uri())
    page.click("nav a[href='#matrices']")
    page.screenshot(path=str(tmp_path / "matrice-rapport.png"))
    partners = entities[entities["kind"] == "partenaire"]
    signing = partners[partners["signataire"] == "1"]
    named = partners[partners["signataire"] == "0"]
    checked = 0
    for rows, value, measure in ((signing, "S", "signataire"), (named, "M", "mentionné")):
        if len(rows):
            row = rows.iloc[-1]
            click_cell_and_check(
                page, "table-matrice-partenaires", row["contract_id"], row["entity_name"], value, measure
            )
            checked += 1
            page.go_back()
    schemes = entities[entities["kind"] == "dispositif"]
    row = schemes.iloc[0]
    click_cell_and_check(page, "table-matrice-dispositifs", row["contract_id"], row["entity_name"], "M", "articulation")
    page.screenshot(path=str(tmp_path / "passages.png"))
    assert checked >= 1
    margins = page.locator("#table-matrice-partenaires tfoot tr.foot-pct td").all_inner_texts()
    shown = [text for text in margins if text]
    assert shown and all(text.endswith("\u00a0%") and "." not in text for text in shown)
