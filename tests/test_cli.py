"""Every command has help with an example and is documented in the README."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from pipeline.cli import main

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
