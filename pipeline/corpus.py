"""Corpus stage: find the contract PDFs of a folder, name them from the manifest, hash every file.

A symbolic link is followed only when its target is a regular file inside the corpus folder (unless
`follow_links` allows any target); other links are reported as errors and their targets never read.
"""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import CorpusError
from pipeline.types import ContractFile

MANIFEST_NAME = "manifest.csv"
MANIFEST_REQUIRED_COLUMNS = ("contract_id", "file")
HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class ManifestRow:
    """What the manifest says of one contract."""

    contract_id: str
    file: str
    territory: str = ""
    department: str = ""


@dataclass(frozen=True)
class RejectedFile:
    """A PDF name in the corpus that is not read (a link leading outside the corpus), and why, in French."""

    contract_id: str
    file: str
    error: str
    territory: str = ""
    department: str = ""


@dataclass
class Corpus:
    """The contracts found in a folder, the manifest rows whose file is missing, and the files refused."""

    root: Path
    contracts: list[ContractFile] = field(default_factory=list)
    missing: list[ManifestRow] = field(default_factory=list)
    rejected: list[RejectedFile] = field(default_factory=list)


_HASHED: dict[tuple[str, int, int, int, int, int], str] = {}


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read in chunks; a file this process hashed and that has not changed since
    (same device, inode, size, modification and change times) is not read again (a run scans the corpus up
    to three times: the « Rien de nouveau » check, the workers' start, the run)."""
    with path.open("rb") as stream:
        status = os.fstat(stream.fileno())
        stamp = (str(path), status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)
        if stamp in _HASHED:
            return _HASHED[stamp]
        digest = hashlib.sha256()
        while chunk := stream.read(HASH_CHUNK):
            digest.update(chunk)
    if len(_HASHED) > 100_000:
        _HASHED.clear()
    _HASHED[stamp] = digest.hexdigest()
    return _HASHED[stamp]


def read_manifest(path: Path) -> list[ManifestRow]:
    """Read `manifest.csv` (comma or semicolon separated, UTF-8); columns contract_id and file are required."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise CorpusError(f"{path} : le manifeste n'est pas en UTF-8 ; réenregistrez-le en UTF-8.") from error
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
    columns = set(reader.fieldnames or ())
    missing = [column for column in MANIFEST_REQUIRED_COLUMNS if column not in columns]
    if missing:
        raise CorpusError(
            f"{path} : {'colonne manquante' if len(missing) < 2 else 'colonnes manquantes'} {', '.join(missing)} ; "
            "le manifeste doit avoir au moins contract_id et file."
        )
    rows: list[ManifestRow] = []
    seen: set[str] = set()
    for row in reader:
        contract_id = (row.get("contract_id") or "").strip()
        file_name = (row.get("file") or "").strip()
        if not contract_id:
            raise CorpusError(f"{path}, ligne {reader.line_num} : contract_id vide.")
        if contract_id in seen:
            raise CorpusError(f"{path}, ligne {reader.line_num} : contract_id « {contract_id} » en double.")
        seen.add(contract_id)
        rows.append(
            ManifestRow(
                contract_id=contract_id,
                file=file_name,
                territory=(row.get("territory") or "").strip(),
                department=(row.get("department") or "").strip(),
            )
        )
    return rows


def find_pdfs(root: Path, follow_links: bool = False) -> list[Path]:
    """Every `*.pdf` file under `root` (any case), skipping hidden folders, in a stable order."""
    return list_pdfs(root, follow_links)[0]


def list_pdfs(root: Path, follow_links: bool = False) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The `*.pdf` files under `root` to read, and the links refused with the French reason.

    Folders (hidden ones skipped) are walked without following links to folders unless `follow_links`; a
    link to a file is kept only if its target is a regular file inside `root` (anywhere with `follow_links`).
    """
    root = Path(root)
    real_root = root.resolve()
    accepted: list[Path] = []
    refused: list[tuple[Path, str]] = []
    visited: set[Path] = set()
    for directory, subdirectories, files in os.walk(root, followlinks=follow_links):
        real = Path(directory).resolve()
        if real in visited:
            subdirectories[:] = []
            continue
        visited.add(real)
        subdirectories[:] = sorted(name for name in subdirectories if not name.startswith("."))
        for name in files:
            path = Path(directory) / name
            if name.startswith(".") or path.suffix.lower() != ".pdf":
                continue
            if path.is_symlink():
                reason = link_refusal(path, real_root, follow_links)
                if reason:
                    refused.append((path, reason))
                    continue
            if path.is_file():
                accepted.append(path)
    return sorted(accepted), sorted(refused)


def link_refusal(path: Path, real_root: Path, follow_links: bool) -> str:
    """Why a link in the corpus is not read ('' when it is): its target must be a regular file inside the
    corpus folder (anywhere with `follow_links`)."""
    target = path.resolve()
    if not target.is_file():
        return f"{path.name} : lien symbolique vers {target}, qui n'est pas un fichier ; ignoré."
    if not follow_links and not target.is_relative_to(real_root):
        return (
            f"{path.name} : lien symbolique vers un fichier hors du dossier du corpus ({target}) ; non lu "
            "(--suivre-liens pour lire les liens vers l'extérieur)."
        )
    return ""


def check_corpus(root: Path, manifest: Path | None = None) -> None:
    """Fail early, with the fix to make, if the corpus folder or its manifest cannot be used."""
    if not Path(root).is_dir():
        raise CorpusError(f"{root} : dossier du corpus introuvable ; indiquez-le avec --corpus DIR.")
    manifest_path = manifest or Path(root) / MANIFEST_NAME
    if manifest_path.exists():
        read_manifest(manifest_path)


def scan_corpus(root: Path, manifest: Path | None = None, follow_links: bool = False) -> Corpus:
    """List the contracts of a folder: ids from the manifest when it names the file, else the file stem.

    Two files with the same bytes are one contract version: the second is marked `duplicate_of`. Links
    refused (see `list_pdfs`) are listed in `rejected`, never read.
    """
    root = Path(root)
    check_corpus(root, manifest)
    manifest_path = manifest or root / MANIFEST_NAME
    rows = read_manifest(manifest_path) if manifest_path.exists() else []
    by_file = {row.file: row for row in rows if row.file}
    corpus = Corpus(root=root)
    first_by_hash: dict[str, str] = {}
    used_ids: set[str] = set()
    paths, refused = list_pdfs(root, follow_links)
    for path, reason in refused:
        relative = path.relative_to(root).as_posix()
        row = by_file.get(relative) or by_file.get(path.name)
        corpus.rejected.append(
            RejectedFile(
                row.contract_id if row else path.stem,
                relative,
                reason,
                row.territory if row else "",
                row.department if row else "",
            )
        )
    for path in paths:
        relative = path.relative_to(root).as_posix()
        row = by_file.get(relative) or by_file.get(path.name)
        contract_id = row.contract_id if row else path.stem
        if contract_id in used_ids:
            contract_id = relative.removesuffix(path.suffix).replace("/", "__")
        used_ids.add(contract_id)
        sha256 = file_sha256(path)
        corpus.contracts.append(
            ContractFile(
                contract_id=contract_id,
                path=path,
                sha256=sha256,
                size=path.stat().st_size,
                territory=row.territory if row else "",
                department=row.department if row else "",
                duplicate_of=first_by_hash.get(sha256, ""),
            )
        )
        first_by_hash.setdefault(sha256, contract_id)
    found = {c.path.relative_to(root).as_posix() for c in corpus.contracts} | {c.path.name for c in corpus.contracts}
    found |= {r.file for r in corpus.rejected} | {Path(r.file).name for r in corpus.rejected}
    corpus.missing = [row for row in rows if row.file and row.file not in found]
    return corpus
