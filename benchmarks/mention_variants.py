"""Out-of-fold comparison of ways to decide partner presence from candidate mentions, on the training corpora.

Usage: .venv/bin/python benchmarks/mention_variants.py --out DIR [--variants base mil30 mil50 stack deps]

Renders the demo corpus (seed 2024) and every real-prose part but the unseen ones into `--out` (a part already
rendered there is reused), builds the mention examples as `cdv train` does, and scores each variant at contract level,
out of fold (folds group the mentions of one contract), on the real-prose partners:
- `base`: the committed training: every mention of an entity the gold lists is a positive (`train.mention_label`);
- `mil30`, `mil50`: multiple-instance refinement: in a contract whose gold lists the entity and where one of its
  mentions reaches 0.8 out of fold, the mentions under 0.3 (0.5) are dropped from training, refined inside each
  outer fold from an inner out-of-fold pass (generic mentions of a present entity stop teaching the entity);
- `stack`: a contract-level logistic regression over the bag of out-of-fold mention probabilities (max, second,
  mean, counts, entity, signature, method, document size) instead of « the best mention reaches the threshold »;
- `deps`: the mention model with spaCy dependency features added (relation, governing word and verb).
Prints per variant P/R/F1 at 0.75, 0.8 and 0.85 and the threshold `cdv train` would choose, then a JSON object on
the last line; the reference is `base`, measured in the same run. Results of 2026-12-05 (committed models of ed9c086,
training parts through fresh120, 34,505 mentions): at 0.8 base P 0.948 R 0.902 F1 0.924, mil30 0.923, mil50 0.923,
deps 0.924; best of each curve base 0.927 (0.75), stack 0.927 (0.5), deps 0.928 (0.75): no variant moves the
frontier, so none was adopted.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from realprose.corpus import SPLITS, UNSEEN_SPLITS, build_corpus

import pipeline.sense as sense
from pipeline.acceptance_training import (
    MentionExamples,
    choose_thresholds,
    contract_maxima,
    out_of_fold_probabilities,
    scores_at,
)
from pipeline.cache import extract_with_cache
from pipeline.corpus import scan_corpus
from pipeline.demo import ensure_demo_corpus
from pipeline.lexicon import default_lexicon_dir, load_lexicon
from pipeline.match import LOOSE_METHODS, load_matcher
from pipeline.models import Models, default_models_dir
from pipeline.train import at_run_time, load_gold, mention_examples, prepare
from pipeline.workspace import Workspace

THRESHOLDS = (0.75, 0.8, 0.85)
CARRIED = 0.8  # a bag whose best mention reaches this is carried by it
FREQUENT = ("etat", "conseil_regional", "conseil_departemental", "education_nationale", "centres_sociaux")


def training_examples(out: Path) -> MentionExamples:
    """The mention examples of the demo corpus and the real-prose training parts, as `cdv train` builds them."""
    corpora = [ensure_demo_corpus(out / "demo2024", n=40, seed=2024)]
    for split in SPLITS:
        if split in UNSEEN_SPLITS:
            continue
        if not (out / split / "gold.json").exists():
            build_corpus(out / split, split)
        corpora.append(out / split)
    lexicon, matcher, models = (
        load_lexicon(default_lexicon_dir()),
        load_matcher(default_lexicon_dir()),
        committed_models(),
    )
    workspace = Workspace(out / "ws")
    prepared = []
    for corpus in corpora:
        contracts = [c for c in scan_corpus(corpus).contracts if not c.duplicate_of]
        documents = [extract_with_cache(c, workspace.page_cache)[0] for c in contracts]
        prepared += prepare([d for d in documents if d.ok], load_gold(corpus / "gold.json"), matcher)
    contracts = at_run_time(prepared, lexicon, Models(theme=models.theme, candidate=models.candidate))
    return mention_examples(contracts, lexicon, Models(theme=models.theme, sense=models.sense))


def committed_models() -> Models:
    """The committed models (their theme, sense and candidate models shape the examples, as at run time)."""
    from pipeline.models import load_models

    models = load_models(default_models_dir())
    if models is None:
        raise SystemExit("aucun modèle dans models/")
    return models


def refined_probabilities(examples: MentionExamples, cut: float) -> list[float]:
    """Out-of-fold P(entite) of a mention model trained with the multiple-instance refinement (see the module)."""
    from sklearn.model_selection import GroupKFold

    probabilities = [0.0] * len(examples.mentions)
    indices = list(range(len(examples.mentions)))
    for train, test in GroupKFold(n_splits=3).split(indices, groups=examples.contracts):
        inner = subset(examples, list(train))
        inner_p = out_of_fold_probabilities(inner, sense.fit_mention_model, ([], []))
        keep = refined_indices(inner, inner_p, cut)
        model = sense.fit_mention_model([inner.mentions[i] for i in keep], [inner.labels[i] for i in keep])
        tested = [examples.mentions[i] for i in test]
        for i, p in zip(test, sense.entity_probabilities(model, tested), strict=True):
            probabilities[i] = p
    return probabilities


def subset(examples: MentionExamples, indices: list[int]) -> MentionExamples:
    """The examples at `indices`, with every contract's gold kept."""
    part = MentionExamples(present=examples.present, demo=examples.demo, gold_counts=examples.gold_counts)
    part.named_outside = examples.named_outside
    part.mentions = [examples.mentions[i] for i in indices]
    part.labels = [examples.labels[i] for i in indices]
    part.contracts = [examples.contracts[i] for i in indices]
    return part


def refined_indices(examples: MentionExamples, probabilities: list[float], cut: float) -> list[int]:
    """The examples kept: all but the positives under `cut` in a real-prose bag carried by another mention."""
    bags: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (mention, label, contract) in enumerate(
        zip(examples.mentions, examples.labels, examples.contracts, strict=True)
    ):
        if label == sense.ENTITY_SENSE and not examples.demo[contract]:
            bags[(contract, mention.entity_id)].append(i)
    dropped = {
        i
        for members in bags.values()
        if len(members) > 1 and max(probabilities[i] for i in members) >= CARRIED
        for i in members
        if probabilities[i] < cut
    }
    return [i for i in range(len(examples.mentions)) if i not in dropped]


def dependency_probabilities(examples: MentionExamples) -> list[float]:
    """Out-of-fold P(entite) with the dependency features of each mention added to its features."""
    import spacy

    nlp = spacy.load("fr_core_news_sm", disable=["ner"])
    texts, spans = [], []
    for mention in examples.mentions:
        left = mention.left[-150:]
        texts.append(left + mention.surface + mention.right[:150])
        spans.append((len(left), len(left) + len(mention.surface)))
    extra = {
        m: dependency_features(doc, span)
        for m, doc, span in zip(examples.mentions, nlp.pipe(texts), spans, strict=True)
    }
    plain = sense.mention_features
    sense.mention_features = lambda m: {**plain(m), **extra.get(m, {})}  # type: ignore[assignment]
    try:
        return out_of_fold_probabilities(examples, sense.fit_mention_model, ([], []))
    finally:
        sense.mention_features = plain  # type: ignore[assignment]


def dependency_features(doc: Any, span: tuple[int, int]) -> dict[str, float]:
    """The mention's relation to its governor, the governor's lemma and the verb above it."""
    tokens = [t for t in doc if t.idx < span[1] and t.idx + len(t) > span[0]]
    if not tokens:
        return {}
    inside = {t.i for t in tokens}
    root = next((t for t in tokens if t.head.i not in inside or t.head.i == t.i), tokens[0])
    features = {f"dep={root.dep_}": 1.0, f"dep_head={root.dep_}:{root.head.pos_}": 1.0}
    if root.head.i != root.i:
        features[f"gov={root.dep_}:{root.head.lemma_.lower()}"] = 1.0
        verb, hops = root.head, 0
        while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i and hops < 3:
            verb, hops = verb.head, hops + 1
        if verb.pos_ in ("VERB", "AUX"):
            features[f"verb={verb.lemma_.lower()}"] = 1.0
    return features


def stacked_scores(examples: MentionExamples, probabilities: list[float]) -> dict[str, Any]:
    """Contract-level P/R/F1 of a logistic regression over each (contract, entity) bag, out of fold by contract."""
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    bags: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (mention, contract) in enumerate(zip(examples.mentions, examples.contracts, strict=True)):
        if mention.kind == "partenaire" and mention.entity_id not in examples.named_outside.get(contract, set()):
            bags[(contract, mention.entity_id)].append(i)
    size: dict[str, int] = defaultdict(int)
    for contract in examples.contracts:
        size[contract] += 1
    keys = list(bags)
    rows = [bag_features(examples, probabilities, bags[key], size[key[0]]) for key in keys]
    truth = np.array([int(entity in examples.present[contract]) for contract, entity in keys])
    x = DictVectorizer(sparse=False).fit_transform(rows)
    predicted = np.zeros(len(keys))
    for train, test in GroupKFold(n_splits=5).split(x, truth, [c for c, _ in keys]):
        model = LogisticRegression(C=1.0, max_iter=5000).fit(x[train], truth[train])
        predicted[test] = model.predict_proba(x[test])[:, 1]
    prose = np.array([not examples.demo[c] for c, _ in keys])
    gold = examples.gold_counts.get((False, "partenaire"), 0)
    result = {}
    for threshold in (0.5, 0.6, 0.7):
        kept = (predicted >= threshold) & prose
        tp, fp = int((kept & (truth == 1)).sum()), int((kept & (truth == 0)).sum())
        result[str(threshold)] = prf(tp, fp, gold)
    return result


def bag_features(examples: MentionExamples, probabilities: list[float], members: list[int], size: int) -> dict:
    """What the stacked model reads of one bag of mentions."""
    import math

    ranked = sorted((probabilities[i] for i in members), reverse=True)
    mentions = [examples.mentions[i] for i in members]
    entity = mentions[0].entity_id if mentions[0].entity_id in FREQUENT else "autre"
    features = {
        "max": ranked[0],
        "second": ranked[1] if len(ranked) > 1 else 0.0,
        "mean": sum(ranked) / len(ranked),
        "count": math.log1p(len(ranked)),
        "count80": math.log1p(sum(p >= CARRIED for p in ranked)),
        "signature": float(any(m.in_signature for m in mentions)),
        "loose_only": float(all(m.method in LOOSE_METHODS for m in mentions)),
        "prefet": float(any(re.search(r"pr[ée]f", m.surface, re.I) for m in mentions)),
        "document": math.log1p(size),
        f"entity={entity}": 1.0,
    }
    return features | {f"max|{entity}": ranked[0], f"count80|{entity}": features["count80"]}


def prf(tp: int, fp: int, gold: int) -> dict[str, float]:
    """Precision, recall and F1 from counts."""
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / gold if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "tp": tp, "fp": fp}


def threshold_scores(examples: MentionExamples, probabilities: list[float]) -> dict[str, Any]:
    """Real-prose partners at fixed thresholds and at the threshold `cdv train` would choose; demo partners at 0.8."""
    maxima = contract_maxima(probabilities, examples)
    scores: dict[str, Any] = {str(t): scores_at(t, maxima, examples, "partenaire", demo=False) for t in THRESHOLDS}
    _, report = choose_thresholds(probabilities, examples)
    scores["chosen"] = {"threshold": report["partenaire"]["threshold"]}
    scores["chosen"] |= report["partenaire"]["prose_with_entity_thresholds"]
    scores["demo_0.8"] = scores_at(0.8, maxima, examples, "partenaire", demo=True)
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, required=True, help="folder for the rendered corpora (reused)")
    parser.add_argument("--variants", nargs="+", default=["base", "mil30", "mil50", "stack", "deps"])
    args = parser.parse_args()
    examples = training_examples(args.out)
    print(f"{len(examples.mentions)} mentions, {len(set(examples.contracts))} contrats", flush=True)
    base = out_of_fold_probabilities(examples, sense.fit_mention_model, ([], []))
    results: dict[str, Any] = {"base": threshold_scores(examples, base)}
    for variant in args.variants:
        if variant in ("mil30", "mil50"):
            results[variant] = threshold_scores(examples, refined_probabilities(examples, int(variant[3:]) / 100))
        elif variant == "stack":
            results[variant] = stacked_scores(examples, base)
        elif variant == "deps":
            results[variant] = threshold_scores(examples, dependency_probabilities(examples))
    for variant, scores in results.items():
        line = " | ".join(
            f"{t} P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}"
            for t, s in scores.items()
            if isinstance(s, dict) and "f1" in s and t != "demo_0.8"
        )
        print(f"{variant:6s} {line}")
    print(json.dumps({"reference": "base", "variants": results}))


if __name__ == "__main__":
    main()
