"""Run the reading of one document in a forked child with a time limit and a memory cap.

One `fork` per document (not per page) costs a few milliseconds; the child caps its address space
with `setrlimit`, reports its page plan so that the parent can scale the deadline, and sends its
result back pickled through a pipe. A child that overruns its deadline is killed; a child that dies
(out of memory, crash in the PDF library) is reported. The parent never touches the file.
"""

from __future__ import annotations

import os
import pickle
import resource
import select
import signal
import struct
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

HEADER = struct.Struct("!Q")


@dataclass
class ChildOutcome:
    """What came back from the child: its result, or why there is none (in French)."""

    result: Any = None
    failure: str = ""
    timed_out: bool = False


Progress = Callable[[float], None]


def can_isolate() -> bool:
    """Forking is available (POSIX)."""
    return hasattr(os, "fork")


def _send(fd: int, message: tuple[str, Any]) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    data = HEADER.pack(len(payload)) + payload
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _child(fd: int, work: Callable[[Progress], Any], memory_mb: int) -> None:
    try:
        if memory_mb > 0:
            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        result = work(lambda extra: _send(fd, ("extend", extra)))
        _send(fd, ("result", result))
    except MemoryError:
        _send(fd, ("failure", f"mémoire insuffisante (limite de {memory_mb} Mo dépassée)"))
    except BaseException as error:  # the child must report, whatever happened
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        _send(fd, ("failure", f"erreur interne du lecteur ({detail})"))


def run_limited(work: Callable[[Progress], Any], *, timeout: float, memory_mb: int) -> ChildOutcome:
    """Run `work(progress)` in a forked child; `progress(seconds)` extends the deadline.

    Returns the child's result, or a failure message when it timed out, crashed or ran out of memory.
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        code = 0
        try:
            _child(write_fd, work, memory_mb)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    started = time.monotonic()
    deadline = started + timeout
    buffer = bytearray()
    outcome = ChildOutcome()
    finished = False
    try:
        while not finished:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                outcome.timed_out = True
                os.kill(pid, signal.SIGKILL)
                break
            ready, _, _ = select.select([read_fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            buffer.extend(chunk)
            while len(buffer) >= HEADER.size:
                (size,) = HEADER.unpack_from(buffer)
                if len(buffer) < HEADER.size + size:
                    break
                kind, value = pickle.loads(bytes(buffer[HEADER.size : HEADER.size + size]))
                del buffer[: HEADER.size + size]
                if kind == "extend":
                    deadline = max(deadline, started + timeout + float(value))
                elif kind == "result":
                    outcome.result = value
                    finished = True
                elif kind == "failure":
                    outcome.failure = str(value)
                    finished = True
    finally:
        os.close(read_fd)
        _pid, status = os.waitpid(pid, 0)
    if outcome.timed_out:
        outcome.failure = f"lecture abandonnée après {time.monotonic() - started:.0f} s (délai dépassé)"
    elif not finished:
        if os.WIFSIGNALED(status):
            name = signal.Signals(os.WTERMSIG(status)).name
            outcome.failure = (
                f"le lecteur PDF s'est arrêté brutalement ({name}) : fichier pathologique ou mémoire "
                f"insuffisante (limite {memory_mb} Mo)"
            )
        else:
            outcome.failure = "le lecteur PDF s'est arrêté sans rendre de résultat"
    return outcome
