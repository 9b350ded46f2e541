"""Publication of a run: tables rebuilt from stored detections and decisions, honest figures, `cdv tables`."""

from __future__ import annotations

import shutil
import time
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

import pandas as pd
import pytest
from click.testing import CliRunner
from run_fixture import copy_run, make_run, write_corpus

from pipeline.cli import main
from pipeline.lexicon import default_lexicon_dir, load_lexicon
from pipeline.report import publish as publish_module
from pipeline.report.figures import Evidence, band, compute_figure
from pipeline.report.publish import TABLE_FILES, publish, republish
from pipeline.runfolder import read_marker, write_marker

DESIGN_PARTNER_COLUMNS = [
    "entity_id",
    "entity_name",
    "entity_acronym",
    "n_contracts",
    "n_signataire",
    "pct_signataire",
    "n_mentionne",
    "pct_mentionne",
]
DESIGN_SCHEME_COLUMNS = [
    "entity_id",
    "entity_name",
    "entity_acronym",
    "scope",
    "n_contracts",
    "n_mentionne",
    "pct_mentionne",
]


@pytest.fixture(scope="module")
def base_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("publish")
    return make_run(write_corpus(root / "corpus"), root / "run", root / "ws")


@pytest.fixture()
def run(base_run: Path, tmp_path: Path) -> Path:
    return copy_run(base_run, tmp_path / "run")


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_bands_follow_the_report() -> None:
    assert [band(p) for p in (0.5, 9.9, 10, 39.9, 40, 69.9, 70, 100)] == [
        "moins de 10 %",
        "moins de 10 %",
        "10 à 40 %",
        "10 à 40 %",
        "40 à 70 %",
        "40 à 70 %",
        "plus de 70 %",
        "plus de 70 %",
    ]


def test_interval_coverage_and_unread_flag() -> None:
    evidence = [
        Evidence("A", 3, "auto", 0.95),
        Evidence("B", 4, "auto", 0.6),
        Evidence("C", 5, "valide", 0.6),
        Evidence("D", 2, "rejete", 0.95),
    ]
    figure = compute_figure(evidence, ["A", "B", "C", "D", "E"], {"E": 2, "A": 1})
    assert (figure.n, figure.denominator, figure.n_min, figure.n_max) == (3, 5, 2, 4)
    assert figure.coverage == pytest.approx(0.5)
    assert figure.status == "partiellement revu"
    assert figure.unread_contracts == 1  # E is not counted and has unread pages; A is counted
    assert figure.evidence_text() == "A p. 3 ; B p. 4 ; C p. 5"


def test_publish_writes_every_file_and_keeps_the_contract_columns(run: Path) -> None:
    started = time.perf_counter()
    summary = publish(run, load_lexicon(default_lexicon_dir()))
    assert time.perf_counter() - started < 60
    for name in ["contract_entities.csv", *TABLE_FILES.values(), "rapport.xlsx", "rapport.html", "publication.json"]:
        assert (run / name).exists(), name
    partners = read(run / "tables" / "partenaires.csv")
    schemes = read(run / "tables" / "articulations.csv")
    assert partners.columns[: len(DESIGN_PARTNER_COLUMNS) + 1].tolist()[:3] == DESIGN_PARTNER_COLUMNS[:3]
    assert set(DESIGN_PARTNER_COLUMNS) <= set(partners.columns)
    assert set(DESIGN_SCHEME_COLUMNS) <= set(schemes.columns)
    assert {
        "bande_mentionne",
        "pct_min_mentionne",
        "pct_max_mentionne",
        "couverture_revue_mentionne",
        "statut_mentionne",
        "contrats_illisibles_mentionne",
        "preuves_mentionne",
    } <= set(partners.columns)
    ft = partners.set_index("entity_id").loc["mission_locale"]
    assert (ft["n_mentionne"], ft["n_contracts"], ft["pct_mentionne"]) == ("3", "4", "75.0")
    assert ft["bande_mentionne"] == "plus de 70 %"
    assert ft["preuves_mentionne"].startswith("cdv-a p. ")
    clspd = schemes.set_index("entity_id").loc["clspd"]
    assert clspd["n_mentionne"] == "3"
    assert summary.review.contrats_lus == 4
    charts = sorted(p.name for p in (run / "charts").iterdir())
    assert "partenaires_sante.svg" in charts and "partenaires_sante.png" in charts
    assert "articulations_securite.svg" in charts and "articulations_securite.png" in charts


def test_theme_department_and_indicator_tables(run: Path) -> None:
    publish(run, load_lexicon(default_lexicon_dir()))
    by_theme = read(run / "tables" / "partenaires_themes.csv")
    ars = by_theme[(by_theme["entity_id"] == "ars") & (by_theme["theme_id"] == "sante")].iloc[0]
    assert (ars["n_mentionne"], ars["n_contracts"]) == ("2", "4")
    schemes_theme = read(run / "tables" / "articulations_themes.csv")
    assert {"Droit commun", "Dispositifs politique de la ville"} >= set(schemes_theme["famille"])
    departments = read(run / "tables" / "departements.csv")
    assert departments.set_index("department").loc["Gard", "n_contrats_lus"] == "2"
    by_dept = read(run / "tables" / "articulations_departements.csv")
    assert (
        by_dept[(by_dept["department"] == "Aude") & (by_dept["entity_id"] == "cls_sante")].iloc[0]["n_mentionne"] == "2"
    )
    indicators = read(run / "tables" / "indicateurs.csv").set_index("indicator_id")
    lexicon_ids = pd.read_csv(default_lexicon_dir() / "indicators.csv", dtype=str)["id"].tolist()
    assert sorted(indicators.index) == sorted(lexicon_ids)
    computable = indicators[indicators["calculable"] == "oui"]
    assert (computable["denominateur"] != "").all()
    assert (indicators[indicators["calculable"] == "non"]["statut"] == "manuel à saisir").all()
    # "Commissions thématiques" is a text cue present in the three contracts with the governance page
    assert (
        indicators.loc["gouv_commissions_thematiques", "n"],
        indicators.loc["gouv_commissions_thematiques", "denominateur"],
    ) == ("3", "4")
    evidence = read(run / "tables" / "indicateurs_preuves.csv")
    assert set(evidence[evidence["indicator_id"] == "gouv_commissions_thematiques"]["contract_id"]) == {
        "cdv-a",
        "cdv-b",
        "cdv-d",
    }
    gaps = read(run / "tables" / "ecarts_rapport.csv")
    assert len(gaps) == len(computable)


def decide_mission_locale(detections: pd.DataFrame, workspace: object, run_dir: object = None) -> pd.DataFrame:
    """Reviewer decisions: the Mission locale rejected in cdv-a, confirmed elsewhere."""
    detections = detections.copy()
    ft = detections["entity_id"] == "mission_locale"
    detections.loc[ft & (detections["contract_id"] == "cdv-a"), "status"] = "rejete"
    detections.loc[ft & (detections["contract_id"] != "cdv-a"), "status"] = "valide"
    return detections


def test_decisions_change_the_figures_and_their_review_state(run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pipeline.review.apply.apply_decisions", decide_mission_locale)
    publish(run, load_lexicon(default_lexicon_dir()))
    ft = read(run / "tables" / "partenaires.csv").set_index("entity_id").loc["mission_locale"]
    assert ft["n_mentionne"] == "2"
    assert ft["statut_mentionne"] == "revu"
    assert float(ft["couverture_revue_mentionne"]) == 1.0
    entities = read(run / "contract_entities.csv")
    assert not ((entities["contract_id"] == "cdv-a") & (entities["entity_id"] == "mission_locale")).any()


def test_unread_pages_flag_figures(run: Path) -> None:
    contracts = read(run / "contracts.csv")
    contracts.loc[contracts["contract_id"] == "cdv-c", "pages_unread"] = "2"
    contracts.to_csv(run / "contracts.csv", index=False)
    publish(run, load_lexicon(default_lexicon_dir()))
    ft = read(run / "tables" / "partenaires.csv").set_index("entity_id").loc["mission_locale"]
    assert ft["contrats_illisibles_mentionne"] == "1"  # cdv-c does not name France Travail but has unread pages
    assert (ft["n_mentionne"], ft["n_max_mentionne"], ft["pct_max_mentionne"]) == ("3", "4", "100.0")


def test_cdv_tables_command(run: Path) -> None:
    result = CliRunner().invoke(main, ["tables", "--run", str(run), "--sans-png"])
    assert result.exit_code == 0, result.output
    assert "Contrats lus : 4 sur 4" in result.output
    assert (run / "rapport.html").exists()
    help_text = CliRunner().invoke(main, ["tables", "--help"]).output
    assert "Exemple : cdv tables --run outputs/latest" in help_text


def test_cdv_tables_refuses_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["tables", "--run", str(tmp_path)])
    assert result.exit_code == 1
    assert "Erreur :" in result.output and "run.json" in result.output


def test_contract_indicators_feed_the_review_of_indicators(run: Path) -> None:
    from pipeline.review.indicators import auto_values

    publish(run, load_lexicon(default_lexicon_dir()), png=False)
    run_dir = run
    frame = pd.read_csv(run_dir / "contract_indicators.csv", dtype=str, keep_default_na=False)
    assert list(frame.columns) == ["contract_id", "indicator_id", "value", "evidence"]
    assert set(frame["value"]) <= {"oui", "non"}
    indicators = pd.read_csv(run_dir / "tables" / "indicateurs.csv", dtype=str, keep_default_na=False)
    computable = indicators[indicators["calculable"] == "oui"].set_index("indicator_id")
    counted = frame[frame["value"] == "oui"].groupby("indicator_id").size()
    for indicator_id, n in counted.items():
        assert int(computable.loc[indicator_id, "n"]) == n
    values = auto_values(run_dir)
    assert len(values) == len(frame)


def test_reviewers_indicator_values_change_the_grid(run: Path, tmp_path: Path) -> None:
    from pipeline.lexicon import load_lexicon
    from pipeline.review.store import DecisionStore
    from pipeline.workspace import Workspace

    lexicon = load_lexicon(default_lexicon_dir())
    manual = next(i.indicator_id for i in lexicon.indicators if i.computable != "yes")
    computable = next(i for i in lexicon.indicators if i.computable == "yes" and i.denominator == "all")
    contracts = read(run / "contracts.csv")
    read_ids = sorted(contracts.loc[contracts["status"] == "ok", "contract_id"])
    space = Workspace(tmp_path / "ws-indicateurs")
    store = DecisionStore(space)
    store.record_indicator(read_ids[0], manual, "oui", "", False, "vu p. 3", "Alice")
    store.record_indicator(read_ids[1], manual, "non", "", False, "", "Alice")
    store.record_indicator(read_ids[0], computable.indicator_id, "oui", "", False, "", "Alice")
    store.record_indicator(read_ids[1], computable.indicator_id, "sans_objet", "", False, "", "Alice")
    publish(run, load_lexicon(default_lexicon_dir()), workspace=space, png=False)
    grid = read(run / "tables" / "indicateurs.csv").set_index("indicator_id")
    assert grid.loc[manual, ["n", "denominateur", "pct", "statut"]].tolist() == ["1", "2", "50.0", "revu"]
    assert grid.loc[computable.indicator_id, "denominateur"] == str(len(read_ids) - 1)
    assert int(grid.loc[computable.indicator_id, "n"]) >= 1


def test_a_new_run_folder_takes_the_unchanged_charts_of_the_one_it_replaces(
    run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staged = copy_run(run, tmp_path / "staged")
    shutil.rmtree(staged / "charts")
    lexicon = load_lexicon(default_lexicon_dir())
    monkeypatch.setattr(publish_module, "chart_to_png", lambda chart: pytest.fail(f"{chart.chart_id} redrawn"))
    monkeypatch.chdir(run.parent)  # `cdv run --out run`: the folder replaced is named relative to the current one

    publish(staged, lexicon, previous=Path(run.name))

    drawn = sorted((run / "charts").glob("*.png"))
    assert drawn and [png.read_bytes() for png in drawn] == [(staged / "charts" / p.name).read_bytes() for p in drawn]


def test_a_chart_png_cdv_did_not_write_is_drawn_again(run: Path, tmp_path: Path) -> None:
    staged = copy_run(run, tmp_path / "staged")
    shutil.rmtree(staged / "charts")
    stranger = sorted((run / "charts").glob("*.png"))[0]
    marker = read_marker(run)
    assert marker is not None
    write_marker(run, replace(marker, files=tuple(f for f in marker.files if f != f"charts/{stranger.name}")))
    stranger.write_bytes(b"not a chart")

    publish(staged, load_lexicon(default_lexicon_dir()), previous=run)

    assert (staged / "charts" / stranger.name).read_bytes().startswith(b"\x89PNG")


def test_interrupted_regeneration_leaves_the_previous_publication_whole(
    run: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: `cdv tables` (or the review app's regeneration) stopped between two files left the tables of
    two publications side by side in the run folder."""
    (run / "notes.txt").write_text("mes notes", encoding="utf-8")
    before = {p.relative_to(run): p.read_bytes() for p in sorted(run.rglob("*")) if p.is_file()}
    monkeypatch.setattr("pipeline.review.apply.apply_decisions", decide_mission_locale)
    write_workbook = publish_module.write_workbook

    def stopped(content: object, stream: BinaryIO) -> None:
        stream.write(b"PK\x03\x04")  # stopped halfway through the workbook
        raise KeyboardInterrupt

    monkeypatch.setattr(publish_module, "write_workbook", stopped)  # after the CSV tables are written
    with pytest.raises(KeyboardInterrupt):
        republish(run, load_lexicon(default_lexicon_dir()))
    assert {p.relative_to(run): p.read_bytes() for p in sorted(run.rglob("*")) if p.is_file()} == before
    assert sorted(p.name for p in run.parent.iterdir()) == ["run"]

    killed = run.parent / ".run.staging-0123abcd"  # what a kill -9 during a regeneration leaves
    (killed / "tables").mkdir(parents=True)
    (killed / "tables" / "partenaires.csv").write_text("entity_id\n", encoding="utf-8")
    monkeypatch.setattr(publish_module, "write_workbook", write_workbook)
    summary = republish(run, load_lexicon(default_lexicon_dir()))
    ft = read(run / "tables" / "partenaires.csv").set_index("entity_id").loc["mission_locale"]
    assert ft["n_mentionne"] == "2"
    assert (run / "notes.txt").read_text(encoding="utf-8") == "mes notes"
    marker = read_marker(run)
    assert marker is not None and set(summary.files) <= set(marker.files) and "notes.txt" not in marker.files
    assert sorted(p.name for p in run.parent.iterdir()) == ["run"]
