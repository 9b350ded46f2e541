"""`rapport.xlsx`: one formatted sheet per table, checked against the CSVs written beside it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from run_fixture import make_run, write_corpus

from pipeline.lexicon import default_lexicon_dir, load_lexicon
from pipeline.report.publish import SHEETS, publish
from pipeline.report.workbook import french_header


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("workbook")
    out = make_run(write_corpus(root / "corpus"), root / "run", root / "ws")
    publish(out, load_lexicon(default_lexicon_dir()), png=False)
    return out


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def sheet_rows(run: Path, name: str) -> tuple[list[str], list[dict[str, object]]]:
    sheet = load_workbook(run / "rapport.xlsx")[name]
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(cell) for cell in rows[0]]
    return header, [dict(zip(header, row, strict=True)) for row in rows[1:]]


def test_sheets_and_formatting(run: Path) -> None:
    book = load_workbook(run / "rapport.xlsx")
    assert book.sheetnames == [name for name, _ in SHEETS] + ["Méthode"]
    for name, _ in SHEETS:
        sheet = book[name]
        assert sheet.freeze_panes == "A2", name
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), name
        assert sheet["A1"].font.bold
    partners = book["Partenaires"]
    header = [cell.value for cell in partners[1]]
    column = header.index("Mentionné (%)") + 1
    assert partners.cell(row=2, column=column).number_format == "0.0 %"
    band_column = header.index("Bande mentionné") + 1
    assert partners.cell(row=2, column=band_column).fill.fgColor.rgb.upper().endswith("3F6FB5")  # plus de 70 %
    assert partners.column_dimensions["B"].width > 10


def test_headers_are_the_csv_columns_in_french(run: Path) -> None:
    for name, key in SHEETS:
        path = run / "tables" / f"{key}.csv"
        header, _ = sheet_rows(run, name)
        assert header == [french_header(c) for c in read(path).columns], name
    header, _ = sheet_rows(run, "Partenaires")
    assert {"Nom", "Sigle", "Signataire (n)", "Signataire (%)", "Mentionné (n)", "Mentionné (%)"} <= set(header)


def test_values_match_the_csvs(run: Path) -> None:
    partners = read(run / "tables" / "partenaires.csv").set_index("entity_id")
    _, rows = sheet_rows(run, "Partenaires")
    by_id = {row["Identifiant"]: row for row in rows}
    for entity_id in ("mission_locale", "ars", "caf"):
        row = by_id[entity_id]
        assert row["Mentionné (n)"] == int(partners.loc[entity_id, "n_mentionne"])
        assert row["Mentionné (%)"] == pytest.approx(float(partners.loc[entity_id, "pct_mentionne"]) / 100)
        assert row["Signataire (n)"] == int(partners.loc[entity_id, "n_signataire"])
    indicators = read(run / "tables" / "indicateurs.csv").set_index("indicator_id")
    _, rows = sheet_rows(run, "Indicateurs")
    row = {r["Indicateur (id)"]: r for r in rows}["gouv_commissions_thematiques"]
    assert row["Contrats comptés (n)"] == int(indicators.loc["gouv_commissions_thematiques", "n"])
    assert row["Valeur publiée (%)"] == pytest.approx(0.30)


def test_gap_sheet_lists_every_computable_indicator(run: Path) -> None:
    grid = pd.read_csv(default_lexicon_dir() / "indicators.csv", dtype=str, keep_default_na=False)
    computable = set(grid[grid["computable"].isin(["", "yes"])]["id"])
    header, rows = sheet_rows(run, "Écarts avec le rapport")
    assert {"Valeur (%)", "Valeur publiée (%)", "Écart (points)", "Accord"} <= set(header)
    assert {row["Indicateur (id)"] for row in rows} == computable
    for row in rows:
        if row["Valeur publiée (%)"] is not None:
            gap = row["Valeur (%)"] - row["Valeur publiée (%)"]  # type: ignore[operator]
            assert row["Écart (points)"] == pytest.approx(gap * 100, abs=0.051)


def test_method_sheet(run: Path) -> None:
    _, rows = sheet_rows(run, "Méthode")
    values = {row["Élément"]: row["Valeur"] for row in rows}
    run_json = pd.read_json(run / "run.json", typ="series")
    assert values["Identifiant du run"] == run_json["run_id"]
    assert values["Version des lexiques"] == run_json["lexicon_version"]
    assert "Version de l'étape extraction" in values
    assert values["Revue : contrats_lus"] == 4
    assert "Intervalle" in values and "Bandes" in values
