"""The text patterns of the indicator grid in words, for readers: `commissions? thematiques?|groupes? (?:de
travail|thematiques?)` is shown as « commission(s) thématique(s) », « groupe(s) de travail », « groupe(s)
thématique(s) ».

Patterns are regular expressions on folded text (see `lexicons/README.md`); a small parser reads the subset
the grid uses (literals, `?`, `*`, `+`, groups, alternatives, character sets, `\\w`, `\\b`) and spells every
alternative out when there are few, or keeps them together as « a / b » otherwise. Accents come back from the
lexicons' own French words (labels, names, theme keywords): a word never seen there stays folded.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

MAX_VARIANTS = 6
ELLIPSIS = "…"
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)


@dataclass
class Piece:
    """What one part of a pattern can read as: its variants, and a compact form when they are many."""

    variants: list[str]
    compact: str


class PatternReader:
    """A recursive-descent reader of one pattern."""

    def __init__(self, pattern: str) -> None:
        self.text = pattern
        self.at = 0

    def peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def take(self) -> str:
        char = self.peek()
        self.at += 1
        return char

    def alternation(self) -> Piece:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.take()
            branches.append(self.sequence())
        variants = unique(v for branch in branches for v in branch.variants)
        return Piece(variants, " / ".join(branch.compact for branch in branches))

    def sequence(self) -> Piece:
        pieces: list[Piece] = []
        while self.peek() not in ("", "|", ")"):
            pieces.append(self.quantified(self.atom()))
        variants = [""]
        for piece in pieces:
            variants = [left + right for left in variants for right in piece.variants]
            if len(variants) > MAX_VARIANTS:
                compact = "".join(p.compact for p in pieces)
                return Piece([compact], compact)
        return Piece(unique(variants), "".join(p.compact for p in pieces) if len(variants) > 1 else variants[0])

    def atom(self) -> Piece:
        char = self.take()
        if char == "(":
            if self.text.startswith("?:", self.at):
                self.at += 2
            inner = self.alternation()
            if self.peek() == ")":
                self.take()
            return Piece(inner.variants, inner.compact if len(inner.variants) == 1 else f"({inner.compact})")
        if char == "[":
            return self.char_set()
        if char == "\\":
            escaped = self.take()
            if escaped == "b":
                return Piece([""], "")
            if escaped == "s":
                return Piece([" "], " ")
            if escaped in "wWdDS":
                return Piece([ELLIPSIS], ELLIPSIS)
            return Piece([escaped], escaped)
        if char == ".":
            return Piece([ELLIPSIS], ELLIPSIS)
        if char in "^$":
            return Piece([""], "")
        return Piece([char], char)

    def char_set(self) -> Piece:
        members = []
        while self.peek() not in ("", "]"):
            char = self.take()
            if char == "\\":
                char = self.take()
            members.append(char)
        self.take()
        if len(members) == 1:
            return Piece(members, members[0])
        if all(member.isalnum() for member in members) and "-" not in members:
            return Piece(members, "(" + " / ".join(members) + ")")
        return Piece([ELLIPSIS], ELLIPSIS)

    def quantified(self, piece: Piece) -> Piece:
        mark = self.peek()
        if mark == "{":
            end = self.text.find("}", self.at)
            self.at = end + 1 if end > 0 else len(self.text)
            return Piece([v + ELLIPSIS if v != ELLIPSIS else v for v in piece.variants], piece.compact + ELLIPSIS)
        if mark not in ("?", "*", "+"):
            return piece
        self.take()
        if self.peek() == "?":  # lazy quantifier
            self.take()
        if mark in ("*", "+"):
            return Piece([ELLIPSIS if v == ELLIPSIS else v + ELLIPSIS for v in piece.variants], piece.compact)
        if piece.variants == [" "]:
            return Piece([" "], " ")
        optional = optional_text(piece)
        return Piece([optional], optional)


def optional_text(piece: Piece) -> str:
    """An optional part in parentheses, spaces kept outside: `s` → `(s)`, ` et les` → ` (et les)`."""
    inner = ", ".join(piece.variants) if len(piece.variants) > 1 else piece.variants[0]
    stripped = inner.strip()
    if not stripped:
        return ""
    before = " " if inner.startswith(" ") else ""
    after = " " if inner.endswith(" ") else ""
    return f"{before}({stripped}){after}"


def unique(items: Iterable[str]) -> list[str]:
    """Variants in order, without repeats (runs of spaces as one)."""
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(re.sub(r"\s+", " ", item), None)
    return list(seen)


def fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).replace("’", "'")


def accent_map(texts: Iterable[str]) -> dict[str, str]:
    """Folded word → its accented spelling, from French texts (the first spelling with an accent wins)."""
    spellings: dict[str, str] = {}
    for text in texts:
        for word in WORD.findall(str(text)):
            lower = word.lower().replace("’", "'")
            folded = fold(lower)
            if len(folded) != len(lower):
                continue  # a ligature (œ): positions would not line up
            if folded not in spellings or (spellings[folded] == folded and lower != folded):
                spellings[folded] = lower
            if folded.endswith("s") and len(folded) > 3:
                singular = folded[:-1]
                if singular not in spellings or spellings[singular] == singular:
                    spellings[singular] = lower[:-1]
    return spellings


def restore_accents(phrase: str, spellings: dict[str, str]) -> str:
    """Each folded word of a phrase with its accents, when the lexicons spell it."""

    def respell(match: re.Match[str]) -> str:
        word = match.group(0)
        return spellings.get(word, word)

    return re.sub(r"[a-z]+(?:'[a-z]+)?", respell, phrase)


def pattern_phrases(pattern: str, spellings: dict[str, str] | None = None) -> list[str]:
    """The phrases a pattern reads, in words, accents restored."""
    if not pattern.strip():
        return []
    try:
        piece = PatternReader(pattern).alternation()
    except (IndexError, ValueError):
        return [pattern]
    phrases = unique(phrase.strip() for phrase in piece.variants)
    return [restore_accents(phrase, spellings or {}) for phrase in phrases if phrase]


def quoted(phrases: Iterable[str], last: str = "ou") -> str:
    """`« a », « b » ou « c »`."""
    items = [f"« {phrase} »" for phrase in phrases]
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"
