"""One path from detections to every published figure, checked on real PDFs through the real `cdv run`:

(a) a member-only signature (a landlord signing under its own name) counts for its group in every table, the
workbook and the review app; (b) every quote in the HTML report, the workbook and `preuves.csv` is on its cited
page (independent extraction: pdftotext); (c) every count of every published table equals the number of
distinct contracts among its evidence rows; (d) `cdv run`, `cdv tables` and the review app's live tables are
identical for the same run and decisions.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from click.testing import CliRunner
from contract_pdf import write_contract
from evidence_check import check_run
from openpyxl import load_workbook
from test_review_support import serve

from pipeline.cli import main
from pipeline.review.app import create_app
from pipeline.review.session import ReviewSession

pytestmark = pytest.mark.e2e

LANDLORD_SIGNATURE = """Les signataires
Fait à Carcassonne, le 29 mars 2024
Pour l'État, le Préfet de l'Aude
Pour Promologis, le Directeur général
Pour la CCI de l'Aude, le Président
Pour France Travail, le Directeur territorial"""
PLAIN_SIGNATURE = """Les signataires
Fait à Nîmes, le 2 avril 2024
Pour l'État, le Préfet du Gard
Pour France Travail, la Directrice territoriale"""
EMPLOYMENT = "Axe emploi\nFrance Travail et la Mission locale accompagnent les demandeurs d'emploi du quartier."
HOUSING = "Cadre de vie\nLes bailleurs sociaux mobilisent l'abattement de TFPB dans le cadre de la GUSP."
NAMED_LANDLORD = "Habitat\nAlogea conduit la réhabilitation de la résidence ; le contrat local de santé est mobilisé."
CORE_COLUMNS = ["entity_id", "n_contracts", "n_signataire", "n_mentionne", "pct_signataire", "pct_mentionne"]
SCHEME_COLUMNS = ["entity_id", "n_contracts", "n_mentionne", "pct_mentionne"]


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def cdv(*args: str) -> None:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("one-path")
    folder = root / "corpus"
    write_contract(
        folder / "aude.pdf", [EMPLOYMENT, "Diagnostic\nLe quartier compte 3 000 habitants."], LANDLORD_SIGNATURE
    )
    write_contract(folder / "gard.pdf", [HOUSING, EMPLOYMENT], PLAIN_SIGNATURE)
    write_contract(folder / "lot.pdf", [NAMED_LANDLORD], PLAIN_SIGNATURE)
    return folder


@pytest.fixture(scope="module")
def run(corpus: Path) -> Path:
    out = corpus.parent / "out"
    cdv("run", "--corpus", str(corpus), "--out", str(out), "--workspace", str(corpus.parent / "ws"), "--sans-ner")
    return out


def test_member_only_signature_counts_for_its_group_everywhere(run: Path) -> None:
    entities = read(run / "contract_entities.csv").set_index(["contract_id", "entity_id"])
    assert entities.loc[("aude", "promologis"), "signataire"] == "1"
    assert entities.loc[("aude", "bailleurs_sociaux"), "signataire"] == "1"
    assert entities.loc[("lot", "bailleurs_sociaux"), "signataire"] == "0"
    assert entities.loc[("aude", "chambres_consulaires"), "signataire"] == "1"
    partners = read(run / "tables" / "partenaires.csv").set_index("entity_id")
    landlords = partners.loc["bailleurs_sociaux"]
    assert (landlords["n_signataire"], landlords["n_mentionne"], landlords["n_contracts"]) == ("1", "3", "3")
    assert landlords["preuves_signataire"] == "aude p. 4"
    by_theme = read(run / "tables" / "partenaires_themes.csv")
    assert int(by_theme[by_theme["entity_id"] == "bailleurs_sociaux"]["n_mentionne"].astype(int).max()) >= 1
    sheet = load_workbook(run / "rapport.xlsx", read_only=True)["Partenaires"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    row = next(r for r in rows if r[header.index("Nom")] == "Bailleurs sociaux")
    assert (row[header.index("Signataire (contrats)")], row[header.index("Mentionné (contrats)")]) == (1, 3)
    with serve(create_app(ReviewSession(run))) as base:
        http = httpx.Client(base_url=base, follow_redirects=True, timeout=30)
        http.post("/nom", data={"nom": "Alice", "suivant": "/"})
        page = http.get("/tables").text
    cells = re.search(r'<tr id="p-bailleurs_sociaux">.*?</tr>', page, re.S)
    assert cells is not None
    assert re.search(r'class="num n-sig">1<', cells.group(0)) and re.search(r'class="num n-men">3<', cells.group(0))


def test_every_quote_is_on_the_page_it_cites(run: Path) -> None:
    report = check_run(run)
    counts: dict[str, dict[str, int]] = report["counts"]  # type: ignore[assignment]
    assert report["n_misplaced"] == 0, report["misplaced"]
    for source in ("html", "csv", "xlsx"):
        assert counts[source]["on_page"] >= 20, (source, counts)
        assert counts[source]["single_page"] == counts[source]["quotes"]
    assert "<mark>Promologis</mark>" in (run / "rapport.html").read_text(encoding="utf-8")


def contracts_in(evidence: str) -> set[str]:
    """The contracts of a `preuves` cell (`cid p. 3, 4 ; other p. 2`)."""
    return {part.rsplit(" p. ", 1)[0] for part in evidence.split(" ; ") if " p. " in part}


def test_every_count_equals_its_distinct_evidence_contracts(run: Path) -> None:
    evidence = read(run / "tables" / "preuves.csv")
    kept = evidence[evidence["status"] != "rejete"]
    for name, measures in (("partenaires", ("signataire", "mentionne")), ("articulations", ("mentionne",))):
        for row in read(run / "tables" / f"{name}.csv").to_dict("records"):
            rows = kept[kept["entity_id"] == row["entity_id"]]
            for measure in measures:
                counted = rows[rows["role"] == "signataire"] if measure == "signataire" else rows
                assert int(row[f"n_{measure}"]) == counted["contract_id"].nunique(), (name, row["entity_id"], measure)
                assert contracts_in(row[f"preuves_{measure}"]) == set(counted["contract_id"])
    checked = 0
    for name in (
        "partenaires_themes",
        "articulations_themes",
        "partenaires_departements",
        "articulations_departements",
    ):
        column = "preuves" if "themes" in name else "preuves_mentionne"
        for row in read(run / "tables" / f"{name}.csv").to_dict("records"):
            assert int(row["n_mentionne"]) == len(contracts_in(row[column])), (name, row)
            checked += 1
    indicator_evidence = read(run / "tables" / "indicateurs_preuves.csv")
    indicator_evidence = indicator_evidence[indicator_evidence["status"] != "rejete"]
    for row in read(run / "tables" / "indicateurs.csv").to_dict("records"):
        if row["calculable"] == "oui" and row["n"] != "":
            rows = indicator_evidence[indicator_evidence["indicator_id"] == row["indicator_id"]]
            assert int(row["n"]) == len(contracts_in(row["preuves"])) <= rows["contract_id"].nunique(), row
            checked += 1
    assert checked > 50


def core(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    frame = frame[columns].astype(str).sort_values("entity_id").reset_index(drop=True)
    return frame.to_dict("records")  # type: ignore[return-value]


def test_run_tables_and_review_app_agree_on_the_same_decisions(run: Path, corpus: Path) -> None:
    session = ReviewSession(run)
    detections = session.detections
    signature = detections[(detections["entity_id"] == "promologis") & (detections["role"] == "signataire")]
    session.decide(str(signature["detection_id"].iloc[0]), "rejeter", "Alice")
    mission = detections[detections["entity_id"] == "mission_locale"]["detection_id"].iloc[0]
    session.decide(str(mission), "role", "Alice", value="signataire")
    session.add_detection("lot", "caf", 2, "Alice", quote="Alogea conduit la réhabilitation")

    live_partners, live_schemes = session.tables()
    cdv("tables", "--run", str(run), "--sans-png")
    tables_partners = read(run / "tables" / "partenaires.csv")
    tables_schemes = read(run / "tables" / "articulations.csv")
    rerun = corpus.parent / "rerun"
    cdv("run", "--corpus", str(corpus), "--out", str(rerun), "--workspace", str(corpus.parent / "ws"), "--sans-ner")
    run_partners = read(rerun / "tables" / "partenaires.csv")
    run_schemes = read(rerun / "tables" / "articulations.csv")

    assert core(live_partners, CORE_COLUMNS) == core(tables_partners, CORE_COLUMNS) == core(run_partners, CORE_COLUMNS)
    assert (
        core(live_schemes, SCHEME_COLUMNS) == core(tables_schemes, SCHEME_COLUMNS) == core(run_schemes, SCHEME_COLUMNS)
    )
    landlords = tables_partners.set_index("entity_id").loc["bailleurs_sociaux"]
    assert (landlords["n_signataire"], landlords["n_mentionne"]) == ("0", "2")  # its only detection in aude
    assert tables_partners.set_index("entity_id").loc["mission_locale", "n_signataire"] == "1"
    assert tables_partners.set_index("entity_id").loc["caf", "n_mentionne"] == "1"
    with (rerun / "contract_entities.csv").open(encoding="utf-8", newline="") as stream:
        assert ("lot", "caf") in {(r["contract_id"], r["entity_id"]) for r in csv.DictReader(stream)}
