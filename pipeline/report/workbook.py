"""`rapport.xlsx`: one formatted sheet per table, the method, and the gaps with the published report.

Every sheet has a frozen header row, filters, column widths, percentages as Excel percentages (the CSVs
hold 0-100 values, the workbook the same value / 100) and band cells coloured as in the charts.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.inert import inert_cell
from pipeline.report.charts import BAND_COLOURS, BAND_TEXT

HEADERS = {
    "entity_id": "Identifiant",
    "entity_name": "Nom",
    "entity_acronym": "Sigle",
    "category": "Catégorie",
    "scope": "Portée",
    "famille": "Famille",
    "n_contracts": "Contrats lus",
    "n_signataire": "Signataire (n)",
    "pct_signataire": "Signataire (%)",
    "n_mentionne": "Mentionné (n)",
    "pct_mentionne": "Mentionné (%)",
    "theme_id": "Thème (id)",
    "theme": "Thème",
    "department": "Département",
    "indicator_id": "Indicateur (id)",
    "label": "Indicateur",
    "n": "Contrats comptés (n)",
    "denominateur": "Dénominateur (n)",
    "pct": "Valeur (%)",
    "bande": "Bande",
    "statut": "Statut",
    "definition": "Ce qui compte",
    "denominateur_definition": "Dénominateur",
    "valeur_publiee": "Valeur publiée (%)",
    "publie": "Formulation du rapport",
    "qualificatif": "Qualificatif",
    "ecart": "Écart (points)",
    "accord": "Accord",
    "preuves": "Preuves (contrats et pages)",
    "contract_id": "Contrat",
    "couverture_revue": "Couverture de revue",
    "contrats_illisibles": "Contrats à pages illisibles",
    "page": "Page",
    "snippet": "Citation",
    "kind": "Nature",
    "role": "Rôle",
    "status": "Statut de revue",
    "score": "Score",
    "method": "Méthode",
    "detection_id": "Détection (id)",
    "via_entity_id": "Via le membre (id)",
    "via_entity_name": "Via le membre",
}
PREFIXES = {
    "n_min": "n min",
    "n_max": "n max",
    "pct_min": "% min",
    "pct_max": "% max",
    "couverture_revue": "Couverture de revue",
    "statut": "Statut",
    "bande": "Bande",
    "contrats_illisibles": "Contrats à pages illisibles",
    "preuves": "Preuves",
}
SUFFIXES = {"_signataire": " signataire", "_mentionne": " mentionné"}
HEADER_FILL = PatternFill("solid", fgColor="1C2B40")
HEADER_FONT = Font(bold=True, color="FFFFFF")
MAX_WIDTH = 60


def french_header(column: str) -> str:
    """The French header of a table column (unknown columns keep their name)."""
    if column in HEADERS:
        return HEADERS[column]
    for suffix, label in SUFFIXES.items():
        stem = column.removesuffix(suffix)
        if stem != column and stem in PREFIXES:
            return PREFIXES[stem] + label
    return PREFIXES.get(column, column)


def is_percent(column: str) -> bool:
    return column.startswith("pct") or column.startswith("couverture_revue") or column == "valeur_publiee"


def cell_value(value: Any, scale: float) -> Any:
    """A CSV value as a spreadsheet value: numbers stay numbers, divided by `scale` (100 for 0-100 percents);
    text is inert (never a formula)."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return None
    if hasattr(value, "item"):
        value = value.item()
    if scale != 1 and isinstance(value, int | float) and not isinstance(value, bool):
        return value / scale
    return inert_cell(value)


def write_sheet(sheet: Worksheet, frame: pd.DataFrame) -> None:
    """A table as a formatted sheet: French headers, frozen header, filters, widths, percent and bands."""
    columns = list(frame.columns)
    sheet.append([french_header(c) for c in columns])
    percent = [is_percent(c) for c in columns]
    scales = [
        100.0 if is_pct and not c.startswith("couverture_revue") else 1.0
        for c, is_pct in zip(columns, percent, strict=True)
    ]
    for record in frame.itertuples(index=False, name=None):
        sheet.append([cell_value(value, scale) for value, scale in zip(record, scales, strict=True)])
    for cell in sheet[1]:
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(frame.shape[0] + 1, 2)}"
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        values = [str(v) for v in frame[column].head(200)]
        width = max([len(french_header(column)), *[len(v) for v in values], 6])
        sheet.column_dimensions[letter].width = min(width + 2, MAX_WIDTH)
        if percent[index - 1]:
            for cell in sheet[letter][1:]:
                cell.number_format = "0.0 %"
        if column.startswith("bande"):
            for cell in sheet[letter][1:]:
                if cell.value in BAND_COLOURS:
                    cell.fill = PatternFill("solid", fgColor=BAND_COLOURS[str(cell.value)].lstrip("#"))
                    cell.font = Font(color=BAND_TEXT[str(cell.value)].lstrip("#"))


def gaps_table(indicators: pd.DataFrame) -> pd.DataFrame:
    """Every computable indicator with our value beside the report's published one."""
    if indicators.empty:
        return indicators
    computable = indicators[indicators["calculable"] == "oui"]
    columns = [
        "indicator_id",
        "label",
        "theme",
        "n",
        "denominateur",
        "pct",
        "pct_min",
        "pct_max",
        "valeur_publiee",
        "qualificatif",
        "publie",
        "ecart",
        "accord",
        "statut",
        "source",
    ]
    return computable[[c for c in columns if c in computable]].reset_index(drop=True)


def method_rows(run: dict[str, Any], review: dict[str, Any], notes: Iterable[tuple[str, str]]) -> pd.DataFrame:
    """The "Méthode" sheet: corpus, run, versions, review state and the definitions used."""
    rows: list[tuple[str, Any]] = [
        ("Corpus", run.get("corpus", "")),
        ("Identifiant du run", run.get("run_id", "")),
        ("Début du run", run.get("started_at", "")),
        ("Fin du run", run.get("finished_at", "")),
        ("Espace de travail", run.get("workspace", "")),
        ("Version des lexiques", run.get("lexicon_version", "")),
    ]
    rows += [(f"Version de l'étape {stage}", version) for stage, version in run.get("versions", {}).items()]
    rows += [(f"Effectif : {key}", value) for key, value in run.get("counts", {}).items()]
    rows += [(f"Revue : {key}", value) for key, value in review.items()]
    rows += list(notes)
    return pd.DataFrame(rows, columns=["Élément", "Valeur"])


def build_workbook(sheets: list[tuple[str, pd.DataFrame]]) -> bytes:
    """The workbook bytes, one sheet per (name, table) in order."""
    book = Workbook()
    first = True
    for name, frame in sheets:
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        sheet.title = name[:31]
        first = False
        write_sheet(sheet, frame)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
