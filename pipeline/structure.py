"""Structure stage: where the signature sections are, and which theme each part of the contract is about.

- Signature sections: pages with signature formulas ("Les signataires", "Fait à … le …", blocks "Pour …",
  person titles "Le Directeur territorial de …", "Signature :"), including continuation pages, OCRed scans
  (several blocks side by side on one line) and annexed signature pages; only the part of a page from the
  first formula on counts.
- Sections: heading lines (numbered, "Axe 2 –", short stand-alone lines outside tables) open a section
  whose theme holds until the next heading, across pages. A section's theme comes from its heading's
  theme keywords, an explicit "Thématique : …" line, or the paragraph theme classifier (`models`).
- Table rows: a short cell naming a theme ("Santé", "Cadre de vie et habitat") sets the theme of its row.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from pipeline.lexicon import Lexicon
from pipeline.match import fold_text
from pipeline.parties import find_party_spans
from pipeline.types import ExtractedDocument, Page, Structure

if TYPE_CHECKING:
    from pipeline.models import Models

SIGNATURE_HEADING = re.compile(
    r"^\s*(?:\d+[.)]?\s*)?(?:les\s+)?(?:partenaires\s+)?(?:signataires|signatures)\b", re.IGNORECASE | re.MULTILINE
)
SIGNED_AT = re.compile(r"\bfait\s+(?:à|a)\s+[^\n]{2,160}?,?\s+le\s+\d", re.IGNORECASE)
FOR_BLOCK = re.compile(
    r"(?:^[ \t]*(?:[Pp]our|POUR)|[ \t]{2,}(?:Pour|POUR)|(?<=[a-zà-ÿA-ZÀ-Ý)]) (?:Pour|POUR))"
    r"\s+(?:l['’]|le\s|la\s|les\s|[A-ZÀ-Ý])",
    re.MULTILINE,
)
FOR_LINE = re.compile(r"^[ \t]*(?:[Pp]our|POUR)\s+(?:l['’]|le\s|la\s|les\s|[A-ZÀ-Ý])", re.MULTILINE)
TITLES = (
    r"pr[ée]fet|pr[ée]f[èe]te|sous-pr[ée]f[èe]te?|pr[ée]sidente?|directeur|directrice|d[ée]l[ée]gu[ée]e?|maire"
    r"|recteur|rectrice|procureur|procureure|g[ée]rante?|secr[ée]taire g[ée]n[ée]ral[e]?|vice-pr[ée]sidente?"
)
PERSON_TITLE = re.compile(rf"^\s*(?:le|la|l['’])\s+(?:{TITLES})\b[^\n]{{0,80}}?\s(?:de|du|des|d['’])\s", re.I | re.M)
PERSON_LINE = re.compile(rf"^\s*(?:M\.|Mme|Monsieur|Madame)\s+[^\n]{{2,60}}?,\s*(?:{TITLES})", re.I | re.M)
SIGNATURE_FIELD = re.compile(r"^\s*signature\s*:?\s*$", re.IGNORECASE | re.MULTILINE)
HEADING_LINE = re.compile(  # a short line of its own naming the signers: "Les parties qui s'engagent"
    r"^[ \t]*(?:\d+[.)]?[ \t]*)?(?=[^\n]{3,70}$)[^\n.\d]*\b(?:signataires|signatures|parties|soussign[ée]e?s|membres)\b"
    r"[^\n.\d]*$",
    re.IGNORECASE | re.MULTILINE,
)
CONTENTS_LINE = re.compile(r"(?:\.{3,}|…|\s)[ \t]*\d{1,3}[ \t]*$")  # "Les signataires ........ 54", "A/ ETAT 8"
NUMBERED_LINE = re.compile(r"^[ \t]*(?:[IVX]{1,5}|\d{1,2}(?:\.\d{1,2})*|[A-H])[ \t]*[./)°–-]")  # "II.1", "3 -", "A/"
CONTENTS_WORDS = re.compile(r"\b(?:sommaire|table des mati[eè]res|ordre du jour)\b", re.IGNORECASE)
MIN_FOR_BLOCKS = 3
HEADING_MAX_CHARS = 110
HEADING_MAX_WORDS = 16
STRONG_HEADING = re.compile(
    r"^\s*(?:\d{1,2}(?:\.\d{1,2}){0,3}[.)]?\s+[A-ZÀ-Ý]|(?:axe|orientation|pilier|partie|chapitre|titre|annexe|"
    r"fiche(?:\s+action)?|volet|objectif strat[ée]gique|contribution|engagements?)\b)",
    re.IGNORECASE,
)
NOT_HEADING = re.compile(
    r"^\s*(?:[•·\-–—*]|\(|M\.|Mme\b|Monsieur|Madame|pour\b|fait\s+[àa]|signature|sources?\b|tableau|figure|"
    r"graphique|note\b|page\s+\d|\d+\s*$)",
    re.IGNORECASE,
)
EXPLICIT_THEME = re.compile(
    r"^\s*(?:th[ée]matiques?|th[èe]mes?|volet|champ)(?:\s+principale?s?)?\s*:\s*(?P<label>[^\n]{3,90})$",
    re.IGNORECASE | re.MULTILINE,
)
LABEL_MAX_WORDS = 10
SECTION_MIN_PROBABILITY = 0.55
SECTION_BODY_CHARS = 1500


@dataclass(frozen=True)
class Section:
    """A part of the contract opened by a heading: where it starts, its heading, its theme and why."""

    page: int
    start: int
    heading: str
    theme: str
    source: str  # titre, explicite, classifieur, aucun, signature
    probability: float = 1.0


@dataclass(frozen=True)
class DocumentStructure(Structure):
    """The structure with sections, signature spans per page and theme-labelled table rows."""

    sections: tuple[Section, ...] = ()
    signature_spans: dict[int, tuple[int, int]] = field(default_factory=dict)
    party_spans: dict[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    row_themes: dict[int, tuple[tuple[int, int, str], ...]] = field(default_factory=dict)

    def section_at(self, page: int, offset: int) -> Section | None:
        """The section holding a position (the last one opened before it), if any."""
        keys = [(s.page, s.start) for s in self.sections]
        index = bisect_right(keys, (page, offset)) - 1
        return self.sections[index] if index >= 0 else None

    def row_theme_at(self, page: int, start: int) -> str:
        """The theme given by the table row holding a position, or an empty string."""
        for left, right, theme in self.row_themes.get(page, ()):
            if left <= start < right:
                return theme
        return ""

    def in_signature(self, page: int, offset: int) -> bool:
        """Whether a position lies in a signature section or in a party clause of a party list."""
        span = self.signature_spans.get(page)
        if span is not None and span[0] <= offset < span[1]:
            return True
        return self.in_party_clause(page, offset)

    def in_party_clause(self, page: int, offset: int) -> bool:
        """Whether a position lies in a clause of a party list ("Entre : …, représentée par …")."""
        return any(left <= offset < right for left, right in self.party_spans.get(page, ()))


# --- theme keywords ------------------------------------------------------------------------------------


def theme_patterns(lexicon: Lexicon) -> dict[str, re.Pattern[str]]:
    """One folded, word-bounded alternation per theme, from the theme keywords of the lexicon."""
    patterns = {}
    for theme in lexicon.themes:
        keywords = sorted({fold_text(k) for k in (*theme.keywords, theme.name) if k}, key=len, reverse=True)
        if keywords:
            patterns[theme.theme_id] = re.compile(r"\b(?:" + "|".join(map(re.escape, keywords)) + r")\b")
    return patterns


def text_to_theme_counts(folded: str, patterns: dict[str, re.Pattern[str]]) -> Counter[str]:
    """How many keywords of each theme occur in a folded text."""
    return Counter({theme: len(pattern.findall(folded)) for theme, pattern in patterns.items()})


def label_to_theme(text: str, patterns: dict[str, re.Pattern[str]]) -> str:
    """The theme a short label names ("Santé", "Cadre de vie et habitat"): a unique keyword winner."""
    if not text.strip() or len(text.split()) > LABEL_MAX_WORDS:
        return ""
    counts = +text_to_theme_counts(fold_text(text), patterns)
    ranked = counts.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return ""
    return ranked[0][0]


# --- tables of contents and agendas ---------------------------------------------------------------------


def is_contents_line(line: str) -> bool:
    """A line that ends on a page or item number, as in a table of contents or an agenda."""
    return bool(CONTENTS_LINE.search(line))


def is_numbered_line(line: str) -> bool:
    """A line that starts with a section or item number ("II.1", "3 -", "A/")."""
    return bool(NUMBERED_LINE.match(line))


@lru_cache(maxsize=32)
def contents_page(text: str) -> float:
    """How much a page reads as a table of contents or an agenda: its share of lines ending on a page or item
    number, raised to 1 when it says « sommaire », « table des matières » or « ordre du jour »."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return 0.0
    share = sum(1 for line in lines if is_contents_line(line)) / len(lines)
    return 1.0 if CONTENTS_WORDS.search(text) else round(share, 2)


# --- signature sections --------------------------------------------------------------------------------


def signature_cues(text: str) -> dict[str, int]:
    """Counts of the signature formulas on a page."""
    return {
        "heading": len(SIGNATURE_HEADING.findall(text)),
        "signed_at": len(SIGNED_AT.findall(text)),
        "for_blocks": len(FOR_BLOCK.findall(text)),
        "for_lines": len(FOR_LINE.findall(text)),
        "titles": len(PERSON_TITLE.findall(text)) + len(PERSON_LINE.findall(text)),
        "fields": len(SIGNATURE_FIELD.findall(text)),
        "heading_lines": len(HEADING_LINE.findall(text)),
    }


def is_signature_page(page: Page) -> bool:
    """A page reads as a signature page: formulas plus several "Pour …" blocks or person titles."""
    cues = signature_cues(page.text)
    blocks = max(cues["for_lines"], cues["for_blocks"]) + cues["fields"] // 2
    formulas = cues["heading"] + cues["signed_at"]
    if blocks >= MIN_FOR_BLOCKS and formulas:
        return True
    if cues["titles"] >= MIN_FOR_BLOCKS and formulas and blocks >= 1:
        return True
    if cues["heading_lines"] and blocks >= 2:
        return True  # "Les parties" / "Les signataires" on a line of its own over two "Pour …" blocks
    return cues["for_lines"] >= MIN_FOR_BLOCKS * 2 or bool(cues["heading"] and cues["signed_at"] and blocks >= 1)


def prose_lines(text: str) -> int:
    """Lines of running prose (long lines ending a sentence): few on signature pages."""
    return sum(1 for line in text.splitlines() if len(line) > 70 and line.rstrip().endswith("."))


def is_continuation_page(page: Page) -> bool:
    """A page following signature pages that still holds signature blocks and little prose."""
    cues = signature_cues(page.text)
    blocks = cues["for_lines"] + cues["fields"] + cues["titles"]
    return blocks >= 1 and prose_lines(page.text) <= 1 and not re.search(r"^\s*annexes?\b", page.text, re.I | re.M)


def signature_start(text: str) -> int:
    """Where the signature section starts on a page: the first signature formula."""
    regexes = (SIGNATURE_HEADING, HEADING_LINE, SIGNED_AT, FOR_LINE)
    starts = [m.start() for regex in regexes if (m := regex.search(text))]
    return min(starts) if starts else 0


def find_signature_spans(document: ExtractedDocument) -> dict[int, tuple[int, int]]:
    """Signature pages (and their continuation pages) with the span of each page that is signatures."""
    spans: dict[int, tuple[int, int]] = {}
    previous_signed = False
    for page in document.pages:
        if is_signature_page(page):
            spans[page.number] = (signature_start(page.text), len(page.text))
            previous_signed = True
        elif previous_signed and is_continuation_page(page):
            spans[page.number] = (0, len(page.text))
        elif page.text.strip():
            previous_signed = False
    return spans


# --- headings and table rows ---------------------------------------------------------------------------


def table_cells(page: Page) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """Blocks that sit in a table row: (start, end, row-mates' spans) for each block with row-mates."""
    cells = []
    for index, (x0, top, x1, bottom, start, end) in enumerate(page.blocks):
        mates = []
        for other, (ox0, otop, ox1, obottom, ostart, oend) in enumerate(page.blocks):
            if other == index or (ox0 < x1 - 2 and ox1 > x0 + 2):
                continue  # itself, or horizontally overlapping: not in the same row
            overlap = min(bottom, obottom) - max(top, otop)
            if overlap > 0.5 * min(bottom - top, obottom - otop, 12.0) or (overlap > 0 and abs(top - otop) < 4):
                mates.append((ostart, oend))
        if mates:
            cells.append((start, end, mates))
    return cells


def find_row_themes(page: Page, patterns: dict[str, re.Pattern[str]]) -> tuple[tuple[int, int, str], ...]:
    """Spans of table rows whose other cell names a theme: block rows, then tab-separated lines."""
    rows: list[tuple[int, int, str]] = []
    for start, end, mates in table_cells(page):
        themes = {label_to_theme(page.text[a:b], patterns) for a, b in mates} - {""}
        if len(themes) == 1:
            rows.append((start, end, themes.pop()))
    offset = 0
    for line in page.text.splitlines(keepends=True):
        if "\t" in line:
            cells = line.split("\t")
            themes = {label_to_theme(cell, patterns) for cell in cells} - {""}
            if len(themes) == 1:
                rows.append((offset, offset + len(line), themes.pop()))
        offset += len(line)
    return tuple(rows)


def cell_starts(page: Page) -> set[int]:
    """Text offsets covered by table cells (blocks with row-mates): headings are never read there."""
    covered: set[int] = set()
    for start, end, _ in table_cells(page):
        covered.update(range(start, end))
    return covered


def heading_lines(page: Page) -> list[tuple[int, str]]:
    """(offset, text) of the lines of a page that read as headings."""
    covered = cell_starts(page) if page.blocks else set()
    lines: list[tuple[int, str, str]] = []
    offset = 0
    for raw in page.text.splitlines(keepends=True):
        if raw.strip():
            lines.append((offset, raw, raw.strip()))
        offset += len(raw)
    found: list[tuple[int, str]] = []
    for index, (start, raw, line) in enumerate(lines):
        previous = lines[index - 1][2] if index else ""
        following = lines[index + 1][2] if index + 1 < len(lines) else ""
        strong = bool(STRONG_HEADING.match(line))
        candidate = (
            3 <= len(line) <= HEADING_MAX_CHARS
            and len(line.split()) <= HEADING_MAX_WORDS
            and "\t" not in raw
            and not line.endswith((".", ",", ";", ":", "…"))
            and not NOT_HEADING.match(line)
            and not line[0].islower()
            and start not in covered
        )
        isolated = (
            not previous
            or previous.endswith((".", ":", ";", "!", "?", "»"))
            or bool(found and found[-1][0] == lines[index - 1][0])
        )
        continued = bool(following) and following[0].islower()
        if candidate and (strong or (isolated and not continued)):
            found.append((start, line))
    return found


# --- sections ------------------------------------------------------------------------------------------


def section_theme(
    heading: str, body: str, patterns: dict[str, re.Pattern[str]], models: Models | None
) -> tuple[str, str, float]:
    """Theme of a section and its source: heading keywords, an explicit label, or the classifier."""
    theme = label_to_theme(heading, patterns) if not STRONG_HEADING.match(heading) else ""
    if not theme:
        counts = +text_to_theme_counts(fold_text(heading), patterns)
        ranked = counts.most_common(2)
        if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
            theme = ranked[0][0]
    if theme:
        return theme, "titre", 1.0
    explicit = EXPLICIT_THEME.search(body[:SECTION_BODY_CHARS])
    if explicit and (theme := label_to_theme(explicit.group("label"), patterns)):
        return theme, "explicite", 1.0
    if models is not None and models.theme is not None and body.strip():
        predicted, probability = models.predict_themes([heading + "\n" + body[:SECTION_BODY_CHARS]])[0]
        if probability >= SECTION_MIN_PROBABILITY:
            return predicted, "classifieur", probability
    return "", "aucun", 1.0


def find_sections(
    document: ExtractedDocument,
    signature_spans: dict[int, tuple[int, int]],
    patterns: dict[str, re.Pattern[str]],
    models: Models | None,
) -> tuple[Section, ...]:
    """Headings in reading order with the theme of the text they open (until the next heading)."""
    opened: list[tuple[int, int, str]] = []
    for page in document.pages:
        sig = signature_spans.get(page.number)
        for start, line in heading_lines(page):
            if sig is None or start < sig[0]:
                opened.append((page.number, start, line))
        if sig is not None:
            opened.append((page.number, sig[0], "Signataires"))
    texts = {page.number: page.text for page in document.pages}
    sections = []
    for index, (page_number, start, heading) in enumerate(opened):
        if signature_spans.get(page_number, (-1, 0))[0] == start and heading == "Signataires":
            sections.append(Section(page_number, start, heading, "", "signature"))
            continue
        end_page, end_start = opened[index + 1][:2] if index + 1 < len(opened) else (10**9, 0)
        body_parts = []
        for number in range(page_number, min(end_page, page_number + 3) + 1):
            text = texts.get(number, "")
            left = start + len(heading) if number == page_number else 0
            right = end_start if number == end_page else len(text)
            body_parts.append(text[left:right])
            if sum(map(len, body_parts)) > SECTION_BODY_CHARS:
                break
        theme, source, probability = section_theme(heading, "\n".join(body_parts).strip(), patterns, models)
        sections.append(Section(page_number, start, heading, theme, source, round(probability, 3)))
    return tuple(sections)


def page_to_theme(page: Page, sections: tuple[Section, ...], inherited: str) -> str:
    """A page's theme for `Structure.page_themes`: the theme of the section covering most of its text."""
    weights: Counter[str] = Counter()
    current, position = inherited, 0
    for section in (s for s in sections if s.page == page.number):
        weights[current] += section.start - position
        current, position = section.theme, section.start
    weights[current] += len(page.text) - position
    weights.pop("", None)
    return weights.most_common(1)[0][0] if weights else ""


def analyse_structure(document: ExtractedDocument, lexicon: Lexicon, models: Models | None = None) -> Structure:
    """Signature sections, sections with themes, theme-labelled table rows and page themes of one contract."""
    patterns = theme_patterns(lexicon)
    spans = find_signature_spans(document)
    sections = find_sections(document, spans, patterns, models)
    page_themes: dict[int, str] = {}
    inherited = ""
    for page in document.pages:
        page_themes[page.number] = page_to_theme(page, sections, inherited)
        opened = [s for s in sections if s.page == page.number]
        inherited = opened[-1].theme if opened else inherited
    rows = {page.number: rows for page in document.pages if (rows := find_row_themes(page, patterns))}
    return DocumentStructure(
        signature_pages=frozenset(spans),
        page_themes=page_themes,
        sections=sections,
        signature_spans=spans,
        party_spans=find_party_spans(document),
        row_themes=rows,
    )
