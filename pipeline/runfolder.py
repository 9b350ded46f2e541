"""Run folders: cdv replaces or deletes only the files it wrote itself.

A run folder carries a marker, `.cdv-run.json`: run id, cdv version and the list of the files the run (then
`cdv tables`, `cdv diff`) wrote there. A folder is taken for a previous run only by this marker, never by the
presence of some `run.json`. A run is written into a staging folder `.NAME.staging-TOKEN` beside its target;
once complete (marker written last, history recorded), every file of the target that its marker does not list
(a colleague's notes) gets a second name in the staging folder (a hard link), the two folders are exchanged
in one atomic step (`renameat2`; elsewhere two renames through `.NAME.previous-TOKEN`), and the previous
run's own files are deleted. A run killed at any moment leaves the previous folder or the new one whole, with
the foreign files in it; the next run finishes (or undoes) the interrupted swap before anything else. A
folder being written or settled is locked (`flock`), so that a run in progress is never taken for leftovers.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import re
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from pipeline import __version__
from pipeline.errors import CdvError
from pipeline.files import atomic_write_text
from pipeline.workspace import Workspace

MARKER = ".cdv-run.json"
MARKER_KIND = "cdv-run"
TOKEN = re.compile(r"[0-9a-f]{8}")
TEMPORARY = re.compile(r"\.(?P<name>.+)\.[A-Za-z0-9_]{8}\.tmp")
AT_FDCWD = -100
RENAME_EXCHANGE = 2

FolderHook = Callable[[Path], object]


class OutputDirError(CdvError):
    """The output folder cannot receive a run: it holds something cdv did not write, or cannot be written."""


@dataclass(frozen=True)
class RunMarker:
    """What a run folder says of itself: which run wrote it, with which cdv, and the files that are cdv's."""

    run_id: str
    cdv_version: str = __version__
    files: tuple[str, ...] = ()
    written_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    replaces: str = ""  # the run this one replaced: tells a recovery which of two folders is the older

    def __post_init__(self) -> None:
        for name in self.files:
            path = PurePosixPath(name)
            if not name or path.is_absolute() or ".." in path.parts or name == MARKER or "\\" in name:
                raise ValueError(f"chemin invalide dans le marqueur de run : {name!r}")

    def to_json(self) -> str:
        data = {
            "kind": MARKER_KIND,
            "run_id": self.run_id,
            "cdv_version": self.cdv_version,
            "written_at": self.written_at,
            "files": sorted(self.files),
            "replaces": self.replaces,
        }
        return json.dumps(data, ensure_ascii=False, indent=1)


def read_marker(folder: Path) -> RunMarker | None:
    """The marker of a run folder, or None when `folder` is not a run folder written by cdv."""
    path = Path(folder) / MARKER
    if path.is_symlink() or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("kind") != MARKER_KIND:
            return None
        files = data.get("files")
        if not isinstance(files, list) or not all(isinstance(name, str) for name in files):
            return None
        run_id, version, written, replaces = (
            str(data.get(key, "")) for key in ("run_id", "cdv_version", "written_at", "replaces")
        )
        return RunMarker(run_id, version, tuple(files), written, replaces)
    except (OSError, ValueError):
        return None


def is_run_folder(folder: Path) -> bool:
    """True when `folder` carries cdv's marker."""
    return read_marker(folder) is not None


def write_marker(folder: Path, marker: RunMarker) -> None:
    atomic_write_text(Path(folder) / MARKER, marker.to_json())


def relative_name(folder: Path, path: Path | str) -> str | None:
    """`path` (absolute, or relative to `folder`) as a marker entry; None when it is outside `folder`."""
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            candidate = candidate.relative_to(Path(folder))
        except ValueError:
            try:
                candidate = candidate.resolve().relative_to(Path(folder).resolve())
            except ValueError:
                return None
    name = candidate.as_posix()
    return None if name in ("", ".") or name.startswith("../") or name == MARKER else name


def record_written(folder: Path, paths: Iterable[Path | str]) -> None:
    """Add files cdv just wrote into a run folder (`cdv tables`, `cdv diff`) to its marker's list.

    A folder without a marker (a staging folder, whose marker lists everything once complete) is left alone.
    """
    marker = read_marker(folder)
    if marker is None:
        return
    names = set(marker.files)
    names.update(name for path in paths if (name := relative_name(folder, path)) is not None)
    if names != set(marker.files):
        write_marker(folder, replace(marker, files=tuple(sorted(names))))


def owns(folder: Path, path: Path | str) -> bool:
    """True when the marker of `folder` lists `path`: cdv wrote it and may replace or delete it."""
    marker = read_marker(folder)
    name = relative_name(folder, path)
    return marker is not None and name is not None and name in marker.files


def files_under(folder: Path) -> list[str]:
    """Every file (and symbolic link) under `folder`, as sorted relative POSIX paths, marker excluded."""
    found = []
    for directory, subdirectories, files in os.walk(folder, followlinks=False):
        base = Path(directory)
        links = [name for name in subdirectories if (base / name).is_symlink()]
        for name in [*files, *links]:
            relative = (base / name).relative_to(folder).as_posix()
            if relative != MARKER:
                found.append(relative)
    return sorted(found)


@contextlib.contextmanager
def folder_lock(folder: Path, wait: bool = True) -> Iterator[bool]:
    """An exclusive `flock` on a folder while the block runs; yields False (not locked) when another process
    holds it and `wait` is False. The kernel releases it when the holder dies."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        yield False
        return
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(descriptor)


def leftover_name(target: Path, kind: str, token: str) -> Path:
    """`.NAME.staging-TOKEN` or `.NAME.previous-TOKEN` beside `target`."""
    return target.parent / f".{target.name}.{kind}-{token}"


def check_replaceable(target: Path) -> None:
    """Refuse a target that exists and is not an empty folder or a run folder written by cdv."""
    target = Path(target)
    if target.is_symlink():
        raise OutputDirError(f"{target} : le dossier de sortie est un lien symbolique ; indiquez le dossier lui-même.")
    if not target.exists():
        return
    if not target.is_dir():
        raise OutputDirError(f"{target} : le dossier de sortie est un fichier ; choisissez un dossier avec --out.")
    if read_marker(target) is None and any(target.iterdir()):
        raise OutputDirError(
            f"{target} : ce dossier n'est pas un résultat de cdv (pas de marqueur {MARKER}) et n'est pas vide ; "
            "cdv ne remplace que ses propres résultats : choisissez un dossier vide ou nouveau avec --out."
        )


@contextlib.contextmanager
def staged_run(target: Path, run_id: str = "", before_swap: FolderHook | None = None) -> Iterator[Path]:
    """Yield an empty staging folder that replaces `target` only if the block succeeds.

    When the block is done, the marker listing every file of the staging folder is written, `before_swap`
    (the history entry) is called with the complete staging folder, then the folders are swapped and the
    previous run's files deleted; files cdv did not write move into the new folder.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex[:8]
    staging = leftover_name(target, "staging", token)
    staging.mkdir()
    with folder_lock(staging):
        try:
            yield staging
            write_marker(staging, RunMarker(run_id, files=tuple(files_under(staging))))
            check_replaceable(target)
            if before_swap is not None:
                before_swap(staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        swap_in(staging, target, token)


def exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one atomic step (Linux `renameat2` with `RENAME_EXCHANGE`): there is no moment
    without a run folder. False where the system or the file system cannot."""
    rename = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None) if sys.platform == "linux" else None
    if rename is None:
        return False
    if rename(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def swap_in(staging: Path, target: Path, token: str) -> None:
    """Put a complete staging folder in place of `target`, then settle the previous folder's files.

    The folders are exchanged atomically where the system allows (the previous run is then under the staging
    folder's name; the new marker's `replaces` says so to a recovery); else `target` is renamed
    `.NAME.previous-TOKEN` and the staging folder takes its name.
    """
    with folder_lock(target) if target.is_dir() else contextlib.nullcontext(True):
        if not target.exists():
            os.replace(staging, target)
            return
        old, new = read_marker(target), read_marker(staging)
        if new is not None:
            write_marker(staging, replace(new, replaces=old.run_id if old else ""))
        link_kept(target, staging, token)
        if exchange(staging, target):
            settle_previous(staging, target, token)
            return
        previous = leftover_name(target, "previous", token)
        os.replace(target, previous)
        try:
            os.replace(staging, target)
        except BaseException:
            if previous.exists() and not target.exists():
                os.replace(previous, target)
            raise
        settle_previous(previous, target, token)


def entries(folder: Path) -> tuple[list[str], list[str]]:
    """Files and links (bottom-up) and folders (top-down) under `folder`, as relative POSIX paths."""
    files: list[str] = []
    folders: list[str] = []
    for directory, subdirectories, names in os.walk(folder, topdown=True, followlinks=False):
        base = Path(directory)
        for name in subdirectories:
            relative = (base / name).relative_to(folder).as_posix()
            (files if (base / name).is_symlink() else folders).append(relative)
        files += [(base / name).relative_to(folder).as_posix() for name in names]
    return sorted(files, key=lambda name: -name.count("/")), folders


def owned_by(folder: Path) -> tuple[set[str], set[str]]:
    """The files the marker of `folder` lists, and the folders that hold them."""
    marker = read_marker(folder)
    owned = set(marker.files) if marker else set()
    return owned, {prefix for name in owned for prefix in _prefixes(PurePosixPath(name).parent.as_posix())}


def is_kept(relative: str, owned: set[str]) -> bool:
    """A file cdv did not write (neither listed in the marker, nor the marker, nor an unfinished write of cdv)."""
    return relative != MARKER and relative not in owned and not is_leftover_temporary(relative, owned)


def kept_name(destination: Path, token: str) -> Path:
    """Where a kept file goes when the new run wrote a file of the same name."""
    return destination.with_name(f"{destination.stem} (conservé {token}){destination.suffix}")


def same_entry(first: Path, second: Path) -> bool:
    """Two names of one file (hard links), links not followed."""
    try:
        a, b = first.lstat(), second.lstat()
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def link_kept(previous: Path, staging: Path, token: str) -> None:
    """Before the swap, give every file cdv did not write a second name in the new folder (a hard link), so
    that it is in the run folder at every moment; where links are impossible, `settle_previous` moves it."""
    owned, owned_dirs = owned_by(previous)
    files, folders = entries(previous)
    for relative in folders:
        if relative not in owned_dirs and not (staging / relative).is_symlink():
            with contextlib.suppress(OSError):
                (staging / relative).mkdir(parents=True, exist_ok=True)
    for relative in files:
        if not is_kept(relative, owned):
            continue
        source, destination = previous / relative, staging / relative
        if os.path.lexists(destination):
            if same_entry(source, destination):
                continue
            destination = kept_name(destination, token)
            if os.path.lexists(destination):
                continue
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.link(source, destination, follow_symlinks=False)
        except OSError:
            return


def settle_previous(previous: Path, target: Path, token: str) -> None:
    """Delete the previous run's own files; files cdv did not write, already linked into `target`, lose their
    old name, others move into `target`. The marker goes last, so that a settling interrupted at any point
    can be finished."""
    owned, owned_dirs = owned_by(previous)
    files, folders = entries(previous)
    for relative in files:
        path = previous / relative
        if relative == MARKER:
            continue
        destination = target / relative
        if not is_kept(relative, owned) or any(
            same_entry(path, name) for name in (destination, kept_name(destination, token))
        ):
            path.unlink()
        else:
            move_kept(path, destination, token)
    for relative in reversed(folders):
        if relative not in owned_dirs and not (target / relative).exists():
            (target / relative).mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            (previous / relative).rmdir()
    (previous / MARKER).unlink(missing_ok=True)
    previous.rmdir()


def _prefixes(name: str) -> list[str]:
    parts = PurePosixPath(name).parts
    return ["/".join(parts[: index + 1]) for index in range(len(parts))] if name != "." else []


def is_leftover_temporary(relative: str, owned: set[str]) -> bool:
    """An unfinished atomic write (`.NAME.XXXXXXXX.tmp`) of a file cdv owns."""
    path = PurePosixPath(relative)
    match = TEMPORARY.fullmatch(path.name)
    return match is not None and (path.parent / match["name"]).as_posix().removeprefix("./") in owned


def move_kept(source: Path, destination: Path, token: str) -> Path:
    """Move a file cdv did not write into the new run folder; a name taken by a new file gets a suffix."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    if os.path.lexists(destination):
        destination = kept_name(destination, token)
    os.rename(source, destination)
    return destination


def is_complete(staging: Path) -> bool:
    """A staging folder is complete once its marker is written and every file it lists is there."""
    marker = read_marker(staging)
    return marker is not None and all((staging / name).exists() for name in marker.files)


def recover_interrupted(target: Path, on_resume: FolderHook | None = None) -> list[str]:
    """Finish or undo the swaps of runs killed before they were done; return what was done, in French.

    A complete staging folder is put in place (after `on_resume`, the history entry); an incomplete one is
    deleted; a previous folder is settled into the target, or put back when the target is missing. Folders
    locked by a live process (a run in progress) are left alone.
    """
    target = Path(target)
    if not target.parent.is_dir():
        return []
    pattern = re.compile(rf"\.{re.escape(target.name)}\.(staging|previous)-([0-9a-f]{{8}})")
    found: dict[str, dict[str, Path]] = {}
    for entry in target.parent.iterdir():
        match = pattern.fullmatch(entry.name)
        if match and entry.is_dir() and not entry.is_symlink():
            found.setdefault(match[2], {})[match[1]] = entry
    notes: list[str] = []
    for token, folders in sorted(found.items()):
        staging, previous = folders.get("staging"), folders.get("previous")
        with contextlib.ExitStack() as locks:
            if not all(locks.enter_context(folder_lock(f, wait=False)) for f in (staging, previous) if f):
                continue
            notes += recover_one(target, token, staging, previous, on_resume)
    return notes


def recover_one(
    target: Path, token: str, staging: Path | None, previous: Path | None, on_resume: FolderHook | None
) -> list[str]:
    """One interrupted swap: see `recover_interrupted`."""
    staged, current = (read_marker(staging) if staging else None), read_marker(target)
    if staging is not None and staged and staged.run_id and current and current.replaces == staged.run_id:
        settle_previous(staging, target, token)  # exchanged: the staging folder's name holds the previous run
        return [f"{target} : run interrompu après le remplacement du dossier, anciens fichiers rangés."]
    complete = staging is not None and is_complete(staging)
    if staging is not None and not complete:
        shutil.rmtree(staging)
        staging = None
    if staging is not None and read_marker(target) is None and target.exists() and any(target.iterdir()):
        shutil.rmtree(staging)  # the target was replaced by something else since: never swap over it
        staging = None
    if staging is not None:
        if on_resume is not None:
            on_resume(staging)
        if previous is not None and not target.exists():
            os.replace(staging, target)
            settle_previous(previous, target, token)
        else:
            if previous is not None:
                settle_previous(previous, target, token)
            swap_in(staging, target, token)
        return [f"{target} : run interrompu pendant le remplacement du dossier, remplacement terminé."]
    if previous is not None:
        if target.exists():
            settle_previous(previous, target, token)
            return [f"{target} : run interrompu après le remplacement du dossier, anciens fichiers rangés."]
        os.replace(previous, target)
        return [f"{target} : run interrompu pendant le remplacement du dossier, résultats précédents remis en place."]
    return [f"{target} : dossier provisoire d'un run interrompu supprimé."]


def check_writable(out: Path) -> None:
    """Fail now, not after the pipeline ran, when the output folder cannot be created or written."""
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputDirError(
            f"{out} : dossier de sortie impossible à créer ({error.strerror}) ; choisissez un autre --out."
        ) from error
    try:
        probe = tempfile.mkdtemp(prefix=f".{out.name}.essai-", dir=out.parent)
        os.rmdir(probe)
    except OSError as error:
        raise OutputDirError(
            f"{out} : impossible d'écrire dans {out.parent} ({error.strerror}) ; choisissez un autre --out."
        ) from error
    if out.is_dir() and not os.access(out, os.W_OK | os.X_OK):
        raise OutputDirError(f"{out} : dossier de sortie non modifiable (droits) ; choisissez un autre --out.")


def check_output_dir(
    out_dir: Path, corpus: Path, workspace: Workspace | None = None, on_resume: FolderHook | None = None
) -> list[str]:
    """Everything that must hold before a run starts working, with a one-line French error otherwise.

    `out_dir` must not contain, be or lie inside the corpus, must not contain the workspace or overlap what
    it keeps (decisions, history, caches), must be new, empty or a run folder written by cdv, and must be
    writable. Interrupted swaps of earlier runs are finished first (see `recover_interrupted`); the
    returned lines say what was recovered.
    """
    out = Path(out_dir)
    resolved, corpus_root = out.resolve(), Path(corpus).resolve()
    if resolved == corpus_root or corpus_root.is_relative_to(resolved):
        raise OutputDirError(f"{out} : le dossier de sortie contient le corpus ; choisissez un autre --out.")
    if resolved.is_relative_to(corpus_root):
        raise OutputDirError(
            f"{out} : le dossier de sortie est dans le corpus {corpus_root} ; choisissez un autre --out."
        )
    if workspace is not None:
        root = workspace.root.resolve()
        if resolved == root or root.is_relative_to(resolved):
            raise OutputDirError(
                f"{out} : le dossier de sortie contient l'espace de travail {root} (décisions des relecteurs, "
                "historique, caches), qu'un run remplacerait ; choisissez un autre --out ou --workspace."
            )
        for kept in workspace.state_paths:
            kept = kept.resolve()
            if resolved.is_relative_to(kept) or kept.is_relative_to(resolved):
                raise OutputDirError(
                    f"{out} : le dossier de sortie empiète sur {kept} de l'espace de travail ; "
                    "choisissez un autre --out."
                )
    notes = recover_interrupted(out, on_resume)
    check_replaceable(out)
    check_writable(out)
    return notes
