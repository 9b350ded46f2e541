"""Content anchors: decisions are keyed on contract + entity + normalised context, not on offsets.

A decision made on one run re-attaches to the detection of a later run that has the same id (same text
around the hit), else to the detection of the same contract and entity whose normalised context is the
same or close enough (the text moved page in a new PDF version, or its neighbourhood changed a little).
A decision that finds no detection is listed as unattached, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from pipeline.match import fold_text

ANCHOR_RADIUS = 60
FUZZY_THRESHOLD = 82.0
HIT_MARK = "⟦{}⟧"
_NON_WORD = re.compile(r"[^0-9a-z⟦⟧]+")


def normalise(text: str) -> str:
    """Folded, lower-case, letters and digits only, single spaces: robust to layout and line breaks."""
    return " ".join(_NON_WORD.sub(" ", fold_text(text).lower()).split())


def context_from_page(text: str, start: int, end: int) -> str:
    """The normalised context of a span, with the hit marked, from the page text."""
    left = text[max(0, start - ANCHOR_RADIUS) : start]
    right = text[end : end + ANCHOR_RADIUS]
    return normalise(left) + " " + HIT_MARK.format(normalise(text[start:end])) + " " + normalise(right)


def context_from_snippet(snippet: str) -> str:
    """The normalised context of a detection when its page text is not at hand."""
    return normalise(snippet)


@dataclass(frozen=True)
class Anchor:
    """What a decision is attached to: a contract, an entity, a detection id and a normalised context."""

    contract_id: str
    entity_id: str
    detection_id: str
    context: str
    page: int = 0


@dataclass(frozen=True)
class Candidate:
    """A detection of the current run that an anchor may attach to."""

    detection_id: str
    contract_id: str
    entity_id: str
    page: int
    context: str


def similarity(left: str, right: str) -> float:
    """0-100 similarity of two normalised contexts (hit markers compared too)."""
    if not left or not right:
        return 0.0
    return float(fuzz.ratio(left, right))


def attach(anchors: Sequence[Anchor], candidates: Iterable[Candidate]) -> dict[int, str]:
    """Index of each anchor -> detection id it attaches to; anchors without a match are absent.

    Exact id first; then, per contract and entity, equal context; then the closest context above
    `FUZZY_THRESHOLD`, one anchor per detection, best pairs first (ties: same page first).
    """
    pool = list(candidates)
    ids = {candidate.detection_id for candidate in pool}
    result: dict[int, str] = {}
    pending: list[int] = []
    for index, anchor in enumerate(anchors):
        if anchor.detection_id in ids:
            result[index] = anchor.detection_id
        else:
            pending.append(index)
    if not pending:
        return result
    taken = set(result.values())
    by_key: dict[tuple[str, str], list[Candidate]] = {}
    for candidate in pool:
        by_key.setdefault((candidate.contract_id, candidate.entity_id), []).append(candidate)
    pairs: list[tuple[float, int, int, str]] = []
    for index in pending:
        anchor = anchors[index]
        for candidate in by_key.get((anchor.contract_id, anchor.entity_id), []):
            score = 100.0 if candidate.context == anchor.context else similarity(anchor.context, candidate.context)
            if score >= FUZZY_THRESHOLD:
                pairs.append((score, int(candidate.page == anchor.page), -index, candidate.detection_id))
    for score, _, negative_index, detection_id in sorted(pairs, reverse=True):
        index = -negative_index
        if index in result or detection_id in taken or score < FUZZY_THRESHOLD:
            continue
        result[index] = detection_id
        taken.add(detection_id)
    return result


class PageTexts:
    """Page texts of the run's contract versions, read lazily from the workspace's page cache."""

    def __init__(self, page_cache: Path, sha_by_contract: dict[str, str], extractor_version: str = "") -> None:
        self.page_cache = page_cache
        self.sha_by_contract = sha_by_contract
        self.extractor_version = extractor_version
        self._pages: dict[str, dict[int, str]] = {}

    def pages(self, contract_id: str) -> dict[int, str]:
        """Page number -> text, empty when the version is not in the cache."""
        if contract_id not in self._pages:
            from pipeline.cache import load_pages
            from pipeline.extract import EXTRACTOR_VERSION

            sha = self.sha_by_contract.get(contract_id, "")
            document = load_pages(self.page_cache, sha, self.extractor_version or EXTRACTOR_VERSION) if sha else None
            self._pages[contract_id] = {page.number: page.text for page in document.pages} if document else {}
        return self._pages[contract_id]

    def text(self, contract_id: str, page: int) -> str:
        return self.pages(contract_id).get(page, "")


def row_context(row: Mapping[Any, Any], texts: PageTexts | None) -> str:
    """The anchor context of a detection row: from its page text when cached, else from its snippet."""
    contract_id = str(row["contract_id"])
    page, start, end = int(row["page"]), int(row["start"]), int(row["end"])
    if texts is not None and end > start:
        text = texts.text(contract_id, page)
        if text and end <= len(text):
            return context_from_page(text, start, end)
    return context_from_snippet(str(row["snippet"]))


def row_anchor(row: Mapping[Any, Any], texts: PageTexts | None) -> Anchor:
    """The anchor of one detection row."""
    return Anchor(
        contract_id=str(row["contract_id"]),
        entity_id=str(row["entity_id"]),
        detection_id=str(row["detection_id"]),
        context=row_context(row, texts),
        page=int(row["page"]),
    )


def locate_text(pages: dict[int, str], text: str, page_hint: int) -> tuple[int, int, int] | None:
    """Where a reviewer's quoted text is (page, start, end), the hinted page first; None if nowhere."""
    wanted = fold_text(" ".join(text.split())).lower()
    if not wanted:
        return None
    order = sorted(pages, key=lambda number: (number != page_hint, number))
    for number in order:
        page_text = pages[number]
        folded = fold_text(page_text).lower()
        compact, positions = _compact(folded)
        found = compact.find(wanted)
        if found >= 0:
            return number, positions[found], positions[found + len(wanted) - 1] + 1
    return None


def _compact(text: str) -> tuple[str, list[int]]:
    """Text with whitespace runs collapsed to one space, and each character's original offset."""
    chars: list[str] = []
    positions: list[int] = []
    previous_space = False
    for offset, char in enumerate(text):
        is_space = char.isspace()
        if is_space and previous_space:
            continue
        chars.append(" " if is_space else char)
        positions.append(offset)
        previous_space = is_space
    return "".join(chars), positions
