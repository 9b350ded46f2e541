"""Organisations outside the lexicons whose name says which lexicon group they belong to ("Nantes Habitat",
"Habitat 44", "Notre Logis": social landlords). Each becomes a mention of the group, classified like any lexicon
hit (sense, role, theme), so that the group is counted where the regional report counts it: a contract signed by
seven landlords the lexicons do not list is signed by `bailleurs_sociaux`, with the landlord's own name as the
evidence. The name also stays in `candidates.csv`, for analysts to add to the lexicons. The words and their
group are data (`candidate_words.csv`, kind `membre`)."""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

from pipeline.candidate_words import candidate_words
from pipeline.candidates import Candidate
from pipeline.lexicon import Lexicon
from pipeline.match import MEMBER_METHOD, text_to_hit
from pipeline.types import ExtractedDocument, Hit

BEFORE = r"(?<!\w)(?<![lL]['’])(?<!\b(?:et|ET) )"  # not « l'Habitat », not « Observatoires et Habitat »
AFTER = r"(?![\w-])(?! (?:et|ET|&) )"  # not « Habitat et Développement »: one word of a compound name


@lru_cache(maxsize=1)
def member_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """(the member word as a whole word, as written in the data or in capitals, its group id), e.g. "Habitat" ->
    social landlords; not after "l'", where the word is a common noun ("Lutte contre l'Habitat Indigne"), nor
    beside « et », one word of a compound name (« Habitat et Développement », « contrat Habitat et Vie sociale »)."""
    return tuple(
        (
            re.compile(rf"{BEFORE}(?:{re.escape(word)}|{re.escape(word.upper())}){AFTER}"),
            group,
        )
        for word, group in candidate_words().members
    )


def member_group(name: str, lexicon: Lexicon) -> str | None:
    """The lexicon group a name outside the lexicons belongs to by one of its words, or None."""
    return group_in(name, lexicon.by_id().keys())


def group_in(name: str, known: Collection[str]) -> str | None:
    """`member_group` among the entity ids `known`."""
    return next((group for pattern, group in member_patterns() if group in known and pattern.search(name)), None)


def member_hits(
    document: ExtractedDocument, candidates: list[Candidate], hits: list[Hit], lexicon: Lexicon
) -> list[Hit]:
    """A mention of its group for each place a candidate whose name says its group is written, unless a hit of
    that group already overlaps the place."""
    texts = {page.number: page.text for page in document.pages}
    known = lexicon.by_id().keys()
    found: list[Hit] = []
    for candidate in candidates:
        group = group_in(candidate.name, known)
        text = texts.get(candidate.page, "")
        if group is None or not text[candidate.start : candidate.end].strip():
            continue
        if any(
            h.page == candidate.page and h.entity_id == group and h.start < candidate.end and candidate.start < h.end
            for h in (*hits, *found)
        ):
            continue
        span = (candidate.start, candidate.end)
        found.append(text_to_hit(document.contract_id, group, candidate.page, text, span, MEMBER_METHOD))
    return found
