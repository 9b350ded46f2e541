"""Load the analyst-editable lexicons (`lexicons/*.csv`) into typed entities and themes.

The files are the only source of names, acronyms and theme cues: the matcher never holds a copy.
Multi-valued cells are separated by `|`, except `patterns`, which holds one regular expression
(whose own `|` are alternatives). See `lexicons/README.md` for the format.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.types import Entity, Kind, Theme

PARTNERS_FILE = "partners.csv"
DISPOSITIFS_FILE = "dispositifs.csv"
THEMES_FILE = "themes.csv"
AMBIGUOUS_FILE = "ambiguous.csv"
LIST_SEPARATOR = "|"


class LexiconError(Exception):
    """A lexicon file cannot be used; the message names the file and line (in French)."""


@dataclass(frozen=True)
class Lexicon:
    """Every entity and theme the pipeline knows, plus the version hash of the files they came from."""

    entities: tuple[Entity, ...]
    themes: tuple[Theme, ...]
    ambiguous: dict[str, tuple[str, ...]] = field(default_factory=dict)
    version: str = ""

    def by_id(self) -> dict[str, Entity]:
        return {entity.entity_id: entity for entity in self.entities}

    @property
    def partners(self) -> tuple[Entity, ...]:
        return tuple(e for e in self.entities if e.kind == "partenaire")

    @property
    def dispositifs(self) -> tuple[Entity, ...]:
        return tuple(e for e in self.entities if e.kind == "dispositif")


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


def files_version(directory: Path, names: list[str]) -> str:
    """A short hash of the lexicon files' bytes: changes whenever an analyst edits one of them."""
    digest = hashlib.sha256()
    for name in sorted(names):
        path = directory / name
        if path.exists():
            digest.update(name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def load_lexicon(directory: Path) -> Lexicon:
    """Read partners, dispositifs, themes and ambiguous acronyms from a lexicon folder."""
    directory = Path(directory)
    entities: list[Entity] = []
    for file_name, kind in ((PARTNERS_FILE, "partenaire"), (DISPOSITIFS_FILE, "dispositif")):
        for line, row in read_rows(directory / file_name):
            if not row.get("id") or not row.get("name"):
                raise LexiconError(f"{directory / file_name}, ligne {line} : id ou nom vide.")
            entities.append(row_to_entity(row, kind))  # type: ignore[arg-type]
    themes = tuple(
        Theme(theme_id=row["id"], name=row["name"], keywords=split_list(row.get("keywords")))
        for _, row in read_rows(directory / THEMES_FILE)
    )
    ambiguous: dict[str, tuple[str, ...]] = {}
    if (directory / AMBIGUOUS_FILE).exists():
        for _, row in read_rows(directory / AMBIGUOUS_FILE):
            ambiguous[row["acronym"]] = split_list(row.get("senses"))
    version = files_version(
        directory, [p.name for p in directory.iterdir() if p.suffix in {".csv", ".yaml", ".yml"}]
    )
    return Lexicon(entities=tuple(entities), themes=themes, ambiguous=ambiguous, version=version)


def default_lexicon_dir() -> Path:
    """The `lexicons/` folder of the project checkout (the package's parent)."""
    return Path(__file__).resolve().parent.parent / "lexicons"
