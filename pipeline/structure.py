"""Structure stage: where the signature pages are, and which theme each part of the contract is about.

Rule-based first pass: signature pages are recognised by their formulas ("Fait à … le …", "Pour l'État",
"Les signataires", blocks of "Pour la/le …"); a page's theme comes from its headings and keywords.
"""

from __future__ import annotations

import re
from collections import Counter

from pipeline.lexicon import Lexicon
from pipeline.match import fold_text
from pipeline.types import ExtractedDocument, Page, Structure

STRUCTURE_VERSION = "structure-1"
SIGNATURE_HEADING = re.compile(r"^\s*(les\s+)?(partenaires\s+)?signataires\b", re.IGNORECASE | re.MULTILINE)
SIGNED_AT = re.compile(r"\bfait\s+(à|a)\s+[\w' -]+,?\s+le\b", re.IGNORECASE)
FOR_BLOCK = re.compile(r"^\s*(pour\s+(l'|le\s|la\s|les\s|le\b)|le\s+préfet|la\s+préfète)", re.IGNORECASE | re.MULTILINE)
MIN_FOR_BLOCKS = 3
HEADING_MAX_CHARS = 90
HEADING_WEIGHT = 4


def is_signature_page(page: Page) -> bool:
    """A page reads as a signature page: formulas plus several "Pour …" blocks, or a signatories heading."""
    text = page.text
    blocks = len(FOR_BLOCK.findall(text))
    has_heading = bool(SIGNATURE_HEADING.search(text))
    has_signed_at = bool(SIGNED_AT.search(text))
    if blocks >= MIN_FOR_BLOCKS and (has_heading or has_signed_at):
        return True
    return blocks >= MIN_FOR_BLOCKS * 2 or (has_heading and has_signed_at and blocks >= 1)


def theme_patterns(lexicon: Lexicon) -> dict[str, re.Pattern[str]]:
    """One folded, word-bounded alternation per theme, from the theme keywords of the lexicon."""
    patterns = {}
    for theme in lexicon.themes:
        keywords = sorted({fold_text(keyword) for keyword in theme.keywords if keyword}, key=len, reverse=True)
        if keywords:
            patterns[theme.theme_id] = re.compile(r"\b(?:" + "|".join(map(re.escape, keywords)) + r")\b")
    return patterns


def text_to_theme_counts(folded: str, patterns: dict[str, re.Pattern[str]]) -> Counter[str]:
    """How many keywords of each theme occur in a folded text."""
    return Counter({theme: len(pattern.findall(folded)) for theme, pattern in patterns.items()})


def page_to_theme(page: Page, patterns: dict[str, re.Pattern[str]]) -> str:
    """The dominant theme of a page: keyword counts, heading lines weighted more."""
    counts: Counter[str] = Counter()
    for line in page.text.splitlines():
        folded = fold_text(line)
        weight = HEADING_WEIGHT if 0 < len(line.strip()) <= HEADING_MAX_CHARS and not line.rstrip().endswith(".") else 1
        for theme, count in text_to_theme_counts(folded, patterns).items():
            counts[theme] += weight * count
    if not counts or counts.most_common(1)[0][1] == 0:
        return ""
    return counts.most_common(1)[0][0]


def analyse_structure(document: ExtractedDocument, lexicon: Lexicon) -> Structure:
    """Signature pages and page themes of one contract."""
    patterns = theme_patterns(lexicon)
    signature_pages = frozenset(page.number for page in document.pages if is_signature_page(page))
    page_themes = {page.number: page_to_theme(page, patterns) for page in document.pages}
    return Structure(signature_pages=signature_pages, page_themes=page_themes)
