"""Aggregate stage: from detections to the contract × entity table and the frequency tables.

Percentages are over the contracts successfully read; `mentionne` counts any detection (signatories
included); for a dispositif, `mentionne` means the contract articulates with it. Rejected detections
never count.
"""

from __future__ import annotations

import pandas as pd

from pipeline.french import french_order
from pipeline.lexicon import Lexicon
from pipeline.types import Detection

DETECTION_COLUMNS = [
    "detection_id",
    "contract_id",
    "entity_id",
    "entity_name",
    "entity_acronym",
    "kind",
    "role",
    "theme",
    "page",
    "start",
    "end",
    "snippet",
    "score",
    "method",
    "status",
    "mark_start",
    "mark_end",
]
CONTRACT_ENTITY_COLUMNS = [
    "contract_id",
    "entity_id",
    "entity_name",
    "entity_acronym",
    "kind",
    "signataire",
    "mentionne",
    "n_mentions",
    "pages",
    "themes",
]
PARTNER_COLUMNS = [
    "entity_id",
    "entity_name",
    "entity_acronym",
    "category",
    "n_contracts",
    "n_signataire",
    "pct_signataire",
    "n_mentionne",
    "pct_mentionne",
]
ARTICULATION_COLUMNS = [
    "entity_id",
    "entity_name",
    "entity_acronym",
    "scope",
    "n_contracts",
    "n_mentionne",
    "pct_mentionne",
]


def detections_to_frame(detections: list[Detection]) -> pd.DataFrame:
    """One row per detection, in the column order of `detections.csv`."""
    if not detections:
        return pd.DataFrame(columns=DETECTION_COLUMNS)
    return pd.DataFrame([vars(d) for d in detections], columns=DETECTION_COLUMNS)  # flat: vars is asdict, faster


def join_sorted(values: pd.Series) -> str:
    """Distinct non-empty values, sorted and joined with `|` (pages sorted numerically)."""
    distinct = {value for value in values if value != "" and not pd.isna(value)}
    return "|".join(str(value) for value in sorted(distinct, key=lambda v: (isinstance(v, str), v)))


def detections_to_contract_entities(detections: pd.DataFrame, lexicon: Lexicon | None = None) -> pd.DataFrame:
    """One row per contract and entity named in it: signataire, mentionne, mentions, pages, themes.

    With a lexicon, a group (e.g. `bailleurs_sociaux`) is counted in a contract where any of its
    members is named, and signs where any member signs.
    """
    kept = detections[detections["status"] != "rejete"]
    if kept.empty:
        return pd.DataFrame(columns=CONTRACT_ENTITY_COLUMNS)
    grouped = kept.assign(signs=(kept["role"] == "signataire").astype(int)).groupby(
        ["contract_id", "entity_id"], sort=True
    )
    table = grouped.agg(
        entity_name=("entity_name", "first"),
        entity_acronym=("entity_acronym", "first"),
        kind=("kind", "first"),
        signataire=("signs", "max"),
        n_mentions=("detection_id", "count"),
        pages=("page", join_sorted),
        themes=("theme", join_sorted),
    ).reset_index()
    table["mentionne"] = 1
    if lexicon is not None:
        table = add_group_rows(table, kept, lexicon)
    return table[CONTRACT_ENTITY_COLUMNS]


def add_group_rows(table: pd.DataFrame, detections: pd.DataFrame, lexicon: Lexicon) -> pd.DataFrame:
    """Roll members up into their group: the group's row gathers its own and its members' detections."""
    by_id = lexicon.by_id()
    group_of = {e.entity_id: e.group for e in lexicon.entities if e.group and e.group in by_id}
    members = detections[detections["entity_id"].isin(group_of)]
    if members.empty:
        return table
    own = detections[detections["entity_id"].isin(set(group_of.values()))]
    rolled = pd.concat([own, members.assign(entity_id=members["entity_id"].map(group_of))])
    rows = []
    for (contract_id, group_id), rows_of_group in rolled.groupby(["contract_id", "entity_id"], sort=True):
        group = by_id[str(group_id)]
        rows.append(
            {
                "contract_id": contract_id,
                "entity_id": group.entity_id,
                "entity_name": group.name,
                "entity_acronym": group.acronym,
                "kind": group.kind,
                "signataire": int((rows_of_group["role"] == "signataire").any()),
                "mentionne": 1,
                "n_mentions": len(rows_of_group),
                "pages": join_sorted(rows_of_group["page"]),
                "themes": join_sorted(rows_of_group["theme"]),
            }
        )
    groups = pd.DataFrame(rows, columns=CONTRACT_ENTITY_COLUMNS)
    keys = set(zip(groups["contract_id"], groups["entity_id"], strict=True))
    others = table[[key not in keys for key in zip(table["contract_id"], table["entity_id"], strict=True)]]
    return pd.concat([others, groups]).sort_values(["contract_id", "entity_id"]).reset_index(drop=True)


def percent(count: int, total: int) -> float:
    """A percentage with one decimal, 0 when there is no denominator."""
    return round(100.0 * count / total, 1) if total else 0.0


def partner_table(contract_entities: pd.DataFrame, lexicon: Lexicon, n_read: int) -> pd.DataFrame:
    """Every partner of the lexicon: in how many contracts it signs and is named, over contracts read."""
    partners = contract_entities[contract_entities["kind"] == "partenaire"]
    signing = partners.groupby("entity_id")["signataire"].sum()
    named = partners.groupby("entity_id")["mentionne"].sum()
    rows = []
    for entity in lexicon.partners:
        n_signataire = int(signing.get(entity.entity_id, 0))
        n_mentionne = int(named.get(entity.entity_id, 0))
        rows.append(
            {
                "entity_id": entity.entity_id,
                "entity_name": entity.name,
                "entity_acronym": entity.acronym,
                "category": entity.category,
                "n_contracts": n_read,
                "n_signataire": n_signataire,
                "pct_signataire": percent(n_signataire, n_read),
                "n_mentionne": n_mentionne,
                "pct_mentionne": percent(n_mentionne, n_read),
            }
        )
    table = pd.DataFrame(rows, columns=PARTNER_COLUMNS)
    return table.sort_values(
        ["n_mentionne", "n_signataire", "entity_name"], ascending=[False, False, True], key=french_order, kind="stable"
    )


def articulation_table(contract_entities: pd.DataFrame, lexicon: Lexicon, n_read: int) -> pd.DataFrame:
    """Every dispositif of the lexicon: in how many contracts the contract articulates with it."""
    schemes = contract_entities[contract_entities["kind"] == "dispositif"]
    named = schemes.groupby("entity_id")["mentionne"].sum()
    rows = []
    for entity in lexicon.dispositifs:
        n_mentionne = int(named.get(entity.entity_id, 0))
        rows.append(
            {
                "entity_id": entity.entity_id,
                "entity_name": entity.name,
                "entity_acronym": entity.acronym,
                "scope": entity.scope,
                "n_contracts": n_read,
                "n_mentionne": n_mentionne,
                "pct_mentionne": percent(n_mentionne, n_read),
            }
        )
    table = pd.DataFrame(rows, columns=ARTICULATION_COLUMNS)
    return table.sort_values(["n_mentionne", "entity_name"], ascending=[False, True], key=french_order, kind="stable")
