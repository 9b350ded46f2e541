"""`rapport.xlsx`: the publication laid out for reading, in French.

A « Lisez-moi » sheet first (what each sheet holds, how to read a figure), then one sheet per table with the
name column first and frozen with the header row, headers in French words, code values in words (« validée »,
« mentionné », theme names), numbers stored as numbers in French formats (percentages, counts, dates in
Europe/Paris time), band cells coloured as in the charts and filters on every column; the contract × partner
and contract × dispositif matrices; the method. The CSV files keep their column names (a data contract): only
the workbook's headers, column order, wording of code values and formats differ.

Sheets are streamed in openpyxl's write-only mode (styles set per cell, widths, freeze panes and filters before
the rows): several times faster than the normal mode on the ~5,000-row « Preuves » sheet. Every text cell is
inert (`pipeline.inert`): text from PDFs, file names and reviewers is never read as a formula.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from pipeline.french import CODE_LABELS, to_paris
from pipeline.inert import inert_cell
from pipeline.report.charts import BAND_COLOURS, BAND_TEXT
from pipeline.report.matrix import Matrix

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
HEADER_FILL = PatternFill("solid", fgColor="1C2B40")
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
NAME_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14, color="1C2B40")
SECTION_FONT = Font(bold=True, size=11, color="3F6FB5")
WRAP = Alignment(wrap_text=True, vertical="top")
MATRIX_FILLS = {"S": PatternFill("solid", fgColor="3F6FB5"), "M": PatternFill("solid", fgColor="C6D7EE")}
MATRIX_FONTS = {"S": Font(bold=True, color="FFFFFF"), "M": Font(bold=True, color="1C2B40")}
MARGIN_FILL = PatternFill("solid", fgColor="EEF3FA")
CENTER = Alignment(horizontal="center")
LEFT = Alignment(horizontal="left")
VERTICAL = Alignment(text_rotation=90, horizontal="center", vertical="bottom")
MAX_WIDTH = 60
A4_PAPER = 9  # the ECMA-376 paper size code of A4


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


class SheetWriter:
    """One write-only sheet: widths, freeze panes and filter first, then rows of styled cells.

    A style (format, font, fill, alignment) is registered with the workbook once; later cells of the same style
    copy its style indices, which keeps styling cheap on large sheets.
    """

    def __init__(self, book: Workbook, title: str) -> None:
        sheet = book.create_sheet(title[:31])
        assert isinstance(sheet, WriteOnlyWorksheet)
        self.sheet = sheet
        self.styles: dict[tuple[object, ...], Any] = {}

    def cell(
        self,
        value: Any,
        number_format: str = "",
        font: Font | None = None,
        fill: PatternFill | None = None,
        alignment: Alignment | None = None,
    ) -> Any:
        if not (number_format or font or fill or alignment):
            return value
        key = (number_format, id(font), id(fill), id(alignment))  # styles are module constants: ids are stable
        cell = WriteOnlyCell(self.sheet, value=value)
        known = self.styles.get(key)
        if known is not None:
            cell._style = copy(known)
            return cell
        if number_format:
            cell.number_format = number_format
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if alignment is not None:
            cell.alignment = alignment
        self.styles[key] = copy(cell._style)
        return cell

    def header(self, labels: Iterable[str]) -> list[Any]:
        return [self.cell(label, font=HEADER_FONT, fill=HEADER_FILL, alignment=HEADER_ALIGNMENT) for label in labels]

    def print_layout(self, landscape: bool, fit_width: bool) -> None:
        """Printing: the header row and the name column on every page; one page wide when `fit_width`."""
        sheet = self.sheet
        sheet.page_setup.orientation = "landscape" if landscape else "portrait"
        sheet.page_setup.paperSize = A4_PAPER
        sheet.print_title_rows = "1:1"
        if landscape:
            sheet.print_title_cols = "A:A"
        if fit_width:
            sheet.sheet_properties.pageSetUpPr.fitToPage = True
            sheet.page_setup.fitToWidth = 1
            sheet.page_setup.fitToHeight = 0

    def widths(self, widths: Sequence[float], padding: float = 2.0, minimum: float = 6.0) -> None:
        for index, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = min(max(width, minimum) + padding, MAX_WIDTH)


BAND_STYLES = {
    label: (PatternFill("solid", fgColor=colour.lstrip("#")), Font(color=BAND_TEXT[label].lstrip("#")))
    for label, colour in BAND_COLOURS.items()
}


def band_style(label: Any) -> tuple[PatternFill | None, Font | None]:
    """The fill and font of a band cell, as in the charts (module constants: their styles are cached by id)."""
    return BAND_STYLES.get(str(label), (None, None))


def text_width(values: Iterable[Any]) -> int:
    return max((len(str(value)) for value in values), default=0)


def write_table(book: Workbook, title: str, frame: pd.DataFrame, themes: dict[str, str]) -> None:
    """A table as a sheet: name column first and frozen with the header, French headers, formats, filters."""
    writer = SheetWriter(book, title)
    columns = workbook_columns([str(c) for c in frame.columns])
    formats = [column_format(column, themes) for column in columns]
    headers = [french_header(column, columns) for column in columns]
    sample = frame.head(200)
    widths = []
    for column, fmt, header in zip(columns, formats, headers, strict=True):
        shown = 8 if fmt.numeric else text_width(cell_value(v, fmt) for v in sample[column])
        widths.append(max(min(len(header), 24), shown))
    writer.widths(widths)
    writer.print_layout(landscape=True, fit_width=len(columns) <= 12)
    sheet = writer.sheet
    sheet.freeze_panes = "B2"
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(frame) + 1, 2)}"
    sheet.append(writer.header(headers))
    for record in frame[columns].itertuples(index=False, name=None) if columns else ():
        row = []
        for position, (value, fmt) in enumerate(zip(record, formats, strict=True)):
            shown = cell_value(value, fmt)
            if fmt.band and shown in BAND_STYLES:
                fill, font = BAND_STYLES[shown]
                row.append(writer.cell(shown, fill=fill, font=font))
            elif fmt.number_format and isinstance(shown, int | float):
                row.append(writer.cell(shown, fmt.number_format))
            elif position == 0:
                row.append(writer.cell(shown, font=NAME_FONT))
            else:
                row.append(shown)
        sheet.append(row)


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
    writer = SheetWriter(book, title)
    widths = (34.0, 96.0)
    writer.widths(widths)
    writer.print_layout(landscape=False, fit_width=True)
    sheet = writer.sheet
    sheet.freeze_panes = "B2" if headers else "A2"
    index = 0

    def append(cells: list[Any], height: float = 0.0) -> None:
        nonlocal index
        index += 1
        if height > 15:
            sheet.row_dimensions[index].height = height
        sheet.append(cells)

    if headers:
        sheet.auto_filter.ref = f"A1:B{max(len(rows) + 1, 2)}"
        append(writer.header(headers))
    for row in rows:
        if row.kind == "title":
            append([writer.cell(inert_cell(row.label), font=TITLE_FONT)], 22.0)
            continue
        if row.kind == "section":
            append([])
            append([writer.cell(inert_cell(row.label), font=SECTION_FONT)])
            continue
        value = row.value
        height = 0.0
        if isinstance(value, datetime):
            shown: Any = writer.cell(value, row.number_format or DATE_FORMAT, alignment=LEFT)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            shown = writer.cell(value, row.number_format or COUNT_FORMAT, alignment=LEFT)
        else:
            text = "" if value is None else str(value)
            shown = writer.cell(inert_cell(text), alignment=WRAP)
            height = max(text_height(text, widths[1] + 2), text_height(row.label, widths[0] + 2))
        append([writer.cell(inert_cell(row.label), font=NAME_FONT, alignment=WRAP), shown], height)


def write_matrix(book: Workbook, title: str, matrix: Matrix) -> None:
    """A contract × entity matrix: contracts in rows (frozen), `S`/`M` cells, counts and bands in the margins."""
    writer = SheetWriter(book, title)
    partners = matrix.partners
    margins = ["Entités nommées", "Signataires"] if partners else ["Dispositifs cités"]
    headers = ["Contrat", "Territoire", "Département", *(c.short for c in matrix.columns), *margins]
    widths = [
        max(12, text_width(r.contract_id for r in matrix.rows)),
        max(10, text_width(r.territory for r in matrix.rows)),
        max(11, text_width(r.department for r in matrix.rows)),
        *[3.5] * (len(matrix.columns) + len(margins)),
    ]
    writer.widths(widths, padding=0.5, minimum=3.0)
    writer.sheet.row_dimensions[1].height = 6.0 * max([len(h) for h in headers[3:]] + [10])
    writer.print_layout(landscape=True, fit_width=True)
    sheet = writer.sheet
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(len(matrix.rows) + 1, 2)}"
    sheet.append(
        [
            *writer.header(headers[:3]),
            *(writer.cell(h, font=HEADER_FONT, fill=HEADER_FILL, alignment=VERTICAL) for h in headers[3:]),
        ]
    )
    for row in matrix.rows:
        cells = [
            writer.cell(value, font=MATRIX_FONTS[value], fill=MATRIX_FILLS[value], alignment=CENTER) if value else None
            for value in row.cells
        ]
        ends = [row.named, row.signing] if partners else [row.named]
        sheet.append(
            [
                writer.cell(inert_cell(row.contract_id), font=NAME_FONT),
                inert_cell(row.territory),
                inert_cell(row.department),
                *cells,
                *(writer.cell(value, COUNT_FORMAT, fill=MARGIN_FILL) for value in ends),
            ]
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
    row_index = len(matrix.rows) + 2
    for name, values, number_format, height in footer:
        row_index += 1
        if height:  # percentages and bands written vertically, as the headers, in narrow columns
            sheet.row_dimensions[row_index].height = height
        align = VERTICAL if height else None
        shown = []
        for value in values:
            if number_format:
                shown.append(writer.cell(value, number_format, fill=MARGIN_FILL, alignment=align))
            else:
                fill, font = band_style(value)
                shown.append(writer.cell(value, fill=fill or MARGIN_FILL, font=font, alignment=align))
        sheet.append([writer.cell(name, font=NAME_FONT, fill=MARGIN_FILL), None, None, *shown])
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
    """The workbook bytes: « Lisez-moi », the tables (matrices after the sheet named `matrices_after`, else at
    the end of the tables), « Méthode »."""
    book = Workbook(write_only=True)
    write_text_sheet(book, "Lisez-moi", content.readme, None)
    placed = not content.matrices_after
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
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def paris_time(value: Any) -> datetime | str:
    """A run timestamp as a Paris-time datetime cell (the text itself when it is not a timestamp)."""
    moment = to_paris(value) if value else None
    return moment if moment is not None else str(value or "")
