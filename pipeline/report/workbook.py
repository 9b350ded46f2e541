"""`rapport.xlsx`: the publication laid out for reading, in French.

A « Lisez-moi » sheet first (what each sheet holds, how to read a figure), then one sheet per table with the
name column first and frozen with the header row, headers in French words, code values in words (« validée »,
« mentionné », theme names), numbers stored as numbers in French formats (percentages, counts, dates in
Europe/Paris time), band cells coloured as in the charts and filters on every column; the contract × partner
and contract × dispositif matrices; the method. The CSV files keep their column names (a data contract): only
the workbook's headers, column order, wording of code values and formats differ.

This module decides the layout (what goes in which sheet, headers, formats, widths, colours); `pipeline.report.xlsx`
writes the file. Every text cell is inert (`pipeline.inert`): text from PDFs, file names and reviewers is never
read as a formula.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, BinaryIO

import pandas as pd

from pipeline.french import CODE_LABELS, to_paris
from pipeline.inert import inert_cell
from pipeline.report.charts import BAND_COLOURS, BAND_TEXT
from pipeline.report.matrix import Matrix
from pipeline.report.xlsx import PrintLayout, Sheet, Style, Workbook, column_letter

# Number formats: the `[$-40C]` prefix marks them French (LibreOffice then writes the decimal comma whatever the
# machine's locale; Excel uses the reader's separators). The file itself always stores `.` and `,` as Excel's
# format codes require.
FRENCH = "[$-40C]"
PERCENT_FORMAT = FRENCH + '0.0" "%'
MATRIX_PERCENT_FORMAT = FRENCH + '0" "%'
COUNT_FORMAT = FRENCH + "#,##0"
DECIMAL_FORMAT = FRENCH + "0.00"
POINTS_FORMAT = FRENCH + '+0.0" pt";-0.0" pt";0" pt"'
DATE_FORMAT = FRENCH + "dd/mm/yyyy hh:mm"

HEADERS = {
    "entity_id": "Identifiant",
    "entity_name": "Nom",
    "entity_acronym": "Sigle",
    "category": "Catégorie",
    "scope": "Portée",
    "famille": "Famille",
    "themes_lexique": "Thèmes du lexique",
    "n_contracts": "Contrats lus",
    "n_signataire": "Signataire (contrats)",
    "pct_signataire": "Signataire (part)",
    "n_mentionne": "Mentionné (contrats)",
    "pct_mentionne": "Mentionné (part)",
    "signataire_marque": "Signataire dans le thème",
    "dans_lexique": "Thème prévu au lexique",
    "theme_id": "Identifiant du thème",
    "theme": "Thème",
    "department": "Département",
    "indicator_id": "Identifiant de l'indicateur",
    "label": "Indicateur",
    "calculable": "Calculable",
    "n": "Contrats comptés",
    "denominateur": "Dénominateur (contrats)",
    "pct": "Valeur (part)",
    "bande": "Bande",
    "statut": "Statut de revue",
    "definition": "Ce qui est compté",
    "denominateur_definition": "Dénominateur",
    "valeur_publiee": "Valeur publiée (part)",
    "publie": "Formulation du rapport",
    "qualificatif": "Qualificatif",
    "ecart": "Écart (points)",
    "accord": "Accord avec le rapport",
    "source": "Source dans le rapport",
    "note": "Note",
    "preuves": "Preuves (contrats et pages)",
    "pages_non_disponibles": "Contrats sans indices textuels",
    "contract_id": "Contrat",
    "territory": "Territoire",
    "status": "Statut de revue",
    "error": "Erreur",
    "pages": "Pages",
    "pages_illisibles": "Pages illisibles",
    "n_contrats": "Contrats",
    "n_contrats_lus": "Contrats lus",
    "contrats": "Liste des contrats",
    "n_detections": "Détections",
    "n_partenaires": "Partenaires nommés",
    "n_dispositifs": "Dispositifs cités",
    "n_auto": "Détections non revues",
    "n_valide": "Détections validées",
    "n_rejete": "Détections rejetées",
    "n_ajoute": "Détections ajoutées",
    "couverture_revue": "Couverture de revue",
    "pct_revu": "Part revue",
    "contrats_illisibles": "Contrats à pages illisibles",
    "page": "Page",
    "snippet": "Citation",
    "kind": "Nature",
    "role": "Rôle",
    "score": "Score",
    "method": "Trouvé par",
    "detection_id": "Identifiant de la détection",
    "mark_start": "Début du passage dans la citation",
    "mark_end": "Fin du passage dans la citation",
    "via_entity_id": "Identifiant du membre",
    "via_entity_name": "Compté via le membre",
}
PREFIXES = {
    "n_min": "Borne basse (contrats)",
    "n_max": "Borne haute (contrats)",
    "pct_min": "Borne basse (part)",
    "pct_max": "Borne haute (part)",
    "couverture_revue": "Couverture de revue",
    "statut": "Statut de revue",
    "bande": "Bande",
    "contrats_illisibles": "Contrats à pages illisibles",
    "preuves": "Preuves",
}
SUFFIXES = {"_signataire": " — signataire", "_mentionne": " — mentionné"}
# The column shown first (and frozen) in each table: its name; identifiers go to the end.
NAME_COLUMNS = ("entity_name", "label", "contract_id", "department")
TRAILING_COLUMNS = ("entity_id", "theme_id", "indicator_id", "detection_id", "via_entity_id")
COUNT_COLUMNS = {
    "n",
    "denominateur",
    "pages",
    "pages_illisibles",
    "page",
    "mark_start",
    "mark_end",
    "n_contrats",
    "n_contrats_lus",
}
YES_NO_COLUMNS = {"signataire_marque", "dans_lexique"}
HEADER = Style(bold=True, colour="FFFFFF", fill="1C2B40", wrap=True, vertical="top")
NAME = Style(bold=True)
NAME_WRAPPED = Style(bold=True, wrap=True, vertical="top")
TITLE = Style(bold=True, size=14, colour="1C2B40")
SECTION = Style(bold=True, size=11, colour="3F6FB5")
WRAP = Style(wrap=True, vertical="top")
MATRIX_STYLES = {
    "S": Style(bold=True, colour="FFFFFF", fill="3F6FB5", horizontal="center"),
    "M": Style(bold=True, colour="1C2B40", fill="C6D7EE", horizontal="center"),
}
MARGIN_FILL = "EEF3FA"
MAX_WIDTH = 60


CONTRACT_HEADERS = {"status": "Lecture"}  # in a table of contracts, `status` is ok / error


def french_header(column: str, columns: Sequence[str] = ()) -> str:
    """The French header of a table column, in words (`columns`: the table's, when a name depends on them)."""
    if "territory" in columns and column in CONTRACT_HEADERS:
        return CONTRACT_HEADERS[column]
    if column in HEADERS:
        return HEADERS[column]
    for suffix, label in SUFFIXES.items():
        stem = column.removesuffix(suffix)
        if stem != column:
            base = PREFIXES.get(stem) or HEADERS.get(stem)
            if base:
                return base + label
    return PREFIXES.get(column) or column.replace("_", " ").capitalize()


def is_percent(column: str) -> bool:
    return column.startswith("pct") or column.startswith("couverture_revue") or column == "valeur_publiee"


def is_count(column: str) -> bool:
    return column in COUNT_COLUMNS or column.startswith("n_") or column.startswith("contrats_illisibles")


def workbook_columns(columns: Sequence[str]) -> list[str]:
    """The columns in reading order: the name column first, then the table's order, identifiers last."""
    name = next((c for c in NAME_COLUMNS if c in columns), None)
    ordered = ([name] if name else []) + [c for c in columns if c != name and c not in TRAILING_COLUMNS]
    return ordered + [c for c in columns if c in TRAILING_COLUMNS]


@dataclass(frozen=True)
class ColumnFormat:
    """How one column's values are written: scale (0-100 percentages become fractions), format, wording."""

    name: str
    number_format: str = ""
    scale: float = 1.0
    numeric: bool = False
    labels: dict[str, str] = field(default_factory=dict)
    band: bool = False


def column_format(column: str, themes: dict[str, str]) -> ColumnFormat:
    """The format of a table column in the workbook."""
    if column == "ecart":
        return ColumnFormat(column, POINTS_FORMAT, numeric=True)
    if is_percent(column):
        scale = 1.0 if column.startswith("couverture_revue") else 100.0
        return ColumnFormat(column, PERCENT_FORMAT, scale, numeric=True)
    if column == "score":
        return ColumnFormat(column, DECIMAL_FORMAT, numeric=True)
    if is_count(column):
        return ColumnFormat(column, COUNT_FORMAT, numeric=True)
    if column in YES_NO_COLUMNS:
        return ColumnFormat(column, labels={"1": "oui", "0": "non", "1.0": "oui", "0.0": "non"})
    if column == "theme" or column == "themes_lexique":
        return ColumnFormat(column, labels=themes)
    if column.startswith("bande"):
        return ColumnFormat(column, band=True)
    return ColumnFormat(column, labels=CODE_LABELS.get(column, {}))


def number_of(value: Any) -> float | int | None:
    """A numeric cell value (text holding a number included), None for an empty or non-numeric value."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return None if isinstance(value, float) and math.isnan(value) else value
    text = str(value).strip().replace(",", ".")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() and "." not in text else number


def cell_value(value: Any, fmt: ColumnFormat) -> Any:
    """A table value as the workbook shows it: a number (scaled), French words for codes, or inert text."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return None
    if fmt.numeric:
        number = number_of(value)
        if number is None:
            return inert_cell(str(value))
        return number / fmt.scale if fmt.scale != 1 else number
    if hasattr(value, "item"):
        value = value.item()
    if fmt.labels:
        text = str(value)
        if "|" in text and fmt.name == "themes_lexique":
            return inert_cell(", ".join(fmt.labels.get(part, part) for part in text.split("|")))
        return inert_cell(fmt.labels.get(text, text))
    return inert_cell(value)


def new_sheet(
    book: Workbook,
    title: str,
    widths: Sequence[float],
    landscape: bool,
    fit_width: bool,
    padding: float = 2.0,
    minimum: float = 6.0,
) -> Sheet:
    """A sheet with its column widths (in characters, padded, capped) and its print layout: the header row and,
    in landscape, the name column on every page; one page wide when `fit_width`."""
    sheet = book.add_sheet(title)
    sheet.widths = [min(max(width, minimum) + padding, MAX_WIDTH) for width in widths]
    sheet.layout = PrintLayout(landscape, fit_width, title_rows="1:1", title_columns="A:A" if landscape else "")
    return sheet


def vertical(style: Style) -> Style:
    """`style` with its text written bottom to top, centred, on one line: for narrow matrix columns."""
    return replace(style, rotation=90, horizontal="center", vertical="bottom", wrap=False)


BAND_STYLES = {
    label: Style(fill=colour.lstrip("#"), colour=BAND_TEXT[label].lstrip("#")) for label, colour in BAND_COLOURS.items()
}


def text_width(values: Iterable[Any]) -> int:
    return max((len(str(value)) for value in values), default=0)


def write_table(book: Workbook, title: str, frame: pd.DataFrame, themes: dict[str, str]) -> None:
    """A table as a sheet: name column first and frozen with the header, French headers, formats, filters."""
    columns = workbook_columns([str(c) for c in frame.columns])
    formats = [column_format(column, themes) for column in columns]
    headers = [french_header(column, columns) for column in columns]
    sample = frame.head(200)
    widths = []
    for column, fmt, header in zip(columns, formats, headers, strict=True):
        shown = 8 if fmt.numeric else text_width(cell_value(v, fmt) for v in sample[column])
        widths.append(max(min(len(header), 24), shown))
    sheet = new_sheet(book, title, widths, landscape=True, fit_width=len(columns) <= 12)
    sheet.freeze = "B2"
    if columns:
        sheet.auto_filter = f"A1:{column_letter(len(columns))}{max(len(frame) + 1, 2)}"
        sheet.size = (len(frame) + 1, len(columns))  # written while filled: the header and a row per record
    sheet.append(headers, [book.style(HEADER)] * len(headers))
    name = book.style(NAME)
    numbers = [book.style(Style(fmt.number_format)) if fmt.number_format else 0 for fmt in formats]
    bands = {label: book.style(style) for label, style in BAND_STYLES.items()}
    for record in zip(*(frame[column].tolist() for column in columns), strict=True):
        values, styles = [], []
        for position, (value, fmt) in enumerate(zip(record, formats, strict=True)):
            shown = cell_value(value, fmt)
            values.append(shown)
            if fmt.band and shown in bands:
                styles.append(bands[shown])
            elif numbers[position] and isinstance(shown, int | float):
                styles.append(numbers[position])
            else:
                styles.append(name if position == 0 else 0)
        sheet.append(values, styles)


@dataclass(frozen=True)
class TextRow:
    """A row of the « Lisez-moi » or « Méthode » sheet: a label, a value (text, number or date) and its style."""

    label: str
    value: Any = ""
    number_format: str = ""
    kind: str = "row"  # row, title, section


def text_height(text: str, width: float) -> float:
    """The row height (points) that shows a wrapped text whole in a column of `width` characters."""
    per_line = max(int(width * 0.8), 10)
    lines = sum(max(1, math.ceil(len(part) / per_line)) for part in str(text).split("\n"))
    return 15.0 * lines


def write_text_sheet(book: Workbook, title: str, rows: Sequence[TextRow], headers: tuple[str, str] | None) -> None:
    """A two-column sheet for reading: labels frozen on the left, values wrapped (rows as high as their text);
    dates in Paris time."""
    widths = (34.0, 96.0)
    sheet = new_sheet(book, title, widths, landscape=False, fit_width=True)
    sheet.freeze = "B2" if headers else "A2"
    if headers:
        sheet.auto_filter = f"A1:B{max(len(rows) + 1, 2)}"
        sheet.append(headers, [book.style(HEADER)] * 2)
    for row in rows:
        if row.kind == "title":
            sheet.append([inert_cell(row.label)], [book.style(TITLE)], 22.0)
            continue
        if row.kind == "section":
            sheet.append([])
            sheet.append([inert_cell(row.label)], [book.style(SECTION)])
            continue
        value = row.value
        shown: Any = None
        height = 0.0
        style: Style
        if isinstance(value, datetime):
            shown, style = value, Style(row.number_format or DATE_FORMAT, horizontal="left")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            shown, style = value, Style(row.number_format or COUNT_FORMAT, horizontal="left")
        else:
            text = "" if value is None else str(value)
            shown, style = inert_cell(text), WRAP
            height = max(text_height(text, widths[1] + 2), text_height(row.label, widths[0] + 2))
        sheet.append(
            [inert_cell(row.label), shown],
            [book.style(NAME_WRAPPED), book.style(style)],
            height if height > 15 else 0.0,
        )


def write_matrix(book: Workbook, title: str, matrix: Matrix) -> None:
    """A contract × entity matrix: contracts in rows (frozen), `S`/`M` cells, counts and bands in the margins."""
    partners = matrix.partners
    margins = ["Entités nommées", "Signataires"] if partners else ["Dispositifs cités"]
    headers = ["Contrat", "Territoire", "Département", *(c.short for c in matrix.columns), *margins]
    widths = [
        max(12, text_width(r.contract_id for r in matrix.rows)),
        max(10, text_width(r.territory for r in matrix.rows)),
        max(11, text_width(r.department for r in matrix.rows)),
        *[3.5] * (len(matrix.columns) + len(margins)),
    ]
    sheet = new_sheet(book, title, widths, landscape=True, fit_width=True, padding=0.5, minimum=3.0)
    sheet.freeze = "B2"
    sheet.auto_filter = f"A1:{column_letter(len(headers))}{max(len(matrix.rows) + 1, 2)}"
    header, rotated = book.style(HEADER), book.style(vertical(HEADER))
    sheet.append(
        headers,
        [header] * 3 + [rotated] * (len(headers) - 3),
        6.0 * max([len(h) for h in headers[3:]] + [10]),
    )
    name = book.style(NAME)
    marks = {value: book.style(style) for value, style in MATRIX_STYLES.items()}
    margin_count = book.style(Style(COUNT_FORMAT, fill=MARGIN_FILL))
    for row in matrix.rows:
        ends = [row.named, row.signing] if partners else [row.named]
        sheet.append(
            [
                inert_cell(row.contract_id),
                inert_cell(row.territory),
                inert_cell(row.department),
                *(value or None for value in row.cells),
                *ends,
            ],
            [name, 0, 0, *(marks[value] if value else 0 for value in row.cells), *[margin_count] * len(ends)],
        )
    sheet.append([])
    label = "Contrats où il est nommé" if partners else "Contrats qui s'articulent"
    footer: list[tuple[str, list[Any], str, float]] = [
        (label, [c.count for c in matrix.columns], COUNT_FORMAT, 0.0),
        ("Part des contrats", [c.pct / 100 for c in matrix.columns], MATRIX_PERCENT_FORMAT, 36.0),
        ("Bande", [c.band for c in matrix.columns], "", 66.0),
    ]
    if partners:
        footer.append(("Contrats où il signe", [c.signing for c in matrix.columns], COUNT_FORMAT, 0.0))
        footer.append(
            (
                "Part des contrats (signataire)",
                [c.pct_signing / 100 for c in matrix.columns],
                MATRIX_PERCENT_FORMAT,
                36.0,
            )
        )
    for label, values, number_format, height in footer:
        styles = []
        for value in values:  # percentages and bands written vertically, as the headers, in narrow columns
            if number_format:
                style = Style(number_format, fill=MARGIN_FILL)
            else:
                style = BAND_STYLES.get(str(value), Style(fill=MARGIN_FILL))
            styles.append(book.style(vertical(style) if height else style))
        sheet.append(
            [label, None, None, *values], [book.style(Style(fill=MARGIN_FILL, bold=True)), 0, 0, *styles], height
        )
    sheet.append([])
    sheet.append(
        [
            "Lecture : S = le partenaire signe le contrat ; M = il est mentionné sans signer"
            if partners
            else "Lecture : M = le contrat s'articule avec le dispositif (il le nomme)"
        ]
    )


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


@dataclass
class WorkbookContent:
    """Everything the workbook shows, in sheet order around the tables."""

    readme: list[TextRow]
    tables: list[tuple[str, pd.DataFrame]]
    method: list[TextRow]
    matrices: list[tuple[str, Matrix]] = field(default_factory=list)
    themes: dict[str, str] = field(default_factory=dict)
    matrices_after: str = ""


def build_workbook(content: WorkbookContent) -> bytes:
    """The workbook bytes (as `write_workbook` writes them)."""
    buffer = io.BytesIO()
    write_workbook(content, buffer)
    return buffer.getvalue()


def write_workbook(content: WorkbookContent, stream: BinaryIO) -> None:
    """The workbook written into a seekable binary `stream` as it is laid out: each sheet is written (and its
    rows freed) when the next one starts, so that the largest sheet, not the whole workbook, is in memory."""
    with Workbook(stream, sheet_count=len(content.tables) + len(content.matrices) + 2) as book:
        write_sheets(book, content)


def write_sheets(book: Workbook, content: WorkbookContent) -> None:
    """The sheets of `content` into `book`: « Lisez-moi », the tables (matrices after the sheet named
    `matrices_after`, else at the end of the tables), « Méthode »."""
    write_text_sheet(book, "Lisez-moi", content.readme, None)
    placed = False
    for name, frame in content.tables:
        write_table(book, name, frame, content.themes)
        if name == content.matrices_after:
            for title, matrix in content.matrices:
                write_matrix(book, title, matrix)
            placed = True
    if not placed:
        for title, matrix in content.matrices:
            write_matrix(book, title, matrix)
    write_text_sheet(book, "Méthode", content.method, ("Élément", "Valeur"))


def paris_time(value: Any) -> datetime | str:
    """A run timestamp as a Paris-time datetime cell (the text itself when it is not a timestamp)."""
    moment = to_paris(value) if value else None
    return moment if moment is not None else str(value or "")
