"""The version registry: every version of every contract kept, numbered and linked to the next one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pipeline.fingerprint import imported_modules
from pipeline.types import ContractFile
from pipeline.versions import current_versions, find_version, list_versions, register_versions, stored_path
from pipeline.workspace import Workspace


def contract(folder: Path, contract_id: str, content: bytes, name: str | None = None) -> ContractFile:
    import hashlib

    path = folder / (name or f"{contract_id}.pdf")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return ContractFile(contract_id, path, hashlib.sha256(content).hexdigest(), len(content))


def test_new_replaced_unchanged_and_restored(tmp_path: Path) -> None:
    space = Workspace(tmp_path / "ws")
    corpus = tmp_path / "corpus"
    first = [contract(corpus, "11-aude", b"%PDF-1 v1"), contract(corpus, "32-gers", b"%PDF-1 gers")]
    changes = register_versions(space, first, run_id="r1")
    assert [(c.contract_id, c.kind, c.version_no) for c in changes] == [
        ("11-aude", "nouveau", 1),
        ("32-gers", "nouveau", 1),
    ]

    assert all(not c.is_new for c in register_versions(space, first, run_id="r1"))  # idempotent

    second = contract(corpus, "11-aude", b"%PDF-1 v2")
    (change,) = register_versions(space, [second], run_id="r2")
    assert (change.kind, change.version_no, change.previous_sha256) == ("remplace", 2, first[0].sha256)

    versions = list_versions(space, "11-aude")
    assert [(v.name, v.current) for v in versions] == [("11-aude@v1", False), ("11-aude@v2", True)]
    assert versions[0].superseded_by == second.sha256 and versions[0].superseded_at
    assert versions[0].first_run == "r1" and versions[1].first_run == "r2"
    # the bytes of the replaced version are kept in the workspace although the corpus file was overwritten
    assert Path(versions[0].stored).read_bytes() == b"%PDF-1 v1"
    assert stored_path(space, second.sha256).read_bytes() == b"%PDF-1 v2"

    back = contract(corpus, "11-aude", b"%PDF-1 v1")
    (change,) = register_versions(space, [back], run_id="r3")
    assert (change.kind, change.version_no) == ("retabli", 1)
    assert current_versions(space)["11-aude"].version_no == 1
    assert find_version(space, "11-aude", "v2") is not None
    assert find_version(space, "11-aude", second.sha256[:8]) == list_versions(space, "11-aude")[1]


def test_duplicates_skipped_and_url_source_recorded(tmp_path: Path) -> None:
    space = Workspace(tmp_path / "ws")
    original = contract(tmp_path, "a", b"%PDF-1 same")
    copy = ContractFile("b", original.path, original.sha256, original.size, duplicate_of="a")
    changes = register_versions(space, [original, copy], sources={"a": "https://example.org/a.pdf"}, keep=False)
    assert [c.contract_id for c in changes] == ["a"]
    (version,) = list_versions(space)
    assert version.source == "https://example.org/a.pdf" and version.stored == ""


def test_registry_shares_the_workspace_database_in_wal_mode(tmp_path: Path) -> None:
    space = Workspace(tmp_path / "ws")
    with sqlite3.connect(space.database) as other:  # another developer's table, already there
        other.execute("CREATE TABLE review_decisions (id INTEGER PRIMARY KEY, note TEXT)")
        other.execute("INSERT INTO review_decisions (note) VALUES ('valide')")
    register_versions(space, [contract(tmp_path, "a", b"%PDF-1 a")])
    with sqlite3.connect(space.database) as check:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert check.execute("SELECT note FROM review_decisions").fetchall() == [("valide",)]
        tables = {row[0] for row in check.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "registry_versions" in tables
    assert list_versions(Workspace(tmp_path / "empty")) == []


def test_fingerprint_finds_imports_in_every_block_but_type_checking(tmp_path: Path) -> None:
    source = tmp_path / "stage.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from pipeline.types import RunSettings\n"
        "class Stage:\n    def run(self):\n        try:\n            pass\n        except OSError:\n"
        "            with open('x'):\n                import pipeline.files\n"
        "        for _ in ():\n            pass\n        else:\n            from . import quote\n"
        "        match self:\n            case _:\n                from pipeline.lexicon import load_lexicon\n"
        "        return [__import__('os') for _ in range(1) if (lambda: None)]\n",
        encoding="utf-8",
    )

    found = imported_modules(source, "pipeline.stage")

    assert found == {
        "pipeline",
        "pipeline.files",
        "pipeline.quote",
        "pipeline.lexicon",
        "pipeline.lexicon.load_lexicon",
    }
