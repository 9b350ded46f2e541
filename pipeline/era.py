"""The era of a document, and schemes that did not exist yet when it was written.

Some scheme names outlive their scheme: « PRU » and « projet de renouvellement urbain » name the NPNRU in a contract
of 2024, but the first programme (PNRU) in a contrat urbain de cohésion sociale of 2008. The lexicon's `eras.csv`
gives a scheme's first year, the scheme before it and the names the two shared. A document's year is the latest year
it dates something with, horizons left out (« en vigueur jusqu'au 31 décembre 2014 »); in a document dated earlier
than a scheme's first year, its hits of a shared name are read as the scheme it succeeded, unless the document also
names the scheme by a name of its own (« NPNRU » in a page whose only year is 2006 is the new programme). A document
that dates nothing is left as is.
"""

from __future__ import annotations

import re

from pipeline.lexicon import Era
from pipeline.match import fold_text, hits_reread
from pipeline.types import ExtractedDocument, Hit

# a year, also before punctuation (« la loi Ville 2014, à tous les plans », « en mai 2013. »), not a number's
# digits (« 2014,5 », « 1.2014 »)
YEAR = re.compile(r"(?<![\d.,/])(?:19[5-9]\d|20[0-4]\d)(?![\d/]|[.,]\d)")
HORIZON = re.compile(  # the year a text looks forward to, not the year it was written in
    r"(?:jusqu['’]\s*(?:au|en|à|a|fin)|horizon|d['’]ici|échéance|au-delà de)\b[^.\n]{0,25}$",
    re.IGNORECASE,
)
HORIZON_WINDOW = 40


def document_year(document: ExtractedDocument) -> int | None:
    """The latest year a document dates something with (a horizon such as « jusqu'en 2014 » is not one), or None."""
    years = [
        int(found.group(0))
        for page in document.pages
        for found in YEAR.finditer(page.text)
        if not HORIZON.search(page.text[max(0, found.start() - HORIZON_WINDOW) : found.start()])
    ]
    return max(years) if years else None


def hits_in_era(hits: list[Hit], document: ExtractedDocument, eras: dict[str, Era]) -> list[Hit]:
    """The hits with each scheme that did not exist yet in the document's year read as the scheme before it
    (`eras`: entity id -> its era), when they print a name the two schemes shared."""
    if not hits or not eras:
        return hits
    year = document_year(document)
    if year is None:
        return hits
    shared = {entity_id: {folded_name(name) for name in era.shared} for entity_id, era in eras.items()}
    named_own = {  # an era without shared names shares them all (`eras.csv` before its `shared` column)
        hit.entity_id
        for hit in hits
        if shared.get(hit.entity_id) and folded_name(hit.matched) not in shared[hit.entity_id]
    }

    def entity_of(hit: Hit) -> str:
        era = eras.get(hit.entity_id)
        if era is None or year >= era.since or hit.entity_id in named_own:
            return hit.entity_id
        return era.earlier

    return hits_reread(hits, entity_of)


def folded_name(text: str) -> str:
    """A name folded and squeezed, to compare what a hit prints with `eras.csv`'s shared names."""
    return " ".join(fold_text(text).split())
