"""Indicator cues: what the indicator grid needs from a contract's text, found once at analysis time.

For each indicator of `lexicons/indicators.csv` with `patterns`, the spans of folded page text that match
them (with `near` within `window` characters and on a page of theme `section` when those are set): its text
cues, with their quotes. For each indicator with entities and a `near` pattern, the spans matching `near`:
publication accepts an entity mention when one lies within `window` characters of it. Publication then
never needs the page texts again.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from pipeline.lexicon import Indicator, Lexicon
from pipeline.match import fold_text as fold
from pipeline.quote import text_to_quote
from pipeline.types import ExtractedDocument, IndicatorCue

PAGE_SEPARATOR = "\x00"


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> re.Pattern[str] | None:
    """An indicator's regular expression (lexicon check refuses invalid ones, so None means "no pattern")."""
    return re.compile(pattern) if pattern else None


class PageIndex:
    """A contract's pages folded once and joined, so that one regex pass covers the whole contract."""

    def __init__(self, document: ExtractedDocument) -> None:
        self.pages = {page.number: page for page in document.pages}
        self.folded = {number: fold(page.text) for number, page in self.pages.items()}
        self.numbers = sorted(self.folded)
        self.offsets: list[int] = []
        parts: list[str] = []
        position = 0
        for number in self.numbers:
            self.offsets.append(position)
            parts.append(self.folded[number])
            position += len(self.folded[number]) + len(PAGE_SEPARATOR)
        self.joined = PAGE_SEPARATOR.join(parts)

    def locate(self, start: int, end: int) -> tuple[int, int, int] | None:
        """Page number and page-local span of a span of the joined text (None if it crosses pages)."""
        index = bisect_right(self.offsets, start) - 1
        number = self.numbers[index]
        local = start - self.offsets[index]
        if local + (end - start) > len(self.folded[number]):
            return None
        return number, local, local + end - start

    def spans(self, pattern: re.Pattern[str]) -> list[tuple[int, int, int]]:
        """Every non-empty match of a pattern, as (page, start, end), matches across pages excluded."""
        found = []
        for match in pattern.finditer(self.joined):
            if match.end() > match.start() and (located := self.locate(match.start(), match.end())) is not None:
                found.append(located)
        return found


def near_window_holds(near_spans: list[tuple[int, int]], start: int, end: int, window: int) -> bool:
    """Whether a `near` span of the same page lies within `window` characters of the span `start:end`."""
    return any(near_start >= start - window and near_end <= end + window for near_start, near_end in near_spans)


def span_qualifies(
    indicator: Indicator,
    near_spans: list[tuple[int, int]] | None,
    start: int,
    end: int,
    page_theme: str,
) -> bool:
    """The `near` and `section` conditions of an indicator around one span of a page."""
    if indicator.section and page_theme != indicator.section:
        return False
    if near_spans is not None:
        return near_window_holds(near_spans, start, end, indicator.window)
    return True


def contract_cues(document: ExtractedDocument, lexicon: Lexicon, page_themes: dict[int, str]) -> list[IndicatorCue]:
    """The text cues and `near` spans of every indicator in one contract."""
    index = PageIndex(document)
    cues: list[IndicatorCue] = []
    for indicator in lexicon.indicators:
        near = compile_pattern(indicator.near)
        near_by_page: dict[int, list[tuple[int, int]]] = {}
        if near is not None:
            for page, start, end in index.spans(near):
                near_by_page.setdefault(page, []).append((start, end))
            if indicator.entities:
                cues += [
                    IndicatorCue(document.contract_id, indicator.indicator_id, "voisinage", page, start, end)
                    for page, spans in sorted(near_by_page.items())
                    for start, end in spans
                ]
        pattern = compile_pattern(indicator.patterns)
        if pattern is None:
            continue
        for page, start, end in index.spans(pattern):
            near_spans = near_by_page.get(page, []) if near is not None else None
            if span_qualifies(indicator, near_spans, start, end, page_themes.get(page, "")):
                quote, mark_start, mark_end = text_to_quote(index.pages[page].text, start, end)
                cues.append(
                    IndicatorCue(
                        document.contract_id,
                        indicator.indicator_id,
                        "texte",
                        page,
                        start,
                        end,
                        quote,
                        mark_start,
                        mark_end,
                    )
                )
    return cues
