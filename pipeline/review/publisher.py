"""Regenerate the published report and workbook from the review app: on request, and by itself after a pause.

The state the app shows is `a_jour` (the files include every decision and the current lexicons),
`a_regenerer`, `en_cours` or `erreur`. A publication covers the decisions recorded when it *started*; a
decision made during it leaves the state `a_regenerer`. Publications made from the app are remembered in
the workspace (`review_publications`); one made by `cdv tables` counts when its `publication.json` is newer
than the last decision and the lexicon files.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pipeline.errors import CdvError
from pipeline.review.session import ReviewError, ReviewSession
from pipeline.types import PublishSummary
from pipeline.workspace import open_database

DEFAULT_PAUSE = 30.0
SCHEMA = """
CREATE TABLE IF NOT EXISTS review_publications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_dir TEXT NOT NULL,
    revision TEXT NOT NULL,
    started_at TEXT NOT NULL,
    seconds REAL NOT NULL DEFAULT 0,
    reviewer TEXT NOT NULL DEFAULT ''
);
"""
STATE_LABELS = {
    "a_jour": "à jour",
    "a_regenerer": "à régénérer",
    "en_cours": "régénération en cours",
    "erreur": "échec de la régénération",
}


def publish_files(session: ReviewSession, png: bool) -> PublishSummary:
    """Regenerate every table, the workbook, the HTML report and the charts of the run (`publish`, as
    `cdv tables` does) with the session's lexicon and the decisions in force."""
    from pipeline.report.publish import republish

    lexicon = session.lexicon
    if lexicon is None:
        raise ReviewError("lexiques illisibles : régénération impossible (voir cdv lexicon check).")
    return republish(session.run_dir, lexicon, session.workspace, png=png)


@dataclass(frozen=True)
class PublicationState:
    """What the app shows about the published files."""

    state: str
    published_at: str = ""
    seconds: float = 0.0
    error: str = ""
    due_in: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "etat": self.state,
            "libelle": STATE_LABELS[self.state],
            "publie_le": self.published_at,
            "secondes": self.seconds,
            "erreur": self.error,
            "dans": None if self.due_in is None else round(self.due_in, 1),
        }


class Publisher:
    """Runs `publish_files` in a background thread, at most one at a time, `pause` seconds after the last change."""

    def __init__(
        self,
        session: ReviewSession,
        pause: float = DEFAULT_PAUSE,
        png: bool = True,
        publish: Callable[[ReviewSession, bool], PublishSummary] = publish_files,
    ) -> None:
        self.session = session
        self.pause = pause
        self.png = png
        self.publish = publish
        self._lock = threading.Lock()
        self._running = False
        self._due: float | None = None
        self._error = ""
        self._timer: threading.Timer | None = None
        connection = open_database(session.workspace.database, autocommit=True)
        try:
            connection.executescript(SCHEMA)
        finally:
            connection.close()

    def key(self) -> str:
        """The revision a publication must cover to be up to date."""
        return json.dumps([str(part) for part in self.session.revision()])

    def last(self) -> tuple[str, str, float] | None:
        """(revision, started_at, seconds) of the latest publication made from the app for this run."""
        connection = open_database(self.session.workspace.database, autocommit=True)
        try:
            row = connection.execute(
                "SELECT revision, started_at, seconds FROM review_publications WHERE run_dir = ? "
                "ORDER BY id DESC LIMIT 1",
                (str(self.session.run_dir.resolve()),),
            ).fetchone()
        finally:
            connection.close()
        return (row[0], row[1], float(row[2])) if row else None

    def cli_published_after_changes(self) -> str:
        """`published_at` of a `cdv tables` run newer than every decision and lexicon edit, else ''."""
        path = self.session.run_dir / "publication.json"
        if not path.exists():
            return ""
        published = path.stat().st_mtime
        changes = [latest_decision_time(self.session)]
        changes += [p.stat().st_mtime for p in self.session.lexicon_dir.glob("*.csv")]
        if published <= max(changes):
            return ""
        return datetime.fromtimestamp(published, UTC).isoformat(timespec="seconds")

    def status(self) -> PublicationState:
        with self._lock:
            running, error, due = self._running, self._error, self._due
        last = self.last()
        if running:
            return PublicationState("en_cours", last[1] if last else "")
        if error:
            return PublicationState("erreur", last[1] if last else "", error=error)
        if last is not None and last[0] == self.key():
            return PublicationState("a_jour", last[1], last[2])
        cli = self.cli_published_after_changes()
        if cli and (last is None or cli > last[1]):
            return PublicationState("a_jour", cli)
        remaining = None if due is None else max(0.0, due - time.monotonic())
        return PublicationState("a_regenerer", last[1] if last else "", due_in=remaining)

    def touch(self) -> None:
        """Something changed: regenerate after `pause` seconds without further change."""
        if self.pause <= 0:
            return
        with self._lock:
            self._due = time.monotonic() + self.pause
            if self._timer is None:
                self._timer = threading.Timer(self.pause, self._tick)
                self._timer.daemon = True
                self._timer.start()

    def _tick(self) -> None:
        with self._lock:
            self._timer = None
            due = self._due
            wait = 0.0 if due is None else due - time.monotonic()
            if wait > 0.05 or self._running:
                self._timer = threading.Timer(max(wait, 0.5), self._tick)
                self._timer.daemon = True
                self._timer.start()
                return
            self._due = None
        self.run("")

    def start(self, reviewer: str = "") -> bool:
        """Regenerate now in the background; False when a regeneration is already running."""
        with self._lock:
            if self._running:
                return False
            self._running = True
            self._due = None
        threading.Thread(target=self._work, args=(reviewer,), daemon=True).start()
        return True

    def run(self, reviewer: str) -> None:
        """Regenerate now, in this thread (unless one is running)."""
        with self._lock:
            if self._running:
                return
            self._running = True
        self._work(reviewer)

    def _work(self, reviewer: str) -> None:
        key = self.key()
        started = datetime.now(UTC).isoformat(timespec="seconds")
        tick = time.perf_counter()
        error = ""
        try:
            self.publish(self.session, self.png)
        except CdvError as failure:
            error = str(failure)
        except Exception as failure:  # the app must keep serving; the reviewer sees the cause
            error = f"{type(failure).__name__} : {failure}"
        seconds = round(time.perf_counter() - tick, 2)
        if not error:
            connection = open_database(self.session.workspace.database, autocommit=True)
            try:
                connection.execute(
                    "INSERT INTO review_publications (run_dir, revision, started_at, seconds, reviewer) "
                    "VALUES (?,?,?,?,?)",
                    (str(self.session.run_dir.resolve()), key, started, seconds, reviewer),
                )
            finally:
                connection.close()
        with self._lock:
            self._running = False
            self._error = error


def latest_decision_time(session: ReviewSession) -> float:
    """POSIX time of the latest decision (detections or indicators), 0 without any."""
    connection = open_database(session.workspace.database, autocommit=True)
    try:
        rows = [
            connection.execute("SELECT MAX(created_at) FROM review_decisions").fetchone()[0],
            connection.execute("SELECT MAX(created_at) FROM review_indicator_decisions").fetchone()[0],
        ]
    finally:
        connection.close()
    times = [datetime.fromisoformat(value).timestamp() for value in rows if value]
    return max(times, default=0.0)
