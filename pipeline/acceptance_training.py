"""Acceptance of candidate mentions: from which P(entite) a mention counts, chosen per kind from data.

An entity counts in a contract when one of its mentions is accepted, so a single wrongly accepted mention
(« l'une des 24 de la région », « selon les prévisions de l'Insee ») is a wrong count. `cdv train` predicts every
training mention out of fold (folds group the mentions of one contract), takes per contract and entity the
highest probability, and keeps per kind (partner, dispositif), among the thresholds whose demo-corpus F1 stays within
`DEMO_TOLERANCE` of its F1 at `BASE_THRESHOLD`, the most precise one whose real-prose F1 is within `F1_TOLERANCE` of
the best: the F1 curve is flat over a wide range, where the best point drifts from one retraining to the next, and a
wrong count costs an analyst more than a missed one. Then an entity the real prose names in at least
`ENTITY_MIN_CONTRACTS` contracts (the State, the collectivities) gets its own threshold where one makes the kind more
precise without lowering its F1: its generic mentions (« les politiques de l'État ») are many, and their
probabilities differ from the other entities'. The thresholds are stored on the mention model
(`accept_thresholds_`: per kind, and per `kind:entity`) and read by the classify stage (`sense.accept_threshold`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.sense import ACCEPT_PROBABILITY, ENTITY_SENSE, Mention, entity_probabilities

BASE_THRESHOLD = ACCEPT_PROBABILITY
THRESHOLDS = tuple(round(BASE_THRESHOLD + 0.05 * step, 2) for step in range(9))  # 0.5 … 0.9
DEMO_TOLERANCE = 0.002
# 0.005 since 2026-12-05 (0.002 before): on the two blind samples scored once since the rule exists, the threshold a
# step above the best out-of-fold F1 was more precise at an equal F1 (fresh108-113: P 0.924 -> 0.927; fresh114-118:
# P 0.898 -> 0.922, F1 0.904 -> 0.909), and the rule at 0.002 swung the partners' threshold between 0.75 and 0.8
# from one retraining to the next on a 0.003 F1 difference
F1_TOLERANCE = 0.005
OUT_OF_FOLD_FOLDS = 3
KINDS = ("partenaire", "dispositif")
ENTITY_MIN_CONTRACTS = 300


@dataclass
class MentionExamples:
    """The candidate mentions of gold-labelled contracts with their senses, and what the gold says per contract:
    the entities it lists (`present`), those it lists only by a name outside the lexicons (`named_outside`: the
    lexicons gained them after the gold was labelled, « Vilogia »; neither right nor wrong, as `cdv evaluate` ignores
    them) and whether it is a demo contract (its gold lists mentions)."""

    mentions: list[Mention] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    contracts: list[str] = field(default_factory=list)
    present: dict[str, set[str]] = field(default_factory=dict)
    demo: dict[str, bool] = field(default_factory=dict)
    gold_counts: dict[tuple[bool, str], int] = field(default_factory=dict)
    named_outside: dict[str, set[str]] = field(default_factory=dict)

    def add_contract(self, contract_id: str, gold: dict[str, Any], kinds: Mapping[str, str]) -> None:
        """Record a contract's gold entities (and their count per kind, misses included)."""
        present = {e["entity_id"] for e in gold.get("partners", []) + gold.get("dispositifs", [])}
        is_demo = bool(gold.get("mentions"))
        self.present[contract_id] = present
        self.demo[contract_id] = is_demo
        for entity_id in present:
            key = (is_demo, kinds.get(entity_id, "partenaire"))
            self.gold_counts[key] = self.gold_counts.get(key, 0) + 1

    def add(self, contract_id: str, mention: Mention, label: str) -> None:
        """Record a mention and its sense; a mention naming an entity its gold does not list was named outside the
        lexicons (`train.mention_label`)."""
        if label == ENTITY_SENSE and mention.entity_id not in self.present.get(contract_id, set()):
            self.named_outside.setdefault(contract_id, set()).add(mention.entity_id)
        self.mentions.append(mention)
        self.labels.append(label)
        self.contracts.append(contract_id)


def out_of_fold_probabilities(
    examples: MentionExamples, fit: Callable[[list[Mention], list[str]], Any], extra: tuple[list[Mention], list[str]]
) -> list[float]:
    """P(entite) of every mention from a model fitted without its contract (`extra` examples, such as reviewers'
    decisions, are in every fold's training data)."""
    from sklearn.model_selection import GroupKFold

    probabilities = [BASE_THRESHOLD] * len(examples.mentions)
    n_folds = min(OUT_OF_FOLD_FOLDS, len(set(examples.contracts)))
    if n_folds < 2:
        return probabilities
    indices = list(range(len(examples.mentions)))
    for train, test in GroupKFold(n_splits=n_folds).split(indices, groups=examples.contracts):
        model = fit([examples.mentions[i] for i in train] + extra[0], [examples.labels[i] for i in train] + extra[1])
        if model is None:
            continue
        for i, p in zip(test, entity_probabilities(model, [examples.mentions[i] for i in test]), strict=True):
            probabilities[i] = p
    return probabilities


def contract_maxima(probabilities: list[float], examples: MentionExamples) -> dict[tuple[str, str, str], float]:
    """The highest P(entite) of each (contract, entity, kind): the entity counts when it reaches the threshold."""
    maxima: dict[tuple[str, str, str], float] = {}
    for probability, mention, contract_id in zip(probabilities, examples.mentions, examples.contracts, strict=True):
        key = (contract_id, mention.entity_id, mention.kind)
        maxima[key] = max(maxima.get(key, 0.0), probability)
    return maxima


def scores_at(
    threshold: float,
    maxima: dict[tuple[str, str, str], float],
    examples: MentionExamples,
    kind: str,
    demo: bool,
    entity_thresholds: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """Contract-level precision, recall and F1 of one kind, on the demo or the real-prose contracts, an entity being
    kept from its own threshold where it has one."""
    own = entity_thresholds or {}
    kept = [
        key
        for key, probability in maxima.items()
        if key[2] == kind
        and examples.demo[key[0]] == demo
        and probability >= own.get(key[1], threshold)
        and key[1] not in examples.named_outside.get(key[0], set())
    ]
    tp = sum(1 for contract_id, entity_id, _ in kept if entity_id in examples.present[contract_id])
    fp = len(kept) - tp
    gold = examples.gold_counts.get((demo, kind), 0)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / gold if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "tp": tp, "fp": fp}


def frequent_entities(maxima: dict[tuple[str, str, str], float], examples: MentionExamples, kind: str) -> list[str]:
    """The entities of a kind with a candidate mention in at least `ENTITY_MIN_CONTRACTS` real-prose contracts, the
    most frequent first."""
    counts: dict[str, int] = {}
    for contract_id, entity_id, entity_kind in maxima:
        if entity_kind == kind and not examples.demo[contract_id]:
            counts[entity_id] = counts.get(entity_id, 0) + 1
    frequent = [entity for entity, n in counts.items() if n >= ENTITY_MIN_CONTRACTS]
    return sorted(frequent, key=lambda entity: (-counts[entity], entity))


def choose_entity_thresholds(
    threshold: float, maxima: dict[tuple[str, str, str], float], examples: MentionExamples, kind: str
) -> dict[str, float]:
    """Per frequent entity, the threshold that makes the kind's real prose most precise without lowering its F1 (nor
    the demo's beyond `DEMO_TOLERANCE`), where it differs from the kind's."""
    chosen: dict[str, float] = {}
    demo_floor = scores_at(threshold, maxima, examples, kind, demo=True)["f1"] - DEMO_TOLERANCE
    for entity in frequent_entities(maxima, examples, kind):
        current = scores_at(threshold, maxima, examples, kind, demo=False, entity_thresholds=chosen)
        options = []
        for candidate in THRESHOLDS:
            trial = {**chosen, entity: candidate}
            prose = scores_at(threshold, maxima, examples, kind, demo=False, entity_thresholds=trial)
            demo = scores_at(threshold, maxima, examples, kind, demo=True, entity_thresholds=trial)
            if prose["f1"] >= current["f1"] and demo["f1"] >= demo_floor:
                options.append((prose["precision"], -abs(candidate - threshold), candidate))
        best = max(options, default=(0.0, 0.0, threshold))[2]
        if best != threshold:
            chosen[entity] = best
    return chosen


def choose_thresholds(probabilities: list[float], examples: MentionExamples) -> tuple[dict[str, float], dict[str, Any]]:
    """Per kind, among the thresholds that keep the demo F1 within `DEMO_TOLERANCE` of its F1 at the base threshold,
    the most precise (the lowest on a tie) whose real-prose F1 is within `F1_TOLERANCE` of their best, then the
    frequent entities' own thresholds (`choose_entity_thresholds`); and the report of both measures at both."""
    maxima = contract_maxima(probabilities, examples)
    thresholds: dict[str, float] = {}
    report: dict[str, Any] = {}
    for kind in KINDS:
        prose = {t: scores_at(t, maxima, examples, kind, demo=False) for t in THRESHOLDS}
        demo = {t: scores_at(t, maxima, examples, kind, demo=True) for t in THRESHOLDS}
        allowed = [t for t in THRESHOLDS if demo[t]["f1"] >= demo[BASE_THRESHOLD]["f1"] - DEMO_TOLERANCE]
        best_f1 = max(prose[t]["f1"] for t in allowed)
        near_best = [t for t in allowed if prose[t]["f1"] >= best_f1 - F1_TOLERANCE]
        best = max(near_best, key=lambda t: (prose[t]["precision"], -t))
        thresholds[kind] = best
        own = choose_entity_thresholds(best, maxima, examples, kind)
        thresholds |= {f"{kind}:{entity}": value for entity, value in own.items()}
        report[kind] = {
            "threshold": best,
            "prose_at_base": prose[BASE_THRESHOLD],
            "prose_at_threshold": prose[best],
            "demo_at_base": demo[BASE_THRESHOLD],
            "demo_at_threshold": demo[best],
            "prose_f1_by_threshold": {str(t): prose[t]["f1"] for t in THRESHOLDS},
            "prose_precision_by_threshold": {str(t): prose[t]["precision"] for t in THRESHOLDS},
            "entity_thresholds": own,
            "prose_with_entity_thresholds": scores_at(best, maxima, examples, kind, False, own),
            "demo_with_entity_thresholds": scores_at(best, maxima, examples, kind, True, own),
        }
    return thresholds, report
