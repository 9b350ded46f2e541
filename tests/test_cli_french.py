"""The `cdv` command speaks French everywhere a user looks: Click's own help, usage and errors (in-process, exact
output and exit codes), plurals and decimal commas in summaries, no English notice from Prefect."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.cli.demo import fallback_line
from pipeline.cli.french import french_click
from pipeline.cli.run import summary_lines
from pipeline.demo import MISSING_NOTE, UNREADABLE_NOTE
from pipeline.types import ReviewState

NBSP = "\u00a0"
ENGLISH = (
    "Usage:",
    "Options:",
    "Commands:",
    "Show this message",
    "[default:",
    "Error:",
    "Try '",
    "DIRECTORY",
    "INTEGER",
)


def all_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for name, command in group.commands.items():
        paths += all_paths(command, (*prefix, name)) if isinstance(command, click.Group) else [(*prefix, name)]
    return paths


@pytest.mark.parametrize("path", all_paths(main), ids=lambda p: " ".join(p) or "cdv")
def test_every_help_is_french(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0
    assert result.output.startswith(f"Usage : cdv {' '.join(path)}".replace("  ", " ").rstrip() + " ")
    assert "Options :\n" in result.output
    assert "  -h, --help" in result.output and "Affiche cette aide et quitte." in result.output
    for word in ENGLISH:
        assert word not in result.output, (path, word)


def test_main_help_exactly() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Usage : cdv [OPTIONS] COMMANDE [ARGUMENTS]..."
    assert lines[7:10] == [
        "Options :",
        "  --version   Affiche la version et quitte.",
        "  -h, --help  Affiche cette aide et quitte.",
    ]
    assert lines[11] == "Commandes :"


def test_run_help_metavars_defaults_and_ranges() -> None:
    result = CliRunner().invoke(main, ["run", "--help"])
    text = result.output
    assert "  --corpus DOSSIER " in text and "  --workers ENTIER " in text and "  --dask-address TEXTE " in text
    assert f"[défaut{NBSP}:{NBSP}2{NBSP};{NBSP}de{NBSP}1{NBSP}à{NBSP}64]" in text
    assert f"[défaut{NBSP}:{NBSP}outputs/latest]" in text
    assert "\n                        :" not in text  # a line never starts with a colon
    review = CliRunner().invoke(main, ["review", "--help"]).output
    assert review.startswith("Usage : cdv review [OPTIONS] [COMMANDE] [ARGUMENTS]...\n")
    assert f"[défaut{NBSP}:{NBSP}30{NBSP};{NBSP}de{NBSP}0{NBSP}à{NBSP}3600]" in review
    assert CliRunner().invoke(main, ["diff", "--help"]).output.startswith("Usage : cdv diff [OPTIONS] RUN_A RUN_B\n")


def test_workers_zero_is_a_french_usage_error() -> None:
    result = CliRunner().invoke(main, ["run", "--workers", "0"])
    assert result.exit_code == 1
    assert result.output == (
        "Usage : cdv run [OPTIONS]\n"
        "Aide : cdv run --help\n\n"
        "Erreur : valeur invalide pour « --workers » : 0 n'est pas dans les valeurs admises (de 1 à 64).\n"
    )


def test_unknown_command_missing_option_unknown_option_missing_argument() -> None:
    runner = CliRunner()
    unknown = runner.invoke(main, ["frobnicate"])
    assert (unknown.exit_code, unknown.output) == (
        1,
        "Usage : cdv [OPTIONS] COMMANDE [ARGUMENTS]...\nAide : cdv --help\n\n"
        "Erreur : commande inconnue : « frobnicate ».\n",
    )
    missing = runner.invoke(main, ["tables"])
    assert missing.exit_code == 1 and missing.output.endswith("\nErreur : option manquante « --run ».\n")
    option = runner.invoke(main, ["run", "--strictt"])
    assert option.exit_code == 1
    assert option.output.endswith("\nErreur : option inconnue : --strictt. Vouliez-vous dire « --strict » ?\n")
    argument = runner.invoke(main, ["diff"])
    assert argument.exit_code == 1 and argument.output.endswith("\nErreur : argument manquant « RUN_A ».\n")
    typed = runner.invoke(main, ["demo-corpus", "--out", "x", "--n", "beaucoup"])
    assert typed.exit_code == 1 and typed.output.endswith(
        "\nErreur : valeur invalide pour « --n » : « beaucoup » n'est pas un nombre valide.\n"
    )
    value = runner.invoke(main, ["tables", "--run"])
    assert (value.exit_code, value.output) == (1, "Erreur : l'option --run demande une valeur.\n")
    absent = runner.invoke(main, ["review", "import", "absent.xlsx"])
    assert absent.exit_code == 1 and absent.output.endswith(
        "\nErreur : valeur invalide pour « FILE » : « absent.xlsx » n'existe pas.\n"
    )


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert (result.exit_code, result.output) == (0, "cdv, version 0.1.0\n")


def test_click_is_english_again_outside_cdv() -> None:
    """The French messages are Click's only while a cdv verb runs: other Click programs are untouched."""

    @click.command()
    @click.option("--n", type=click.IntRange(1, 3))
    def other(n: int) -> None:
        """Another program."""

    with french_click():
        assert "Usage :" in CliRunner().invoke(other, ["--help"]).output
    result = CliRunner().invoke(other, ["--n", "9"])
    assert result.exit_code == 2 and "Error: Invalid value for '--n'" in result.output


def review_state(decided: int, total: int) -> ReviewState:
    return ReviewState(
        contrats=2,
        contrats_lus=1,
        detections=total,
        decidees=decided,
        pct_revu=round(100 * decided / total, 1),
        validees=decided,
        rejetees=0,
        ajoutees=0,
        pages_illisibles=0,
        contrats_pages_illisibles=0,
    )


def test_summary_plurals_and_decimal_commas() -> None:
    from types import SimpleNamespace

    def result(decided: int, total: int, hits: int, misses: int) -> object:
        counts = SimpleNamespace(
            contracts=2,
            contracts_ok=1,
            contracts_error=1,
            pages=1234,
            partners_found=3,
            dispositifs_found=1,
            detections=total,
        )
        record = SimpleNamespace(
            contract_id="a", status="ok", warnings=[], version_change="", cache=SimpleNamespace(extraction="hit")
        )
        records = [record] * hits + [
            SimpleNamespace(
                contract_id="b", status="ok", warnings=[], version_change="", cache=SimpleNamespace(extraction="miss")
            )
        ] * misses
        return SimpleNamespace(
            counts=counts,
            contracts=records,
            warnings=[],
            publication=SimpleNamespace(review=review_state(decided, total)),
            settings=SimpleNamespace(out=Path("sortie")),
        )

    one = summary_lines(result(1, 8, 1, 1))  # type: ignore[arg-type]
    assert "Relecture : 1 détection décidée sur 8 (12,5\u00a0%), appliquée aux tables" in one
    assert f"Pages lues : 1{NBSP}234 ; extraction : 1 contrat depuis le cache, 1 contrat lu" in one
    many = summary_lines(result(37, 40, 2, 3))  # type: ignore[arg-type]
    assert "Relecture : 37 détections décidées sur 40 (92,5\u00a0%), appliquées aux tables" in many
    assert f"Pages lues : 1{NBSP}234 ; extraction : 2 contrats depuis le cache, 3 contrats lus" in many
    assert not any("(s)" in line or "(x)" in line for line in one + many)


def test_regression_demo_fallback_does_not_read_as_chromium_absent() -> None:
    """Regression: « repli reportlab : « État » absent de la page [23] » read as « Chromium absent » although
    /usr/bin/chromium was there (pypdfium2 reads one Chromium-printed page letter by letter)."""
    note = f"{UNREADABLE_NOTE} (« État » introuvable dans le texte relu de la page 23)"
    line = fallback_line([note])
    assert line == (
        "Attention : 1 contrat prévu pour Chromium rendu par reportlab : le texte du PDF imprimé par Chromium ne se "
        "relit pas comme le prévoient les étiquettes (« État » introuvable dans le texte relu de la page 23)."
    )
    assert "absent" not in line
    assert fallback_line([MISSING_NOTE, MISSING_NOTE]).startswith(
        "Attention : 2 contrats prévus pour Chromium rendus par reportlab ; premier motif : Chromium introuvable"
    )


def prefect_import_output(home: Path, configure: bool) -> str:
    """What importing Prefect prints on standard error in a terminal (a pseudo-terminal) with a new home."""
    setup = "from pathlib import Path\nfrom pipeline.workspace import Workspace, configure_prefect\n"
    setup += f"configure_prefect(Workspace(Path({str(home)!r})))\n"
    code = (setup if configure else "") + (
        f"import os\nos.environ.setdefault('PREFECT_HOME', {str(home / '.prefect')!r})\nimport prefect\n"
    )
    environment = {
        k: v for k, v in os.environ.items() if k not in ("DO_NOT_TRACK", "CI") and not k.startswith("PREFECT_")
    }
    primary, secondary = pty.openpty()
    try:
        completed = subprocess.run(
            [sys.executable, "-c", code],
            stdin=subprocess.DEVNULL,
            stdout=secondary,
            stderr=subprocess.PIPE,
            env=environment,
            timeout=240,
            check=False,
        )
    finally:
        os.close(secondary)
        os.close(primary)
    assert completed.returncode == 0, completed.stderr
    return completed.stderr.decode("utf-8", "replace")


@pytest.mark.skipif(any(os.environ.get(name) for name in ("GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL")), reason="CI")
def test_no_english_prefect_notice_in_a_terminal(tmp_path: Path) -> None:
    """Prefect prints « Prefect collects anonymous usage data » on its first import in a terminal, unless
    DO_NOT_TRACK is set: cdv's Prefect settings set it before Prefect is imported."""
    assert "anonymous usage data" in prefect_import_output(tmp_path / "sans", configure=False)  # the test can fail
    assert "anonymous usage data" not in prefect_import_output(tmp_path / "cdv", configure=True)
