"""Acronyms and the names they spell: « ADCF » is « Assemblée des communautés de France », « PDIAE » the « plan
départemental d'insertion par l'activité économique », the small words used or left out."""

from __future__ import annotations

import re
import unicodedata

FUNCTION_WORDS = frozenset(
    {
        "de",
        "des",
        "du",
        "d",
        "la",
        "le",
        "les",
        "l",
        "un",
        "une",
        "et",
        "pour",
        "par",
        "en",
        "a",
        "à",
        "au",
        "aux",
        "sur",
    }
)
NAME_WORD = re.compile(r"[^\W\d_]+")


def spells(letters: str, words: list[str]) -> bool:
    """Whether `letters` are the initials of `words`, every word but a function word (« de », « l' ») used."""
    if not words:
        return not letters
    first, rest = words[0], words[1:]
    uses = bool(letters) and letters[0] == initial(first) and spells(letters[1:], rest)
    return uses or (first.lower() in FUNCTION_WORDS and spells(letters, rest))


def letters_of(acronym: str) -> str:
    """An acronym's letters, upper-cased without accents (« AdCF » -> « ADCF »)."""
    return "".join(initial(c) for c in acronym if c.isalpha())


def initial(word: str) -> str:
    """A word's first letter, upper-cased without its accent (« économique » -> « E »)."""
    return unicodedata.normalize("NFD", word[:1])[:1].upper()


def spells_name(acronym: str, name: str) -> bool:
    """Whether an acronym of two letters or more has the initials of a name's words, its small words used or left
    out (« SOHP » and « Seine Ouest Habitat et Patrimoine »)."""
    letters = letters_of(acronym)
    return len(letters) >= 2 and spells(letters, NAME_WORD.findall(name))
