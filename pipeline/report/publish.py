"""Publish a run: every table, the workbook, the HTML report and the charts, from its stored detections and
the reviewers' decisions — the one place where tables are built.

`publish` is what `cdv run` calls on its staged output; `republish` is the same on a finished run folder, as one
change (`cdv tables`, the review app's regeneration); `build_publication` is the same computation without files,
used by the review app for its live tables. Nothing is re-extracted.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.aggregate import DETECTION_COLUMNS
from pipeline.files import atomic_write_bytes, atomic_writer
from pipeline.french import plural
from pipeline.lexicon import Lexicon, default_lexicon_dir, load_lexicon
from pipeline.report.charts import BandChart, articulation_charts, chart_to_png, chart_to_svg, partner_charts
from pipeline.report.html import html_context, write_report
from pipeline.report.indicators import contract_indicator_table, indicator_tables
from pipeline.report.matrix import Matrix, publication_matrices
from pipeline.report.method import method_notes, method_rows, readme_rows
from pipeline.report.outputs import DECIDED_DETECTIONS, write_csv
from pipeline.report.rundata import RunData, load_run, read_run_json
from pipeline.report.tables import (
    FigureIndex,
    department_tables,
    evidence_table,
    overall_tables,
    review_table,
    theme_tables,
)
from pipeline.report.workbook import WorkbookContent, gaps_table, write_workbook
from pipeline.runfolder import is_run_folder, owns, read_marker, record_written, recover_interrupted, staged_run
from pipeline.types import PublishSummary, ReviewState
from pipeline.workspace import Workspace

TABLE_FILES = {
    "partenaires": "tables/partenaires.csv",
    "articulations": "tables/articulations.csv",
    "partenaires_themes": "tables/partenaires_themes.csv",
    "articulations_themes": "tables/articulations_themes.csv",
    "indicateurs": "tables/indicateurs.csv",
    "ecarts_rapport": "tables/ecarts_rapport.csv",
    "departements": "tables/departements.csv",
    "partenaires_departements": "tables/partenaires_departements.csv",
    "articulations_departements": "tables/articulations_departements.csv",
    "indicateurs_departements": "tables/indicateurs_departements.csv",
    "revue_contrats": "tables/revue_contrats.csv",
    "indicateurs_preuves": "tables/indicateurs_preuves.csv",
    "preuves": "tables/preuves.csv",
}
STAMPS_FILE = ".empreintes.json"
MATRIX_SHEETS = [("Matrice partenaires", "partenaires"), ("Matrice dispositifs", "dispositifs")]
MATRICES_AFTER = "Articulations par thème"
SHEETS = [
    ("Partenaires", "partenaires"),
    ("Partenaires par thème", "partenaires_themes"),
    ("Articulations", "articulations"),
    ("Articulations par thème", "articulations_themes"),
    ("Indicateurs", "indicateurs"),
    ("Écarts avec le rapport", "ecarts_rapport"),
    ("Départements", "departements"),
    ("Partenaires par département", "partenaires_departements"),
    ("Articulations par département", "articulations_departements"),
    ("Indicateurs par département", "indicateurs_departements"),
    ("Revue par contrat", "revue_contrats"),
    ("Preuves", "preuves"),
]


def review_state(data: RunData) -> ReviewState:
    """How far review went over the whole run, and how readable the corpus was."""
    statuses = {"auto": 0, "valide": 0, "rejete": 0, "ajoute": 0}
    for mention in data.mentions:
        statuses[mention.status] = statuses.get(mention.status, 0) + 1
    total = sum(statuses.values())
    decided = total - statuses["auto"]
    unread = data.unread
    return ReviewState(
        contrats=len(data.contracts),
        contrats_lus=data.n_read,
        detections=total,
        decidees=decided,
        pct_revu=round(100.0 * decided / total, 1) if total else 0.0,
        validees=statuses["valide"],
        rejetees=statuses["rejete"],
        ajoutees=statuses["ajoute"],
        pages_illisibles=sum(unread.values()),
        contrats_pages_illisibles=sum(1 for n in unread.values() if n > 0),
    )


def owns_stale(chart: Path) -> bool:
    """A chart of an earlier publication is deleted only if cdv wrote it (listed in the run folder's marker);
    a staging folder, new, holds no earlier chart."""
    run_dir = chart.parent.parent
    return not is_run_folder(run_dir) or owns(run_dir, chart)


def read_stamps(directory: Path) -> dict[str, str]:
    """The digest of the chart each PNG of a charts folder was drawn from (`.empreintes.json`)."""
    try:
        stamps: dict[str, str] = json.loads((directory / STAMPS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stamps


def earlier_png(previous: Path | None, chart_id: str, digest: str) -> bytes | None:
    """The PNG an earlier publication (`previous`, a run folder cdv wrote) drew from the same chart, if any."""
    if previous is None or not is_run_folder(previous):
        return None
    name = f"charts/{chart_id}.png"
    if read_stamps(previous / "charts").get(chart_id) != digest or not owns(previous, name):
        return None
    try:
        return (previous / name).read_bytes()
    except OSError:
        return None


def write_charts(charts: list[BandChart], directory: Path, png: bool, previous: Path | None = None) -> list[str]:
    """Each chart as SVG (and PNG, redrawn only when the chart changed, here or in the `previous` run folder
    the new one replaces); stale chart files removed."""
    written = []
    stamps = read_stamps(directory)
    for chart in charts:
        svg = chart_to_svg(chart, links=False).encode("utf-8")
        atomic_write_bytes(directory / f"{chart.chart_id}.svg", svg)
        written.append(f"{chart.chart_id}.svg")
        if png:
            digest = hashlib.sha256(svg).hexdigest()[:16]
            target = directory / f"{chart.chart_id}.png"
            if stamps.get(chart.chart_id) != digest or not target.exists():
                drawn = earlier_png(previous, chart.chart_id, digest)
                atomic_write_bytes(target, drawn if drawn is not None else chart_to_png(chart))
                stamps[chart.chart_id] = digest
            written.append(target.name)
    for stale in directory.glob("*"):
        if stale.is_file() and stale.name not in written and stale.suffix in (".svg", ".png") and owns_stale(stale):
            stale.unlink()
    atomic_write_bytes(directory / STAMPS_FILE, json.dumps(stamps).encode("utf-8"))
    return written


@dataclass
class Publication:
    """Every table of a run with the figures behind them, before anything is written."""

    data: RunData
    tables: dict[str, pd.DataFrame]
    figures: FigureIndex
    contract_entities: pd.DataFrame
    contract_indicators: pd.DataFrame
    review: ReviewState
    notes: list[tuple[str, str]]
    matrices: dict[str, Matrix] = field(default_factory=dict)
    missing_pages: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def warnings(self) -> list[str]:
        """What the reader of the figures must know (French)."""
        if not self.missing_pages:
            return []
        return [
            f"indices textuels absents pour {plural(len(self.missing_pages), 'contrat')} (run d'une version "
            "antérieure de cdv) : relancez cdv run pour les indicateurs textuels."
        ]


def core_tables(data: RunData, figures: FigureIndex | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """`contract_entities`, `partenaires` and `articulations`: what the review app shows live."""
    return overall_tables(data, figures)


def build_publication(data: RunData) -> Publication:
    """Every table, figure and note of a run (no file written)."""
    started = time.perf_counter()
    figures: FigureIndex = {}
    contract_entities, partners, schemes = core_tables(data, figures)
    partners_theme, schemes_theme = theme_tables(data, figures)
    departments, partners_dept, schemes_dept = department_tables(data, figures)
    indicators, indicators_dept, indicator_evidence, evaluator = indicator_tables(data, figures)
    tables = {
        "partenaires": partners,
        "articulations": schemes,
        "partenaires_themes": partners_theme,
        "articulations_themes": schemes_theme,
        "indicateurs": indicators,
        "ecarts_rapport": gaps_table(indicators),
        "departements": departments,
        "partenaires_departements": partners_dept,
        "articulations_departements": schemes_dept,
        "indicateurs_departements": indicators_dept,
        "revue_contrats": review_table(data),
        "indicateurs_preuves": indicator_evidence,
        "preuves": evidence_table(data),
    }
    return Publication(
        data=data,
        tables=tables,
        figures=figures,
        contract_entities=contract_entities,
        contract_indicators=contract_indicator_table(data, evaluator),
        review=review_state(data),
        notes=method_notes(data, evaluator.missing_pages),
        matrices=publication_matrices(contract_entities, partners, schemes, data.read_ids, data.contracts),
        missing_pages=evaluator.missing_pages,
        seconds=round(time.perf_counter() - started, 3),
    )


def workbook_content(publication: Publication, themes: dict[str, str]) -> WorkbookContent:
    """What `rapport.xlsx` shows: « Lisez-moi », the tables with the matrices after the per-theme articulations,
    « Méthode »."""
    tables = publication.tables
    cut = [name for name, _ in SHEETS].index(MATRICES_AFTER) + 1
    matrices = [(name, f"matrice_{key}") for name, key in MATRIX_SHEETS]
    listed = [*SHEETS[:cut], *matrices, *SHEETS[cut:], ("Méthode", "methode")]
    return WorkbookContent(
        readme=readme_rows(publication.data.run, publication.review, listed),
        tables=[(name, tables[key]) for name, key in SHEETS],
        method=method_rows(publication.data.run, publication.review, publication.notes),
        matrices=[(name, publication.matrices[key]) for name, key in MATRIX_SHEETS if key in publication.matrices],
        themes=themes,
        matrices_after=MATRICES_AFTER,
    )


def run_lexicon_dir(run: dict[str, Any], override: Path | None = None) -> Path:
    """The lexicon folder a run was made with (from `run.json`), unless another one is given."""
    if override is not None:
        return Path(override)
    recorded = run.get("lexicon_dir")
    return Path(recorded) if recorded and Path(recorded).is_dir() else default_lexicon_dir()


def load_run_lexicon(run_dir: Path, override: Path | None = None) -> Lexicon:
    """The lexicon to publish a run folder with: `override`, else the run's own folder."""
    return load_lexicon(run_lexicon_dir(read_run_json(run_dir), override))


def publish(
    run_dir: Path, lexicon: Lexicon, workspace: Workspace | None = None, png: bool = True, previous: Path | None = None
) -> PublishSummary:
    """Regenerate every table and report of a run from its stored detections and the reviewer decisions; `previous`
    (the run folder a staged one replaces) lends the PNG charts drawn from the same data."""
    started = time.perf_counter()
    run_dir = Path(run_dir)
    publication = build_publication(load_run(run_dir, lexicon, workspace))
    data, tables = publication.data, publication.tables
    themes = {theme.theme_id: theme.name for theme in lexicon.themes}
    charts = partner_charts(tables["partenaires_themes"], themes) + articulation_charts(
        tables["articulations_themes"], themes
    )
    context = html_context(
        tables,
        charts,
        themes,
        publication.figures,
        data.run,
        publication.review,
        publication.notes,
        publication.matrices,
    )
    with atomic_writer(run_dir / "rapport.html") as stream:
        write_report(context, stream)
    del context  # the evidence lists of the page: gone before the workbook is built
    decided = data.detections[[c for c in DETECTION_COLUMNS if c in data.detections]]
    write_csv(decided, run_dir / DECIDED_DETECTIONS)
    write_csv(publication.contract_entities, run_dir / "contract_entities.csv")
    write_csv(publication.contract_indicators, run_dir / "contract_indicators.csv")
    for key, name in TABLE_FILES.items():
        write_csv(tables[key], run_dir / name)
    with atomic_writer(run_dir / "rapport.xlsx") as stream:
        write_workbook(workbook_content(publication, themes), stream)
    chart_files = write_charts(charts, run_dir / "charts", png, previous)
    indicators = tables["indicateurs"]
    summary = PublishSummary(
        run_id=str(data.run.get("run_id", "")),
        published_at=datetime.now(UTC).isoformat(timespec="seconds"),
        lexicon_version=lexicon.version,
        review=publication.review,
        partners_found=int((tables["partenaires"]["n_mentionne"] > 0).sum()),
        dispositifs_found=int((tables["articulations"]["n_mentionne"] > 0).sum()),
        indicators_total=len(indicators),
        indicators_computable=int((indicators["calculable"] == "oui").sum()) if len(indicators) else 0,
        indicators_agreeing=int((indicators.get("accord", pd.Series(dtype=str)) == "conforme").sum()),
        files=[
            DECIDED_DETECTIONS,
            "contract_entities.csv",
            "contract_indicators.csv",
            *TABLE_FILES.values(),
            "rapport.xlsx",
            "rapport.html",
            *(f"charts/{name}" for name in chart_files),
        ],
        seconds={"tables": publication.seconds, "total": round(time.perf_counter() - started, 3)},
        warnings=publication.warnings,
    )
    atomic_write_bytes(
        run_dir / "publication.json", json.dumps(summary.to_json(), ensure_ascii=False, indent=1).encode()
    )
    record_written(run_dir, [*summary.files, "publication.json", f"charts/{STAMPS_FILE}"])
    return summary


def republish(run_dir: Path, lexicon: Lexicon, workspace: Workspace | None = None, png: bool = True) -> PublishSummary:
    """`publish` a finished run folder again as one change: the run's files are linked into a staging folder, the
    publication written there, and the folder swapped in whole, so that a killed regeneration leaves the previous
    publication complete rather than a mix of old and new tables (its staging folder is cleared by the next
    one). A folder without cdv's marker (written before markers existed) is published in place."""
    marker = read_marker(Path(run_dir))
    if marker is None:
        return publish(run_dir, lexicon, workspace, png)
    recover_interrupted(Path(run_dir))  # what a killed regeneration left beside the folder
    with staged_run(Path(run_dir), marker.run_id) as staging:
        for name in marker.files:
            link_or_copy(Path(run_dir) / name, staging / name)
        summary = publish(staging, lexicon, workspace, png)
    return summary


def link_or_copy(source: Path, destination: Path) -> None:
    """A second name for a file of the run in the staging folder (a copy where hard links are impossible)."""
    if not source.is_file() or source.is_symlink():
        return
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)
