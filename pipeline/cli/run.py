"""`cdv run` and `cdv extract`: the whole pipeline, or the text stage only."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli import fail, main
from pipeline.cli.french import IntRange
from pipeline.cli.options import lexicons_option, workspace_option
from pipeline.french import agree, fr_number, fr_pct, plural
from pipeline.lexicon import default_lexicon_dir
from pipeline.models import default_models_dir
from pipeline.runfolder import check_output_dir
from pipeline.types import RunResult, RunSettings
from pipeline.workspace import Workspace, configure_prefect, resolve_workspace

DEMO_CORPUS_DIR = "demo-corpus"
DEFAULT_OUT = Path("outputs") / "latest"


def resolve_corpus(corpus: Path | None, space: Workspace) -> Path:
    """The corpus folder given, or the demo corpus, generated on first use inside the workspace (never under
    `corpus/`, whose PDFs are all read when a user runs on it)."""
    if corpus is not None:
        return corpus
    from pipeline.demo import ensure_demo_corpus

    demo = space.root / DEMO_CORPUS_DIR
    click.echo(f"Pas de --corpus : corpus de démonstration dans {demo} (généré au premier usage).")
    return ensure_demo_corpus(demo)


def summary_lines(result: RunResult) -> list[str]:
    """The French summary printed after a run, from the run's result."""
    counts = result.counts
    lines = [
        f"Contrats lus : {counts.contracts_ok} sur {counts.contracts}"
        + (f" ({counts.contracts_error} en erreur)" if counts.contracts_error else ""),
    ]
    lines += [f"  ! {record.contract_id} : {record.error}" for record in result.contracts if record.status == "error"]
    lines += [
        f"  ~ {record.contract_id} : {warning}"
        for record in result.contracts
        if record.status == "ok"
        for warning in record.warnings
    ]
    lines += [f"  ~ {warning}" for warning in result.warnings]
    if result.publication is not None:
        review = result.publication.review
        lines.append(
            f"Relecture : {plural(review.decidees, 'détection décidée')} sur {fr_number(review.detections, 0)} "
            f"({fr_pct(review.pct_revu)}), {agree(review.decidees, 'appliquée')} aux tables"
        )
    kinds = [record.version_change for record in result.contracts if record.version_change]
    if kinds:
        replaced = kinds.count("remplace") + kinds.count("retabli")
        lines.append(
            f"Versions : {plural(kinds.count('nouveau'), 'nouveau contrat')}, "
            f"{plural(replaced, 'nouvelle version')}, {plural(kinds.count('inchange'), 'inchangé')} ; "
            "détail : cdv history"
        )
    cache = [record.cache.extraction for record in result.contracts if record.cache is not None]
    lines += [
        f"Pages lues : {fr_number(counts.pages, 0)} ; extraction : {plural(cache.count('hit'), 'contrat')} "
        f"depuis le cache, {plural(cache.count('miss'), 'contrat lu')}",
        f"Partenaires trouvés : {counts.partners_found} ; dispositifs : {counts.dispositifs_found} ; "
        f"détections : {fr_number(counts.detections, 0)}",
        f"Résultats dans {result.settings.out} : contracts.csv, detections.csv, contract_entities.csv, "
        "tables/*.csv, rapport.xlsx, rapport.html, run.json",
    ]
    return lines


@main.command("run")
@click.option(
    "--corpus",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Dossier des PDF des contrats (et manifest.csv). Défaut : le corpus de démonstration.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Dossier des résultats : nouveau, vide ou résultat d'un run précédent (seuls ses fichiers sont remplacés).",
)
@workspace_option()
@lexicons_option
@click.option(
    "--models",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Dossier des modèles (skops). Défaut : models/ du projet.",
)
@click.option(
    "--sans-ner",
    "no_ner",
    is_flag=True,
    help="Sans la reconnaissance d'entités de spaCy pour candidates.csv (plus rapide).",
)
@click.option("--workers", type=IntRange(1, 64), default=2, show_default=True, help="Contrats traités en parallèle.")
@click.option(
    "--dask-address",
    default=None,
    envvar="CDV_DASK_ADDRESS",
    help="Adresse d'un ordonnanceur Dask (ex. tcp://10.0.0.5:8786) : les tâches y sont exécutées.",
)
@click.option(
    "--suivre-liens",
    "follow_links",
    is_flag=True,
    help="Lire aussi les liens symboliques du corpus qui mènent hors de son dossier.",
)
@click.option("--strict", is_flag=True, help="Code de sortie 1 si un contrat est en erreur.")
@click.option("--force", is_flag=True, help="Relancer même si rien n'a changé depuis le dernier run.")
@click.option("-v", "--verbose", is_flag=True, help="Journal détaillé de Prefect.")
def run_command(
    corpus: Path | None,
    out: Path,
    workspace: Path | None,
    lexicons: Path | None,
    models: Path | None,
    no_ner: bool,
    workers: int,
    dask_address: str | None,
    follow_links: bool,
    strict: bool,
    force: bool,
    verbose: bool,
) -> None:
    """Lit tous les contrats d'un dossier et écrit les tables de partenaires et d'articulations.

    Exemple : cdv run --corpus corpus/ --out outputs/latest
    """
    from pipeline.history import record_run_folder

    space = resolve_workspace(workspace)
    for note in check_output_dir(out, corpus or space.demo_corpus, space, on_resume=record_run_folder):
        click.echo(note)  # before the demo corpus is generated or Prefect imported
    configure_prefect(space, verbose=verbose)
    settings = RunSettings(
        corpus=resolve_corpus(corpus, space),
        out=out,
        workspace=space.root,
        lexicon_dir=lexicons or default_lexicon_dir(),
        models_dir=models or default_models_dir(),
        use_ner=not no_ner,
        workers=workers,
        dask_address=dask_address or "",
        follow_links=follow_links,
    )
    from pipeline.freshness import nothing_new

    unchanged = None if force else nothing_new(settings)
    if unchanged:
        click.echo(unchanged)
        return
    from pipeline.resident_call import call_nearby

    result = call_nearby(space, run_with_progress, settings, dask=bool(settings.dask_address))
    for line in summary_lines(result):
        click.echo(line)
    counts = result.counts
    if counts.contracts and counts.contracts_ok == 0:
        fail("aucun contrat n'a pu être lu : voir les erreurs ci-dessus.")
    if strict and counts.contracts_error:
        fail(f"--strict : {plural(counts.contracts_error, 'contrat en erreur')}.")


def run_with_progress(settings: RunSettings) -> RunResult:
    """Run the Prefect flow with a progress bar on the terminal."""
    from pipeline.analyser import prefetch_in_background, resident_enabled
    from pipeline.freshness import contracts_to_analyse
    from pipeline.in_flight import forget_in_flight
    from pipeline.workers import start_warm_workers

    pending = [] if settings.dask_address else contracts_to_analyse(settings)
    if pending:
        if resident_enabled():
            prefetch_in_background(settings, pending)  # the first contracts are analysed while Prefect starts
        else:
            start_warm_workers(settings)  # the workers' resources load while Prefect is imported and the flow starts
    from pipeline import flows

    with click.progressbar(length=1, label="Lecture des contrats", show_pos=True) as bar:

        def on_progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        flows.progress_hook = on_progress
        try:
            return flows.run_corpus(settings)
        finally:
            flows.progress_hook = None
            forget_in_flight(pending)


@main.command("extract")
@click.option(
    "--corpus", type=click.Path(file_okay=False, exists=True, path_type=Path), required=True, help="Dossier des PDF."
)
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Dossier où écrire pages.jsonl."
)
@workspace_option()
@click.option("--workers", type=IntRange(1, 64), default=2, show_default=True, help="Contrats lus en parallèle.")
def extract_command(corpus: Path, out: Path, workspace: Path | None, workers: int) -> None:
    """Extrait le texte de chaque page (une ligne JSON par page, avec la façon dont elle a été lue).

    Exemple : cdv extract --corpus corpus/ --out outputs/texte
    """
    from pipeline.cache import extract_corpus_to_jsonl

    space = resolve_workspace(workspace)
    result = extract_corpus_to_jsonl(corpus, out / "pages.jsonl", space.page_cache, workers)
    click.echo(
        f"Contrats : {result['contracts']} ({result['errors']} en erreur) ; pages : {fr_number(result['pages'], 0)} "
        f"(texte {result['text']}, OCR {result['ocr']}, {plural(result['unread'], 'illisible')})"
    )
    for message in result["messages"]:
        click.echo(f"  ! {message}")
    click.echo(f"{plural(result['cache_hits'], 'contrat')} depuis le cache ; pages écrites dans {out / 'pages.jsonl'}")
