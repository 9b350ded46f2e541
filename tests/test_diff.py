"""`cdv diff`: entities gained or lost per contract, roles changed, table cells moved."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from run_fixture import copy_run, make_run, write_corpus

from pipeline.cli import main
from pipeline.diff import DIFF_COLUMNS, diff_runs
from pipeline.lexicon import default_lexicon_dir, load_lexicon
from pipeline.report.publish import publish


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("diff")
    before = make_run(write_corpus(root / "corpus"), root / "before", root / "ws")
    publish(before, load_lexicon(default_lexicon_dir()), png=False)
    after = copy_run(before, root / "after")
    detections = pd.read_csv(after / "detections_auto.csv", dtype=str, keep_default_na=False)
    lost = (detections["contract_id"] == "cdv-a") & (detections["entity_id"] == "mission_locale")
    signing = (detections["contract_id"] == "cdv-b") & (detections["role"] == "signataire")
    detections.loc[signing, "role"] = "mentionne"
    gained = detections.iloc[[0]].copy()
    gained[["contract_id", "entity_id", "entity_name", "detection_id"]] = ["cdv-c", "ademe", "ADEME", "nouveau"]
    gained[["kind", "role"]] = ["partenaire", "mentionne"]
    pd.concat([detections[~lost], gained]).to_csv(after / "detections_auto.csv", index=False)
    publish(after, load_lexicon(default_lexicon_dir()), png=False)
    return before, after


def test_diff_finds_gains_losses_roles_and_cells(runs: tuple[Path, Path]) -> None:
    diff = diff_runs(*runs)
    assert list(diff.columns) == DIFF_COLUMNS
    lost = diff[diff["type"] == "perdu"]
    assert set(zip(lost["contract_id"], lost["entity_id"], strict=True)) == {("cdv-a", "mission_locale")}
    gained = diff[diff["type"] == "gagne"]
    assert set(zip(gained["contract_id"], gained["entity_id"], strict=True)) == {("cdv-c", "ademe")}
    roles = diff[diff["type"] == "role"]
    assert set(roles["contract_id"]) == {"cdv-b"}
    assert set(roles["avant"]) == {"signataire"} and set(roles["apres"]) == {"mentionne"}
    cells = diff[diff["type"] == "cellule"]
    moved = cells[(cells["table"] == "partenaires.csv") & (cells["entity_id"] == "mission_locale")]
    assert set(moved["field"]) >= {"n_mentionne", "pct_mentionne"}
    assert moved[moved["field"] == "n_mentionne"].iloc[0][["avant", "apres"]].tolist() == ["3", "2"]


def test_same_run_has_no_difference(runs: tuple[Path, Path]) -> None:
    assert diff_runs(runs[0], runs[0]).empty


def test_cdv_diff_command(runs: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "diff.csv"
    result = CliRunner().invoke(main, ["diff", str(runs[0]), str(runs[1]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Entités gagnées : 1 ; perdues : 1" in result.output
    assert len(pd.read_csv(out)) == len(diff_runs(*runs))
    missing = CliRunner().invoke(main, ["diff", str(runs[0]), str(tmp_path / "absent")])
    assert missing.exit_code == 1 and "Erreur :" in missing.output
