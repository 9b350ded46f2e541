"""Extract many contracts in parallel, each once even when the same file appears under two names."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

from pipeline.extract.settings import ExtractSettings
from pipeline.types import ContractFile, ExtractedDocument


def extract_corpus(
    contracts: Sequence[ContractFile],
    *,
    workers: int = 2,
    settings: ExtractSettings | None = None,
    progress: Callable[[ExtractedDocument], None] | None = None,
) -> Iterator[ExtractedDocument]:
    """Yield the extraction of each contract, in input order, reading `workers` at a time.

    Each document is read in its own forked, limited child process (threads here only wait for
    them, so `workers` cores are used). A contract with the same sha256 as an earlier one (or whose
    `duplicate_of` is set) is not read again: it gets a copy of the first one's pages, its
    `duplicate_of` set and a French warning.
    """
    from pipeline.extract import extract_document

    settings = settings or ExtractSettings()
    first_by_hash: dict[str, ContractFile] = {}
    unique: list[ContractFile] = []
    for contract in contracts:
        if contract.sha256 and contract.sha256 in first_by_hash:
            continue
        if contract.sha256:
            first_by_hash[contract.sha256] = contract
        unique.append(contract)
    by_id: dict[str, ExtractedDocument] = {}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {id(contract): pool.submit(extract_document, contract, settings) for contract in unique}
        for contract in contracts:
            original = first_by_hash.get(contract.sha256) if contract.sha256 else None
            if original is not None and original is not contract:
                source = by_id.get(original.contract_id) or futures[id(original)].result()
                document = copy.copy(source)
                document.contract_id = contract.contract_id
                document.duplicate_of = original.contract_id
                document.warnings = [
                    *source.warnings,
                    f"{contract.path.name} : même contenu que {original.path.name} (lu une seule fois).",
                ]
            else:
                document = futures[id(contract)].result()
                by_id[contract.contract_id] = document
            if progress is not None:
                progress(document)
            yield document
