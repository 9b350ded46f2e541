"""`cdv review`: the review web app, the spreadsheet round trip and the double-coding agreement."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipeline.cli import fail, main
from pipeline.cli.french import FloatRange, IntRange
from pipeline.cli.options import lexicons_option, workspace_option
from pipeline.french import agree, plural

if TYPE_CHECKING:
    from pipeline.review.session import ReviewSession

DEFAULT_RUN = Path("outputs") / "latest"
TOKEN_ENV = "CDV_REVIEW_TOKEN"

run_option = click.option(
    "--run",
    "run_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_RUN,
    show_default=True,
    help="Dossier d'un run (detections.csv, contracts.csv, run.json).",
)
review_workspace = workspace_option(
    "Espace de travail des décisions. Défaut : celui du run (run.json), sinon $CDV_HOME, sinon outputs/."
)


def open_session(run_dir: Path, workspace: Path | None, lexicons: Path | None = None) -> ReviewSession:
    """The review session of a run, or a French error."""
    from pipeline.review.session import ReviewSession
    from pipeline.workspace import Workspace

    return ReviewSession(run_dir, Workspace(workspace) if workspace else None, lexicon_dir=lexicons)


def is_loopback(host: str) -> bool:
    """127.0.0.1, ::1 or localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@main.group("review", invoke_without_command=True)
@run_option
@review_workspace
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Adresse d'écoute (autre que locale : jeton requis)."
)
@click.option("--port", type=IntRange(1, 65535), default=8765, show_default=True, help="Port d'écoute.")
@click.option(
    "--token",
    default=None,
    help=f"Jeton d'accès exigé à chaque requête, 16 caractères au moins (ou variable {TOKEN_ENV}).",
)
@click.option(
    "--hote-autorise",
    "extra_hosts",
    multiple=True,
    help="Nom d'hôte de plus sous lequel l'application peut être appelée (défaut : l'adresse d'écoute et localhost).",
)
@lexicons_option
@click.option(
    "--pause",
    type=FloatRange(0, 3600),
    default=30.0,
    show_default=True,
    help="Secondes sans décision après lesquelles rapport et classeur sont régénérés (0 : seulement sur demande).",
)
@click.pass_context
def review_group(
    ctx: click.Context,
    run_dir: Path,
    workspace: Path | None,
    host: str,
    port: int,
    token: str | None,
    extra_hosts: tuple[str, ...],
    lexicons: Path | None,
    pause: float,
) -> None:
    """Relecture des détections dans le navigateur (sans sous-commande), ou par tableur.

    Exemple : cdv review --run outputs/latest   puis ouvrir http://127.0.0.1:8765
    """
    if ctx.invoked_subcommand is not None:
        return
    token = token or os.environ.get(TOKEN_ENV) or None
    if not is_loopback(host) and not token:
        fail(f"--host {host} expose l'application au réseau : donnez un jeton avec --token ou {TOKEN_ENV}.")
    from pipeline.review.app import check_token, create_app

    check_token(token)
    session = open_session(run_dir, workspace, lexicons)
    import uvicorn

    address = f"http://{host}:{port}/" + (f"?token={token}" if token else "")
    click.echo(f"Relecture du run {session.run_id} : ouvrez {address} (Ctrl+C pour arrêter).")
    hosts = (host, "localhost", *extra_hosts)
    uvicorn.run(
        create_app(session, token=token, hosts=hosts, publish_pause=pause), host=host, port=port, log_level="warning"
    )


@review_group.command("export")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Fichier .xlsx à écrire.")
@run_option
@review_workspace
def export_command(out: Path, run_dir: Path, workspace: Path | None) -> None:
    """Exporte une ligne par détection dans un classeur avec listes déroulantes, pour relire hors ligne.

    Exemple : cdv review export --out relecture.xlsx --run outputs/latest
    """
    from pipeline.review.spreadsheet import export_workbook

    count = export_workbook(open_session(run_dir, workspace), out)
    click.echo(f"{plural(count, 'détection exportée')} dans {out}.")
    click.echo("Remplissez les colonnes decision, nouveau_role, nouveau_theme, commentaire puis : cdv review import")


@review_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--reviewer", default=None, help="Nom du relecteur (défaut : celui écrit dans le classeur, sinon $USER).")
@click.option(
    "--remplacer",
    "replace",
    is_flag=True,
    help="Remplacer aussi les décisions prises par des collègues depuis l'export (sinon l'import est refusé).",
)
@run_option
@review_workspace
def import_command(file: Path, reviewer: str | None, replace: bool, run_dir: Path, workspace: Path | None) -> None:
    """Importe un classeur relu : tout est vérifié d'abord, tout ou rien est écrit (une seule transaction).

    Si des collègues ont décidé depuis l'export sur des lignes modifiées, rien n'est importé sans --remplacer.

    Exemple : cdv review import relecture.xlsx --reviewer "Marie Dupont" --run outputs/latest
    """
    from pipeline.review.spreadsheet import SpreadsheetError, import_workbook

    try:
        result = import_workbook(open_session(run_dir, workspace), file, reviewer, replace=replace)
    except SpreadsheetError as error:
        for line in error.problems[:50]:
            click.echo(f"  {line}", err=True)
        if len(error.problems) > 50:
            click.echo(f"  … et {plural(len(error.problems) - 50, 'autre')}.", err=True)
        fail(str(error))
        return
    click.echo(
        f"{plural(result.recorded, 'décision enregistrée')}, "
        f"{plural(result.unchanged, 'ligne déjà à jour', 'lignes déjà à jour')}, "
        f"{plural(result.untouched, 'ligne sans décision')}."
    )
    if result.overtaken:
        replaced = agree(len(result.overtaken), "remplacée")
        click.echo(f"{plural(len(result.overtaken), 'décision')} de collègues {replaced} (--remplacer) :")
        for line in result.overtaken[:50]:
            click.echo(f"  {line}")
        if len(result.overtaken) > 50:
            click.echo(f"  … et {plural(len(result.overtaken) - 50, 'autre')}.")


@review_group.command("agreement")
@run_option
@review_workspace
def agreement_command(run_dir: Path, workspace: Path | None) -> None:
    """Accord entre relecteurs sur les contrats codés deux fois (kappa de Cohen par type et par rôle).

    Exemple : cdv review agreement --run outputs/latest
    """
    from pipeline.review.agreement import agreement_lines, compute_agreement

    result = compute_agreement(open_session(run_dir, workspace))
    for line in agreement_lines(result):
        click.echo(line)
