"""Time of the candidate stage (`contract_candidates`, what `cdv run` computes per contract for candidates.csv),
against the lexicon matching of the same contracts (`match_document`) in the same run.

Usage: .venv/bin/python benchmarks/candidates_speed.py CORPUS [--workspace WS] [--repeat N] [--models DIR]

CORPUS is a corpus folder (`cdv demo-corpus --out CORPUS`); its pages are read from the workspace's page cache
(filled by `cdv run --corpus CORPUS --workspace WS`, else extracted). NER is read once per contract before the
timing and its entities given back from memory (`ner_memo`, as `cdv run` does for a contract it has read
before), so that the figure is the candidate stage's own work; then once more with NER from scratch
(`seconds_candidates_cold`). Prints one line per measure and, as its LAST line, one JSON object: contracts,
seconds per contract of candidates (best of `--repeat`, CPU time) and of matching, and their ratio.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.cache import extract_with_cache  # noqa: E402
from pipeline.candidates import NerMemo, contract_candidates  # noqa: E402
from pipeline.corpus import scan_corpus  # noqa: E402
from pipeline.lexicon import default_lexicon_dir, load_lexicon  # noqa: E402
from pipeline.match import load_matcher, match_document  # noqa: E402
from pipeline.models import default_models_dir, load_models  # noqa: E402
from pipeline.structure import analyse_structure  # noqa: E402
from pipeline.workspace import Workspace  # noqa: E402


def cpu_seconds(function: object, repeat: int) -> float:
    """The best CPU time of `repeat` calls."""
    assert callable(function)
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        function()
        best = min(best, time.process_time() - start)
    return best


def run(corpus: Path, workspace: Path, repeat: int, models_dir: Path) -> dict[str, float]:
    lexicon = load_lexicon(default_lexicon_dir())
    matcher = load_matcher(default_lexicon_dir())
    models = load_models(models_dir)
    cache = Workspace(workspace).page_cache
    contracts = [c for c in scan_corpus(corpus).contracts if not c.duplicate_of]
    documents = [d for d in (extract_with_cache(c, cache)[0] for c in contracts) if d.ok]
    totals: dict[str, float] = defaultdict(float)
    for document in documents:
        hits = match_document(matcher, document)
        signed = frozenset(analyse_structure(document, lexicon, models).signature_pages)
        memo: NerMemo = {}
        start = time.process_time()
        contract_candidates(document, hits, lexicon, signed, True, memo, models)
        totals["candidates_cold"] += time.process_time() - start
        totals["candidates"] += cpu_seconds(
            lambda d=document, h=hits, s=signed, m=memo: contract_candidates(d, h, lexicon, s, True, m, models),
            repeat,
        )
        totals["matching"] += cpu_seconds(lambda d=document: match_document(matcher, d), repeat)
    n = max(len(documents), 1)
    result = {
        "contracts": len(documents),
        "seconds_candidates": round(totals["candidates"] / n, 4),
        "seconds_candidates_cold": round(totals["candidates_cold"] / n, 4),
        "seconds_matching": round(totals["matching"] / n, 4),
    }
    ratio = result["seconds_candidates"] / max(result["seconds_matching"], 1e-9)
    result["ratio_candidates_to_matching"] = round(ratio, 3)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--workspace", type=Path, default=ROOT / "outputs")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--models", type=Path, default=default_models_dir())
    args = parser.parse_args()
    report = run(args.corpus, args.workspace, args.repeat, args.models)
    print(f"{report['contracts']} contrats")
    print(f"candidats : {report['seconds_candidates']} s de calcul par contrat (NER déjà lue)")
    print(f"candidats avec NER : {report['seconds_candidates_cold']} s par contrat")
    print(f"repérage des lexiques (référence) : {report['seconds_matching']} s par contrat")
    print(json.dumps(report, ensure_ascii=False))
