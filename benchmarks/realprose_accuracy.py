"""Accuracy on real prose: render the real-prose set, read its parts through `cdv run`, score them with
`cdv evaluate`, measure the mention model's calibration on the unseen parts (`UNSEEN_SPLITS` of
`realprose/corpus.py`), and pool the unseen parts' counts into one line.

Usage: .venv/bin/python benchmarks/realprose_accuracy.py [--out DIR] [--parts tuning fresh3 …]
Prints one line per part (partners, signatories, dispositifs P/R/F1, out-of-lexicon candidates), the F1 gap
between the tuning part and each other part, the reliability table of P(entite) on the unseen part's mentions,
and a JSON object on the last line. The reference is the tuning part, measured in the same run: the gaps say how
much of the tuning part's accuracy carries over to other text. Heldout, blind and fresh to fresh7 were read while
tuning (fresh2 to fresh7 after each was scored once, on 2026-12-01) and every model is trained on them: their
figures here are training figures (out-of-fold ones are in `models/MODEL_CARD.md`). A new part, labelled before
cdv runs on it and listed in `UNSEEN_SPLITS`, is the held-out measure.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))

from realprose.corpus import SPLITS, UNSEEN_SPLITS, build_corpus

from pipeline.cache import extract_with_cache
from pipeline.cli import main
from pipeline.corpus import scan_corpus
from pipeline.lexicon import default_lexicon_dir, load_lexicon
from pipeline.match import load_matcher
from pipeline.models import default_models_dir, load_models
from pipeline.train import load_gold, mention_calibration, prepare
from pipeline.workspace import Workspace

KINDS = ("partners", "signatories", "dispositifs")
PARTS = SPLITS


def score_part(folder: Path, split: str) -> dict[str, Any]:
    """Render one part, run the pipeline on it and evaluate it against its gold."""
    corpus = build_corpus(folder / split, split)
    runner = CliRunner()
    run_dir, workspace = folder / f"run-{split}", folder / f"ws-{split}"
    ran = runner.invoke(main, ["run", "--corpus", str(corpus), "--out", str(run_dir), "--workspace", str(workspace)])
    if ran.exit_code != 0:
        raise SystemExit(ran.output)
    evaluated = runner.invoke(main, ["evaluate", "--gold", str(corpus / "gold.json"), "--run", str(run_dir), "--json"])
    return json.loads(evaluated.output)


def calibration(folder: Path, splits: tuple[str, ...]) -> dict[str, Any]:
    """Brier score and reliability of the mention model on the mentions of some parts, together."""
    lexicon = load_lexicon(default_lexicon_dir())
    models = load_models(default_models_dir())
    prepared = []
    for split in splits:
        workspace = Workspace(folder / f"ws-{split}")
        contracts = [c for c in scan_corpus(folder / split).contracts if not c.duplicate_of]
        documents = [extract_with_cache(c, workspace.page_cache)[0] for c in contracts]
        gold = load_gold(folder / split / "gold.json")
        prepared += prepare(documents, gold, load_matcher(default_lexicon_dir()))
    assert models is not None
    return mention_calibration(prepared, lexicon, models)


def pooled(results: list[dict[str, Any]]) -> dict[str, Any]:
    """One result from several parts' results: P/R/F1 of the summed counts, the candidates' summed counts."""
    out: dict[str, Any] = {}
    for kind in KINDS:
        tp, fp, fn = (sum(r[kind][key] for r in results) for key in ("tp", "fp", "fn"))
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[kind] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}
        out[kind] |= {"tp": tp, "fp": fp, "fn": fn}
    scored = [r["candidates"] for r in results if r.get("candidates")]
    if scored:
        found, total, noise = (sum(c[key] for c in scored) for key in ("found", "total", "noise"))
        contracts = sum(r["n_contracts"] for r in results if r.get("candidates"))
        out["candidates"] = {
            "recall": round(found / total, 4) if total else 1.0,
            "found": found,
            "total": total,
            "noise": noise,
            "noise_per_contract": round(noise / contracts, 2) if contracts else 0.0,
        }
    return out


def line(split: str, result: dict[str, Any]) -> str:
    parts = [
        f"{kind} P {result[kind]['precision']:.3f} R {result[kind]['recall']:.3f} F1 {result[kind]['f1']:.3f}"
        for kind in KINDS
    ]
    candidates = result.get("candidates") or {}
    if candidates:
        parts.append(f"hors lexique rappel {candidates['recall']:.3f} bruit/contrat {candidates['noise_per_contract']}")
    return f"{split:8} " + " | ".join(parts)


def run(folder: Path, parts: tuple[str, ...] = PARTS) -> dict[str, Any]:
    results = {split: score_part(folder, split) for split in dict.fromkeys(("tuning", *parts))}
    for split, result in results.items():
        print(line(split, result))
    gaps = {part: f1_gap(results, part) for part in results if part != "tuning"}
    for part, gap in gaps.items():
        print(f"écart F1 réglage - {part} : " + ", ".join(f"{kind} {value:+.3f}" for kind, value in gap.items()))
    report: dict[str, Any] = {
        "realprose": {
            split: {kind: results[split][kind] for kind in KINDS}
            | {"candidates": _short(results[split].get("candidates"))}
            for split in results
        },
        "gap_f1": gaps,
    }
    unseen = tuple(split for split in UNSEEN_SPLITS if split in results)
    if unseen:
        together = pooled([results[split] for split in unseen])
        print(line("+".join(unseen), together))
        report["unseen"] = {"parts": list(unseen), **together}
        calibrated = calibration(folder, unseen)
        print(
            f"modèle des mentions sur {'+'.join(unseen)} : n {calibrated['n']}, "
            f"Brier {calibrated['brier']}, ECE {calibrated['ece']}"
        )
        for row in calibrated["table"]:
            print(f"  {row['bin']} n {row['n']:4d} prédit {row['mean_predicted']:.3f} observé {row['observed']:.3f}")
        report["mention_calibration_unseen"] = calibrated
    return report


def f1_gap(results: dict[str, Any], part: str) -> dict[str, float]:
    """Tuning F1 minus the F1 of `part`, per kind."""
    return {kind: round(results["tuning"][kind]["f1"] - results[part][kind]["f1"], 4) for kind in KINDS}


def _short(candidates: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (candidates or {}).items() if k not in ("missed", "noisy")}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="working folder (default: a temporary one)")
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS), help="parts to score (with tuning)")
    args = parser.parse_args()
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        report = run(args.out, tuple(args.parts))
    else:
        with tempfile.TemporaryDirectory(prefix="cdv-realprose-") as tmp:
            report = run(Path(tmp), tuple(args.parts))
    print(json.dumps(report, ensure_ascii=False))
