"""Edit the lexicon files from the review app: add an organisation or a scheme, add an alias.

Every edit is checked as `cdv lexicon check` would check it, on a copy of the folder, before the file is
replaced atomically: an edit that would make the lexicons invalid (a name already owned by another entity,
an unknown category or theme) is refused with the checker's French message and changes nothing. Only the
edited line is written; the other lines keep their bytes. The next run (or `cdv tables`) uses the new row.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import CdvError
from pipeline.files import atomic_write_text
from pipeline.lexicon import DISPOSITIFS_FILE, LIST_SEPARATOR, PARTNERS_FILE, split_list
from pipeline.lexicon_check import CATEGORIES, SCOPES, check_lexicon

KIND_FILES = {"partenaire": PARTNERS_FILE, "dispositif": DISPOSITIFS_FILE}
MAX_NAME = 150
FORMULA_START = ("=", "+", "-", "@")
ID_MAX = 40


class LexiconEditError(CdvError):
    """An edit of the lexicons is refused; the message (French) says why and nothing was written."""


def clean_text(value: str, what: str) -> str:
    """One line of text, trimmed; refused when it could be read as a spreadsheet formula or holds `|`."""
    text = " ".join(str(value).split())
    if len(text) > MAX_NAME:
        raise LexiconEditError(f"{what} trop long ({len(text)} caractères, {MAX_NAME} au plus).")
    if text.startswith(FORMULA_START):
        raise LexiconEditError(f"{what} « {text} » : ne peut pas commencer par {', '.join(FORMULA_START)}.")
    if LIST_SEPARATOR in text:
        raise LexiconEditError(f"{what} « {text} » : le caractère | sépare les valeurs, il ne peut pas y figurer.")
    return text


@dataclass(frozen=True)
class NewEntity:
    """A partner or scheme to add: its name, kind and the columns an analyst fills in."""

    name: str
    kind: str = "partenaire"
    acronyms: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    category: str = ""
    scope: str = ""
    themes: tuple[str, ...] = ()
    group: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KIND_FILES:
            raise LexiconEditError(f"nature « {self.kind} » inconnue (partenaire ou dispositif).")
        if not clean_text(self.name, "nom"):
            raise LexiconEditError("le nom de l'entité est vide.")
        for value in (*self.acronyms, *self.aliases):
            clean_text(value, "sigle ou variante")
        if self.kind == "partenaire":
            if self.category and self.category not in CATEGORIES:
                raise LexiconEditError(
                    f"catégorie « {self.category} » inconnue (admises : {', '.join(sorted(CATEGORIES))})."
                )
            if self.scope:
                raise LexiconEditError("un partenaire n'a pas de portée (réservée aux dispositifs).")
        else:
            if self.scope not in SCOPES:
                raise LexiconEditError(f"portée « {self.scope} » : choisissez {' ou '.join(sorted(SCOPES))}.")
            if self.category or self.group:
                raise LexiconEditError("un dispositif n'a ni catégorie ni groupe.")


def name_to_id(name: str, taken: set[str]) -> str:
    """A stable lexicon id from a name (`Régie de quartier Ouest` -> `regie_de_quartier_ouest`), unique."""
    folded = unicodedata.normalize("NFD", name.replace("œ", "oe").replace("Œ", "oe"))
    folded = "".join(char for char in folded if not unicodedata.combining(char)).lower()
    base = re.sub(r"[^a-z0-9]+", "_", folded).strip("_")[:ID_MAX].strip("_") or "entite"
    if not base[0].isalpha():
        base = "e_" + base
    candidate, number = base, 2
    while candidate in taken:
        candidate = f"{base}_{number}"
        number += 1
    return candidate


def lexicon_ids(lexicon_dir: Path) -> set[str]:
    """Every id declared in the partner and scheme files."""
    ids: set[str] = set()
    for file in KIND_FILES.values():
        for row in read_dicts(Path(lexicon_dir) / file)[1]:
            ids.add(row.get("id", ""))
    return ids


def read_dicts(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a lexicon CSV."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.DictReader(stream)
            rows = list(reader)
            return list(reader.fieldnames or []), rows
    except OSError as error:
        raise LexiconEditError(f"{path} illisible ({error.strerror}).") from error


def row_line(header: list[str], values: dict[str, str]) -> str:
    """One CSV line (minimal quoting, `\\n`) in the header's column order."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([values.get(column, "") for column in header])
    return buffer.getvalue()


def checked_write(lexicon_dir: Path, file: str, text: str) -> None:
    """Write `file` with `text` if the lexicon folder stays valid, else raise the checker's first error."""
    lexicon_dir = Path(lexicon_dir)
    with tempfile.TemporaryDirectory(prefix="cdv-lexique-") as scratch:
        copy = Path(scratch) / "lexicons"
        shutil.copytree(lexicon_dir, copy, ignore=shutil.ignore_patterns(".*"))
        (copy / file).write_text(text, encoding="utf-8")
        report = check_lexicon(copy)
        if report.errors:
            raise LexiconEditError(f"modification refusée : {report.errors[0]}")
    atomic_write_text(lexicon_dir / file, text)


def add_entity(lexicon_dir: Path, entity: NewEntity, entity_id: str = "") -> str:
    """Append a partner or scheme row; returns its id (made from the name unless given)."""
    lexicon_dir = Path(lexicon_dir)
    file = KIND_FILES[entity.kind]
    path = lexicon_dir / file
    header, _ = read_dicts(path)
    taken = lexicon_ids(lexicon_dir)
    entity_id = entity_id or name_to_id(entity.name, taken)
    if entity_id in taken:
        raise LexiconEditError(f"l'identifiant « {entity_id} » existe déjà dans les lexiques.")
    values = {
        "id": entity_id,
        "name": clean_text(entity.name, "nom"),
        "acronyms": LIST_SEPARATOR.join(clean_text(a, "sigle") for a in entity.acronyms if a.strip()),
        "aliases": LIST_SEPARATOR.join(clean_text(a, "variante") for a in entity.aliases if a.strip()),
        "category": entity.category,
        "scope": entity.scope,
        "themes": LIST_SEPARATOR.join(entity.themes),
        "group": entity.group,
        "note": clean_text(entity.note, "note"),
    }
    missing = [name for name in ("category", "group", "scope") if values[name] and name not in header]
    if missing:
        raise LexiconEditError(f"{file} n'a pas de colonne {', '.join(missing)}.")
    current = path.read_text(encoding="utf-8")
    if current and not current.endswith("\n"):
        current += "\n"
    checked_write(lexicon_dir, file, current + row_line(header, values))
    return entity_id


def add_alias(lexicon_dir: Path, entity_id: str, alias: str) -> None:
    """Add a variant name to an entity (only its line is rewritten)."""
    lexicon_dir = Path(lexicon_dir)
    alias = clean_text(alias, "variante")
    if not alias:
        raise LexiconEditError("la variante est vide.")
    for file in KIND_FILES.values():
        path = lexicon_dir / file
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        header = next(csv.reader(lines[:1]))
        for index, line in enumerate(lines[1:], start=1):
            cells = next(csv.reader([line]), [])
            if not cells or cells[0] != entity_id:
                continue
            values = dict(zip(header, cells, strict=False))
            aliases = list(split_list(values.get("aliases", "")))
            if alias in aliases:
                return
            values["aliases"] = LIST_SEPARATOR.join([*aliases, alias])
            lines[index] = row_line(header, values)
            checked_write(lexicon_dir, file, "".join(lines))
            return
    raise LexiconEditError(f"entité « {entity_id} » absente des lexiques.")
