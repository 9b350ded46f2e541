"""Double coding: a second reviewer codes contracts already reviewed, blind to the first coding; agreement is
Cohen's kappa per kind and per role, with the disagreements listed for arbitration.

Each detection reviewed by both codings gets a label: `rejete`, or its role (signataire, mentionne,
articulation) when kept. Kappa per kind uses these labels; kappa per role uses "label is this role or not".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.french import fr_number, fr_pct
from pipeline.review.apply import apply_resolution, resolve
from pipeline.review.session import ReviewSession


def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> float | None:
    """Cohen's kappa of two codings of the same items (None without items)."""
    n = len(first)
    if n == 0 or n != len(second):
        return None
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    count_a, count_b = Counter(first), Counter(second)
    expected = sum(count_a[label] * count_b[label] for label in set(count_a) | set(count_b)) / (n * n)
    if expected >= 1.0:
        return 1.0 if observed == 1.0 else 0.0
    return round((observed - expected) / (1.0 - expected), 3)


@dataclass
class Agreement:
    """Kappa rows (scope, n, observed agreement, kappa) and the disagreements to arbitrate."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    disagreements: list[dict[str, Any]] = field(default_factory=list)
    pairs: int = 0


def label(row: Mapping[Any, Any]) -> str:
    """`rejete` or the role of a reviewed detection."""
    return "rejete" if row["status"] == "rejete" else str(row["role"])


def compute_agreement(session: ReviewSession) -> Agreement:
    """Compare each double coding with the principal coding of the same contract."""
    detections = session.detections
    principal = session.store.current("principal")
    items: list[dict[str, Any]] = []
    for reviewer, contract_id in session.store.assignments():
        double = [d for d in session.store.current("double", contract_id) if d.reviewer == reviewer]
        if not double:
            continue
        scope = detections[detections["contract_id"] == contract_id]
        first = resolve(scope, [d for d in principal if d.contract_id == contract_id], session.texts)
        second = resolve(scope, double, session.texts)
        first_rows = {r["detection_id"]: r for r in apply_resolution(scope, first).to_dict("records")}
        second_rows = {r["detection_id"]: r for r in apply_resolution(scope, second).to_dict("records")}
        for detection_id in sorted(set(first.attached) & set(second.attached)):
            a, b = first_rows[detection_id], second_rows[detection_id]
            items.append(
                {
                    "contract_id": contract_id,
                    "detection_id": detection_id,
                    "entity_name": a["entity_name"],
                    "kind": a["kind"],
                    "page": a["page"],
                    "snippet": a["snippet"],
                    "first": label(a),
                    "first_reviewer": first.attached[detection_id].reviewer,
                    "second": label(b),
                    "second_reviewer": reviewer,
                }
            )
    result = Agreement(pairs=len(items))
    for kind in ("partenaire", "dispositif"):
        subset = [item for item in items if item["kind"] == kind]
        result.rows.append(kappa_row(f"type : {kind}", [i["first"] for i in subset], [i["second"] for i in subset]))
    for role in ("signataire", "mentionne", "articulation"):
        subset = [item for item in items if item["kind"] == ("dispositif" if role == "articulation" else "partenaire")]
        first_labels = [str(i["first"] == role) for i in subset]
        second_labels = [str(i["second"] == role) for i in subset]
        result.rows.append(kappa_row(f"rôle : {role}", first_labels, second_labels))
    result.rows.append(kappa_row("ensemble", [i["first"] for i in items], [i["second"] for i in items]))
    result.disagreements = [item for item in items if item["first"] != item["second"]]
    return result


def kappa_row(scope: str, first: list[str], second: list[str]) -> dict[str, Any]:
    n = len(first)
    agree = sum(a == b for a, b in zip(first, second, strict=True))
    return {
        "scope": scope,
        "n": n,
        "pct_agreement": round(100.0 * agree / n, 1) if n else None,
        "kappa": cohen_kappa(first, second),
    }


def agreement_lines(result: Agreement) -> list[str]:
    """The French summary printed by `cdv review agreement`."""
    if not result.pairs:
        return ["Aucune détection codée deux fois : assignez un double codage dans l'application (page Accord)."]
    lines = [f"Détections codées deux fois : {result.pairs}"]
    for row in result.rows:
        kappa = "—" if row["kappa"] is None else fr_number(row["kappa"], 3)
        pct = "—" if row["pct_agreement"] is None else fr_pct(row["pct_agreement"])
        lines.append(f"  {row['scope']:<26} n={row['n']:<5} accord={pct:<8} kappa={kappa}")
    lines.append(f"Désaccords à arbitrer : {len(result.disagreements)}")
    for item in result.disagreements:
        lines.append(
            f"  {item['contract_id']} p.{item['page']} {item['entity_name']} : "
            f"{item['first_reviewer']}={item['first']} / {item['second_reviewer']}={item['second']}"
        )
    return lines
