"""Organisations outside the lexicons whose name says which lexicon group they belong to ("Nantes Habitat",
"Habitat 44", "Notre Logis": social landlords). Each becomes a mention of the group, classified like any lexicon
hit (sense, role, theme), so that the group is counted where the regional report counts it: a contract signed by
seven landlords the lexicons do not list is signed by `bailleurs_sociaux`, with the landlord's own name as the
evidence. The name also stays in `candidates.csv`, for analysts to add to the lexicons. The words and their
group are data (`candidate_words.csv`, kind `membre`)."""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.candidate_words import candidate_words
from pipeline.candidates import Candidate
from pipeline.lexicon import Lexicon
from pipeline.match import text_to_hit
from pipeline.types import ExtractedDocument, Hit

MEMBER_METHOD = "membre"


@lru_cache(maxsize=1)
def member_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """(the member word as a whole word, as written in the data or in capitals, its group id), e.g. "Habitat" ->
    social landlords;
    not after "l'", where the word is a common noun ("Lutte contre l'Habitat Indigne", "Maison de l'Habitat")."""
    return tuple(
        (re.compile(rf"(?<!\w)(?<![lL]['’])(?:{re.escape(word)}|{re.escape(word.upper())})(?![\w-])"), group)
        for word, group in candidate_words().members
    )


def member_group(name: str, lexicon: Lexicon) -> str | None:
    """The lexicon group a name outside the lexicons belongs to by one of its words, or None."""
    by_id = lexicon.by_id()
    return next((group for pattern, group in member_patterns() if group in by_id and pattern.search(name)), None)


def member_hits(
    document: ExtractedDocument, candidates: list[Candidate], hits: list[Hit], lexicon: Lexicon
) -> list[Hit]:
    """A mention of its group for each place a candidate whose name says its group is written, unless a lexicon
    hit of that group already covers the place."""
    texts = {page.number: page.text for page in document.pages}
    found: list[Hit] = []
    taken = {(hit.page, hit.entity_id, position) for hit in hits for position in range(hit.start, hit.end)}
    for candidate in candidates:
        group = member_group(candidate.name, lexicon)
        text = texts.get(candidate.page, "")
        if group is None or not text[candidate.start : candidate.end].strip():
            continue
        if any((candidate.page, group, position) in taken for position in range(candidate.start, candidate.end)):
            continue
        taken |= {(candidate.page, group, position) for position in range(candidate.start, candidate.end)}
        span = (candidate.start, candidate.end)
        found.append(text_to_hit(document.contract_id, group, candidate.page, text, span, MEMBER_METHOD))
    return found
