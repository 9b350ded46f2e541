"""Accuracy floors: a small demo corpus through the whole pipeline, scored against its gold labels.

A regression in extraction, matching or classification makes this fail in CI.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main

pytestmark = pytest.mark.e2e

FLOORS = {
    "partners.f1": 0.95,
    "signatories.f1": 0.90,
    "dispositifs.f1": 0.90,
    "themes.accuracy": 0.80,
}
CEILINGS = {"tables.mean_abs_error_pts": 3.0}


def test_small_demo_corpus_meets_accuracy_floors(tmp_path: Path) -> None:
    runner = CliRunner()
    corpus = tmp_path / "demo"
    generated = runner.invoke(main, ["demo-corpus", "--out", str(corpus), "--n", "6", "--seed", "7"])
    assert generated.exit_code == 0, generated.output
    ran = runner.invoke(
        main, ["run", "--corpus", str(corpus), "--out", str(tmp_path / "run"), "--workspace", str(tmp_path / "ws")]
    )
    assert ran.exit_code == 0, ran.output
    evaluated = runner.invoke(
        main, ["evaluate", "--gold", str(corpus / "gold.json"), "--run", str(tmp_path / "run"), "--json"]
    )
    assert evaluated.exit_code == 0, evaluated.output
    scores = json.loads(evaluated.output)["scores"]
    low = {key: scores[key] for key, floor in FLOORS.items() if scores[key] < floor}
    high = {key: scores[key] for key, ceiling in CEILINGS.items() if scores[key] > ceiling}
    assert not low and not high, f"scores sous le plancher : {low} ; au-dessus du plafond : {high}"
