"""Every version a run's analyses and publication depend on: the code of each stage (`pipeline.fingerprint`), the
lexicon, the models and the optional stages — computed without importing the stages.

Kept apart from `pipeline.fingerprint` so that the extraction's fingerprint, which imports that module, does not
include the lexicon and model code (a change to matching must not read the PDFs again).
"""

from __future__ import annotations

from pipeline.fingerprint import code_fingerprint
from pipeline.types import RunSettings


def stage_versions(settings: RunSettings) -> dict[str, str]:
    """Every version a run's analyses and publication depend on: the code of each stage, the lexicon, the models
    and the optional stages (computed without importing the stages)."""
    from pipeline import __version__
    from pipeline.lexicon import lexicon_files_version
    from pipeline.models import model_versions

    return {
        "cdv": __version__,
        "extraction": "extract-" + code_fingerprint("pipeline.extract"),
        "analyse": code_fingerprint("pipeline.analyse"),
        "publication": code_fingerprint("pipeline.report.publish"),
        "candidats": "ner" if settings.use_ner else "motifs",
        "lexique": lexicon_files_version(settings.lexicon_dir),
        **{f"modele_{name}": version for name, version in model_versions(settings.models_dir).items()},
    }
