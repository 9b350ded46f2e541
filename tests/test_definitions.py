"""Acronyms a text defines in brackets after another entity's name (the real phrasings it settles are in
`test_lexicon_phrasings.py`)."""

from __future__ import annotations

from pipeline.definitions import defined_acronyms
from pipeline.lexicon import Lexicon
from pipeline.match import build_matcher, match_document
from pipeline.types import ExtractedDocument, Page


def test_a_name_far_before_or_in_another_sentence_defines_nothing(lexicon: Lexicon) -> None:
    text = "Le projet de rénovation urbaine est achevé. Le nouveau projet (PRU) commence."
    page = ExtractedDocument("c", "4" * 64, [Page(1, text)])
    assert defined_acronyms(match_document(build_matcher(lexicon), page), page, lexicon) == {}
