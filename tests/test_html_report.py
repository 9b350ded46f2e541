"""`rapport.html`: self-contained, French, every chart present and every figure linked to its evidence."""

from __future__ import annotations

import re
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


class Reading(HTMLParser):
    """What a reader sees: visible text outside and inside folded <details>, charts folded away, the matrix cells."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.in_summary = False
        self.open_text: list[str] = []
        self.folded_text: list[str] = []
        self.folded_charts: set[str] = set()
        self.skip = 0
        self.cells: list[tuple[str, str, str]] = []  # (matrix, row contract, href)
        self.matrix = ""
        self.row = ""
        self.in_rowhead = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "details":
            self.depth += 1
        if tag == "summary":
            self.in_summary = True
        if tag in ("style", "title"):
            self.skip += 1
        if tag == "svg" and self.depth:
            self.folded_charts.add(str(values.get("id")))
        if tag == "table" and str(values.get("id", "")).startswith("table-matrice-"):
            self.matrix = str(values["id"])
        if tag == "th" and "rowhead" in (values.get("class") or ""):
            self.in_rowhead = True
        if tag == "a" and "cell-link" in (values.get("class") or ""):
            self.cells.append((self.matrix, self.row, str(values.get("href"))))

    def handle_endtag(self, tag: str) -> None:
        if tag == "details":
            self.depth -= 1
        if tag == "summary":
            self.in_summary = False
        if tag in ("style", "title"):
            self.skip -= 1
        if tag == "th":
            self.in_rowhead = False
        if tag == "table":
            self.matrix = ""

    def handle_data(self, data: str) -> None:
        if self.in_rowhead and data.strip():
            self.row = data.strip()
        if self.skip:
            return
        (self.folded_text if self.depth and not self.in_summary else self.open_text).append(data)


@pytest.fixture(scope="module")
def reading(run: Path) -> Reading:
    parser = Reading()
    parser.feed((run / "rapport.html").read_text(encoding="utf-8"))
    return parser


NBSP = "\u00a0"
BANDS = {"non trouvé", "moins de 10 %", "10 à 40 %", "40 à 70 %", "plus de 70 %"}


def test_decimal_commas_non_breaking_spaces_and_plurals(reading: Reading, run: Path) -> None:
    from pipeline.report.html import figure_text

    assert figure_text(37, 40, 92.5) == "37/40 (92,5\u00a0%)"
    assert figure_text(0, 0, "") == "sans objet"
    text = "".join(reading.open_text + reading.folded_text)
    assert not re.search(r"\d\.\d+\s*%", text), re.search(r".{30}\d\.\d+\s*%.{10}", text)
    assert not re.search(r"\d %", text)  # always a non-breaking space before %
    assert "4 contrats lus sur 4" in text
    html = (run / "rapport.html").read_text(encoding="utf-8")
    words = re.sub(r"<[^>]+>", " ", re.sub(r'<span class="definition">.*?</span>', "", html))  # patterns aside
    assert not re.search(r"(contrat|détection|partenaire|dispositif|page|décision)\(s\)|\(x\)", words)
    assert "1 contrat lu" in text or "2 contrats lus" in text  # department summaries agree with their count


def test_band_labels_everywhere(run: Path, page: Page) -> None:
    html = (run / "rapport.html").read_text(encoding="utf-8")
    for name in ("partenaires", "articulations", "partenaires_themes", "indicateurs"):
        frame = pd.read_csv(run / "tables" / f"{name}.csv", dtype=str, keep_default_na=False)
        for column in [c for c in frame.columns if c.startswith("bande")]:
            assert set(frame[column]) - {""} <= BANDS, (name, column, set(frame[column]))
    for label in ("Moins de 10\u00a0%", "10 à 40\u00a0%", "40 à 70\u00a0%", "Plus de 70\u00a0%"):
        assert label in html
    assert "moins de 40" not in html.lower() and "moins de 70" not in html.lower()
    svg = (run / "charts" / "partenaires_sante.svg").read_text(encoding="utf-8")
    assert "10 à 40\u00a0%" in svg and "Part des contrats où le partenaire est mentionné" in svg
    assert "Part des contrats qui s'articulent avec le dispositif" in html


def test_empty_charts_and_never_named_lists_are_folded(reading: Reading, page: Page, run: Path) -> None:
    from pipeline.french import sort_key

    html = (run / "rapport.html").read_text(encoding="utf-8")
    folded = re.search(
        r'<details class="absent" id="partenaires-absents"><summary>Partenaires du lexique nommés dans aucun contrat '
        r'lu \((\d+)\)</summary>\s*<p class="small">(.*?)\.</p>\s*</details>',
        html,
    )
    assert folded is not None
    assert html.count("nommés dans aucun contrat lu") == 1  # the list is nowhere else
    listed = [html_unescape(name) for name in re.findall(r'<span class="absent-name">(.*?)</span>', folded.group(2))]
    assert len(listed) == int(folded.group(1)) and listed == sorted(listed, key=sort_key)  # French order
    assert "".join(reading.folded_text).count(listed[0]) >= 1
    partners = pd.read_csv(run / "tables" / "partenaires_themes.csv", dtype=str, keep_default_na=False)
    themes = {theme.theme_id for theme in load_lexicon(default_lexicon_dir()).themes}
    named = set(partners[partners["n_mentionne"] != "0"]["theme_id"])
    assert themes - named, "the fixture has themes where no partner is named"
    for theme_id in themes - named:
        assert f"chart-partenaires_{theme_id}" in reading.folded_charts, theme_id
    for theme_id in named:
        assert f"chart-partenaires_{theme_id}" not in reading.folded_charts, theme_id


def test_zero_over_zero_is_sans_objet_and_definitions_are_words(run: Path) -> None:
    indicators = pd.read_csv(run / "tables" / "indicateurs.csv", dtype=str, keep_default_na=False)
    empty = indicators[(indicators["calculable"] == "oui") & (indicators["denominateur"] == "0")]
    assert len(empty), "the fixture has an indicator over no contract"
    assert set(empty["pct"]) == {""} and set(empty["ecart"]) == {""} and set(empty["statut"]) == {"sans objet"}
    html = (run / "rapport.html").read_text(encoding="utf-8")
    label = html_escape(empty.iloc[0]["label"])
    row = html[html.index(f"<tr><td>{label}<span") :].split("</tr>", 1)[0]
    assert "sans objet" in row and "point" not in row
    definitions = re.findall(r'<span class="definition">(.*?)</span>', html)
    assert definitions and not any(re.search(r"\?:|\\w|\w\?|\|", d) for d in definitions)
    assert any("« commission(s) thématique(s) »" in html_unescape(d).replace(NBSP, " ") for d in definitions)


def html_escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_matrix_cells_lead_to_their_contract_in_the_evidence(reading: Reading, run: Path) -> None:
    html = (run / "rapport.html").read_text(encoding="utf-8")
    entries = dict(re.findall(r'<li id="([^"]+)"><a href="#c-[^"]*">([^<]+)</a>', html))
    entities = pd.read_csv(run / "contract_entities.csv", dtype=str, keep_default_na=False)
    partners = entities[entities["kind"] == "partenaire"]
    cells = [cell for cell in reading.cells if cell[0] == "table-matrice-partenaires"]
    assert len(cells) == len(partners)  # one linked cell per contract × partner row
    schemes = [cell for cell in reading.cells if cell[0] == "table-matrice-dispositifs"]
    assert len(schemes) == len(entities[entities["kind"] == "dispositif"])
    for _, contract_id, href in cells + schemes:
        assert href.startswith("#ev-") and entries.get(href[1:]) == contract_id, (contract_id, href)
