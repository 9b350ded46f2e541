"""The scheduled run: fetch the manifest's URLs, look for new versions, run the pipeline only if needed.

`cdv serve` serves this flow as a Prefect deployment with a cron schedule; `cdv serve --once` runs it
now. Import this module after `pipeline.workspace.configure_prefect` (it imports Prefect).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import BrokenExecutor
from pathlib import Path
from typing import Any

import httpx
from prefect import flow, get_run_logger, task
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Cron

from pipeline import __version__
from pipeline.errors import CdvError
from pipeline.french import fr_number, plural
from pipeline.history import load_run
from pipeline.lexicon import load_lexicon
from pipeline.models import default_models_dir
from pipeline.sources import FetchResult, pending_changes, sync_sources
from pipeline.types import RunResult, RunSettings
from pipeline.workspace import Workspace

DEPLOYMENT_NAME = "cdv-quotidien"
DEFAULT_CRON = "0 6 * * *"
DEFAULT_TIMEZONE = "Europe/Paris"


@task(name="sources", retries=2, retry_delay_seconds=30)
def sync_task(workspace: str, corpus: str) -> list[FetchResult]:
    """Fetch the manifest's URLs into the corpus folder (each URL retries on its own too)."""
    return sync_sources(Workspace(Path(workspace)), Path(corpus))


def is_transient(error: BaseException) -> bool:
    """Worth another try: disk, database lock, network or API trouble; not a bad corpus or lexicon."""
    if isinstance(error, CdvError | ValueError | KeyError):
        return False
    return isinstance(error, OSError | sqlite3.OperationalError | httpx.HTTPError | TimeoutError | BrokenExecutor)


def run_with_retries(
    action: Callable[[], RunResult], retries: int, delay: float, log: Callable[[str], None]
) -> RunResult:
    """Run `action`, retrying transient failures with exponential back-off; other errors stop at once."""
    attempt = 0
    while True:
        try:
            return action()
        except Exception as error:
            attempt += 1
            if attempt > retries or not is_transient(error):
                raise
            wait = delay * 2 ** (attempt - 1)
            log(f"Échec passager ({type(error).__name__} : {error}) ; nouvel essai dans {wait:.0f} s.")
            time.sleep(wait)


@flow(name="cdv-planifie", log_prints=False)
def scheduled_flow(
    corpus: str,
    out: str,
    workspace: str,
    lexicon_dir: str,
    workers: int = 2,
    force: bool = False,
    retries: int = 2,
    retry_delay: float = 60.0,
) -> dict[str, Any]:
    """Fetch sources, and run the pipeline when a contract version, a lexicon or a stage changed."""
    from pipeline.flows import run_corpus

    logger = get_run_logger()
    space = Workspace(Path(workspace))
    for fetched in sync_task(workspace, corpus):
        if fetched.status == "erreur":
            logger.warning("Source %s : %s", fetched.contract_id, fetched.message)
        elif fetched.status == "nouveau":
            logger.info("Source %s : nouvelle version téléchargée (%s…)", fetched.contract_id, fetched.sha256[:12])
    settings = RunSettings(
        corpus=Path(corpus),
        out=Path(out),
        workspace=Path(workspace),
        lexicon_dir=Path(lexicon_dir),
        models_dir=default_models_dir(),
        workers=workers,
    )
    lexicon = load_lexicon(settings.lexicon_dir)
    from pipeline.freshness import run_versions

    pending = pending_changes(space, settings.corpus, lexicon.version, run_versions(settings))
    for name in pending.unmatched:
        logger.warning("%s : aucune ligne du manifeste ne nomme ce fichier ; lu sous son nom de fichier.", name)
    logger.info(pending.summary())
    if pending.nothing_new and not force:
        return {"status": "rien-de-nouveau", "message": pending.summary(), "run_id": ""}
    started = time.perf_counter()
    result = run_with_retries(lambda: run_corpus(settings), retries, retry_delay, logger.warning)
    summary = load_run(space, result.run_id)
    assert summary is not None
    changed = sum(1 for _, change, _, _ in summary.contract_changes if change in ("nouveau", "remplace", "retire"))
    message = (
        f"Run {summary.run_id} terminé en {fr_number(time.perf_counter() - started)} s : "
        f"{plural(result.counts.contracts_ok, 'contrat lu')}, "
        f"{plural(changed, 'version nouvelle ou retirée', 'versions nouvelles ou retirées')}, "
        f"{plural(sum(c.change != 'cellule' for c in summary.entity_changes), 'changement')} de partenaires ou "
        "dispositifs (détail : cdv history)."
    )
    logger.info(message)
    return {"status": "run", "message": message, "run_id": summary.run_id}


def build_deployment(
    corpus: Path,
    out: Path,
    workspace: Workspace,
    lexicon_dir: Path,
    cron: str = DEFAULT_CRON,
    timezone: str = DEFAULT_TIMEZONE,
    workers: int = 2,
    name: str = DEPLOYMENT_NAME,
) -> RunnerDeployment:
    """The Prefect deployment of the scheduled flow, with its cron schedule and parameters."""
    deployment = scheduled_flow.to_deployment(
        name=name,
        schedule=Cron(cron, timezone=timezone),
        parameters={
            "corpus": str(corpus.resolve()),
            "out": str(out.resolve()),
            "workspace": str(workspace.root.resolve()),
            "lexicon_dir": str(lexicon_dir.resolve()),
            "workers": workers,
        },
        description="Relecture planifiée des contrats de ville : nouvelles versions, historique, tables.",
        tags=["cdv"],
        version=__version__,
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    assert isinstance(deployment, RunnerDeployment)
    return deployment
