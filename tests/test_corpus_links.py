"""Symbolic links in the corpus: followed only to a regular file inside the corpus folder (unless allowed), a
refused target never read nor copied, and the workspace's copies never more readable than their source."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from contract_pdf import write_contract
from run_fixture import run_serially

from pipeline.corpus import scan_corpus
from pipeline.versions import register_versions, stored_path
from pipeline.workspace import Workspace


def corpus_with_links(tmp_path: Path) -> tuple[Path, Path]:
    corpus = tmp_path / "corpus"
    write_contract(corpus / "aude.pdf", ["Axe emploi\nFrance Travail."])
    secret = write_contract(tmp_path / "prive" / "secret.pdf", ["Confidentiel"])
    os.chmod(secret, 0o600)
    (corpus / "secret.pdf").symlink_to(secret)
    (corpus / "passwd.pdf").symlink_to("/etc/passwd")
    (corpus / "dossier.pdf").symlink_to(tmp_path / "prive")
    (corpus / "casse.pdf").symlink_to(tmp_path / "absent.pdf")
    (corpus / "sous").mkdir()
    (corpus / "sous" / "copie.pdf").symlink_to(corpus / "aude.pdf")
    (corpus / "lien-dossier").symlink_to(tmp_path / "prive", target_is_directory=True)
    return corpus, secret


def test_symlink_to_a_secret_outside_the_corpus_is_not_read_nor_copied(tmp_path: Path) -> None:
    corpus, secret = corpus_with_links(tmp_path)
    scan = scan_corpus(corpus)
    assert [c.contract_id for c in scan.contracts] == ["aude", "copie"]
    assert scan.contracts[1].duplicate_of == "aude"
    refused = {r.contract_id: r.error for r in scan.rejected}
    assert set(refused) == {"secret", "passwd", "casse"}  # links to folders are not walked into
    assert refused["secret"] == (
        f"secret.pdf : lien symbolique vers un fichier hors du dossier du corpus ({secret}) ; non lu "
        "(--suivre-liens pour lire les liens vers l'extérieur)."
    )
    assert refused["casse"].endswith("qui n'est pas un fichier ; ignoré.")
    space = Workspace(tmp_path / "ws")
    register_versions(space, scan.contracts)
    kept = list((space.root / "versions").rglob("*"))
    assert secret.read_bytes() not in [path.read_bytes() for path in kept if path.is_file()]


def test_links_outside_are_read_only_when_allowed(tmp_path: Path) -> None:
    corpus, _ = corpus_with_links(tmp_path)
    scan = scan_corpus(corpus, follow_links=True)
    assert {c.contract_id for c in scan.contracts} >= {"aude", "secret", "copie"}
    assert {r.contract_id for r in scan.rejected} == {"casse"}


def test_kept_version_is_not_more_readable_than_its_source(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_contract(corpus / "prive.pdf", ["Axe emploi\nFrance Travail."])
    write_contract(corpus / "public.pdf", ["Axe santé\nL'ARS."])
    os.chmod(corpus / "prive.pdf", 0o600)
    space = Workspace(tmp_path / "ws")
    scan = scan_corpus(corpus)
    register_versions(space, scan.contracts)
    modes = {c.contract_id: stat.S_IMODE(stored_path(space, c.sha256).stat().st_mode) for c in scan.contracts}
    assert modes == {"prive": 0o600, "public": 0o644 & ~_umask()}


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_cached_text_of_a_private_contract_is_not_more_readable_than_it(tmp_path: Path) -> None:
    """Regression: the page and analysis caches of a 0600 PDF were written 0644, its text readable by all."""
    corpus = tmp_path / "corpus"
    write_contract(corpus / "prive.pdf", ["Axe emploi\nFrance Travail."])
    write_contract(corpus / "public.pdf", ["Axe santé\nL'ARS."])
    os.chmod(corpus / "prive.pdf", 0o600)
    run_serially(corpus, tmp_path / "out", tmp_path / "ws")
    space = Workspace(tmp_path / "ws")
    shas = {c.contract_id: c.sha256 for c in scan_corpus(corpus).contracts}
    for cache in (space.page_cache, space.detection_cache):
        modes = {
            contract_id: {stat.S_IMODE(p.stat().st_mode) for p in cache.rglob(f"*{sha}*") if p.is_file()}
            for contract_id, sha in shas.items()
        }
        assert modes == {"prive": {0o600}, "public": {0o644 & ~_umask()}}, cache
