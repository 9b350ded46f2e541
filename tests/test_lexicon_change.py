"""A lexicon edit that cannot reach a contract takes its previous analysis again, and only then: for each kind of
edit, every analysis a run gets after the edit is the one a full analysis with the edited lexicon gives."""

from __future__ import annotations

import csv
import gzip
import json
import random
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from run_fixture import run_settings, write_corpus

from pipeline.analyse import analyse_contract, analyse_with_memo, resources_for
from pipeline.cache import analysis_to_json, extract_with_cache
from pipeline.corpus import scan_corpus
from pipeline.lexicon import default_lexicon_dir, load_lexicon
from pipeline.lexicon_change import (
    LexiconChange,
    change_clues,
    change_matcher,
    lexicon_change,
    lexicon_to_snapshot,
    page_may_hold,
)
from pipeline.match import fold_text, page_to_raw_spans
from pipeline.models import default_models_dir
from pipeline.types import Entity, RunSettings
from pipeline.workspace import Workspace


def edit_row(lexicons: Path, file_name: str, entity_id: str, column: str, change: object) -> None:
    """Rewrite one cell of a lexicon file as an analyst would (`change`: old value -> new value)."""
    path = lexicons / file_name
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    row = next(r for r in rows if r["id"] == entity_id)
    row[column] = change(row[column])  # type: ignore[operator]
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def add_alias(alias: str) -> object:
    return lambda value: "|".join(filter(None, [value, alias]))


EDITS = {
    "alias_nowhere": ("partners.csv", "mission_locale", "aliases", add_alias("Mission locale des jeunes")),
    "alias_in_health": ("partners.csv", "cpam", "aliases", add_alias("primaire d'assurance maladie")),
    "acronym_in_lower_case": ("partners.csv", "ars", "aliases", add_alias("PRÉVENTION")),
    "name_changed": ("partners.csv", "ars", "name", lambda value: value + " (ARS)"),
    "alias_removed": (
        "dispositifs.csv",
        "clspd",
        "aliases",
        lambda value: value.replace("|Conseil intercommunal de sécurité et de prévention de la délinquance|", "|"),
    ),
}
EXPECTED_REUSED = {
    "alias_nowhere": {"cdv-a", "cdv-b", "cdv-c", "cdv-d"},
    "alias_in_health": {"cdv-c", "cdv-d"},
    "acronym_in_lower_case": {"cdv-b"},
    "name_changed": set(),
    "alias_removed": {"cdv-b"},
}


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Four contracts analysed with the project's lexicon, in a workspace each test copies."""
    root = tmp_path_factory.mktemp("edit")
    corpus = write_corpus(root / "corpus")
    lexicons = root / "lexicons"
    shutil.copytree(default_lexicon_dir(), lexicons)
    settings = replace(run_settings(corpus, root / "out", root / "ws"), lexicon_dir=lexicons)
    for contract in scan_corpus(corpus).contracts:
        assert analyse_contract(contract, settings).cache.analysis == "miss"  # type: ignore[union-attr]
    return root, corpus


def payload(data: bytes) -> object:
    return json.loads(gzip.decompress(data))


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edit_reuses_exactly_the_analyses_it_cannot_change(
    analysed: tuple[Path, Path], edit: str, tmp_path: Path
) -> None:
    root, corpus = analysed
    shutil.copytree(root / "ws", tmp_path / "ws")
    lexicons = tmp_path / "lexicons"
    shutil.copytree(root / "lexicons", lexicons)
    edit_row(lexicons, *EDITS[edit])
    settings: RunSettings = replace(run_settings(corpus, tmp_path / "out", tmp_path / "ws"), lexicon_dir=lexicons)
    resources = resources_for(lexicons, settings.models_dir, settings.use_ner)
    reused = set()
    for contract in scan_corpus(corpus).contracts:
        analysis = analyse_contract(contract, settings)
        assert analysis.cache is not None
        if analysis.cache.analysis == "reprise":
            reused.add(contract.contract_id)
        document, _ = extract_with_cache(contract, Workspace(settings.workspace).page_cache)
        full = analyse_with_memo(contract, document, resources, settings.use_ner, tmp_path / "memo")
        assert payload(analysis_to_json(analysis)) == payload(analysis_to_json(full)), contract.contract_id
    assert reused == EXPECTED_REUSED[edit]


def test_a_change_outside_surface_forms_is_no_surface_change(tmp_path: Path) -> None:
    lexicons = tmp_path / "lexicons"
    shutil.copytree(default_lexicon_dir(), lexicons)
    before = lexicon_to_snapshot(load_lexicon(lexicons))
    edit_row(lexicons, "themes.csv", "sante", "keywords", lambda value: value + "|médecin traitant")
    assert lexicon_change(before, load_lexicon(lexicons)) is None
    shutil.copytree(default_lexicon_dir(), lexicons, dirs_exist_ok=True)
    edit_row(lexicons, *EDITS["alias_in_health"])
    change = lexicon_change(before, load_lexicon(lexicons))
    assert change is not None
    assert [(e.entity_id, e.name) for e in change.entities] == [("cpam", "primaire d'assurance maladie")]
    assert change.keys == {"primaire d assurance maladie"}


def variants_of(words: list[str], rng: random.Random) -> list[str]:
    """Ways an analyst may write a run of words of a page: as is, in the plural, in capitals, with a letter
    dropped or doubled (fuzzy), glued to a footnote number."""
    text = " ".join(words)
    position = rng.randrange(len(text))
    return [
        text,
        " ".join(word + "s" for word in words),
        text.upper(),
        text[:position] + text[position + 1 :],
        text[:position] + text[position] + text[position:],
        text + "1",
    ]


def test_pages_ruled_out_by_the_clues_hold_no_match_of_the_changed_forms(analysed: tuple[Path, Path]) -> None:
    """`page_may_hold` is only a shortcut: wherever the matcher of the changed forms finds a span, it says yes."""
    root, corpus = analysed
    matcher = resources_for(root / "lexicons", default_models_dir(), False).matcher
    pages = [
        page
        for contract in scan_corpus(corpus).contracts
        for page in extract_with_cache(contract, Workspace(root / "ws").page_cache)[0].pages
    ]
    rng = random.Random(3)
    checked = matched = 0
    for _ in range(150):
        words = rng.choice(pages).text.split()
        start = rng.randrange(len(words))
        for form in variants_of(words[start : start + rng.randint(1, 5)], rng):
            if not re.search(r"[A-Za-z]{3}", form):
                continue
            entity = Entity("essai", form, "partenaire", acronyms=(form,) if form.isupper() else ())
            change = LexiconChange((entity,), frozenset())
            small = change_matcher(change, matcher)
            clues = change_clues(change, small)
            for page in pages:
                found = bool(page_to_raw_spans(small, page, True))
                matched += found
                checked += 1
                assert not found or page_may_hold(clues, small, page.text, fold_text(page.text)), (form, page.number)
    assert checked > 10_000 and matched > 500
