"""The data that flows between the pipeline stages, in one place.

Every stage is a plain function from these types to these types; the Prefect flow only moves them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from pipeline.candidates import Candidate

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
    mark_start: int = 0
    mark_end: int = 0


@dataclass(frozen=True)
class IndicatorCue:
    """Evidence an indicator of the grid can use, found in a contract's text at analysis time.

    `kind` is `texte` for a span matching the indicator's `patterns` (a text cue, with its quote) and
    `voisinage` for a span matching its `near` pattern (used to accept entity mentions near it); spans are
    page-local offsets in the matching text, the same coordinates as detections'.
    """

    contract_id: str
    indicator_id: str
    kind: Literal["texte", "voisinage"]
    page: int
    start: int
    end: int
    snippet: str = ""
    mark_start: int = 0
    mark_end: int = 0


@dataclass(frozen=True)
class RunSettings:
    """Everything a run depends on besides the code: folders, parallelism, optional stages."""

    corpus: Path
    out: Path
    workspace: Path
    lexicon_dir: Path
    models_dir: Path
    use_ner: bool = True
    workers: int = 2
    dask_address: str = ""
    follow_links: bool = False  # read links of the corpus leading outside its folder

    def __post_init__(self) -> None:
        for name in ("corpus", "out", "workspace", "lexicon_dir", "models_dir"):
            object.__setattr__(self, name, Path(getattr(self, name)).resolve())
        if self.workers < 1:
            raise ValueError(f"workers doit être au moins 1 (reçu {self.workers}).")


@dataclass
class StageCache:
    """Whether a contract's extraction and analysis came from the workspace cache, and why not."""

    extraction: str = "miss"
    extraction_reason: str = ""
    analysis: str = "miss"
    analysis_reason: str = ""

    def to_json(self) -> dict[str, str]:
        """The `cache` entry of a contract in `run.json` (French keys, reasons only for misses)."""
        entry = {"extraction": self.extraction, "analyse": self.analysis}
        if self.extraction == "miss" and self.extraction_reason:
            entry["extraction_raison"] = self.extraction_reason
        if self.analysis in ("miss", "reprise") and self.analysis_reason:
            entry["analyse_raison"] = self.analysis_reason
        return entry


@dataclass
class ContractAnalysis:
    """What `analyse_contract` learns of one contract version: readability, detections and cues.

    `document` keeps page counts and methods but no texts (they stay in the page cache), so that a run's
    memory does not grow with the corpus.
    """

    contract: ContractFile
    document: ExtractedDocument
    detections: list[Detection] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    cues: list[IndicatorCue] = field(default_factory=list)
    page_themes: dict[int, str] = field(default_factory=dict)
    signature_pages: frozenset[int] = frozenset()
    cache: StageCache = field(default_factory=StageCache)
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.document.ok


@dataclass
class ContractRecord:
    """One row of `contracts.csv`: a contract file, its readability and its status."""

    contract_id: str
    file: str
    sha256: str = ""
    pages: int = 0
    territory: str = ""
    department: str = ""
    status: Literal["ok", "error"] = "ok"
    error: str = ""
    pages_text: int = 0
    pages_ocr: int = 0
    pages_unread: int = 0
    ocr_confidence: float | None = None
    duplicate_of: str = ""
    warnings: list[str] = field(default_factory=list)
    cache: StageCache | None = None
    version: str = ""
    version_change: str = ""

    def to_row(self) -> dict[str, Any]:
        """The CSV row (warnings joined with ` | `, unknown OCR confidence as an empty cell)."""
        row = asdict(self)
        row["warnings"] = " | ".join(self.warnings)
        row["ocr_confidence"] = "" if self.ocr_confidence is None else self.ocr_confidence
        for name in ("cache", "version", "version_change"):
            row.pop(name)
        return row

    def to_json(self) -> dict[str, Any]:
        """The contract's entry in `run.json`: its row, cache use and version."""
        entry = self.to_row()
        entry["cache"] = self.cache.to_json() if self.cache else {}
        if self.version:
            entry["cache"] |= {"version": self.version, "version_changement": self.version_change}
        return entry


@dataclass
class ReviewState:
    """How far review went over a run, and how readable its corpus was (French keys, as published)."""

    contrats: int = 0
    contrats_lus: int = 0
    detections: int = 0
    decidees: int = 0
    pct_revu: float = 0.0
    validees: int = 0
    rejetees: int = 0
    ajoutees: int = 0
    pages_illisibles: int = 0
    contrats_pages_illisibles: int = 0


@dataclass
class PublishSummary:
    """What `publish` wrote and the figures the CLI prints about it."""

    run_id: str
    published_at: str
    lexicon_version: str
    review: ReviewState
    partners_found: int = 0
    dispositifs_found: int = 0
    indicators_total: int = 0
    indicators_computable: int = 0
    indicators_agreeing: int = 0
    files: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RunCounts:
    """The counts a run reports (`run.json`, the CLI summary)."""

    contracts: int = 0
    contracts_ok: int = 0
    contracts_error: int = 0
    pages: int = 0
    detections: int = 0
    partners_found: int = 0
    dispositifs_found: int = 0


@dataclass
class RunResult:
    """A finished run: identity, settings, per-contract records, counts, timings and its publication."""

    run_id: str
    started_at: str
    settings: RunSettings
    finished_at: str = ""
    lexicon_version: str = ""
    versions: dict[str, str] = field(default_factory=dict)
    contracts: list[ContractRecord] = field(default_factory=list)
    counts: RunCounts = field(default_factory=RunCounts)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    publication: PublishSummary | None = None

    def to_json(self) -> dict[str, Any]:
        """`run.json`: identity, folders, versions, counts, timings, warnings and per-contract status."""
        return {
            "run_id": self.run_id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "corpus": str(self.settings.corpus),
            "out": str(self.settings.out),
            "workspace": str(self.settings.workspace),
            "lexicon_dir": str(self.settings.lexicon_dir),
            "models_dir": str(self.settings.models_dir),
            "lexicon_version": self.lexicon_version,
            "versions": self.versions,
            "stage_seconds": self.stage_seconds,
            "cache": {c.contract_id: c.to_json()["cache"] for c in self.contracts if c.cache is not None},
            "counts": asdict(self.counts),
            "warnings": self.warnings,
            "contracts": [c.to_json() for c in self.contracts],
        }
