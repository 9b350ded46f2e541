"""The cross-contract review queue: pending detections ranked by the change their review can make to the
published figures, each with the reasons it is there.

Model. A detection is wrong with probability `p`: its calibrated score's complement, updated by what
reviewers decided on the same *form* (same entity, same folded matched text, e.g. « logement » read as
Action Logement): a Beta prior of strength `PRIOR_STRENGTH` centred on `1 - score`, plus one count per
validation (right) or rejection / change of entity (wrong). A contract counts an entity (a *cell*) through
its non-rejected detections; the cell is wrong only if every form behind it is wrong, so its probability
is the product over its forms (a reviewed detection settles it). Its correction moves the entity's
percentage by one contract (100 / contracts read), weighted up when that crosses or nears a band boundary
(10 / 40 / 70 %, or "non trouvé"). A detection's expected change is:

- the cell's expected change divided by the pending detections needed to overturn it (its strongest
  detection is asked first: if right, it settles the cell at once); same for signature cells;
- for an acronym with several senses, the cell of the other sense it could create;
- for a partner mention in a contract where it signs nowhere, the signature it could be;
- the value of learning a form's precision: a form that is the only evidence of its entity in several
  contracts is worth checking once, early (its weight falls as it gets reviewed).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial

import pandas as pd

from pipeline.french import fr_pct
from pipeline.match import fold_text
from pipeline.review.cells import BAND_LIMITS, LiveTables, band_of
from pipeline.review.session import ReviewSession

PRIOR_STRENGTH = 4.0
P_MIN, P_MAX = 0.01, 0.99
LOW_SCORE = 0.8
CROSS_WEIGHT = 2.0
NEAR_WEIGHT = 1.5
FOLLOWER_FACTOR = 0.5
REVIEWED = ("valide", "ajoute")


@dataclass
class QueueItem:
    """One pending detection in the queue, its expected change (percentage points) and why it is there."""

    detection_id: str
    contract_id: str
    entity_id: str
    entity_name: str
    entity_acronym: str
    kind: str
    role: str
    page: int
    score: float
    method: str
    snippet: str
    form: str
    hit: str
    impact: float
    reasons: list[str] = field(default_factory=list)


@dataclass
class Cell:
    """A contract × entity × measure cell and the detections behind it."""

    contract_id: str
    entity_id: str
    measure: str
    supports: list[int] = field(default_factory=list)
    confirmed: bool = False
    p_wrong: float = 0.0
    weight: float = 1.0
    near: float | None = None

    def pending(self, status: list[str]) -> list[int]:
        return [i for i in self.supports if status[i] == "auto"]


def detection_forms(session: ReviewSession) -> dict[str, tuple[str, str, str]]:
    """detection_id -> (original entity, folded matched text, matched text) of the run's detections (cached
    per run file)."""

    def compute() -> dict[str, tuple[str, str, str]]:
        raw = session.detections
        forms: dict[str, tuple[str, str, str]] = {}
        columns = ["detection_id", "contract_id", "entity_id", "entity_acronym", "method", "page", "start", "end"]
        for detection_id, contract_id, entity_id, acronym, method, page, start, end in raw[columns].itertuples(
            index=False, name=None
        ):
            text = session.texts.text(str(contract_id), int(page))
            matched = text[int(start) : int(end)] if text and int(end) <= len(text) else ""
            folded = " ".join(fold_text(matched).split()) if matched else (str(acronym) or str(method)).lower()
            forms[str(detection_id)] = (str(entity_id), folded, " ".join(matched.split()))
        return forms

    stamp = session.run_stamp()
    return session.memo("detection_forms", stamp, compute)


def clip(p: float) -> float:
    return min(P_MAX, max(P_MIN, p))


def cell_weight(n: int, pct: float, step: float, direction: int) -> tuple[float, float | None]:
    """Weight of a one-contract change of an entity's figure, and the band limit it crosses or nears."""
    new_n = n + direction
    new_pct = pct + direction * step
    if band_of(n, pct) != band_of(new_n, new_pct):
        crossed = next((limit for limit in BAND_LIMITS if min(pct, new_pct) < limit <= max(pct, new_pct)), 0.0)
        return CROSS_WEIGHT, crossed
    near = [limit for limit in BAND_LIMITS if abs(pct - limit) <= 2 * step + 1e-9]
    return (NEAR_WEIGHT, near[0]) if near else (1.0, None)


def build_queue(
    session: ReviewSession,
    decided: pd.DataFrame,
    tables: LiveTables,
    entity: str = "",
    measure: str = "",
    limit: int | None = None,
) -> list[QueueItem]:
    """Pending detections, highest expected change first (the first `limit`); `entity`/`measure` keep one
    table row's cells."""
    if decided.empty:
        return []
    n_read = max(tables.n_read, 1)
    step = 100.0 / n_read
    lexicon = session.lexicon
    names = {e.entity_id: e for e in lexicon.entities} if lexicon else {}
    ambiguous = lexicon.ambiguous if lexicon else {}
    forms = detection_forms(session)

    rows = decided[["detection_id", "contract_id", "entity_id", "kind", "role", "status", "score", "method"]]
    ids: list[str] = rows["detection_id"].astype(str).tolist()
    contracts: list[str] = rows["contract_id"].astype(str).tolist()
    entities: list[str] = rows["entity_id"].astype(str).tolist()
    kinds: list[str] = rows["kind"].astype(str).tolist()
    roles: list[str] = rows["role"].astype(str).tolist()
    status: list[str] = rows["status"].astype(str).tolist()
    scores: list[float] = pd.to_numeric(rows["score"], errors="coerce").fillna(1.0).astype(float).tolist()
    methods: list[str] = rows["method"].astype(str).tolist()
    form_of = [forms[i][:2] if i in forms else (e, "ajout") for i, e in zip(ids, entities, strict=True)]

    # Form precision learnt from the decisions so far.
    right: dict[tuple[str, str], int] = defaultdict(int)
    wrong: dict[tuple[str, str], int] = defaultdict(int)
    for index, state in enumerate(status):
        if state == "auto" or methods[index] == "ajout":
            continue
        if state == "rejete" or entities[index] != form_of[index][0]:
            wrong[form_of[index]] += 1
        else:
            right[form_of[index]] += 1
    p_wrong = [
        clip(
            (PRIOR_STRENGTH * (1.0 - scores[i]) + wrong[form_of[i]])
            / (PRIOR_STRENGTH + wrong[form_of[i]] + right[form_of[i]])
        )
        for i in range(len(ids))
    ]

    # Cells and their probability of being wrong.
    cells: dict[tuple[str, str, str], Cell] = {}
    for index, state in enumerate(status):
        if state == "rejete":
            continue
        keys = [(contracts[index], entities[index], "mentionne")]
        if roles[index] == "signataire":
            keys.append((contracts[index], entities[index], "signataire"))
        for key in keys:
            cell = cells.setdefault(key, Cell(*key))
            cell.supports.append(index)
            cell.confirmed |= state in REVIEWED
    for cell in cells.values():
        if cell.confirmed:
            continue
        best: dict[tuple[str, str], float] = {}
        for index in cell.pending(status):
            best[form_of[index]] = min(best.get(form_of[index], 1.0), p_wrong[index])
        cell.p_wrong = math.prod(best.values()) if best else 0.0
        n = count_of(tables, cell.entity_id, cell.measure, step)
        cell.weight, cell.near = cell_weight(n, tables.pct(cell.entity_id, cell.measure), step, -1)

    present = {(c, e) for (c, e, m) in cells if m == "mentionne"}
    signing = {(c, e) for (c, e, m) in cells if m == "signataire"}

    # Forms that alone hold up cells: the value of learning their precision.
    sole_cells: dict[tuple[str, str], list[Cell]] = defaultdict(list)
    for cell in cells.values():
        if cell.confirmed or cell.measure != "mentionne":
            continue
        cell_forms = {form_of[i] for i in cell.pending(status)}
        if len(cell_forms) == 1:
            sole_cells[next(iter(cell_forms))].append(cell)

    values = [0.0] * len(ids)
    reasons: list[list[Callable[[], str]]] = [[] for _ in ids]
    for cell in cells.values():
        pending = cell.pending(status)
        if cell.confirmed or not pending:
            continue
        probe = min(pending, key=lambda i: (p_wrong[i], -scores[i], i))
        value = cell.p_wrong * step * cell.weight / len(pending)
        name = names[cell.entity_id].name if cell.entity_id in names else cell.entity_id
        reason = partial(cell_reason, cell, len(pending), name, tables, step)
        for index in pending:
            values[index] += value if index == probe else value * FOLLOWER_FACTOR
            reasons[index].append(reason)

    for form, held in sole_cells.items():
        reviewed = right[form] + wrong[form]
        if len(held) < 2:
            continue
        voi = sum(cell.p_wrong * step * cell.weight for cell in held) / (1 + reviewed) / len(held)
        cheapest = min(held, key=lambda cell: (len(cell.pending(status)), cell.contract_id))
        candidates = [i for i in cheapest.pending(status) if form_of[i] == form]
        if not candidates:
            continue
        form_probe = min(candidates, key=lambda i: (p_wrong[i], i))
        values[form_probe] += voi * len(held) ** 0.5
        name = names[form[0]].name if form[0] in names else form[0]
        shown = forms[ids[form_probe]][2] if ids[form_probe] in forms else form[1]
        reasons[form_probe].append(partial(form_reason, shown, name, len(held), right[form], wrong[form]))

    for index, state in enumerate(status):
        if state != "auto":
            continue
        contract, entity_id = contracts[index], entities[index]
        acronym_senses = ambiguous.get(next((a for a, s in ambiguous.items() if entity_id in s), ""), ())
        if methods[index] == "sigle_ambigu" or (acronym_senses and scores[index] < LOW_SCORE):
            for other in acronym_senses:
                if other == entity_id or other not in names or (contract, other) in present:
                    continue
                n = count_of(tables, other, "mentionne", step)
                weight, _ = cell_weight(n, tables.pct(other, "mentionne"), step, +1)
                values[index] += p_wrong[index] * step * weight
                reasons[index].append(
                    partial(str, f"sigle ambigu : peut-être {names[other].name} (absent de ce contrat)")
                )
        if kinds[index] == "partenaire" and roles[index] != "signataire" and (contract, entity_id) not in signing:
            n = count_of(tables, entity_id, "signataire", step)
            weight, _ = cell_weight(n, tables.pct(entity_id, "signataire"), step, +1)
            values[index] += FOLLOWER_FACTOR * p_wrong[index] * step * weight
        if scores[index] < LOW_SCORE:
            reasons[index].append(partial(str, f"score calibré bas ({scores[index]:.2f})".replace(".", ",")))

    items = []
    for index in sorted(range(len(ids)), key=lambda i: (-values[i], -p_wrong[i], contracts[i], ids[i])):
        if status[index] != "auto":
            continue
        if entity and entities[index] != entity:
            continue
        if measure == "signataire" and roles[index] != "signataire":
            continue
        hit = forms[ids[index]][2] if ids[index] in forms else ""
        items.append(make_item(decided, index, form_of[index][1], hit, values[index], reasons[index]))
        if limit is not None and len(items) >= limit:
            break
    return items


def count_of(tables: LiveTables, entity_id: str, measure: str, step: float) -> int:
    """The published count of an entity (contracts), from its percentage."""
    return round(tables.pct(entity_id, measure) / step) if step else 0


def cell_reason(cell: Cell, pending: int, name: str, tables: LiveTables, step: float) -> str:
    """Why a cell's detection is in the queue, in French."""
    what = "signature" if cell.measure == "signataire" else "mention"
    if len(cell.supports) == 1:
        text = f"seule {what} dans ce contrat ({name})"
    else:
        passages = "1 passage à revoir" if pending == 1 else f"{pending} passages à revoir"
        text = f"{passages} pour cette {what} dans ce contrat ({name})"
    pct = tables.pct(cell.entity_id, cell.measure)
    n = count_of(tables, cell.entity_id, cell.measure, step)
    if n == 1:
        text += " ; entité vue dans un seul contrat"
    elif cell.near is not None and cell.weight > 1:
        rate = "taux de signature" if cell.measure == "signataire" else "taux de mention"
        text += f" ; {rate} {fr_pct(pct)}, près du seuil de {fr_pct(cell.near)}"
    return text


def form_reason(form: str, name: str, cells: int, right: int, wrong: int) -> str:
    """Why the queue asks to check a form that alone makes several contracts count an entity."""
    if wrong:
        state = f"déjà rejetée {wrong} fois sur {right + wrong}"
    else:
        state = f"validée {right} fois" if right else "jamais vérifiée"
    return f"forme « {form} » {state}, seule preuve dans {cells} contrats ({name})"


def make_item(
    decided: pd.DataFrame, index: int, form: str, hit: str, value: float, reasons: Iterable[Callable[[], str]]
) -> QueueItem:
    row = decided.iloc[index]
    unique = list(dict.fromkeys(reason() for reason in reasons))
    return QueueItem(
        detection_id=str(row["detection_id"]),
        contract_id=str(row["contract_id"]),
        entity_id=str(row["entity_id"]),
        entity_name=str(row["entity_name"]),
        entity_acronym=str(row["entity_acronym"]),
        kind=str(row["kind"]),
        role=str(row["role"]),
        page=int(row["page"]),
        score=float(row["score"] or 0.0),
        method=str(row["method"]),
        snippet=str(row["snippet"]),
        form=form,
        hit=hit or str(row["snippet"]) if str(row["method"]) == "ajout" else hit,
        impact=round(value, 3),
        reasons=unique,
    )


def review_queue(session: ReviewSession, entity: str = "", measure: str = "", limit: int = 200) -> list[QueueItem]:
    """The first `limit` items of the principal coding's queue now (computed once per revision)."""
    from pipeline.review.cells import live_tables

    key = (session.revision(), entity, measure, limit)

    def compute() -> list[QueueItem]:
        return build_queue(session, session.view().decided, live_tables(session), entity, measure, limit)

    return session.memo("queue", key, compute)
