"""Run history: every run, the contract versions it read, and what changed since the previous run.

`record_run(workspace, record)` is called once a run's outputs are written. It registers the versions
read (idempotent with `pipeline.versions.register_versions`), keeps a snapshot of the run's small output
files in `runs/<run_id>/` of the workspace (so that the detections of an old version stay readable after
`outputs/latest` is replaced), and stores in the tables `history_*` what changed against the previous run
on the same corpus: new, replaced and removed contract versions, and what `cdv diff` (`pipeline.diff`)
says changed between the two runs' outputs (entities gained, lost, role changed; table cells moved).
Without `pipeline.diff`, a small comparison of `contract_entities.csv` in this module is used instead.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.files import atomic_write_bytes
from pipeline.inert import read_csv_rows
from pipeline.types import ContractFile
from pipeline.versions import connect, now_iso, register_versions
from pipeline.workspace import Workspace

HISTORY_SCHEMA = """
CREATE TABLE IF NOT EXISTS history_runs (
    run_id TEXT PRIMARY KEY,
    started_at TEXT NOT NULL DEFAULT '',
    finished_at TEXT NOT NULL DEFAULT '',
    corpus TEXT NOT NULL DEFAULT '',
    out TEXT NOT NULL DEFAULT '',
    lexicon_version TEXT NOT NULL DEFAULT '',
    versions TEXT NOT NULL DEFAULT '{}',
    counts TEXT NOT NULL DEFAULT '{}',
    previous_run TEXT NOT NULL DEFAULT '',
    recorded_at TEXT NOT NULL DEFAULT '',
    snapshot TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS history_contracts (
    run_id TEXT NOT NULL,
    contract_id TEXT NOT NULL,
    sha256 TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT '',
    change TEXT NOT NULL DEFAULT '',
    previous_sha256 TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, contract_id)
);
CREATE TABLE IF NOT EXISTS history_changes (
    run_id TEXT NOT NULL,
    contract_id TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    entity_name TEXT NOT NULL DEFAULT '',
    change TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS history_changes_run ON history_changes (run_id);
CREATE TABLE IF NOT EXISTS history_checks (
    checked_at TEXT NOT NULL,
    corpus TEXT NOT NULL DEFAULT '',
    out TEXT NOT NULL DEFAULT '',
    run_id TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT ''
);
"""

SNAPSHOT_FILES = (
    "run.json",
    "contracts.csv",
    "contract_entities.csv",
    "tables/partenaires.csv",
    "tables/articulations.csv",
    "tables/indicateurs.csv",
)  # every file `cdv diff` compares: runs are compared snapshot to snapshot, like with like
COMPARED_FIELDS = ("signataire", "mentionne", "n_mentions", "pages", "themes")
FIELD_LABELS = {
    "signataire": "signataire",
    "mentionne": "mentionné",
    "n_mentions": "mentions",
    "pages": "pages",
    "themes": "thèmes",
}


@dataclass(frozen=True)
class EntityChange:
    """One (contract, entity) row of `contract_entities.csv` added, removed or modified between two runs."""

    contract_id: str
    entity_id: str
    entity_name: str
    change: str  # ajoute / retire / modifie
    detail: str = ""


@dataclass
class RunSummary:
    """One recorded run, as `cdv history` shows it."""

    run_id: str
    started_at: str
    finished_at: str
    corpus: str
    out: str
    lexicon_version: str
    versions: dict[str, str]
    counts: dict[str, int]
    previous_run: str
    snapshot: str
    contract_hashes: dict[str, str] = field(default_factory=dict)
    contract_changes: list[tuple[str, str, str, str]] = field(default_factory=list)
    entity_changes: list[EntityChange] = field(default_factory=list)


def read_rows(path: Path) -> list[dict[str, str]]:
    """A CSV file as dictionaries (empty when absent)."""
    if not path.exists():
        return []
    return read_csv_rows(path)


def diff_contract_entities(before: list[dict[str, str]], after: list[dict[str, str]]) -> list[EntityChange]:
    """Rows of `contract_entities.csv` added, removed or whose role, mentions, pages or themes changed."""
    old = {(row["contract_id"], row["entity_id"]): row for row in before}
    new = {(row["contract_id"], row["entity_id"]): row for row in after}
    changes: list[EntityChange] = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a is None and b is not None:
            role = "signataire" if b.get("signataire") == "1" else "mentionné"
            changes.append(EntityChange(key[0], key[1], b.get("entity_name", ""), "ajoute", role))
        elif b is None and a is not None:
            changes.append(EntityChange(key[0], key[1], a.get("entity_name", ""), "retire"))
        elif a is not None and b is not None:
            details = [
                f"{FIELD_LABELS[name]} {a.get(name, '')} → {b.get(name, '')}"
                for name in COMPARED_FIELDS
                if a.get(name, "") != b.get(name, "")
            ]
            if details:
                changes.append(EntityChange(key[0], key[1], b.get("entity_name", ""), "modifie", ", ".join(details)))
    return changes


ROLE_LABELS = {"signataire": "signataire", "mentionne": "mentionné", "": "∅"}


def compare_runs(before: Path, after: Path) -> list[EntityChange]:
    """What changed between two run folders, through `cdv diff` when available (else `contract_entities.csv`)."""
    try:
        from pipeline.diff import diff_runs
    except ImportError:  # pragma: no cover - before `cdv diff` existed
        diff_runs = None  # type: ignore[assignment]
    if diff_runs is None or not (before / "run.json").exists() or not (after / "run.json").exists():
        return diff_contract_entities(
            read_rows(before / "contract_entities.csv"), read_rows(after / "contract_entities.csv")
        )
    changes = []
    for row in diff_runs(before, after).to_dict("records"):
        kind, was, now = str(row["type"]), str(row["avant"]), str(row["apres"])
        name, entity_id, contract_id = str(row["entity_name"]), str(row["entity_id"]), str(row["contract_id"])
        if kind == "gagne":
            changes.append(EntityChange(contract_id, entity_id, name, "ajoute", ROLE_LABELS.get(now, now)))
        elif kind == "perdu":
            changes.append(EntityChange(contract_id, entity_id, name, "retire", f"était {ROLE_LABELS.get(was, was)}"))
        elif kind == "role":
            detail = f"{ROLE_LABELS.get(was, was)} → {ROLE_LABELS.get(now, now)}"
            changes.append(EntityChange(contract_id, entity_id, name, "modifie", detail))
        else:
            detail = f"{row['table']} {row['field']} : {was or '∅'} → {now or '∅'}"
            changes.append(EntityChange(contract_id, entity_id, name, "cellule", detail))
    return changes


def as_mapping(record: Any) -> dict[str, Any]:
    """A `RunRecord` or a `run.json` dictionary as a plain dictionary."""
    if isinstance(record, Mapping):
        return dict(record)
    return dict(vars(record))


def snapshot_run(workspace: Workspace, out: Path, run_id: str) -> Path:
    """Copy the run's small output files (and gzipped detections) into `runs/<run_id>/` of the workspace,
    each atomically."""
    target = workspace.runs / run_id
    target.mkdir(parents=True, exist_ok=True)
    for name in SNAPSHOT_FILES:
        source = out / name
        if source.exists():
            atomic_write_bytes(target / name, source.read_bytes())
    detections = out / "detections.csv"
    if detections.exists():
        atomic_write_bytes(target / "detections.csv.gz", gzip.compress(detections.read_bytes(), mtime=0))
    return target


def contract_files(rows: list[dict[str, Any]], corpus: Path) -> list[ContractFile]:
    """The contract versions a run read successfully, as registry input."""
    files = []
    for row in rows:
        if row.get("status") != "ok" or not row.get("sha256") or row.get("duplicate_of"):
            continue
        path = corpus / str(row.get("file", ""))
        size = path.stat().st_size if path.exists() else 0
        files.append(ContractFile(str(row["contract_id"]), path, str(row["sha256"]), size))
    return files


def record_run(workspace: Workspace, record: Any, register: bool = True, folder: Path | None = None) -> RunSummary:
    """Store a finished run in the history with what changed since the previous run on the same corpus.

    `record` is the flow's `RunRecord` (or `run.json` as a dictionary); its files are read from `folder`
    (the staging folder about to become `out`), else from `out`. What changed is computed between the
    snapshots of the two runs, which hold the same files. Idempotent: recording the same run id twice
    replaces the first record.
    """
    data = as_mapping(record)
    run_id = str(data["run_id"])
    corpus = str(data.get("corpus", ""))
    out = Path(str(data.get("out", "")))
    source = Path(folder) if folder is not None else out
    rows: list[dict[str, Any]] = list(data.get("contracts") or [])
    if register:
        register_versions(workspace, contract_files(rows, Path(corpus)), run_id=run_id)
    snapshot = snapshot_run(workspace, source, run_id) if source.exists() else None
    previous = last_run(workspace, Path(corpus), before=str(data.get("started_at", "")), exclude=run_id)
    before_hashes = previous.contract_hashes if previous else {}
    before_unread = unread_contracts(workspace, previous.run_id) if previous else set()
    entity_changes = compare_runs(Path(previous.snapshot), snapshot or source) if previous and previous.snapshot else []
    contract_changes: list[tuple[str, str, str, str]] = []
    seen: set[str] = set()
    for row in rows:
        contract_id = str(row["contract_id"])
        sha256 = str(row.get("sha256") or "")
        if row.get("duplicate_of"):
            continue
        seen.add(contract_id)
        old = before_hashes.get(contract_id, "")
        change = "nouveau" if not old else "inchange" if old == sha256 else "remplace"
        if not sha256:  # unreadable or missing: a change only if it was read last time, or is new
            change = "inchange" if contract_id in before_unread else "absent"
        contract_changes.append((contract_id, str(row.get("status", "")), change, old))
    for contract_id in sorted(set(before_hashes) - seen):
        contract_changes.append((contract_id, "", "retire", before_hashes[contract_id]))
    hashes = {str(r["contract_id"]): str(r.get("sha256") or "") for r in rows if not r.get("duplicate_of")}
    with connect(workspace) as connection:
        connection.executescript(HISTORY_SCHEMA)
        for table in ("history_runs", "history_contracts", "history_changes"):
            connection.execute(f"DELETE FROM {table} WHERE run_id = ?", (run_id,))
        connection.execute(
            "INSERT INTO history_runs (run_id, started_at, finished_at, corpus, out, lexicon_version, versions, "
            "counts, previous_run, recorded_at, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run_id,
                str(data.get("started_at", "")),
                str(data.get("finished_at", "")),
                corpus,
                str(out),
                str(data.get("lexicon_version", "")),
                json.dumps(data.get("versions") or {}, ensure_ascii=False),
                json.dumps(data.get("counts") or {}, ensure_ascii=False),
                previous.run_id if previous else "",
                now_iso(),
                str(snapshot or ""),
            ),
        )
        connection.executemany(
            "INSERT INTO history_contracts (run_id, contract_id, sha256, status, change, previous_sha256) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(run_id, cid, hashes.get(cid, ""), status, change, old) for cid, status, change, old in contract_changes],
        )
        connection.executemany(
            "INSERT INTO history_changes (run_id, contract_id, entity_id, entity_name, change, detail) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(run_id, c.contract_id, c.entity_id, c.entity_name, c.change, c.detail) for c in entity_changes],
        )
    summary = load_run(workspace, run_id)
    assert summary is not None
    return summary


def record_check(workspace: Workspace, corpus: Path, out: Path, run_id: str, message: str) -> None:
    """Record a run that found nothing new (`cdv run` without changes): when, on what, against which run."""
    with connect(workspace) as connection:
        connection.executescript(HISTORY_SCHEMA)
        connection.execute(
            "INSERT INTO history_checks (checked_at, corpus, out, run_id, message) VALUES (?, ?, ?, ?, ?)",
            (now_iso(), str(Path(corpus).resolve()), str(Path(out).resolve()), run_id, message),
        )


def checks_since(workspace: Workspace, run_id: str) -> list[tuple[str, str]]:
    """(when, message) of the checks that found nothing new since a run, oldest first."""
    if not workspace.database.exists():
        return []
    with connect(workspace) as connection:
        connection.executescript(HISTORY_SCHEMA)
        rows = connection.execute(
            "SELECT checked_at, message FROM history_checks WHERE run_id = ? ORDER BY checked_at", (run_id,)
        ).fetchall()
    return [(row["checked_at"], row["message"]) for row in rows]


def record_run_folder(folder: Path, workspace: Workspace | None = None) -> RunSummary | None:
    """Record the run whose complete files are in `folder`, in its own workspace (from `run.json`) unless one
    is given: the history step of a run's swap, and of the next run finishing an interrupted one."""
    data = json.loads((Path(folder) / "run.json").read_text(encoding="utf-8"))
    if workspace is None:
        recorded = str(data.get("workspace") or "")
        if not recorded or not Path(recorded).is_dir():
            return None
        workspace = Workspace(Path(recorded))
    return record_run(workspace, data, register=False, folder=Path(folder))


def unread_contracts(workspace: Workspace, run_id: str) -> set[str]:
    """Contracts a recorded run listed without a file version (missing or refused): still so is no change."""
    with connect(workspace) as connection:
        connection.executescript(HISTORY_SCHEMA)
        rows = connection.execute(
            "SELECT contract_id FROM history_contracts WHERE run_id = ? AND sha256 = ''", (run_id,)
        ).fetchall()
    return {row["contract_id"] for row in rows}


def _summary(connection: Any, row: Any, details: bool) -> RunSummary:
    summary = RunSummary(
        run_id=row["run_id"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        corpus=row["corpus"],
        out=row["out"],
        lexicon_version=row["lexicon_version"],
        versions=json.loads(row["versions"] or "{}"),
        counts=json.loads(row["counts"] or "{}"),
        previous_run=row["previous_run"],
        snapshot=row["snapshot"],
    )
    contracts = connection.execute(
        "SELECT contract_id, sha256, status, change, previous_sha256 FROM history_contracts WHERE run_id = ? "
        "ORDER BY contract_id",
        (summary.run_id,),
    ).fetchall()
    summary.contract_hashes = {c["contract_id"]: c["sha256"] for c in contracts if c["sha256"]}
    if details:
        summary.contract_changes = [
            (c["contract_id"], c["change"], c["sha256"], c["previous_sha256"]) for c in contracts
        ]
        summary.entity_changes = [
            EntityChange(c["contract_id"], c["entity_id"], c["entity_name"], c["change"], c["detail"])
            for c in connection.execute(
                "SELECT * FROM history_changes WHERE run_id = ? ORDER BY contract_id, entity_id", (summary.run_id,)
            ).fetchall()
        ]
    return summary


def load_run(workspace: Workspace, run_id: str) -> RunSummary | None:
    """One recorded run with its changes."""
    with connect(workspace) as connection:
        connection.executescript(HISTORY_SCHEMA)
        row = connection.execute("SELECT * FROM history_runs WHERE run_id = ?", (run_id,)).fetchone()
        return _summary(connection, row, details=True) if row else None


def list_runs(workspace: Workspace, limit: int | None = None) -> list[RunSummary]:
    """Recorded runs, most recent first, with their changes."""
    if not workspace.database.exists():
        return []
    with connect(workspace) as connection:
        connection.executescript(HISTORY_SCHEMA)
        rows = connection.execute(
            "SELECT * FROM history_runs ORDER BY started_at DESC, recorded_at DESC LIMIT ?",
            (limit if limit is not None else -1,),
        ).fetchall()
        return [_summary(connection, row, details=True) for row in rows]


def last_run(workspace: Workspace, corpus: Path, before: str = "", exclude: str = "") -> RunSummary | None:
    """The most recent recorded run on this corpus folder (started before `before` if given)."""
    if not workspace.database.exists():
        return None
    corpus_key = str(Path(corpus).resolve())
    with connect(workspace) as connection:
        connection.executescript(HISTORY_SCHEMA)
        query = "SELECT * FROM history_runs WHERE corpus = ? AND run_id != ?"
        parameters: list[str] = [corpus_key, exclude]
        if before:
            query += " AND started_at <= ?"
            parameters.append(before)
        row = connection.execute(query + " ORDER BY started_at DESC, recorded_at DESC LIMIT 1", parameters).fetchone()
        return _summary(connection, row, details=False) if row else None


def runs_for_version(workspace: Workspace, contract_id: str, sha256: str) -> list[str]:
    """Run ids (oldest first) that read this version of this contract: where its detections are kept."""
    if not workspace.database.exists():
        return []
    with connect(workspace) as connection:
        connection.executescript(HISTORY_SCHEMA)
        rows = connection.execute(
            "SELECT c.run_id FROM history_contracts c JOIN history_runs r ON r.run_id = c.run_id "
            "WHERE c.contract_id = ? AND c.sha256 = ? ORDER BY r.started_at",
            (contract_id, sha256),
        ).fetchall()
    return [row["run_id"] for row in rows]
