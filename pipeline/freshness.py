"""Whether a run would change anything: every version a run's outputs depend on, and the « Rien de nouveau »
check that lets `cdv run` stop in about a second without starting the orchestration.

Kept light (no spaCy, no Prefect, no pandas) because the check runs before anything else.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.corpus import MANIFEST_NAME, file_sha256, scan_corpus
from pipeline.french import agree, plural
from pipeline.history import last_run, record_check
from pipeline.stage_versions import analysis_key, stage_versions
from pipeline.types import ContractFile, RunSettings
from pipeline.workspace import Workspace, detections_cache_path


def decisions_stamp(workspace: Workspace) -> str:
    """Changes with every review decision recorded in the workspace ("0-0" before the first one)."""
    if not workspace.database.exists():
        return "0-0"
    from pipeline.review.store import DecisionStore

    return DecisionStore(workspace).stamp()


def run_versions(settings: RunSettings) -> dict[str, str]:
    """Everything a run's outputs depend on besides the contract files: the stages' code, lexicon, models and
    options (`stage_versions`), the corpus manifest and the reviewers' decisions."""
    manifest = settings.corpus / MANIFEST_NAME
    return {
        **stage_versions(settings),
        "manifeste": file_sha256(manifest)[:12] if manifest.exists() else "",
        "decisions": decisions_stamp(Workspace(settings.workspace)),
    }


def nothing_new(settings: RunSettings) -> str | None:
    """« Rien de nouveau » (French, with the run it refers to) when the last run into `settings.out` read the same
    files with the same code, lexicons, models, manifest and decisions, and its outputs are still there; None
    otherwise. The check is recorded in the history."""
    space = Workspace(settings.workspace)
    previous = last_run(space, settings.corpus)
    if previous is None or Path(previous.out).resolve() != settings.out:
        return None
    try:
        outputs = json.loads((settings.out / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if outputs.get("run_id") != previous.run_id or previous.versions != run_versions(settings):
        return None
    scan = scan_corpus(settings.corpus, follow_links=settings.follow_links)
    hashes = {c.contract_id: c.sha256 for c in scan.contracts if not c.duplicate_of}
    if hashes != previous.contract_hashes:
        return None
    message = (
        f"Rien de nouveau : {plural(len(hashes), 'fichier')} {agree(len(hashes), 'inchangé')}, "
        "même code, mêmes lexiques, modèles et décisions "
        f"que le run {previous.run_id} ; résultats laissés tels quels dans {settings.out}."
    )
    record_check(space, settings.corpus, settings.out, previous.run_id, message)
    return message


def contracts_to_analyse(settings: RunSettings) -> list[ContractFile]:
    """The contracts whose analysis is not in the workspace cache under the current versions, in the corpus's
    order: what a run will send to its workers (the CLI starts them only when there is one)."""
    scan = scan_corpus(settings.corpus, follow_links=settings.follow_links)
    versions = stage_versions(settings)
    cache = Workspace(settings.workspace).detection_cache
    return [
        contract
        for contract in scan.contracts
        if not contract.duplicate_of
        and not detections_cache_path(cache, contract.sha256, analysis_key(contract.contract_id, versions)).exists()
    ]
