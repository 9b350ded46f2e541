"""`cdv train`: train the classify models (theme, sense, role, score, mention, candidate) from corpora with gold
labels and the reviewers' decisions of the workspace."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli import fail, main
from pipeline.cli.options import workspace_option
from pipeline.french import plural


@main.command("train")
@click.option(
    "--corpus",
    "corpora",
    required=True,
    multiple=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Corpus étiqueté (PDF, manifest.csv et gold.json) ; option répétable.",
)
@click.option(
    "--gold",
    "gold_path",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Étiquettes gold.json (par défaut : celles du corpus ; un seul corpus alors).",
)
@click.option(
    "--sans-decisions",
    "without_decisions",
    is_flag=True,
    help="N'apprend pas des décisions des relecteurs enregistrées dans l'espace de travail.",
)
@click.option(
    "--models",
    "models_dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Dossier où écrire les modèles (par défaut : models/ du projet).",
)
@click.option(
    "--seulement-candidats",
    "only_candidates",
    is_flag=True,
    help="N'entraîne que le modèle des organisations hors lexique (les autres modèles restent inchangés).",
)
@workspace_option("Espace de travail (cache des pages) ; par défaut CDV_HOME ou outputs/.", name="workspace_dir")
def train(
    corpora: tuple[Path, ...],
    gold_path: Path | None,
    without_decisions: bool,
    models_dir: Path | None,
    workspace_dir: Path | None,
    only_candidates: bool,
) -> None:
    """Entraîne les modèles de classification (thèmes, sens des sigles, signataires, scores, sens des mentions,
    organisations hors lexique) sur des corpus étiquetés et les décisions des relecteurs de l'espace de travail.

    Exemple : cdv train --corpus outputs/demo-corpus --corpus reelle-reglage --workspace outputs

    Exemple : cdv train --corpus outputs/demo-corpus --corpus reelle-reglage --seulement-candidats
    """
    from pipeline.cache import extract_with_cache
    from pipeline.corpus import scan_corpus
    from pipeline.lexicon import default_lexicon_dir, load_lexicon
    from pipeline.match import load_matcher
    from pipeline.models import default_models_dir, load_models
    from pipeline.train import (
        candidate_card,
        decision_examples,
        load_gold,
        prepare,
        save_candidate_model,
        save_models,
        train_candidate_model,
        train_models,
    )
    from pipeline.workspace import resolve_workspace

    if gold_path is not None and len(corpora) > 1:
        fail("--gold ne s'utilise qu'avec un seul --corpus (chaque corpus a son gold.json).")
    gold_files = [gold_path or corpus / "gold.json" for corpus in corpora]
    for gold_file in gold_files:
        if not gold_file.exists():
            fail(f"{gold_file} introuvable : indiquez les étiquettes avec --gold.")
    lexicon = load_lexicon(default_lexicon_dir())
    workspace = resolve_workspace(workspace_dir)
    matcher = load_matcher(default_lexicon_dir())
    prepared = []
    described = []
    for corpus, gold_file in zip(corpora, gold_files, strict=True):
        contracts = [c for c in scan_corpus(corpus).contracts if not c.duplicate_of]
        documents = []
        with click.progressbar(contracts, label=f"Lecture de {corpus}") as bar:
            for contract in bar:
                document, _ = extract_with_cache(contract, workspace.page_cache)
                if document.ok:
                    documents.append(document)
        if not documents:
            fail(f"aucun contrat lisible dans le corpus {corpus}.")
        prepared += prepare(documents, load_gold(gold_file), matcher)
        described.append(f"{corpus} ({plural(len(documents), 'contrat')}, étiquettes {gold_file.name})")
    target = models_dir or default_models_dir()
    if only_candidates:
        current = load_models(target)
        if current is None:
            fail(f"aucun modèle dans {target} : lancez d'abord cdv train sans --seulement-candidats.")
            return
        click.echo(f"Entraînement du modèle des candidats sur {plural(len(prepared), 'contrat')} …")
        candidate_model, candidate_counts = train_candidate_model(prepared, lexicon, current)
        if candidate_model is None:
            fail("trop peu d'organisations hors lexique étiquetées pour entraîner le modèle des candidats.")
        version = save_candidate_model(candidate_model, target, " ; ".join(described), candidate_counts)
        click.echo(f"Modèle écrit dans {target} : candidate {version}.")
        return
    decisions = ([], []) if without_decisions else decision_examples(workspace, lexicon)
    click.echo(
        f"Entraînement sur {plural(len(prepared), 'contrat')} et {plural(len(decisions[0]), 'décision de relecture')} …"
    )
    models, counts = train_models(prepared, lexicon, decisions)
    card = {
        "training_data": " ; ".join(described) + f" ; {plural(len(decisions[0]), 'décision de relecture')}",
        "lexicon_version": lexicon.version,
        "candidate_evaluation": candidate_card(counts.pop("candidate_report", {})),
        "mention_acceptance": counts.pop("acceptance_report", {}),
        "examples": counts,
    }
    versions = save_models(models, target, card)
    detail = ", ".join(f"{name} {version}" for name, version in versions.items())
    click.echo(f"Modèles écrits dans {target} : {detail}.")
