"""Quotes: the words around a match, on one line, with where the matched words sit inside them.

A detection's `snippet` is this quote of its own page's text; `mark_start`/`mark_end` locate the matched
words in it, so that every report can show (and mark) exactly what was found, on the page it cites.
"""

from __future__ import annotations

SNIPPET_RADIUS = 90


def collapse(text: str) -> str:
    """Runs of whitespace (line ends included) as single spaces, no leading or trailing space."""
    return " ".join(text.split())


def text_to_quote(text: str, start: int, end: int, radius: int = SNIPPET_RADIUS) -> tuple[str, int, int]:
    """The span `start:end` of `text` with `radius` characters of context each side, on one line, and the
    span's offsets inside that quote."""
    left = max(0, start - radius)
    right = min(len(text), end + radius)
    before, matched = collapse(text[left:start]), collapse(text[start:end])
    spaced = text[left:start][-1:].isspace() or text[start:end][:1].isspace()
    mark_start = len(before) + (1 if before and matched and spaced else 0)
    return collapse(text[left:right]), mark_start, mark_start + len(matched)


def quote_parts(quote: str, mark_start: int, mark_end: int) -> tuple[str, str, str]:
    """The quote split into (before, marked words, after); nothing marked when the offsets do not fit."""
    if 0 <= mark_start < mark_end <= len(quote):
        return quote[:mark_start], quote[mark_start:mark_end], quote[mark_end:]
    return quote, "", ""
