"""Where new contract versions come from: the watched corpus folder and the URLs of the manifest.

URLs are fetched with conditional requests (ETag / Last-Modified), a timeout on every socket operation,
retries with exponential back-off on transient failures, a size limit, and an atomic replace: the bytes
go to a temporary sibling, are checked (complete, a PDF, expected hash if the manifest gives one) and only
then renamed over the corpus file, so a partial download never replaces a good version.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import http.client
import os
import socket
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pipeline import __version__
from pipeline.corpus import MANIFEST_NAME, scan_corpus
from pipeline.french import plural
from pipeline.versions import connect, now_iso
from pipeline.workspace import Workspace

FetchStatus = Literal["nouveau", "inchange", "non_modifie", "erreur"]
TRANSIENT_HTTP = {408, 425, 429, 500, 502, 503, 504}
CHUNK = 1 << 16

SOURCES_SCHEMA = """
CREATE TABLE IF NOT EXISTS registry_sources (
    url TEXT PRIMARY KEY,
    contract_id TEXT NOT NULL DEFAULT '',
    file TEXT NOT NULL DEFAULT '',
    etag TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    sha256 TEXT NOT NULL DEFAULT '',
    size INTEGER NOT NULL DEFAULT 0,
    checked_at TEXT NOT NULL DEFAULT '',
    changed_at TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT ''
);
"""


@dataclass(frozen=True)
class FetchPolicy:
    """Limits of one download: socket timeout (s), retries after the first try, first back-off delay (s,
    doubled at each retry), largest accepted file (bytes), longest total download (s)."""

    timeout: float = 30.0
    retries: int = 3
    backoff: float = 2.0
    max_bytes: int = 200 * 1024 * 1024
    max_seconds: float = 600.0
    sleep: Callable[[float], None] = time.sleep


@dataclass(frozen=True)
class SourceState:
    """What the last successful request to a URL told us (for conditional requests)."""

    etag: str = ""
    last_modified: str = ""
    sha256: str = ""


@dataclass
class FetchResult:
    """The outcome of fetching one URL; `message` is French and says what to do on error."""

    url: str
    status: FetchStatus
    path: Path | None = None
    sha256: str = ""
    size: int = 0
    etag: str = ""
    last_modified: str = ""
    http_status: int = 0
    attempts: int = 0
    message: str = ""
    contract_id: str = ""


class TransientError(Exception):
    """A failure worth retrying (timeout, connection reset, 5xx, truncated body)."""


class PermanentError(Exception):
    """A failure that a retry will not fix (404, too large, not a PDF, wrong hash)."""


def download_to_temp(response: http.client.HTTPResponse, folder: Path, policy: FetchPolicy) -> tuple[Path, str, int]:
    """Stream a response body into a temporary file of `folder`; return its path, sha256 and size.

    Raises TransientError on a truncated body or a stalled download, PermanentError past the size limit.
    """
    declared = response.headers.get("Content-Length")
    expected = int(declared) if declared and declared.isdigit() else None
    if expected is not None and expected > policy.max_bytes:
        raise PermanentError(f"fichier de {expected} octets, au-delà de la limite de {policy.max_bytes} octets")
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".download-", suffix=".part", dir=folder)
    temporary = Path(name)
    digest = hashlib.sha256()
    size = 0
    started = time.monotonic()
    try:
        with os.fdopen(handle, "wb") as stream:
            while True:
                try:
                    chunk = response.read(CHUNK)
                except http.client.IncompleteRead as error:
                    raise TransientError(
                        f"téléchargement tronqué ({size + len(error.partial)} octets reçus)"
                    ) from error
                if not chunk:
                    break
                size += len(chunk)
                if size > policy.max_bytes:
                    raise PermanentError(f"fichier au-delà de la limite de {policy.max_bytes} octets")
                if time.monotonic() - started > policy.max_seconds:
                    raise TransientError(f"téléchargement trop long (plus de {policy.max_seconds:.0f} s)")
                digest.update(chunk)
                stream.write(chunk)
            stream.flush()
            os.fsync(stream.fileno())
        if expected is not None and size != expected:
            raise TransientError(f"téléchargement tronqué ({size} octets reçus sur {expected})")
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
    return temporary, digest.hexdigest(), size


def request_once(
    url: str, target: Path, previous: SourceState | None, policy: FetchPolicy, expected_sha256: str
) -> FetchResult:
    """One HTTP request; the file is replaced only by a complete, checked PDF."""
    headers = {"User-Agent": f"cdv/{__version__}", "Accept": "application/pdf, */*"}
    if previous is not None and target.exists():
        if previous.etag:
            headers["If-None-Match"] = previous.etag
        if previous.last_modified:
            headers["If-Modified-Since"] = previous.last_modified
    request = urllib.request.Request(url, headers=headers)
    try:
        response = urllib.request.urlopen(request, timeout=policy.timeout)
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return FetchResult(
                url, "non_modifie", path=target, http_status=304, sha256=previous.sha256 if previous else ""
            )
        if error.code in TRANSIENT_HTTP:
            raise TransientError(f"le serveur répond {error.code}") from error
        raise PermanentError(f"le serveur répond {error.code} ({error.reason})") from error
    except (urllib.error.URLError, TimeoutError, ConnectionError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError | socket.timeout):
            raise TransientError(f"délai dépassé ({policy.timeout:g} s)") from error
        raise TransientError(f"connexion impossible ({reason})") from error
    with response:
        try:
            temporary, sha256, size = download_to_temp(response, target.parent, policy)
        except TimeoutError as error:
            raise TransientError(f"délai dépassé pendant le téléchargement ({policy.timeout:g} s)") from error
        except (ConnectionError, http.client.HTTPException) as error:
            raise TransientError(f"connexion interrompue ({error})") from error
        etag = response.headers.get("ETag", "") or ""
        last_modified = response.headers.get("Last-Modified", "") or ""
        status = response.status
    try:
        with temporary.open("rb") as stream:
            if not stream.read(5).startswith(b"%PDF-"):
                raise PermanentError("le contenu reçu n'est pas un PDF")
        if expected_sha256 and sha256 != expected_sha256.lower():
            raise PermanentError(f"empreinte sha256 {sha256[:12]}… différente de celle du manifeste")
        result = FetchResult(url, "nouveau", target, sha256, size, etag, last_modified, status)
        if target.exists() and previous is not None and previous.sha256 == sha256:
            result.status = "inchange"
            temporary.unlink()
        else:
            os.replace(temporary, target)
        return result
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def fetch_url(
    url: str,
    target: Path,
    previous: SourceState | None = None,
    policy: FetchPolicy | None = None,
    expected_sha256: str = "",
) -> FetchResult:
    """Fetch `url` into `target` if it changed; retry transient failures with exponential back-off.

    Never raises for network trouble: an error result keeps the previous good file in place.
    """
    policy = policy or FetchPolicy()
    if not url.lower().startswith(("http://", "https://")):
        return FetchResult(
            url, "erreur", message=f"{url} : adresse non prise en charge (http:// ou https:// seulement)."
        )
    attempts = 0
    while True:
        attempts += 1
        try:
            result = request_once(url, target, previous, policy, expected_sha256)
            result.attempts = attempts
            return result
        except PermanentError as error:
            return FetchResult(
                url, "erreur", attempts=attempts, message=f"{url} : {error} ; version précédente gardée."
            )
        except TransientError as error:
            if attempts > policy.retries:
                return FetchResult(
                    url,
                    "erreur",
                    attempts=attempts,
                    message=f"{url} : {error}, après {plural(attempts, 'essai')} ; version précédente gardée.",
                )
            policy.sleep(policy.backoff * 2 ** (attempts - 1))


@dataclass(frozen=True)
class SourceRow:
    """A manifest row that names a URL to watch."""

    contract_id: str
    file: str
    url: str
    sha256: str = ""


def manifest_sources(manifest: Path) -> list[SourceRow]:
    """The rows of a manifest with an http(s) `source_url` (optional column `sha256` = expected hash)."""
    if not manifest.exists():
        return []
    text = manifest.read_text(encoding="utf-8-sig")
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    rows: list[SourceRow] = []
    for row in csv.DictReader(text.splitlines(), delimiter=delimiter):
        url = (row.get("source_url") or "").strip()
        contract_id = (row.get("contract_id") or "").strip()
        if url.lower().startswith(("http://", "https://")) and contract_id:
            file_name = (row.get("file") or "").strip() or f"{contract_id}.pdf"
            rows.append(SourceRow(contract_id, file_name, url, (row.get("sha256") or "").strip()))
    return rows


def load_state(workspace: Workspace, url: str) -> SourceState | None:
    """The conditional-request state stored for a URL."""
    with connect(workspace) as connection:
        connection.executescript(SOURCES_SCHEMA)
        row = connection.execute(
            "SELECT etag, last_modified, sha256 FROM registry_sources WHERE url = ?", (url,)
        ).fetchone()
    return SourceState(row["etag"], row["last_modified"], row["sha256"]) if row else None


def save_state(workspace: Workspace, source: SourceRow, result: FetchResult) -> None:
    """Remember the outcome of a fetch; validators and hash change only on success."""
    at = now_iso()
    with connect(workspace) as connection:
        connection.executescript(SOURCES_SCHEMA)
        connection.execute(
            "INSERT INTO registry_sources (url, contract_id, file) VALUES (?, ?, ?) ON CONFLICT(url) DO NOTHING",
            (source.url, source.contract_id, source.file),
        )
        connection.execute(
            "UPDATE registry_sources SET checked_at = ?, status = ?, message = ? WHERE url = ?",
            (at, result.status, result.message, source.url),
        )
        if result.status in ("nouveau", "inchange"):
            connection.execute(
                "UPDATE registry_sources SET etag = ?, last_modified = ?, sha256 = ?, size = ? WHERE url = ?",
                (result.etag, result.last_modified, result.sha256, result.size, source.url),
            )
        if result.status == "nouveau":
            connection.execute("UPDATE registry_sources SET changed_at = ? WHERE url = ?", (at, source.url))


def sync_sources(
    workspace: Workspace, corpus: Path, manifest: Path | None = None, policy: FetchPolicy | None = None
) -> list[FetchResult]:
    """Fetch every URL of the manifest into the corpus folder; return one result per URL."""
    results: list[FetchResult] = []
    for source in manifest_sources(manifest or corpus / MANIFEST_NAME):
        target = corpus / source.file
        result = fetch_url(source.url, target, load_state(workspace, source.url), policy, source.sha256)
        result.contract_id = source.contract_id
        save_state(workspace, source, result)
        results.append(result)
    return results


@dataclass
class Pending:
    """What a scheduled run would find new since the last successful run, and why."""

    new: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def nothing_new(self) -> bool:
        return not (self.new or self.replaced or self.removed or self.reasons)

    def summary(self) -> str:
        """One French line for the log."""
        if self.nothing_new:
            return "Rien de nouveau depuis le dernier run : aucun contrat à relire."
        parts = []
        if self.new:
            parts.append(f"{plural(len(self.new), 'nouveau contrat')} ({', '.join(self.new[:5])})")
        if self.replaced:
            parts.append(f"{plural(len(self.replaced), 'nouvelle version')} ({', '.join(self.replaced[:5])})")
        if self.removed:
            parts.append(f"{plural(len(self.removed), 'contrat retiré')} ({', '.join(self.removed[:5])})")
        parts.extend(self.reasons)
        return "À relire : " + " ; ".join(parts) + "."


def pending_changes(
    workspace: Workspace, corpus: Path, lexicon_version: str = "", stage_versions: dict[str, str] | None = None
) -> Pending:
    """Compare the corpus folder (hashes) with the last successful run on it, without changing anything."""
    from pipeline.history import last_run

    scan = scan_corpus(corpus)
    now = {c.contract_id: c.sha256 for c in scan.contracts if not c.duplicate_of}
    manifest = corpus / MANIFEST_NAME
    pending = Pending()
    if manifest.exists():
        named = {row.file for row in _manifest_files(manifest)}
        pending.unmatched = sorted(
            c.path.name
            for c in scan.contracts
            if c.path.name not in named and c.path.relative_to(corpus).as_posix() not in named
        )
    previous = last_run(workspace, corpus)
    if previous is None:
        pending.reasons.append("aucun run précédent sur ce corpus")
        pending.new = sorted(now)
        return pending
    before = previous.contract_hashes
    pending.new = sorted(set(now) - set(before))
    pending.removed = sorted(set(before) - set(now))
    pending.replaced = sorted(cid for cid in set(now) & set(before) if now[cid] != before[cid])
    if lexicon_version and previous.lexicon_version and lexicon_version != previous.lexicon_version:
        pending.reasons.append(f"lexiques modifiés ({previous.lexicon_version} → {lexicon_version})")
    labels = {"decisions": "nouvelles décisions de relecture", "manifeste": "manifeste du corpus modifié"}
    for stage, version in (stage_versions or {}).items():
        old = previous.versions.get(stage)
        if old and old != version:
            pending.reasons.append(f"{labels.get(stage, f'étape {stage} mise à jour')} ({old} → {version})")
    out = Path(previous.out)
    if not (out / "run.json").exists():
        pending.reasons.append(f"résultats du dernier run absents de {out}")
    return pending


def _manifest_files(manifest: Path) -> list[SourceRow]:
    """Every manifest row's file name (with or without URL)."""
    text = manifest.read_text(encoding="utf-8-sig")
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    return [
        SourceRow((row.get("contract_id") or "").strip(), (row.get("file") or "").strip(), "")
        for row in csv.DictReader(text.splitlines(), delimiter=delimiter)
    ]
