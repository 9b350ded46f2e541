"""`cdv train`: train the classify models (theme, sense, role, score) from a corpus with gold labels."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli import fail, main
from pipeline.cli.options import workspace_option


@main.command("train")
@click.option(
    "--corpus",
    "corpus",
    required=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Corpus de démonstration (PDF et manifest.csv).",
)
@click.option(
    "--gold",
    "gold_path",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Étiquettes gold.json (par défaut : celles du corpus).",
)
@click.option(
    "--models",
    "models_dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Dossier où écrire les modèles (par défaut : models/ du projet).",
)
@workspace_option("Espace de travail (cache des pages) ; par défaut CDV_HOME ou outputs/.", name="workspace_dir")
def train(corpus: Path, gold_path: Path | None, models_dir: Path | None, workspace_dir: Path | None) -> None:
    """Entraîne les modèles de classification (thèmes, sens des sigles, signataires, scores).

    Exemple : cdv train --corpus outputs/demo-corpus
    """
    from pipeline.cache import extract_with_cache
    from pipeline.corpus import scan_corpus
    from pipeline.lexicon import LexiconError, default_lexicon_dir, load_lexicon
    from pipeline.match import load_matcher
    from pipeline.models import default_models_dir
    from pipeline.train import load_gold, prepare, save_models, train_models
    from pipeline.workspace import resolve_workspace

    gold_file = gold_path or corpus / "gold.json"
    if not gold_file.exists():
        fail(f"{gold_file} introuvable : indiquez les étiquettes avec --gold.")
    try:
        lexicon = load_lexicon(default_lexicon_dir())
    except LexiconError as error:
        fail(str(error))
        return
    workspace = resolve_workspace(workspace_dir)
    contracts = [c for c in scan_corpus(corpus).contracts if not c.duplicate_of]
    documents = []
    with click.progressbar(contracts, label="Lecture des contrats") as bar:
        for contract in bar:
            document, _ = extract_with_cache(contract, workspace.page_cache)
            if document.ok:
                documents.append(document)
    if not documents:
        fail("aucun contrat lisible dans le corpus.")
    click.echo(f"Entraînement sur {len(documents)} contrats …")
    prepared = prepare(documents, load_gold(gold_file), load_matcher(default_lexicon_dir()))
    models, counts = train_models(prepared, lexicon)
    target = models_dir or default_models_dir()
    card = {
        "training_data": f"{corpus} ({len(documents)} contrats, étiquettes {gold_file.name})",
        "lexicon_version": lexicon.version,
        "examples": counts,
    }
    versions = save_models(models, target, card)
    detail = ", ".join(f"{name} {version}" for name, version in versions.items())
    click.echo(f"Modèles écrits dans {target} : {detail}.")
