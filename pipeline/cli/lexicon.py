"""`cdv lexicon ...`: check the analyst-editable lexicons."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli import main
from pipeline.lexicon import default_lexicon_dir
from pipeline.lexicon_check import check_lexicon, format_report


@main.group("lexicon")
def lexicon() -> None:
    """Lexiques : partenaires, dispositifs, sigles, thèmes et grille d'indicateurs.

    Exemple : cdv lexicon check
    """


@lexicon.command("check")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Dossier des lexiques à vérifier. Défaut : lexicons/ du projet.",
)
def check(directory: Path | None) -> None:
    """Vérifie les lexiques (colonnes, ids, sigles partagés, références, motifs) et affiche les comptes.

    Chaque erreur est affichée sous la forme fichier:ligne: message ; code de sortie 1 s'il y en a une.

    Exemple : cdv lexicon check
    """
    report = check_lexicon(directory or default_lexicon_dir())
    for line in format_report(report):
        click.echo(line)
    if not report.ok:
        raise SystemExit(1)
