"""Imported in the forkserver of a run's workers only (`pipeline.workers`): import Prefect's task engine and the
analysis code, load the resources named by `CDV_WORKER_RESOURCES` (lexicon matcher, models, spaCy's NER), then
freeze the garbage collector's view of them so that the forked workers share those pages instead of copying
them. A failure here is not reported: a worker then loads the resources itself and reports the problem.
"""

from __future__ import annotations

import gc
import json
import os
import time
from pathlib import Path

STARTED = time.perf_counter()
PRELOAD_SECONDS = 0.0


def preload() -> float:
    """Load what the environment asks for; return the seconds it took (0 when nothing was asked)."""
    request = json.loads(os.environ.get("CDV_WORKER_RESOURCES") or "{}")
    if not request:
        return 0.0
    import prefect.task_engine
    import prefect.task_runners  # noqa: F401

    from pipeline.analyse import resources_for
    from pipeline.candidates import load_ner

    resources_for(Path(request["lexicon_dir"]), Path(request["models_dir"]), bool(request["use_ner"]))
    if request["use_ner"]:
        load_ner()
    return time.perf_counter() - STARTED


try:
    PRELOAD_SECONDS = preload()
except Exception:  # the worker loads them itself and reports the problem in French
    PRELOAD_SECONDS = 0.0
gc.collect()
gc.freeze()
