"""The workspace: the one folder holding state that outlives a run (caches, decisions, history)."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import WorkspaceError

WORKSPACE_ENV = "CDV_HOME"
DEFAULT_WORKSPACE = Path("outputs")


@dataclass(frozen=True)
class Workspace:
    """Paths inside a workspace folder; created on first use."""

    root: Path

    def __post_init__(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise WorkspaceError(
                f"Espace de travail {self.root} impossible à créer ({error.strerror}) : "
                "choisissez un autre dossier avec --workspace ou CDV_HOME."
            ) from error

    @property
    def page_cache(self) -> Path:
        return self.root / "cache" / "pages"

    @property
    def detection_cache(self) -> Path:
        return self.root / "cache" / "detections"

    @property
    def database(self) -> Path:
        """The workspace's SQLite database: review decisions, version registry, run history."""
        return self.root / "cdv.sqlite3"

    @property
    def prefect_home(self) -> Path:
        return self.root / ".prefect"

    @property
    def runs(self) -> Path:
        return self.root / "runs"

    @property
    def versions(self) -> Path:
        """Bytes of every contract version read (see `pipeline.versions`)."""
        return self.root / "versions"

    @property
    def demo_corpus(self) -> Path:
        return self.root / "demo-corpus"

    @property
    def state_paths(self) -> tuple[Path, ...]:
        """What the workspace keeps: no run folder may hold, replace or sit inside any of these."""
        database = self.database
        return (
            self.root / "cache",
            self.versions,
            self.runs,
            self.prefect_home,
            self.demo_corpus,
            database,
            database.with_name(database.name + "-wal"),
            database.with_name(database.name + "-shm"),
        )


def detections_cache_path(cache_dir: Path, sha256: str, key: str) -> Path:
    """Where the analysis of one file version under one key is stored (in `Workspace.detection_cache`)."""
    return cache_dir / sha256[:2] / f"{sha256}.{key}.json.gz"


def resolve_workspace(explicit: Path | None = None) -> Workspace:
    """`--workspace DIR`, else `$CDV_HOME`, else `outputs/` in the current folder."""
    if explicit is not None:
        return Workspace(Path(explicit))
    if os.environ.get(WORKSPACE_ENV):
        return Workspace(Path(os.environ[WORKSPACE_ENV]))
    return Workspace(DEFAULT_WORKSPACE)


def configure_prefect(workspace: Workspace, verbose: bool = False) -> None:
    """Prefect settings for a local run, set before Prefect is imported: its home in the workspace,
    no analytics (server side, and the client side whose first import prints an English notice about anonymous
    usage data in a terminal: `DO_NOT_TRACK`), a patient start of the ephemeral server, quiet logs unless asked."""
    os.environ.setdefault("PREFECT_HOME", str(workspace.prefect_home.resolve()))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    os.environ.setdefault("PREFECT_SERVER_UI_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def open_database(path: Path, autocommit: bool = False) -> sqlite3.Connection:
    """A connection to the workspace database, shared by review, versions and history: WAL mode (readers never
    block the writer), a patient busy timeout, rows by column name. `autocommit` leaves transactions explicit."""
    connection = sqlite3.connect(path, timeout=30, isolation_level=None if autocommit else "DEFERRED")
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA busy_timeout=30000")
    return connection
