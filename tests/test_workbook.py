"""`rapport.xlsx` laid out for reading: « Lisez-moi » first, the name column first and frozen, headers in French
words, numbers stored as numbers in French formats, dates in Paris time, the matrices, inert text; checked by
opening the file with openpyxl against the CSVs written beside it."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from run_fixture import make_run, write_corpus

from pipeline.lexicon import default_lexicon_dir, load_lexicon
from pipeline.report.publish import MATRIX_SHEETS, SHEETS, publish
from pipeline.report.workbook import COUNT_FORMAT, DATE_FORMAT, PERCENT_FORMAT, french_header

CODE_HEADERS = {"signataire_marque", "dans_lexique", "territory", "status", "pct_revu", "error", "entity_id"}
HOSTILE_TERRITORY = '=HYPERLINK("http://evil.example/","x")'


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("workbook")
    out = make_run(write_corpus(root / "corpus"), root / "run", root / "ws")
    contracts = pd.read_csv(out / "contracts.csv", dtype=str, keep_default_na=False)
    contracts.loc[contracts["contract_id"] == "cdv-b", "territory"] = HOSTILE_TERRITORY
    contracts.to_csv(out / "contracts.csv", index=False)
    publish(out, load_lexicon(default_lexicon_dir()), png=False)
    return out


@pytest.fixture(scope="module")
def book(run: Path) -> Workbook:
    return load_workbook(run / "rapport.xlsx")


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def sheet_rows(book: Workbook, name: str) -> tuple[list[str], list[dict[str, object]]]:
    rows = list(book[name].iter_rows(values_only=True))
    header = [str(cell) for cell in rows[0]]
    return header, [dict(zip(header, row, strict=True)) for row in rows[1:] if any(v is not None for v in row)]


def test_lisez_moi_first_then_tables_matrices_and_method(book: Workbook) -> None:
    names = [name for name, _ in SHEETS]
    cut = names.index("Articulations par thème") + 1
    expected = ["Lisez-moi", *names[:cut], *(name for name, _ in MATRIX_SHEETS), *names[cut:], "Méthode"]
    assert book.sheetnames == expected
    readme = book["Lisez-moi"]
    assert readme["A1"].value.startswith("Contrats de ville") and readme["A1"].font.bold
    labels = [cell.value for cell in readme["A"]]
    for name in expected[1:]:
        assert name in labels, name  # every sheet is described


def test_name_column_first_and_frozen_with_filters(book: Workbook) -> None:
    first = {
        "Partenaires": "Nom",
        "Indicateurs": "Indicateur",
        "Revue par contrat": "Contrat",
        "Départements": "Département",
    }
    for name, _ in SHEETS:
        sheet = book[name]
        assert sheet.freeze_panes == "B2", name
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), name
        assert sheet["A1"].font.bold and sheet["A1"].fill.fgColor.rgb.endswith("1C2B40"), name
        if name in first:
            assert sheet["A1"].value == first[name], name
    header, _ = sheet_rows(book, "Partenaires")
    assert header[-1] == "Identifiant"  # ids go to the end
    assert book["Partenaires"].column_dimensions["A"].width > 20


def test_headers_are_french_words(book: Workbook, run: Path) -> None:
    for name, key in SHEETS:
        header, _ = sheet_rows(book, name)
        columns = read(run / "tables" / f"{key}.csv").columns
        assert sorted(header) == sorted(french_header(c, list(columns)) for c in columns), name
        assert not CODE_HEADERS & set(header), name
        assert all(not re.fullmatch(r"[a-z0-9_]+", h) and "_" not in h for h in header), (name, header)
    header, _ = sheet_rows(book, "Revue par contrat")
    assert {"Territoire", "Lecture", "Part revue", "Erreur", "Pages"} <= set(header)
    header, _ = sheet_rows(book, "Partenaires par thème")
    assert {"Signataire dans le thème", "Thème prévu au lexique"} <= set(header)


def test_numbers_are_numbers_in_french_formats(book: Workbook, run: Path) -> None:
    partners = read(run / "tables" / "partenaires.csv").set_index("entity_name")
    sheet = book["Partenaires"]
    header = [cell.value for cell in sheet[1]]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    caf = rows["Caisse d'allocations familiales"]
    named = caf[header.index("Mentionné (contrats)")]
    share = caf[header.index("Mentionné (part)")]
    assert named.value == int(partners.loc["Caisse d'allocations familiales", "n_mentionne"])
    assert named.number_format == COUNT_FORMAT
    assert share.value == pytest.approx(float(partners.loc["Caisse d'allocations familiales", "pct_mentionne"]) / 100)
    assert share.number_format == PERCENT_FORMAT == '[$-40C]0.0" "%'
    band = caf[header.index("Bande — mentionné")]
    assert band.value in ("10 à 40 %", "40 à 70 %", "plus de 70 %") and band.fill.fgColor.rgb != "00000000"
    review = book["Revue par contrat"]
    header = [cell.value for cell in review[1]]
    for row in review.iter_rows(min_row=2):
        assert isinstance(row[header.index("Pages")].value, int)  # page counts stored as numbers
        assert row[header.index("Lecture")].value == "lu"
    evidence = book["Preuves"]
    header = [cell.value for cell in evidence[1]]
    first = next(evidence.iter_rows(min_row=2, max_row=2))
    assert isinstance(first[header.index("Page")].value, int)
    assert first[header.index("Statut de revue")].value == "automatique"
    assert first[header.index("Rôle")].value in ("signataire", "mentionné", "articulation")


def test_dates_in_paris_time(book: Workbook, run: Path) -> None:
    started = json.loads((run / "run.json").read_text(encoding="utf-8"))["started_at"]
    expected = datetime.fromisoformat(started).astimezone(ZoneInfo("Europe/Paris")).replace(tzinfo=None)
    rows = {row[0].value: row[1] for row in book["Méthode"].iter_rows(min_row=2) if row[0].value}
    cell = rows["Début du run (heure de Paris)"]
    assert cell.value == expected and cell.number_format == DATE_FORMAT
    assert rows["Revue : contrats lus"].value == 4
    assert rows["Version de l'extraction du texte"].value


def test_values_match_the_csvs(book: Workbook, run: Path) -> None:
    indicators = read(run / "tables" / "indicateurs.csv").set_index("indicator_id")
    _, rows = sheet_rows(book, "Indicateurs")
    row = {r["Identifiant de l'indicateur"]: r for r in rows}["gouv_commissions_thematiques"]
    assert row["Contrats comptés"] == int(indicators.loc["gouv_commissions_thematiques", "n"])
    assert row["Valeur publiée (part)"] == pytest.approx(0.30)
    assert "thématique(s)" in str(row["Ce qui est compté"])  # the pattern in words, not a regex
    _, rows = sheet_rows(book, "Partenaires par thème")
    assert {r["Thème"] for r in rows} <= {t.name for t in load_lexicon(default_lexicon_dir()).themes}
    assert {r["Signataire dans le thème"] for r in rows} <= {"oui", "non"}


def test_gap_sheet_lists_every_computable_indicator(book: Workbook) -> None:
    grid = pd.read_csv(default_lexicon_dir() / "indicators.csv", dtype=str, keep_default_na=False)
    computable = set(grid[grid["computable"].isin(["", "yes"])]["id"])
    header, rows = sheet_rows(book, "Écarts avec le rapport")
    assert {"Valeur (part)", "Valeur publiée (part)", "Écart (points)", "Accord avec le rapport"} <= set(header)
    assert {row["Identifiant de l'indicateur"] for row in rows} == computable
    for row in rows:
        if row["Valeur publiée (part)"] is not None and row["Valeur (part)"] is not None:
            gap = row["Valeur (part)"] - row["Valeur publiée (part)"]  # type: ignore[operator]
            assert row["Écart (points)"] == pytest.approx(gap * 100, abs=0.051)
        if row["Valeur (part)"] is None:  # 0/0: sans objet, no gap
            assert row["Statut de revue"] == "sans objet" and row["Écart (points)"] is None


def test_partner_matrix_sheet(book: Workbook, run: Path) -> None:
    sheet = book["Matrice partenaires"]
    assert sheet.freeze_panes == "B2"
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:3] == ["Contrat", "Territoire", "Département"]
    entities = read(run / "contract_entities.csv")
    partners = entities[entities["kind"] == "partenaire"]
    by_contract = {row[0]: row for row in rows[1:] if row[0] and str(row[0]).startswith("cdv-")}
    assert set(by_contract) == {"cdv-a", "cdv-b", "cdv-c", "cdv-d"}
    assert by_contract["cdv-b"][1] == "'" + HOSTILE_TERRITORY  # a territory from the manifest stays inert
    for record in partners.to_dict("records"):
        short = next(h for h in header if h in (record["entity_name"], record["entity_acronym"]))
        expected = "S" if record["signataire"] == "1" else "M"
        assert by_contract[record["contract_id"]][header.index(short)] == expected
    footer = {row[0]: row for row in rows if row[0] in ("Contrats où il est nommé", "Part des contrats", "Bande")}
    column = header.index("ARS")
    assert footer["Contrats où il est nommé"][column] == (partners["entity_id"] == "ars").sum()
    assert footer["Bande"][column] in ("10 à 40 %", "40 à 70 %", "plus de 70 %")


def test_no_cell_is_a_formula(book: Workbook) -> None:
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    _, rows = sheet_rows(book, "Revue par contrat")
    assert {row["Territoire"] for row in rows if row["Contrat"] == "cdv-b"} == {"'" + HOSTILE_TERRITORY}
