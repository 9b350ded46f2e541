"""The worker processes of a local run, started warm: forked from one process (Python's `forkserver`) that imported
Prefect and the analysis code and loaded the run's resources — the lexicon's matcher, the models, spaCy's NER —
before any contract is sent, so that no worker loads them again and the workers share those memory pages.

`start_warm_workers` starts that process as early as possible (the CLI calls it before importing Prefect), so
that the loading runs while the parent starts the flow; `pipeline.flows.WarmProcessPoolTaskRunner` is Prefect's
process pool on it. The loading itself is `pipeline.preload`, imported only in the forkserver. Kept free of
Prefect and spaCy imports: this module runs before them.
"""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.forkserver
import os

from pipeline.stage_versions import stage_versions
from pipeline.types import RunSettings

PRELOAD_ENV = "CDV_WORKER_RESOURCES"
PRELOAD_MODULE = "pipeline.preload"


def can_fork() -> bool:
    """Whether workers can be forked from a preloaded process (POSIX `forkserver`)."""
    return "forkserver" in multiprocessing.get_all_start_methods()


def preload_request(settings: RunSettings) -> str:
    """What the forkserver loads for these settings (read by `pipeline.preload` from the environment), with the
    versions of the lexicon, models and code it will load."""
    request = {
        "lexicon_dir": str(settings.lexicon_dir),
        "models_dir": str(settings.models_dir),
        "use_ner": settings.use_ner,
        "versions": stage_versions(settings),
    }
    return json.dumps(request, sort_keys=True)


def forkserver_running() -> bool:
    """Whether this process already started its forkserver (Python keeps one per process)."""
    return getattr(multiprocessing.forkserver._forkserver, "_forkserver_pid", None) is not None


def start_warm_workers(settings: RunSettings) -> bool:
    """Start the process the run's workers are forked from, loading the run's resources in the background; False
    when the platform cannot fork. Python keeps one forkserver per process: a later run of the same process (the
    review app, the tests) with other lexicons, models or code restarts it, so that its workers find their own
    resources loaded rather than loading them each on top of the old ones."""
    if not can_fork():
        return False
    request = preload_request(settings)
    if forkserver_running() and os.environ.get(PRELOAD_ENV) != request:
        multiprocessing.forkserver._forkserver._stop()  # type: ignore[attr-defined]
    if not forkserver_running():
        os.environ[PRELOAD_ENV] = request
        multiprocessing.set_forkserver_preload([PRELOAD_MODULE])
        multiprocessing.forkserver.ensure_running()
    return True
