"""Prefect bookkeeping of cdv's flow runs when a process dies: nothing stays "RUNNING" forever, nothing of
the dead run is left running.

Each flow run is tagged with the process that runs it (host, pid and the process's start time, so that a
reused pid is not taken for the same process). At the next start, runs still RUNNING or PENDING whose process
on this host is gone are set to CRASHED, with their unfinished task runs. The process pool's workers watch
their parent and exit with it, even on `kill -9`; so does a temporary Prefect server started for one run
(`CDV_PREFECT_IDLE_SECONDS=0`, Linux `PR_SET_PDEATHSIG`). The workspace's shared server
(`pipeline.prefect_server`) outlives runs by design and stops when idle.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PROCESS_TAG = "cdv-processus"
PR_SET_PDEATHSIG = 1
CRASH_MESSAGE = (
    "Processus cdv arrêté brutalement (tué ou machine redémarrée) : run marqué en échec au démarrage suivant."
)


def process_start(pid: int) -> str:
    """The start time of a process (clock ticks since boot, from /proc), '' when unknown or gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else ""


def process_tag(pid: int | None = None) -> str:
    """The tag naming the process that runs a flow: `cdv-processus:HOST:PID:START`."""
    pid = os.getpid() if pid is None else pid
    return f"{PROCESS_TAG}:{socket.gethostname()}:{pid}:{process_start(pid)}"


def is_dead(tag: str) -> bool:
    """True when the process a tag names ran on this host and is gone (or its pid now names another process)."""
    parts = tag.split(":")
    if len(parts) != 4 or parts[0] != PROCESS_TAG or parts[1] != socket.gethostname() or not parts[2].isdigit():
        return False
    pid, start = int(parts[2]), parts[3]
    if Path("/proc").is_dir():
        current = process_start(pid)
        return current == "" or (start != "" and current != start)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def mark_crashed_runs() -> list[str]:
    """Set to CRASHED the flow runs (and their unfinished task runs) whose cdv process died; return their names.

    Call with the Prefect API configured (inside `flows.prefect_api`).
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterId,
        FlowRunFilterState,
        FlowRunFilterStateType,
        TaskRunFilter,
        TaskRunFilterState,
        TaskRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.states import Crashed

    unfinished = [StateType.RUNNING, StateType.PENDING, StateType.SCHEDULED]
    crashed = []
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=unfinished)))
        )
        for run in runs:
            tags = [tag for tag in run.tags if tag.startswith(PROCESS_TAG + ":")]
            if not tags or not all(is_dead(tag) for tag in tags):
                continue
            tasks = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])),
                task_run_filter=TaskRunFilter(state=TaskRunFilterState(type=TaskRunFilterStateType(any_=unfinished))),
            )
            for task_run in tasks:
                client.set_task_run_state(task_run.id, Crashed(message=CRASH_MESSAGE), force=True)
            client.set_flow_run_state(run.id, Crashed(message=CRASH_MESSAGE), force=True)
            crashed.append(run.name)
    return crashed


COMMAND_PID_ENV = "CDV_PID_COMMANDE"


@contextmanager
def tagged_with_process() -> Iterator[None]:
    """Flow and task runs started in this block carry the tag of this process, or of the command this process
    works for (`CDV_PID_COMMANDE`, set by `pipeline.resident_call` in the child that makes a command's run: the
    child lives exactly as long as its command, and the command is the process a user sees)."""
    from prefect import tags

    commanded = os.environ.get(COMMAND_PID_ENV, "")
    with tags(process_tag(int(commanded) if commanded.isdigit() else None)):
        yield


def exit_with_parent() -> None:
    """In a worker process (process pool initializer): exit when the process that started it is gone, instead
    of waiting forever for work from a dead parent (`kill -9` of `cdv run`)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="cdv-surveille-parent", daemon=True).start()


def die_with_parent() -> None:
    """In a child process (`preexec_fn`): be killed when the parent dies (Linux only; elsewhere nothing)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class ChildProcesses:
    """`subprocess` as Prefect's server module sees it while starting the server: children die with us."""

    def __getattr__(self, name: str) -> Any:
        return getattr(subprocess, name)

    @staticmethod
    def Popen(*args: Any, **kwargs: Any) -> subprocess.Popen[Any]:
        return subprocess.Popen(*args, preexec_fn=die_with_parent, **kwargs)  # type: ignore[call-overload]


def temporary_server() -> Any:
    """Prefect's temporary API server, started as a child process that dies with this process."""
    from prefect.server.api import server as server_module

    class ChildServer(server_module.SubprocessASGIServer):
        """Registered as Prefect's default temporary server, so that Prefect's own threads (events, logs)
        reuse it instead of starting a second, unmanaged one."""

        def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
            server_module.subprocess = ChildProcesses()  # type: ignore[assignment]
            try:
                return super()._run_uvicorn_command()
            finally:
                server_module.subprocess = subprocess

    return ChildServer()
