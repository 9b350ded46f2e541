"""Version registry: every file version of every contract, named and kept, in the workspace database.

A contract version is the sha256 of its file. The registry (table `registry_versions` of the workspace's
SQLite file, shared with the review decisions) says for each version its size, its source (file path or
URL), when it was first and last seen, and which version superseded it. The bytes of every version are
copied once into `versions/` of the workspace, so replacing a file in the corpus never loses the old one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pipeline.errors import WorkspaceError
from pipeline.files import mode_of
from pipeline.types import ContractFile
from pipeline.workspace import Workspace, open_database

ChangeKind = Literal["nouveau", "remplace", "retabli", "inchange"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS registry_versions (
    contract_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    version_no INTEGER NOT NULL,
    size INTEGER NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    file TEXT NOT NULL DEFAULT '',
    first_seen TEXT NOT NULL,
    first_run TEXT NOT NULL DEFAULT '',
    last_seen TEXT NOT NULL,
    superseded_by TEXT NOT NULL DEFAULT '',
    superseded_at TEXT NOT NULL DEFAULT '',
    current INTEGER NOT NULL DEFAULT 0,
    stored TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (contract_id, sha256)
);
CREATE INDEX IF NOT EXISTS registry_versions_current ON registry_versions (contract_id, current);
"""


def now_iso() -> str:
    """UTC time, to the second, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@contextmanager
def connect(workspace: Workspace) -> Iterator[sqlite3.Connection]:
    """A connection to the workspace database in WAL mode (shared with the review app), committed on exit."""
    try:
        connection = open_database(workspace.database)
    except sqlite3.Error as error:
        raise WorkspaceError(f"{workspace.database} : base de l'espace de travail inaccessible ({error}).") from error
    try:
        connection.executescript(SCHEMA)
        yield connection
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        connection.close()


@dataclass(frozen=True)
class Version:
    """One registered version of one contract."""

    contract_id: str
    sha256: str
    version_no: int
    size: int
    source: str
    file: str
    first_seen: str
    first_run: str
    last_seen: str
    superseded_by: str
    superseded_at: str
    current: bool
    stored: str

    @property
    def name(self) -> str:
        """The version's name for people: `contract@vN`."""
        return f"{self.contract_id}@v{self.version_no}"

    @property
    def short(self) -> str:
        return self.sha256[:12]


@dataclass(frozen=True)
class VersionChange:
    """What registering one contract file did: a new contract, a new version, a return to an old one, nothing."""

    contract_id: str
    kind: ChangeKind
    sha256: str
    previous_sha256: str = ""
    version_no: int = 1

    @property
    def is_new(self) -> bool:
        return self.kind != "inchange"


def row_to_version(row: sqlite3.Row) -> Version:
    return Version(
        contract_id=row["contract_id"],
        sha256=row["sha256"],
        version_no=row["version_no"],
        size=row["size"],
        source=row["source"],
        file=row["file"],
        first_seen=row["first_seen"],
        first_run=row["first_run"],
        last_seen=row["last_seen"],
        superseded_by=row["superseded_by"],
        superseded_at=row["superseded_at"],
        current=bool(row["current"]),
        stored=row["stored"],
    )


def stored_path(workspace: Workspace, sha256: str) -> Path:
    """Where the bytes of a version are kept in the workspace (content-addressed)."""
    return workspace.root / "versions" / sha256[:2] / f"{sha256}.pdf"


def keep_file(workspace: Workspace, source: Path, sha256: str) -> str:
    """Copy a version's bytes into the workspace once (copy, not link: the corpus file may be rewritten),
    never more readable than the source file."""
    target = stored_path(workspace, sha256)
    mode = mode_of(source)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.part")
        with source.open("rb") as reader, open(partial, "wb", opener=lambda p, f: os.open(p, f, 0o600)) as writer:
            shutil.copyfileobj(reader, writer)
        os.chmod(partial, mode)
        partial.replace(target)
    elif stat.S_IMODE(target.stat().st_mode) & ~mode:
        os.chmod(target, stat.S_IMODE(target.stat().st_mode) & mode)
    return str(target)


def register_version(
    connection: sqlite3.Connection,
    contract_id: str,
    sha256: str,
    size: int,
    source: str = "",
    file: str = "",
    run_id: str = "",
    stored: str = "",
    seen_at: str | None = None,
) -> VersionChange:
    """Record that `contract_id` is now at version `sha256`; idempotent for an unchanged version."""
    seen_at = seen_at or now_iso()
    current = connection.execute(
        "SELECT * FROM registry_versions WHERE contract_id = ? AND current = 1", (contract_id,)
    ).fetchone()
    known = connection.execute(
        "SELECT * FROM registry_versions WHERE contract_id = ? AND sha256 = ?", (contract_id, sha256)
    ).fetchone()
    if current is not None and current["sha256"] == sha256:
        connection.execute(
            "UPDATE registry_versions SET last_seen = ?, source = COALESCE(NULLIF(?, ''), source), "
            "file = COALESCE(NULLIF(?, ''), file), stored = COALESCE(NULLIF(?, ''), stored) "
            "WHERE contract_id = ? AND sha256 = ?",
            (seen_at, source, file, stored, contract_id, sha256),
        )
        return VersionChange(contract_id, "inchange", sha256, sha256, current["version_no"])
    if current is not None:
        connection.execute(
            "UPDATE registry_versions SET current = 0, superseded_by = ?, superseded_at = ? "
            "WHERE contract_id = ? AND sha256 = ?",
            (sha256, seen_at, contract_id, current["sha256"]),
        )
    previous = current["sha256"] if current is not None else ""
    if known is not None:
        connection.execute(
            "UPDATE registry_versions SET current = 1, superseded_by = '', superseded_at = '', last_seen = ? "
            "WHERE contract_id = ? AND sha256 = ?",
            (seen_at, contract_id, sha256),
        )
        return VersionChange(contract_id, "retabli", sha256, previous, known["version_no"])
    number = connection.execute(
        "SELECT COALESCE(MAX(version_no), 0) + 1 FROM registry_versions WHERE contract_id = ?", (contract_id,)
    ).fetchone()[0]
    connection.execute(
        "INSERT INTO registry_versions (contract_id, sha256, version_no, size, source, file, first_seen, first_run, "
        "last_seen, current, stored) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
        (contract_id, sha256, number, size, source, file, seen_at, run_id, seen_at, stored),
    )
    return VersionChange(contract_id, "remplace" if previous else "nouveau", sha256, previous, number)


def register_versions(
    workspace: Workspace,
    contracts: Iterable[ContractFile],
    run_id: str = "",
    sources: dict[str, str] | None = None,
    keep: bool = True,
) -> list[VersionChange]:
    """Register the contract files of a corpus scan; return per contract what is new.

    Duplicates (`duplicate_of`) are skipped. `sources` maps a contract id to its URL when it was
    downloaded (else the file path is the source). With `keep`, each new version's bytes are copied
    into the workspace so that every version stays available.
    """
    sources = sources or {}
    changes: list[VersionChange] = []
    with connect(workspace) as connection:
        for contract in contracts:
            if contract.duplicate_of:
                continue
            known = connection.execute(
                "SELECT stored FROM registry_versions WHERE contract_id = ? AND sha256 = ?",
                (contract.contract_id, contract.sha256),
            ).fetchone()
            stored = ""
            if keep and (known is None or not known["stored"]) and contract.path.exists():
                stored = keep_file(workspace, contract.path, contract.sha256)
            changes.append(
                register_version(
                    connection,
                    contract.contract_id,
                    contract.sha256,
                    contract.size,
                    source=sources.get(contract.contract_id, str(contract.path.resolve())),
                    file=contract.path.name,
                    run_id=run_id,
                    stored=stored,
                )
            )
    return changes


def list_versions(workspace: Workspace, contract_id: str | None = None) -> list[Version]:
    """Every registered version, by contract then version number."""
    if not workspace.database.exists():
        return []
    with connect(workspace) as connection:
        if contract_id is None:
            rows = connection.execute("SELECT * FROM registry_versions ORDER BY contract_id, version_no").fetchall()
        else:
            rows = connection.execute(
                "SELECT * FROM registry_versions WHERE contract_id = ? ORDER BY version_no", (contract_id,)
            ).fetchall()
    return [row_to_version(row) for row in rows]


def current_versions(workspace: Workspace) -> dict[str, Version]:
    """The current version of each contract, by contract id."""
    return {version.contract_id: version for version in list_versions(workspace) if version.current}


def find_version(workspace: Workspace, contract_id: str, ref: str) -> Version | None:
    """A version by number (`2`, `v2`) or by sha256 prefix (at least 6 characters)."""
    ref = ref.strip().lower().removeprefix("v")
    versions = list_versions(workspace, contract_id)
    if ref.isdigit() and len(ref) < 6:
        return next((v for v in versions if v.version_no == int(ref)), None)
    matches = [v for v in versions if len(ref) >= 6 and v.sha256.startswith(ref)]
    return matches[0] if len(matches) == 1 else None
