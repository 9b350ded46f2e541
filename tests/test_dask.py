"""The same flow on a Dask cluster: prefect-dask's task runner on a `distributed.LocalCluster`
gives the same outputs as the local process pool."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, cast

import pytest
from contract_pdf import write_contract

from pipeline.lexicon import default_lexicon_dir
from pipeline.models import default_models_dir
from pipeline.types import RunSettings

pytestmark = pytest.mark.e2e

COMPARED = [
    "contracts.csv",
    "detections.csv",
    "contract_entities.csv",
    "tables/partenaires.csv",
    "tables/articulations.csv",
]


def read_sorted(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return sorted(csv.DictReader(stream), key=lambda row: tuple(row.values()))


def test_dask_local_cluster_equals_local_run(tmp_path: Path) -> None:
    pytest.importorskip("prefect_dask")
    distributed = pytest.importorskip("distributed")
    from prefect_dask import DaskTaskRunner

    from pipeline.flows import cdv_flow, run_corpus

    corpus = tmp_path / "corpus"
    write_contract(
        corpus / "aude.pdf",
        [
            "Axe emploi\nFrance Travail et la Mission locale accompagnent les jeunes.",
            "Axe santé\nL'ARS et la CPAM portent le contrat local de santé.",
        ],
    )
    write_contract(corpus / "gers.pdf", ["Cadre de vie\nLes bailleurs sociaux mobilisent l'abattement de TFPB."])
    write_contract(corpus / "lot.pdf", ["Éducation\nLe programme de réussite éducative et la cité éducative."])
    lexicons = default_lexicon_dir()

    def settings(name: str) -> RunSettings:
        return RunSettings(corpus, tmp_path / name, tmp_path / f"ws-{name}", lexicons, default_models_dir(), workers=2)

    local = run_corpus(settings("local"))

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        runner = DaskTaskRunner(address=cluster.scheduler_address)
        on_dask = cdv_flow.with_options(task_runner=cast(Any, runner))
        remote = on_dask(settings("dask"))

    assert remote.counts == local.counts and local.counts.contracts_ok == 3
    for name in COMPARED:
        assert read_sorted(tmp_path / "dask" / name) == read_sorted(tmp_path / "local" / name), name
    assert (tmp_path / "ws-dask" / "cache" / "pages").exists()  # the workers wrote the shared page cache
