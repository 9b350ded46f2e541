"""The data that flows between the pipeline stages, in one place.

Every stage is a plain function from these types to these types; the Prefect flow only moves them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Kind = Literal["partenaire", "dispositif"]
Role = Literal["signataire", "mentionne", "articulation"]
PageMethod = Literal["text", "ocr", "unread"]
DetectionStatus = Literal["auto", "valide", "rejete", "ajoute"]


@dataclass(frozen=True)
class ContractFile:
    """One contract version found in the corpus: a PDF identified by the sha256 of its bytes."""

    contract_id: str
    path: Path
    sha256: str
    size: int
    territory: str = ""
    department: str = ""
    duplicate_of: str = ""


@dataclass
class Page:
    """The text of one page, as read for matching, and how it was read.

    `text` is the cleaned text used for matching (offsets of detections refer to it);
    `header` and `footer` hold running lines removed from it, kept for page attribution.
    `ocr_confidence` is Tesseract's mean word confidence, 0-100, on OCR pages.
    `blocks` are the page's text blocks in reading order, `(x0, top, x1, bottom, start, end)`: a box
    in points from the page's top-left corner and the block's span in `text` (signature grids).
    `reason` says, in French, why a page is unread, OCR'd or blank. `width`/`height` are in points.
    """

    number: int
    text: str
    method: PageMethod = "text"
    ocr_confidence: float | None = None
    header: str = ""
    footer: str = ""
    tables: list[list[list[str]]] = field(default_factory=list)
    blocks: list[tuple[float, float, float, float, int, int]] = field(default_factory=list)
    reason: str = ""
    width: float = 0.0
    height: float = 0.0


@dataclass
class ExtractedDocument:
    """All pages of one contract, or the French reason why it could not be read."""

    contract_id: str
    sha256: str
    pages: list[Page] = field(default_factory=list)
    error: str = ""
    extractor_version: str = ""
    seconds: float = 0.0
    cache_hit: bool = False
    warnings: list[str] = field(default_factory=list)
    duplicate_of: str = ""
    ocr_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def pages_text(self) -> int:
        """Pages read from their text layer."""
        return sum(1 for page in self.pages if page.method == "text")

    @property
    def pages_ocr(self) -> int:
        """Pages read by OCR."""
        return sum(1 for page in self.pages if page.method == "ocr")

    @property
    def pages_unread(self) -> int:
        """Pages whose text could not be obtained (see each page's `reason`)."""
        return sum(1 for page in self.pages if page.method == "unread")

    @property
    def mean_ocr_confidence(self) -> float | None:
        """Mean of the OCR pages' confidences (0-100), None without OCR pages."""
        values = [page.ocr_confidence for page in self.pages if page.ocr_confidence is not None]
        return round(sum(values) / len(values), 1) if values else None


@dataclass(frozen=True)
class Entity:
    """A partner organisation or a public scheme, as declared in `lexicons/`."""

    entity_id: str
    name: str
    kind: Kind
    acronyms: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    category: str = ""
    scope: str = ""
    themes: tuple[str, ...] = ()
    group: str = ""

    @property
    def acronym(self) -> str:
        """The main acronym (first declared), or an empty string."""
        return self.acronyms[0] if self.acronyms else ""


@dataclass(frozen=True)
class Theme:
    """A thematic chapter of the regional report, with the cues that attribute text to it."""

    theme_id: str
    name: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Structure:
    """What the structure stage knows of a contract: signature pages and section themes per page."""

    signature_pages: frozenset[int] = frozenset()
    page_themes: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    """One lexicon match in a page's text, with its evidence."""

    contract_id: str
    entity_id: str
    page: int
    start: int
    end: int
    matched: str
    snippet: str
    method: str
    score: float


@dataclass
class Detection:
    """A hit with its role, theme and stable id: one row of `detections.csv`."""

    detection_id: str
    contract_id: str
    entity_id: str
    entity_name: str
    entity_acronym: str
    kind: Kind
    role: Role
    theme: str
    page: int
    start: int
    end: int
    snippet: str
    score: float
    method: str
    status: DetectionStatus = "auto"
