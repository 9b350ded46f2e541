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


@lru_cache(maxsize=4)
def names_to_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for the printed forms, longest first, spaces matching any run of blanks (a wrapped line)."""
    if not names:
        return None
    forms = sorted(set(names), key=lambda name: (-len(name), name))
    alternatives = "|".join(r"\s+".join(re.escape(word) for word in name.split()) for name in forms)
    return re.compile(rf"(?<![\w'’-])(?:{alternatives})(?![\w'’-])")


def known_name_candidates(document: ExtractedDocument, names: tuple[str, ...]) -> list[Candidate]:
    """A proposal (source `connu`) for every printed occurrence of a known name in the document."""
    pattern = names_to_pattern(names)
    if pattern is None:
        return []
    found = []
    for page in document.pages:
        for match in pattern.finditer(page.text):
            name = " ".join(match.group(0).split())
            snippet = text_to_snippet(page.text, match.start(), match.end())
            found.append(
                Candidate(document.contract_id, page.number, match.start(), match.end(), name, KNOWN_SOURCE, snippet)
            )
    return found
