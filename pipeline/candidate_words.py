"""Words the candidate proposals and features read from data (`candidate_words.csv` beside this module): the
head words that open an organisation's name ("Inspection générale de l'administration"), the scope adjectives that
make a head word in lower case open one ("la direction générale de l'enseignement scolaire", "le fonds national
des aides à la pierre": French typography writes many institutions in lower case), the words that make a name
outside the lexicons a member of a lexicon group ("Nantes Habitat" is a social landlord: `bailleurs_sociaux`) and
the names of regions and départements (a place, not an organisation). Editing the file changes the candidate
stage's code fingerprint (`pipeline.fingerprint` hashes a module's same-named CSV with its source)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

WORDS_FILE = Path(__file__).with_suffix(".csv")
KINDS = ("tete", "tete_publique", "portee", "membre", "indice_membre", "lieu")


@dataclass(frozen=True)
class CandidateWords:
    """Head words (as written, capitalised), scope adjectives (lower case, masculine and feminine forms), place
    names (as written) and member words with their group of `candidate_words.csv`."""

    heads: tuple[str, ...]
    scopes: tuple[str, ...]
    places: tuple[str, ...]
    members: tuple[tuple[str, str], ...] = ()  # (word as written, lexicon group id)
    public_heads: tuple[str, ...] = ()  # « ministère de l'économie »: a body even in lower case
    member_cues: tuple[tuple[str, str], ...] = ()  # (word written before a member's name, group): « le bailleur X »

    def __post_init__(self) -> None:
        if not self.heads:
            raise ValueError("candidate_words.csv : aucun mot de tête (kind = tete).")


@lru_cache(maxsize=1)
def candidate_words(path: Path = WORDS_FILE) -> CandidateWords:
    """The words of the data file, by kind (unknown kinds are an error: a typo would drop words silently)."""
    by_kind: dict[str, list[str]] = {kind: [] for kind in KINDS}
    members: list[tuple[str, str]] = []
    member_cues: list[tuple[str, str]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            kind, word = (row.get("kind") or "").strip(), (row.get("word") or "").strip()
            group = (row.get("group") or "").strip()
            if kind not in by_kind or not word or (kind in ("membre", "indice_membre")) != bool(group):
                raise ValueError(
                    f"{path.name}:{line} : type de mot inconnu, mot vide ou groupe manquant ({kind!r}, {word!r}, "
                    f"{group!r}) ; seuls les mots de type « membre » et « indice_membre » ont un groupe."
                )
            by_kind[kind].append(word)
            if group:
                (members if kind == "membre" else member_cues).append((word, group))
    return CandidateWords(
        heads=tuple(by_kind["tete"]),
        scopes=tuple(by_kind["portee"]),
        places=tuple(by_kind["lieu"]),
        members=tuple(members),
        public_heads=tuple(by_kind["tete_publique"]),
        member_cues=tuple(member_cues),
    )
