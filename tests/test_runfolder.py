"""Run folders: cdv replaces or deletes only what it wrote, refuses output folders that would hold the workspace
or the corpus, fails before working when it cannot write, and finishes the swaps of killed runs."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from run_fixture import make_run, write_corpus

from pipeline.cli import main
from pipeline.history import list_runs
from pipeline.review.session import ReviewSession
from pipeline.runfolder import (
    MARKER,
    OutputDirError,
    check_output_dir,
    folder_lock,
    is_run_folder,
    read_marker,
    record_written,
    recover_interrupted,
    staged_run,
)
from pipeline.workspace import Workspace


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus") / "corpus")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".staging-" in p.name or ".previous-" in p.name)


def test_workspace_inside_out_is_refused_and_its_decisions_kept(corpus: Path, tmp_path: Path) -> None:
    out = make_run(corpus, tmp_path / "O", tmp_path / "ws0")  # a previous run; then its workspace moved inside it
    session = ReviewSession(out, Workspace(tmp_path / "O" / "ws"))
    session.decide(str(session.detections["detection_id"].iloc[0]), "rejeter", "Alice")
    database = (tmp_path / "O" / "ws" / "cdv.sqlite3").read_bytes()
    args = ["run", "--corpus", str(corpus), "--out", str(out), "--workspace", str(tmp_path / "O" / "ws")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert result.output == (
        f"Erreur : {out} : le dossier de sortie contient l'espace de travail {(tmp_path / 'O' / 'ws').resolve()} "
        "(décisions des relecteurs, historique, caches), qu'un run remplacerait ; choisissez un autre --out ou "
        "--workspace.\n"
    )
    assert (tmp_path / "O" / "ws" / "cdv.sqlite3").read_bytes() == database
    assert len(ReviewSession(out, Workspace(tmp_path / "O" / "ws")).store.all()) == 1
    with pytest.raises(OutputDirError, match="empiète sur"):
        check_output_dir(tmp_path / "O" / "ws" / "cache", corpus, Workspace(tmp_path / "O" / "ws"))
    with pytest.raises(OutputDirError, match="est dans le corpus"):
        check_output_dir(corpus / "sorties", corpus)
    assert check_output_dir(tmp_path / "ws2" / "latest", corpus, Workspace(tmp_path / "ws2")) == []


def test_folder_with_any_run_json_is_not_taken_for_a_run(corpus: Path, tmp_path: Path) -> None:
    folder = tmp_path / "F"
    folder.mkdir()
    (folder / "run.json").write_text("{}", encoding="utf-8")
    (folder / "important.txt").write_text("notes", encoding="utf-8")
    args = ["run", "--corpus", str(corpus), "--out", str(folder), "--workspace", str(tmp_path / "ws")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert result.output.startswith(f"Erreur : {folder} : ce dossier n'est pas un résultat de cdv (pas de marqueur")
    assert result.output.count("\n") == 1
    assert (folder / "important.txt").read_text(encoding="utf-8") == "notes"
    assert not is_run_folder(folder)
    (folder / MARKER).write_text('{"kind": "cdv-run", "run_id": "x", "files": ["../../etc/passwd"]}', "utf-8")
    assert not is_run_folder(folder)  # a marker naming files outside its folder is not a marker


def test_unwritable_out_fails_fast_before_the_pipeline(corpus: Path, tmp_path: Path) -> None:
    started = time.monotonic()
    args = ["run", "--corpus", str(corpus), "--out", "/proc/cdv-sorties/latest", "--workspace", str(tmp_path / "ws")]
    result = CliRunner().invoke(main, args)
    assert time.monotonic() - started < 10
    assert result.exit_code == 1
    assert result.output.startswith("Erreur : /proc/cdv-sorties/latest : dossier de sortie impossible à créer (")
    assert result.output.count("\n") == 1
    assert not (tmp_path / "ws" / "cache").exists() and not (tmp_path / "ws" / ".prefect").exists()


def test_replacing_a_run_removes_only_its_own_files(corpus: Path, tmp_path: Path) -> None:
    out = make_run(corpus, tmp_path / "out", tmp_path / "ws")
    first = read_marker(out)
    assert first is not None and {"contracts.csv", "tables/partenaires.csv", "rapport.xlsx"} <= set(first.files)
    (out / "diff.csv").write_text("type\n", encoding="utf-8")
    record_written(out, [out / "diff.csv"])  # what `cdv diff` does after writing into a run folder
    assert "diff.csv" in read_marker(out).files  # type: ignore[union-attr]
    (out / "notes.txt").write_text("à garder", encoding="utf-8")
    (out / "tables" / "perso").mkdir()
    (out / "tables" / "perso" / "calcul.ods").write_bytes(b"mine")
    (out / "vide").mkdir()
    make_run(corpus, out, tmp_path / "ws")
    assert (out / "notes.txt").read_text(encoding="utf-8") == "à garder"
    assert (out / "tables" / "perso" / "calcul.ods").read_bytes() == b"mine"
    assert (out / "vide").is_dir()
    assert not (out / "diff.csv").exists()  # the previous run's own file, not written by the new one
    second = read_marker(out)
    assert second is not None and second.run_id != first.run_id and "notes.txt" not in second.files
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["run_id"] == second.run_id
    assert leftovers(tmp_path) == []


def test_a_kept_file_whose_name_the_new_run_takes_is_renamed_not_lost(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with staged_run(out, "r1") as staging:
        (staging / "run.json").write_text("{}", encoding="utf-8")
    (out / "rapport.xlsx").write_bytes(b"the analyst's own workbook")
    with staged_run(out, "r2") as staging:
        (staging / "run.json").write_text("{}", encoding="utf-8")
        (staging / "rapport.xlsx").write_bytes(b"cdv")
    kept = [p for p in out.iterdir() if p.name.startswith("rapport (conservé ")]
    assert [p.read_bytes() for p in kept] == [b"the analyst's own workbook"]
    assert (out / "rapport.xlsx").read_bytes() == b"cdv"


def write_previous(folder: Path, run_id: str, own: dict[str, str], foreign: dict[str, str]) -> Path:
    folder.mkdir(parents=True)
    for name, text in {**own, **foreign}.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    (folder / MARKER).write_text(
        json.dumps({"kind": "cdv-run", "run_id": run_id, "files": sorted(own)}), encoding="utf-8"
    )
    return folder


def test_interrupted_swaps_are_finished_by_the_next_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    # Killed between the two renames: complete new run in staging, previous run aside, no `out`.
    write_previous(tmp_path / ".out.previous-0000000a", "old", {"run.json": "{}", "tables/a.csv": "x"}, {"n.txt": "n"})
    write_previous(tmp_path / ".out.staging-0000000a", "new", {"run.json": '{"run_id": "new"}'}, {})
    # Killed while writing another staging folder (no marker yet).
    (tmp_path / ".out.staging-0000000b").mkdir()
    (tmp_path / ".out.staging-0000000b" / "contracts.csv").write_text("half", encoding="utf-8")
    resumed: list[Path] = []
    notes = recover_interrupted(out, on_resume=resumed.append)
    assert len(notes) == 2 and resumed == [tmp_path / ".out.staging-0000000a"]
    assert read_marker(out).run_id == "new"  # type: ignore[union-attr]
    assert (out / "n.txt").read_text(encoding="utf-8") == "n" and not (out / "tables").exists()
    assert leftovers(tmp_path) == []
    # Killed after the swap, while the previous folder was being settled.
    write_previous(tmp_path / ".out.previous-0000000c", "older", {"run.json": "{}"}, {"sub/m.txt": "m"})
    settled = f"{out} : run interrompu après le remplacement du dossier, anciens fichiers rangés."
    assert recover_interrupted(out) == [settled]
    assert (out / "sub" / "m.txt").read_text(encoding="utf-8") == "m" and leftovers(tmp_path) == []
    # Killed right after an atomic exchange: the staging folder's name holds the previous run.
    write_previous(tmp_path / ".out.staging-0000000e", "ancien", {"run.json": "{}", "old.csv": "o"}, {"p.txt": "p"})
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    (out / MARKER).write_text(json.dumps({**marker, "replaces": "ancien"}), encoding="utf-8")
    assert recover_interrupted(out) == [settled]
    assert (out / "p.txt").read_text(encoding="utf-8") == "p" and not (out / "old.csv").exists()
    assert leftovers(tmp_path) == []
    # A run in progress (its staging folder locked by a live process) is left alone.
    (tmp_path / ".out.staging-0000000d").mkdir()
    with folder_lock(tmp_path / ".out.staging-0000000d"):
        assert recover_interrupted(out) == []
    assert leftovers(tmp_path) == [".out.staging-0000000d"]


def test_history_is_written_in_the_swap_step_and_resumed(corpus: Path, tmp_path: Path) -> None:
    from pipeline.history import record_run_folder

    out = make_run(corpus, tmp_path / "out", tmp_path / "ws")
    first = read_marker(out)
    assert first is not None
    assert [run.run_id for run in list_runs(Workspace(tmp_path / "ws"))] == [first.run_id]
    # A second run killed once complete, before its history entry and its swap: the next run finishes both.
    staging = tmp_path / ".out.staging-000000ee"
    for path in out.rglob("*"):
        if path.is_file():
            (staging / path.relative_to(out)).parent.mkdir(parents=True, exist_ok=True)
            (staging / path.relative_to(out)).write_bytes(path.read_bytes())
    run = json.loads((staging / "run.json").read_text(encoding="utf-8"))
    run |= {"run_id": "killed-run", "started_at": "2099-01-01T00:00:00+00:00"}
    (staging / "run.json").write_text(json.dumps(run), encoding="utf-8")
    marker = json.loads((staging / MARKER).read_text(encoding="utf-8"))
    (staging / MARKER).write_text(json.dumps({**marker, "run_id": "killed-run"}), encoding="utf-8")
    assert check_output_dir(out, corpus, Workspace(tmp_path / "ws"), on_resume=record_run_folder) == [
        f"{out} : run interrompu pendant le remplacement du dossier, remplacement terminé."
    ]
    assert [run.run_id for run in list_runs(Workspace(tmp_path / "ws"))] == ["killed-run", first.run_id]
    assert read_marker(out).run_id == "killed-run"  # type: ignore[union-attr]
    assert leftovers(tmp_path) == []
