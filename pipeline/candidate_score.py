"""The candidate scorer: is a name proposed outside the lexicons an organisation an analyst should see?

Every name proposed in a contract (`pipeline.candidates` and `pipeline.candidate_spans`) is grouped by its
folded key; the group is described by how it is written and where (its sources, the NER label, number of
words, capitals, organisation words inside, the cue word before it, list or heading position, signature page,
sentence start, repetition in the contract, place-name shape or a known region or département, digits, a list
of names beside it, an example cue or a kind of organisations earlier in its sentence) and calibrated
gradient-boosted trees (the `candidate` model in `models/`, trained by `pipeline.candidate_training`) give the
probability that it is an organisation outside the lexicons. One of their features is what the name's letters say
(`name_score`: the model's `name_model_`, a logistic regression over character n-grams, reads « Logirem »,
« Habellis », « Efidis » as landlords' names and « Guadeloupe » as a place). Groups below the model's threshold
(`threshold_`, chosen on out-of-fold predictions of the training data) are not written; overlapping names are
resolved by `without_overlaps`.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import replace
from typing import Any

from pipeline.acronym import spells_name
from pipeline.candidate_spans import HEAD_PHRASE_PARTICLES, clause_bounds, clause_items
from pipeline.candidate_words import candidate_words
from pipeline.candidates import LEGAL_FORMS, Candidate, french_stop_words, name_key
from pipeline.match import fold_text
from pipeline.structure import contents_page, is_contents_line, is_numbered_line
from pipeline.types import ExtractedDocument

NAME_WORDS = re.compile(r"[^\W\d_][\w-]*")  # "d'Habitation" reads as "d", "Habitation"

ORG_WORD_LIST = """
    association associations fondation federation federations union reseau reseaux societe entreprise entreprises
    groupe habitat habitations logement logements immobiliere bailleur cooperative scop scic sarl sas sa club clubs
    sport sportive sportif collectif compagnie services service transports solidarite solidarites insertion emploi
    formation mission maison centre centres institut agence office caisse mutuelle mutualite syndicat
    chambre conseil comite ordre secours restos coeur croix cooperation regie ligue universite ecole college lycee
    academie fonds banque credit medecins sante hopital clinique consulaire observatoire conservatoire theatre
    cinema musee bibliotheque mediatheque radio presse journal entraide aide national nationale nationaux
"""
CUE_LIST = """
    association associations bailleur bailleurs social fondation reseau entreprise societe organisme structure
    structures federation cooperative groupe club collectif cabinet operateur operateurs compagnie regie
    mutuelle partenaire partenaires
"""
PREVIOUS_LIST = (
    "le la les l de du des d a au aux et ou avec par pour sur dans en entre comme dont notamment chez ( , : ; - – • «"
)
ORG_WORDS = frozenset(ORG_WORD_LIST.split())  # folded words of organisation names (generic, not the demo's)
CUES = frozenset(CUE_LIST.split())  # folded cue words before a name ("le bailleur X")
UPPER_CHARS = "A-ZÀ-ÖØ-ÝŒ"
HEADS = frozenset(fold_text(word).lower() for word in candidate_words().heads)  # folded head words ("Observatoire")
PLACES = frozenset(name_key(place) for place in candidate_words().places)  # regions and départements, folded
NAME_PARTICLES = frozenset({"de", "du", "des", "d", "la", "le", "les", "l", "et", "pour", "en", "aux", "au", "sur"})
PERSON_BEFORE = frozenset({"m", "mme", "monsieur", "madame", "mr", "dr", "docteur", "maitre", "me"})
PLACE_BEFORE = frozenset({"a", "commune", "ville", "quartier", "quartiers", "departement", "region", "vers", "pres"})
KNOWN_PREVIOUS = frozenset(PREVIOUS_LIST.split()) | PERSON_BEFORE | PLACE_BEFORE
EXAMPLE_CUES = frozenset({"comme", "notamment", "dont", "tels", "telles", "tel", "telle", "ainsi", "exemple"})
KIND_NOUN_LIST = """
    entreprises entreprise partenaires partenaire associations acteurs structures organismes enseignes clubs
    operateurs bailleurs societes groupes reseaux employeurs financeurs signataires marques
"""
KIND_NOUNS = frozenset(KIND_NOUN_LIST.split())  # a kind of organisations named before a list of them
SENTENCE_TOKENS = frozenset({".", "!", "?", ";"})
BULLET = re.compile(r"^[ \t]*(?:[-–•·*▪●◦►]|\d{1,2}[.)]|[a-z][.)])[ \t]")
TOKEN = re.compile(r"[a-z0-9]+|[^\sa-z0-9]")
LIST_JOIN = re.compile(r"[ \t]*,[ \t]*(?:(?:et|ou)[ \t]+)?|[ \t]+(?:et|ou)[ \t]+")
LIST_BEFORE = re.compile(rf"[{UPPER_CHARS}][\w’'-]*[ \t]*(?:,|,? et|,? ou)[ \t]+$")  # "Caf, X", "France urbaine et X"
LIST_AFTER = re.compile(rf"[ \t]*(?:,|,? et|,? ou)[ \t]+[{UPPER_CHARS}]")
DEFAULT_THRESHOLD = 0.5
MAX_COUNTED = 10  # counts of items and lexicon names in a name's clause are capped there
NAME_SCORE = "name_score"


def name_features(name: str, vocabulary: frozenset[str]) -> dict[str, float]:
    """How a name is written: words, capitals, acronym shape, organisation and legal-form words, an organisation's
    head word first, place shape, digits, words in lower case after the first, and how many of its words the
    document also writes in lower case (a capitalised common word)."""
    words = name.split()
    folded = fold_text(name).lower().replace("’", "'").replace("'", " ").replace("-", " ").split()
    letters = [c for c in name if c.isalpha()]
    capitals = sum(c.isupper() for c in letters)
    acronym = len(words) == 1 and "-" not in name and capitals >= 2 and len(letters) <= 9
    return {
        "n_words": float(min(len(words), 8)),
        "one_word": float(len(words) == 1),
        "cap_ratio": sum(1 for w in words if w[:1].isupper()) / max(len(words), 1),
        "all_caps": float(len(letters) > 1 and capitals == len(letters)),
        "acronym": float(acronym and capitals == len(letters)),
        "acronym_first": float(len(words) > 1 and len(words[0]) >= 2 and words[0].isalpha() and words[0].isupper()),
        "known_place": float(name_key(name) in PLACES),
        "mixed_acronym": float(acronym and capitals < len(letters)),
        "short_word": float(len(words) == 1 and len(letters) <= 5),
        "org_word": float(any(w in ORG_WORDS for w in folded)),
        "legal_start": float(bool(re.match(rf"(?:{LEGAL_FORMS})\b", name, re.IGNORECASE))),
        "head_start": float(folded[:1] != [] and folded[0] in HEADS),
        "lower_after_first": sum(1 for w in words[1:] if w[:1].islower() and fold_text(w).lower() not in NAME_PARTICLES)
        / max(len(words) - 1, 1),
        "place_shape": float(folded[:1] in (["saint"], ["sainte"]) or bool(re.search(r"\w-[A-ZÉ]", name))),
        "digits": float(any(c.isdigit() for c in name)),
        "stop_ratio": sum(1 for w in folded if w in french_stop_words()) / max(len(folded), 1),
        "common_words": sum(1 for w in folded if w in vocabulary) / max(len(folded), 1),
    }


def next_class(after: str) -> str:
    """The kind of character after a name: bracket, comma, full stop, end, lower or upper case."""
    if not after:
        return "fin"
    if after in "(,;.:":
        return {"(": "(", ",": ",", ";": ",", ".": ".", ":": "."}[after]
    return "min" if after.islower() else "maj" if after.isupper() else "autre"


def occurrence_features(
    name: str,
    source: str,
    label: str,
    text: str,
    start: int,
    end: int,
    signed: bool,
    ocr: bool = False,
    hits: list[tuple[int, int]] | None = None,
) -> dict[str, float]:
    """Where one proposal of a name stands on its page and what found it: source, NER label, the word before
    (a cue word, a person's title, a place preposition), an example cue ("comme", "notamment") or a kind of
    organisations ("entreprises", "partenaires") earlier in its sentence, what follows, sentence start, list
    item, heading line, signature page, whether it stands in a list of names: beside a lexicon name (`hits`:
    "Action Logement et Villes de France") or another capitalised name ("France urbaine, Ville et Banlieue"), and
    whether its line or page reads as a table of contents or an agenda ("II.1 ERDF Rapporteur ..... 12"), and how
    many items and lexicon names its clause enumerates ("Pôle emploi, Reims habitat, la Caf")."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    line_letters = [c for c in line if c.isalpha()]
    before = [t for t in TOKEN.findall(fold_text(text[max(line_start, start - 60) : start]).lower()) if t not in "'’"]
    sentence = TOKEN.findall(fold_text(text[max(0, start - 160) : start]).lower())
    cut = max((i for i, t in enumerate(sentence) if t in SENTENCE_TOKENS), default=-1)
    sentence = sentence[cut + 1 :]
    previous = before[-1] if before else "^"
    clause_start, clause_end = clause_bounds(text, start, end)
    clause_hits = sum(1 for s, e in hits or [] if clause_start <= s and e <= clause_end)
    sentence_initial = not before or previous in (".", "!", "?", ":", "•", "-", "–") or bool(BULLET.match(line))
    return {
        f"src={source}": 1.0,
        f"ner={label or 'aucun'}": 1.0,
        f"prev={previous if previous in KNOWN_PREVIOUS or previous == '^' else 'autre'}": 1.0,
        f"next={next_class(text[end : end + 2].lstrip(' ')[:1])}": 1.0,
        "place_before": float(bool(set(before[-2:]) & PLACE_BEFORE)),
        "person_before": float(bool(set(before[-3:]) & PERSON_BEFORE)),
        "cue_before": float(bool(set(sentence[-3:]) & CUES)),  # in its sentence: not "centre social. À Roubaix"
        "example_before": float(bool(set(sentence[-4:]) & EXAMPLE_CUES)),  # "… comme Keolis", "notamment X"
        "kind_noun_before": float(bool(set(sentence) & KIND_NOUNS)),  # "des entreprises … comme Darty"
        "sentence_initial": float(sentence_initial),
        "bullet": float(bool(BULLET.match(line))),
        "line_is_name": float(len(name) >= 0.7 * len(line.strip())),
        "caps_line": float(
            len(line_letters) > len(name) + 4 and sum(c.isupper() for c in line_letters) > 0.6 * len(line_letters)
        ),
        "signature_page": float(signed),
        "in_brackets": float(previous == "("),
        "ocr_page": float(ocr),
        "beside_lexicon_name": float(beside_hit(text, start, end, hits or [])),
        "in_name_list": float(bool(LIST_BEFORE.search(text, max(0, start - 60), start) or LIST_AFTER.match(text, end))),
        "toc_line": float(is_contents_line(line)),
        "numbered_line": float(is_numbered_line(line)),
        "contents_page": contents_page(text),
        "enumeration_items": float(min(clause_items(text, clause_start, clause_end), MAX_COUNTED)),
        "enumeration_lexicon_names": float(min(clause_hits, MAX_COUNTED)),
    }


def beside_hit(text: str, start: int, end: int, hits: list[tuple[int, int]]) -> bool:
    """Whether a lexicon name stands next to a name, only a comma, "et" or "ou" between them."""
    return any(
        (hit_end <= start and LIST_JOIN.fullmatch(text, hit_end, start) is not None)
        or (end <= hit_start and LIST_JOIN.fullmatch(text, end, hit_start) is not None)
        for hit_start, hit_end in hits
    )


def group_features(
    name: str, vocabulary: frozenset[str], occurrences: list[dict[str, float]], n_pages: int
) -> dict[str, float]:
    """A name's features in one contract: how its shown name is written, the maximum of each occurrence's
    context features, the share of sentence starts and list lines, the repetition."""
    merged = name_features(name, vocabulary)
    for features in occurrences:
        for key, value in features.items():
            merged[key] = max(merged.get(key, 0.0), value)
    n = len(occurrences)
    merged["share_sentence_initial"] = sum(f["sentence_initial"] for f in occurrences) / n
    merged["share_line_is_name"] = sum(f["line_is_name"] for f in occurrences) / n
    merged["log_mentions"] = math.log1p(n)
    merged["log_pages"] = math.log1p(n_pages)
    merged["n_sources"] = float(sum(1 for key in merged if key.startswith("src=")))
    merged["one_word_after_cue"] = merged["one_word"] * merged["cue_before"]  # "le bailleur social Vilogia"
    return merged


def model_threshold(model: Any) -> float:
    return float(getattr(model, "threshold_", DEFAULT_THRESHOLD))


def name_scores(name_model: Any, names: list[str]) -> list[float]:
    """The name model's P(organisation) of each name."""
    column = [int(c) for c in name_model.classes_].index(1)
    return [float(score) for score in name_model.predict_proba(names)[:, column]]


def with_name_scores(rows: list[dict[str, float]], scores: list[float]) -> list[dict[str, float]]:
    """Each group's features with its `name_score`."""
    return [{**row, NAME_SCORE: score} for row, score in zip(rows, scores, strict=True)]


def group_probabilities(model: Any, rows: list[dict[str, float]], names: list[str]) -> list[float]:
    """P(organisation outside the lexicons) of each group, from its features and its shown name (the features
    alone for a candidate model trained before the name model)."""
    name_model = getattr(model, "name_model_", None)
    if name_model is not None and rows:
        rows = with_name_scores(rows, name_scores(name_model, names))
    return positive_probabilities(model, rows)


def positive_probabilities(model: Any, rows: list[dict[str, float]]) -> list[float]:
    """P(organisation outside the lexicons) of each group's features."""
    from threadpoolctl import threadpool_limits

    if not rows:
        return []
    column = [int(c) for c in model.classes_].index(1)
    with threadpool_limits(limits=1, user_api="openmp"):  # a contract's few hundred rows: threads cost more
        probabilities = model.predict_proba(rows)[:, column]
    return [float(p) for p in probabilities]


def document_vocabulary(document: ExtractedDocument) -> frozenset[str]:
    """The folded words a document writes in lower case (a capitalised common word is written so elsewhere), elided
    ones too (« l'accès »)."""
    lower = re.findall(r"(?<![\w-])[a-zà-ÿœ]{3,}\b", " ".join(page.text for page in document.pages))
    return frozenset(fold_text(word) for word in lower)


def common_word(name: str, vocabulary: frozenset[str]) -> bool:
    """Whether a name is one capitalised word that the document also writes in lower case (a heading's « Accès aux
    droits », « Logement »): a common word, not an organisation's name. Of the 543 one-word names outside the
    lexicons in the real-prose set, 6 are also written so (« Polygone », « Transdev »; 2026-12-02)."""
    word = name.strip()
    capitals = sum(char.isupper() for char in word)
    return " " not in word and word[:1].isupper() and capitals == 1 and fold_text(word) in vocabulary


def merge_spans(candidates: list[Candidate]) -> list[Candidate]:
    """One proposal per span of a page, its sources joined ("majuscules|ner"), NER label and acronym kept."""
    spans: dict[tuple[int, int, int], list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        spans[(candidate.page, candidate.start, candidate.end)].append(candidate)
    merged = []
    for items in spans.values():
        sources = sorted({part for c in items for part in c.source.split("|")})
        label = next((c.label for c in items if c.label), "")
        acronym = next((c.acronym for c in items if c.acronym), "")
        merged.append(replace(items[0], source="|".join(sources), label=label, acronym=acronym))
    return merged


def contract_groups(candidates: list[Candidate]) -> dict[str, list[Candidate]]:
    """A contract's proposals grouped by folded name, an acronym with the name it is defined with."""
    grouped: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        grouped[name_key(candidate.name)].append(candidate)
    defined = {name_key(c.acronym): name_key(c.name) for c in candidates if c.acronym}
    for acronym_key, key in defined.items():
        if acronym_key in grouped and key in grouped and acronym_key != key:
            grouped[key] += grouped.pop(acronym_key)
    return dict(grouped)


def group_name(items: list[Candidate]) -> str:
    """The name a group is shown under: its most frequent spelling that is not a bare acronym."""
    names = [c.name for c in items if not c.acronym or c.name != c.acronym]
    spelled = [c.name for c in items if "sigle" not in c.source.split("|") or len(c.name.split()) > 1] or names
    return max(sorted(set(spelled)), key=spelled.count)


def contract_features(
    document: ExtractedDocument,
    candidates: list[Candidate],
    signature_pages: frozenset[int],
    hit_spans: dict[int, list[tuple[int, int]]] | None = None,
    vocabulary: frozenset[str] | None = None,
) -> tuple[list[str], list[list[Candidate]], list[dict[str, float]]]:
    """Names, proposals and features of each group of a contract's proposals (`hit_spans`: the lexicon's hits
    by page, for names listed beside them; `vocabulary`: the document's, when the caller has it already)."""
    texts = {page.number: page.text for page in document.pages}
    scanned = {page.number for page in document.pages if page.method == "ocr"}
    vocabulary = document_vocabulary(document) if vocabulary is None else vocabulary
    grouped = contract_groups(merge_spans(candidates))
    keys, groups, rows = [], [], []
    for key, items in grouped.items():
        occurrences = []
        for c in items:
            for source in c.source.split("|"):
                text = texts.get(c.page, "")
                occurrences.append(
                    occurrence_features(
                        c.name,
                        source,
                        c.label,
                        text,
                        c.start,
                        c.end,
                        c.page in signature_pages,
                        c.page in scanned,
                        (hit_spans or {}).get(c.page, []),
                    )
                )
        keys.append(key)
        groups.append(items)
        rows.append(group_features(group_name(items), vocabulary, occurrences, len({c.page for c in items})))
    return keys, groups, rows


def score_candidates(
    document: ExtractedDocument,
    candidates: list[Candidate],
    signature_pages: frozenset[int],
    model: Any,
    hit_spans: dict[int, list[tuple[int, int]]] | None = None,
) -> list[Candidate]:
    """The proposals of a contract the model keeps: its groups at or above its threshold, each proposal with
    its group's probability, overlaps resolved by `without_overlaps`; common words (`common_word`) are not scored."""
    vocabulary = document_vocabulary(document)
    candidates = [c for c in candidates if not common_word(c.name, vocabulary)]
    _, groups, rows = contract_features(document, candidates, signature_pages, hit_spans, vocabulary)
    threshold = model_threshold(model)
    kept: list[Candidate] = []
    probabilities = group_probabilities(model, rows, [group_name(items) for items in groups])
    for items, probability in zip(groups, probabilities, strict=True):
        if probability >= threshold:
            kept += [replace(c, probability=round(probability, 4)) for c in items]
    return without_overlaps(kept, {page.number: page.text for page in document.pages})


def without_overlaps(kept: list[Candidate], texts: dict[int, str]) -> list[Candidate]:
    """One name per stretch of a page: the most probable (then longest) of overlapping names, except that a
    kept name is replaced by a less probable kept name containing it that goes on with capitalised words
    ("Fondation Garonne" by "Fondation Garonne⏎Solidarités" wrapped over two lines), unless the longer one joins
    two names with "et" (and is not one name its acronym spells). A name grown by words in lower case ("CEMEA
    comme explique X.", "le syndicat FO") does not replace a more probable name inside it."""
    kept = sorted(kept, key=lambda c: (-c.probability, -(c.end - c.start), c.page, c.start))
    chosen: dict[int, list[Candidate]] = defaultdict(list)
    for candidate in kept:
        page = chosen[candidate.page]
        text = texts.get(candidate.page, "")
        inside = [c for c in page if candidate.start <= c.start and c.end <= candidate.end]
        crossing = [c for c in page if c.start < candidate.end and candidate.start < c.end and c not in inside]
        joined = " et " in text[candidate.start : candidate.end] and not (
            candidate.acronym and spells_name(candidate.acronym, candidate.name)
        )  # « Seine Ouest Habitat et Patrimoine (SOHP) » is one name
        if crossing or (inside and joined) or any(grown_in_lower_case(candidate, c, text) for c in inside):
            continue
        chosen[candidate.page] = [c for c in page if c not in inside] + [candidate]
    return sorted((c for page in chosen.values() for c in page), key=lambda c: (c.page, c.start))


def grown_in_lower_case(outer: Candidate, inner: Candidate, text: str) -> bool:
    """Whether a name goes on from a name inside it with a word in lower case, articles and joining words aside:
    the next word after it ("SAIEM-AGIRE travaille") or the word before it ("le syndicat FO")."""
    after = [w for w in NAME_WORDS.findall(text[inner.end : outer.end]) if w.lower() not in HEAD_PHRASE_PARTICLES]
    before = [w for w in NAME_WORDS.findall(text[outer.start : inner.start]) if w.lower() not in HEAD_PHRASE_PARTICLES]
    return any(words and words[i][:1].islower() for words, i in ((after, 0), (before, -1)))
