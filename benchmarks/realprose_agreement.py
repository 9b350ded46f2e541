"""Agreement between two labellers of the real-prose set: the second labels in `realprose/second/` against the first.

Usage: .venv/bin/python benchmarks/realprose_agreement.py [--second DIR]

Each file of `realprose/second/` is an excerpt of `realprose/documents/` labelled again, blind, by another labeller
who saw the text but not the first labels. Prints, for partners and dispositifs, the entities both labellers list,
those only one lists, the second labeller's precision, recall and F1 against the first (the human ceiling a model
can be expected to reach on the same texts), the disagreements, and a JSON object on the last line. Measured on
2026-12-05 for fresh121 and fresh122 (39 excerpts): partners P 0.982 R 0.957 F1 0.969, dispositifs 22 of 22; and for
fresh123 and fresh124 (39 excerpts): partners P 0.989 R 1.000 F1 0.995 (92, 0, 1), dispositifs 42 of 42; and for
fresh129 and fresh130 (40 excerpts, 2026-12-06): partners 99 of 99, dispositifs P 0.962 R 1.000 (25, 1, 0). Both
labellers are helpers reading one guide and one lexicon: their agreement bounds the labels' consistency, not what
two analysts would agree on.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from realprose.corpus import DOCUMENTS_DIR, RealDocument, load_documents

from pipeline.evaluate import prf

SECOND_DIR = Path(__file__).resolve().parent / "realprose" / "second"
KINDS = ("partners", "dispositifs")


def labelled(doc: RealDocument, kind: str) -> set[str]:
    """The entity ids an excerpt's labels list for one kind."""
    return {p["entity_id"] for p in doc.partners} if kind == "partners" else set(doc.dispositifs)


def agreement(first: list[RealDocument], second: list[RealDocument]) -> dict[str, Any]:
    """Counts, scores and disagreements of the second labels against the first, per kind."""
    by_id = {doc.doc_id: doc for doc in first}
    result: dict[str, Any] = {"excerpts": len(second)}
    for kind in KINDS:
        mine = {(doc.doc_id, entity) for doc in second for entity in labelled(by_id[doc.doc_id], kind)}
        theirs = {(doc.doc_id, entity) for doc in second for entity in labelled(doc, kind)}
        scores = prf(mine, theirs)
        only_first, only_second = mine - theirs, theirs - mine
        disagreements = [
            {
                "excerpt": doc.doc_id,
                "first": sorted(entity for excerpt, entity in only_first if excerpt == doc.doc_id),
                "second": sorted(entity for excerpt, entity in only_second if excerpt == doc.doc_id),
            }
            for doc in second
            if any(excerpt == doc.doc_id for excerpt, _ in only_first | only_second)
        ]
        result[kind] = {
            "both": scores["tp"],
            "only_first": scores["fn"],
            "only_second": scores["fp"],
            "precision": scores["precision"],
            "recall": scores["recall"],
            "f1": scores["f1"],
            "disagreements": disagreements,
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--second", type=Path, default=SECOND_DIR, help="folder of the second labels")
    args = parser.parse_args()
    result = agreement(load_documents(DOCUMENTS_DIR), load_documents(args.second))
    print(f"{result['excerpts']} extraits étiquetés deux fois")
    for kind in KINDS:
        scores = result[kind]
        print(
            f"{kind}: {scores['both']} en commun, {scores['only_first']} seulement dans la première, "
            f"{scores['only_second']} seulement dans la seconde ; P {scores['precision']:.3f} R {scores['recall']:.3f} "
            f"F1 {scores['f1']:.3f}"
        )
        for item in scores["disagreements"]:
            print(f"  {item['excerpt']} : première {item['first']}, seconde {item['second']}")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
