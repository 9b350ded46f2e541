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

from pipeline.report.charts import BandChart, anchor_for, chart_to_svg

TEMPLATES = Path(__file__).resolve().parent / "templates"
MAX_SNIPPETS = 40


anchor = anchor_for


@dataclass
class EvidenceEntry:
    contract_id: str
    pages: str
    snippet: str = ""


@dataclass
class EvidenceList:
    """The evidence behind one figure: its anchor, what it is, and the contracts with their pages."""

    anchor: str
    title: str
    value: str
    entries: list[EvidenceEntry] = field(default_factory=list)


def parse_evidence(text: str) -> list[tuple[str, str]]:
    """`cid p. 3, 40 ; other p. 12` back into (contract, pages) pairs."""
    pairs = []
    for part in str(text or "").split(" ; "):
        if " p. " in part:
            contract_id, pages = part.rsplit(" p. ", 1)
            pairs.append((contract_id, pages))
    return pairs


class EvidenceBook:
    """Collects the evidence lists of the page, and gives each figure its anchor."""

    def __init__(self, snippets: dict[tuple[str, str], str]) -> None:
        self.snippets = snippets
        self.lists: dict[str, EvidenceList] = {}

    def add(self, ident: str, title: str, value: str, preuves: Any, key: str = "") -> str:
        entries = [
            EvidenceEntry(cid, pages, self.snippets.get((key, cid), "") if key and i < MAX_SNIPPETS else "")
            for i, (cid, pages) in enumerate(parse_evidence(preuves))
        ]
        self.lists[ident] = EvidenceList(ident, title, value, entries)
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
            anchor("ev-p-sig", row["entity_id"]),
            f"{name} — signataire",
            figure_text(row["n_signataire"], row["n_contracts"], row["pct_signataire"]),
            row.get("preuves_signataire", ""),
            row["entity_id"],
        )
        row["ev_men"] = book.add(
            anchor("ev-p-men", row["entity_id"]),
            f"{name} — mentionné",
            figure_text(row["n_mentionne"], row["n_contracts"], row["pct_mentionne"]),
            row.get("preuves_mentionne", ""),
            row["entity_id"],
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
            anchor("ev-a", row["entity_id"]),
            f"{row['entity_name']} — articulation",
            figure_text(row["n_mentionne"], row["n_contracts"], row["pct_mentionne"]),
            row.get("preuves_mentionne", ""),
            row["entity_id"],
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
            anchor(prefix, str(row["theme_id"]), str(row["entity_id"])),
            f"{row['entity_name']} — {row['theme']}",
            figure_text(row["n_mentionne"], row["n_contracts"], row["pct_mentionne"]),
            row.get("preuves", ""),
            row["entity_id"],
        )
        row["int"] = interval_text(row)
        grouped.setdefault(str(row["theme_id"]), []).append(row)
    return grouped


def indicator_rows(frame: pd.DataFrame, book: EvidenceBook) -> list[dict[str, Any]]:
    rows = []
    for row in records(frame):
        if row.get("calculable") == "oui":
            row["ev"] = book.add(
                anchor("ev-i", row["indicator_id"]),
                str(row["label"]),
                figure_text(row["n"], row["denominateur"], row["pct"]),
                row.get("preuves", ""),
                "indicator:" + str(row["indicator_id"]),
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
            anchor(prefix, row["department"], row["entity_id"]),
            f"{row['entity_name']} — {row['department']}",
            figure_text(row[f"n_{measure}"], row["n_contracts"], row[f"pct_{measure}"]),
            row.get(f"preuves_{measure}", ""),
            row["entity_id"],
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
    snippets: dict[tuple[str, str], str],
    run: dict[str, Any],
    review: dict[str, Any],
    notes: list[tuple[str, str]],
) -> str:
    """The whole report page from the publication's tables and charts."""
    book = EvidenceBook(snippets)
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
