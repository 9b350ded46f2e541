"""Partner and articulation tables: overall, per theme and per department, each figure honest (see figures).

The overall tables keep the columns of the data contract (`pipeline.aggregate`) and add, per figure, its
band, interval, review coverage and status, unread-page flag and evidence pages. A mention's theme is the
one the classification stage gave it; a partner is marked as signatory in a theme when it signs at least
one of the contracts counted there.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from pipeline.aggregate import (
    articulation_table,
    detections_to_contract_entities,
    partner_table,
)
from pipeline.french import french_order, sort_key
from pipeline.report.figures import Evidence, Figure, compute_figure, percent
from pipeline.report.rundata import Mention, RunData
from pipeline.types import Entity

FigureIndex = dict[tuple[str, ...], Figure]
FAMILY_PV = "Dispositifs politique de la ville"
FAMILY_DC = "Droit commun"
ENTITY_COLUMNS = ["entity_id", "entity_name", "entity_acronym"]


def family(entity: Entity) -> str:
    """Droit commun, or the politique de la ville's own schemes."""
    return FAMILY_PV if entity.scope.strip().lower() == "politique de la ville" else FAMILY_DC


def evidence_of(mentions: Iterable[Mention]) -> list[Evidence]:
    return [mention.evidence() for mention in mentions]


def figure(data: RunData, mentions: Iterable[Mention], universe: Iterable[str] | None = None) -> Figure:
    """The honest count of contracts of `universe` (default: contracts read) with one of these mentions."""
    return compute_figure(evidence_of(mentions), data.read_ids if universe is None else universe, data.unread)


def signing(mentions: list[Mention]) -> list[Mention]:
    return [m for m in mentions if m.role == "signataire"]


def entity_columns(entity: Entity) -> dict[str, object]:
    return {"entity_id": entity.entity_id, "entity_name": entity.name, "entity_acronym": entity.acronym}


def overall_tables(
    data: RunData, figures: FigureIndex | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """`contract_entities`, `partenaires` and `articulations` with the honest-figure columns added; groups
    count their members' mentions. Each figure is recorded in `figures` under its evidence anchor."""
    figures = {} if figures is None else figures
    contract_entities = detections_to_contract_entities(data.detections, data.lexicon)
    read = set(data.read_ids)
    contract_entities = contract_entities[contract_entities["contract_id"].isin(read)].reset_index(drop=True)
    partners = partner_table(contract_entities, data.lexicon, data.n_read)
    schemes = articulation_table(contract_entities, data.lexicon, data.n_read)
    by_entity = data.by_entity()
    extra_partners = []
    for entity in data.lexicon.partners:
        mentions = by_entity.get(entity.entity_id, [])
        row: dict[str, object] = {"entity_id": entity.entity_id}
        signed = figures[("ev-p-sig", entity.entity_id)] = figure(data, signing(mentions))
        named = figures[("ev-p-men", entity.entity_id)] = figure(data, mentions)
        row.update(suffix_columns(signed, "_signataire"))
        row.update(suffix_columns(named, "_mentionne"))
        row["themes_lexique"] = "|".join(entity.themes)
        extra_partners.append(row)
    extra_schemes = []
    for entity in data.lexicon.dispositifs:
        row = {"entity_id": entity.entity_id, "famille": family(entity), "themes_lexique": "|".join(entity.themes)}
        articulated = figures[("ev-a", entity.entity_id)] = figure(data, by_entity.get(entity.entity_id, []))
        row.update(suffix_columns(articulated, "_mentionne"))
        extra_schemes.append(row)
    partners = merge_extra(partners, extra_partners)
    schemes = merge_extra(schemes, extra_schemes)
    return contract_entities, partners, schemes


def suffix_columns(fig: Figure, suffix: str) -> dict[str, object]:
    """Figure columns named `n_min_signataire`-style, without repeating the contract's `n_`/`pct_` ones."""
    columns = fig.columns()
    return {f"{name}{suffix}": value for name, value in columns.items() if name not in ("n", "pct")}


def merge_extra(base: pd.DataFrame, extra: list[dict[str, object]]) -> pd.DataFrame:
    """The contract's table with extra columns joined by entity id, order kept."""
    if not extra:
        return base
    return base.merge(pd.DataFrame(extra), on="entity_id", how="left")


def theme_names(data: RunData) -> dict[str, str]:
    return {theme.theme_id: theme.name for theme in data.lexicon.themes}


def by_theme(mentions: list[Mention]) -> dict[str, list[Mention]]:
    grouped: dict[str, list[Mention]] = {}
    for mention in mentions:
        grouped.setdefault(mention.theme, []).append(mention)
    return grouped


def theme_tables(data: RunData, figures: FigureIndex | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Partners and articulations per theme: contracts with a mention classified in the theme.

    An entity appears under a theme when the lexicon files it there or when mentions are classified there.
    """
    figures = {} if figures is None else figures
    names = theme_names(data)
    by_entity = data.by_entity()
    partner_rows: list[dict[str, object]] = []
    scheme_rows: list[dict[str, object]] = []
    for entity in data.lexicon.entities:
        mentions = by_entity.get(entity.entity_id, [])
        grouped = by_theme(mentions)
        themes = [t for t in names if t in entity.themes or any(m.status != "rejete" for m in grouped.get(t, []))]
        signed = {m.contract_id for m in mentions if m.role == "signataire" and m.status != "rejete"}
        for theme_id in themes:
            fig = figure(data, grouped.get(theme_id, []))
            figures[("ev-pt" if entity.kind == "partenaire" else "ev-at", theme_id, entity.entity_id)] = fig
            row: dict[str, object] = {"theme_id": theme_id, "theme": names[theme_id], **entity_columns(entity)}
            if entity.kind == "partenaire":
                row["category"] = entity.category
                row["n_contracts"] = fig.denominator
                row["n_mentionne"] = fig.n
                row["pct_mentionne"] = fig.pct
                row["n_signataire"] = len(signed & fig.pages.keys())
                row["signataire_marque"] = int(bool(signed & fig.pages.keys()))
            else:
                row["scope"] = entity.scope
                row["famille"] = family(entity)
                row["n_contracts"] = fig.denominator
                row["n_mentionne"] = fig.n
                row["pct_mentionne"] = fig.pct
            row["dans_lexique"] = int(theme_id in entity.themes)
            row.update(suffix_columns(fig, ""))
            (partner_rows if entity.kind == "partenaire" else scheme_rows).append(row)
    return sort_rows(partner_rows, ["theme_id"]), sort_rows(scheme_rows, ["theme_id"])


def sort_rows(rows: list[dict[str, object]], keys: list[str]) -> pd.DataFrame:
    """Rows as a frame, grouped by `keys`, most frequent first."""
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.sort_values(
        [*keys, "n_mentionne", "entity_name"], ascending=[True] * len(keys) + [False, True], key=french_order
    ).reset_index(drop=True)


def department_tables(
    data: RunData, figures: FigureIndex | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Per department: summary of contracts and review, and partners / articulations found there.

    Only entities named in at least one contract of the department are listed (the overall tables list all).
    """
    figures = {} if figures is None else figures
    departments = data.departments
    read = data.read_ids
    dept_contracts: dict[str, list[str]] = {}
    for cid in read:
        dept_contracts.setdefault(departments.get(cid, "") or "(non renseigné)", []).append(cid)
    by_entity = data.by_entity()
    partner_rows: list[dict[str, object]] = []
    scheme_rows: list[dict[str, object]] = []
    for dept, members in sorted(dept_contracts.items(), key=lambda item: sort_key(item[0])):
        member_set = set(members)
        for entity in data.lexicon.entities:
            mentions = [m for m in by_entity.get(entity.entity_id, []) if m.contract_id in member_set]
            fig = figure(data, mentions, members)
            if fig.n == 0:
                continue
            figures[("ev-pd" if entity.kind == "partenaire" else "ev-ad", dept, entity.entity_id)] = fig
            row: dict[str, object] = {"department": dept, **entity_columns(entity), "n_contracts": len(members)}
            if entity.kind == "partenaire":
                sig = figure(data, signing(mentions), members)
                row.update(
                    {
                        "category": entity.category,
                        "n_signataire": sig.n,
                        "pct_signataire": sig.pct,
                        "n_mentionne": fig.n,
                        "pct_mentionne": fig.pct,
                    }
                )
                row.update(suffix_columns(sig, "_signataire"))
                row.update(suffix_columns(fig, "_mentionne"))
                partner_rows.append(row)
            else:
                row.update(
                    {"scope": entity.scope, "famille": family(entity), "n_mentionne": fig.n, "pct_mentionne": fig.pct}
                )
                row.update(suffix_columns(fig, "_mentionne"))
                scheme_rows.append(row)
    summary = department_summary(data, dept_contracts)
    return summary, sort_rows(partner_rows, ["department"]), sort_rows(scheme_rows, ["department"])


def department_summary(data: RunData, dept_contracts: dict[str, list[str]]) -> pd.DataFrame:
    """One row per department: contracts, pages, unread pages, detections and review coverage."""
    contracts = data.contracts.set_index("contract_id")
    rows = []
    for dept, members in sorted(dept_contracts.items(), key=lambda item: sort_key(item[0])):
        member_set = set(members)
        mentions = [m for m in data.mentions if m.contract_id in member_set]
        all_in_dept = [cid for cid, d in data.departments.items() if (d or "(non renseigné)") == dept]
        decided = sum(m.status != "auto" for m in mentions)
        kept = [m for m in mentions if m.status != "rejete"]
        rows.append(
            {
                "department": dept,
                "n_contrats": len(all_in_dept),
                "n_contrats_lus": len(members),
                "contrats": "|".join(members),
                "pages": int(pd.to_numeric(contracts.loc[members, "pages"], errors="coerce").fillna(0).sum()),
                "pages_illisibles": sum(data.unread.get(cid, 0) for cid in members),
                "n_detections": len(mentions),
                "n_partenaires": len({m.entity_id for m in kept if m.kind == "partenaire"}),
                "n_dispositifs": len({m.entity_id for m in kept if m.kind == "dispositif"}),
                "couverture_revue": round(decided / len(mentions), 3) if mentions else "",
            }
        )
    return pd.DataFrame(rows)


def review_table(data: RunData) -> pd.DataFrame:
    """Per contract: how far review went (detections by status) and readability."""
    rows = []
    counts: dict[str, dict[str, int]] = {}
    for mention in data.mentions:
        per = counts.setdefault(mention.contract_id, {"auto": 0, "valide": 0, "rejete": 0, "ajoute": 0})
        per[mention.status] = per.get(mention.status, 0) + 1
    for record in data.contracts.to_dict("records"):
        cid = str(record["contract_id"])
        per = counts.get(cid, {"auto": 0, "valide": 0, "rejete": 0, "ajoute": 0})
        total = sum(per.values())
        decided = total - per.get("auto", 0)
        rows.append(
            {
                "contract_id": cid,
                "territory": record.get("territory", ""),
                "department": record.get("department", ""),
                "status": record.get("status", ""),
                "pages": record.get("pages", ""),
                "pages_illisibles": record.get("pages_unread", ""),
                "n_detections": total,
                "n_auto": per.get("auto", 0),
                "n_valide": per.get("valide", 0),
                "n_rejete": per.get("rejete", 0),
                "n_ajoute": per.get("ajoute", 0),
                "couverture_revue": round(decided / total, 3) if total else "",
                "pct_revu": percent(decided, total),
                "error": record.get("error", ""),
            }
        )
    return pd.DataFrame(rows)


EVIDENCE_COLUMNS = [
    "contract_id",
    "page",
    "entity_id",
    "entity_name",
    "kind",
    "role",
    "theme",
    "status",
    "score",
    "method",
    "detection_id",
    "snippet",
    "mark_start",
    "mark_end",
    "via_entity_id",
    "via_entity_name",
]


def evidence_table(data: RunData) -> pd.DataFrame:
    """Every detection behind the tables (decisions applied), under the entity it counts for: its own, and its
    group's (with `via_entity_*` naming the member found), in evidence order: the drill-down list."""
    frame = data.detections.assign(via_entity_id="", via_entity_name="")
    group_of = data.group_of
    members = frame[frame["entity_id"].isin(group_of)]
    if len(members):
        by_id = data.lexicon.by_id()
        groups = members.assign(
            via_entity_id=members["entity_id"],
            via_entity_name=members["entity_name"],
            entity_id=members["entity_id"].map(group_of),
        )
        groups["entity_name"] = groups["entity_id"].map(lambda gid: by_id[gid].name)
        frame = pd.concat([frame, groups], ignore_index=True)
    frame = frame.reindex(columns=EVIDENCE_COLUMNS, fill_value="")
    return frame.sort_values(["entity_id", "contract_id", "page"], kind="stable").reset_index(drop=True)
