"""The published table cells as review changes them, from the report's own table builders.

`live_tables` is the one place where the review app, its queue, its matrix and the review-efficiency
benchmark get table cells: it hands the decided detections to the publication's own builder
(`pipeline.report.publish.core_tables`, and the per-theme tables of `pipeline.report.tables`), so the app shows
the figures the report will publish, group roll-ups included.

A cell is *settled* when its interval (`n_min`..`n_max`, see `pipeline.report.figures`) lies in one band:
no decision still pending can move it to another band ("non trouvé" counts as a band of its own).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from pipeline.french import fr_text
from pipeline.report.figures import BANDS, NO_BAND, band
from pipeline.report.matrix import KINDS, Matrix, build_matrix
from pipeline.report.publish import core_tables
from pipeline.report.rundata import RunData, build_run_data
from pipeline.report.tables import theme_tables
from pipeline.review.session import ReviewError, ReviewSession

BAND_LIMITS = tuple(limit for limit, _ in BANDS)


@dataclass(frozen=True)
class TableCells:
    """One published table seen as cells: a label, the frame, and the columns of its figure."""

    key: str
    label: str
    frame: pd.DataFrame
    suffix: str
    entity_kind: str
    by_theme: bool = False


@dataclass
class LiveTables:
    """The tables the report would publish now, with the contract × entity rows behind them (the per-theme
    tables are computed on first use)."""

    data: RunData
    contract_entities: pd.DataFrame
    partners: pd.DataFrame
    schemes: pd.DataFrame

    @property
    def n_read(self) -> int:
        return self.data.n_read

    @property
    def read_ids(self) -> list[str]:
        return self.data.read_ids

    @cached_property
    def by_theme(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return theme_tables(self.data)

    @property
    def partners_theme(self) -> pd.DataFrame:
        return self.by_theme[0]

    @property
    def schemes_theme(self) -> pd.DataFrame:
        return self.by_theme[1]

    def tables(self) -> list[TableCells]:
        """The published tables whose cells review settles, in the report's order."""
        return [
            TableCells(
                "partenaires_signataires", "Partenaires signataires", self.partners, "_signataire", "partenaire"
            ),
            TableCells("partenaires_mentionnes", "Partenaires mentionnés", self.partners, "_mentionne", "partenaire"),
            TableCells("articulations", "Articulations avec les dispositifs", self.schemes, "_mentionne", "dispositif"),
            TableCells(
                "partenaires_themes", "Partenaires par thème", self.partners_theme, "", "partenaire", by_theme=True
            ),
            TableCells(
                "articulations_themes", "Articulations par thème", self.schemes_theme, "", "dispositif", by_theme=True
            ),
        ]

    def matrix(self, contracts: Iterable[Mapping[str, object]], kind: str = "partenaires") -> Matrix:
        """The contract × partner (or × dispositif) matrix of these tables: the publication's own builder."""
        table = self.partners if KINDS.get(kind) == "partenaire" else self.schemes
        return build_matrix(self.contract_entities, table, self.read_ids, contracts, kind)

    def pct(self, entity_id: str, measure: str) -> float:
        """The published percentage of one entity (`signataire` or `mentionne`), 0 when absent."""
        return self.percentages.get((entity_id, measure), 0.0)

    @cached_property
    def percentages(self) -> dict[tuple[str, str], float]:
        """(entity_id, measure) -> published percentage, for fast lookups."""
        found: dict[tuple[str, str], float] = {}
        for frame, measures in ((self.partners, ("signataire", "mentionne")), (self.schemes, ("mentionne",))):
            for measure in measures:
                column = f"pct_{measure}"
                if column in frame:
                    found |= {
                        (str(e), measure): float(p) for e, p in zip(frame["entity_id"], frame[column], strict=True)
                    }
        return found


def run_data_for(session: ReviewSession, decided: pd.DataFrame) -> RunData:
    """The report's view of the run with these decided detections (nothing read from the PDFs)."""
    lexicon = session.lexicon
    if lexicon is None:
        raise ReviewError("lexiques illisibles : tables indisponibles (voir cdv lexicon check).")
    return build_run_data(session.run_dir, session.run_info, session.contracts, decided, lexicon, session.workspace)


def live_tables(session: ReviewSession, decided: pd.DataFrame | None = None) -> LiveTables:
    """The partner and articulation tables (overall and per theme) with the decisions in force.

    Without `decided`, the principal coding's view, computed once per revision of the decisions.
    """
    if decided is not None:
        return compute_live_tables(session, decided)
    return session.memo("live_tables", session.revision(), lambda: compute_live_tables(session, session.view().decided))


def compute_live_tables(session: ReviewSession, decided: pd.DataFrame) -> LiveTables:
    """The publication's core tables (`pipeline.report.publish.core_tables`) on the decided detections."""
    data = run_data_for(session, decided)
    contract_entities, partners, schemes = core_tables(data)
    return LiveTables(data, contract_entities, partners, schemes)


def band_label(n: int, pct: float) -> str:
    """The band as the app shows it: the report's label (`non trouvé`, `moins de 10 %`, `10 à 40 %`,
    `40 à 70 %`, `plus de 70 %`) with a non-breaking space before `%`."""
    return fr_text(band_of(n, pct))


def band_of(n: int, pct: float) -> str:
    """The band of a count: "non trouvé" at 0, else the report's band of its percentage."""
    return band(pct) if n else NO_BAND


def settled_mask(frame: pd.DataFrame, suffix: str) -> pd.Series:
    """Whether each row's interval stays inside one band."""
    if frame.empty:
        return pd.Series(dtype=bool)
    low = [band_of(int(n), float(p)) for n, p in zip(frame[f"n_min{suffix}"], frame[f"pct_min{suffix}"], strict=True)]
    high = [band_of(int(n), float(p)) for n, p in zip(frame[f"n_max{suffix}"], frame[f"pct_max{suffix}"], strict=True)]
    return pd.Series([a == b for a, b in zip(low, high, strict=True)], index=frame.index)


@dataclass(frozen=True)
class Remaining:
    """A cell not settled yet: which entity, measure, theme, and its interval."""

    entity_id: str
    entity_name: str
    measure: str
    theme: str
    n: int
    pct: float
    pct_min: float
    pct_max: float


@dataclass(frozen=True)
class TableProgress:
    """How many cells of one published table are settled, and the ones that remain."""

    key: str
    label: str
    cells: int
    settled: int
    remaining: list[Remaining]

    @property
    def pct_settled(self) -> float:
        return round(100.0 * self.settled / self.cells, 1) if self.cells else 100.0


def table_progress(tables: LiveTables, limit: int = 12) -> list[TableProgress]:
    """Per published table: cells, settled cells and the first `limit` remaining ones (widest interval first).

    A table's cells are the rows of entities named at least once, or whose upper bound is above zero.
    """
    progress = []
    for table in tables.tables():
        frame = table.frame
        if frame.empty:
            progress.append(TableProgress(table.key, table.label, 0, 0, []))
            continue
        suffix = table.suffix
        frame = frame[frame[f"n_max{suffix}"].astype(int) > 0]
        mask = settled_mask(frame, suffix)
        open_rows = frame[~mask] if len(frame) else frame
        measure = "signataire" if suffix == "_signataire" else "mentionne"
        n_column = "n_signataire" if suffix == "_signataire" else "n_mentionne"
        pct_column = "pct_signataire" if suffix == "_signataire" else "pct_mentionne"
        remaining = [
            Remaining(
                entity_id=str(row["entity_id"]),
                entity_name=str(row["entity_name"]),
                measure=measure,
                theme=str(row.get("theme", "")) if table.by_theme else "",
                n=int(row[n_column]),
                pct=float(row[pct_column]),
                pct_min=float(row[f"pct_min{suffix}"]),
                pct_max=float(row[f"pct_max{suffix}"]),
            )
            for row in open_rows.to_dict("records")
        ]
        remaining.sort(key=lambda cell: (cell.pct_min - cell.pct_max, cell.entity_name))
        progress.append(TableProgress(table.key, table.label, len(frame), int(mask.sum()), remaining[:limit]))
    return progress


def live_contract_indicators(session: ReviewSession) -> dict[tuple[str, str], tuple[str, str]]:
    """(contract_id, indicator_id) -> (automatic value, evidence pages) with the detection decisions in force:
    the report's per-contract grid (`contract_indicators.csv`), so a rejected detection no longer counts."""
    from pipeline.report.indicators import GridEvaluator, contract_indicator_table
    from pipeline.review.indicators import frame_to_autos

    def compute() -> dict[tuple[str, str], tuple[str, str]]:
        data = run_data_for(session, session.view().decided)
        return frame_to_autos(contract_indicator_table(data, GridEvaluator(data)))

    return session.memo("contract_indicators", session.revision(), compute)
