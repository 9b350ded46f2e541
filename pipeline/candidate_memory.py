"""Organisations outside the lexicons that the labelled contracts name again and again (« France urbaine », « Villes
de France »): the candidate model remembers how they are printed (`known_names_`, learned by
`pipeline.candidate_training.KnownNames`) and `cdv run` proposes every printed occurrence of them, for the model to
score like any other proposal. Such names are often written so that no pattern sees a name in them (a capital and
one word in lower case: « l'AdCF et France urbaine ont … »).
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.candidates import Candidate
from pipeline.match import text_to_snippet
from pipeline.types import ExtractedDocument

KNOWN_SOURCE = "connu"


WORD = re.compile(r"\w+")


@lru_cache(maxsize=4)
def names_by_first_word(names: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The printed forms by the first run of word characters they start with ("" for a form that starts with
    another character): a page can only hold the forms whose first run is one of its words."""
    groups: dict[str, set[str]] = {}
    for name in names:
        first = WORD.match(name)
        groups.setdefault(first.group(0) if first else "", set()).add(name)
    return {word: tuple(sorted(forms)) for word, forms in groups.items()}


@lru_cache(maxsize=256)
def names_to_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for the printed forms, longest first, spaces matching any run of blanks (a wrapped line)."""
    if not names:
        return None
    forms = sorted(set(names), key=lambda name: (-len(name), name))
    alternatives = "|".join(r"\s+".join(re.escape(word) for word in name.split()) for name in forms)
    return re.compile(rf"(?<![\w'’-])(?:{alternatives})(?![\w'’-])")


def page_names(text: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """The forms a page may hold: those whose first run of word characters is a word of the page (an occurrence
    starts a word: nothing of a word is printed just before it), so that the pattern tries a few forms, not all."""
    by_word = names_by_first_word(names)
    words = set(WORD.findall(text)) | {""}
    return tuple(form for word in sorted(words & by_word.keys()) for form in by_word[word])


def known_name_candidates(document: ExtractedDocument, names: tuple[str, ...]) -> list[Candidate]:
    """A proposal (source `connu`) for every printed occurrence of a known name in the document."""
    if not names:
        return []
    found = []
    for page in document.pages:
        pattern = names_to_pattern(page_names(page.text, names))
        if pattern is None:
            continue
        for match in pattern.finditer(page.text):
            name = " ".join(match.group(0).split())
            snippet = text_to_snippet(page.text, match.start(), match.end())
            found.append(
                Candidate(document.contract_id, page.number, match.start(), match.end(), name, KNOWN_SOURCE, snippet)
            )
    return found
