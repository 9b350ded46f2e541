"""Which entities each demo contract names or is signed by, drawn to reproduce the report's frequencies.

The assignment is computed from `calibration.csv` and the seed alone, without rendering anything, so the
calibration can be checked (and tested) for 40 contracts in milliseconds. For a rate p over n contracts
exactly max(1, round(p·n)) contracts get the entity (0 when p is 0), chosen by a seeded permutation.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
CALIBRATION_FILE = DATA_DIR / "calibration.csv"
ENTITIES_FILE = DATA_DIR / "entities.csv"


@dataclass(frozen=True)
class Profile:
    """The generator's own description of an entity: names, article, themes and naming variants."""

    entity_id: str
    kind: str
    name: str
    acronym: str
    article: str
    themes: tuple[str, ...]
    departmental: tuple[str, ...]
    variants: tuple[tuple[str, str], ...]  # (tag, surface): tag is "alt" or "former"


@dataclass(frozen=True)
class CalibrationRow:
    """One published (or assumed) frequency: share of contracts where the entities have this role."""

    entity_ids: tuple[str, ...]
    measure: str  # "signataire" or "mentionne"
    pct: float
    source: str  # "rapport" or "hypothese"
    note: str


@dataclass
class Assignment:
    """The truth drawn for one contract: present partners with their signatory flag, and schemes."""

    index: int
    partners: dict[str, bool] = field(default_factory=dict)
    dispositifs: set[str] = field(default_factory=set)


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in (cell or "").split("|") if part.strip())


def load_profiles(path: Path = ENTITIES_FILE) -> dict[str, Profile]:
    """Read `entities.csv` (the generator's naming data, independent of the lexicon's aliases)."""
    profiles: dict[str, Profile] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            variants = []
            for item in _split(row["variants"]):
                tag, _, surface = item.partition(":")
                variants.append((tag, surface))
            profiles[row["entity_id"]] = Profile(
                entity_id=row["entity_id"],
                kind=row["kind"],
                name=row["name"],
                acronym=row["acronym"],
                article=row["article"],
                themes=_split(row["themes"]),
                departmental=_split(row["departmental"]),
                variants=tuple(variants),
            )
    return profiles


def load_calibration(path: Path = CALIBRATION_FILE) -> list[CalibrationRow]:
    """Read `calibration.csv`: one row per (entities, measure) with the report's value or an assumption."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            CalibrationRow(
                entity_ids=_split(row["entity_ids"]),
                measure=row["measure"],
                pct=float(row["pct"]),
                source=row["source"],
                note=row.get("note", "") or "",
            )
            for row in csv.DictReader(handle)
        ]


def target_count(pct: float, n: int) -> int:
    """How many of n contracts get a rate of pct %: round(p·n), at least one when p > 0 (small corpora)."""
    if pct <= 0:
        return 0
    return min(n, max(1, round(pct / 100 * n + 1e-9)))


def _permutation(seed: int, key: str, n: int) -> list[int]:
    order = list(range(n))
    random.Random(f"{seed}:{key}").shuffle(order)
    return order


def _split_union(seed: int, key: str, members: tuple[str, ...], chosen: list[int]) -> dict[str, set[int]]:
    """Share the contracts of a union row among its members: each gets one member, some get two."""
    rng = random.Random(f"{seed}:split:{key}")
    out: dict[str, set[int]] = {member: set() for member in members}
    for rank, index in enumerate(sorted(chosen)):
        first = members[rank % len(members)] if rank < len(members) else rng.choice(members)
        out[first].add(index)
        if rng.random() < 0.3:
            out[rng.choice(members)].add(index)
    return out


def assign(n: int, seed: int, rows: list[CalibrationRow] | None = None) -> list[Assignment]:
    """Draw, for n contracts, the present partners (with signatory flags) and schemes, deterministically."""
    rows = load_calibration() if rows is None else rows
    profiles = load_profiles()
    signatories: dict[str, set[int]] = {}
    mentioned: dict[str, set[int]] = {}
    for row in (r for r in rows if r.measure == "signataire"):
        key = "|".join(row.entity_ids)
        chosen = _permutation(seed, f"sig:{key}", n)[: target_count(row.pct, n)]
        if len(row.entity_ids) == 1:
            signatories.setdefault(key, set()).update(chosen)
        else:
            for member, indices in _split_union(seed, key, row.entity_ids, chosen).items():
                signatories.setdefault(member, set()).update(indices)
    for row in (r for r in rows if r.measure == "mentionne"):
        key = "|".join(row.entity_ids)
        count = target_count(row.pct, n)
        if len(row.entity_ids) == 1:
            already = set(signatories.get(key, set()))
            for index in _permutation(seed, f"men:{key}", n):
                if len(already) >= count:
                    break
                already.add(index)
            mentioned.setdefault(key, set()).update(already)
        else:
            chosen = _permutation(seed, f"men:{key}", n)[:count]
            for member, indices in _split_union(seed, key, row.entity_ids, chosen).items():
                mentioned.setdefault(member, set()).update(indices)
    result = [Assignment(index=i) for i in range(n)]
    for entity_id, indices in mentioned.items():
        profile = profiles.get(entity_id)
        if profile is None:
            continue
        for index in indices:
            if profile.kind == "dispositif":
                result[index].dispositifs.add(entity_id)
            else:
                result[index].partners[entity_id] = index in signatories.get(entity_id, set())
    for entity_id, indices in signatories.items():
        for index in indices:
            result[index].partners[entity_id] = True
    return result


def calibration_report(n: int, seed: int) -> list[dict[str, object]]:
    """Compare, for each calibration row, the drawn share with the target (percentage points)."""
    rows = load_calibration()
    drawn = assign(n, seed, rows)
    report = []
    for row in rows:
        hits = 0
        for contract in drawn:
            if row.measure == "signataire":
                hit = any(contract.partners.get(e, False) for e in row.entity_ids)
            else:
                hit = any(e in contract.partners or e in contract.dispositifs for e in row.entity_ids)
            hits += hit
        pct = 100 * hits / n if n else 0.0
        report.append(
            {
                "entity_ids": "|".join(row.entity_ids),
                "measure": row.measure,
                "source": row.source,
                "target_pct": row.pct,
                "count": hits,
                "pct": round(pct, 2),
                "gap_pts": round(abs(pct - row.pct), 2),
            }
        )
    return report
