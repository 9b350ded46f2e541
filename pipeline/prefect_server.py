"""A local Prefect API server shared by the runs of one workspace: started by the first run that needs it, reused
by the next ones, stopped after an idle period — so that a run pays Prefect's start-up (~10 s here) once.

The server is Prefect's own application (`prefect.server.api.server.create_app`) served by uvicorn on 127.0.0.1
in a detached process, its database and log in the workspace's `.prefect/`. `python -m pipeline.prefect_server
--port N --idle S` is that process; `ensure_server` starts or finds it; `stop_server` stops it.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

from pipeline.errors import CdvError
from pipeline.files import atomic_write_bytes
from pipeline.workspace import Workspace

STATE_FILE = "serveur-local.json"
LOCK_FILE = "serveur-local.lock"
LOG_FILE = "serveur-local.log"
IDLE_ENV = "CDV_PREFECT_IDLE_SECONDS"
DEFAULT_IDLE_SECONDS = 1800
STARTUP_TIMEOUT_SECONDS = 240.0

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class PrefectServerError(CdvError):
    """The local Prefect server could not be started (the message says where its log is)."""


def idle_seconds() -> int:
    """How long an unused server stays up (`CDV_PREFECT_IDLE_SECONDS`, default 30 minutes; 0: no shared server)."""
    try:
        return max(0, int(os.environ.get(IDLE_ENV, DEFAULT_IDLE_SECONDS)))
    except ValueError:
        return DEFAULT_IDLE_SECONDS


def healthy(api_url: str, timeout: float = 2.0) -> bool:
    """Whether a Prefect API answers its health check."""
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def process_alive(pid: int) -> bool:
    """Whether a process runs (a finished child of this process is reaped, not taken for alive)."""
    with contextlib.suppress(ChildProcessError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def server_lock(home: Path, name: str = LOCK_FILE) -> Iterator[None]:
    """One process at a time starts or stops the workspace's server (or, with another lock `name`, another
    resident process of the Prefect home)."""
    home.mkdir(parents=True, exist_ok=True)
    with (home / name).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_state(home: Path) -> dict[str, Any] | None:
    try:
        state: dict[str, Any] = json.loads((home / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state


def running_server(home: Path) -> str | None:
    """The API URL of the workspace's server when it is up and answering, else None."""
    state = read_state(home)
    if state and process_alive(int(state.get("pid", 0))) and healthy(str(state.get("api_url", ""))):
        return str(state["api_url"])
    return None


def prefect_home(workspace: Workspace) -> Path:
    """Prefect's home for a workspace: `PREFECT_HOME` when set (as `configure_prefect` does), else the
    workspace's `.prefect/`. One server serves one home (its database)."""
    return Path(os.environ.get("PREFECT_HOME") or workspace.prefect_home).resolve()


def ensure_server(workspace: Workspace, timeout: float = STARTUP_TIMEOUT_SECONDS) -> str:
    """The API URL of the local Prefect server of the workspace's Prefect home, started now if none is running."""
    home = prefect_home(workspace)
    with server_lock(home):
        url = running_server(home)
        if url:
            return url
        port = free_port()
        environment = {**os.environ, "PREFECT_HOME": str(home)}
        environment.pop("PREFECT_API_URL", None)
        with (home / LOG_FILE).open("ab") as log, open(os.devnull, "rb") as nothing:
            process = subprocess.Popen(
                [sys.executable, "-m", "pipeline.prefect_server", "--port", str(port), "--idle", str(idle_seconds())],
                stdin=nothing,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=environment,
                start_new_session=True,
            )
        url = f"http://127.0.0.1:{port}/api"
        problem = PrefectServerError(
            f"le serveur Prefect local n'a pas démarré (journal : {home / LOG_FILE}) ; "
            "relancez, ou indiquez un serveur avec PREFECT_API_URL."
        )
        wait_until_ready(process, lambda: healthy(url, timeout=1.0), timeout, problem)
        state = {"pid": process.pid, "port": port, "api_url": url, "started_at": time.time()}
        atomic_write_bytes(home / STATE_FILE, json.dumps(state).encode("utf-8"))
        return url


def wait_until_ready(
    process: subprocess.Popen[bytes], ready: Callable[[], object], timeout: float, problem: CdvError
) -> object:
    """Wait until a detached process just started is `ready` (returns something true, which is returned); kill it
    and raise `problem` if it exits or takes longer than `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (answer := ready()):
        if process.poll() is not None or time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            raise problem
        time.sleep(0.05)
    return answer


def stop_server(workspace: Workspace) -> bool:
    """Stop the server of the workspace's Prefect home if it runs; say whether one was stopped."""
    home = prefect_home(workspace)
    with server_lock(home):
        state = read_state(home)
        (home / STATE_FILE).unlink(missing_ok=True)
        if not state or not process_alive(int(state.get("pid", 0))):
            return False
        os.kill(int(state["pid"]), signal.SIGTERM)
        return True


class ActivityWatch:
    """ASGI middleware that records when the API was last used, to stop the server once idle."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app
        self.in_flight = 0
        self.last = time.monotonic()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
            self.last = time.monotonic()

    def idle_for(self) -> float:
        return 0.0 if self.in_flight else time.monotonic() - self.last


def serve(port: int, idle: int) -> None:
    """Serve Prefect's API on 127.0.0.1:`port` until SIGTERM or `idle` seconds without a request."""
    import uvicorn
    from prefect.server.api.server import create_app

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ["PREFECT_UI_ENABLED"] = "0"
    watch = ActivityWatch(create_app(ephemeral=True, final=True))
    server = uvicorn.Server(uvicorn.Config(watch, host="127.0.0.1", port=port, log_level="error", lifespan="on"))

    def stop_when_idle() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.1)
        watch.last = time.monotonic()  # idle from the moment the API can answer, not from the start-up
        while not server.should_exit:
            time.sleep(min(5.0, max(idle / 10, 0.2)))
            if idle and watch.idle_for() > idle:
                server.should_exit = True

    threading.Thread(target=stop_when_idle, daemon=True).start()
    server.run()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serveur Prefect local d'un espace de travail cdv.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--idle", type=int, default=DEFAULT_IDLE_SECONDS)
    args = parser.parse_args(argv)
    serve(args.port, args.idle)


if __name__ == "__main__":
    main()
