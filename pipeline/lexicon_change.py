"""What a lexicon edit changes, and whether it can reach a contract: an analyst who adds an alias should not wait
for every contract to be analysed again.

A contract's analysis depends on the lexicon through its hits (`pipeline.match`), the names that stop a
candidate (`pipeline.candidates.lexicon_keys`) and everything else the lexicon declares (entity names, kinds,
acronyms, themes, glossary, indicators, variants). When an edit changes only aliases, former names or patterns
of some entities (the *surface forms*), the analysis under the new lexicon is the one under the old lexicon
unless:
- a changed form can match somewhere in the contract: a matcher built from the changed forms alone finds no
  span on any page, fuzzy names being tried everywhere (a superset of what the whole matcher can find with
  them, and an acronym alternative that matches nowhere changes no match of the whole alternation);
- a changed form's candidate key occurs in the contract as a run of words (it would stop a candidate, or no
  longer stop one).
Then the previous analysis is taken again as it is (`reused_analysis`); in every other case the contract is
analysed in full. Each stored analysis leaves a note of its versions (`store_previous`) and each lexicon version
a snapshot of its surface forms (`store_snapshot`), in the workspace's detection cache.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.candidates import names_to_keys
from pipeline.files import FILE_MODE, atomic_write_bytes
from pipeline.lexicon import Lexicon
from pipeline.match import LexiconMatcher, build_matcher, fold_text, fuzzy_spans, page_to_raw_spans
from pipeline.types import ContractFile, Entity, ExtractedDocument
from pipeline.workspace import detections_cache_path

SNAPSHOT_FORMAT = 1
SurfaceForms = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # aliases, former names, patterns


@dataclass(frozen=True)
class LexiconSnapshot:
    """What the reuse test needs of a lexicon version: the hash of everything but the surface forms, and the
    surface forms of each entity."""

    core: str
    forms: dict[str, SurfaceForms]


@dataclass(frozen=True)
class LexiconChange:
    """The forms an edit added or removed, as entities of a small lexicon, and their candidate keys."""

    entities: tuple[Entity, ...]
    keys: frozenset[str]


@dataclass(frozen=True)
class PreviousAnalysis:
    """The last analysis stored for a contract version: its cache key and the versions it was made with."""

    key: str
    versions: dict[str, str]


_CORE_BY_VERSION: dict[str, str] = {}


def core_fingerprint(lexicon: Lexicon) -> str:
    """A hash of the lexicon with every entity's aliases, former names and patterns left out (computed once per
    lexicon version and process: `pipeline.analyse` computes it where the resources load, before workers fork)."""
    if lexicon.version and lexicon.version in _CORE_BY_VERSION:
        return _CORE_BY_VERSION[lexicon.version]
    bare = tuple(replace(entity, aliases=(), former_names=(), patterns=()) for entity in lexicon.entities)
    text = repr(replace(lexicon, entities=bare, version=""))
    core = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    if lexicon.version:
        _CORE_BY_VERSION[lexicon.version] = core
    return core


def lexicon_to_snapshot(lexicon: Lexicon) -> LexiconSnapshot:
    forms = {e.entity_id: (e.aliases, e.former_names, e.patterns) for e in lexicon.entities}
    return LexiconSnapshot(core_fingerprint(lexicon), forms)


def lexicon_change(old: LexiconSnapshot, new: Lexicon) -> LexiconChange | None:
    """The surface forms added or removed between a snapshot and a lexicon; None when anything else changed (or
    only patterns of an entity, which a small lexicon cannot hold without the entity's name)."""
    if core_fingerprint(new) != old.core or set(old.forms) != {e.entity_id for e in new.entities}:
        return None
    entities: list[Entity] = []
    keys: set[str] = set()
    for entity in new.entities:
        aliases, former, patterns = old.forms[entity.entity_id]
        texts = sorted(set(aliases) ^ set(entity.aliases) | set(former) ^ set(entity.former_names))
        changed_patterns = tuple(sorted(set(patterns) ^ set(entity.patterns)))
        if not texts and not changed_patterns:
            continue
        if not texts:
            return None
        upper = tuple(text for text in texts if text.isupper())
        entities.append(
            Entity(
                entity.entity_id,
                texts[0],
                entity.kind,
                acronyms=upper,
                aliases=tuple(texts[1:]),
                patterns=changed_patterns,
            )
        )
        keys |= names_to_keys(tuple(texts))
    return LexiconChange(tuple(entities), frozenset(key for key in keys if key))


def change_reaches(change: LexiconChange, matcher: LexiconMatcher, document: ExtractedDocument) -> bool:
    """Whether a changed form can match on a page of the document (`matcher`: built from `change.entities`), or
    a changed candidate key occurs there as a run of words. Only pages `page_may_hold` lets through are matched."""
    clues = change_clues(change, matcher)
    keys = [f" {key} " for key in change.keys]
    for page in document.pages:
        folded = fold_text(page.text)
        if keys:
            words = " " + " ".join(re.findall(r"[0-9a-z]+", folded.replace("’", "'"))) + " "
            if any(key in words for key in keys):
                return True
        if page_may_hold(clues, matcher, page.text, folded) and page_to_raw_spans(matcher, page, True):
            return True
    return False


@dataclass(frozen=True)
class ChangeClues:
    """What a page must hold for a changed form to match there, tested before the (slower) matcher: a name's
    words in a row, each word at least without its last three characters (its exact and plural forms start so,
    see `pipeline.match.singular`); an acronym's letters in any case; a changed pattern. Fuzzy names are tried
    by the fuzzy matcher itself, which needs no spaCy tokens."""

    names: tuple[re.Pattern[str], ...]
    acronyms: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]


def change_clues(change: LexiconChange, matcher: LexiconMatcher) -> ChangeClues:
    names: list[re.Pattern[str]] = []
    acronyms: list[str] = []
    for entity in change.entities:
        for text in (entity.name, *entity.aliases):
            tokens = [token.text for token in matcher.nlp.make_doc(fold_text(text)) if not token.is_space]
            names.append(re.compile(r"\s*".join(re.escape(token[:-3]) + r"\S*" for token in tokens)))
        acronyms += [acronym.lower().replace(".", "") for acronym in entity.acronyms]
    patterns = tuple(re.compile(pattern) for entity in change.entities for pattern in entity.patterns)
    return ChangeClues(tuple(names), tuple(acronyms), patterns)


def page_may_hold(clues: ChangeClues, matcher: LexiconMatcher, text: str, folded: str) -> bool:
    """False only when no changed form can match on this page (see `ChangeClues`)."""
    if any(pattern.search(text) for pattern in clues.patterns):
        return True
    letters = text.lower().replace(".", "")
    if any(acronym in letters for acronym in clues.acronyms):
        return True
    if any(name.search(folded) for name in clues.names):
        return True
    return bool(fuzzy_spans(matcher, folded, []))


def change_matcher(change: LexiconChange, like: LexiconMatcher) -> LexiconMatcher:
    """A matcher of the changed forms alone, sharing the tokenizer of the whole lexicon's matcher."""
    return build_matcher(Lexicon(entities=change.entities, themes=()), nlp=like.nlp)


def snapshot_path(cache_dir: Path, version: str) -> Path:
    return cache_dir / "lexiques" / f"{re.sub(r'[^0-9A-Za-z.-]', '_', version)}.json.gz"


def store_snapshot(cache_dir: Path, lexicon: Lexicon) -> None:
    """Keep the snapshot of a lexicon version once (the first analysis made with it writes it)."""
    path = snapshot_path(cache_dir, lexicon.version)
    if not lexicon.version or path.exists():
        return
    snapshot = lexicon_to_snapshot(lexicon)
    payload = {"format": SNAPSHOT_FORMAT, "core": snapshot.core, "forms": snapshot.forms}
    atomic_write_bytes(path, gzip.compress(json.dumps(payload, ensure_ascii=False).encode("utf-8"), mtime=0))


def load_snapshot(cache_dir: Path, version: str) -> LexiconSnapshot | None:
    """The snapshot of a lexicon version, or None (absent, damaged, or of another format)."""
    try:
        raw = json.loads(gzip.decompress(snapshot_path(cache_dir, version).read_bytes()))
        if raw.get("format") != SNAPSHOT_FORMAT:
            return None
        forms = {
            str(entity_id): (tuple(map(str, a)), tuple(map(str, f)), tuple(map(str, p)))
            for entity_id, (a, f, p) in raw["forms"].items()
        }
        return LexiconSnapshot(str(raw["core"]), forms)
    except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError):
        return None


def previous_path(cache_dir: Path, contract: ContractFile) -> Path:
    tag = hashlib.sha256(contract.contract_id.encode("utf-8")).hexdigest()[:12]
    return detections_cache_path(cache_dir, contract.sha256, f"precedente-{tag}")


def store_previous(cache_dir: Path, contract: ContractFile, key: str, versions: dict[str, str], mode: int) -> None:
    """Note which analysis of this contract version was stored last, and with which versions."""
    payload = json.dumps({"key": key, "versions": versions}, ensure_ascii=False).encode("utf-8")
    atomic_write_bytes(previous_path(cache_dir, contract), payload, mode)


def load_previous(cache_dir: Path, contract: ContractFile) -> PreviousAnalysis | None:
    try:
        raw = json.loads(previous_path(cache_dir, contract).read_bytes())
        return PreviousAnalysis(str(raw["key"]), {str(k): str(v) for k, v in raw["versions"].items()})
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def reusable_key(
    cache_dir: Path,
    contract: ContractFile,
    versions: dict[str, str],
    lexicon: Lexicon,
    matcher: LexiconMatcher,
    document: ExtractedDocument,
) -> str | None:
    """The key of a previous analysis of this contract version that the current lexicon would reproduce exactly
    (same code, models and options, an edit of surface forms that cannot reach the contract), else None."""
    previous = load_previous(cache_dir, contract)
    if previous is None or "lexique" not in previous.versions:
        return None
    others = {name: value for name, value in versions.items() if name not in ("lexique", "publication")}
    if {name: value for name, value in previous.versions.items() if name not in ("lexique", "publication")} != others:
        return None
    if not detections_cache_path(cache_dir, contract.sha256, previous.key).exists():
        return None
    snapshot = load_snapshot(cache_dir, previous.versions["lexique"])
    change = lexicon_change(snapshot, lexicon) if snapshot is not None else None
    if change is None:
        return None
    if change.entities and change_reaches(change, change_matcher(change, matcher), document):
        return None
    return previous.key


def copy_analysis(cache_dir: Path, sha256: str, from_key: str, to_key: str, mode: int = FILE_MODE) -> bytes:
    """Store a previous analysis under the current key, as it is; returns its bytes."""
    data = detections_cache_path(cache_dir, sha256, from_key).read_bytes()
    atomic_write_bytes(detections_cache_path(cache_dir, sha256, to_key), data, mode)
    return data
