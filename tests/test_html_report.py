"""`rapport.html`: self-contained, French, every chart present and every figure linked to its evidence."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from run_fixture import make_run, write_corpus

from pipeline.lexicon import default_lexicon_dir, load_lexicon
from pipeline.report.publish import publish

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
INJECTED = "<script>alert('x')</script><img src=x onerror=alert(1)>"


class Page(HTMLParser):
    """Ids, links, figure links, charts, tags and external references of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.figures: list[str] = []
        self.charts: list[str] = []
        self.tags: set[str] = set()
        self.external: list[str] = []
        self.lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.add(tag)
        if tag == "html":
            self.lang = values.get("lang") or ""
        if values.get("id"):
            self.ids.add(str(values["id"]))
        href = values.get("href") or ""
        if href.startswith("#"):
            self.links.append(href[1:])
            if "fig" in (values.get("class") or "").split() or "chart-link" in (values.get("class") or "").split():
                self.figures.append(href[1:])
        for key in ("href", "src"):
            value = values.get(key) or ""
            if value.startswith(("http:", "https:", "//")):
                self.external.append(value)
        if tag == "svg" and "band-chart" in (values.get("class") or ""):
            self.charts.append(str(values.get("id")))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("html")
    out = make_run(write_corpus(root / "corpus"), root / "run", root / "ws")
    detections = pd.read_csv(out / "detections_auto.csv", dtype=str, keep_default_na=False)
    detections.loc[0, "snippet"] = INJECTED + " " + detections.loc[0, "snippet"]
    detections.to_csv(out / "detections_auto.csv", index=False)
    publish(out, load_lexicon(default_lexicon_dir()), png=False)
    return out


@pytest.fixture(scope="module")
def page(run: Path) -> Page:
    parser = Page()
    parser.feed((run / "rapport.html").read_text(encoding="utf-8"))
    return parser


def test_every_chart_is_embedded(page: Page) -> None:
    themes = [theme.theme_id for theme in load_lexicon(default_lexicon_dir()).themes]
    expected = {f"chart-partenaires_{t}" for t in themes} | {f"chart-articulations_{t}" for t in themes}
    assert set(page.charts) == expected


def test_every_link_and_figure_has_its_evidence(page: Page, run: Path) -> None:
    assert page.figures, "no figure links"
    missing = sorted({link for link in page.links if link not in page.ids})
    assert not missing, missing[:10]
    assert all(figure.startswith("ev-") for figure in page.figures)
    partners = pd.read_csv(run / "tables" / "partenaires.csv", dtype=str, keep_default_na=False)
    named = partners[partners["n_mentionne"] != "0"]["entity_id"]
    for entity_id in named:
        assert f"ev-p-men-{entity_id}" in page.figures and f"ev-p-sig-{entity_id}" in page.figures
    indicators = pd.read_csv(run / "tables" / "indicateurs.csv", dtype=str, keep_default_na=False)
    computable = indicators[(indicators["calculable"] == "oui") & (indicators["denominateur"] != "0")]
    for indicator_id in computable["indicator_id"]:
        assert f"ev-i-{indicator_id}" in page.figures
    for contract_id in ("cdv-a", "cdv-b", "cdv-c", "cdv-d"):
        assert f"c-{contract_id}" in page.ids
    # chart labels link to the same evidence lists as the theme tables
    assert any(figure.startswith("ev-pt-sante-") for figure in page.figures)


def test_self_contained_french_and_escaped(page: Page, run: Path) -> None:
    html = (run / "rapport.html").read_text(encoding="utf-8")
    assert page.lang == "fr"
    assert not page.external
    assert "script" not in page.tags and "img" not in page.tags and "link" not in page.tags
    assert "&lt;script&gt;" in html
    for heading in (
        "Partenaires des contrats de ville",
        "Articulations avec les dispositifs",
        "Grille d'indicateurs",
        "Par département",
        "État de la revue",
        "Méthode",
        "Preuves",
    ):
        assert heading in html


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium absent (apt-get install -y chromium)")
def test_browser_screenshot(run: Path, tmp_path: Path) -> None:
    shot = tmp_path / "rapport.png"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1280,2000",
            (run / "rapport.html").resolve().as_uri(),
        ],
        check=False,
        capture_output=True,
        timeout=120,
    )
    assert shot.exists() and shot.stat().st_size > 20_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
