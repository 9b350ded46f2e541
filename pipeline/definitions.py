"""Acronyms a text defines: « des projets de rénovation urbaine spécifiquement identifiés comme tels (PRU) ».

The lexicon gives each acronym its usual entity (« PRU » is the NPNRU's, « CLS » is either contrat local); a text
that writes an acronym in brackets right after the name of another entity whose initials it spells defines it for
itself. Every hit of that acronym in the document is then read as the defined entity.
"""

from __future__ import annotations

import re
from collections import defaultdict

from pipeline.candidates import acronym_fits
from pipeline.lexicon import Lexicon
from pipeline.match import ACRONYM_METHODS, hits_reread
from pipeline.types import ExtractedDocument, Hit

MAX_GAP = 60  # characters between the defining name and the bracket (« … spécifiquement identifiés comme tels »)
GAP = re.compile(r"[^.;:!?()\n]*")  # the gap stays in the sentence and holds no other bracket


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
                and GAP.fullmatch(text, name.end, opening) is not None
                and acronym_fits(name.matched, hit.matched)
            ):
                defined[hit.matched] = name.entity_id
    return defined


def bracketed(text: str, start: int, end: int) -> bool:
    """Whether a span is written alone in brackets: « (PRU) »."""
    return text[:start].rstrip().endswith("(") and text[end:].lstrip().startswith(")")


def hits_as_defined(hits: list[Hit], document: ExtractedDocument, lexicon: Lexicon) -> list[Hit]:
    """The hits with every acronym the document defines read as the entity it defines (one hit per place)."""
    defined = defined_acronyms(hits, document, lexicon)
    if not defined:
        return hits
    return hits_reread(
        hits, lambda hit: defined.get(hit.matched, hit.entity_id) if hit.method in ACRONYM_METHODS else hit.entity_id
    )
