"""The contract × partner and contract × scheme matrices (MAXQDA's code matrix browser): contracts in rows,
entities in columns, `S` (signs) or `M` (named) in the cells, counts and bands on the margins.

Built here once, from the publication's own tables (`contract_entities`, `partenaires`, `articulations`), for
`rapport.html`, the workbook and the review app's live page: every cell is a row of `contract_entities.csv`
and every margin a figure of the published table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from pipeline.french import sort_key
from pipeline.report.figures import NO_BAND, band

KINDS = {"partenaires": "partenaire", "dispositifs": "dispositif"}
SHORT_NAME = 24
SIGNS = "S"
NAMED = "M"


@dataclass(frozen=True)
class Column:
    """An entity named in at least one contract: its margin (count, percentage, band; signing for partners)."""

    entity_id: str
    name: str
    acronym: str
    short: str
    count: int
    signing: int
    pct: float
    pct_signing: float
    band: str
    band_signing: str


@dataclass
class Row:
    """A contract: its cells (`S`, `M` or empty), its mentions per cell and its margin."""

    contract_id: str
    territory: str
    department: str
    cells: list[str] = field(default_factory=list)
    named: int = 0
    signing: int = 0
    mentions: list[int] = field(default_factory=list)


@dataclass
class Matrix:
    """One matrix: `partenaires` or `dispositifs`, its columns (most named first) and rows (by department)."""

    kind: str
    columns: list[Column]
    rows: list[Row]
    n_read: int

    @property
    def partners(self) -> bool:
        return KINDS.get(self.kind) == "partenaire"

    def evidence_key(self, value: str, entity_id: str) -> tuple[str, str]:
        """The key of the figure a cell belongs to (see `pipeline.report.tables.overall_tables`): a partner's
        signature figure for `S`, its mention figure for `M`, a scheme's articulation figure."""
        if not self.partners:
            return ("ev-a", entity_id)
        return ("ev-p-sig" if value == SIGNS else "ev-p-men", entity_id)


def short_label(name: str, acronym: str) -> str:
    """A column header: the name when short enough, else the main acronym (the name is in the tooltip)."""
    return name if len(name) <= SHORT_NAME or not acronym else acronym


def band_or_none(count: int, pct: float) -> str:
    return band(pct) if count else NO_BAND


def table_columns(table: pd.DataFrame, partners: bool) -> list[Column]:
    """The margins: one column per entity named at least once, most named first, then French order."""
    columns = []
    for row in table[table["n_mentionne"].astype(int) > 0].to_dict("records"):
        count, pct = int(row["n_mentionne"]), float(row["pct_mentionne"])
        signing = int(row.get("n_signataire", 0) or 0) if partners else 0
        pct_signing = float(row.get("pct_signataire", 0.0) or 0.0) if partners else 0.0
        name, acronym = str(row["entity_name"]), str(row["entity_acronym"] or "")
        columns.append(
            Column(
                entity_id=str(row["entity_id"]),
                name=name,
                acronym=acronym,
                short=short_label(name, acronym),
                count=count,
                signing=signing,
                pct=pct,
                pct_signing=pct_signing,
                band=band_or_none(count, pct),
                band_signing=band_or_none(signing, pct_signing),
            )
        )
    columns.sort(key=lambda c: (-c.count, -c.signing, sort_key(c.name)))
    return columns


def build_matrix(
    contract_entities: pd.DataFrame,
    table: pd.DataFrame,
    read_ids: Iterable[str],
    contracts: Iterable[Mapping[str, object]],
    kind: str = "partenaires",
) -> Matrix:
    """The matrix of one kind (`partenaires` with the partner table, `dispositifs` with the articulation
    table) over the contracts read; `contracts` gives each contract's territory and department."""
    if kind not in KINDS:
        raise ValueError(f"unknown matrix kind {kind!r}")
    entity_kind = KINDS[kind]
    partners = entity_kind == "partenaire"
    columns = table_columns(table, partners) if len(table) else []
    position = {column.entity_id: index for index, column in enumerate(columns)}
    info = {str(c["contract_id"]): c for c in contracts}
    read = list(read_ids)
    rows = {
        cid: Row(
            cid,
            str(info.get(cid, {}).get("territory", "") or ""),
            str(info.get(cid, {}).get("department", "") or ""),
            cells=[""] * len(columns),
            mentions=[0] * len(columns),
        )
        for cid in read
    }
    frame = contract_entities[contract_entities["kind"] == entity_kind] if len(contract_entities) else contract_entities
    for contract_id, entity_id, signs, mentions in (
        frame[["contract_id", "entity_id", "signataire", "n_mentions"]].itertuples(index=False, name=None)
        if len(frame)
        else ()
    ):
        target = rows.get(str(contract_id))
        index = position.get(str(entity_id))
        if target is None or index is None:
            continue
        signing = partners and int(signs) == 1
        target.cells[index] = SIGNS if signing else NAMED
        target.mentions[index] = int(mentions)
        target.named += 1
        target.signing += int(signing)
    ordered = sorted(rows.values(), key=lambda r: (sort_key(r.department), sort_key(r.contract_id)))
    return Matrix(kind, columns, ordered, len(read))


def publication_matrices(
    contract_entities: pd.DataFrame,
    partners: pd.DataFrame,
    schemes: pd.DataFrame,
    read_ids: Iterable[str],
    contracts: pd.DataFrame,
) -> dict[str, Matrix]:
    """Both matrices of a publication, keyed `partenaires` and `dispositifs`."""
    records = [{str(key): value for key, value in row.items()} for row in contracts.to_dict("records")]
    read = list(read_ids)
    return {
        "partenaires": build_matrix(contract_entities, partners, read, records, "partenaires"),
        "dispositifs": build_matrix(contract_entities, schemes, read, records, "dispositifs"),
    }
