"""False positives and misses per real-prose part, to work from the data: renders each part once (kept in
`--out`), runs `cdv run` and `cdv evaluate` on it and prints each part's P/R/F1 per kind with its errors.

Usage: .venv/bin/python benchmarks/realprose_errors.py --out outputs/rp-errors [--parts tuning heldout …]
The last line is a JSON object: per part, per kind, precision, recall, F1 and the errors
(contract, entity, kind of error, page, snippet).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))

from realprose.corpus import SPLITS, UNSEEN_SPLITS, build_corpus

from pipeline.cli import main

KINDS = ("partners", "signatories", "dispositifs")
PARTS = tuple(split for split in SPLITS if split not in UNSEEN_SPLITS)  # the read parts


def evaluate_part(folder: Path, split: str, rebuild: bool = False, models: Path | None = None) -> dict[str, Any]:
    """Render `split` into `folder/split` (unless already there), run the pipeline (with the models of `models`, the
    committed ones by default), return `cdv evaluate`'s JSON."""
    corpus = folder / split
    if rebuild or not (corpus / "gold.json").exists():
        shutil.rmtree(corpus, ignore_errors=True)
        build_corpus(corpus, split)
    run_dir = folder / f"run-{split}"
    shutil.rmtree(run_dir, ignore_errors=True)
    runner = CliRunner()
    options = ["--models", str(models)] if models is not None else []
    ran = runner.invoke(
        main,
        ["run", "--corpus", str(corpus), "--out", str(run_dir), "--workspace", str(folder / f"ws-{split}"), *options],
    )
    if ran.exit_code != 0:
        raise SystemExit(ran.output)
    evaluated = runner.invoke(main, ["evaluate", "--gold", str(corpus / "gold.json"), "--run", str(run_dir), "--json"])
    if evaluated.exit_code != 0:
        raise SystemExit(evaluated.output)
    result: dict[str, Any] = json.loads(evaluated.output)
    return result


def part_errors(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Every miss and false positive of one evaluation, sorted by measure, type and contract."""
    errors = [e for errs in result["per_contract"].values() for e in errs["misses"] + errs["false_positives"]]
    return sorted(errors, key=lambda e: (e["measure"], e["type"], e["contract_id"], e["entity_id"]))


def report_part(split: str, result: dict[str, Any]) -> list[str]:
    lines = [
        f"== {split}: "
        + " | ".join(
            f"{kind} P {result[kind]['precision']:.3f} R {result[kind]['recall']:.3f} F1 {result[kind]['f1']:.3f}"
            for kind in KINDS
        )
    ]
    for err in part_errors(result):
        pages = ",".join(str(p) for p in err["pages"]) or "?"
        kind = "FP" if err["type"] == "faux_positif" else "FN"
        lines.append(
            f"  {err['measure'][:5]} {kind} {err['contract_id']:55.55} {err['entity_id']:24} p.{pages} "
            f"{err['snippet'][:110]!r}"
        )
    return lines


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="working folder (corpora are kept and reused)")
    parser.add_argument("--parts", nargs="+", default=list(PARTS), choices=PARTS)
    parser.add_argument("--rebuild", action="store_true", help="render the parts again")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    summary: dict[str, Any] = {}
    for part in args.parts:
        evaluated = evaluate_part(args.out, part, args.rebuild)
        print("\n".join(report_part(part, evaluated)), flush=True)
        summary[part] = {kind: evaluated[kind] for kind in KINDS} | {"errors": part_errors(evaluated)}
    print(json.dumps(summary, ensure_ascii=False))
