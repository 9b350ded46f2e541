"""Corpus stage: files found, ids from the manifest, duplicates and missing files reported."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from contract_pdf import write_pdf

from pipeline.corpus import file_sha256, scan_corpus
from pipeline.errors import CorpusError


def test_ids_come_from_the_manifest_else_the_file_stem(tmp_path: Path) -> None:
    write_pdf(tmp_path / "narbonne.pdf", ["Contrat de ville du Grand Narbonne"])
    write_pdf(tmp_path / "sous" / "Uzes.PDF", ["Contrat de ville d'Uzès"])
    (tmp_path / "manifest.csv").write_text(
        "contract_id,file,territory,department\n11-narbonne,narbonne.pdf,Le Grand Narbonne,Aude\n",
        encoding="utf-8",
    )
    corpus = scan_corpus(tmp_path)
    assert [(c.contract_id, c.territory, c.department) for c in corpus.contracts] == [
        ("11-narbonne", "Le Grand Narbonne", "Aude"),
        ("Uzes", "", ""),
    ]
    assert corpus.contracts[0].sha256 == file_sha256(tmp_path / "narbonne.pdf")


def test_semicolon_manifest_and_missing_file_are_reported(tmp_path: Path) -> None:
    write_pdf(tmp_path / "a.pdf", ["A"])
    (tmp_path / "manifest.csv").write_text(
        "contract_id;file;territory;department\nA;a.pdf;Foix;Ariège\nB;b.pdf;Pamiers;Ariège\n", encoding="utf-8"
    )
    corpus = scan_corpus(tmp_path)
    assert [c.contract_id for c in corpus.contracts] == ["A"]
    assert [(row.contract_id, row.file) for row in corpus.missing] == [("B", "b.pdf")]


def test_same_bytes_under_two_names_is_one_version(tmp_path: Path) -> None:
    write_pdf(tmp_path / "a.pdf", ["Même contrat"])
    (tmp_path / "copie.pdf").write_bytes((tmp_path / "a.pdf").read_bytes())
    contracts = scan_corpus(tmp_path).contracts
    assert [(c.contract_id, c.duplicate_of) for c in contracts] == [("a", ""), ("copie", "a")]


def test_manifest_without_required_column_names_file_and_fix(tmp_path: Path) -> None:
    (tmp_path / "manifest.csv").write_text("id,fichier\nA,a.pdf\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"manifest\.csv : colonnes manquantes contract_id, file"):
        scan_corpus(tmp_path)


def test_duplicate_contract_id_in_manifest_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "manifest.csv").write_text("contract_id,file\nA,a.pdf\nA,b.pdf\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"ligne 3 : contract_id « A » en double"):
        scan_corpus(tmp_path)


def test_missing_corpus_folder_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="indiquez-le avec --corpus DIR"):
        scan_corpus(tmp_path / "absent")


def test_a_file_rewritten_with_the_same_size_is_hashed_again(tmp_path: Path) -> None:
    path = tmp_path / "contrat.pdf"
    path.write_bytes(b"%PDF-1.4 premier")
    first = file_sha256(path)
    path.write_bytes(b"%PDF-1.4 second!")

    assert file_sha256(path) == hashlib.sha256(b"%PDF-1.4 second!").hexdigest() != first
