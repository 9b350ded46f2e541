"""Typography of the demo contracts: fonts, typographic apostrophes, ligatures, and line breaking with
French hyphenation, so that words and organisation names break across lines as in real documents.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from pipeline.demo.model import Mention, Segment

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype/liberation")]
TTF_FONTS = {
    "DejaVuSans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVu Sans"),
    "DejaVuSerif": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVu Serif"),
    "LiberationSans": ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf", "Liberation Sans"),
    "LiberationSerif": ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf", "Liberation Serif"),
}
BUILTIN_BOLD = {"Helvetica": "Helvetica-Bold", "Times-Roman": "Times-Bold", "Courier": "Courier-Bold"}
VOWELS = set("aeiouyàâäéèêëîïôöùûüœæ")
NO_SPLIT_PAIRS = {
    "ch",
    "ph",
    "th",
    "gn",
    "pr",
    "tr",
    "br",
    "cr",
    "dr",
    "gr",
    "fr",
    "vr",
    "pl",
    "bl",
    "cl",
    "gl",
    "fl",
    "qu",
    "gu",
}
LIGATURES = (("ffi", "\ufb03"), ("ffl", "\ufb04"), ("ff", "\ufb00"), ("fi", "\ufb01"), ("fl", "\ufb02"))


def _find_ttf(file_name: str) -> Path | None:
    for folder in FONT_DIRS:
        if (folder / file_name).exists():
            return folder / file_name
    return None


def available_ttf() -> list[str]:
    """TrueType fonts present on this machine (needed for ligature glyphs and for the HTML producer)."""
    return [name for name, (reg, bold, _) in TTF_FONTS.items() if _find_ttf(reg) and _find_ttf(bold)]


def register_font(name: str) -> tuple[str, str]:
    """Register a font with reportlab if needed; return (regular, bold) names, Helvetica as fallback."""
    if name in BUILTIN_BOLD:
        return name, BUILTIN_BOLD[name]
    if name not in TTF_FONTS or name not in available_ttf():
        return "Helvetica", "Helvetica-Bold"
    regular, bold, _ = TTF_FONTS[name]
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(_find_ttf(regular))))
        pdfmetrics.registerFont(TTFont(name + "-Bold", str(_find_ttf(bold))))
    return name, name + "-Bold"


def css_family(name: str) -> str:
    """The CSS family of a registered TrueType font."""
    return TTF_FONTS.get(name, ("", "", "DejaVu Sans"))[2]


def typographic(text: str) -> str:
    """Typographic apostrophes and non-breaking spaces before French high punctuation."""
    text = text.replace("'", "\u2019")
    for mark in (" :", " ;", " ?", " !", " %"):
        text = text.replace(mark, "\u00a0" + mark[1])
    return text


def ligatures(text: str) -> str:
    """Replace fi, fl, ff, ffi, ffl by their ligature characters, as some publishing tools do."""
    for plain, glyph in LIGATURES:
        text = text.replace(plain, glyph)
    return text


def hyphen_points(word: str) -> list[int]:
    """Admissible French hyphenation points (index of the first letter of the second part)."""
    points: list[int] = []
    low = word.lower()
    if len(word) < 7 or not low.isalpha() or (word[1:] != word[1:].lower()):
        return points
    for k in range(3, len(word) - 2):
        a, b, c = low[k - 1], low[k], low[k + 1]
        open_syllable = a in VOWELS and b not in VOWELS and c in VOWELS
        split_pair = (
            a not in VOWELS and b not in VOWELS and low[k - 2] in VOWELS and c in VOWELS and a + b not in NO_SPLIT_PAIRS
        )
        if open_syllable or split_pair:
            points.append(k)
    return points


def break_lines(segments: list[Segment], font: str, size: float, width: float, hyphenate: bool = True) -> list[str]:
    """Greedy line breaking of segments with hyphenation; marks mentions that span two lines as broken."""
    tokens: list[tuple[str, int]] = []  # (word, index of the mention or -1)
    mentions: list[Mention] = []
    for segment in segments:
        if isinstance(segment, Mention):
            mentions.append(segment)
            owner = len(mentions) - 1
            text = segment.surface
        else:
            owner, text = -1, segment
        pieces = text.split(" ")
        for position, piece in enumerate(pieces):
            if position > 0:
                tokens.append((" ", -1))
            if piece:
                tokens.append((piece, owner))
    lines: list[str] = []
    line = ""
    line_owners: set[int] = set()
    seen_on_lines: dict[int, set[int]] = {}

    def measure(text: str) -> float:
        return pdfmetrics.stringWidth(text, font, size)

    def flush() -> None:
        nonlocal line, line_owners
        lines.append(line.rstrip())
        for owner in line_owners:
            seen_on_lines.setdefault(owner, set()).add(len(lines))
        line, line_owners = "", set()

    for word, owner in tokens:
        if word == " ":
            if line:
                line += " "
            continue
        if measure(line + word) <= width or not line.strip():
            line += word
        else:
            split_done = False
            if hyphenate:
                for k in reversed(hyphen_points(word)):
                    if measure(line + word[:k] + "-") <= width:
                        line += word[:k] + "-"
                        if owner >= 0:
                            line_owners.add(owner)
                        flush()
                        word = word[k:]
                        split_done = True
                        break
            if not split_done:
                flush()
            line = word
        if owner >= 0:
            line_owners.add(owner)
    if line.strip():
        flush()
    for owner, line_numbers in seen_on_lines.items():
        if len(line_numbers) > 1:
            mentions[owner].broken = True
    return lines
