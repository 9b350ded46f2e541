"""HTTP sources against a real server on 127.0.0.1: a changing file, 304, timeout, truncated download."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pipeline.sources import FetchPolicy, SourceState, fetch_url, load_state, sync_sources
from pipeline.workspace import Workspace

FAST = FetchPolicy(timeout=0.5, retries=2, backoff=0.01, max_bytes=1_000_000)


@dataclass
class Served:
    """What the test server answers, changed by the tests while it runs."""

    files: dict[str, bytes] = field(default_factory=dict)
    mode: dict[str, str] = field(default_factory=dict)
    failures_left: dict[str, int] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def etag(self, path: str) -> str:
        return '"' + hashlib.sha256(self.files[path]).hexdigest()[:16] + '"'


def make_handler(served: Served) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            served.requests.append((self.path, dict(self.headers)))
            mode = served.mode.get(self.path, "ok")
            if served.failures_left.get(self.path, 0) > 0:
                served.failures_left[self.path] -= 1
                self.send_error(503)
                return
            if self.path not in served.files:
                self.send_error(404)
                return
            body = served.files[self.path]
            if mode == "slow":
                time.sleep(1.5)
            etag = served.etag(self.path)
            if mode != "no-validators" and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Content-Length", str(len(body)))
            if mode != "no-validators":
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", "Mon, 01 Jul 2024 06:00:00 GMT")
            self.end_headers()
            if mode == "truncated":
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

    return Handler


@pytest.fixture()
def server() -> Iterator[tuple[str, Served]]:
    served = Served()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(served))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", served
    finally:
        httpd.shutdown()
        httpd.server_close()


def pdf(text: str) -> bytes:
    return b"%PDF-1.4\n" + text.encode() * 200 + b"\n%%EOF\n"


def test_changing_file_then_304(server: tuple[str, Served], tmp_path: Path) -> None:
    base, served = server
    served.files["/aude.pdf"] = pdf("version 1")
    target = tmp_path / "corpus" / "aude.pdf"
    first = fetch_url(base + "/aude.pdf", target, None, FAST)
    assert (first.status, first.http_status) == ("nouveau", 200)
    assert target.read_bytes() == pdf("version 1")
    assert first.sha256 == hashlib.sha256(pdf("version 1")).hexdigest() and first.etag

    state = SourceState(first.etag, first.last_modified, first.sha256)
    again = fetch_url(base + "/aude.pdf", target, state, FAST)
    assert (again.status, again.http_status) == ("non_modifie", 304)
    assert served.requests[-1][1]["If-None-Match"] == first.etag
    assert served.requests[-1][1]["If-Modified-Since"] == "Mon, 01 Jul 2024 06:00:00 GMT"

    served.files["/aude.pdf"] = pdf("version 2")
    changed = fetch_url(base + "/aude.pdf", target, state, FAST)
    assert changed.status == "nouveau" and target.read_bytes() == pdf("version 2")
    assert list(target.parent.iterdir()) == [target]  # no temporary file left behind


def test_server_without_validators_is_verified_by_hash(server: tuple[str, Served], tmp_path: Path) -> None:
    base, served = server
    served.files["/gers.pdf"] = pdf("gers")
    served.mode["/gers.pdf"] = "no-validators"
    target = tmp_path / "gers.pdf"
    first = fetch_url(base + "/gers.pdf", target, None, FAST)
    second = fetch_url(base + "/gers.pdf", target, SourceState(sha256=first.sha256), FAST)
    assert (first.status, second.status) == ("nouveau", "inchange")


def test_timeout_retries_with_backoff_then_keeps_the_good_version(server: tuple[str, Served], tmp_path: Path) -> None:
    base, served = server
    served.files["/lent.pdf"] = pdf("lent")
    served.mode["/lent.pdf"] = "slow"
    target = tmp_path / "lent.pdf"
    target.write_bytes(pdf("bonne version"))
    delays: list[float] = []
    policy = FetchPolicy(timeout=0.3, retries=2, backoff=0.05, sleep=delays.append)
    started = time.monotonic()
    result = fetch_url(base + "/lent.pdf", target, None, policy)
    assert result.status == "erreur" and result.attempts == 3
    assert "délai dépassé" in result.message and "version précédente gardée" in result.message
    assert delays == [0.05, 0.1]
    assert time.monotonic() - started < 3
    assert target.read_bytes() == pdf("bonne version")


def test_truncated_download_never_replaces_the_good_version(server: tuple[str, Served], tmp_path: Path) -> None:
    base, served = server
    served.files["/coupe.pdf"] = pdf("nouvelle version, plus longue")
    served.mode["/coupe.pdf"] = "truncated"
    target = tmp_path / "coupe.pdf"
    target.write_bytes(pdf("bonne version"))
    result = fetch_url(base + "/coupe.pdf", target, None, FAST)
    assert result.status == "erreur" and "tronqué" in result.message and result.attempts == 3
    assert target.read_bytes() == pdf("bonne version")
    assert [p.name for p in tmp_path.iterdir()] == ["coupe.pdf"]


def test_transient_503_is_retried_404_and_limits_are_not(server: tuple[str, Served], tmp_path: Path) -> None:
    base, served = server
    served.files["/flaky.pdf"] = pdf("ok")
    served.failures_left["/flaky.pdf"] = 2
    result = fetch_url(base + "/flaky.pdf", tmp_path / "flaky.pdf", None, FAST)
    assert (result.status, result.attempts) == ("nouveau", 3)

    missing = fetch_url(base + "/absent.pdf", tmp_path / "absent.pdf", None, FAST)
    assert (missing.status, missing.attempts) == ("erreur", 1) and "404" in missing.message

    served.files["/gros.pdf"] = pdf("x" * 100)
    big = fetch_url(base + "/gros.pdf", tmp_path / "gros.pdf", None, FetchPolicy(max_bytes=1000, backoff=0))
    assert big.status == "erreur" and "limite" in big.message and not (tmp_path / "gros.pdf").exists()

    served.files["/page.pdf"] = b"<html>maintenance</html>"
    html = fetch_url(base + "/page.pdf", tmp_path / "page.pdf", None, FAST)
    assert html.status == "erreur" and "pas un PDF" in html.message

    served.files["/hash.pdf"] = pdf("h")
    wrong = fetch_url(base + "/hash.pdf", tmp_path / "hash.pdf", None, FAST, expected_sha256="0" * 64)
    assert wrong.status == "erreur" and "empreinte" in wrong.message
    assert fetch_url("ftp://example.org/x.pdf", tmp_path / "x.pdf").status == "erreur"


def test_sync_sources_from_the_manifest_keeps_conditional_state(server: tuple[str, Served], tmp_path: Path) -> None:
    base, served = server
    served.files["/11.pdf"] = pdf("aude")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "manifest.csv").write_text(
        "contract_id,file,territory,department,source_url\n"
        f"11-aude,11-aude.pdf,Carcassonne Agglo,Aude,{base}/11.pdf\n32-gers,32-gers.pdf,Grand Auch,Gers,\n",
        encoding="utf-8",
    )
    space = Workspace(tmp_path / "ws")
    (first,) = sync_sources(space, corpus, policy=FAST)
    assert (first.contract_id, first.status) == ("11-aude", "nouveau")
    assert (corpus / "11-aude.pdf").read_bytes() == pdf("aude")
    (second,) = sync_sources(space, corpus, policy=FAST)
    assert second.status == "non_modifie"
    state = load_state(space, f"{base}/11.pdf")
    assert state is not None and state.sha256 == first.sha256
