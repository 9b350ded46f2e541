"""The resident analyser: a process that keeps the analysis resources loaded between runs (lexicon matcher, models,
spaCy's NER) and forks one child per contract to analyse — so that a run with one new version pays neither the
imports nor the loading (~8 s here), and every child shares those memory pages with the analyser.

Like the local Prefect server (`pipeline.prefect_server`), it is started by the first run that needs it, serves
the runs of one Prefect home, and stops after the same idle period (`CDV_PREFECT_IDLE_SECONDS`; 0: no resident
analyser, the run's own warm process pool is used). It listens on an abstract Unix socket of a random name, only
for processes of the same user that know the key of its state file (readable by its owner only), and checks the
code it serves: a run whose cdv code differs restarts it. `python -m pipeline.analyser` (key and address on
standard input) is that process; `analyse_resident` is what a run's task calls; `stop_analyser` stops it.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, replace
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client, Connection, answer_challenge, deliver_challenge
from pathlib import Path
from secrets import token_bytes, token_hex
from typing import Any

from pipeline.errors import CdvError
from pipeline.files import atomic_write_bytes
from pipeline.fingerprint import package_stamp
from pipeline.in_flight import start_in_flight, take_in_flight
from pipeline.prefect_server import idle_seconds, prefect_home, process_alive, server_lock, wait_until_ready
from pipeline.stage_versions import code_versions, stage_versions
from pipeline.types import ContractAnalysis, ContractFile, RunSettings
from pipeline.workspace import Workspace

STATE_FILE = "analyseur.json"
LOCK_FILE = "analyseur.lock"
LOG_FILE = "analyseur.log"
CODE_VERSIONS = ("cdv", "extraction", "analyse")
STARTUP_TIMEOUT_SECONDS = 120.0
HANDSHAKE_SECONDS = 5


class AnalyserError(CdvError):
    """The resident analyser could not be started or lost a contract (the message names the file and the log)."""


@dataclass(frozen=True)
class AnalyserState:
    """Where the resident analyser listens, the key to talk to it, and the code it serves."""

    pid: int
    address: str
    key: str
    code: str

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__).encode("utf-8")


def served_code(versions: dict[str, str] | None = None, stamp: str | None = None) -> str:
    """The code an analyser serves: the interpreter, the stamp of cdv's sources (its children also run whole
    commands, `pipeline.resident_call`), cdv's version and the fingerprints of the extraction and analysis code
    (of `versions` and `stamp`, else as on disk now)."""
    versions = versions or code_versions()
    return "|".join([sys.executable, stamp or package_stamp(), *(versions[name] for name in CODE_VERSIONS)])


def resident_enabled() -> bool:
    """Whether runs use a resident analyser: the platform can fork and the idle period is not 0."""
    return hasattr(os, "fork") and sys.platform.startswith("linux") and idle_seconds() > 0


def read_state(home: Path) -> AnalyserState | None:
    try:
        raw = json.loads((home / STATE_FILE).read_text(encoding="utf-8"))
        return AnalyserState(int(raw["pid"]), str(raw["address"]), str(raw["key"]), str(raw["code"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


@contextlib.contextmanager
def analyser_lock(home: Path) -> Iterator[None]:
    """One process at a time starts or stops the analyser of a Prefect home."""
    with server_lock(home, LOCK_FILE):
        yield


def ensure_analyser(workspace: Workspace, timeout: float = STARTUP_TIMEOUT_SECONDS) -> AnalyserState:
    """The resident analyser of the workspace's Prefect home serving this code, started now if none is. (A run
    whose own code is older than the code on disk gets one serving the code on disk, which refuses its contracts:
    the run then analyses them itself, `analyse_resident`.)"""
    home = prefect_home(workspace)
    code = served_code()
    with analyser_lock(home):
        state = read_state(home)
        if state and process_alive(state.pid) and answers(state) == code:
            return state
        if state and process_alive(state.pid):
            os.kill(state.pid, signal.SIGTERM)  # another code: its children finish, it takes no new contract
        (home / STATE_FILE).unlink(missing_ok=True)
        return start_analyser(home, timeout)


def start_analyser(home: Path, timeout: float) -> AnalyserState:
    """Start a detached analyser process and wait until it answers."""
    address, key = f"\0cdv-analyseur-{token_hex(12)}", token_bytes(32)
    environment = dict(os.environ)
    environment.pop("PREFECT_API_URL", None)
    with (home / LOG_FILE).open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "pipeline.analyser", "--idle", str(idle_seconds())],
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environment,
            start_new_session=True,
        )
    assert process.stdin is not None
    process.stdin.write(json.dumps({"address": address, "key": key.hex()}).encode("utf-8"))
    process.stdin.close()
    state = AnalyserState(process.pid, address, key.hex(), "")
    problem = AnalyserError(
        f"l'analyseur résident n'a pas démarré (journal : {home / LOG_FILE}) ; relancez, ou désactivez-le avec "
        "CDV_PREFECT_IDLE_SECONDS=0."
    )
    state = replace(state, code=str(wait_until_ready(process, lambda: answers(state), timeout, problem)))
    atomic_write_bytes(home / STATE_FILE, state.to_json(), mode=0o600)
    return state


def answers(state: AnalyserState) -> str:
    """The code served by the analyser at this address if it answers with this key, else ""."""
    try:
        with connect(state) as connection:
            connection.send(("ping",))
            if connection.poll(2.0):
                status, code = connection.recv()
                return str(code) if status == "ok" else ""
    except (OSError, EOFError, ValueError, TypeError, AuthenticationError):
        pass
    return ""


@contextlib.contextmanager
def connect(state: AnalyserState) -> Iterator[Connection]:
    connection = Client(state.address, family="AF_UNIX", authkey=bytes.fromhex(state.key))
    try:
        yield connection
    finally:
        connection.close()


def stop_analyser(workspace: Workspace) -> bool:
    """Stop the analyser of the workspace's Prefect home if it runs; say whether one was stopped."""
    home = prefect_home(workspace)
    with analyser_lock(home):
        state = read_state(home)
        (home / STATE_FILE).unlink(missing_ok=True)
        if not state or not process_alive(state.pid):
            return False
        os.kill(state.pid, signal.SIGTERM)
        return True


_KNOWN: dict[Path, AnalyserState] = {}


def known_analyser(workspace: Workspace, checked: bool) -> AnalyserState:
    """The analyser this process last reached for the workspace's Prefect home, without asking it again; when
    `checked` (the first request, or after a failed one), `ensure_analyser`."""
    home = prefect_home(workspace)
    if checked or home not in _KNOWN:
        _KNOWN[home] = ensure_analyser(workspace)
    return _KNOWN[home]


def request_for(
    settings: RunSettings, contract: ContractFile | None, versions: dict[str, str] | None = None
) -> tuple[Any, ...]:
    """What a run sends: the contract (None: only load the resources), the settings, the versions the run
    computed (`stage_versions`, computed here when not given), and the run process's directory, umask and
    environment, which the child adopts."""
    umask = os.umask(0)
    os.umask(umask)
    if versions is None:
        try:
            versions = stage_versions(settings)
        except OSError as error:
            raise CdvError(
                f"{error.filename} : illisible ({error.strerror}) ; vérifiez --lexicons et --models."
            ) from error
    return ("analyse", contract, settings, versions, os.getcwd(), umask, dict(os.environ))


def analyse_resident(
    contract: ContractFile, settings: RunSettings, versions: dict[str, str] | None = None
) -> ContractAnalysis:
    """`analyse_contract` of one contract, run by a child of the resident analyser (started if needed; restarted
    once if it stopped). `versions`: the run's `stage_versions`, computed once for all its contracts."""
    request = request_for(settings, contract, versions)
    started = take_in_flight(contract, request[3])
    if started is not None:
        return started.result()
    return analysis_from_resident(contract, settings, request)


def analysis_from_resident(contract: ContractFile, settings: RunSettings, request: tuple[Any, ...]) -> ContractAnalysis:
    """Send one request to the resident analyser and return its child's analysis."""
    workspace = Workspace(settings.workspace)
    for attempt in (1, 2):
        state = known_analyser(workspace, checked=attempt == 2)
        try:
            with connect(state) as connection:
                connection.send(request)
                status, payload, loaded = connection.recv()
        except (OSError, EOFError, AuthenticationError) as error:
            if attempt == 2:
                log = prefect_home(workspace) / LOG_FILE
                raise AnalyserError(
                    f"{contract.path.name} : l'analyse s'est interrompue ({type(error).__name__}) ; journal : {log}."
                ) from error
            continue
        if status == "erreur":
            raise payload
        if status == "ok":
            analysis: ContractAnalysis = payload
            analysis.seconds["ressources"] = round(analysis.seconds.get("ressources", 0.0) + loaded, 3)
            return analysis
        if status == "autre_code":  # cdv was updated after this run started: the run's own code analyses
            from pipeline.analyse import analyse_contract

            return analyse_contract(contract, settings)
    raise AnalyserError(f"{contract.path.name} : l'analyseur résident n'a pas répondu.")


def prepare_resident(settings: RunSettings) -> None:
    """Have the resident analyser load this run's resources now (the CLI calls it in the background while Prefect
    is imported and the flow starts); problems are left for the tasks to report."""
    with contextlib.suppress(CdvError, OSError, EOFError):
        state = known_analyser(Workspace(settings.workspace), checked=True)
        with connect(state) as connection:
            connection.send(request_for(settings, None))
            connection.recv()


def prefetch_in_background(settings: RunSettings, contracts: list[ContractFile]) -> None:
    """Start the analyses of the first contracts (as many as the run's workers) in the resident analyser now, each
    from a thread of this process, while Prefect is imported and the flow starts; the flow's task for such a
    contract waits for that analysis instead of asking again (`pipeline.analyse.start_in_flight`)."""
    try:
        versions = stage_versions(settings)
    except OSError:
        return  # the run reports the unreadable folder
    for contract in contracts[: settings.workers]:
        future = start_in_flight(contract, versions)
        request = request_for(settings, contract, versions)
        thread = threading.Thread(
            target=settle, args=(future, analysis_from_resident, contract, settings, request), daemon=True
        )
        thread.start()


def settle(future: Future[ContractAnalysis], function: Any, *args: Any) -> None:
    """Run `function(*args)` and put its result, or its error, in `future`."""
    try:
        future.set_result(function(*args))
    except BaseException as error:  # the task that takes the future raises it in the run
        future.set_exception(error)


class Analyser:
    """The analyser process's state: the resources it holds (one set: the last one asked for), its children."""

    def __init__(self, idle: int) -> None:
        self.idle = idle
        self.stamp = package_stamp()
        self.code = served_code(stamp=self.stamp)
        self.loaded: tuple[Any, ...] | None = None
        self.children: set[int] = set()
        self.last = time.monotonic()
        self.stopping = False
        self.listening: socket.socket | None = None

    def load(self, settings: RunSettings, versions: dict[str, str]) -> float:
        """Load the resources of these settings in this process, before forking; return the seconds it took."""
        from pipeline.analyse import _resources, resources_for
        from pipeline.candidates import load_ner

        wanted = (settings.lexicon_dir, settings.models_dir, settings.use_ner, tuple(sorted(versions.items())))
        if wanted == self.loaded:
            return 0.0
        started = time.perf_counter()
        gc.unfreeze()
        _resources.cache_clear()  # one set at a time: an edited lexicon replaces the old one
        gc.collect()
        resources_for(settings.lexicon_dir, settings.models_dir, settings.use_ner)
        if settings.use_ner:
            load_ner()
        self.loaded = wanted
        gc.collect()
        gc.freeze()  # the children share these pages instead of copying them when the collector runs
        return time.perf_counter() - started

    def reap(self) -> None:
        """Forget the children that exited."""
        for pid in list(self.children):
            try:
                exited = os.waitpid(pid, os.WNOHANG)[0] == pid
            except ChildProcessError:
                exited = True
            if exited:
                self.children.discard(pid)

    def handle(self, connection: Connection) -> None:
        """Answer one request: a ping, a contract analysed by a forked child, or a command's call made by a forked
        child (`pipeline.resident_call`)."""
        request = connection.recv()
        if request[0] == "ping":
            connection.send(("ok", self.code))
            return
        if request[0] == "appel":
            from pipeline.resident_call import fork_call

            pid = fork_call(connection, request, self.stamp, self.listening)
            if pid:
                self.children.add(pid)
            return
        _, contract, settings, versions, cwd, umask, environment = request
        if served_code(versions, self.stamp) != self.code:  # the run's code versions against the analyser's
            connection.send(("autre_code", None, 0.0))
            return
        try:
            loaded = self.load(settings, versions)
        except Exception as error:  # the child loads them again and reports the problem in French
            print(f"chargement des ressources impossible : {error!r}", flush=True)
            loaded = 0.0
        if contract is None:
            connection.send(("ok", None, loaded))
            return
        pid = os.fork()
        if pid == 0:
            if self.listening is not None:
                self.listening.close()
            run_child(connection, contract, settings, cwd, umask, environment, loaded)
        self.children.add(pid)

    def serve(self, listening: socket.socket, key: bytes) -> None:
        """Accept requests until SIGTERM, another code's request, or `idle` seconds without work."""
        self.listening = listening
        while not (self.stopping and not self.children):
            self.reap()
            if self.idle and not self.children and time.monotonic() - self.last > self.idle:
                return
            if self.stopping or not select.select([listening], [], [], 1.0)[0]:
                continue
            with contextlib.suppress(BlockingIOError, InterruptedError):
                peer, _ = listening.accept()
                self.last = time.monotonic()
                connection = accepted(peer, key)
                if connection is not None:
                    with contextlib.closing(connection), contextlib.suppress(OSError, EOFError):
                        self.handle(connection)
                self.last = time.monotonic()


def accepted(peer: socket.socket, key: bytes) -> Connection | None:
    """The connection of a peer of this user that proved it knows the key (within `HANDSHAKE_SECONDS`)."""
    pid_uid_gid = peer.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    if struct.unpack("3i", pid_uid_gid)[1] != os.getuid():
        peer.close()
        return None
    peer.setblocking(True)
    peer.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", HANDSHAKE_SECONDS, 0))
    connection = Connection(peer.detach())
    try:
        deliver_challenge(connection, key)
        answer_challenge(connection, key)
    except Exception:  # a wrong key, a timeout, a peer gone
        connection.close()
        return None
    return connection


def run_child(
    connection: Connection,
    contract: ContractFile,
    settings: RunSettings,
    cwd: str,
    umask: int,
    environment: dict[str, str],
    loaded: float,
) -> None:
    """In the forked child: take the run's directory, umask and environment, analyse, answer, exit. The child
    exits as soon as its run goes away (the connection closes) instead of finishing an analysis nobody reads."""
    code = 0
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.chdir(cwd)
        os.umask(umask)
        os.environ.clear()
        os.environ.update(environment)
        clear_receive_timeout(connection)
        threading.Thread(target=exit_when_closed, args=(connection,), daemon=True).start()
        from pipeline.analyse import analyse_contract

        try:
            reply: tuple[Any, ...] = ("ok", analyse_contract(contract, settings), loaded)
        except Exception as error:  # the run's task raises it as if it had run there
            reply = ("erreur", picklable(error), loaded)
        connection.send(reply)
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        os._exit(code)


def clear_receive_timeout(connection: Connection) -> None:
    """Lift the handshake's receive timeout (`accepted`) from a connection a child keeps for its whole work."""
    sock = socket.socket(fileno=os.dup(connection.fileno()))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 0, 0))
    sock.close()


def exit_when_closed(connection: Connection) -> None:
    """The run sends nothing after its request: the connection turning readable means it closed."""
    with contextlib.suppress(OSError, ValueError):
        while not connection.poll(1.0):
            pass
        os._exit(1)


def picklable(error: Exception) -> Exception:
    import pickle

    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:
        return AnalyserError(f"{type(error).__name__} : {error}")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Analyseur résident de cdv (démarré par cdv run).")
    parser.add_argument("--idle", type=int, default=0)
    args = parser.parse_args()
    secret = json.loads(sys.stdin.read())
    import pipeline.analyse  # noqa: F401  (the analysis code, imported once for every child)
    from pipeline.resident_call import warm_imports

    warm_imports()  # and what a command's call runs: Prefect, the flow, the report

    gc.collect()
    gc.freeze()  # the children share these pages

    analyser = Analyser(args.idle)
    signal.signal(signal.SIGTERM, lambda *_: setattr(analyser, "stopping", True))
    listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listening.bind(secret["address"])
    listening.listen(64)
    listening.setblocking(False)
    analyser.serve(listening, bytes.fromhex(secret["key"]))


if __name__ == "__main__":
    main()
