"""The contract × partner and contract × scheme matrices (MAXQDA's code matrix browser): contracts in rows,
entities in columns, `S` (signs) or `M` (named) in the cells, counts and bands on the margins.

Cells come from the live tables (`pipeline.review.cells.live_tables`), so the matrix shows what the report
would publish now; a cell links to the passages behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.review.cells import LiveTables, band_label
from pipeline.review.french import sort_key

KINDS = {"partenaires": "partenaire", "dispositifs": "dispositif"}
SHORT_NAME = 24
BAND_SHORT = {
    "non trouvé": "—",
    "moins de 10\u00a0%": "<10",
    "10 à 40\u00a0%": "10-40",
    "40 à 70\u00a0%": "40-70",
    "70\u00a0% et plus": "≥70",
}


@dataclass(frozen=True)
class Column:
    """An entity with at least one contract: its margin (count, percentage, band)."""

    entity_id: str
    name: str
    short: str
    count: int
    signing: int
    pct: float
    pct_signing: float
    band: str
    band_signing: str

    @property
    def band_short(self) -> str:
        """The band in a few characters, for a narrow column (the full label is its tooltip)."""
        return BAND_SHORT.get(self.band, self.band)


@dataclass
class Row:
    """A contract: its cells (`S`, `M` or empty) and its margin."""

    contract_id: str
    territory: str
    department: str
    cells: list[str] = field(default_factory=list)
    named: int = 0
    signing: int = 0
    mentions: list[int] = field(default_factory=list)


@dataclass
class Matrix:
    kind: str
    columns: list[Column]
    rows: list[Row]
    n_read: int


def short_label(name: str, acronym: str) -> str:
    """A column header: the name when short enough, else the main acronym (the name is in the tooltip)."""
    return name if len(name) <= SHORT_NAME or not acronym else acronym


def build_matrix(tables: LiveTables, contracts: list[dict[str, str]], kind: str = "partenaires") -> Matrix:
    """The matrix of one kind (`partenaires` or `dispositifs`) over the contracts read."""
    entity_kind = KINDS.get(kind, "partenaire")
    frame = tables.contract_entities
    frame = frame[frame["kind"] == entity_kind]
    table = tables.partners if entity_kind == "partenaire" else tables.schemes
    table = table[table["n_mentionne"].astype(int) > 0]
    columns = []
    for row in table.to_dict("records"):
        signing = int(row.get("n_signataire", 0) or 0)
        pct_signing = float(row.get("pct_signataire", 0.0) or 0.0)
        columns.append(
            Column(
                entity_id=str(row["entity_id"]),
                name=str(row["entity_name"]),
                short=short_label(str(row["entity_name"]), str(row["entity_acronym"])),
                count=int(row["n_mentionne"]),
                signing=signing,
                pct=float(row["pct_mentionne"]),
                pct_signing=pct_signing,
                band=band_label(int(row["n_mentionne"]), float(row["pct_mentionne"])),
                band_signing=band_label(signing, pct_signing),
            )
        )
    columns.sort(key=lambda c: (-c.count, -c.signing, sort_key(c.name)))
    position = {column.entity_id: index for index, column in enumerate(columns)}
    info = {str(c["contract_id"]): c for c in contracts}
    rows = {
        cid: Row(cid, str(info.get(cid, {}).get("territory", "")), str(info.get(cid, {}).get("department", "")))
        for cid in tables.read_ids
    }
    for line in rows.values():
        line.cells = [""] * len(columns)
        line.mentions = [0] * len(columns)
    for record in frame.to_dict("records"):
        target = rows.get(str(record["contract_id"]))
        index = position.get(str(record["entity_id"]))
        if target is None or index is None:
            continue
        signs = int(record["signataire"]) == 1
        target.cells[index] = "S" if signs and entity_kind == "partenaire" else "M"
        target.mentions[index] = int(record["n_mentions"])
        target.named += 1
        target.signing += int(signs and entity_kind == "partenaire")
    ordered = sorted(rows.values(), key=lambda r: (sort_key(r.department), sort_key(r.contract_id)))
    return Matrix(kind, columns, ordered, tables.n_read)
