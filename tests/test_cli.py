"""Every command has help with an example and is documented in the README."""

from __future__ import annotations

import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from contract_pdf import write_contract

from pipeline.cli import main
from pipeline.errors import CdvError
from pipeline.lexicon import default_lexicon_dir

README = Path(__file__).resolve().parents[1] / "README.md"


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for name, command in group.commands.items():
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths += command_paths(command, (*prefix, name))
    return paths


@pytest.mark.parametrize("path", command_paths(main), ids=" ".join)
def test_command_has_help_with_example_and_readme_entry(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0
    command = main
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    if not isinstance(command, click.Group):
        assert "Exemple : cdv " in result.output
        assert f"cdv {' '.join(path)}" in README.read_text(encoding="utf-8")


def test_run_on_missing_corpus_is_a_one_line_french_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "run",
            "--corpus",
            str(tmp_path / "absent"),
            "--out",
            str(tmp_path / "out"),
            "--workspace",
            str(tmp_path / "ws"),
        ],
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"Erreur : {tmp_path / 'absent'} : dossier du corpus introuvable ; indiquez-le avec --corpus DIR."
    )


def test_readme_quick_start_has_exactly_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    block = text.split("## Quick start", 1)[1].split("```", 2)[1]
    assert [line for line in block.splitlines() if line.strip()] == [
        "bash scripts/install.sh && .venv/bin/cdv run",
        ".venv/bin/python -m pytest",
    ]


def test_broken_lexicons_folder_is_one_french_line_before_any_work(tmp_path: Path) -> None:
    """Regression: a broken `--lexicons` folder ended `cdv run` in a Prefect traceback."""
    lexicons = tmp_path / "lexiques"
    shutil.copytree(default_lexicon_dir(), lexicons)
    with (lexicons / "partners.csv").open("a", encoding="utf-8") as stream:
        stream.write("caf,Doublon de la CAF,,,,,protection sociale,,,\n")
    corpus = tmp_path / "corpus"
    write_contract(corpus / "a.pdf", ["Axe emploi\nFrance Travail accompagne les jeunes."])
    args = ["run", "--corpus", str(corpus), "--out", str(tmp_path / "out"), "--workspace", str(tmp_path / "ws")]
    result = CliRunner().invoke(main, [*args, "--lexicons", str(lexicons)])
    assert result.exit_code == 1
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Erreur : partners.csv:") and "caf" in last
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists() and not (tmp_path / "ws" / ".prefect").exists()


def test_every_named_library_error_is_a_cdv_error() -> None:
    from pipeline.demo import DemoCorpusError
    from pipeline.evaluate import EvaluationError
    from pipeline.lexicon import LexiconError
    from pipeline.models import ModelError

    for error in (DemoCorpusError, EvaluationError, LexiconError, ModelError):
        assert issubclass(error, CdvError), error
