"""Honest figures: a count over contracts with its denominator, band, review coverage, interval and evidence.

A figure counts the contracts (of a denominator set) in which some evidence holds. Its interval reflects
what review could still change:

- lower bound `n_min`: contracts whose evidence includes a reviewed detection (`valide`/`ajoute`) or an
  automatic one with `score >= SURE_SCORE`;
- upper bound `n_max`: every contract counted, plus the contracts of the denominator not counted that have
  unread pages (a mention may hide there: "not mentioned" is not "not readable").

Review coverage is the share of the detections behind the figure (rejected ones included) that a reviewer
decided on (status other than `auto`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

SURE_SCORE = 0.9
BANDS = ((10.0, "moins de 10 %"), (40.0, "10 à 40 %"), (70.0, "40 à 70 %"))
TOP_BAND = "plus de 70 %"
NO_BAND = "non trouvé"
NOT_APPLICABLE = "sans objet"
BAND_ORDER = ("moins de 10 %", "10 à 40 %", "40 à 70 %", "plus de 70 %")
STATUS_AUTO = "automatique"
STATUS_PARTIAL = "partiellement revu"
STATUS_REVIEWED = "revu"
STATUS_MANUAL = "manuel à saisir"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One piece of evidence behind a figure: a detection or a text cue on a page of a contract."""

    contract_id: str
    page: int
    status: str = "auto"
    score: float = 1.0
    detection_id: str = ""
    snippet: str = ""
    mark_start: int = 0
    mark_end: int = 0
    entity_id: str = ""
    role: str = ""

    @property
    def sure(self) -> bool:
        return self.status in ("valide", "ajoute") or (self.status == "auto" and self.score >= SURE_SCORE)


@dataclass
class Figure:
    """A count of contracts with everything a reader needs to trust it."""

    n: int
    denominator: int
    n_min: int
    n_max: int
    coverage: float | None
    unread_contracts: int
    pages: dict[str, list[int]] = field(default_factory=dict)
    evidence: dict[str, list[Evidence]] = field(default_factory=dict)

    @property
    def pct(self) -> float:
        return percent(self.n, self.denominator)

    @property
    def pct_min(self) -> float:
        return percent(self.n_min, self.denominator)

    @property
    def pct_max(self) -> float:
        return percent(self.n_max, self.denominator)

    @property
    def band(self) -> str:
        return band(self.pct) if self.n else NO_BAND

    @property
    def status(self) -> str:
        return review_status(self.coverage)

    def evidence_text(self) -> str:
        """`contract p. 3, 40 ; other p. 12`: the pages behind the count, for a CSV cell."""
        return " ; ".join(f"{cid} p. {', '.join(map(str, pages))}" for cid, pages in self.pages.items())

    def columns(self, prefix: str = "") -> dict[str, object]:
        """The figure as table columns (names prefixed for tables holding several figures)."""
        return {
            f"n{prefix}": self.n,
            f"pct{prefix}": self.pct,
            f"bande{prefix}": self.band,
            f"n{prefix}_min": self.n_min,
            f"n{prefix}_max": self.n_max,
            f"pct{prefix}_min": self.pct_min,
            f"pct{prefix}_max": self.pct_max,
            f"couverture_revue{prefix}": "" if self.coverage is None else round(self.coverage, 3),
            f"statut{prefix}": self.status,
            f"contrats_illisibles{prefix}": self.unread_contracts,
            f"preuves{prefix}": self.evidence_text(),
        }


def percent(count: int, total: int) -> float:
    """A percentage with one decimal, 0 when there is no denominator."""
    return round(100.0 * count / total, 1) if total else 0.0


def band(pct: float) -> str:
    """The report's frequency band of a percentage: below 10, 10 (included) to 40, 40 to 70, 70 and more."""
    for limit, label in BANDS:
        if pct < limit:
            return label
    return TOP_BAND


def review_status(coverage: float | None) -> str:
    """`automatique`, `partiellement revu` or `revu` from the share of reviewed detections."""
    if not coverage:
        return STATUS_AUTO
    return STATUS_REVIEWED if coverage >= 1.0 else STATUS_PARTIAL


def compute_figure(
    evidence: Iterable[Evidence],
    universe: Iterable[str],
    unread: Mapping[str, int],
    min_count: int = 1,
) -> Figure:
    """Count the contracts of `universe` with at least `min_count` non-rejected pieces of evidence."""
    members = set(universe)
    kept: dict[str, list[Evidence]] = {}
    total = decided = 0
    for item in evidence:
        if item.contract_id not in members:
            continue
        total += 1
        decided += item.status != "auto"
        if item.status != "rejete":
            kept.setdefault(item.contract_id, []).append(item)
    counted = {cid: items for cid, items in kept.items() if len(items) >= min_count}
    sure = sum(1 for items in counted.values() if any(item.sure for item in items))
    unread_out = sum(1 for cid in members - counted.keys() if unread.get(cid, 0) > 0)
    pages = {cid: sorted({item.page for item in counted[cid]}) for cid in sorted(counted)}
    return Figure(
        n=len(counted),
        denominator=len(members),
        n_min=sure,
        n_max=len(counted) + unread_out,
        coverage=(decided / total) if total else None,
        unread_contracts=unread_out,
        pages=pages,
        evidence={cid: counted[cid] for cid in sorted(counted)},
    )
