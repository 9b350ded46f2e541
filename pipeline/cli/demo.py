"""`cdv demo-corpus` and `cdv evaluate`: the synthetic corpus with gold labels, and accuracy against it."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from pipeline.cli import main
from pipeline.cli.french import IntRange
from pipeline.french import plural


@main.command("demo-corpus")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Dossier du corpus à écrire (créé ou remplacé s'il contient un corpus de démonstration).",
)
@click.option("--n", "n", default=40, show_default=True, type=IntRange(1, 400), help="Nombre de contrats.")
@click.option("--seed", default=2024, show_default=True, type=int, help="Graine : même graine, même corpus.")
def demo_corpus(out_dir: Path, n: int, seed: int) -> None:
    """Génère un corpus de contrats de ville fictifs (PDF), un manifest.csv et les étiquettes gold.json.

    Exemple : cdv demo-corpus --out corpus-demo --n 40 --seed 2024
    """
    from pipeline.demo import corpus_summary, generate_demo_corpus

    started = time.monotonic()
    click.echo(f"Génération de {plural(n, 'contrat')} (graine {seed}) dans {out_dir} …")
    folder = generate_demo_corpus(out_dir, n=n, seed=seed)
    summary = corpus_summary(folder)
    detail = ", ".join(f"{k} : {v}" for k, v in sorted(summary["producers"].items()))
    click.echo(
        f"{plural(summary['contracts'], 'contrat')}, {plural(summary['pages'], 'page')} ({detail}) "
        f"en {time.monotonic() - started:.0f} s."
    )
    if summary["fallbacks"]:
        click.echo(fallback_line(summary["fallbacks"]))
    click.echo(f"Manifeste : {folder / 'manifest.csv'} ; étiquettes : {folder / 'gold.json'}")


def fallback_line(notes: list[str]) -> str:
    """Why contracts meant for Chromium were rendered by reportlab, in one French line."""
    count = len(notes)
    what = plural(count, "contrat prévu pour Chromium", "contrats prévus pour Chromium")
    rendered = "rendu" if count < 2 else "rendus"
    reason = notes[0].removeprefix("repli reportlab : ")
    first = "" if count < 2 else " ; premier motif"
    return f"Attention : {what} {rendered} par reportlab{first} : {reason}."


@main.command("evaluate")
@click.option(
    "--gold",
    "gold_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Fichier gold.json du corpus de démonstration.",
)
@click.option(
    "--run",
    "run_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Dossier de sortie de « cdv run ».",
)
@click.option("--json", "as_json", is_flag=True, help="Affiche un seul objet JSON (scores et erreurs).")
def evaluate_command(gold_path: Path, run_dir: Path, as_json: bool) -> None:
    """Mesure la qualité d'un run par rapport aux étiquettes gold (F1, thèmes, écarts des tableaux).

    Exemple : cdv evaluate --gold corpus-demo/gold.json --run outputs/latest --json
    """
    from pipeline.evaluate import evaluate, flat_scores, format_summary

    result = evaluate(gold_path, run_dir)
    if as_json:
        click.echo(json.dumps({**result, "scores": flat_scores(result)}, ensure_ascii=False))
    else:
        click.echo(format_summary(result))
