"""Page geometry: lines into blocks, blocks into reading order, running headers and footers.

Pure functions over `Line` boxes (points, origin at the top-left of the page), whatever produced
them (PDFium's text layer or Tesseract), so that they can be tested without a PDF.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pipeline.extract.text import WORD_HEAD, ends_with_cut_word, join_hyphenated, normalise_line

# Running lines live in the top and bottom margins: this share of the page height.
MARGIN_ZONE = 0.12
# How many lines at each end of a page are examined for running headers and footers.
RUNNING_CANDIDATES = 3
PAGE_NUMBER = re.compile(
    r"^(?:page|p\.|-|–|—)?\s*\d{1,4}\s*(?:(?:/|sur|of|de)\s*\d{1,4})?\s*(?:-|–|—)?$|^[ivxlc]{1,7}$",
    re.IGNORECASE,
)
DIGITS = re.compile(r"\d+")


@dataclass(slots=True)
class Line:
    """One visual line (or a piece of it between wide gaps), with its box and raw text.

    `hyphen` says that the line ended with a hyphen at the line end that PDFium (or the text)
    marked as a possible word cut.
    """

    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    hyphen: bool = False

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)


@dataclass
class Block:
    """Lines that belong together (a paragraph, a table cell, a signature block)."""

    lines: list[Line] = field(default_factory=list)
    x0: float = field(init=False, default=0.0)
    top: float = field(init=False, default=0.0)
    x1: float = field(init=False, default=0.0)
    bottom: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        lines, self.lines = self.lines, []
        for line in lines:
            self.add(line)

    def add(self, line: Line) -> None:
        """Append a line and grow the block's box (kept up to date: layout reads it often)."""
        if not self.lines:
            self.x0, self.top, self.x1, self.bottom = line.x0, line.top, line.x1, line.bottom
        else:
            self.x0, self.top = min(self.x0, line.x0), min(self.top, line.top)
            self.x1, self.bottom = max(self.x1, line.x1), max(self.bottom, line.bottom)
        self.lines.append(line)


def build_blocks(lines: Sequence[Line]) -> list[Block]:
    """Group lines, in their stream order, into blocks of vertically adjacent overlapping lines."""
    blocks: list[Block] = []
    for line in lines:
        target = None
        height = line.bottom - line.top
        for block in reversed(blocks[-8:]):
            last = block.lines[-1]
            gap = line.top - last.bottom
            limit = 0.9 * max(height, last.bottom - last.top, 1.0)
            overlap = min(line.x1, last.x1) - max(line.x0, last.x0)
            if -0.3 * height <= gap <= limit and overlap > 0 and line.top > last.top + 0.5 * (last.bottom - last.top):
                target = block
                break
        if target is None:
            blocks.append(Block([line]))
        else:
            target.add(line)
    return blocks


def _aligned_rows(left: Sequence[Block], right: Sequence[Block]) -> bool:
    """True when blocks on both sides of a vertical cut start on the same rows: a table or grid."""
    small, large = (left, right) if len(left) <= len(right) else (right, left)
    if len(small) < 2:
        return False
    tops = [block.top for block in large]
    aligned = sum(1 for block in small if any(abs(block.top - top) <= 0.5 * block.lines[0].height for top in tops))
    return aligned >= 2 and aligned >= 0.5 * len(small)


def _vertical_cut(blocks: Sequence[Block], min_gap: float) -> tuple[list[Block], list[Block]] | None:
    ordered = sorted(blocks, key=lambda block: block.x0)
    best: tuple[float, int] | None = None
    reach = ordered[0].x1
    for index in range(1, len(ordered)):
        gap = ordered[index].x0 - reach
        if gap >= min_gap and (best is None or gap > best[0]):
            best = (gap, index)
        reach = max(reach, ordered[index].x1)
    if best is None:
        return None
    left, right = ordered[: best[1]], ordered[best[1] :]
    if _aligned_rows(left, right):
        return None
    return left, right


def _horizontal_cut(blocks: Sequence[Block]) -> tuple[list[Block], list[Block]] | None:
    ordered = sorted(blocks, key=lambda block: block.top)
    best: tuple[float, int] | None = None
    reach = ordered[0].bottom
    for index in range(1, len(ordered)):
        gap = ordered[index].top - reach
        if gap > 0 and (best is None or gap > best[0]):
            best = (gap, index)
        reach = max(reach, ordered[index].bottom)
    if best is None:
        return None
    return ordered[: best[1]], ordered[best[1] :]


def reading_order(blocks: Sequence[Block], min_gap: float = 8.0) -> list[Block]:
    """Order blocks for reading: columns left to right (XY-cut), rows top to bottom.

    A vertical cut (a gutter between columns) is preferred; it is refused when blocks on both
    sides start on the same rows, so tables and signature grids are read row by row.
    """
    if len(blocks) <= 1:
        return list(blocks)
    cut = _vertical_cut(blocks, min_gap)
    if cut is None:
        cut = _horizontal_cut(blocks)
    if cut is None:
        return sorted(blocks, key=lambda block: (round(block.top), block.x0))
    first, second = cut
    return reading_order(first, min_gap) + reading_order(second, min_gap)


def running_key(text: str) -> str:
    """What stays the same in a running line from page to page (digits and case folded)."""
    return DIGITS.sub("#", " ".join(text.lower().split()))


def is_page_number(text: str) -> bool:
    """'12', '- 12 -', 'Page 3 / 40', 'p. 7', 'xii'."""
    return bool(PAGE_NUMBER.match(text.strip()))


def _margin_candidates(lines: Sequence[Line], height: float) -> tuple[list[int], list[int]]:
    by_top = sorted(range(len(lines)), key=lambda index: lines[index].top)
    top = [i for i in by_top[:RUNNING_CANDIDATES] if lines[i].bottom <= height * MARGIN_ZONE]
    bottom = [i for i in by_top[::-1][:RUNNING_CANDIDATES] if lines[i].top >= height * (1 - MARGIN_ZONE)]
    return top, [i for i in bottom if i not in top]


def find_running_lines(pages: Sequence[tuple[Sequence[Line], float]]) -> list[tuple[set[int], set[int]]]:
    """For each page (its lines, its height), the indexes of its running header and footer lines.

    A line in the top or bottom margin is running when its text (digits folded) recurs in the same
    margin on at least 3 pages (or on every page of a 2-page document), or when it is a page number
    alone at the edge of the page.
    """
    candidates = [_margin_candidates(lines, height) for lines, height in pages]
    counts: dict[tuple[str, str], set[int]] = defaultdict(set)
    for page_index, ((lines, _height), (top, bottom)) in enumerate(zip(pages, candidates, strict=True)):
        for zone, indexes in (("top", top), ("bottom", bottom)):
            for index in indexes:
                counts[(zone, running_key(lines[index].text))].add(page_index)
    n_pages = len(pages)
    result: list[tuple[set[int], set[int]]] = []
    for (lines, _height), (top, bottom) in zip(pages, candidates, strict=True):
        marks: list[set[int]] = [set(), set()]
        for slot, (zone, indexes) in enumerate((("top", top), ("bottom", bottom))):
            for rank, index in enumerate(indexes):
                text = lines[index].text.strip()
                if not text:
                    continue
                seen = len(counts[(zone, running_key(text))])
                if seen >= 3 or (seen >= 2 and seen == n_pages) or (rank == 0 and is_page_number(text)):
                    marks[slot].add(index)
        result.append((marks[0], marks[1]))
    return result


@dataclass
class AssembledPage:
    """The text of a page built from its ordered blocks, with each block's box and text span."""

    text: str
    blocks: list[tuple[float, float, float, float, int, int]]


def assemble(blocks: Sequence[Block], attested: Callable[[str], bool] | None = None) -> AssembledPage:
    """Join normalised lines: '\\n' inside a block, a blank line between blocks, cut words rejoined.

    One-line blocks side by side on the same row (table cells) are joined by a tab, so that a row
    reads as one line.
    A block ending with a cut word continues into the next block (a word split by a column break).
    """
    parts: list[str] = []
    spans: list[tuple[float, float, float, float, int, int]] = []
    length = 0
    cut_open = False
    previous_block: Block | None = None
    for block in blocks:
        block_start: int | None = None
        same_row = (
            previous_block is not None
            and len(block.lines) == 1
            and len(previous_block.lines) == 1
            and block.x0 >= previous_block.x1
            and abs(block.top - previous_block.top) < 0.5 * block.lines[0].height
        )
        for line in block.lines:
            text = normalise_line(line.text)
            if not text:
                continue
            cut = line.hyphen or ends_with_cut_word(text)
            if cut and text.endswith("-"):
                text = text[:-1].rstrip()
            if cut_open and WORD_HEAD.match(text):
                previous = parts.pop()
                length -= len(previous)
                text = join_hyphenated(previous, text, attested)
                if block_start is None:
                    block_start = length
            else:
                if cut_open:
                    parts[-1] += "-"
                    length += 1
                if parts:
                    separator = "\n" if block_start is not None else ("\t" if same_row else "\n\n")
                    parts.append(separator)
                    length += len(separator)
                if block_start is None:
                    block_start = length
            parts.append(text)
            length += len(text)
            cut_open = cut
        if block_start is not None:
            spans.append((block.x0, block.top, block.x1, block.bottom, block_start, length))
            previous_block = block
    if cut_open and parts:
        parts[-1] += "-"  # a cut at the very end of the page: nothing to join, keep the hyphen
        length += 1
        if spans:
            x0, top, x1, bottom, begin, _end = spans[-1]
            spans[-1] = (x0, top, x1, bottom, begin, length)
    return AssembledPage("".join(parts), spans)
