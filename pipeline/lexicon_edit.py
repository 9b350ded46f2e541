"""Add an organisation to the lexicon files: what the review app calls when an analyst accepts a candidate.

`add_partner` appends one row to `partners.csv` (entity, category, group, optional acronyms and aliases),
writes the file atomically, validates the whole folder with `pipeline.lexicon_check` and restores the
previous file when the result is not valid; the next `cdv run` or `cdv tables` matches the new entity.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import CdvError
from pipeline.lexicon import PARTNERS_FILE, read_rows
from pipeline.lexicon_check import CATEGORIES, ID_FORMAT, check_lexicon


class LexiconEditError(CdvError):
    """The organisation cannot be added (message in French, names the file)."""


@dataclass(frozen=True)
class NewPartner:
    """An organisation to add: the analyst's two choices (category, group) and what the candidate gives."""

    name: str
    category: str
    group: str = ""
    acronyms: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    entity_id: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise LexiconEditError("nom d'organisation vide.")
        if self.category not in CATEGORIES:
            raise LexiconEditError(
                f"catégorie inconnue « {self.category} » (admises : {', '.join(sorted(CATEGORIES))})."
            )
        for value in (self.name, *self.acronyms, *self.aliases, self.note):
            if "|" in value or "\n" in value:
                raise LexiconEditError(f"caractère interdit (| ou retour à la ligne) dans « {value[:40]} ».")


def name_to_entity_id(name: str) -> str:
    """A stable id from a name: lower case, accents stripped, words joined by `_` ("Ville et Banlieue" ->
    "ville_et_banlieue")."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = "_".join(re.findall(r"[a-z0-9]+", folded))[:60].strip("_")
    return slug if slug and slug[0].isalpha() else f"org_{slug}"


def write_atomic(path: Path, text: str) -> None:
    """Replace a file by writing a temporary file beside it first."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def add_partner(lexicon_dir: Path, partner: NewPartner) -> str:
    """Append the organisation to `partners.csv`; return its id. Refuses an id, name or acronym already
    used, and any change that would make the lexicons invalid (the file is then left as it was)."""
    path = Path(lexicon_dir) / PARTNERS_FILE
    original = path.read_text(encoding="utf-8")
    rows = [row for _, row in read_rows(path)]
    entity_id = partner.entity_id or name_to_entity_id(partner.name)
    if not ID_FORMAT.match(entity_id):
        raise LexiconEditError(f"{path} : identifiant invalide « {entity_id} ».")
    if any(row["id"] == entity_id for row in rows):
        raise LexiconEditError(f"{path} : l'identifiant « {entity_id} » existe déjà.")
    if partner.group and not any(row["id"] == partner.group for row in rows):
        raise LexiconEditError(f"{path} : groupe inconnu « {partner.group} ».")
    header = next(csv.reader(io.StringIO(original)))
    values = {
        "id": entity_id,
        "name": partner.name.strip(),
        "acronyms": "|".join(partner.acronyms),
        "aliases": "|".join(partner.aliases),
        "category": partner.category,
        "group": partner.group,
        "note": partner.note or "Ajouté depuis les candidats hors lexique.",
    }
    line = io.StringIO()
    csv.writer(line, lineterminator="\n").writerow([values.get(column, "") for column in header])
    write_atomic(path, original.rstrip("\n") + "\n" + line.getvalue())
    report = check_lexicon(Path(lexicon_dir))
    if report.errors:
        write_atomic(path, original)
        raise LexiconEditError(str(report.errors[0]))
    return entity_id
