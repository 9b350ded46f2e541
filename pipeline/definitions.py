"""Acronyms a text defines: « des projets de rénovation urbaine spécifiquement identifiés comme tels (PRU) ».

The lexicon gives each acronym its usual entity (« PRU » is the NPNRU's, « CLS » is either contrat local); a text
that writes an acronym in brackets right after the name of another entity whose initials it spells defines it for
itself. Every hit of that acronym in the document is then read as the defined entity.

A text may also define a lexicon acronym for a body the lexicon does not hold (« Collectivité territoriale de Guyane
(CTG) » is not the convention territoriale globale), or write a lexicon name as the start of a longer name it defines
(« plan départemental d'insertion par l'activité économique (PDIAE) » is not the plan départemental d'insertion):
those hits name something else and are dropped. So is an acronym written as the name a party is designated by
(« la Collectivité de Corse …, désignée ci-après par « la CdC » » is not the Caisse des dépôts).
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from rapidfuzz import fuzz

from pipeline.acronym import FUNCTION_WORDS, NAME_WORD, letters_of, spells
from pipeline.candidate_words import candidate_words
from pipeline.candidates import acronym_fits, name_key
from pipeline.lexicon import Lexicon
from pipeline.match import ACRONYM_METHODS, hits_reread
from pipeline.types import Entity, ExtractedDocument, Hit

MAX_GAP = 60  # characters between the defining name and the bracket (« … spécifiquement identifiés comme tels »)
GAP = re.compile(r"(?:[^.;:!?()\n]|\n(?!\s*\n))*")  # the gap stays in the sentence and holds no other bracket
PHRASE_END = re.compile(r"[.;:!?(),]|\n\s*\n")  # a line break inside a paragraph is not an end
# the acronym a longer name is defined by, alone in brackets or first: « … économique (PDIAE 2019, qui …) »
DEFINED_AFTER = re.compile(r"[^.;:!?(),]{1,80}?\(\s*([A-ZÀ-Ý][A-Za-zÀ-ÿ]{2,9})(?:\s*\)|[\s,][^()]{0,80}\))")
# a bracket naming what the acronym stands for, one small word first: « … au vieillissement (loi ASV) »
WORD_BRACKET = re.compile(r"\(\s*[a-zà-ÿ]+\s+$")
# a party named for the rest of the text: « la Collectivité de Corse …, désignée ci-après par « la CdC » »
DESIGNATED = re.compile(
    r"ci-?\s?après\s+(?:(?:dénommé|désigné|appelé|nommé)e?s?\s+)?(?:par\s+)?[«“\"]\s*(?:(?:la|le|les)\s+|l['’]\s*)?$",
    re.IGNORECASE,
)
DESIGNATION_REACH = 300  # characters before « ci-après » where the designated name is looked for
PARTY_END = re.compile(r"d['’]une part|d['’]autre part|\n\s*\n", re.IGNORECASE)
MAX_NAME_WORDS = 12
SMALL_WORDS = r"(?:de|des|du|d['’]|la|le|les|l['’]|et|pour|en|à|au|aux|sur)"
CAPITALISED_RUN = re.compile(  # capitalised words, with small words between them, on one line
    rf"[A-ZÀ-Ý][\w’'-]*(?:[ \t]+(?:{SMALL_WORDS}[ \t]*)*(?<=[ \t'’])[A-ZÀ-Ý][\w’'-]*)*"
)
SPELLED_BRACKET = re.compile(r"\(([^()\n]{3,160})\)")  # « (Hôpital, Patients, Santé, Territoires) »
SPELLED_AFTER = re.compile(r"[ \t]*" + SPELLED_BRACKET.pattern)  # « CHU (centre d'hébergement d'urgence) »
OWN_NAME_SIMILARITY = 75  # a spelled name this close to one of the entity's names is that entity, written otherwise


def defined_acronyms(hits: list[Hit], document: ExtractedDocument, lexicon: Lexicon) -> dict[str, str]:
    """Acronym -> entity id, for each acronym the document writes in brackets after a name whose initials it
    spells (an entity of the same kind as the acronym's)."""
    kinds = {entity.entity_id: entity.kind for entity in lexicon.entities}
    texts = {page.number: page.text for page in document.pages}
    by_page: dict[int, list[Hit]] = defaultdict(list)
    for hit in hits:
        by_page[hit.page].append(hit)
    defined: dict[str, str] = {}
    for page, page_hits in by_page.items():
        text = texts.get(page, "")
        names = sorted((h for h in page_hits if h.method not in ACRONYM_METHODS), key=lambda h: h.end)
        for hit in page_hits:
            if hit.method not in ACRONYM_METHODS or not bracketed(text, hit.start, hit.end):
                continue
            opening = text.rfind("(", 0, hit.start)
            before = [n for n in names if n.end <= opening and opening - n.end <= MAX_GAP]
            if not before:
                continue
            name = before[-1]
            if (
                kinds.get(name.entity_id) == kinds.get(hit.entity_id)
                and leads_to(text, name.end, opening)
                and acronym_fits(name.matched, hit.matched)
            ):
                defined[hit.matched] = name.entity_id
    return defined


def leads_to(text: str, end: int, opening: int) -> bool:
    """Whether a name ending at `end` leads to the bracket at `opening`: near it, in the same sentence, no other
    bracket between."""
    return 0 <= opening - end <= MAX_GAP and GAP.fullmatch(text, end, opening) is not None


def bracketed(text: str, start: int, end: int) -> bool:
    """Whether a span is written alone in brackets: « (PRU) »."""
    return text[:start].rstrip().endswith("(") and text[end:].lstrip().startswith(")")


def name_spelled_from(text: str, start: int, opening: int, letters: str) -> bool:
    """Whether the words from `start` to the bracket at `opening`, in one phrase, have `letters` as initials."""
    segment = text[start:opening]
    words = NAME_WORD.findall(segment)
    return not PHRASE_END.search(segment) and len(words) <= MAX_NAME_WORDS and spells(letters, words)


def name_spelled_before(text: str, opening: int, letters: str) -> str | None:
    """The shortest run of words of the phrase before the bracket at `opening` whose initials are `letters`."""
    words = NAME_WORD.findall(PHRASE_END.split(text[max(0, opening - 300) : opening])[-1])
    for size in range(len(letters), min(len(words), MAX_NAME_WORDS) + 1):
        tail = words[-size:]
        if tail[0].lower() not in FUNCTION_WORDS and spells(letters, tail):
            return " ".join(tail)
    return None


def own_name(entity: Entity, name: str) -> bool:
    """Whether a spelled-out name is one of the entity's names written otherwise: most of its main words are
    (« plan local d'insertion par l'économie (Plie) »), or it reads alike."""
    words = content_words(name)
    for own in (entity.name, *entity.aliases, *entity.former_names):
        if fuzz.token_sort_ratio(name_key(name), name_key(own)) >= OWN_NAME_SIMILARITY:
            return True
        if words and len(words & content_words(own)) > len(words) / 2:
            return True
    return False


def content_words(name: str) -> set[str]:
    """A name's main words, folded and in the singular."""
    words = (w.removesuffix("s") if len(w) > 3 else w for w in name_key(name).split())
    return {w for w in words if w not in FUNCTION_WORDS}


def names_of_something_else(hits: list[Hit], document: ExtractedDocument, lexicon: Lexicon) -> set[Hit]:
    """The hits that name another body or scheme: an acronym the document defines for another name (all its hits
    of that entity), a name that starts a longer name defined by its own acronym (that hit)."""
    entities = lexicon.by_id()
    texts = {page.number: page.text for page in document.pages}
    foreign: set[tuple[str, str]] = set()
    inside: set[Hit] = set()
    runs: list[list[str]] | None = None  # read only for a document with an acronym to check
    spelled: dict[str, list[str]] = {}
    for hit in hits:
        text = texts.get(hit.page, "")
        entity = entities.get(hit.entity_id)
        if entity is None:
            continue
        if hit.method in ACRONYM_METHODS:
            name = defining_name(text, hit)
            if name and not own_name(entity, name) and not named_before(hits, hit, text):
                foreign.add((hit.matched, hit.entity_id))
            else:
                letters = letters_of(hit.matched)
                if letters not in spelled:
                    if runs is None:
                        runs = [words for page in document.pages for words in capitalised_names(page.text)]
                    spelled[letters] = names_spelled(letters, runs)
                if spelled_for_another(spelled[letters], entity):
                    foreign.add((hit.matched, hit.entity_id))
            continue
        if starts_longer_name(hit, text, entity) or spells_acronym_before(hit, text, entity):
            inside.add(hit)
    return {h for h in hits if (h.matched, h.entity_id) in foreign and h.method in ACRONYM_METHODS} | inside


def capitalised_names(text: str) -> list[list[str]]:
    """The words of each run of capitalised words in a text, small words between them kept (« Maisons des
    Associations », « Maison de Santé Pluriprofessionnelle »)."""
    return [NAME_WORD.findall(run.group(0)) for run in CAPITALISED_RUN.finditer(text)]


def names_spelled(letters: str, runs: list[list[str]]) -> list[str]:
    """The runs of capitalised words, whole, that name a body by a head word (« Maisons des Associations »,
    « Direction des Affaires Culturelles ») and whose initials are an acronym's letters (three or more). Whole runs
    with a head word, so that « le Conseil d'Administration de la Fondation Abbé Pierre » spells no « CAF » and
    « Avenue Robert Schuman » or « Maire d'Agen » no ARS or MDA."""
    if len(letters) < 3:
        return []
    heads = body_heads()
    return [
        " ".join(words)
        for words in runs
        if len(words) <= MAX_NAME_WORDS
        and words[0].removesuffix("s") in heads
        and not mixed_with_acronym(words)
        and spells(letters, words)
    ]


def mixed_with_acronym(words: list[str]) -> bool:
    """Whether a run in ordinary case holds an acronym (« Missions de l'ADIE », « Musée des ATP »): a name built on
    another body's, not one an acronym spells."""
    return not all(w.isupper() for w in words) and any(len(w) > 1 and w.isupper() for w in words)


@lru_cache(maxsize=1)
def body_heads() -> frozenset[str]:
    """The head words a body's name begins with (« Maison », « Direction », « Comité »), as the data gives them."""
    words = candidate_words()
    return frozenset((*words.heads, *words.public_heads))


def spelled_for_another(spelled: list[str], entity: Entity) -> bool:
    """Whether the document writes, in capitalised words, a name an acronym spells that is not the entity's (« les
    Maisons des Associations … la MDA de Tourcoing »: not the Maison des adolescents), and none that is."""
    return bool(spelled) and not any(own_name(entity, name) for name in spelled)


def defining_name(text: str, hit: Hit) -> str | None:
    """The name an acronym hit is defined for where it is written: spelled in brackets right after it (« des CHU
    (centre d'hébergement d'urgence) »), the acronym in brackets after it (« … (CTG) », « … (loi ASV) ») or as the
    name a party is designated by (« Collectivité de Corse …, désignée ci-après par « la CdC » »)."""
    letters = letters_of(hit.matched)
    before = text[: hit.start]
    spelled = SPELLED_AFTER.match(text, hit.end)
    if spelled and spells(letters, NAME_WORD.findall(spelled.group(1))):
        return spelled.group(1)
    if bracketed(text, hit.start, hit.end) or (
        WORD_BRACKET.search(before[-40:]) and text[hit.end :].lstrip().startswith(")")
    ):
        return name_spelled_before(text, text.rfind("(", 0, hit.start), letters)
    designation = DESIGNATED.search(before[-60:])
    if designation is None:
        return None
    window = before[max(0, hit.start - DESIGNATION_REACH) : hit.start - len(designation.group(0))]
    return name_spelled_within(PARTY_END.split(window)[-1], letters)


def name_spelled_within(text: str, letters: str) -> str | None:
    """The first run of words of `text`, from a capitalised one, whose initials are `letters`."""
    words = NAME_WORD.findall(text)
    for first, word in enumerate(words):
        if not word[0].isupper():
            continue
        for size in range(len(letters), min(len(words) - first, MAX_NAME_WORDS) + 1):
            if spells(letters, words[first : first + size]):
                return " ".join(words[first : first + size])
    return None


ACRONYM_BEFORE = re.compile(r"\b([A-Z]{2,8})\s*$")  # « loi HPST » before its bracket


def spells_acronym_before(hit: Hit, text: str, entity: Entity) -> bool:
    """Whether a name hit is one word of the bracket that spells out the acronym before it, another name than the
    entity's: « la loi HPST (Hôpital, Patients, Santé, Territoires) » names a law, not the hospital (« MJD (maison
    de justice et du droit) » is the entity)."""
    opening = text.rfind("(", max(0, hit.start - 160), hit.start)
    if opening < 0:
        return False
    acronym = ACRONYM_BEFORE.search(text, max(0, opening - 12), opening)
    bracket = SPELLED_BRACKET.match(text, opening)
    if acronym is None or bracket is None or bracket.end() < hit.end:
        return False
    words = bracket.group(1)
    return spells(letters_of(acronym.group(1)), NAME_WORD.findall(words)) and not own_name(entity, words)


def starts_longer_name(hit: Hit, text: str, entity: Entity) -> bool:
    """Whether a name hit starts a longer name the text defines by an acronym that spells it whole, the words added
    all common ones: « plan départemental d'insertion par l'activité économique (PDIAE) » (« … du Mirail (CEM) »
    is a named instance of the entity)."""
    bracket = DEFINED_AFTER.match(text, hit.end)
    if bracket is None or bracket.group(1) in entity.acronyms:
        return False
    opening = text.rfind("(", 0, bracket.start(1))
    added = NAME_WORD.findall(text[hit.end : opening])
    return (
        any(word.lower() not in FUNCTION_WORDS for word in added)
        and not any(word[0].isupper() for word in added)
        and name_spelled_from(text, hit.start, opening, letters_of(bracket.group(1)))
    )


def named_before(hits: list[Hit], acronym: Hit, text: str) -> bool:
    """Whether a hit of the acronym's own entity ends just before its bracket (« convention territoriale globale
    (CTG) »)."""
    opening = text.rfind("(", 0, acronym.start)
    return any(
        h.page == acronym.page
        and h.entity_id == acronym.entity_id
        and h.method not in ACRONYM_METHODS
        and leads_to(text, h.end, opening)
        for h in hits
    )


def hits_as_defined(hits: list[Hit], document: ExtractedDocument, lexicon: Lexicon) -> list[Hit]:
    """The hits with every acronym the document defines read as the entity it defines (one hit per place), without
    the hits the document shows to name something else."""
    other = names_of_something_else(hits, document, lexicon)
    if other:
        hits = [h for h in hits if h not in other]
    defined = defined_acronyms(hits, document, lexicon)
    if not defined:
        return hits
    return hits_reread(
        hits, lambda hit: defined.get(hit.matched, hit.entity_id) if hit.method in ACRONYM_METHODS else hit.entity_id
    )
