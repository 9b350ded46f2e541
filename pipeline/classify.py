"""Classify stage: give every hit its sense, role, theme and stable id, turning hits into detections.

First, rule-based pass: a partner named on a signature page is `signataire` unless the line says
otherwise ("non signataire"); named elsewhere it is `mentionne`; a dispositif is an `articulation`.
An ambiguous acronym takes the sense whose themes its context speaks of.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict

from pipeline.lexicon import Lexicon
from pipeline.match import fold_text
from pipeline.structure import text_to_theme_counts, theme_patterns
from pipeline.types import Detection, Entity, ExtractedDocument, Hit, Role, Structure

CLASSIFIER_VERSION = "rules-1"
CONTEXT_RADIUS = 400
ID_CONTEXT_RADIUS = 40
CONTRASTIVE = re.compile(
    r"non[- ]signataire|n'(a|ont) pas (souhaité |encore )?sign|ne (sera|seront|sont) pas signataire|sera associée"
    r"|seront associés|sans être signataire",
    re.IGNORECASE,
)


def line_around(text: str, start: int, end: int) -> str:
    """The line of text holding a span."""
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", end)
    return text[left : right if right >= 0 else len(text)]


def hit_to_role(entity: Entity, hit: Hit, page_text: str, structure: Structure) -> Role:
    """Signataire on a signature page (unless the line contradicts it), mentionne elsewhere."""
    if entity.kind == "dispositif":
        return "articulation"
    if hit.page in structure.signature_pages and not CONTRASTIVE.search(line_around(page_text, hit.start, hit.end)):
        return "signataire"
    return "mentionne"


def detection_id_for(contract_id: str, entity_id: str, context: str, occurrence: int) -> str:
    """An id stable for the same text of the same contract: hash of entity, folded context, occurrence."""
    key = f"{contract_id}\x1f{entity_id}\x1f{' '.join(context.split())}\x1f{occurrence}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def choose_sense(candidates: list[Hit], themes: Counter[str], sense_themes: dict[str, tuple[str, ...]]) -> Hit:
    """For an ambiguous acronym, the sense whose themes the context mentions most."""

    def affinity(hit: Hit) -> int:
        return sum(themes[theme] for theme in sense_themes.get(hit.entity_id, ()))

    return max(candidates, key=lambda hit: (affinity(hit), -candidates.index(hit)))


def classify_document(
    document: ExtractedDocument, hits: list[Hit], structure: Structure, lexicon: Lexicon
) -> list[Detection]:
    """Detections for one contract: sense chosen, role and theme set, ids stable across runs."""
    by_id = lexicon.by_id()
    sense_themes = {entity.entity_id: entity.themes for entity in lexicon.entities}
    sense_themes |= {term.term_id: term.themes for term in lexicon.glossary}
    patterns = theme_patterns(lexicon)
    pages = {page.number: page for page in document.pages}
    spans: dict[tuple[int, int, int], list[Hit]] = defaultdict(list)
    for hit in hits:
        if hit.entity_id in sense_themes:
            spans[(hit.page, hit.start, hit.end)].append(hit)
    detections: list[Detection] = []
    occurrences: Counter[tuple[str, str]] = Counter()
    for (page_number, start, end), candidates in sorted(spans.items()):
        text = pages[page_number].text
        context = fold_text(text[max(0, start - CONTEXT_RADIUS) : end + CONTEXT_RADIUS])
        theme_counts = text_to_theme_counts(context, patterns)
        hit = candidates[0] if len(candidates) == 1 else choose_sense(candidates, theme_counts, sense_themes)
        if hit.entity_id not in by_id:
            continue  # the context chose a glossary sense: not an organisation nor a scheme
        entity = by_id[hit.entity_id]
        best_theme, best_count = theme_counts.most_common(1)[0] if theme_counts else ("", 0)
        theme = best_theme if best_count > 0 else structure.page_themes.get(page_number, "")
        id_context = fold_text(text[max(0, start - ID_CONTEXT_RADIUS) : end + ID_CONTEXT_RADIUS])
        occurrences[(entity.entity_id, id_context)] += 1
        detections.append(
            Detection(
                detection_id=detection_id_for(
                    document.contract_id,
                    entity.entity_id,
                    id_context,
                    occurrences[(entity.entity_id, id_context)],
                ),
                contract_id=document.contract_id,
                entity_id=entity.entity_id,
                entity_name=entity.name,
                entity_acronym=entity.acronym,
                kind=entity.kind,
                role=hit_to_role(entity, hit, text, structure),
                theme=theme,
                page=page_number,
                start=start,
                end=end,
                snippet=hit.snippet,
                score=round(hit.score, 3),
                method=hit.method,
            )
        )
    return detections
