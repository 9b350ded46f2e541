"""Fault injection: kill -9 real `cdv run`, `cdv tables` and `cdv review import` processes at chosen moments,
then check that nothing a user cares about is lost.

Usage: .venv/bin/python benchmarks/faults.py [--workdir DIR] [--rounds N] [--keep]

Each kill stops a real `cdv` subprocess, either after a delay or at a chosen moment: a `sitecustomize` written
into a temporary folder on PYTHONPATH makes one function of a cdv module pause when `CDV_FAULT_POINT` names it
(`module:function:before|after:N`), in whichever process runs it (the cdv process, a worker or a child of the
resident analyser, which is stopped before each command so that it starts with the command's fault point), and
say so in a file; the script then kills the process group (as a crash would) or only the main process. After
every kill it checks that:
- the output folder is whole: its marker, every file the marker lists, readable, `run.json` of the same run;
- the workspace is intact: SQLite integrity, every decision recorded before still there and still in force;
- no foreign file is deleted: notes in the run folder, in the workspace, beside them and in the corpus;
- an import is never partly recorded.
Every run kill is followed by a probe: the next `cdv run`, paused right after its start-up checks, must have
left no `.out.staging-*` / `.out.previous-*` folder (then it is killed too). Kills of the main process only
check that no process of its group survives (Prefect server, workers). At the end, a run completes: no
leftover, its history entry written, no Prefect flow run left RUNNING. Runs use one Prefect server started
here (except the main-process kills, which use their own temporary server). The last line printed is one
JSON object of counts; the exit code is 1 if any check failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CDV = str(Path(sys.executable).parent / "cdv")

HOOK = r'''
"""Fault injection hook (benchmarks/faults.py): pause in a named function when CDV_FAULT_POINT says so."""
import importlib.abc
import importlib.util
import os
import sys
import time

POINT = os.environ.get("CDV_FAULT_POINT", "")
SIGNAL = os.environ.get("CDV_FAULT_SIGNAL", "")


def pause():
    with open(SIGNAL, "a") as stream:
        stream.write(f"{os.getpid()}\n")
    while True:
        time.sleep(60)


def wrap(function, when, nth):
    count = [0]

    def wrapper(*args, **kwargs):
        count[0] += 1
        if when == "before" and count[0] == nth:
            pause()
        result = function(*args, **kwargs)
        if when == "after" and count[0] == nth:
            pause()
        return result

    return wrapper


class Proxy:
    def __init__(self, target, attribute, wrapper):
        self._target, self._attribute, self._wrapper = target, attribute, wrapper

    def __getattr__(self, name):
        return self._wrapper if name == self._attribute else getattr(self._target, name)


def patch(module, name, when, nth):
    if "." not in name:
        setattr(module, name, wrap(getattr(module, name), when, nth))
        return
    owner, attribute = name.split(".", 1)
    target = getattr(module, owner)
    wrapped = wrap(getattr(target, attribute), when, nth)
    if isinstance(target, type):
        setattr(target, attribute, wrapped)
    else:
        setattr(module, owner, Proxy(target, attribute, wrapped))


class Finder(importlib.abc.MetaPathFinder):
    def __init__(self, module, name, when, nth):
        self.module, self.name, self.when, self.nth = module, name, when, nth

    def find_spec(self, fullname, path, target=None):
        if fullname != self.module:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        execute = spec.loader.exec_module

        def exec_module(module):
            execute(module)
            patch(module, self.name, self.when, self.nth)

        spec.loader.exec_module = exec_module
        return spec


if POINT and SIGNAL:
    module_name, function_name, moment, number = POINT.split(":")
    sys.meta_path.insert(0, Finder(module_name, function_name, moment, int(number)))
'''

# Moments of `cdv run`: (label, fault point or delay in seconds, kill the whole group).
RUN_MOMENTS: list[tuple[str, str | float]] = [
    ("démarrage (3 s)", 3.0),
    ("serveur Prefect prêt, avant le flow", "pipeline.flowruns:mark_crashed_runs:after:1"),
    ("lecture d'une nouvelle version (cache de pages)", "pipeline.cache:store_pages:after:1"),
    ("analyses finies, avant l'écriture", "pipeline.run:contract_records:before:1"),
    ("écriture du dossier provisoire (2 CSV)", "pipeline.report.outputs:write_csv:after:2"),
    ("publication : tables écrites, graphiques non", "pipeline.report.publish:write_charts:before:1"),
    ("dossier provisoire complet, historique non écrit", "pipeline.runfolder:write_marker:after:1"),
    ("historique écrit, avant le remplacement", "pipeline.history:record_run_folder:after:1"),
    ("échange atomique fait, ancien dossier pas rangé", "pipeline.runfolder:exchange:after:1"),
    ("fichiers étrangers liés dans le nouveau dossier", "pipeline.runfolder:link_kept:after:1"),
    ("rangement de l'ancien dossier commencé", "pipeline.runfolder:same_entry:after:1"),
    ("remplacement fait, flow Prefect pas encore fini", "pipeline.runfolder:swap_in:after:1"),
]
PROBE = "pipeline.flows:run_corpus:before:1"
TABLE_MOMENTS: list[tuple[str, str | float]] = [
    ("cdv tables : 5 fichiers écrits", "pipeline.report.publish:write_csv:after:4"),
    ("cdv tables : avant publication.json", "pipeline.report.publish:write_charts:after:1"),
]
MAIN_ONLY_MOMENTS: list[tuple[str, str | float]] = [
    ("processus principal seul : serveur Prefect prêt", "pipeline.flowruns:mark_crashed_runs:after:1"),
    ("processus principal seul : workers lancés", "pipeline.run:contract_records:before:1"),
]
IMPORT_MOMENTS: list[tuple[str, str | float]] = [
    ("import : démarrage (0,5 s)", 0.5),
    ("import : classeur lu, pas encore vérifié", "pipeline.review.spreadsheet:read_workbook:after:1"),
    ("import : classeur vérifié, rien écrit", "pipeline.review.spreadsheet:validate:after:1"),
    ("import : 1re décision dans la transaction", "pipeline.review.store:DecisionStore._insert:after:1"),
    ("import : moitié des décisions", "pipeline.review.store:DecisionStore._insert:after:4"),
    ("import : dernière décision, avant COMMIT", "pipeline.review.store:DecisionStore._insert:after:8"),
    ("import : après COMMIT", "pipeline.review.store:DecisionStore.record_all:after:1"),
]
EDITED_ROWS = 8


@dataclass
class Counts:
    """What the run measured; the problems found, named."""

    kills: int = 0
    kills_run: int = 0
    kills_probe: int = 0
    kills_tables: int = 0
    kills_main_only: int = 0
    kills_import: int = 0
    decisions_lost: int = 0
    foreign_files_deleted: int = 0
    leftover_folders_after_next_run: int = 0
    outputs_not_whole: int = 0
    workspace_damaged: int = 0
    partial_imports: int = 0
    orphan_processes: int = 0
    unexpected_exits: int = 0
    flow_runs_left_running: int = 0
    flow_runs_crashed: int = 0
    problems: list[str] = field(default_factory=list)

    def fail(self, counter: str, message: str) -> None:
        setattr(self, counter, getattr(self, counter) + 1)
        self.problems.append(message)
        print(f"  ÉCHEC {counter} : {message}", flush=True)


class Lab:
    """The corpus, workspace and output folder the faults are injected into, and the checks."""

    def __init__(self, work: Path, counts: Counts) -> None:
        self.work, self.counts = work, counts
        self.corpus, self.out, self.ws = work / "corpus", work / "runs" / "out", work / "ws"
        self.hook = work / "hook"
        self.logs = work / "logs"
        self.prefect_home = work / "prefect"
        self.api_url = ""
        self.foreign: dict[Path, bytes] = {}
        self.decisions: set[int] = set()
        self.in_force: set[int] = set()
        self.serial = 0
        self.last_leftovers: list[str] = []

    # Processes

    def env(self, point: str = "", own_server: bool = False) -> dict[str, str]:
        env = {
            **os.environ,
            "PYTHONPATH": str(self.hook),
            "CDV_FAULT_POINT": point,
            "CDV_FAULT_SIGNAL": str(self.work / f"pause-{self.serial}"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "240",
        }
        if own_server:  # the run's own temporary server, which must die with it
            env.pop("PREFECT_API_URL", None)
            env.pop("PREFECT_HOME", None)
            env["CDV_PREFECT_IDLE_SECONDS"] = "0"
        else:
            env.update(PREFECT_API_URL=self.api_url, PREFECT_HOME=str(self.prefect_home))
        return env

    def run_args(self) -> list[str]:
        return [
            "run", "--corpus", str(self.corpus), "--out", str(self.out), "--workspace", str(self.ws), "--sans-ner",
            "--force",
        ]  # fmt: skip

    def launch(
        self, args: list[str], point: str = "", own_server: bool = False
    ) -> tuple[subprocess.Popen[bytes], Path]:
        self.serial += 1
        self.stop_resident_analyser()  # started again by this command, with its own fault point
        log = (self.logs / f"{self.serial:03d}.log").open("wb")
        env = self.env(point, own_server)
        process = subprocess.Popen([CDV, *args], env=env, stdout=log, stderr=log, start_new_session=True, cwd=self.work)
        return process, Path(env["CDV_FAULT_SIGNAL"])

    def stop_resident_analyser(self) -> None:
        """Stop the resident analyser of the lab's Prefect home: it keeps the fault point of the command that
        started it, and the analysis moments pause in its children."""
        with contextlib.suppress(OSError, ValueError, KeyError):
            pid = int(json.loads((self.prefect_home / "analyseur.json").read_text(encoding="utf-8"))["pid"])
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 30
            while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            os.kill(pid, signal.SIGKILL)  # paused itself (a fault point it runs): its children exit with their runs

    def complete(self, args: list[str], label: str, own_server: bool = False) -> str:
        """Run a cdv command to its end; its output."""
        process, _ = self.launch(args, own_server=own_server)
        code = process.wait(timeout=900)
        output = (self.logs / f"{self.serial:03d}.log").read_text(encoding="utf-8", errors="replace")
        if code != 0:
            raise RuntimeError(f"{label} : code {code}\n{output}")
        return output

    def kill_at(
        self, args: list[str], label: str, moment: str | float, group: bool = True, own_server: bool = False
    ) -> bool:
        """Start a command, kill it at `moment`; False when it ended before the moment came."""
        process, flag = self.launch(args, moment if isinstance(moment, str) else "", own_server)
        deadline = time.monotonic() + (moment if isinstance(moment, float) else 600)
        while time.monotonic() < deadline:
            if isinstance(moment, str) and flag.exists() and flag.read_text().strip():
                break
            if process.poll() is not None:
                if process.returncode != 0:
                    self.counts.fail("unexpected_exits", f"{label} : code {process.returncode} avant le moment")
                else:
                    print(f"  (le processus a fini avant le moment « {label} »)", flush=True)
                return False
            time.sleep(0.05)
        else:
            if isinstance(moment, str):
                raise RuntimeError(f"{label} : moment jamais atteint")
        if group:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            os.kill(process.pid, signal.SIGKILL)
        process.wait()
        self.counts.kills += 1
        survivors = self.wait_group(process.pid, 90 if not group else 10)
        if survivors:
            self.counts.fail("orphan_processes", f"{label} : {len(survivors)} processus survivent ({survivors})")
            for pid in survivors:
                with_suppress(lambda pid=pid: os.kill(pid, signal.SIGKILL))
            self.wait_group(process.pid, 10)
        print(f"  tué : {label}", flush=True)
        return True

    @staticmethod
    def wait_group(session: int, seconds: float) -> list[int]:
        """Processes of a session still alive after at most `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            alive = []
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    except (OSError, IndexError):
                        continue
                    if int(fields[3]) == session and fields[0] != "Z":
                        alive.append(int(entry.name))
            if not alive or time.monotonic() > deadline:
                return alive
            time.sleep(0.2)

    # Checks

    def leftovers(self) -> list[str]:
        return sorted(p.name for p in self.out.parent.iterdir() if ".staging-" in p.name or ".previous-" in p.name)

    def check(self, label: str) -> None:
        self.check_outputs(label)
        self.check_workspace(label)
        for path, data in self.foreign.items():
            if not path.exists() or path.read_bytes() != data:
                self.counts.fail("foreign_files_deleted", f"{label} : {path} perdu")

    def check_outputs(self, label: str) -> None:
        import pandas as pd
        from openpyxl import load_workbook

        from pipeline.runfolder import read_marker

        marker = read_marker(self.out)
        if marker is None:
            self.counts.fail("outputs_not_whole", f"{label} : {self.out} sans marqueur")
            return
        try:
            missing = [name for name in marker.files if not (self.out / name).is_file()]
            if missing:
                raise ValueError(f"fichiers manquants {missing[:5]}")
            run = json.loads((self.out / "run.json").read_text(encoding="utf-8"))
            if run["run_id"] != marker.run_id:
                raise ValueError("run.json d'un autre run que le marqueur")
            for name in marker.files:
                if name.endswith(".csv"):
                    pd.read_csv(self.out / name, dtype=str)
                elif name.endswith(".json"):
                    json.loads((self.out / name).read_text(encoding="utf-8"))
            load_workbook(self.out / "rapport.xlsx", read_only=True).close()
        except Exception as error:
            self.counts.fail("outputs_not_whole", f"{label} : {type(error).__name__} {error}")

    def check_workspace(self, label: str) -> None:
        try:
            with sqlite3.connect(self.ws / "cdv.sqlite3", timeout=30) as connection:
                if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                    self.counts.fail("workspace_damaged", f"{label} : base SQLite endommagée")
                ids = {row[0] for row in connection.execute("SELECT id FROM review_decisions")}
                current = {
                    row[0] for row in connection.execute("SELECT id FROM review_decisions WHERE superseded_by IS NULL")
                }
        except sqlite3.Error as error:
            self.counts.fail("workspace_damaged", f"{label} : {error}")
            return
        lost = (self.decisions - ids) | (self.in_force - current)
        if lost:
            self.counts.fail("decisions_lost", f"{label} : décisions perdues ou remplacées {sorted(lost)[:10]}")
            self.counts.decisions_lost += len(lost) - 1

    def imported(self) -> int:
        with sqlite3.connect(self.ws / "cdv.sqlite3", timeout=30) as connection:
            return int(
                connection.execute("SELECT COUNT(*) FROM review_decisions WHERE reviewer = 'Fautes'").fetchone()[0]
            )

    def flow_runs(self, database: Path) -> dict[str, int]:
        if not database.exists():
            return {}
        with sqlite3.connect(database, timeout=30) as connection:
            rows = connection.execute("SELECT state_type, COUNT(*) FROM flow_run GROUP BY state_type").fetchall()
        return {str(state): int(count) for state, count in rows}


def with_suppress(action: Any) -> None:
    with contextlib.suppress(OSError):
        action()


def write_corpus(corpus: Path, version: int = 1) -> None:
    """Three small contracts (reportlab), one of them at `version`."""
    sys.path.insert(0, str(ROOT / "tests"))
    from contract_pdf import write_contract

    bodies = {
        "c1": ["Axe emploi\nFrance Travail et la Mission locale accompagnent les jeunes vers l'emploi."],
        "c2": ["Axe santé\nL'ARS et la CPAM portent le contrat local de santé. Le CLSPD se réunit."],
        "c3": ["Cadre de vie\nLes bailleurs sociaux mobilisent l'abattement de TFPB et la GUSP."],
    }
    for contract_id, body in bodies.items():
        pages = body + [
            f"Avenant n° {n}\nLa Caisse d'allocations familiales rejoint le contrat." for n in range(1, version)
        ]
        write_contract(corpus / f"{contract_id}.pdf", pages if contract_id == "c1" else body)
    rows = ["contract_id,file,territory,department"] + [f"{c},{c}.pdf,Territoire {c},Aude" for c in bodies]
    (corpus / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def setup(lab: Lab) -> None:
    """Corpus, first complete run, colleagues' decisions, foreign files."""
    from pipeline.review.session import ReviewSession
    from pipeline.workspace import Workspace

    for folder in (lab.hook, lab.logs, lab.prefect_home, lab.out.parent):
        folder.mkdir(parents=True, exist_ok=True)
    (lab.hook / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    write_corpus(lab.corpus)
    lab.complete(lab.run_args(), "premier run")
    session = ReviewSession(lab.out, Workspace(lab.ws))
    detections = session.detections.sort_values("detection_id")
    for index, detection_id in enumerate(detections["detection_id"][::2][:12]):
        decision = session.decide(str(detection_id), ("valider", "rejeter")[index % 2], "Bruno").decision
        lab.decisions.add(decision.id)
        lab.in_force.add(decision.id)
    for path, text in {
        lab.out / "notes.txt": "remarques de l'analyste",
        lab.out / "tables" / "perso" / "calcul.ods": "à garder",
        lab.ws / "mes-notes.txt": "notes dans l'espace de travail",
        lab.out.parent / "a-cote.txt": "à côté du dossier de sortie",
        lab.corpus / "lisez-moi.txt": "dans le corpus",
    }.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        lab.foreign[path] = path.read_bytes()


def run_kills(lab: Lab, rounds: int) -> None:
    """Every moment of `cdv run`, each followed by a probe of the next run's start."""
    version = 1
    for round_number in range(rounds):
        for label, moment in RUN_MOMENTS:
            if "nouvelle version" in label:
                version += 1
                write_corpus(lab.corpus, version)
            name = f"run {round_number + 1} : {label}"
            if lab.kill_at(lab.run_args(), name, moment):
                lab.counts.kills_run += 1
            lab.check(name)
            before_probe = lab.leftovers()
            if lab.kill_at(lab.run_args(), f"{name} → départ suivant", PROBE):
                lab.counts.kills_probe += 1
            remaining = lab.leftovers()
            if remaining:
                lab.counts.fail("leftover_folders_after_next_run", f"{name} : {remaining} (avant : {before_probe})")
            lab.check(f"{name} → départ suivant")


def table_kills(lab: Lab) -> None:
    for label, moment in TABLE_MOMENTS:
        if lab.kill_at(["tables", "--run", str(lab.out), "--workspace", str(lab.ws)], label, moment):
            lab.counts.kills_tables += 1
        lab.check(label)


def main_only_kills(lab: Lab) -> None:
    """Kill only the main process (its own temporary Prefect server); then a run on that server completes."""
    for label, moment in MAIN_ONLY_MOMENTS:
        if lab.kill_at(lab.run_args(), label, moment, group=False, own_server=True):
            lab.counts.kills_main_only += 1
        lab.check(label)
    lab.complete(lab.run_args(), "run complet, serveur Prefect temporaire", own_server=True)
    lab.check("run complet, serveur Prefect temporaire")


def import_kills(lab: Lab) -> None:
    """Kills of `cdv review import` of one reviewed file: never partly recorded; then it completes."""
    from openpyxl import load_workbook

    from pipeline.french import plural
    from pipeline.review.session import ReviewSession
    from pipeline.review.spreadsheet import HEADER, export_workbook
    from pipeline.workspace import Workspace

    book = lab.work / "relecture.xlsx"
    session = ReviewSession(lab.out, Workspace(lab.ws))
    export_workbook(session, book)
    workbook = load_workbook(book)
    sheet = workbook["Détections"]
    decision_column = HEADER.index("decision") + 1
    edited = 0
    for row in range(2, sheet.max_row + 1):
        if not sheet.cell(row, decision_column).value and edited < EDITED_ROWS:  # rows no colleague decided
            sheet.cell(row, decision_column).value = "rejeter" if edited % 2 else "valider"
            edited += 1
    workbook.save(book)
    args = ["review", "import", str(book), "--reviewer", "Fautes", "--run", str(lab.out), "--workspace", str(lab.ws)]
    for label, moment in IMPORT_MOMENTS:
        if lab.kill_at(args, label, moment):
            lab.counts.kills_import += 1
        recorded = lab.imported()
        expected = (EDITED_ROWS,) if "après COMMIT" in label else (0,)
        if recorded not in expected:
            lab.counts.fail("partial_imports", f"{label} : {recorded} sur {EDITED_ROWS} décisions enregistrées")
        lab.check(label)
    output = lab.complete(args, "import complet")
    expected = f"{plural(0, 'décision enregistrée')}, {plural(EDITED_ROWS, 'ligne déjà à jour', 'lignes déjà à jour')}"
    if not output.startswith(expected):
        lab.counts.fail("partial_imports", f"import complet après les arrêts : {output.strip()}")
    with sqlite3.connect(lab.ws / "cdv.sqlite3") as connection:
        for (decision_id,) in connection.execute("SELECT id FROM review_decisions WHERE reviewer = 'Fautes'"):
            lab.decisions.add(int(decision_id))
            lab.in_force.add(int(decision_id))


def final_run(lab: Lab, label: str) -> None:
    """A run to its end: no leftover, no temporary file, history written, nothing left RUNNING in Prefect."""
    from pipeline.history import list_runs
    from pipeline.runfolder import read_marker
    from pipeline.workspace import Workspace

    lab.complete(lab.run_args(), label)
    lab.check(label)
    remaining = lab.leftovers() + [p.name for p in lab.out.rglob("*.tmp")]
    if remaining:
        lab.counts.fail("leftover_folders_after_next_run", f"{label} : {remaining}")
    marker = read_marker(lab.out)
    runs = list_runs(Workspace(lab.ws), limit=1)
    if marker is None or not runs or runs[0].run_id != marker.run_id:
        lab.counts.fail("outputs_not_whole", f"{label} : run absent de l'historique")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=1, help="passes over the moments of cdv run")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="cdv-faults-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ["PREFECT_HOME"] = str(work / "prefect")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "240")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    started = time.monotonic()
    counts = Counts()
    lab = Lab(work, counts)
    from pipeline.flowruns import temporary_server

    server = temporary_server()
    server.start(timeout=240)
    lab.api_url = server.api_url
    try:
        setup(lab)
        run_kills(lab, args.rounds)
        table_kills(lab)
        main_only_kills(lab)
        final_run(lab, "run complet après les arrêts")
        import_kills(lab)
        final_run(lab, "run complet après les imports")
    finally:
        server.stop()
    for database in (lab.prefect_home / "prefect.db", lab.ws / ".prefect" / "prefect.db"):
        states = lab.flow_runs(database)
        counts.flow_runs_crashed += states.get("CRASHED", 0)
        left = sum(states.get(state, 0) for state in ("RUNNING", "PENDING"))
        if left:
            counts.fail("flow_runs_left_running", f"{database} : {states}")
    report = {key: value for key, value in vars(counts).items() if key != "problems"}
    report["seconds"] = round(time.monotonic() - started, 1)
    report["workdir"] = str(work) if args.keep else ""
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    for problem in counts.problems:
        print(f"ÉCHEC : {problem}")
    print(json.dumps(report, ensure_ascii=False))
    sys.exit(1 if counts.problems else 0)


if __name__ == "__main__":
    main()
