"""Atomic writes: a killed run never leaves a half-written file or output folder behind."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

FILE_MODE = 0o644  # mkstemp creates 0600; outputs are meant to be shared with colleagues


def mode_of(source: Path) -> int:
    """Permissions for a file holding `source`'s content (a copy, its text): never more readable than it."""
    return stat.S_IMODE(source.stat().st_mode) & FILE_MODE


def atomic_write_bytes(path: Path, data: bytes, mode: int = FILE_MODE) -> None:
    """Write bytes to a temporary sibling, fsync it, then rename it over `path` (with permissions `mode`)."""
    with atomic_writer(path, mode) as stream:
        stream.write(data)


@contextlib.contextmanager
def atomic_writer(path: Path, mode: int = FILE_MODE) -> Iterator[BinaryIO]:
    """A binary stream to a temporary sibling of `path`, renamed over it (fsynced, permissions `mode`) only when
    the block succeeds: a file written piece by piece is never seen half-written, and is never whole in memory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def staged_directory(
    target: Path, run_id: str = "", before_swap: Callable[[Path], object] | None = None
) -> contextlib.AbstractContextManager[Path]:
    """An empty staging folder that replaces the run folder `target` only if the block succeeds, deleting only
    the files the previous run wrote (see `pipeline.runfolder.staged_run`: marker, history, interrupted swaps)."""
    from pipeline.runfolder import staged_run

    return staged_run(target, run_id, before_swap)
