"""Wide span proposals for organisations outside the lexicons, which the candidate scorer accepts or rejects.

Beside the patterns of `pipeline.candidates` (legal-form words, "Pour …" lines, defined acronyms), a name is
proposed when it is written as one: every maximal run of capitalised words (inner particles de/du/des/d'/l'/la/
et/pour/sur/en allowed: "Apprentis d'Auteuil", "Villes de France"), mixed-case acronyms ("DGFiP"), the name
after a cue word ("le bailleur Vilogia", "l'association X"), and acronyms linked to their expansion both ways
("ACIF (Association …)", "Association … (ACIF)"). Most proposals are not organisations: `pipeline.candidate_score`
decides, with a calibrated model, which are shown to analysts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.match import text_to_snippet

UPPER = "A-ZÀ-ÖØ-ÝŒ"
CAP_WORD = rf"[{UPPER}][\w’'&.-]*\w|[{UPPER}]"
PARTICLES = r"de|du|des|la|le|les|et|pour|sur|en|aux|au|à"
CAP_RUN = re.compile(
    rf"(?:(?<=\b[lLdD]['’])|(?<![\w'’-]))(?:{CAP_WORD})(?: (?:(?:{PARTICLES}) ){{0,2}}(?:[dl]['’])?(?:{CAP_WORD}))*"
)
LEADING_WORDS = re.compile(r"^(?:[\w’]+ |[dlDL]['’])")
CUE_WORDS = (
    "association",
    "bailleur",
    "bailleur social",
    "fondation",
    "réseau",
    "entreprise",
    "société",
    "organisme",
    "structure",
    "fédération",
    "coopérative",
    "groupe",
    "club",
    "collectif",
    "cabinet",
    "opérateur",
    "compagnie",
    "régie",
    "mutuelle",
    "union",
    "agence",
    "centre social",
    "maison",
)
CUE_NAME = re.compile(
    r"\b(?P<cue>(?:[Ll]['’]|[Ll]es? |[Ll]a |[Uu]ne? |[Aa]u |[Dd]u |[Dd]e l['’]|[Dd]e la )"
    rf"(?:{'|'.join(CUE_WORDS)})s?) (?P<name>{CAP_RUN.pattern})"
)
NAME_THEN_ACRONYM = re.compile(r"\((?P<acr>[A-Z][A-Za-z&]{1,9})\)")
ACRONYM_THEN_NAME = re.compile(
    rf"(?<![\w-])(?P<acr>[A-Z][A-Za-z&]{{1,9}})[ \t]*\((?P<name>[{UPPER}][^()\n]{{3,140}})\)"
)
MIXED_ACRONYM = re.compile(r"(?<![\w'’-])(?=[A-Z][a-z]*[A-Z])[A-Z][A-Za-z]{2,9}(?![\w'’-])")
NAME_WORD = re.compile(r"[A-Za-zÀ-ÿ][\w-]*")
AND = re.compile(r" et ")
MAX_DEFINITION_WORDS = 15


def strip_leading(name: str, start: int, stop_words: frozenset[str]) -> tuple[str, int]:
    """A capitalised run without the function words a sentence starts with ("Dans Lille" gives "Lille",
    "L'association X" gives "X"): leading words that are French stop words, or that the run left in lower
    case after an elided article, are dropped."""
    while True:
        found = LEADING_WORDS.match(name)
        word = found.group(0).strip(" \t'’") if found else ""
        if found is None or (word.lower() not in stop_words and word.lower() not in ("l", "d") and word[:1].isupper()):
            return name, start
        if found.end() >= len(name):
            return "", start
        name, start = name[found.end() :], start + found.end()


def capitalised_runs(text: str, stop_words: frozenset[str]) -> Iterator[tuple[int, int, str]]:
    """(start, end, name) of every maximal run of capitalised words of a page, leading stop words dropped."""
    for match in CAP_RUN.finditer(text):
        name, start = strip_leading(match.group(0), match.start(), stop_words)
        if name and name.lower() not in stop_words:
            yield start, start + len(name), name
            cuts = [start, *(m for found in AND.finditer(name) for m in (start + found.start(), start + found.end()))]
            if len(cuts) > 1:  # "Villes de France et Vilogia": each part too
                for left, right in zip(cuts[::2], [*cuts[1::2], start + len(name)], strict=True):
                    part, part_start = strip_leading(text[left:right], left, stop_words)
                    if part and part.lower() not in stop_words:
                        yield part_start, part_start + len(part), part


def cue_names(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, name, cue) of names written after a cue word ("le bailleur Vilogia")."""
    for match in CUE_NAME.finditer(text):
        cue = match.group("cue").split()[-1].split("'")[-1].split("’")[-1].lower()
        yield match.start("name"), match.end("name"), match.group("name"), cue.rstrip("s") or cue


def defined_names(text: str, fits: object) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, name, acronym) of names written with their acronym, either way: the shortest run of words
    before "(ACR)" whose initials spell the acronym, or the expansion in brackets after the acronym."""
    assert callable(fits)
    for match in NAME_THEN_ACRONYM.finditer(text):
        acronym = match.group("acr")
        words = list(NAME_WORD.finditer(text, max(0, match.start() - 200), match.start()))
        if not words or match.start() - words[-1].end() > 2:
            continue
        for size in range(2, min(len(words), MAX_DEFINITION_WORDS) + 1):
            first = words[-size]
            if first.group(0)[0] == acronym[0] and fits(text[first.start() : words[-1].end()], acronym):
                if "\n\n" not in text[first.start() : words[-1].end()]:
                    yield first.start(), words[-1].end(), text[first.start() : words[-1].end()], acronym
                break
    for match in ACRONYM_THEN_NAME.finditer(text):
        name, acronym = match.group("name").strip(), match.group("acr")
        if len(name.split()) >= 2 and fits(name, acronym):
            yield match.start("name"), match.start("name") + len(name), name, acronym


def mixed_acronyms(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, acronym) of acronyms in mixed case with two capitals or more ("DGFiP", "CCMSA", "UnaPei")."""
    for match in MIXED_ACRONYM.finditer(text):
        yield match.start(), match.end(), match.group(0)


def snippet_of(text: str, start: int, end: int) -> str:
    return text_to_snippet(text, start, end)
