"""`cdv tables` and `cdv diff`: regenerate a run's tables and reports; compare two runs."""

from __future__ import annotations

import time
from pathlib import Path

import click

from pipeline.cli import fail, main
from pipeline.cli.french import IntRange
from pipeline.cli.options import lexicons_option, workspace_option
from pipeline.french import fr_number, fr_pct, plural
from pipeline.runfolder import MARKER, is_run_folder, record_written
from pipeline.workspace import Workspace


@main.command("tables")
@click.option(
    "--run",
    "run_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Dossier d'un résultat de cdv run.",
)
@lexicons_option
@workspace_option("Espace de travail (décisions, cache de pages). Défaut : celui du run.")
@click.option("--sans-png", "no_png", is_flag=True, help="Ne pas dessiner les graphiques PNG (SVG seulement).")
def tables_command(run_dir: Path, lexicons: Path | None, workspace: Path | None, no_png: bool) -> None:
    """Régénère tables, classeur rapport.xlsx, rapport.html et graphiques depuis les détections et décisions.

    Rien n'est relu dans les PDF : les détections enregistrées du run reçoivent les décisions des relecteurs.
    Les lexiques sont ceux du run (run.json), sauf --lexicons.

    Exemple : cdv tables --run outputs/latest
    """
    from pipeline.report.publish import load_run_lexicon, republish

    if not is_run_folder(run_dir):
        fail(f"{run_dir} : pas de marqueur {MARKER}, ce dossier n'est pas un résultat de cdv run.")
    started = time.perf_counter()
    lexicon = load_run_lexicon(run_dir, lexicons)
    summary = republish(run_dir, lexicon, Workspace(workspace) if workspace is not None else None, png=not no_png)
    review = summary.review
    click.echo(
        f"Contrats lus : {review.contrats_lus} sur {review.contrats} ; détections : "
        f"{fr_number(review.detections, 0)} dont {plural(review.decidees, 'décidée')} ({fr_pct(review.pct_revu)})"
    )
    click.echo(
        f"{plural(summary.indicators_total, 'indicateur')} dont "
        f"{plural(summary.indicators_computable, 'calculable')} ; "
        f"{plural(summary.indicators_agreeing, 'conforme')} au rapport publié"
    )
    if review.pages_illisibles:
        click.echo(
            f"  ! {plural(review.pages_illisibles, 'page illisible')} dans "
            f"{plural(review.contrats_pages_illisibles, 'contrat')} : chiffres signalés ⚠"
        )
    for warning in summary.warnings:
        click.echo(f"  ! {warning}")
    click.echo(
        f"Écrit dans {run_dir} : tables/*.csv, rapport.xlsx, rapport.html, charts/ "
        f"({fr_number(time.perf_counter() - started)} s)"
    )


@main.command("diff")
@click.argument("run_a", type=click.Path(file_okay=False, path_type=Path))
@click.argument("run_b", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Fichier CSV des différences. Défaut : RUN_B/diff.csv.",
)
@click.option(
    "--limit",
    type=IntRange(0, 100000),
    default=30,
    show_default=True,
    help="Différences affichées dans le terminal.",
)
def diff_command(run_a: Path, run_b: Path, out: Path | None, limit: int) -> None:
    """Compare deux runs : entités gagnées ou perdues par contrat, rôles changés, cellules de tables modifiées.

    Exemple : cdv diff outputs/2024-06 outputs/latest --out diff.csv
    """
    from pipeline.diff import diff_runs, diff_summary, diff_to_csv
    from pipeline.files import atomic_write_bytes

    diff = diff_runs(run_a, run_b)
    target = out or run_b / "diff.csv"
    try:
        atomic_write_bytes(target, diff_to_csv(diff))
        record_written(target.parent, [target])  # cdv wrote it: the next run of RUN_B may replace it
    except OSError as error:
        fail(f"{target} : écriture impossible ({error.strerror}).")
    for line in diff_summary(diff, limit):
        click.echo(line)
    click.echo(f"Différences écrites dans {target}")
