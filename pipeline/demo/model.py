"""The producer-independent model of a demo contract: blocks of text carrying their gold mentions.

Renderers (reportlab, HTML) turn blocks into pages and report the page of each block; the gold labels
are then read off the blocks, so what is labelled is exactly what is printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Mention:
    """One printed naming of an organisation or scheme, with what the document says about it."""

    entity_id: str  # lexicon id, or "" for an organisation absent from the lexicons
    surface: str
    theme: str | None = None
    context: str = "text"  # text, table, footnote, signature, scan, heading, contrastive, glossary
    variant: str = "full"  # full, acronym, both, former, departmental, dotted, caps, alt
    org: str = ""  # name of an out-of-lexicon organisation
    signature: bool = False
    elided: bool = False
    broken: bool = False  # set by the renderer when the surface spans a line break


Segment = str | Mention
Cell = list[Segment]


def seg_text(segments: list[Segment]) -> str:
    """The printed text of a list of segments."""
    return "".join(s if isinstance(s, str) else s.surface for s in segments)


def seg_mentions(segments: list[Segment]) -> list[Mention]:
    return [s for s in segments if isinstance(s, Mention)]


@dataclass
class Block:
    """Base of every block; `pages` is filled by the renderer (1-based page numbers)."""

    pages: list[int] = field(default_factory=list, init=False)

    def mentions(self) -> list[Mention]:
        return []


@dataclass
class Cover(Block):
    title: str = ""
    territory: str = ""
    subtitle: str = ""
    date: str = ""


@dataclass
class Toc(Block):
    entries: list[str] = field(default_factory=list)


@dataclass
class Heading(Block):
    text: str = ""
    level: int = 1
    theme: str | None = None


@dataclass
class Para(Block):
    segments: list[Segment] = field(default_factory=list)
    theme: str | None = None
    style: str = "body"  # body, bullet, small, quote
    manual_breaks: bool = False  # hyphenated line breaking computed by the generator

    def mentions(self) -> list[Mention]:
        return seg_mentions(self.segments)


@dataclass
class Table(Block):
    header: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    ruled: bool = True
    caption: str = ""
    theme: str | None = None

    def mentions(self) -> list[Mention]:
        return [m for row in self.rows for cell in row for m in seg_mentions(cell)]


@dataclass
class Figure(Block):
    title: str = ""
    bars: list[tuple[str, float]] = field(default_factory=list)
    unit: str = "%"


@dataclass
class Footnote(Block):
    mark: str = "1"
    segments: list[Segment] = field(default_factory=list)
    theme: str | None = None

    def mentions(self) -> list[Mention]:
        return seg_mentions(self.segments)


@dataclass
class PageBreak(Block):
    pass


@dataclass
class Columns(Block):
    """Starts (on=True) or ends a two-column run of pages."""

    on: bool = True


@dataclass
class SigBlock:
    """One signatory's block: 'Pour <organisation>', the signing person and their title."""

    segments: list[Segment]
    person: str
    title: str


@dataclass
class Signatures(Block):
    style: str = "grid"  # grid, list, scan
    title: str = ""
    intro: str = ""
    blocks: list[SigBlock] = field(default_factory=list)

    def mentions(self) -> list[Mention]:
        return [m for block in self.blocks for m in seg_mentions(block.segments)]


@dataclass
class Document:
    """A whole contract: its blocks and its rendering choices."""

    contract_id: str
    title: str
    territory: str
    blocks: list[Block]
    page_size: str = "A4"
    font: str = "Helvetica"
    producer: str = "reportlab"
    properties: set[str] = field(default_factory=set)
    header: str = ""
    footer: str = "Page {n}"
