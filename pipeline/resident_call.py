"""A command's work done by a child forked from the resident analyser, which has Prefect, the flow and the report
code imported already: `cdv run` with one new version then pays neither Prefect's import (~2 s here) nor cdv's.

The command (the client) sends the function to call with its arguments, its directory, umask, environment and
arguments, and its standard output and error as file descriptors (`SCM_RIGHTS`): the child writes the progress bar
and Prefect's log where the command would have, then answers with the function's result or error. The signals the
command receives (Ctrl-C, `kill`, a closed terminal) are passed on to the child, and the child exits as soon as the
command goes away (a `kill -9` closes the connection): nothing runs on for a command nobody waits for.

When there is no usable analyser (not on Linux, `CDV_PREFECT_IDLE_SECONDS=0`, a Dask run, streams without file
descriptors as in tests calling the CLI in-process, or cdv's code changed on disk meanwhile), the function is
called in the command's own process: the same function either way.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import signal
import socket
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from pipeline.fingerprint import package_stamp
from pipeline.flowruns import COMMAND_PID_ENV
from pipeline.workspace import Workspace

T = TypeVar("T")
FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
WARM_IMPORTS = (  # what `cdv run` imports, the analyser imports once: its children then start with it
    "pipeline.cli.run",
    "pipeline.flows",
    "pipeline.report.publish",
    "pipeline.diff",
    "prefect.engine",
    "prefect.flow_engine",
    "prefect.task_engine",
    "prefect.concurrency.v1.context",
    "prefect._internal.control_listener",
    "prefect.telemetry.run_telemetry",
    "prefect.utilities.visualization",
    "fastapi.encoders",
    "pandas.io.formats.csvs",
    "pandas.core.methods.to_dict",
    "click._termui_impl",
    "anyio._backends._asyncio",
    "anyio.streams.stapled",
    "anyio.streams.tls",
)
END_SECONDS = 60.0


class ResidentUnavailable(Exception):
    """The resident analyser cannot take this call (its code differs from the code on disk): call it here."""


def warm_imports() -> None:
    """Import what a command's call will need (in the analyser, before it forks any child)."""
    import importlib

    for name in WARM_IMPORTS:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def stdio_fds() -> tuple[int, int] | None:
    """The file descriptors behind `sys.stdout` and `sys.stderr`, or None when they have none (captured streams)."""
    try:
        return sys.stdout.fileno(), sys.stderr.fileno()
    except (AttributeError, ValueError, io.UnsupportedOperation):
        return None


def call_nearby(workspace: Workspace, function: Callable[..., T], *args: Any, dask: bool = False) -> T:
    """`function(*args)` in a child of the workspace's resident analyser when possible, else in this process."""
    from pipeline.analyser import AnalyserError, ensure_analyser, resident_enabled

    if dask or not resident_enabled() or stdio_fds() is None:
        return function(*args)
    try:
        state = ensure_analyser(workspace)
    except (AnalyserError, OSError):
        return function(*args)
    try:
        return call_in_child(state, function, *args)
    except ResidentUnavailable:
        return function(*args)


def call_in_child(state: Any, function: Callable[..., T], *args: Any) -> T:
    """Have the analyser at `state` fork a child that calls `function(*args)` with this process's streams,
    directory, umask and environment; pass it the signals this process receives; return or raise what it did."""
    from multiprocessing import AuthenticationError

    from pipeline.analyser import AnalyserError, connect

    fds = stdio_fds()
    assert fds is not None
    umask = os.umask(0)
    os.umask(umask)
    streams = [(stream.encoding, stream.errors) for stream in (sys.stdout, sys.stderr)]
    environment = {**os.environ, COMMAND_PID_ENV: str(os.getpid())}
    request = ("appel", function, args, package_stamp(), os.getcwd(), umask, environment, list(sys.argv), streams)
    sys.stdout.flush()
    sys.stderr.flush()
    with contextlib.ExitStack() as stack:
        try:
            connection = stack.enter_context(connect(state))
            connection.send(request)
            with raw_socket(connection) as sock:
                socket.send_fds(sock, [b"\0"], list(fds))
            first = connection.recv()
        except (EOFError, OSError, AuthenticationError) as error:  # no child started: nothing was called
            raise ResidentUnavailable from error
        if first[0] == "autre_code":
            raise ResidentUnavailable
        with forwarded_signals(int(first[1])) as received:
            try:
                status, payload = connection.recv()
            except (EOFError, OSError) as error:
                if received:
                    die_by(received[-1])
                raise AnalyserError(
                    f"l'exécution s'est interrompue ({type(error).__name__}) ; journal : {state_log(state)}."
                ) from error
            with contextlib.suppress(EOFError, OSError):
                if connection.poll(END_SECONDS):  # Prefect's last events sent, the child's exit handlers run
                    connection.recv()
    if status == "ok":
        result: T = payload
        return result
    if status == "interrompu":
        raise KeyboardInterrupt
    if status == "sortie":
        raise SystemExit(payload)
    raise payload


def state_log(state: Any) -> str:
    from pipeline.analyser import LOG_FILE

    return f"{LOG_FILE} du dossier .prefect de l'espace de travail (pid {state.pid})"


@contextlib.contextmanager
def raw_socket(connection: Connection) -> Iterator[socket.socket]:
    """The connection's socket as a `socket.socket` (a duplicate descriptor, closed afterwards)."""
    sock = socket.socket(fileno=os.dup(connection.fileno()))
    try:
        yield sock
    finally:
        sock.close()


@contextlib.contextmanager
def forwarded_signals(pid: int) -> Iterator[list[int]]:
    """While the child works, the signals this process receives go to it (the list says which came)."""
    received: list[int] = []

    def forward(number: int, _frame: Any) -> None:
        received.append(number)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, number)

    previous = {number: signal.signal(number, forward) for number in FORWARDED_SIGNALS}
    try:
        yield received
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def die_by(number: int) -> None:
    """End this process as the signal it passed on ended the child (same exit status as without the child)."""
    if number == signal.SIGINT:
        raise KeyboardInterrupt
    signal.signal(number, signal.SIG_DFL)
    os.kill(os.getpid(), number)


def fork_call(connection: Connection, request: tuple[Any, ...], stamp: str, listening: socket.socket | None) -> int:
    """In the analyser: receive the command's streams and fork the child that makes the call; its pid (0 when the
    analyser's code is not the code on disk: the command then calls the function itself)."""
    with raw_socket(connection) as sock:
        _, fds, _, _ = socket.recv_fds(sock, 1, 2)
    if request[3] != stamp or len(fds) != 2:
        for fd in fds:
            os.close(fd)
        connection.send(("autre_code", None))
        return 0
    pid = os.fork()
    if pid == 0:
        if listening is not None:
            listening.close()
        call_child(connection, request, fds)
    for fd in fds:
        os.close(fd)
    return pid


def call_child(connection: Connection, request: tuple[Any, ...], fds: list[int]) -> None:
    """In the forked child: become the command (streams, directory, umask, environment, arguments), call, answer,
    run the exit handlers (Prefect sends its last events), exit. Never returns."""
    _, function, args, _, cwd, umask, environment, argv, streams = request
    code = 0
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
        interrupted: list[int] = []
        signal.signal(signal.SIGINT, lambda number, frame: interrupt(interrupted, number))
        adopt_streams(fds, streams)
        os.chdir(cwd)
        os.umask(umask)
        logging_changed = logging_environment(os.environ) != logging_environment(environment)
        os.environ.clear()
        os.environ.update(environment)
        sys.argv = argv
        if logging_changed:
            reconfigure_prefect_logging()
        from pipeline.analyser import clear_receive_timeout, exit_when_closed, picklable

        clear_receive_timeout(connection)
        connection.send(("pid", os.getpid()))

        threading.Thread(target=exit_when_closed, args=(connection,), daemon=True).start()
        reply: tuple[str, Any]
        try:
            reply = ("ok", function(*args))
        except KeyboardInterrupt:
            reply = ("interrompu", None)
        except SystemExit as stop:
            reply = ("sortie", stop.code)
        except Exception as error:  # a library may wrap the KeyboardInterrupt (pydantic building a schema)
            reply = ("interrompu", None) if interrupted else ("erreur", picklable(error))
        flush_streams()
        connection.send(reply)
        atexit._run_exitfuncs()
        flush_streams()
        connection.send(("fin", None))
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        flush_streams()
        os._exit(code)


def interrupt(interrupted: list[int], number: int) -> None:
    """Ctrl-C passed on by the command: remember it (a library may wrap the KeyboardInterrupt raised here in its
    own error), then raise it as Python's default handler does."""
    interrupted.append(number)
    raise KeyboardInterrupt


def adopt_streams(fds: list[int], streams: list[tuple[str, str]]) -> None:
    """Standard output and error become the command's, with its encodings (objects still holding the analyser's
    streams write to the same descriptors)."""
    for target, fd in enumerate(fds, start=1):
        flush_streams()
        os.dup2(fd, target)
        os.close(fd)
    (out_encoding, out_errors), (err_encoding, err_errors) = streams
    out_buffering = 1 if os.isatty(1) else -1
    sys.stdout = open(1, "w", encoding=out_encoding, errors=out_errors, closefd=False, buffering=out_buffering)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding=err_encoding, errors=err_errors, closefd=False, buffering=1)  # noqa: SIM115


def flush_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()


def logging_environment(environment: Any) -> dict[str, str]:
    return {key: value for key, value in environment.items() if key.startswith("PREFECT_LOGGING")}


def reconfigure_prefect_logging() -> None:
    """Prefect set its logging up at import from the analyser's environment: set it up again from the command's
    (`cdv run -v` asks for Prefect's detailed log)."""
    from prefect.context import refresh_global_settings_context
    from prefect.logging.configuration import setup_logging

    refresh_global_settings_context()
    setup_logging(incremental=False)
