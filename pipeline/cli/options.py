"""Options shared by several verbs, declared once so that their names and help stay the same."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

WORKSPACE_HELP = "Dossier d'état (cache, décisions, versions, historique). Défaut : $CDV_HOME, sinon outputs/."


def workspace_option(help_text: str = WORKSPACE_HELP, name: str = "workspace") -> Callable[[Any], Any]:
    """`--workspace DIR`, with a help text saying what this verb keeps there."""
    return click.option(
        "--workspace", name, type=click.Path(file_okay=False, path_type=Path), default=None, help=help_text
    )


lexicons_option = click.option(
    "--lexicons",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Dossier des lexiques. Défaut : lexicons/ du projet.",
)
