"""Helpers for the review tests: a real run made in-process (`execute_run`, serially, without a Prefect server),
and the review app served by uvicorn on 127.0.0.1 in a thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from contract_pdf import write_contract
from run_fixture import make_run

XSS = '<script>document.title="pwned"</script><img src=x onerror="document.title=1">'
HEALTH = (
    "Orientations santé\nLa Caisse d'allocations familiales (CAF) et l'ARS soutiennent la santé des habitants.\n"
    "Le contrat local de santé et la convention territoriale globale (CTG) sont mobilisés."
)
EMPLOI = (
    "Emploi et insertion\nFrance Travail et la Mission locale accompagnent les demandeurs d'emploi.\n"
    f"Le CLSPD coordonne la prévention de la délinquance. {XSS}\nLa Région Occitanie finance des actions."
)
FILLER = "Diagnostic du territoire\nLe quartier compte 4 000 habitants et une population jeune."


def write_corpus(corpus: Path, n: int = 3) -> Path:
    """`n` small contracts whose texts the tests know."""
    for index in range(n):
        health = f"{HEALTH}\nQuartier prioritaire n° {index + 1}."
        body = [health, EMPLOI] if index % 2 == 0 else [EMPLOI, FILLER, health]
        write_contract(corpus / f"contrat_{index + 1}.pdf", body)
    return corpus


def build_run(corpus: Path, out: Path, workspace: Path) -> Path:
    """A run folder made by the pipeline's own run function (the Prefect flow's body), serially."""
    return make_run(corpus, out, workspace)


@pytest.fixture()
def review_run(tmp_path: Path) -> Path:
    """A fresh run over three small contracts, with its own workspace."""
    return build_run(write_corpus(tmp_path / "corpus"), tmp_path / "run", tmp_path / "ws")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(app: object) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 in a thread; yield its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_build_run_writes_a_run(review_run: Path) -> None:
    assert (review_run / "detections.csv").exists()
    assert (review_run / "run.json").exists()
