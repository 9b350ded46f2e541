"""A small real run for the publication tests: four contract PDFs through `execute_run`, the library function
that is the Prefect flow's body, run serially in-process (no Prefect server: a few seconds)."""

from __future__ import annotations

import shutil
from pathlib import Path

from contract_pdf import write_contract

from pipeline.lexicon import default_lexicon_dir
from pipeline.models import default_models_dir
from pipeline.run import execute_run
from pipeline.types import RunResult, RunSettings

GOVERNANCE = """Gouvernance du contrat de ville
Des commissions thématiques réunissent les partenaires chaque trimestre.
Le conseil citoyen est maintenu et associé au comité de pilotage.
France Travail et la Mission locale accompagnent les demandeurs d'emploi."""
HEALTH = """Axe santé
Le contrat s'articule avec le Contrat local de santé porté par l'Agence régionale de santé.
La Caisse primaire d'assurance maladie soutient l'accès aux soins des habitants."""
SECURITY = """Axe sécurité et prévention de la délinquance
Le Conseil intercommunal de sécurité et de prévention de la délinquance (CISPD) coordonne la prévention.
La Gestion urbaine et sociale de proximité (GUSP) améliore le cadre de vie."""
EDUCATION = """Axe éducation et jeunesse
Le Programme de réussite éducative accompagne les enfants ; la Convention territoriale globale
signée avec la Caisse d'allocations familiales structure l'offre pour les familles.
L'Association Trait d'Union Gard anime l'aide aux devoirs."""

CONTRACTS = {
    "cdv-a": ("Alpha", "Aude", [GOVERNANCE, HEALTH, SECURITY, EDUCATION]),
    "cdv-b": ("Bêta", "Aude", [GOVERNANCE, HEALTH]),
    "cdv-c": ("Gamma", "Gard", [SECURITY, EDUCATION]),
    "cdv-d": ("Delta", "Gard", [GOVERNANCE, EDUCATION, SECURITY]),
}


def write_corpus(corpus: Path) -> Path:
    """Four contracts over two departments, with a manifest."""
    corpus.mkdir(parents=True, exist_ok=True)
    lines = ["contract_id,file,territory,department"]
    for contract_id, (territory, department, body) in CONTRACTS.items():
        write_contract(corpus / f"{contract_id}.pdf", body)
        lines.append(f"{contract_id},{contract_id}.pdf,{territory},{department}")
    (corpus / "manifest.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return corpus


def run_settings(corpus: Path, out: Path, workspace: Path, use_ner: bool = False) -> RunSettings:
    """The settings of a test run: the project's lexicons and models, NER off unless asked (speed)."""
    return RunSettings(
        corpus=corpus,
        out=out,
        workspace=workspace,
        lexicon_dir=default_lexicon_dir(),
        models_dir=default_models_dir(),
        use_ner=use_ner,
        workers=1,
    )


def run_serially(corpus: Path, out: Path, workspace: Path, use_ner: bool = False) -> RunResult:
    """A whole run (analysis, raw files, publication, history), contracts analysed one after the other."""
    return execute_run(run_settings(corpus, out, workspace, use_ner))


def make_run(corpus: Path, out: Path, workspace: Path) -> Path:
    """Run the pipeline on a corpus folder; return the run folder."""
    run_serially(corpus, out, workspace)
    return out


def copy_run(run: Path, target: Path) -> Path:
    shutil.copytree(run, target)
    return target
