"""The XLSX writer behind `rapport.xlsx` (`pipeline.report.xlsx`), through `build_workbook` on a small content:
text that looks like a formula stays text, characters XML cannot carry are dropped and markup survives, numbers,
percentages and dates keep their French formats, matrices keep their vertical text, the same content gives the
same bytes; read back with openpyxl and, when it is installed, converted by LibreOffice."""

from __future__ import annotations

import copy
import csv
import io
import shutil
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook as OpenpyxlWorkbook

from pipeline.inert import inert_cell
from pipeline.report.charts import BAND_COLOURS
from pipeline.report.matrix import Column, Matrix, Row
from pipeline.report.workbook import (
    COUNT_FORMAT,
    DATE_FORMAT,
    DECIMAL_FORMAT,
    PERCENT_FORMAT,
    POINTS_FORMAT,
    TextRow,
    WorkbookContent,
    build_workbook,
)
from pipeline.report.xlsx import MAX_CELL_TEXT, ROWS_PER_PART, Style, Workbook, column_letter, datetime_to_serial

FORMULA_LOOKING = [
    '=HYPERLINK("http://evil.example/","x")',
    "+33 6 12 34 56 78",
    "@SUM(A1:A2)",
    "-2+3",
    "\tcmd",
    "#N/A",
]
MARKUP = "Ligne\x01 un\x0b ]]> <b>x</b> & \"c\" 'd'\ud800\ufffe"
MARKUP_KEPT = "Ligne un ]]> <b>x</b> & \"c\" 'd'"
SPACED = "  retrait\nsuite  "
STARTED = datetime(2026, 3, 1, 14, 30, 15)


def contracts_table() -> pd.DataFrame:
    territories = [*FORMULA_LOOKING, MARKUP, SPACED, "x" * (MAX_CELL_TEXT + 10)]
    count = len(territories)
    return pd.DataFrame(
        {
            "contract_id": [f"cdv-{index}" for index in range(count)],
            "territory": territories,
            "pages": list(range(1, count + 1)),
            "pct_revu": [12.5] + [0.0] * (count - 1),
            "score": [0.75] * count,
            "ecart": [-2.5] + [None] * (count - 1),
            "bande": ["10 à 40 %"] + [""] * (count - 1),
        }
    )


def matrix() -> Matrix:
    columns = [
        Column("caf", "Caisse d'allocations familiales", "CAF", "CAF", 2, 1, 100.0, 50.0, "plus de 70 %", "40 à 70 %"),
        Column("ars", "Agence régionale de santé", "ARS", "ARS", 1, 0, 50.0, 0.0, "40 à 70 %", "non trouvé"),
    ]
    rows = [
        Row("cdv-0", "Alpha", "Aude", ["S", "M"], named=2, signing=1),
        Row("cdv-1", "=1+1", "Gard", ["M", ""], named=1, signing=0),
    ]
    return Matrix("partenaires", columns, rows, n_read=2)


def content() -> WorkbookContent:
    readme = [
        TextRow("Contrats de ville — essai", kind="title"),
        TextRow("Début du run (heure de Paris)", STARTED),
        TextRow("Contrats lus", 2),
        TextRow("Part décidée par un relecteur", 0.125, PERCENT_FORMAT),
        TextRow("Les feuilles", kind="section"),
        TextRow("Revue par contrat", "=cmd|' /C calc'!A0"),
    ]
    return WorkbookContent(
        readme=readme,
        tables=[("Revue par contrat", contracts_table())],
        method=[TextRow("Corpus", "/tmp/corpus")],
        matrices=[("Matrice partenaires", matrix())],
    )


@pytest.fixture(scope="module")
def data() -> bytes:
    return build_workbook(content())


@pytest.fixture(scope="module")
def book(data: bytes) -> OpenpyxlWorkbook:
    return load_workbook(io.BytesIO(data))


def territories(book: OpenpyxlWorkbook) -> dict[str, Any]:
    sheet = book["Revue par contrat"]
    header = [cell.value for cell in sheet[1]]
    return {row[0].value: row[header.index("Territoire")] for row in sheet.iter_rows(min_row=2)}


def test_formula_looking_text_is_stored_as_a_string_cell(book: OpenpyxlWorkbook, data: bytes) -> None:
    cells = territories(book)
    for index, text in enumerate(FORMULA_LOOKING):
        cell = cells[f"cdv-{index}"]
        assert cell.data_type == "s" and cell.value == inert_cell(text), text
    assert cells["cdv-5"].value == "#N/A"  # text, not an error cell
    assert book["Lisez-moi"]["B7"].value == "'=cmd|' /C calc'!A0"
    assert book["Matrice partenaires"]["B3"].value == "'=1+1"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in xml or b"<f " in xml for xml in sheets)


def test_the_writer_itself_never_writes_a_formula() -> None:
    book = Workbook()
    book.add_sheet("Feuille").append(["=1+1", "@A1"])
    sheet = load_workbook(io.BytesIO(book.to_bytes()))["Feuille"]
    assert [(cell.value, cell.data_type) for cell in sheet[1]] == [("=1+1", "s"), ("@A1", "s")]


def test_xml_illegal_characters_dropped_and_markup_kept(book: OpenpyxlWorkbook) -> None:
    cells = territories(book)
    assert cells["cdv-6"].value == MARKUP_KEPT
    assert cells["cdv-7"].value == SPACED  # leading and trailing spaces, line break
    assert cells["cdv-8"].value == "x" * MAX_CELL_TEXT  # cut where a spreadsheet cell ends


def test_numbers_percentages_and_dates_keep_their_formats(book: OpenpyxlWorkbook) -> None:
    sheet = book["Revue par contrat"]
    header = [cell.value for cell in sheet[1]]
    first = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    assert (first["Pages"].value, first["Pages"].number_format) == (1, COUNT_FORMAT)
    assert (first["Part revue"].value, first["Part revue"].number_format) == (0.125, PERCENT_FORMAT)
    assert (first["Score"].value, first["Score"].number_format) == (0.75, DECIMAL_FORMAT)
    assert (first["Écart (points)"].value, first["Écart (points)"].number_format) == (-2.5, POINTS_FORMAT)
    band = first["Bande"]
    assert band.value == "10 à 40 %" and band.fill.fgColor.rgb[-6:].lower() == BAND_COLOURS["10 à 40 %"][1:]
    assert first["Contrat"].font.bold and sheet["A1"].fill.fgColor.rgb[-6:] == "1C2B40" and sheet["A1"].font.bold
    assert sheet["B1"].alignment.wrap_text and sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == f"A1:{column_letter(len(header))}{sheet.max_row}"
    assert sheet[3][header.index("Écart (points)")].value is None  # a missing value is an empty cell
    readme = book["Lisez-moi"]
    assert readme["A1"].font.bold and readme["A1"].font.sz == 14 and readme.row_dimensions[1].height == 22
    assert (readme["B2"].value, readme["B2"].number_format) == (STARTED, DATE_FORMAT)
    assert (readme["B3"].value, readme["B3"].number_format) == (2, COUNT_FORMAT)
    assert (readme["B4"].value, readme["B4"].number_format) == (0.125, PERCENT_FORMAT)
    assert readme.freeze_panes == "A2" and readme.column_dimensions["B"].width == 60


def test_matrix_keeps_vertical_headers_and_bands(book: OpenpyxlWorkbook) -> None:
    sheet = book["Matrice partenaires"]
    assert book.sheetnames == ["Lisez-moi", "Revue par contrat", "Matrice partenaires", "Méthode"]
    assert sheet["D1"].alignment.textRotation == 90 and not sheet["D1"].alignment.wrap_text
    assert sheet["A1"].alignment.textRotation == 0 and sheet.row_dimensions[1].height == 90  # 6 points a character
    assert (sheet["D2"].value, sheet["D2"].fill.fgColor.rgb[-6:]) == ("S", "3F6FB5")
    assert sheet["E3"].value is None
    bands = next(row for row in sheet.iter_rows() if row[0].value == "Bande")
    assert bands[3].value == "plus de 70 %" and bands[3].alignment.textRotation == 90
    assert sheet.row_dimensions[bands[0].row].height == 66


def test_same_content_same_bytes(data: bytes) -> None:
    assert build_workbook(copy.deepcopy(content())) == data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        assert archive.testzip() is None
    assert infos[0].filename == "[Content_Types].xml"
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_dates_as_spreadsheet_serial_numbers() -> None:
    assert datetime_to_serial(datetime(1900, 3, 1)) == 61
    assert datetime_to_serial(datetime(2026, 3, 1, 12)) == 46082.5


def test_style_rejects_a_colour_that_is_not_rrggbb() -> None:
    with pytest.raises(ValueError, match="RRGGBB"):
        Style(fill="#1C2B40")


def test_sheet_titles_checked() -> None:
    book = Workbook()
    book.add_sheet("Preuves")
    with pytest.raises(ValueError, match="duplicate"):
        book.add_sheet("preuves")
    with pytest.raises(ValueError, match="invalid"):
        book.add_sheet("a/b")


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice absent")
def test_libreoffice_reads_the_workbook(data: bytes, tmp_path: Path) -> None:
    source = tmp_path / "rapport.xlsx"
    source.write_bytes(data)
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    rows = list(csv.reader((tmp_path / "rapport-Revue par contrat.csv").open(encoding="utf-8")))
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    assert first["Territoire"] == inert_cell(FORMULA_LOOKING[0])  # shown as text, not evaluated
    assert (first["Pages"], first["Part revue"], first["Score"]) == ("1", "12,5 %", "0,75")
    assert first["Écart (points)"] == "-2,5 pt"
    assert dict(zip(header, rows[7], strict=True))["Territoire"] == MARKUP_KEPT
    readme = list(csv.reader((tmp_path / "rapport-Lisez-moi.csv").open(encoding="utf-8")))
    assert readme[1] == ["Début du run (heure de Paris)", "01/03/2026 14:30"]


def fill(book: Workbook, rows: int) -> None:
    """Two sheets, the first with its size declared and more rows than the writer holds at once."""
    sheet = book.add_sheet("Preuves")
    sheet.freeze, sheet.auto_filter, sheet.size = "B2", f"A1:C{rows + 1}", (rows + 1, 3)
    sheet.append(["Contrat", "Page", "Extrait"], [book.style(Style(bold=True))] * 3)
    for number in range(rows):
        sheet.append([f"cdv-{number}", number, f"« passage {number} » l’État"])
    book.add_sheet("Méthode").append(["Élément", 1.5])


def test_a_workbook_written_while_filled_has_the_bytes_of_one_built_in_memory() -> None:
    """Regression (issue 16): `rapport.xlsx` at 400 contracts held every sheet's text, then its joined and
    encoded copies, then the zip, in memory (~230 MB at its peak)."""
    rows = ROWS_PER_PART * 2 + 7
    in_memory = Workbook()
    fill(in_memory, rows)
    buffer = io.BytesIO()
    streamed = Workbook(buffer, sheet_count=2)
    fill(streamed, rows)
    assert streamed.sheets[0].rows == []  # written into the zip when the next sheet started
    streamed.close()
    assert buffer.getvalue() == in_memory.to_bytes()
    sheet = load_workbook(io.BytesIO(buffer.getvalue()))["Preuves"]
    assert sheet.max_row == rows + 1 and sheet.cell(rows + 1, 3).value == f"« passage {rows - 1} » l’État"


def test_a_streamed_workbook_refuses_a_wrong_size_or_sheet_count() -> None:
    with pytest.raises(ValueError, match="declared"), Workbook(io.BytesIO(), sheet_count=1) as book:
        sheet = book.add_sheet("Feuille")
        sheet.size = (3, 2)
        sheet.append(["a", "b"])
    with pytest.raises(ValueError, match="announced"), Workbook(io.BytesIO(), sheet_count=1) as book:
        book.add_sheet("Une")
        book.add_sheet("Deux")
