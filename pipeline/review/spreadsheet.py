"""Spreadsheet round trip for offline review: export one row per detection with drop-downs, import the
reviewed file back.

Import validates the whole file first (another run's file, unknown ids, edited read-only columns, bad
values), with French messages naming rows; nothing is written unless every row is valid. Only rows the
reviewer changed since the export count, and a row already in the wanted state is skipped, so importing
the same file twice changes nothing.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pipeline.files import atomic_write_bytes
from pipeline.french import fr_datetime, plural
from pipeline.inert import inert_cell, inert_row, inert_to_value
from pipeline.review.apply import decision_summary
from pipeline.review.session import ROLES_BY_KIND, ReviewError, ReviewSession
from pipeline.review.store import Decision, NewDecision, OvertakenError

SHEET = "Détections"
HIDDEN = "_cdv"
LISTS = "listes"
READ_ONLY = ["detection_id", "contrat", "entite", "sigle", "type", "role", "theme", "page", "extrait", "score"]
EDITABLE = ["decision", "nouveau_role", "nouveau_theme", "commentaire"]
HEADER = READ_ONLY + EDITABLE
DECISIONS = ("valider", "rejeter", "retablir")
STATUS_TO_DECISION = {"valide": "valider", "rejete": "rejeter"}
FIRST_COPY_ROW = 5


class SpreadsheetError(ReviewError):
    """The file cannot be imported; `problems` lists every French message naming its row."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass
class ImportResult:
    """What an import did."""

    recorded: int = 0
    unchanged: int = 0
    untouched: int = 0
    overtaken: list[str] = field(default_factory=list)


def cell_text(value: Any) -> str:
    """A cell as comparable text (`3.0` -> `3`, None -> ``), as it was before export made it inert."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(inert_to_value(str(value))).strip()


def export_rows(session: ReviewSession) -> list[tuple[list[Any], int]]:
    """Rows of the sheet (current decided state) with the id of the decision in force on each."""
    view = session.view()
    rows = []
    decided = view.decided.sort_values(["contract_id", "page", "start"], kind="stable")
    for record in decided.to_dict("records"):
        decision = view.resolution.decision_for(str(record["detection_id"]))
        comment = str(decision.after.get("comment", "")) if decision else ""
        values = [
            record["detection_id"],
            record["contract_id"],
            record["entity_name"],
            record["entity_acronym"],
            record["kind"],
            record["role"],
            record["theme"],
            int(record["page"]),
            record["snippet"],
            float(record["score"]),
            STATUS_TO_DECISION.get(str(record["status"]), ""),
            "",
            "",
            comment,
        ]
        rows.append((values, decision.id if decision else 0))
    return rows


def export_workbook(session: ReviewSession, out: Path) -> int:
    """Write the review workbook; return the number of detections exported."""
    if out.suffix.lower() != ".xlsx":
        raise ReviewError(f"{out} : le fichier doit avoir l'extension .xlsx.")
    rows = export_rows(session)
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(HEADER)
    for values, _ in rows:
        sheet.append(inert_row(values))
    bold, grey = Font(bold=True), PatternFill("solid", fgColor="EEEEEE")
    editable_fill = PatternFill("solid", fgColor="FFF7D6")
    for index, name in enumerate(HEADER, start=1):
        sheet.cell(row=1, column=index).font = bold
        sheet.cell(row=1, column=index).fill = editable_fill if name in EDITABLE else grey
    widths = {"detection_id": 18, "contrat": 14, "entite": 34, "extrait": 80, "commentaire": 30}
    for index, name in enumerate(HEADER, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(name, 13)
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADER))}{max(len(rows) + 1, 2)}"

    lists = book.create_sheet(LISTS)
    themes = [theme for theme, _ in session.themes()]
    roles = ["signataire", "mentionne", "articulation"]
    for column, values in enumerate((list(DECISIONS), roles, themes), start=1):
        for row, value in enumerate(values, start=1):
            lists.cell(row=row, column=column, value=inert_cell(value))
    lists.sheet_state = "hidden"
    last = max(len(rows) + 1, 2)
    for name, column_letter, count in (
        ("decision", "A", 3),
        ("nouveau_role", "B", 3),
        ("nouveau_theme", "C", len(themes)),
    ):
        validation = DataValidation(
            type="list",
            formula1=f"={LISTS}!${column_letter}$1:${column_letter}${max(count, 1)}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Valeur invalide",
            error="Choisissez une valeur de la liste.",
        )
        letter = get_column_letter(HEADER.index(name) + 1)
        validation.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(validation)

    hidden = book.create_sheet(HIDDEN)
    hidden.append(inert_row(["run_id", session.run_id]))
    hidden.append(["exporte_le", datetime.now(UTC).isoformat(timespec="seconds")])
    hidden.append(["detections", len(rows)])
    hidden.append([*HEADER, "basis"])
    for values, basis in rows:
        hidden.append(inert_row([*values, basis]))
    hidden.sheet_state = "veryHidden"
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.tmp")
    book.save(temporary)
    atomic_write_bytes(out, temporary.read_bytes())
    temporary.unlink()
    return len(rows)


@dataclass
class Change:
    """One reviewed row to record: the actions in order, and the state it should end in."""

    line: int
    detection_id: str
    actions: list[tuple[str, str]]
    comment: str
    basis: int


def read_workbook(path: Path) -> tuple[Any, Any]:
    """The visible and hidden sheets of an exported workbook, or a French error."""
    try:
        book = load_workbook(path, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged or foreign file
        raise SpreadsheetError(f"{path} : classeur illisible ({type(error).__name__}).") from error
    if SHEET not in book.sheetnames or HIDDEN not in book.sheetnames:
        raise SpreadsheetError(f"{path} : ce classeur n'a pas été produit par « cdv review export ».")
    return book[SHEET], book[HIDDEN]


def validate(session: ReviewSession, path: Path) -> list[Change]:
    """Check the whole file; return the changes, or raise with every problem found."""
    sheet, hidden = read_workbook(path)
    exported_run = cell_text(hidden.cell(row=1, column=2).value)
    if exported_run != session.run_id:
        raise SpreadsheetError(
            f"{path.name} a été exporté du run « {exported_run} », pas du run relu « {session.run_id} » : "
            "exportez à nouveau avec cdv review export."
        )
    header = [cell_text(cell.value) for cell in next(sheet.iter_rows(min_row=1, max_row=1))][: len(HEADER)]
    if header != HEADER:
        raise SpreadsheetError(f"{path.name} : en-têtes modifiés ; attendus : {', '.join(HEADER)}.")
    exported: dict[str, tuple[list[str], int]] = {}
    for values in hidden.iter_rows(min_row=FIRST_COPY_ROW, values_only=True):
        texts = [cell_text(v) for v in values[: len(HEADER)]]
        if texts and texts[0]:
            exported[texts[0]] = (texts, int(values[len(HEADER)] or 0))
    decided = session.view().decided
    kinds = dict(zip(decided["detection_id"].astype(str), decided["kind"].astype(str), strict=True))
    themes = {theme for theme, _ in session.themes()}
    problems: list[str] = []
    changes: list[Change] = []
    seen: set[str] = set()
    for line, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        texts = [cell_text(v) for v in (list(values) + [None] * len(HEADER))[: len(HEADER)]]
        if not any(texts):
            continue
        row = dict(zip(HEADER, texts, strict=True))
        detection_id = row["detection_id"]
        if detection_id not in exported or detection_id not in kinds:
            problems.append(f"Ligne {line} : identifiant de détection inconnu « {detection_id} ».")
            continue
        if detection_id in seen:
            problems.append(f"Ligne {line} : la détection « {detection_id} » apparaît deux fois.")
            continue
        seen.add(detection_id)
        before, basis = exported[detection_id]
        for index, name in enumerate(READ_ONLY):
            if row[name] != before[index]:
                problems.append(f"Ligne {line} : la colonne « {name} » a été modifiée ; elle est en lecture seule.")
        decision, role, theme = row["decision"].lower(), row["nouveau_role"], row["nouveau_theme"]
        if decision not in ("", *DECISIONS):
            problems.append(f"Ligne {line} : décision « {row['decision']} » invalide ({', '.join(DECISIONS)} ou vide).")
        allowed = ROLES_BY_KIND.get(kinds[detection_id], ())
        if role and role not in allowed:
            problems.append(
                f"Ligne {line} : rôle « {role} » impossible pour un {kinds[detection_id]} ({', '.join(allowed)})."
            )
        if theme and theme not in themes:
            problems.append(f"Ligne {line} : thème « {theme} » inconnu.")
        if decision in ("rejeter", "retablir") and (role or theme):
            problems.append(f"Ligne {line} : un nouveau rôle ou thème n'a pas de sens avec la décision « {decision} ».")
        wanted = [decision, role, theme, row["commentaire"]]
        if wanted == before[len(READ_ONLY) :]:
            continue
        actions: list[tuple[str, str]] = []
        if decision in ("rejeter", "retablir"):
            actions.append((decision, ""))
        if role:
            actions.append(("role", role))
        if theme:
            actions.append(("theme", theme))
        if decision == "valider" and not actions:
            actions.append(("valider", ""))
        if not actions and row["commentaire"] != before[HEADER.index("commentaire")]:
            actions.append(("note", ""))
        if actions:
            changes.append(Change(line, detection_id, actions, row["commentaire"], basis))
    if problems:
        raise SpreadsheetError(
            f"{path.name} : {plural(len(problems), 'problème')}, rien n'a été importé. Corrigez les lignes indiquées.",
            problems,
        )
    return changes


def already_done(current: Mapping[Any, Any], actions: list[tuple[str, str]], comment: str, note: str) -> bool:
    """True when the detection is already in the state the row asks for (re-import changes nothing)."""
    if comment != note:
        return False
    for action, value in actions:
        if action == "rejeter" and current["status"] != "rejete":
            return False
        if action == "retablir" and current["status"] != "auto":
            return False
        if action == "valider" and current["status"] not in ("valide", "ajoute"):
            return False
        if action == "role" and (current["role"] != value or current["status"] == "auto"):
            return False
        if action == "theme" and (current["theme"] != value or current["status"] == "auto"):
            return False
    return True


def import_workbook(
    session: ReviewSession, path: Path, reviewer: str | None = None, replace: bool = False
) -> ImportResult:
    """Validate then record the reviewed rows in one transaction (all or nothing, even if killed); idempotent.

    A row whose detection a colleague decided after the export would supersede that decision: the import
    then records nothing and says which rows, unless `replace` (`--remplacer`) is given.
    """
    changes = validate(session, path)
    name = (reviewer or getpass.getuser() or "").strip()
    if not name:
        raise SpreadsheetError("indiquez le relecteur avec --reviewer.")
    view = session.view()
    rows = {str(r["detection_id"]): r for r in view.decided.to_dict("records")}
    result = ImportResult(untouched=max(0, len(rows) - len(changes)))
    planned: list[NewDecision] = []
    for change in changes:
        current = rows[change.detection_id]
        decision = view.resolution.decision_for(change.detection_id)
        note = str(decision.after.get("comment", "")) if decision else ""
        if already_done(current, change.actions, change.comment, note):
            result.unchanged += 1
            continue
        if decision is not None and decision.id != change.basis and decision.reviewer != name:
            result.overtaken.append(overtaken_line(change.line, decision))
        previous: NewDecision | None = None
        for index, (action, value) in enumerate(change.actions):
            previous = session.prepare(
                change.detection_id,
                action,
                name,
                value=value,
                comment=change.comment,
                basis=change.basis if index == 0 else None,
                source="tableur",
                previous=previous,
            )
            planned.append(previous)
        result.recorded += 1
    if result.overtaken and not replace:
        raise overtaken_error(path, len(result.overtaken), result.overtaken)
    try:
        session.record_all(planned, protect_others=not replace)
    except OvertakenError as error:  # a colleague decided while the file was being checked
        lines = [overtaken_line(0, decision) for decision in error.overtaken]
        raise overtaken_error(path, len(lines), lines) from error
    return result


def overtaken_line(line: int, decision: Decision) -> str:
    """A French line naming a colleague's decision that an imported row would supersede."""
    where = f"Ligne {line} : " if line else ""
    return (
        f"{where}{decision.reviewer} a décidé ({decision_summary(decision)}) le {fr_datetime(decision.created_at)} "
        "(heure de Paris), après l'export, "
        f"sur la détection « {decision.detection_id} »."
    )


def overtaken_error(path: Path, count: int, lines: list[str]) -> SpreadsheetError:
    return SpreadsheetError(
        f"{path.name} remplacerait {plural(count, 'décision prise', 'décisions prises')} par des collègues depuis "
        "l'export ; rien n'a été "
        f"importé. Relancez avec --remplacer pour {'la' if count < 2 else 'les'} remplacer, ou exportez à nouveau.",
        lines,
    )
