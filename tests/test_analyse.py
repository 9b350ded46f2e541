"""`analyse_contract` and `execute_run`, serially and in-process: the page text read once per contract, cache keys
that follow the code, quotes of the detection's own page, blank PDFs not counted, warnings recorded."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from contract_pdf import write_contract, write_pdf
from run_fixture import run_serially, run_settings

import pipeline.cache
import pipeline.fingerprint as fingerprint
from pipeline.analyse import analyse_contract
from pipeline.corpus import scan_corpus
from pipeline.match import text_to_snippet
from pipeline.quote import collapse, quote_parts, text_to_quote
from pipeline.run import execute_run, pack_findings, unpack_findings

BODY = [
    "Axe emploi\nFrance Travail et la Mission locale accompagnent les demandeurs d'emploi.",
    "Axe santé\nL'Agence régionale de santé porte le contrat local de santé avec la CPAM.",
]


def test_quote_is_the_snippet_with_the_matched_words_located() -> None:
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice("ab c\nd-é'\t") for _ in range(rng.randint(0, 80)))
        start = rng.randint(0, len(text))
        end = rng.randint(start, len(text))
        radius = rng.randint(0, 12)
        quote, mark_start, mark_end = text_to_quote(text, start, end, radius)
        assert quote == text_to_snippet(text, start, end, radius)
        assert quote[mark_start:mark_end] == collapse(text[start:end])
    assert quote_parts("Pour la CAF de l'Aude", 8, 11) == ("Pour la ", "CAF", " de l'Aude")
    assert quote_parts("court", 3, 99) == ("court", "", "")


def test_page_text_is_read_once_per_contract_and_not_at_all_when_nothing_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for index, name in enumerate(("a", "b")):
        write_contract(tmp_path / "corpus" / f"{name}.pdf", [*BODY, f"Quartier n° {index}"])
    reads: list[str] = []
    original = pipeline.cache.load_pages

    def counting(cache_dir: Path, sha256: str, version: str) -> object:
        reads.append(sha256)
        return original(cache_dir, sha256, version)

    monkeypatch.setattr(pipeline.cache, "load_pages", counting)
    first = run_serially(tmp_path / "corpus", tmp_path / "out", tmp_path / "ws")
    assert len(reads) == 2 and len(set(reads)) == 2  # extraction looks in the cache once per contract (miss)
    assert [r.cache.extraction for r in first.contracts if r.cache] == ["miss", "miss"]
    reads.clear()
    second = run_serially(tmp_path / "corpus", tmp_path / "out", tmp_path / "ws")
    assert reads == []  # analysis cached: no page text is read, by the analysis or the publication
    assert {(r.cache.extraction, r.cache.analysis) for r in second.contracts if r.cache} == {("hit", "hit")}


def test_stale_cached_candidates_after_a_code_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: a change to `candidates.py` kept serving cached candidates (hand-bumped version strings)."""
    copy = tmp_path / "pipeline"
    shutil.copytree(fingerprint.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprint, "PACKAGE_DIR", copy)
    fingerprint.clear_caches()
    before = fingerprint.code_fingerprint("pipeline.analyse")
    assert "pipeline.candidates" in fingerprint.module_closure("pipeline.analyse")
    extraction = fingerprint.code_fingerprint("pipeline.extract")
    with (copy / "candidates.py").open("a", encoding="utf-8") as stream:
        stream.write("\nMIN_NAME_CHARS = 5\n")
    fingerprint.clear_caches()
    assert fingerprint.code_fingerprint("pipeline.analyse") != before
    assert fingerprint.code_fingerprint("pipeline.extract") == extraction  # extraction is not redone for it
    fingerprint.clear_caches()


@pytest.mark.parametrize("module", ["match.py", "lexicon.py", "models.py", "lexicon_check.py"])
def test_matching_code_change_does_not_read_the_pdfs_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str
) -> None:
    """Regression: the extraction's fingerprint held the matching, lexicon and model code (through the function
    of `pipeline.fingerprint` that combined the versions), so that any change to them read and OCRed every PDF
    again."""
    copy = tmp_path / "pipeline"
    shutil.copytree(fingerprint.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprint, "PACKAGE_DIR", copy)
    fingerprint.clear_caches()
    extraction, analysis = (
        fingerprint.code_fingerprint("pipeline.extract"),
        fingerprint.code_fingerprint("pipeline.analyse"),
    )
    with (copy / module).open("a", encoding="utf-8") as stream:
        stream.write("\nCHANGED = True\n")
    fingerprint.clear_caches()
    assert fingerprint.code_fingerprint("pipeline.extract") == extraction
    assert fingerprint.code_fingerprint("pipeline.analyse") != analysis
    fingerprint.clear_caches()


def test_blank_pdf_is_flagged_and_left_out_of_the_denominators(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_contract(corpus / "lu.pdf", BODY)
    write_pdf(corpus / "blanc.pdf", [""] * 200)
    result = run_serially(corpus, tmp_path / "out", tmp_path / "ws")
    records = {record.contract_id: record for record in result.contracts}
    assert records["blanc"].status == "error"
    assert records["blanc"].error == (
        "blanc.pdf : aucun texte lisible sur 200 pages (pages blanches, ou illisibles même par OCR) ; "
        "contrat non compté."
    )
    assert (result.counts.contracts_ok, result.counts.contracts_error) == (1, 1)
    partners = pd.read_csv(tmp_path / "out" / "tables" / "partenaires.csv")
    assert set(partners["n_contracts"]) == {1}


def test_a_fault_on_one_contract_costs_only_that_contract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression (demo seed 79): an IndexError in the candidates of one contract stopped the whole run. The fault
    is injected here, in the analysis of « b.pdf » only; the run goes on and says which file failed and why."""
    import pipeline.analyse as analyse

    real = analyse.analyse_document

    def failing(contract: Any, *args: Any, **kwargs: Any) -> Any:
        if contract.contract_id == "b":
            raise IndexError("list index out of range")
        return real(contract, *args, **kwargs)

    monkeypatch.setattr(analyse, "analyse_document", failing)
    write_contract(tmp_path / "corpus" / "a.pdf", BODY)
    write_contract(tmp_path / "corpus" / "b.pdf", [*BODY, "Axe jeunesse\nLa Mission locale accueille les jeunes."])
    result = run_serially(tmp_path / "corpus", tmp_path / "out", tmp_path / "ws")
    records = {record.contract_id: record for record in result.contracts}
    assert (records["a"].status, records["b"].status) == ("ok", "error")
    assert records["b"].error == (
        "b.pdf : erreur interne de cdv pendant l'analyse (IndexError : list index out of range) ; contrat non "
        "compté, les autres sont analysés. Signalez ce fichier avec la trace affichée."
    )
    partners = pd.read_csv(tmp_path / "out" / "tables" / "partenaires.csv")
    assert set(partners["n_contracts"]) == {1}


def test_run_json_records_folders_versions_and_warnings(tmp_path: Path) -> None:
    write_contract(tmp_path / "corpus" / "a.pdf", BODY)
    settings = run_settings(tmp_path / "corpus", tmp_path / "out", tmp_path / "ws")
    empty_models = tmp_path / "sans-modeles"
    empty_models.mkdir()
    result = execute_run(type(settings)(**{**vars(settings), "models_dir": empty_models}))
    run = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert run["lexicon_dir"] == str(settings.lexicon_dir) and run["models_dir"] == str(empty_models)
    assert {"extraction", "analyse", "publication", "lexique"} <= set(run["versions"])
    assert (
        run["warnings"]
        == result.warnings
        == [f"aucun modèle dans {empty_models} : sens, rôles et thèmes décidés par règles, scores non calibrés."]
    )
    assert run["counts"]["contracts_ok"] == 1 and run["counts"]["partners_found"] == result.counts.partners_found


def test_analysis_is_keyed_by_lexicon_content(tmp_path: Path) -> None:
    write_contract(tmp_path / "corpus" / "a.pdf", BODY)
    settings = run_settings(tmp_path / "corpus", tmp_path / "out", tmp_path / "ws")
    contract = scan_corpus(settings.corpus).contracts[0]
    assert analyse_contract(contract, settings).cache.analysis == "miss"
    assert analyse_contract(contract, settings).cache.analysis == "hit"
    lexicons = tmp_path / "lexicons"
    shutil.copytree(settings.lexicon_dir, lexicons)
    with (lexicons / "partners.csv").open("a", encoding="utf-8") as stream:
        stream.write("regie_test,Régie de quartier Test,,,,,associatif,,,\n")
    edited = type(settings)(**{**vars(settings), "lexicon_dir": lexicons})
    analysis = analyse_contract(contract, edited)
    assert (analysis.cache.extraction, analysis.cache.analysis) == ("hit", "miss")


def test_findings_held_packed_during_the_analysis_come_back_whole(tmp_path: Path) -> None:
    """Regression (issue 16): the process waiting for the analyses held every contract's detections and cues as
    objects until the raw run was written (~120 MB at 400 contracts, beside the analysers)."""
    write_contract(tmp_path / "corpus" / "lu.pdf", BODY)
    contract = scan_corpus(tmp_path / "corpus").contracts[0]
    analysis = analyse_contract(contract, run_settings(tmp_path / "corpus", tmp_path / "out", tmp_path / "ws"))
    findings = (list(analysis.detections), list(analysis.candidates), list(analysis.cues))
    assert findings[0] and findings[2]
    packed = pack_findings(analysis)
    assert (analysis.detections, analysis.candidates, analysis.cues) == ([], [], [])
    unpack_findings(analysis, packed)
    assert (analysis.detections, analysis.candidates, analysis.cues) == findings


def analysed_signature(tmp_path: Path, lines: list[str]) -> Any:
    """The analysis of a generated contract whose signature page holds `lines`."""
    write_contract(tmp_path / "corpus" / "contrat.pdf", BODY, signature="\n".join(lines))
    contract = scan_corpus(tmp_path / "corpus").contracts[0]
    return analyse_contract(contract, run_settings(tmp_path / "corpus", tmp_path / "out", tmp_path / "ws"))


def test_named_landlords_outside_the_lexicons_sign_for_the_social_landlords(tmp_path: Path) -> None:
    """Regression (realprose rpg01, Nantes GUSP convention): seven landlords no lexicon lists signed, and the
    contract counted no `bailleurs_sociaux`. Their names now give mentions of the group, with their own name quoted
    from the page it is on; the names stay candidates."""
    analysis = analysed_signature(
        tmp_path,
        [
            "Les signataires",
            "Fait à Nantes, le 12 mars 2024",
            "Pour l'État, le Préfet de Loire-Atlantique",
            "Pour Nantes Habitat, le Président",
            "Pour Habitat 44, le Président",
        ],
    )
    members = [d for d in analysis.detections if d.method == "membre"]
    quoted = {d.snippet[d.mark_start : d.mark_end] for d in members}
    assert quoted == {"Nantes Habitat", "Habitat 44"}
    assert {(d.entity_id, d.role, d.page) for d in members} == {("bailleurs_sociaux", "signataire", 4)}
    assert {"Nantes Habitat", "Habitat 44"} <= {c.name for c in analysis.candidates}


def test_a_landlord_named_after_the_word_bailleur_counts_for_the_social_landlords(tmp_path: Path) -> None:
    """Regression (realprose rrj07, Amiens: « le bailleur Clésence », a lexicon row since): a landlord whose name does
    not say its kind, written after « bailleur », counts for `bailleurs_sociaux`; a heading « Habitat » alone names no
    landlord."""
    body = [*BODY, "Habitat\nLe bailleur Alcéane construira 40 logements, avec le bailleur social Ophéa."]
    write_contract(tmp_path / "corpus" / "contrat.pdf", body)
    contract = scan_corpus(tmp_path / "corpus").contracts[0]
    analysis = analyse_contract(contract, run_settings(tmp_path / "corpus", tmp_path / "out", tmp_path / "ws"))
    members = [d for d in analysis.detections if d.method == "membre"]
    assert {d.snippet[d.mark_start : d.mark_end] for d in members} == {"Alcéane", "Ophéa"}
    assert {d.entity_id for d in members} == {"bailleurs_sociaux"}


def test_named_sports_clubs_outside_the_lexicons_sign_for_the_sports_clubs(tmp_path: Path) -> None:
    """Regression (realprose rpe22, rpe24: conventions of a town with its football club and with the Racing Club de
    France): the club signed and the contract counted no `clubs_sportifs`."""
    analysis = analysed_signature(
        tmp_path,
        [
            "Les soussignés",
            "Fait à Paris, le 4 avril 2022",
            "Pour le Racing Club de France, le Président",
            "Pour l'association CAR FOOTBALL, le Président",
        ],
    )
    members = [d for d in analysis.detections if d.method == "membre"]
    assert {d.snippet[d.mark_start : d.mark_end] for d in members} == {"Racing Club de France", "CAR FOOTBALL"}
    assert {(d.entity_id, d.role) for d in members} == {("clubs_sportifs", "signataire")}
