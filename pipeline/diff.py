"""What changed between two runs: per contract, entities gained or lost and roles changed; table cells moved.

Used after a new contract version or a lexicon change. Reads each run's `contract_entities.csv` and
`tables/*.csv` (as published), never the PDFs.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.errors import CdvError
from pipeline.french import plural
from pipeline.inert import csv_bytes, read_csv_text

DIFF_COLUMNS = ["type", "contract_id", "table", "entity_id", "entity_name", "field", "avant", "apres", "detail"]
TABLE_CELLS = {
    "tables/partenaires.csv": ("entity_id", ["n_signataire", "pct_signataire", "n_mentionne", "pct_mentionne"]),
    "tables/articulations.csv": ("entity_id", ["n_mentionne", "pct_mentionne"]),
    "tables/indicateurs.csv": ("indicator_id", ["n", "denominateur", "pct"]),
}


class DiffError(CdvError):
    """A run folder cannot be compared (missing files); the message is in French."""


def read_table(run_dir: Path, name: str, required: bool = True) -> pd.DataFrame:
    path = Path(run_dir) / name
    if not path.exists():
        if required:
            raise DiffError(f"{path} introuvable : {run_dir} n'est pas un résultat complet de cdv run.")
        return pd.DataFrame()
    return read_csv_text(path)


def role_of(row: pd.Series) -> str:
    return "signataire" if str(row.get("signataire", "0")) == "1" else "mentionne"


def roles_by_key(frame: pd.DataFrame) -> dict[tuple[str, str], str]:
    """`role_of` of every row of a frame indexed by (contract, entity), computed column-wise."""
    if frame.empty:
        return {}
    signed = frame["signataire"].astype(str) == "1" if "signataire" in frame else [False] * len(frame)
    return {key: "signataire" if flag else "mentionne" for key, flag in zip(frame.index, signed, strict=True)}


def entity_changes(before: pd.DataFrame, after: pd.DataFrame) -> list[dict[str, str]]:
    """Per contract: entities gained, lost, and whose role (signataire / mentionné) changed."""
    key = ["contract_id", "entity_id"]
    old = before.set_index(key) if not before.empty else pd.DataFrame()
    new = after.set_index(key) if not after.empty else pd.DataFrame()
    old_roles, new_roles = roles_by_key(old), roles_by_key(new)
    old_keys, new_keys = set(old.index), set(new.index)
    rows = []
    for contract_id, entity_id in sorted(new_keys - old_keys):
        row = new.loc[(contract_id, entity_id)]
        rows.append(
            {
                "type": "gagne",
                "contract_id": contract_id,
                "entity_id": entity_id,
                "entity_name": row["entity_name"],
                "field": "role",
                "avant": "",
                "apres": role_of(row),
                "detail": f"pages {row.get('pages', '')}",
            }
        )
    for contract_id, entity_id in sorted(old_keys - new_keys):
        row = old.loc[(contract_id, entity_id)]
        rows.append(
            {
                "type": "perdu",
                "contract_id": contract_id,
                "entity_id": entity_id,
                "entity_name": row["entity_name"],
                "field": "role",
                "avant": role_of(row),
                "apres": "",
                "detail": f"pages {row.get('pages', '')}",
            }
        )
    changed = sorted(k for k in old_keys & new_keys if old_roles[k] != new_roles[k])
    names = dict(zip(new.index, new["entity_name"], strict=True)) if changed else {}
    for contract_id, entity_id in changed:
        rows.append(
            {
                "type": "role",
                "contract_id": contract_id,
                "entity_id": entity_id,
                "entity_name": names[(contract_id, entity_id)],
                "field": "role",
                "avant": old_roles[(contract_id, entity_id)],
                "apres": new_roles[(contract_id, entity_id)],
                "detail": "",
            }
        )
    return rows


def cell_changes(run_a: Path, run_b: Path) -> list[dict[str, str]]:
    """Every cell of the main tables (counts and percentages) whose value moved."""
    rows = []
    for name, (key, fields) in TABLE_CELLS.items():
        if not (Path(run_a) / name).exists() or not (Path(run_b) / name).exists():
            continue  # a table one run did not publish is not compared: it would look entirely changed
        before = read_table(run_a, name)
        after = read_table(run_b, name)
        if before.empty and after.empty:
            continue
        old = before.set_index(key) if not before.empty else pd.DataFrame(columns=fields)
        new = after.set_index(key) if not after.empty else pd.DataFrame(columns=fields)
        label_column = "entity_name" if "entity_name" in after or "entity_name" in before else "label"
        for ident in sorted(set(old.index) | set(new.index)):
            for field in fields:
                was = str(old.loc[ident, field]) if ident in old.index and field in old else ""
                now = str(new.loc[ident, field]) if ident in new.index and field in new else ""
                if was != now:
                    source = new if ident in new.index else old
                    label = str(source.loc[ident, label_column]) if label_column in source else ""
                    rows.append(
                        {
                            "type": "cellule",
                            "contract_id": "",
                            "table": name.removeprefix("tables/"),
                            "entity_id": ident,
                            "entity_name": label,
                            "field": field,
                            "avant": was,
                            "apres": now,
                            "detail": "",
                        }
                    )
    return rows


def diff_runs(run_a: Path, run_b: Path) -> pd.DataFrame:
    """All differences from run A to run B, one row each (columns `DIFF_COLUMNS`)."""
    for run in (run_a, run_b):
        if not (Path(run) / "run.json").exists():
            raise DiffError(f"{run} : pas de run.json, ce dossier n'est pas un résultat de cdv run.")
    before = read_table(run_a, "contract_entities.csv")
    after = read_table(run_b, "contract_entities.csv")
    rows = [{**row, "table": "contract_entities.csv"} for row in entity_changes(before, after)]
    rows += cell_changes(run_a, run_b)
    return pd.DataFrame(rows, columns=DIFF_COLUMNS)


def diff_to_csv(diff: pd.DataFrame) -> bytes:
    """The differences as CSV, text cells inert in a spreadsheet."""
    return csv_bytes(diff)


def diff_summary(diff: pd.DataFrame, limit: int = 30) -> list[str]:
    """French lines for the terminal: counts, then the first changes."""
    counts = diff["type"].value_counts().to_dict() if len(diff) else {}
    lines = [
        f"Entités gagnées : {counts.get('gagne', 0)} ; perdues : {counts.get('perdu', 0)} ; "
        f"rôles changés : {counts.get('role', 0)} ; cellules de tables modifiées : {counts.get('cellule', 0)}"
    ]
    labels = {"gagne": "+", "perdu": "-", "role": "~", "cellule": "#"}
    for row in diff.head(limit).to_dict("records"):
        if row["type"] == "cellule":
            lines.append(
                f"  # {row['table']} {row['entity_name'] or row['entity_id']} {row['field']} : "
                f"{row['avant'] or '∅'} → {row['apres'] or '∅'}"
            )
        else:
            lines.append(
                f"  {labels[row['type']]} {row['contract_id']} {row['entity_name']} : "
                f"{row['avant'] or '∅'} → {row['apres'] or '∅'}"
            )
    if len(diff) > limit:
        lines.append(f"  … {plural(len(diff) - limit, 'autre différence', 'autres différences')} dans le fichier CSV.")
    return lines
