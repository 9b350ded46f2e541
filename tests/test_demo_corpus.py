"""The demo corpus: calibration against the report, realism properties, gold faithful to the PDFs,
determinism, atomic/idempotent generation, and the guard that the pipeline never reads gold."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.demo import GOLD_FILE, MANIFEST_FILE, DemoCorpusError, ensure_demo_corpus, generate_demo_corpus
from pipeline.demo.calibration import assign, calibration_report, load_calibration, load_profiles, target_count
from pipeline.demo.gold import REQUIRED_PROPERTIES, corpus_properties
from pipeline.demo.render_html import chromium_path
from pipeline.demo.verify import normalise, normalise_surface, page_texts
from pipeline.lexicon import Lexicon

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def corpus6(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_demo_corpus(tmp_path_factory.mktemp("demo") / "demo6", n=6, seed=2024)


def test_calibration_reproduces_the_report_for_40_contracts() -> None:
    rows = calibration_report(40, 2024)
    published = [r for r in rows if r["source"] == "rapport"]
    assert len(published) >= 30
    for row in published:
        assert row["gap_pts"] <= 2.5, row
        assert row["count"] == round(float(str(row["target_pct"])) / 100 * 40 + 1e-9), row


def test_calibration_holds_for_other_seeds() -> None:
    for seed in (1, 7):
        assert all(r["gap_pts"] <= 2.5 for r in calibration_report(40, seed) if r["source"] == "rapport")


def test_calibration_ids_exist_in_the_lexicon(lexicon: Lexicon) -> None:
    ids = set(lexicon.by_id())
    assert set(load_profiles()) <= ids
    for row in load_calibration():
        assert set(row.entity_ids) <= ids, row


def test_target_count_and_signatories_are_mentioned() -> None:
    assert target_count(95, 40) == 38 and target_count(2.5, 6) == 1 and target_count(0, 40) == 0
    for contract in assign(40, 2024):
        assert contract.partners["etat"] is True
        assert contract.partners.get("france_travail") is not None


def test_every_realism_property_is_present(corpus6: Path) -> None:
    gold = json.loads((corpus6 / GOLD_FILE).read_text(encoding="utf-8"))
    props = corpus_properties(gold["contracts"])
    expected = set(REQUIRED_PROPERTIES)
    if chromium_path() is None:
        expected.discard("producer_chromium")
    assert expected - props == set()
    assert all(20 <= c["pages"] <= 120 for c in gold["contracts"])


def test_manifest_lists_every_pdf(corpus6: Path) -> None:
    lines = (corpus6 / MANIFEST_FILE).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("contract_id,file,territory,department")
    assert len(lines) == 7
    for line in lines[1:]:
        assert (corpus6 / line.split(",")[1]).exists()


def test_gold_matches_the_printed_pages(corpus6: Path) -> None:
    gold = json.loads((corpus6 / GOLD_FILE).read_text(encoding="utf-8"))
    for contract in gold["contracts"]:
        texts = page_texts(corpus6 / contract["file"])
        assert len(texts) == contract["pages"]
        forms = [normalise(t) for t in texts]
        for mention in contract["mentions"]:
            if mention["context"] == "scan":
                assert texts[mention["page"] - 1].strip() == "", "a scanned page must have no text layer"
                continue
            needle = normalise_surface(mention["surface"])
            assert any(needle in form for form in forms[mention["page"] - 1]), (contract["file"], mention)


def test_the_gold_accepts_the_body_the_preamble_s_footnote_cites(corpus6: Path) -> None:
    # the footnote's « Comité interministériel des villes » is a candidate name since the glossary lets its bodies
    # be candidates: the gold accepts it (not noise) without listing it (not a miss)
    from pipeline.demo.content import FOOTNOTE_BODY

    gold = json.loads((corpus6 / GOLD_FILE).read_text(encoding="utf-8"))
    for contract in gold["contracts"]:
        assert contract["acceptable_candidates"] == [FOOTNOTE_BODY]
        needle = normalise_surface(FOOTNOTE_BODY)
        assert any(needle in form for text in page_texts(corpus6 / contract["file"]) for form in normalise(text))


def test_gold_agrees_with_the_assignment(corpus6: Path) -> None:
    gold = json.loads((corpus6 / GOLD_FILE).read_text(encoding="utf-8"))
    for contract, drawn in zip(gold["contracts"], assign(6, 2024), strict=True):
        assert {p["entity_id"]: p["signataire"] for p in contract["partners"]} == drawn.partners
        assert {d["entity_id"] for d in contract["dispositifs"]} == drawn.dispositifs


def test_no_unlabelled_lexicon_name_in_the_text(corpus6: Path, lexicon: Lexicon) -> None:
    """Canonical names and acronyms of entities absent from a contract's gold never appear in its text."""
    gold = json.loads((corpus6 / GOLD_FILE).read_text(encoding="utf-8"))
    for contract in gold["contracts"]:
        present = {e["entity_id"] for e in contract["partners"] + contract["dispositifs"]}
        text = " ".join(normalise(t)[0] for t in page_texts(corpus6 / contract["file"]))
        for entity in lexicon.entities:
            if entity.entity_id in present or entity.entity_id not in gold["vocabulary"]:
                continue
            for form in [entity.name, *entity.acronyms]:
                shared = [e for e in lexicon.entities if form in (e.name, *e.acronyms) and e.entity_id in present]
                if shared or len(form) < 3:
                    continue
                pattern = r"(?<!\w)" + re.escape(normalise_surface(form)) + r"(?!\w)"
                assert not re.search(pattern, text), (contract["file"], entity.entity_id, form)


def test_same_seed_same_corpus(tmp_path: Path) -> None:
    a = generate_demo_corpus(tmp_path / "a", n=2, seed=5)
    b = generate_demo_corpus(tmp_path / "b", n=2, seed=5)
    assert (a / GOLD_FILE).read_bytes() == (b / GOLD_FILE).read_bytes()
    gold = json.loads((a / GOLD_FILE).read_text(encoding="utf-8"))
    for contract in gold["contracts"]:
        if contract["producer"] == "reportlab":
            assert (a / contract["file"]).read_bytes() == (b / contract["file"]).read_bytes()
        else:
            assert page_texts(a / contract["file"]) == page_texts(b / contract["file"])
    other = generate_demo_corpus(tmp_path / "c", n=2, seed=6)
    assert (other / GOLD_FILE).read_bytes() != (a / GOLD_FILE).read_bytes()


def test_ensure_reuses_a_complete_corpus_and_refuses_foreign_folders(tmp_path: Path) -> None:
    folder = ensure_demo_corpus(tmp_path / "demo", n=1, seed=3)
    stamp = (folder / GOLD_FILE).stat().st_mtime_ns
    assert ensure_demo_corpus(folder, n=1, seed=3) == folder
    assert (folder / GOLD_FILE).stat().st_mtime_ns == stamp
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".demo.tmp")]
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "contrat.pdf").write_bytes(b"%PDF")
    with pytest.raises(DemoCorpusError):
        generate_demo_corpus(foreign, n=1)


def test_the_pipeline_never_reads_gold_or_generator_internals() -> None:
    allowed = {
        REPO / "pipeline" / "evaluate.py",
        REPO / "pipeline" / "cli" / "demo.py",
        REPO / "pipeline" / "train.py",  # training learns from gold; `cdv run` never imports it
        REPO / "pipeline" / "cli" / "train.py",
        REPO / "pipeline" / "candidate_training.py",  # the candidate model's training, imported by train.py only
        REPO / "pipeline" / "acceptance_training.py",  # the mention acceptance's training, imported by train.py only
    }
    for path in (REPO / "pipeline").rglob("*.py"):
        if (REPO / "pipeline" / "demo") in path.parents or path in allowed:
            continue
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"gold", source, re.IGNORECASE), f"{path} mentionne gold"
        assert "pipeline.train" not in source, f"{path} importe l'entraînement (qui lit gold)"
        assert not re.search(r"pipeline\.demo\.\w+", source), f"{path} importe un module interne de pipeline.demo"
        for match in re.finditer(r"from pipeline\.demo import ([^\n]+)", source):
            names = {n.strip() for n in match.group(1).replace("(", "").split(",")}
            assert names <= {"ensure_demo_corpus", "generate_demo_corpus"}, f"{path} : {names}"
