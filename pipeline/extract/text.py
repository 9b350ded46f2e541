"""Normalise page text so that the same words always look the same to the matcher."""

from __future__ import annotations

import re
import unicodedata

TYPOGRAPHIC_REPLACEMENTS = {
    "\u2019": "'",  # right single quotation mark, the usual French apostrophe
    "\u2018": "'",
    "\u02bc": "'",
    "\u00a0": " ",  # non-breaking space
    "\u202f": " ",  # narrow non-breaking space
    "\u2009": " ",  # thin space
    "\u2007": " ",
    "\u00ad": "",  # soft hyphen
    "\u2010": "-",
    "\u2011": "-",
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
# A lower-case word cut by a hyphen at the end of a line, continued in lower case on the next one.
LINE_END_HYPHEN = re.compile(r"(?<=[a-zàâäçéèêëîïôöùûüœæ])-[ \t]*\n[ \t]*(?=[a-zàâäçéèêëîïôöùûüœæ])")
TRAILING_SPACES = re.compile(r"[ \t]+\n")


def normalise_text(raw: str) -> str:
    """NFC, ligatures, typographic apostrophes and spaces folded; soft hyphens and line-end hyphens removed."""
    text = unicodedata.normalize("NFC", raw)
    text = REPLACEMENT_PATTERN.sub(lambda match: TYPOGRAPHIC_REPLACEMENTS[match.group(0)], text)
    text = LINE_END_HYPHEN.sub("", text)
    return TRAILING_SPACES.sub("\n", text).strip("\n")
