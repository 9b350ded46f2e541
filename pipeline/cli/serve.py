"""`cdv serve` (scheduled runs as a Prefect deployment) and `cdv history` (runs and contract versions)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import click

from pipeline.cli import fail, main
from pipeline.cli.french import IntRange
from pipeline.cli.options import lexicons_option, workspace_option
from pipeline.french import fr_datetime, plural
from pipeline.workspace import Workspace, configure_prefect, resolve_workspace

DEFAULT_CORPUS = Path("corpus")
DEFAULT_OUT = Path("outputs") / "latest"
CHANGE_LABELS = {"nouveau": "nouveau contrat", "remplace": "nouvelle version", "retire": "retiré", "absent": "absent"}
ENTITY_MARKS = {"ajoute": "+", "retire": "-", "modifie": "~", "cellule": "#"}


@main.command("serve")
@click.option("--cron", default="0 6 * * *", show_default=True, help="Planification (syntaxe cron).")
@click.option("--timezone", default="Europe/Paris", show_default=True, help="Fuseau horaire de la planification.")
@click.option(
    "--corpus",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_CORPUS,
    show_default=True,
    help="Dossier surveillé des PDF (avec manifest.csv et ses URL).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Dossier des résultats, remplacé à chaque run qui trouve du nouveau.",
)
@workspace_option()
@lexicons_option
@click.option("--workers", type=IntRange(1, 64), default=2, show_default=True, help="Contrats en parallèle.")
@click.option("--name", default="cdv-quotidien", show_default=True, help="Nom du déploiement Prefect.")
@click.option("--once", is_flag=True, help="Faire un seul passage maintenant, sans planification, puis quitter.")
@click.option("--force", is_flag=True, help="Avec --once : relancer même si rien n'a changé.")
@click.option("-v", "--verbose", is_flag=True, help="Journal détaillé de Prefect.")
def serve_command(
    cron: str,
    timezone: str,
    corpus: Path,
    out: Path,
    workspace: Path | None,
    lexicons: Path | None,
    workers: int,
    name: str,
    once: bool,
    force: bool,
    verbose: bool,
) -> None:
    """Relit le corpus selon un planning : télécharge les URL du manifeste, repère les nouvelles versions,
    ne relit que ce qui a changé et garde l'historique. Ctrl+C arrête le service.

    Exemple : cdv serve --cron "0 6 * * *"
    """
    from pipeline.lexicon import default_lexicon_dir

    if not corpus.is_dir():
        fail(f"{corpus} : dossier du corpus introuvable ; indiquez-le avec --corpus DIR.")
    try:
        space = resolve_workspace(workspace)
        configure_prefect(space, verbose=True)  # before Prefect is first imported
        check_cron(cron)
        if not verbose:
            os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
        lexicon_dir = lexicons or default_lexicon_dir()
        if once:
            from pipeline.schedule import scheduled_flow

            result = scheduled_flow(str(corpus), str(out), str(space.root), str(lexicon_dir), workers, force)
            click.echo(result["message"])
            return
        serve_forever(corpus, out, space, lexicon_dir, cron, timezone, workers, name)
    except RuntimeError as error:
        fail(f"service impossible à démarrer : {error}")


def check_cron(cron: str) -> None:
    """A French error for a schedule that is not five cron fields."""
    from prefect.schedules import validate_cron_string

    try:
        validate_cron_string(cron)
    except ValueError:
        fail(f'planification « {cron} » invalide : cinq champs cron, par exemple "0 6 * * *" (6 h chaque jour).')


def serve_forever(
    corpus: Path, out: Path, space: Workspace, lexicon_dir: Path, cron: str, timezone: str, workers: int, name: str
) -> None:
    """Start (or reuse, with PREFECT_API_URL) a Prefect server and serve the scheduled deployment."""
    server = None
    if not os.environ.get("PREFECT_API_URL"):
        click.echo("Démarrage du serveur Prefect local (127.0.0.1), environ 15 s…")
        server, api = start_local_server(space)
        os.environ["PREFECT_API_URL"] = api
        click.echo(f"Serveur Prefect : {api} (journal : {space.prefect_home / 'server.log'})")
    try:
        from prefect import serve
        from prefect.settings import PREFECT_API_URL, temporary_settings

        from pipeline.schedule import build_deployment

        with temporary_settings(updates={PREFECT_API_URL: os.environ["PREFECT_API_URL"]}):
            deployment = build_deployment(corpus, out, space, lexicon_dir, cron, timezone, workers, name)
            click.echo(
                f"Service « {name} » : planification « {cron} » ({timezone}), corpus {corpus.resolve()}, "
                f"résultats {out.resolve()}, historique : cdv history --workspace {space.root}"
            )
            serve(deployment, print_starting_message=False)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)


@main.command("history")
@workspace_option()
@click.option("--limit", type=IntRange(1, 10_000), default=20, show_default=True, help="Runs affichés.")
@click.option("--contract", "contract_id", default=None, help="Seulement ce contrat.")
@click.option(
    "--details/--no-details",
    default=True,
    show_default=True,
    help="Détailler les partenaires et dispositifs ajoutés, retirés ou modifiés.",
)
def history_command(workspace: Path | None, limit: int, contract_id: str | None, details: bool) -> None:
    """Liste les runs et les versions des contrats, avec ce qui a changé d'un run à l'autre.

    Exemple : cdv history --workspace outputs/
    """
    space = resolve_workspace(workspace)
    lines = history_lines(space, limit, contract_id, details)
    for line in lines:
        click.echo(line)


def history_lines(space: Workspace, limit: int = 20, contract_id: str | None = None, details: bool = True) -> list[str]:
    """The French text of `cdv history`."""
    from pipeline.history import checks_since, list_runs
    from pipeline.versions import list_versions

    runs = list_runs(space, limit)
    versions = list_versions(space, contract_id)
    if not runs and not versions:
        return [f"Aucun run enregistré dans {space.root} : lancez d'abord cdv run ou cdv serve."]
    names = {(v.contract_id, v.sha256): f"v{v.version_no}" for v in versions}
    lines = [f"Runs ({len(runs)} plus récents d'abord) :"]
    for run in runs:
        changes = [c for c in run.contract_changes if c[1] not in ("inchange",)]
        entity_changes = run.entity_changes
        if contract_id:
            changes = [c for c in changes if c[0] == contract_id]
            entity_changes = [c for c in entity_changes if c.contract_id == contract_id]
        cells = [c for c in entity_changes if c.change == "cellule"]
        entity_changes = [c for c in entity_changes if c.change != "cellule"]
        counts = run.counts
        headline = (
            f"  {fr_datetime(run.started_at)}  {run.run_id}  {plural(counts.get('contracts_ok', 0), 'contrat lu')} "
            f"sur {counts.get('contracts', '?')}"
        )
        if not run.previous_run:
            headline += " ; premier run sur ce corpus"
        elif not changes and not entity_changes and not cells:
            headline += " ; rien de changé"
        else:
            headline += (
                f" ; {plural(len(changes), 'contrat changé')}, "
                f"{plural(len(entity_changes), 'partenaire ou dispositif', 'partenaires ou dispositifs')} gagnés, "
                f"perdus ou changés de rôle, "
                f"{plural(len(cells), 'cellule de tables modifiée', 'cellules de tables modifiées')}"
            )
        lines.append(headline)
        checks = checks_since(space, run.run_id)
        if checks:
            lines.append(
                f"      {plural(len(checks), 'vérification')} sans rien de nouveau depuis ; "
                f"dernière : {fr_datetime(checks[-1][0])}"
            )
        if run.previous_run:
            for cid, change, sha256, old in changes:
                label = CHANGE_LABELS.get(change, change)
                new_name = names.get((cid, sha256), sha256[:12])
                old_name = names.get((cid, old), old[:12])
                if change == "remplace":
                    lines.append(f"      {cid} : {label} {new_name} ({sha256[:12]}…) remplace {old_name}")
                elif change == "retire":
                    lines.append(f"      {cid} : {label} (dernière version {old_name})")
                else:
                    lines.append(f"      {cid} : {label} {new_name}")
            if details:
                for entity in entity_changes:
                    mark = ENTITY_MARKS.get(entity.change, "?")
                    detail = f" ({entity.detail})" if entity.detail else ""
                    lines.append(
                        f"      {mark} {entity.contract_id} · {entity.entity_name or entity.entity_id}{detail}"
                    )
                for cell in cells:
                    lines.append(f"      # {cell.entity_name or cell.entity_id} ({cell.detail})")
    lines.append("Versions des contrats :")
    for version in versions:
        state = "actuelle" if version.current else f"remplacée le {version.superseded_at}"
        if not version.current and version.superseded_by:
            state += f" par {names.get((version.contract_id, version.superseded_by), version.superseded_by[:12])}"
        lines.append(
            f"  {version.name}  {version.short}…  {version.size} octets  vue le {version.first_seen}  {state}"
            f"  ({version.source})"
        )
    return lines


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_local_server(workspace: Workspace, timeout: float = 240.0) -> tuple[subprocess.Popen[bytes], str]:
    """Start a Prefect server on 127.0.0.1 (its scheduler creates the cron runs; the ephemeral one does not).

    Returns the process and the API URL; its log goes to `.prefect/server.log` of the workspace.
    """
    port = free_port()
    workspace.prefect_home.mkdir(parents=True, exist_ok=True)
    log = (workspace.prefect_home / "server.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PREFECT_HOME": str(workspace.prefect_home.resolve())},
    )
    api = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"le serveur Prefect s'est arrêté (voir {workspace.prefect_home / 'server.log'})")
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2) as response:
                if response.status == 200:
                    return process, api
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError(f"le serveur Prefect n'a pas démarré en {timeout:.0f} s")
