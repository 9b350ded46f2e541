"""Normalise page text so that the same words always look the same to the matcher.

Two levels: `normalise_line` folds Unicode variants inside one line (used while assembling pages,
so that block offsets stay exact), and `join_hyphenated` decides whether a hyphen at the end of a
line is typographic hyphenation (removed) or part of a compound word (kept).

De-hyphenation rule (documented decision): a word cut at a line end is joined back *without* the
hyphen unless the cut looks like a real compound, that is when
1. the continuation starts with a capital or a digit ("Saint-Gaudens", "Pays-de-la-Loire", "2024-2030");
2. the left part is a known French compound prefix ("sous-préfecture", "bien-être", "co-construction")
   or the right part a known compound suffix ("vis-à-vis", "peut-être", "elle-même");
3. the hyphenated form occurs elsewhere in the same document, and the joined form does not.
Otherwise, and when the joined word occurs elsewhere in the document, the hyphen is dropped
("commu-nauté" -> "communauté"). In both cases the line break disappears, so a name cut over two
lines is matched as one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

TYPOGRAPHIC_REPLACEMENTS = {
    "\u2019": "'",  # right single quotation mark, the usual French apostrophe
    "\u2018": "'",
    "\u02bc": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u00a0": " ",  # non-breaking space
    "\u202f": " ",  # narrow non-breaking space
    "\u2009": " ",  # thin space
    "\u2007": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\u2004": " ",
    "\u2005": " ",
    "\u2006": " ",
    "\u2008": " ",
    "\u200a": " ",
    "\u205f": " ",
    "\u3000": " ",
    "\t": " ",
    "\u00ad": "",  # soft hyphen
    "\u200b": "",  # zero-width space, joiners, byte order mark
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufeff": "",
    "\u2010": "-",
    "\u2011": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
    "\r\n": "\n",
    "\r": "\n",
    "\x00": "",
}
REPLACEMENT_PATTERN = re.compile("|".join(re.escape(key) for key in TYPOGRAPHIC_REPLACEMENTS))
# Control characters (other than newline), non-characters and lone surrogates: never text.
SPACE_RUNS = re.compile(r" {2,}")
# A lower-case word cut by a hyphen at the end of a line, continued in lower case on the next one.
LINE_END_HYPHEN = re.compile(r"(?<=[a-zàâäçéèêëîïôöùûüœæ])-[ \t]*\n[ \t]*(?=[a-zàâäçéèêëîïôöùûüœæ])")
TRAILING_SPACES = re.compile(r"[ \t]+\n")
HYPHEN_MARKERS = "\ufffe\x02"  # what PDFium puts in place of a hyphen at a line end
WORD_TAIL = re.compile(r"([^\W\d_]+)$")
WORD_HEAD = re.compile(r"^([^\W_]+)")


def word_set(words: str) -> frozenset[str]:
    """A set of words written one after the other, separated by white space."""
    return frozenset(words.split())


COMPOUND_PREFIXES = word_set(
    """
    saint sainte saints saintes grand grande grands grandes petit petite petits petites demi semi mi
    anti non quasi après avant arrière contre entre sous sur vice ex post pré pro haut haute bas basse
    nord sud est ouest porte garde bien mal plus moins auto co néo extra intra inter multi pluri ultra
    socio médico psycho franco euro afro gréco judéo politico technico éco bio rendez peut est c'est vis
    chef beau belle arc tout toute lieu
    """
)
COMPOUND_SUFFIXES = word_set(
    """
    même mêmes être ci là dire vis ce on il ils elle elles nous vous je tu t-il t-elle t-on midi faire
    """
)


def _translation_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord(k): v for k, v in TYPOGRAPHIC_REPLACEMENTS.items() if len(k) == 1}
    for code in (*range(0x01, 0x20), *range(0x7F, 0xA0), 0xFFFE, 0xFFFF):
        table.setdefault(code, None)
    table[ord("\n")] = " "
    table[ord("\t")] = " "
    for code in range(0xE000, 0xF900):  # symbol-font bullets (Wingdings, Symbol)
        table[code] = "•"
    for code in range(0xD800, 0xE000):  # lone surrogates
        table[code] = None
    return table


LINE_TABLE = _translation_table()


def normalise_line(raw: str) -> str:
    """One line, folded: NFC, ligatures, apostrophes, quotes, spaces; control characters dropped."""
    text = raw if unicodedata.is_normalized("NFC", raw) else unicodedata.normalize("NFC", raw)
    text = text.translate(LINE_TABLE)
    if "  " in text:
        text = SPACE_RUNS.sub(" ", text)
    return text.strip()


def normalise_text(raw: str) -> str:
    """Whole text: each line normalised, lower-case words cut at line ends joined."""
    text = unicodedata.normalize("NFC", raw)
    text = REPLACEMENT_PATTERN.sub(lambda match: TYPOGRAPHIC_REPLACEMENTS[match.group(0)], text)
    text = "\n".join(normalise_line(line) for line in text.split("\n"))
    text = LINE_END_HYPHEN.sub("", text)
    return TRAILING_SPACES.sub("\n", text).strip("\n")


def keep_hyphen(left: str, right: str, attested: Callable[[str], bool] | None = None) -> bool:
    """Whether `left`-`right` (cut at a line end) is a real compound whose hyphen must stay."""
    left_word = WORD_TAIL.search(left)
    right_word = WORD_HEAD.search(right)
    if not left_word or not right_word:
        return True  # "2024-", "- item": not a word cut, keep what is written
    head, tail = left_word.group(1), right_word.group(1)
    if tail[0].isupper() or tail[0].isdigit():
        return True
    if head.lower() in COMPOUND_PREFIXES or tail.lower() in COMPOUND_SUFFIXES:
        return True
    if attested is not None:
        if attested(f"{head}-{tail}".lower()):
            return not attested(f"{head}{tail}".lower())
        return False
    return False


def join_hyphenated(left: str, right: str, attested: Callable[[str], bool] | None = None) -> str:
    """Join two lines when the first ends with a cut word (its trailing hyphen already removed)."""
    separator = "-" if keep_hyphen(left, right, attested) else ""
    return f"{left}{separator}{right}"


def ends_with_cut_word(line: str) -> bool:
    """A line ending in a letter followed by a hyphen: a candidate for de-hyphenation."""
    return len(line) >= 2 and line[-1] == "-" and line[-2].isalpha()
