"""Is a page's text layer usable? Cheap tests on its text, before any OCR is considered.

A text layer is garbage when glyphs were written without a usable Unicode map: `(cid:NN)` runs,
private-use or control characters, or Latin letters that form no French (or English) words, as when
a font's encoding is shifted: almost no function words ("de", "la", "the"...), many words without
vowels and many letters rare in French (k, w, x, z, q without u). Such pages are read again by OCR.
Text in other scripts (e.g. Chinese) is not judged by the dictionary test.
"""

from __future__ import annotations

import re

from pipeline.extract.text import word_set

CID_RUN = re.compile(r"\(cid:\d+\)")
ODD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ue000-\uf8ff\ufffd\ufffe\uffff]")
WORDS = re.compile(r"[^\W\d_]{2,}")
LATIN_WORD = re.compile(r"[a-zà-ÿœæ]{2,}")
RARE_Q = re.compile(r"q(?!u)")
VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüÿœæ")
# Function words: in running French prose 30-50 % of the words; English is accepted too
# (annexes and real-world test files), since it is readable text, not garbage.
STOPWORDS = word_set(
    """
    le la les de des du un une et en au aux à dans par pour sur avec sans sous ce ces cette son sa ses
    leur leurs qui que quoi dont où ne pas plus est sont été être a ont il elle ils elles on nous vous
    se sa ou mais donc car ni si comme entre vers chez lors afin ainsi aussi tout tous toute toutes the
    of and to in is are for on with by as at from or that this be an it not which was were
    """
)
# Below this many letters a page is "nearly empty": a blank page or a scanned image.
MIN_LETTERS = 20


def count_letters(text: str) -> int:
    """Alphabetic characters of `text` (what carries words)."""
    return sum(1 for char in text if char.isalpha())


def garbage_reason(text: str) -> str:
    """Why `text` is not a usable text layer (in French), or '' when it is usable.

    Checks a 2,000-character sample first (garbage layers are garbage throughout), so that normal
    prose costs a few microseconds per page.
    """
    sample = text[:2000]
    visible = len(sample) - sample.count(" ") - sample.count("\n") - sample.count("\r")
    if visible < MIN_LETTERS:
        return ""
    if "(cid:" in sample and sum(len(match) for match in CID_RUN.findall(sample)) > 0.2 * visible:
        return "couche texte inutilisable (glyphes sans table Unicode, « (cid:NN) »)"
    if ODD_CHARS.search(sample) and len(ODD_CHARS.findall(sample)) > 0.2 * visible:
        return "couche texte inutilisable (caractères de contrôle ou privés)"
    tokens = sample.lower().split()
    if sum(1 for token in tokens if token in STOPWORDS) * 12 >= len(tokens):
        return ""  # enough function words: readable prose
    words = [word.lower() for word in WORDS.findall(text) if not word.isupper()]
    latin = [word for word in words if LATIN_WORD.fullmatch(word)]  # other scripts are not judged
    if len(latin) >= 40:
        stop_share = sum(1 for word in latin if word in STOPWORDS) / len(latin)
        voiceless = sum(1 for word in latin if not VOWELS.intersection(word)) / len(latin)
        letters = "".join(latin)
        rare = (sum(letters.count(char) for char in "kwxz") + len(RARE_Q.findall(letters))) / len(letters)
        if stop_share < 0.05 and voiceless > 0.15 and rare > 0.04:
            return "couche texte inutilisable (lettres sans mots français : encodage de police cassé)"
    return ""
