"""Load the analyst-editable lexicons (`lexicons/*.csv`) into typed entities, themes and indicators.

The files are the only source of names, acronyms, theme cues and the indicator grid: the matcher never
holds a copy. Multi-valued cells are separated by `|`, except `patterns` and `near`, which hold one
regular expression each (whose own `|` are alternatives). See `lexicons/README.md` for the format;
`pipeline.lexicon_check` validates the files.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipeline.errors import CdvError
from pipeline.types import Entity, Kind, Theme

PARTNERS_FILE = "partners.csv"
DISPOSITIFS_FILE = "dispositifs.csv"
THEMES_FILE = "themes.csv"
AMBIGUOUS_FILE = "ambiguous.csv"
ERAS_FILE = "eras.csv"
GLOSSARY_FILE = "glossary.csv"
INDICATORS_FILE = "indicators.csv"
VARIANTS_FILE = "variants.csv"
LIST_SEPARATOR = "|"
DEFAULT_WINDOW = 200


class LexiconError(CdvError):
    """A lexicon file cannot be used; the message names the file and line (in French)."""


@dataclass(frozen=True)
class GlossaryTerm:
    """An acronym of the report that is neither a partner nor a scheme (QPV, COPIL, NEET...)."""

    term_id: str
    name: str
    acronyms: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    note: str = ""
    organisation: bool = False  # a body outside the partners (« Conseil national des villes »): a candidate name


@dataclass(frozen=True)
class Indicator:
    """One line of the report's indicator grid: what a contract must contain to count, and the published value.

    A contract counts when the entity condition (one of `entities`, with `role` if set) and/or the text
    condition (`patterns` on folded text) hold for some evidence span, with `near` found within `window`
    characters of it and its page of theme `section` when those are set, at least `min_count` times;
    `combine` is `any` (either condition) or `all` (both) when both are given.
    """

    indicator_id: str
    label: str
    theme: str
    entities: tuple[str, ...] = ()
    role: str = ""
    patterns: str = ""
    near: str = ""
    window: int = DEFAULT_WINDOW
    section: str = ""
    combine: str = "any"
    min_count: int = 1
    denominator: str = "all"
    value_pct: float | None = None
    qualifier: str = "="
    published: str = ""
    source: str = ""
    computable: str = "yes"
    note: str = ""

    @property
    def denominator_kind(self) -> str:
        """`all`, `entity` or `indicator`: what the percentage is taken over."""
        return self.denominator.split(":", 1)[0] if self.denominator else "all"

    @property
    def denominator_refs(self) -> tuple[str, ...]:
        """The entity or indicator ids of a conditional denominator (empty for `all`)."""
        if ":" not in self.denominator:
            return ()
        return split_list(self.denominator.split(":", 1)[1])


@dataclass(frozen=True)
class Lexicon:
    """Every entity, theme, glossary term and indicator, plus the version hash of the files they came from."""

    entities: tuple[Entity, ...]
    themes: tuple[Theme, ...]
    ambiguous: dict[str, tuple[str, ...]] = field(default_factory=dict)
    version: str = ""
    glossary: tuple[GlossaryTerm, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    variants: tuple[tuple[str, str], ...] = ()
    eras: dict[str, Era] = field(default_factory=dict)  # scheme -> its first year, the scheme meant before

    def by_id(self) -> dict[str, Entity]:
        return {entity.entity_id: entity for entity in self.entities}

    @property
    def partners(self) -> tuple[Entity, ...]:
        return tuple(e for e in self.entities if e.kind == "partenaire")

    @property
    def dispositifs(self) -> tuple[Entity, ...]:
        return tuple(e for e in self.entities if e.kind == "dispositif")

    def group_members(self, group_id: str) -> tuple[Entity, ...]:
        """The entities counted under a group (e.g. the named social landlords under `bailleurs_sociaux`)."""
        return tuple(e for e in self.entities if e.group == group_id)

    def acronym_senses(self) -> dict[str, tuple[str, ...]]:
        """Every acronym with the ids (entities and glossary terms) it can stand for."""
        senses: dict[str, list[str]] = {}
        owners: list[tuple[str, tuple[str, ...]]] = [(e.entity_id, e.acronyms) for e in self.entities]
        owners += [(term.term_id, term.acronyms) for term in self.glossary]
        for owner, acronyms in owners:
            for acronym in acronyms:
                if owner not in senses.setdefault(acronym, []):
                    senses[acronym].append(owner)
        return {acronym: tuple(ids) for acronym, ids in senses.items()}


def split_list(cell: str | None) -> tuple[str, ...]:
    """Split a `|`-separated cell into its stripped, non-empty values."""
    if not cell:
        return ()
    return tuple(value.strip() for value in cell.split(LIST_SEPARATOR) if value.strip())


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Read a UTF-8 CSV file into (line number, row) pairs; line numbers count the header as line 1."""
    if not path.exists():
        raise LexiconError(f"{path} : fichier de lexique introuvable.")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = []
            for row in reader:
                if None in row:
                    raise LexiconError(
                        f"{path}, ligne {reader.line_num} : trop de colonnes (une virgule non protégée par "
                        "des guillemets ?)."
                    )
                rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items()}))
            return rows
    except UnicodeDecodeError as error:
        raise LexiconError(f"{path} : le fichier n'est pas en UTF-8 ({error}).") from error


def row_to_entity(row: dict[str, str], kind: Kind) -> Entity:
    """Build an entity from one row of `partners.csv` or `dispositifs.csv`."""
    return Entity(
        entity_id=row["id"],
        name=row["name"],
        kind=kind,
        acronyms=split_list(row.get("acronyms")),
        aliases=split_list(row.get("aliases")),
        former_names=split_list(row.get("former_names")),
        patterns=(row["patterns"],) if row.get("patterns") else (),
        category=row.get("category", ""),
        scope=row.get("scope", ""),
        themes=split_list(row.get("themes")),
        group=row.get("group", ""),
    )


def row_to_glossary_term(row: dict[str, str]) -> GlossaryTerm:
    """Build a glossary term from one row of `glossary.csv`."""
    return GlossaryTerm(
        term_id=row["id"],
        name=row["name"],
        acronyms=split_list(row.get("acronyms")),
        themes=split_list(row.get("themes")),
        note=row.get("note", ""),
        organisation=(row.get("organisation") or "").strip() == "oui",
    )


def row_to_indicator(row: dict[str, str]) -> Indicator:
    """Build an indicator from one (already validated) row of `indicators.csv`."""
    value = row.get("value_pct", "").replace(",", ".")
    return Indicator(
        indicator_id=row["id"],
        label=row["label"],
        theme=row.get("theme", ""),
        entities=split_list(row.get("entities")),
        role=row.get("role", ""),
        patterns=row.get("patterns", ""),
        near=row.get("near", ""),
        window=int(row["window"]) if row.get("window") else DEFAULT_WINDOW,
        section=row.get("section", ""),
        combine=row.get("combine") or "any",
        min_count=int(row["min_count"]) if row.get("min_count") else 1,
        denominator=row.get("denominator") or "all",
        value_pct=float(value) if value else None,
        qualifier=row.get("qualifier") or "=",
        published=row.get("published", ""),
        source=row.get("source", ""),
        computable=row.get("computable") or "yes",
        note=row.get("note", ""),
    )


def files_version(directory: Path, names: list[str]) -> str:
    """A short hash of the lexicon files' bytes: changes whenever an analyst edits one of them."""
    digest = hashlib.sha256()
    for name in sorted(names):
        path = directory / name
        if path.exists():
            digest.update(name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def lexicon_files_version(directory: Path) -> str:
    """The version of a lexicon folder: a hash of its data files, computed without loading them."""
    names = [p.name for p in Path(directory).iterdir() if p.suffix in {".csv", ".yaml", ".yml"}]
    return files_version(Path(directory), names)


def optional_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The rows of an optional lexicon file, or none when the file is absent."""
    return read_rows(path) if path.exists() else []


def load_lexicon(directory: Path) -> Lexicon:
    """Read and validate partners, dispositifs, themes, ambiguous acronyms, glossary and indicators (once per
    folder and version of its files in a process: a run checks the lexicon before its flow and in it).

    Raises `LexiconError` with the first blocking error (file and line), as `cdv lexicon check` prints it.
    """
    directory = Path(directory)
    return load_lexicon_version(directory.resolve(), lexicon_files_version(directory))


@lru_cache(maxsize=4)
def load_lexicon_version(directory: Path, version: str) -> Lexicon:
    """`load_lexicon` of a folder whose files hash to `version` (errors are raised again on each call)."""
    from pipeline.lexicon_check import check_lexicon  # the checker reads files with this module's helpers

    report = check_lexicon(directory)
    if report.errors:
        raise LexiconError(str(report.errors[0]))
    entities: list[Entity] = []
    for file_name, kind in ((PARTNERS_FILE, "partenaire"), (DISPOSITIFS_FILE, "dispositif")):
        for _, row in read_rows(directory / file_name):
            entities.append(row_to_entity(row, kind))  # type: ignore[arg-type]
    themes = tuple(
        Theme(theme_id=row["id"], name=row["name"], keywords=split_list(row.get("keywords")))
        for _, row in read_rows(directory / THEMES_FILE)
    )
    ambiguous = {row["acronym"]: split_list(row.get("senses")) for _, row in optional_rows(directory / AMBIGUOUS_FILE)}
    glossary = tuple(row_to_glossary_term(row) for _, row in optional_rows(directory / GLOSSARY_FILE))
    indicators = tuple(row_to_indicator(row) for _, row in optional_rows(directory / INDICATORS_FILE))
    variants = load_variants(directory, {entity.entity_id for entity in entities})
    eras = load_eras(directory, {entity.entity_id for entity in entities})
    return Lexicon(
        entities=tuple(entities),
        themes=themes,
        ambiguous=ambiguous,
        version=version,
        glossary=glossary,
        indicators=indicators,
        variants=variants,
        eras=eras,
    )


@dataclass(frozen=True)
class Era:
    """A scheme's first year, the scheme it succeeded, and the names the two shared (`shared`, empty: all of them):
    in a text dated earlier, only a shared name means the scheme before (« PRU »; « NPNRU » never does)."""

    since: int
    earlier: str
    shared: tuple[str, ...] = ()


def load_eras(directory: Path, entity_ids: set[str]) -> dict[str, Era]:
    """Schemes' first years (`eras.csv`: id, since, earlier, shared): in a document dated before it, a scheme's
    shared names mean the scheme it succeeded (`pipeline.era`)."""
    eras: dict[str, Era] = {}
    for line, row in optional_rows(directory / ERAS_FILE):
        entity_id, since, earlier = row.get("id", ""), row.get("since", ""), row.get("earlier", "")
        where = f"{directory / ERAS_FILE}, ligne {line}"
        if entity_id not in entity_ids or earlier not in entity_ids:
            raise LexiconError(
                f"{where} : identifiant inconnu « {entity_id if entity_id not in entity_ids else earlier} »."
            )
        if not since.isdigit() or not 1900 <= int(since) <= 2100:
            raise LexiconError(f"{where} : année « {since} » invalide (quatre chiffres, par exemple 2014).")
        shared = tuple(name.strip() for name in (row.get("shared") or "").split("|") if name.strip())
        eras[entity_id] = Era(int(since), earlier, shared)
    return eras


def load_variants(directory: Path, entity_ids: set[str]) -> tuple[tuple[str, str], ...]:
    """Loose variants (`variants.csv`: entity id, regular expression): candidate mentions that the mention
    classifier accepts or rejects, e.g. a bare "Etat" or "les départements"."""
    variants = []
    for line, row in optional_rows(directory / VARIANTS_FILE):
        entity_id, pattern = row.get("id", ""), row.get("pattern", "")
        if entity_id not in entity_ids:
            raise LexiconError(f"{directory / VARIANTS_FILE}, ligne {line} : identifiant inconnu « {entity_id} ».")
        try:
            re.compile(pattern)
        except re.error as error:
            raise LexiconError(f"{directory / VARIANTS_FILE}, ligne {line} : expression invalide ({error}).") from error
        variants.append((entity_id, pattern))
    return tuple(variants)


def default_lexicon_dir() -> Path:
    """The `lexicons/` folder of the project checkout (the package's parent)."""
    return Path(__file__).resolve().parent.parent / "lexicons"
