"""Party lists: the parties of a convention named with who represents them (« Entre : la Région …, représentée par
…, d'une part, Et : …, d'autre part », « Entre les soussignés : » one party a line), and the representatives listed
after a sentence saying who signed. They sign it, like the blocks of a signature section (`pipeline.structure`)."""

from __future__ import annotations

import re

from pipeline.types import ExtractedDocument

PARTY_START = re.compile(r"^[ \t]*(?:ENTRE|Entre|ET|Et)\b[ \t]*:?[ \t]*", re.MULTILINE)
PARTY_LIST_OPENER = re.compile(  # "Entre les soussignés :", "Entre les partenaires suivants :", "ENTRE" alone,
    r"^[ \t]*(?:ENTRE|Entre)(?:[ \t]*:?|\s+[^\n]{0,80}?(?:soussign|SOUSSIGN)\w*[ \t]*:?|\s+[^\n]{0,80}:)[ \t]*$"
    r"|^[^\n]{0,120}\b(?:entre|ENTRE)[ \t]*:?[ \t]*$",  # "Convention de partenariat entre"
    re.M,
)
SIGNING_LIST_OPENER = re.compile(  # « Les acteurs ci-dessous ont signé le 08 janvier une convention … : »
    r"^[^\n]{0,240}\b(?:sign[ée]e?s?|signent|ont\s+sign[ée])\b[^\n]{0,200}(?::|\bentre)[ \t]*$", re.M | re.I
)
REPRESENTATIVE_LINE = re.compile(  # « - Le préfet de la Lozère, X. », « - X., Présidente du CIDFF 26 »
    r"^[ \t]*[-–•·*][ \t]*(?:(?:[A-Z]\.|[A-ZÉ][\w’'-]+)[ \t]*,[ \t]*)?(?:(?:le|la|Le|La|M\.|Mme)[ \t]+)?"
    r"(?:vice-)?(?:pr[ée]f[eè]te?|procureure?|pr[ée]sidente?|directeur|directrice|maire|commandant|recteur|rectrice|"
    r"d[ée]l[ée]gu[ée]e?|secr[ée]taire|chef|cheffe)\b",
    re.I | re.M,
)
# a clause ends at « d'une part », a blank line or a line's closing full stop, unless the next line says who represents
# the party (« … SIREN : 390 328 623.\nReprésenté par Monsieur X. », rsq20)
PARTY_END = re.compile(
    r"d['’](?:une|autre)\s+part\b[^\n]*|\.[ \t]*(?=\n(?![ \t]*(?:repr[ée]sent|agissant)))|\n[ \t]*\n", re.IGNORECASE
)
REPRESENTED = re.compile(r"\brepr[ée]sent[ée]e?s?\s+par\b|\bagissant\s+(?:en\s+(?:sa|leur)\s+qualit|au\s+nom)", re.I)
PARTY_MAX_CHARS = 700


def party_clauses(text: str) -> tuple[tuple[int, int], ...]:
    """The clauses of party lists ("Entre : la Région …, représentée par …, d'une part, Et : …, d'autre
    part"): the parties of the convention, who sign it. A list opens with "Entre", each clause names who
    represents the party, and the next clause follows at once; a list of one clause is none. Lists of one
    party a line after an opening line are `party_line_clauses`."""
    starts = [m.start() for m in PARTY_START.finditer(text)]
    runs: list[list[tuple[int, int]]] = []
    for index, start in enumerate(starts):
        limit = min(starts[index + 1] if index + 1 < len(starts) else len(text), start + PARTY_MAX_CHARS)
        ended = PARTY_END.search(text, start, limit)
        end = ended.end() if ended else limit
        if not REPRESENTED.search(text, start, end):
            continue
        if text[start:end].lstrip()[:5].lower() == "entre":
            runs.append([(start, end)])
        elif runs and not text[runs[-1][-1][1] : start].strip():
            runs[-1].append((start, end))
    listed = [clause for run in runs if len(run) >= 2 for clause in run]
    return tuple(sorted({*listed, *party_line_clauses(text)}))


def party_line_clauses(text: str) -> list[tuple[int, int]]:
    """The lines of a party list opened by a line of its own (« Entre les soussignés : », « Entre les
    partenaires suivants : », « ENTRE »), one party a line (or two: its name, then « représentée par … »),
    each naming who represents it, and the bulleted representatives after a sentence saying who signed; a list of
    one party is none."""
    clauses: list[tuple[int, int]] = []
    for opener in PARTY_LIST_OPENER.finditer(text):
        clauses += listed_parties(text, opener.end() + 1)
    for opener in SIGNING_LIST_OPENER.finditer(text):
        clauses += listed_representatives(text, opener.end() + 1)
    return clauses


def listed_representatives(text: str, position: int) -> list[tuple[int, int]]:
    """The bulleted lines after a sentence saying who signed, each naming a representative by title (« une convention
    … a été signée entre : - Le préfet de la Lozère, X. - Le procureur de la République, X. »); fewer than two is
    none."""
    found: list[tuple[int, int]] = []
    while position < len(text):
        line_end = text.find("\n", position)
        line_end = len(text) if line_end < 0 else line_end
        if REPRESENTATIVE_LINE.match(text, position, line_end) is None:
            break
        found.append((position, line_end))
        position = line_end + 1
    return found if len(found) >= 2 else []


def listed_parties(text: str, position: int) -> list[tuple[int, int]]:
    """The parties listed one a line (or two: its name, then « représentée par … ») from `position`, each naming
    who represents it; fewer than two is none."""
    found: list[tuple[int, int]] = []
    while position < len(text):
        line_end = text.find("\n", position)
        line_end = len(text) if line_end < 0 else line_end
        if not text[position:line_end].strip():
            position = line_end + 1
            continue
        next_end = text.find("\n", line_end + 1)
        next_end = len(text) if next_end < 0 else next_end
        if REPRESENTED.search(text, position, line_end):
            found.append((position, line_end))
        elif line_end < len(text) and REPRESENTED.search(text, line_end + 1, next_end):
            found.append((position, next_end))
            line_end = next_end
        else:
            break
        position = line_end + 1
    return found if len(found) >= 2 else []


def find_party_spans(document: ExtractedDocument) -> dict[int, tuple[tuple[int, int], ...]]:
    """Party lists of the contract, per page."""
    return {page.number: found for page in document.pages if (found := party_clauses(page.text))}
