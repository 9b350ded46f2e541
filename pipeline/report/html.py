"""`rapport.html`: the synthesis as one self-contained French page (inline CSS and SVG, no network).

Every figure links to its evidence list inside the page (`#ev-...`): the contracts counted, their pages
and, for the main tables, a snippet; each contract links to its review-state row (`#c-...`). All text
coming from PDFs or lexicons goes through Jinja2's autoescape; charts are SVG built with escaping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from pipeline.quote import quote_parts
from pipeline.report.charts import BandChart, anchor_for, chart_to_svg
from pipeline.report.figures import Evidence, Figure
from pipeline.report.tables import FigureIndex
from pipeline.types import ReviewState

TEMPLATES = Path(__file__).resolve().parent / "templates"
MAX_QUOTED_CONTRACTS = 40


anchor = anchor_for


@dataclass
class Quote:
    """A detection's own quote, on its own page, with the matched words apart (marked in the page)."""

    page: int
    before: str
    marked: str
    after: str
    added: bool = False


@dataclass
class EvidenceEntry:
    """One contract behind a figure: the pages of its evidence and, for the first ones, one quote."""

    contract_id: str
    pages: str
    quote: Quote | None = None
    other_pages: str = ""


@dataclass
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


def figure_to_entries(figure: Figure | None) -> list[EvidenceEntry]:
    """The contracts counted by a figure, each with its pages and the quote of one of its own detections."""
    if figure is None:
        return []
    entries = []
    for index, (contract_id, items) in enumerate(figure.evidence.items()):
        pages = sorted({item.page for item in items})
        quote = best_quote(items) if index < MAX_QUOTED_CONTRACTS else None
        others = [page for page in pages if quote is None or page != quote.page]
        entries.append(EvidenceEntry(contract_id, ", ".join(map(str, pages)), quote, ", ".join(map(str, others))))
    return entries


class EvidenceBook:
    """Collects the evidence lists of the page, and gives each figure its anchor."""

    def __init__(self, figures: FigureIndex) -> None:
        self.figures = figures
        self.lists: dict[str, EvidenceList] = {}

    def add(self, key: tuple[str, ...], title: str, value: str) -> str:
        ident = anchor(*key)
        self.lists[ident] = EvidenceList(ident, title, value, figure_to_entries(self.figures.get(key)))
        return ident


def figure_text(n: Any, den: Any, pct: Any) -> str:
    return f"{n}/{den} ({pct} %)"


def interval_text(row: dict[str, Any], suffix: str = "") -> str:
    low, high = row.get(f"pct{suffix}_min", ""), row.get(f"pct{suffix}_max", "")
    return "" if low == high else f"[{low} – {high} %]"


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
    rows = []
    for row in records(frame):
        if row.get("calculable") == "oui":
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


def render_report(context: dict[str, Any]) -> str:
    """Render `templates/rapport.html` with autoescape on."""
    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template("rapport.html").render(**context)


def build_html(
    tables: dict[str, pd.DataFrame],
    charts: list[BandChart],
    themes: dict[str, str],
    figures: FigureIndex,
    run: dict[str, Any],
    review: ReviewState,
    notes: list[tuple[str, str]],
) -> str:
    """The whole report page from the publication's tables, figures and charts."""
    book = EvidenceBook(figures)
    partners = partner_rows(tables["partenaires"], book)
    schemes = scheme_rows(tables["articulations"], book)
    partners_theme = theme_rows(tables["partenaires_themes"], book, "ev-pt")
    schemes_theme = theme_rows(tables["articulations_themes"], book, "ev-at")
    indicators = indicator_rows(tables["indicateurs"], book)
    dept_partners = department_rows(tables["partenaires_departements"], book, "ev-pd", "mentionne")
    dept_schemes = department_rows(tables["articulations_departements"], book, "ev-ad", "mentionne")
    svg = {chart.chart_id: Markup(chart_to_svg(chart)) for chart in charts}
    absent_partners = [r["entity_name"] for r in records(tables["partenaires"]) if int(r["n_mentionne"]) == 0]
    absent_schemes = [r["entity_name"] for r in records(tables["articulations"]) if int(r["n_mentionne"]) == 0]
    return render_report(
        {
            "run": run,
            "review": review,
            "notes": notes,
            "themes": themes,
            "svg": svg,
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
            "evidence": list(book.lists.values()),
            "contract_anchor": lambda cid: anchor("c", cid),
            "dept_anchor": lambda dept: anchor("d", dept),
        }
    )
