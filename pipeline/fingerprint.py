"""Code fingerprints: the version of a stage is a hash of the source of every `pipeline` module it can run.

Cache keys and `run.json` use these instead of hand-bumped version strings, so that no code change can
serve a stale cached result: editing any module a stage imports (directly, transitively, or inside a
function) changes the stage's fingerprint. This module imports no other `pipeline` module, so that it adds
nothing to a stage's closure (`pipeline.stage_versions` combines the fingerprints with the data versions).
"""

from __future__ import annotations

import ast
import hashlib
from functools import lru_cache
from pathlib import Path

PACKAGE = "pipeline"
PACKAGE_DIR = Path(__file__).resolve().parent


def module_to_path(name: str) -> Path | None:
    """The source file of a `pipeline` module or package, or None when there is none."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    base = PACKAGE_DIR.joinpath(*parts[1:])
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    return None


def is_type_checking_block(node: ast.AST) -> bool:
    """`if TYPE_CHECKING:`: imports for annotations only, never run."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


STATEMENT_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


def run_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every statement of a module that can run, `if TYPE_CHECKING:` blocks left out. Only blocks of statements
    are walked: an import is a statement, never inside an expression (walking the expressions took most of the
    fingerprint's time, which every `cdv run` pays, « Rien de nouveau » included)."""
    nodes: list[ast.AST] = []
    pending = [tree]
    while pending:
        node = pending.pop()
        nodes.append(node)
        for block in STATEMENT_BLOCKS:
            pending.extend(child for child in getattr(node, block, ()) if not is_type_checking_block(child))
    return nodes


@lru_cache(maxsize=512)
def imported_modules(path: Path, name: str) -> frozenset[str]:
    """The `pipeline` modules a source file imports anywhere it can run (top level or inside functions)."""
    tree = ast.parse(path.read_bytes(), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in run_nodes(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")
                base = ".".join(anchor[: len(anchor) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return frozenset(module for module in found if module.split(".")[0] == PACKAGE)


def module_closure(*entries: str) -> dict[str, Path]:
    """Every `pipeline` module reachable by imports from the entry modules (packages include their parents)."""
    seen: dict[str, Path] = {}
    pending = list(entries)
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        path = module_to_path(name)
        if path is None:
            continue
        seen[name] = path
        pending.extend(imported_modules(path, name))
        parent = name.rpartition(".")[0]
        if parent and parent != PACKAGE:
            pending.append(parent)
    return seen


@lru_cache(maxsize=256)
def source_bytes(path: Path) -> bytes:
    """A module's source and, when there is one, the data file of the same name it reads (`candidate_words.csv`
    beside `candidate_words.py`): editing the data changes the stage's fingerprint like editing the code."""
    data = path.with_suffix(".csv")
    return path.read_bytes() + (b"\0" + data.read_bytes() if data.is_file() else b"")


@lru_cache(maxsize=32)
def code_fingerprint(*entries: str) -> str:
    """A short hash of the source of every module the entry modules can run (computed once per process)."""
    digest = hashlib.sha256()
    for name, path in sorted(module_closure(*entries).items()):
        digest.update(name.encode("utf-8") + b"\0" + source_bytes(path) + b"\0")
    return digest.hexdigest()[:12]


def package_stamp() -> str:
    """Size and modification time of every source file of cdv: any edit, checkout or update changes it (~2 ms,
    where hashing the sources takes ~0.5 s). A resident process compares it to the stamp it started with."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        status = path.stat()
        digest.update(f"{path}\0{status.st_size}\0{status.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def clear_caches() -> None:
    """Forget what was read of the sources (after editing them in the same process, as tests do)."""
    for cached in (imported_modules, source_bytes, code_fingerprint):
        cached.cache_clear()
