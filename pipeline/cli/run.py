"""`cdv run` and `cdv extract`: the whole pipeline, or the text stage only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from pipeline.cli import fail, main
from pipeline.cli.options import lexicons_option, workspace_option
from pipeline.errors import CdvError
from pipeline.lexicon import default_lexicon_dir
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


def summary_lines(result: dict[str, Any], out: Path) -> list[str]:
    """The French summary printed after a run."""
    counts = result["counts"]
    contracts = result["contracts"]
    cache = [row.get("cache", {}).get("extraction") for row in contracts]
    lines = [
        f"Contrats lus : {counts['contracts_ok']} sur {counts['contracts']}"
        + (f" ({counts['contracts_error']} en erreur)" if counts["contracts_error"] else ""),
    ]
    lines += [f"  ! {row['contract_id']} : {row['error']}" for row in contracts if row["status"] == "error"]
    lines += [
        f"  ~ {row['contract_id']} : {warning}"
        for row in contracts
        if row["status"] == "ok" and row.get("warnings")
        for warning in str(row["warnings"]).split(" | ")
    ]
    publication = Path(out) / "publication.json"
    if publication.exists():
        review = json.loads(publication.read_text(encoding="utf-8")).get("review", {})
        lines.append(
            f"Relecture : {review.get('decidees', 0)} détection(s) décidée(s) sur {review.get('detections', 0)} "
            f"({review.get('pct_revu', 0.0)} %), appliquées aux tables"
        )
    kinds = list(result.get("versions", {}).values())
    if kinds:
        replaced = kinds.count("remplace") + kinds.count("retabli")
        lines.append(
            f"Versions : {kinds.count('nouveau')} nouveau(x) contrat(s), {replaced} nouvelle(s) version(s), "
            f"{kinds.count('inchange')} inchangé(s) ; détail : cdv history"
        )
    lines += [
        f"Pages lues : {counts['pages']} ; extraction : {cache.count('hit')} contrat(s) depuis le cache, "
        f"{cache.count('miss')} lu(s)",
        f"Partenaires trouvés : {counts['partners_found']} ; dispositifs : {counts['dispositifs_found']} ; "
        f"détections : {counts['detections']}",
        f"Résultats dans {out} : contracts.csv, detections.csv, contract_entities.csv, tables/*.csv, "
        "rapport.xlsx, rapport.html, run.json",
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
    help="Dossier des résultats (remplacé en entier à la fin du run).",
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
@click.option(
    "--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="Contrats traités en parallèle."
)
@click.option(
    "--dask-address",
    default=None,
    envvar="CDV_DASK_ADDRESS",
    help="Adresse d'un ordonnanceur Dask (ex. tcp://10.0.0.5:8786) : les tâches y sont exécutées.",
)
@click.option("--strict", is_flag=True, help="Code de sortie 1 si un contrat est en erreur.")
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
    strict: bool,
    verbose: bool,
) -> None:
    """Lit tous les contrats d'un dossier et écrit les tables de partenaires et d'articulations.

    Exemple : cdv run --corpus corpus/ --out outputs/latest
    """
    try:
        space = resolve_workspace(workspace)
        configure_prefect(space, verbose=verbose)
        corpus_dir = resolve_corpus(corpus, space)
        result = run_with_progress(
            corpus_dir,
            out,
            space,
            lexicons or default_lexicon_dir(),
            workers=workers,
            dask_address=dask_address,
            models_dir=models,
            use_ner=not no_ner,
        )
    except CdvError as error:
        fail(str(error))
        return
    for line in summary_lines(result, out):
        click.echo(line)
    counts = result["counts"]
    if counts["contracts"] and counts["contracts_ok"] == 0:
        fail("aucun contrat n'a pu être lu : voir les erreurs ci-dessus.")
    if strict and counts["contracts_error"]:
        fail(f"--strict : {counts['contracts_error']} contrat(s) en erreur.")


def run_with_progress(corpus: Path, out: Path, space: Workspace, lexicons: Path, **options: Any) -> dict[str, Any]:
    """Run the Prefect flow with a progress bar on the terminal; `options` go to `run_corpus`."""
    from pipeline import flows

    with click.progressbar(length=1, label="Lecture des contrats", show_pos=True) as bar:

        def on_progress(label: str, done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        flows.progress_hook = on_progress
        try:
            return flows.run_corpus(corpus, out, space, lexicons, **options)
        finally:
            flows.progress_hook = None


@main.command("extract")
@click.option(
    "--corpus", type=click.Path(file_okay=False, exists=True, path_type=Path), required=True, help="Dossier des PDF."
)
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Dossier où écrire pages.jsonl."
)
@workspace_option()
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True)
def extract_command(corpus: Path, out: Path, workspace: Path | None, workers: int) -> None:
    """Extrait le texte de chaque page (une ligne JSON par page, avec la façon dont elle a été lue).

    Exemple : cdv extract --corpus corpus/ --out outputs/texte
    """
    from pipeline.cache import extract_corpus_to_jsonl

    try:
        space = resolve_workspace(workspace)
        result = extract_corpus_to_jsonl(corpus, out / "pages.jsonl", space.page_cache, workers)
    except CdvError as error:
        fail(str(error))
        return
    click.echo(
        f"Contrats : {result['contracts']} ({result['errors']} en erreur) ; pages : {result['pages']} "
        f"(texte {result['text']}, OCR {result['ocr']}, illisibles {result['unread']})"
    )
    for message in result["messages"]:
        click.echo(f"  ! {message}")
    click.echo(f"{result['cache_hits']} contrat(s) depuis le cache ; pages écrites dans {out / 'pages.jsonl'}")
