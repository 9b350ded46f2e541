"""A small real run for the publication tests: four contract PDFs, stages called directly (no Prefect)."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from contract_pdf import write_contract

from pipeline.cache import extract_with_cache
from pipeline.classify import classify_document
from pipeline.corpus import scan_corpus
from pipeline.extract import EXTRACTOR_VERSION
from pipeline.lexicon import default_lexicon_dir, load_lexicon
from pipeline.match import build_matcher, match_document
from pipeline.report import RunRecord, contract_row, write_outputs
from pipeline.structure import analyse_structure
from pipeline.workspace import Workspace

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
signée avec la Caisse d'allocations familiales structure l'offre pour les familles."""

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


def make_run(corpus: Path, out: Path, workspace: Path) -> Path:
    """Run the stages on a corpus folder and write the output files of the data contract."""
    lexicon = load_lexicon(default_lexicon_dir())
    space = Workspace(workspace)
    matcher = build_matcher(lexicon)
    rows, detections = [], []
    for contract in scan_corpus(corpus).contracts:
        document, _ = extract_with_cache(contract, space.page_cache)
        if document.ok:
            structure = analyse_structure(document, lexicon)
            detections += classify_document(document, match_document(matcher, document), structure, lexicon)
        rows.append(contract_row(contract, document, corpus))
    record = RunRecord(
        run_id="test-" + uuid.uuid4().hex[:6],
        started_at="2025-01-01T00:00:00+00:00",
        corpus=str(corpus.resolve()),
        out=str(out.resolve()),
        workspace=str(workspace.resolve()),
        lexicon_version=lexicon.version,
        versions={"extraction": EXTRACTOR_VERSION},
    )
    write_outputs(out, rows, detections, lexicon, record)
    return out


def copy_run(run: Path, target: Path) -> Path:
    shutil.copytree(run, target)
    return target
