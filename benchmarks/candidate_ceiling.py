"""Where the candidates' recall is lost on real prose: under the candidate model's threshold, or never proposed.

Renders each read part (kept in `--out`), runs `cdv run` with a copy of the committed models whose candidate
threshold is 0 (every proposal is written, with its probability) and scores `candidates.csv` cut at several
thresholds with `cdv evaluate`. The recall at 0 is the proposals' ceiling: no threshold does better, so a recall
bar above it needs new proposals, not a lower threshold. The unseen parts (`UNSEEN_SPLITS`) are refused: running
cdv on them would spend them.

Usage: .venv/bin/python benchmarks/candidate_ceiling.py --out outputs/rp-ceiling [--parts fresh105 fresh106 …]
Prints, per threshold, the recall of the organisations outside the lexicons and the noise names per contract of the
parts together; the last line is a JSON object (per threshold: found, total, recall, noise per contract).
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))

from realprose_errors import PARTS, evaluate_part

from pipeline.cli import main
from pipeline.models import default_models_dir, load_models, save_model

CUTS = (0.0, 0.01, 0.03, 0.1)


def models_without_threshold(folder: Path) -> tuple[Path, float]:
    """A copy of the committed models whose candidate model keeps every proposal; the committed threshold."""
    target = folder / "modeles-seuil-0"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(default_models_dir(), target)
    models = load_models(target)
    if models is None or models.candidate is None:
        raise SystemExit(f"{default_models_dir()} : pas de modèle des candidats.")
    threshold = float(models.candidate.threshold_)
    models.candidate.threshold_ = 0.0
    save_model(models.candidate, target, "candidate")
    return target, threshold


def candidates_at(folder: Path, split: str, cut: float) -> dict[str, Any]:
    """`cdv evaluate`'s candidates score of a part's run whose `candidates.csv` keeps the rows at `cut` or above."""
    run_dir, gold = folder / f"run-{split}", folder / split / "gold.json"
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "run"
        shutil.copytree(run_dir, copy)
        with (run_dir / "candidates.csv").open(encoding="utf-8", newline="") as source:
            reader = csv.DictReader(source)
            rows = [row for row in reader if float(row["probability"]) >= cut]
            fields = reader.fieldnames or []
        with (copy / "candidates.csv").open("w", encoding="utf-8", newline="") as target:
            writer = csv.DictWriter(target, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
        evaluated = CliRunner().invoke(main, ["evaluate", "--gold", str(gold), "--run", str(copy), "--json"])
    if evaluated.exit_code != 0:
        raise SystemExit(evaluated.output)
    result: dict[str, Any] = json.loads(evaluated.output)
    return result["candidates"] | {"n_contracts": result["n_contracts"]}


def pooled(scores: list[dict[str, Any]]) -> dict[str, Any]:
    found, total, noise = (sum(s[key] for s in scores) for key in ("found", "total", "noise"))
    contracts = sum(s["n_contracts"] for s in scores) or 1
    recall = round(found / total, 4) if total else 1.0
    return {"found": found, "total": total, "recall": recall, "noise_per_contract": round(noise / contracts, 2)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="working folder (corpora are kept and reused)")
    parser.add_argument("--parts", nargs="+", default=["fresh105", "fresh106", "fresh107"], choices=PARTS)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    models, committed = models_without_threshold(args.out)
    for part in args.parts:
        evaluate_part(args.out, part, models=models)
    summary: dict[str, Any] = {}
    for cut in sorted({*CUTS, committed}):
        summary[str(cut)] = pooled([candidates_at(args.out, part, cut) for part in args.parts])
        label = "seuil du modèle" if cut == committed else "seuil"
        print(f"{label} {cut:.4f} : {summary[str(cut)]}", flush=True)
    print(json.dumps({"parts": args.parts, "model_threshold": committed, "by_threshold": summary}))
