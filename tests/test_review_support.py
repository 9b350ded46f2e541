"""Helpers for the review tests: a real run made in-process (the pipeline's stage functions, without
Prefect, so it takes a second), and the review app served by uvicorn on 127.0.0.1 in a thread."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from contract_pdf import write_contract

from pipeline.cache import extract_with_cache
from pipeline.classify import classify_document
from pipeline.corpus import scan_corpus
from pipeline.lexicon import default_lexicon_dir, load_lexicon
from pipeline.match import load_matcher, match_document
from pipeline.report import RunRecord, contract_row, write_outputs
from pipeline.structure import analyse_structure
from pipeline.workspace import Workspace

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
    """A run folder made with the pipeline's own stage functions (same outputs as `cdv run`)."""
    space = Workspace(workspace)
    lexicon_dir = default_lexicon_dir()
    lexicon = load_lexicon(lexicon_dir)
    matcher = load_matcher(lexicon_dir)
    scan = scan_corpus(corpus)
    rows, detections = [], []
    for contract in scan.contracts:
        if contract.duplicate_of:
            rows.append(contract_row(contract, None, corpus))
            continue
        document, _ = extract_with_cache(contract, space.page_cache)
        rows.append(contract_row(contract, document, corpus))
        if document.ok:
            hits = match_document(matcher, document)
            detections += classify_document(document, hits, analyse_structure(document, lexicon), lexicon)
    record = RunRecord(
        run_id=f"test-{uuid.uuid4().hex[:8]}",
        started_at="",
        corpus=str(corpus.resolve()),
        out=str(out.resolve()),
        workspace=str(space.root.resolve()),
    )
    write_outputs(out, rows, detections, lexicon, record)
    return out


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
