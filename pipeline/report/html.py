"""`rapport.html`: the synthesis as one self-contained French page (inline CSS and SVG, no network).

Every figure links to its evidence list inside the page (`#ev-...`): the contracts counted, their pages
and, for the main tables, a snippet; each contract of a list has its own anchor (`#ev-...--contract`), where
the cells of the contract × entity matrices lead; each contract links to its review-state row (`#c-...`).
Numbers are written the French way (`pipeline.french`). All text coming from PDFs or lexicons goes through
Jinja2's autoescape; charts are SVG built with escaping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd
from jinja2 import Environment, FileSystemLoader, Template, select_autoescape
from markupsafe import Markup

from pipeline.french import fr_number, fr_pct, jinja_filters, plural, sorted_fr
from pipeline.quote import quote_parts
from pipeline.report.charts import BandChart, anchor_for, chart_to_svg, slug
from pipeline.report.figures import BAND_ORDER, NOT_APPLICABLE, Evidence, Figure
from pipeline.report.matrix import Matrix
from pipeline.report.tables import FigureIndex
from pipeline.types import ReviewState

TEMPLATES = Path(__file__).resolve().parent / "templates"
MAX_QUOTED_CONTRACTS = 40
HTML_PIECES_PER_WRITE = 500  # template output pieces joined, encoded and written together


anchor = anchor_for


@dataclass(slots=True)
class Quote:
    """A detection's own quote, on its own page, with the matched words apart (marked in the page)."""

    page: int
    before: str
    marked: str
    after: str
    added: bool = False


@dataclass(slots=True)
class EvidenceEntry:
    """One contract behind a figure: its anchor, the pages of its evidence and, for the first ones, one quote."""

    contract_id: str
    pages: str
    quote: Quote | None = None
    other_pages: str = ""
    anchor: str = ""


@dataclass(slots=True)
class EvidenceList:
    """The evidence behind one figure: its anchor, what it is, and the contracts with their pages."""

    anchor: str
    title: str
    value: str
    entries: list[EvidenceEntry] = field(default_factory=list)


def best_quote(items: list[Evidence]) -> Quote | None:
    """The quote of the surest piece of evidence that has one (reviewed, then sure, then earliest page)."""
    quoted = [item for item in items if item.snippet]
    if not quoted:
        return None
    item = min(quoted, key=lambda e: (e.status not in ("valide", "ajoute"), not e.sure, e.page))
    before, marked, after = quote_parts(item.snippet, item.mark_start, item.mark_end)
    return Quote(item.page, before, marked, after, added=item.status == "ajoute")


def entry_anchor(list_anchor: str, contract_id: str) -> str:
    """The anchor of one contract inside an evidence list."""
    return f"{list_anchor}--{slug(contract_id)}"


def figure_to_entries(figure: Figure | None, list_anchor: str = "") -> list[EvidenceEntry]:
    """The contracts counted by a figure, each with its anchor, its pages and the quote of one of its own
    detections."""
    if figure is None:
        return []
    entries = []
    for index, (contract_id, items) in enumerate(figure.evidence.items()):
        pages = sorted({item.page for item in items})
        quote = best_quote(items) if index < MAX_QUOTED_CONTRACTS else None
        others = [page for page in pages if quote is None or page != quote.page]
        entries.append(
            EvidenceEntry(
                contract_id,
                ", ".join(map(str, pages)),
                quote,
                ", ".join(map(str, others)),
                entry_anchor(list_anchor, contract_id) if list_anchor else "",
            )
        )
    return entries


class EvidenceBook:
    """Collects the evidence lists of the page, and gives each figure (and each contract in it) its anchor."""

    def __init__(self, figures: FigureIndex) -> None:
        self.figures = figures
        self.lists: dict[str, EvidenceList] = {}

    def add(self, key: tuple[str, ...], title: str, value: str) -> str:
        ident = anchor(*key)
        self.lists[ident] = EvidenceList(ident, title, value, figure_to_entries(self.figures.get(key), ident))
        return ident

    def passage(self, key: tuple[str, ...], contract_id: str) -> str:
        """Where one contract's passages behind a figure are: its entry in the figure's list, else the list."""
        ident = anchor(*key)
        listed = self.lists.get(ident)
        if listed is not None and any(entry.contract_id == contract_id for entry in listed.entries):
            return entry_anchor(ident, contract_id)
        return ident


def figure_text(n: Any, den: Any, pct: Any) -> str:
    """`37/40 (92,5 %)`, or `sans objet` when nothing is in the denominator."""
    if den in (0, "0", "") or pct in ("", None):
        return NOT_APPLICABLE
    return f"{n}/{den} ({fr_pct(pct)})"


def interval_text(row: dict[str, Any], suffix: str = "") -> str:
    """`[82,5 – 90 %]`, or nothing when review can no longer move the figure."""
    low, high = row.get(f"pct{suffix}_min", ""), row.get(f"pct{suffix}_max", "")
    if low == high or low in ("", None) or high in ("", None):
        return ""
    return f"[{fr_number(low)} – {fr_pct(high)}]"


def band_class(label: object) -> str:
    """The CSS class of a band (`band-0` for « non trouvé », then `band-1` … `band-4`)."""
    text = str(label)
    return f"band-{BAND_ORDER.index(text) + 1}" if text in BAND_ORDER else "band-0"


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    if frame is None or frame.empty:
        return []
    return [{str(key): value for key, value in row.items()} for row in frame.to_dict("records")]


def partner_rows(frame: pd.DataFrame, book: EvidenceBook) -> list[dict[str, Any]]:
    """Overall partner rows (named at least once), each figure with its evidence anchor."""
    rows = []
    for row in records(frame):
        if int(row["n_mentionne"]) == 0:
            continue
        name = row["entity_name"]
        row["ev_sig"] = book.add(
            ("ev-p-sig", row["entity_id"]),
            f"{name} — signataire",
            figure_text(row["n_signataire"], row["n_contracts"], row["pct_signataire"]),
        )
        row["ev_men"] = book.add(
            ("ev-p-men", row["entity_id"]),
            f"{name} — mentionné",
            figure_text(row["n_mentionne"], row["n_contracts"], row["pct_mentionne"]),
        )
        row["int_sig"] = interval_text(row, "_signataire")
        row["int_men"] = interval_text(row, "_mentionne")
        rows.append(row)
    return rows


def scheme_rows(frame: pd.DataFrame, book: EvidenceBook) -> list[dict[str, Any]]:
    rows = []
    for row in records(frame):
        if int(row["n_mentionne"]) == 0:
            continue
        row["ev_men"] = book.add(
            ("ev-a", row["entity_id"]),
            f"{row['entity_name']} — articulation",
            figure_text(row["n_mentionne"], row["n_contracts"], row["pct_mentionne"]),
        )
        row["int_men"] = interval_text(row, "_mentionne")
        rows.append(row)
    return rows


def theme_rows(frame: pd.DataFrame, book: EvidenceBook, prefix: str) -> dict[str, list[dict[str, Any]]]:
    """Per theme, the rows with at least one contract, anchors matching the charts' links."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in records(frame):
        if int(row["n_mentionne"]) == 0:
            continue
        row["ev"] = book.add(
            (prefix, str(row["theme_id"]), str(row["entity_id"])),
            f"{row['entity_name']} — {row['theme']}",
            figure_text(row["n_mentionne"], row["n_contracts"], row["pct_mentionne"]),
        )
        row["int"] = interval_text(row)
        grouped.setdefault(str(row["theme_id"]), []).append(row)
    return grouped


def indicator_rows(frame: pd.DataFrame, book: EvidenceBook) -> list[dict[str, Any]]:
    """The grid's rows; a computable one links to its evidence unless nothing is in its denominator."""
    rows = []
    for row in records(frame):
        row["sans_objet"] = row.get("calculable") == "oui" and str(row.get("denominateur")) in ("0", "")
        if row.get("calculable") == "oui" and not row["sans_objet"]:
            row["ev"] = book.add(
                ("ev-i", str(row["indicator_id"])),
                str(row["label"]),
                figure_text(row["n"], row["denominateur"], row["pct"]),
            )
            row["int"] = interval_text(row)
        rows.append(row)
    return rows


def department_rows(
    frame: pd.DataFrame, book: EvidenceBook, prefix: str, measure: str
) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in records(frame):
        row["ev"] = book.add(
            (prefix, str(row["department"]), str(row["entity_id"])),
            f"{row['entity_name']} — {row['department']}",
            figure_text(row[f"n_{measure}"], row["n_contracts"], row[f"pct_{measure}"]),
        )
        grouped.setdefault(str(row["department"]), []).append(row)
    return grouped


@dataclass
class MatrixView:
    """A matrix as the page shows it: the matrix, and where each filled cell leads (its contract's passages)."""

    matrix: Matrix
    links: list[list[str]]
    title: str


def matrix_view(matrix: Matrix, book: EvidenceBook, title: str) -> MatrixView:
    """Each filled cell's link: the contract's entry in the evidence list of the figure the cell counts in."""
    links = [
        [
            "#" + book.passage(matrix.evidence_key(value, column.entity_id), row.contract_id) if value else ""
            for value, column in zip(row.cells, matrix.columns, strict=True)
        ]
        for row in matrix.rows
    ]
    return MatrixView(matrix, links, title)


def report_template() -> Template:
    """`templates/rapport.html` with autoescape on and the French filters."""
    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(jinja_filters())
    environment.filters.update({"bande_css": band_class, "chiffre": figure_text})
    return environment.get_template("rapport.html")


def render_report(context: dict[str, Any]) -> str:
    """Render `templates/rapport.html` with `context`."""
    return report_template().render(**context)


def write_report(context: dict[str, Any], stream: BinaryIO) -> None:
    """Render `templates/rapport.html` with `context` into a binary `stream` as UTF-8, piece by piece: the page
    (tens of megabytes at 400 contracts) is never whole in memory, nor its encoded copy."""
    rendered = report_template().stream(**context)
    rendered.enable_buffering(HTML_PIECES_PER_WRITE)
    rendered.dump(stream, encoding="utf-8")


def html_context(
    tables: dict[str, pd.DataFrame],
    charts: list[BandChart],
    themes: dict[str, str],
    figures: FigureIndex,
    run: dict[str, Any],
    review: ReviewState,
    notes: list[tuple[str, str]],
    matrices: dict[str, Matrix] | None = None,
) -> dict[str, Any]:
    """What the report page shows, from the publication's tables, figures, matrices and charts."""
    book = EvidenceBook(figures)
    partners = partner_rows(tables["partenaires"], book)
    schemes = scheme_rows(tables["articulations"], book)
    partners_theme = theme_rows(tables["partenaires_themes"], book, "ev-pt")
    schemes_theme = theme_rows(tables["articulations_themes"], book, "ev-at")
    indicators = indicator_rows(tables["indicateurs"], book)
    dept_partners = department_rows(tables["partenaires_departements"], book, "ev-pd", "mentionne")
    dept_schemes = department_rows(tables["articulations_departements"], book, "ev-ad", "mentionne")
    svg = {chart.chart_id: Markup(chart_to_svg(chart)) for chart in charts}
    empty = {chart.chart_id for chart in charts if chart.empty}
    absent_partners = sorted_fr(r["entity_name"] for r in records(tables["partenaires"]) if int(r["n_mentionne"]) == 0)
    absent_schemes = sorted_fr(r["entity_name"] for r in records(tables["articulations"]) if int(r["n_mentionne"]) == 0)
    views = [
        matrix_view(matrix, book, title)
        for key, title in (("partenaires", "Contrats × partenaires"), ("dispositifs", "Contrats × dispositifs"))
        if (matrix := (matrices or {}).get(key)) is not None
    ]
    return {
        "run": run,
        "review": review,
        "notes": notes,
        "themes": themes,
        "svg": svg,
        "empty_charts": empty,
        "partners": partners,
        "schemes": schemes,
        "partners_theme": partners_theme,
        "schemes_theme": schemes_theme,
        "indicators": indicators,
        "departments": records(tables["departements"]),
        "dept_partners": dept_partners,
        "dept_schemes": dept_schemes,
        "contracts": records(tables["revue_contrats"]),
        "absent_partners": absent_partners,
        "absent_schemes": absent_schemes,
        "matrices": views,
        "evidence": list(book.lists.values()),
        "contract_anchor": lambda cid: anchor("c", cid),
        "dept_anchor": lambda dept: anchor("d", dept),
        "plural": plural,
    }


def build_html(
    tables: dict[str, pd.DataFrame],
    charts: list[BandChart],
    themes: dict[str, str],
    figures: FigureIndex,
    run: dict[str, Any],
    review: ReviewState,
    notes: list[tuple[str, str]],
    matrices: dict[str, Matrix] | None = None,
) -> str:
    """The whole report page as text (`publish` writes it with `write_report`, piece by piece)."""
    return render_report(html_context(tables, charts, themes, figures, run, review, notes, matrices))
