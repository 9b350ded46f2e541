"""Every version a run's analyses and publication depend on: the code of each stage (`pipeline.fingerprint`), the
lexicon, the models and the optional stages — computed without importing the stages.

Kept apart from `pipeline.fingerprint` so that the extraction's fingerprint, which imports that module, does not
include the lexicon and model code (a change to matching must not read the PDFs again).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.fingerprint import code_fingerprint
from pipeline.types import RunSettings


def stage_versions(settings: RunSettings) -> dict[str, str]:
    """Every version a run's analyses and publication depend on: the code of each stage, the lexicon, the models
    and the optional stages (computed without importing the stages)."""
    return stage_versions_for(settings.lexicon_dir, settings.models_dir, settings.use_ner)


def code_versions() -> dict[str, str]:
    """The versions of cdv and of the code that reads and analyses a contract (as on disk)."""
    from pipeline import __version__

    return {
        "cdv": __version__,
        "extraction": "extract-" + code_fingerprint("pipeline.extract"),
        "analyse": code_fingerprint("pipeline.analyse"),
    }


def stage_versions_for(lexicon_dir: Path, models_dir: Path, use_ner: bool) -> dict[str, str]:
    """`stage_versions` of the settings naming these folders and this option."""
    from pipeline.lexicon import lexicon_files_version
    from pipeline.models import model_versions

    return {
        **code_versions(),
        "publication": code_fingerprint("pipeline.report.publish"),
        "candidats": "ner" if use_ner else "motifs",
        "lexique": lexicon_files_version(lexicon_dir),
        **{f"modele_{name}": version for name, version in model_versions(models_dir).items()},
    }


def analysis_key(contract_id: str, versions: dict[str, str]) -> str:
    """The cache key of a contract's analysis: its id and every version the analysis depends on
    (publication's code excluded: publishing never changes detections)."""
    relevant = {name: value for name, value in versions.items() if name != "publication"}
    text = contract_id + "\x1f" + "\x1f".join(f"{name}={value}" for name, value in sorted(relevant.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
