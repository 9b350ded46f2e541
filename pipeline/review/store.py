"""The decision store: every reviewer decision in the workspace's SQLite database, append-only.

Nothing is deleted: a new decision on a detection supersedes the previous one (`superseded_by`), and the
audit trail keeps who, when, before and after. Tables are prefixed `review_` (the database is shared with
the version registry). WAL mode and `BEGIN IMMEDIATE` transactions serialise concurrent reviewers: both
decisions are recorded, the later wins, and the writer is told when someone decided in between.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pipeline.errors import CdvError
from pipeline.french import plural
from pipeline.workspace import Workspace, open_database

SCHEMA = """
CREATE TABLE IF NOT EXISTS review_decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id TEXT NOT NULL,
    detection_id TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    context TEXT NOT NULL DEFAULT '',
    page INTEGER NOT NULL DEFAULT 0,
    action TEXT NOT NULL,
    before TEXT NOT NULL DEFAULT '{}',
    after TEXT NOT NULL DEFAULT '{}',
    reviewer TEXT NOT NULL,
    created_at TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'web',
    coding TEXT NOT NULL DEFAULT 'principal',
    run_id TEXT NOT NULL DEFAULT '',
    basis INTEGER,
    superseded_by INTEGER,
    superseded_at TEXT
);
CREATE INDEX IF NOT EXISTS review_decisions_detection ON review_decisions (contract_id, detection_id);
CREATE INDEX IF NOT EXISTS review_decisions_current ON review_decisions (coding, superseded_by);
CREATE TABLE IF NOT EXISTS review_indicator_decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id TEXT NOT NULL,
    indicator_id TEXT NOT NULL,
    value TEXT NOT NULL,
    auto_value TEXT NOT NULL DEFAULT '',
    confirmed INTEGER NOT NULL DEFAULT 0,
    comment TEXT NOT NULL DEFAULT '',
    before TEXT NOT NULL DEFAULT '{}',
    reviewer TEXT NOT NULL,
    created_at TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'web',
    run_id TEXT NOT NULL DEFAULT '',
    superseded_by INTEGER,
    superseded_at TEXT
);
CREATE INDEX IF NOT EXISTS review_indicator_current ON review_indicator_decisions (contract_id, indicator_id);
CREATE TABLE IF NOT EXISTS review_assignments (
    reviewer TEXT NOT NULL,
    contract_id TEXT NOT NULL,
    assigned_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    PRIMARY KEY (reviewer, contract_id)
);
"""

ACTIONS = ("valider", "rejeter", "role", "theme", "entite", "ajouter", "note", "retablir", "annuler")
INDICATOR_VALUES = ("oui", "non", "sans_objet")


def now_iso() -> str:
    """UTC time with microseconds (decisions of one second stay ordered for the reader)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Decision:
    """One row of the audit trail: what a reviewer decided on one detection, and what it was before."""

    id: int
    contract_id: str
    detection_id: str
    entity_id: str
    context: str
    page: int
    action: str
    before: dict[str, Any]
    after: dict[str, Any]
    reviewer: str
    created_at: str
    source: str = "web"
    coding: str = "principal"
    run_id: str = ""
    basis: int | None = None
    superseded_by: int | None = None


@dataclass(frozen=True)
class NewDecision:
    """A decision to record (the store assigns id and time)."""

    contract_id: str
    detection_id: str
    entity_id: str
    context: str
    page: int
    action: str
    before: dict[str, Any]
    after: dict[str, Any]
    reviewer: str
    source: str = "web"
    coding: str = "principal"
    run_id: str = ""
    basis: int | None = None
    also_supersede: tuple[int, ...] = ()


@dataclass(frozen=True)
class Recorded:
    """The stored decision and, when another decision was made since the writer looked, that one."""

    decision: Decision
    overtaken: Decision | None = None


@dataclass(frozen=True)
class IndicatorDecision:
    """A reviewer's value for one indicator of one contract (confirmed automatic value or entered by hand)."""

    id: int
    contract_id: str
    indicator_id: str
    value: str
    auto_value: str
    confirmed: bool
    comment: str
    reviewer: str
    created_at: str
    source: str = "web"
    superseded_by: int | None = None
    before: dict[str, Any] = field(default_factory=dict)


def row_to_decision(row: sqlite3.Row) -> Decision:
    return Decision(
        id=row["id"],
        contract_id=row["contract_id"],
        detection_id=row["detection_id"],
        entity_id=row["entity_id"],
        context=row["context"],
        page=row["page"],
        action=row["action"],
        before=json.loads(row["before"]),
        after=json.loads(row["after"]),
        reviewer=row["reviewer"],
        created_at=row["created_at"],
        source=row["source"],
        coding=row["coding"],
        run_id=row["run_id"],
        basis=row["basis"],
        superseded_by=row["superseded_by"],
    )


def row_to_indicator(row: sqlite3.Row) -> IndicatorDecision:
    return IndicatorDecision(
        id=row["id"],
        contract_id=row["contract_id"],
        indicator_id=row["indicator_id"],
        value=row["value"],
        auto_value=row["auto_value"],
        confirmed=bool(row["confirmed"]),
        comment=row["comment"],
        reviewer=row["reviewer"],
        created_at=row["created_at"],
        source=row["source"],
        superseded_by=row["superseded_by"],
        before=json.loads(row["before"]),
    )


class OvertakenError(CdvError):
    """Decisions colleagues made after the writer looked would be superseded; nothing was recorded."""

    def __init__(self, overtaken: list[Decision]) -> None:
        super().__init__(
            f"{plural(len(overtaken), 'décision prise', 'décisions prises')} par des collègues entre-temps "
            f"{'serait remplacée' if len(overtaken) < 2 else 'seraient remplacées'} ; "
            "rien n'a été enregistré."
        )
        self.overtaken = overtaken


class DecisionStore:
    """Decisions of one workspace; each method opens its own short connection (thread-safe)."""

    def __init__(self, workspace: Workspace) -> None:
        self.path = workspace.database
        with self.connect() as connection:
            connection.executescript(SCHEMA)
        # Held open for the store's life, so that closing a short connection is never the last close, which
        # would checkpoint the write-ahead log each time (milliseconds per decision).
        self._keeper = open_database(self.path, autocommit=True)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in WAL mode with a patient busy timeout, committed on success."""
        connection = open_database(self.path, autocommit=True)
        try:
            yield connection
        finally:
            connection.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """`BEGIN IMMEDIATE`: one writer at a time, readers never blocked."""
        with self.connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def record(self, new: NewDecision) -> Recorded:
        """Append a decision, superseding the current one(s) on the same detection (same coding)."""
        with self.transaction() as connection:
            return self._insert(connection, new)

    def record_all(self, news: Sequence[NewDecision], protect_others: bool = False) -> list[Recorded]:
        """Append several decisions in one transaction: all are recorded or none (even if the process dies).

        With `protect_others`, nothing is recorded and `OvertakenError` is raised when a decision would
        supersede one another reviewer made after the decision its writer saw (`basis`).
        """
        with self.transaction() as connection:
            recorded = [self._insert(connection, new) for new in news]
            if protect_others:
                overtaken = [
                    r.overtaken
                    for r, new in zip(recorded, news, strict=True)
                    if r.overtaken and r.overtaken.reviewer != new.reviewer
                ]
                if overtaken:
                    raise OvertakenError(overtaken)
        return recorded

    def _insert(self, connection: sqlite3.Connection, new: NewDecision) -> Recorded:
        """One decision inside the caller's transaction."""
        if new.action not in ACTIONS:
            raise ValueError(f"action inconnue : {new.action}")
        query = (
            "SELECT * FROM review_decisions WHERE superseded_by IS NULL AND coding = ? "
            "AND contract_id = ? AND detection_id = ?"
        )
        params: list[Any] = [new.coding, new.contract_id, new.detection_id]
        if new.coding != "principal":
            query += " AND reviewer = ?"
            params.append(new.reviewer)
        current = [row_to_decision(row) for row in connection.execute(query, params)]
        if new.also_supersede:
            marks = ",".join("?" * len(new.also_supersede))
            current += [
                row_to_decision(row)
                for row in connection.execute(
                    f"SELECT * FROM review_decisions WHERE superseded_by IS NULL AND coding = ? AND id IN ({marks})",
                    [new.coding, *new.also_supersede],
                )
                if row["id"] not in {decision.id for decision in current}
            ]
        latest = max(current, key=lambda decision: decision.id, default=None)
        overtaken = latest if new.basis is not None and latest is not None and latest.id != new.basis else None
        created = now_iso()
        cursor = connection.execute(
            "INSERT INTO review_decisions (contract_id, detection_id, entity_id, context, page, action, before,"
            " after, reviewer, created_at, source, coding, run_id, basis) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                new.contract_id,
                new.detection_id,
                new.entity_id,
                new.context,
                new.page,
                new.action,
                json.dumps(new.before, ensure_ascii=False, sort_keys=True),
                json.dumps(new.after, ensure_ascii=False, sort_keys=True),
                new.reviewer,
                created,
                new.source,
                new.coding,
                new.run_id,
                new.basis,
            ),
        )
        decision_id = int(cursor.lastrowid or 0)
        for old in current:
            connection.execute(
                "UPDATE review_decisions SET superseded_by = ?, superseded_at = ? WHERE id = ?",
                (decision_id, created, old.id),
            )
        row = connection.execute("SELECT * FROM review_decisions WHERE id = ?", (decision_id,)).fetchone()
        return Recorded(row_to_decision(row), overtaken)

    def revision(self) -> int:
        """The id of the latest decision: changes on every write (cache key for views)."""
        with self.connect() as connection:
            return int(connection.execute("SELECT COALESCE(MAX(id), 0) FROM review_decisions").fetchone()[0])

    def indicator_revision(self) -> int:
        """The id of the latest indicator decision (changes on every indicator write)."""
        with self.connect() as connection:
            row = connection.execute("SELECT COALESCE(MAX(id), 0) FROM review_indicator_decisions").fetchone()
            return int(row[0])

    def stamp(self) -> str:
        """Changes whenever any review decision (on a detection or an indicator) is recorded: what a run's
        publication depends on besides the detections."""
        return f"{self.revision()}-{self.indicator_revision()}"

    def current(self, coding: str = "principal", contract_id: str | None = None) -> list[Decision]:
        """Decisions not superseded, oldest first."""
        query = "SELECT * FROM review_decisions WHERE superseded_by IS NULL AND coding = ?"
        params: list[Any] = [coding]
        if contract_id is not None:
            query += " AND contract_id = ?"
            params.append(contract_id)
        with self.connect() as connection:
            return [row_to_decision(row) for row in connection.execute(query + " ORDER BY id", params)]

    def since(self, decision_id: int, coding: str = "principal") -> list[Decision]:
        """Decisions of one coding recorded after `decision_id` (superseded ones included), oldest first."""
        with self.connect() as connection:
            rows = connection.execute(
                "SELECT * FROM review_decisions WHERE id > ? AND coding = ? ORDER BY id", (decision_id, coding)
            )
            return [row_to_decision(row) for row in rows]

    def all(self, contract_id: str | None = None) -> list[Decision]:
        """The whole audit trail (optionally of one contract), oldest first."""
        query, params = "SELECT * FROM review_decisions", []
        if contract_id is not None:
            query, params = query + " WHERE contract_id = ?", [contract_id]
        with self.connect() as connection:
            return [row_to_decision(row) for row in connection.execute(query + " ORDER BY id", params)]

    def by_ids(self, ids: Sequence[int]) -> dict[int, Decision]:
        """Decisions by id."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        with self.connect() as connection:
            rows = connection.execute(f"SELECT * FROM review_decisions WHERE id IN ({marks})", list(ids))
            return {row["id"]: row_to_decision(row) for row in rows}

    def overtaken_for(self, reviewer: str, contract_id: str) -> list[tuple[Decision, Decision]]:
        """This reviewer's decisions replaced by a colleague's later one: (mine, theirs) pairs, theirs current."""
        with self.connect() as connection:
            rows = connection.execute(
                "SELECT mine.id AS mine_id, theirs.id AS theirs_id FROM review_decisions mine "
                "JOIN review_decisions theirs ON theirs.id = mine.superseded_by "
                "WHERE mine.reviewer = ? AND theirs.reviewer != ? AND mine.contract_id = ? "
                "AND mine.coding = 'principal' AND theirs.superseded_by IS NULL",
                (reviewer, reviewer, contract_id),
            ).fetchall()
        found = self.by_ids([row["mine_id"] for row in rows] + [row["theirs_id"] for row in rows])
        return [(found[row["mine_id"]], found[row["theirs_id"]]) for row in rows]

    # Indicators

    def record_indicator(
        self,
        contract_id: str,
        indicator_id: str,
        value: str,
        auto_value: str,
        confirmed: bool,
        comment: str,
        reviewer: str,
        source: str = "web",
        run_id: str = "",
    ) -> IndicatorDecision:
        """Append an indicator decision, superseding the current one of this contract and indicator."""
        if value not in INDICATOR_VALUES:
            raise ValueError(f"valeur d'indicateur inconnue : {value}")
        with self.transaction() as connection:
            previous = connection.execute(
                "SELECT * FROM review_indicator_decisions WHERE superseded_by IS NULL AND contract_id = ? "
                "AND indicator_id = ? ORDER BY id DESC",
                (contract_id, indicator_id),
            ).fetchall()
            before = {"value": previous[0]["value"], "comment": previous[0]["comment"]} if previous else {}
            created = now_iso()
            cursor = connection.execute(
                "INSERT INTO review_indicator_decisions (contract_id, indicator_id, value, auto_value, confirmed,"
                " comment, before, reviewer, created_at, source, run_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    contract_id,
                    indicator_id,
                    value,
                    auto_value,
                    int(confirmed),
                    comment,
                    json.dumps(before, ensure_ascii=False),
                    reviewer,
                    created,
                    source,
                    run_id,
                ),
            )
            new_id = int(cursor.lastrowid or 0)
            for row in previous:
                connection.execute(
                    "UPDATE review_indicator_decisions SET superseded_by = ?, superseded_at = ? WHERE id = ?",
                    (new_id, created, row["id"]),
                )
            row = connection.execute("SELECT * FROM review_indicator_decisions WHERE id = ?", (new_id,)).fetchone()
        return row_to_indicator(row)

    def current_indicators(self, contract_id: str | None = None) -> list[IndicatorDecision]:
        """Indicator decisions not superseded."""
        query, params = "SELECT * FROM review_indicator_decisions WHERE superseded_by IS NULL", []
        if contract_id is not None:
            query, params = query + " AND contract_id = ?", [contract_id]
        with self.connect() as connection:
            return [row_to_indicator(row) for row in connection.execute(query + " ORDER BY id", params)]

    # Double coding

    def assign(self, reviewer: str, contract_ids: Sequence[str], assigned_by: str = "") -> None:
        """Give a reviewer contracts to code a second time, blind to the colleagues' decisions."""
        with self.transaction() as connection:
            for contract_id in contract_ids:
                connection.execute(
                    "INSERT OR IGNORE INTO review_assignments (reviewer, contract_id, assigned_by, created_at)"
                    " VALUES (?,?,?,?)",
                    (reviewer, contract_id, assigned_by, now_iso()),
                )

    def assignments(self, reviewer: str | None = None) -> list[tuple[str, str]]:
        """(reviewer, contract_id) pairs of double coding."""
        query, params = "SELECT reviewer, contract_id FROM review_assignments", []
        if reviewer is not None:
            query, params = query + " WHERE reviewer = ?", [reviewer]
        with self.connect() as connection:
            return [(row[0], row[1]) for row in connection.execute(query + " ORDER BY reviewer, contract_id", params)]
