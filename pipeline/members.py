"""Organisations outside the lexicons whose name says which lexicon group they belong to ("Nantes Habitat",
"Habitat 44", "Notre Logis": social landlords). Each becomes a mention of the group, classified like any lexicon
hit (sense, role, theme), so that the group is counted where the regional report counts it: a contract signed by
seven landlords the lexicons do not list is signed by `bailleurs_sociaux`, with the landlord's own name as the
evidence. The name also stays in `candidates.csv`, for analysts to add to the lexicons. The words and their
group are data (`candidate_words.csv`, kind `membre`)."""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

from pipeline.candidate_words import candidate_words
from pipeline.candidates import Candidate, NerMemo, contract_candidates
from pipeline.lexicon import Lexicon
from pipeline.match import LOOSE_METHODS, MEMBER_METHOD, text_to_hit
from pipeline.types import ExtractedDocument, Hit

BEFORE = r"(?<!\w)(?<![lL]['’])(?<!\b(?:et|ET) )"  # not « l'Habitat », not « Observatoires et Habitat »
AFTER = r"(?![\w-])(?! (?:et|ET|&) )"  # not « Habitat et Développement »: one word of a compound name


@lru_cache(maxsize=1)
def member_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """(the member word as a whole word, as written in the data or in capitals, its group id), e.g. "Habitat" ->
    social landlords; not after "l'", where the word is a common noun ("Lutte contre l'Habitat Indigne"), nor
    beside « et », one word of a compound name (« Habitat et Développement », « contrat Habitat et Vie sociale »)."""
    return tuple(
        (
            re.compile(rf"{BEFORE}(?:{re.escape(word)}|{re.escape(word.upper())}){AFTER}"),
            group,
        )
        for word, group in candidate_words().members
    )


CUE_REACH = 30
WRAPPING_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")  # « – Habitat », « Habitat : »: the word alone
# « LUTTE CONTRE L'HABITAT INDIGNE »: a name read from capitals after an elided article is a common noun's phrase
ELIDED_BEFORE = re.compile(r"(?<!\w)[lLdD]['’]\s?$")


@lru_cache(maxsize=1)
def member_cue_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """(the cue word right before a name, its group), e.g. « le bailleur » -> social landlords; the longest first."""
    cues = sorted(candidate_words().member_cues, key=lambda cue: -len(cue[0]))
    return tuple((re.compile(rf"(?<!\w){re.escape(word)}\s+$", re.IGNORECASE), group) for word, group in cues)


def cue_group(text: str, start: int, known: Collection[str]) -> str | None:
    """The group a name belongs to by the word written right before it (« le bailleur Clésence »), or None."""
    before = text[max(0, start - CUE_REACH) : start]
    return next((group for pattern, group in member_cue_patterns() if group in known and pattern.search(before)), None)


def member_group(name: str, lexicon: Lexicon) -> str | None:
    """The lexicon group a name outside the lexicons belongs to by one of its words, or None."""
    return group_in(name, lexicon.by_id().keys())


def group_in(name: str, known: Collection[str]) -> str | None:
    """`member_group` among the entity ids `known`; the member word alone is no member's name (a heading
    « Habitat », « Habitat - Logement » among a text's themes, « – Habitat » read by NER from a table of contents)."""
    bare = WRAPPING_PUNCTUATION.sub("", name)
    return next(
        (
            group
            for pattern, group in member_patterns()
            if group in known and pattern.search(name) and not pattern.fullmatch(bare)
        ),
        None,
    )


def member_hits(
    document: ExtractedDocument, candidates: list[Candidate], hits: list[Hit], lexicon: Lexicon
) -> list[Hit]:
    """A mention of its group for each place a candidate whose name (or the word before it, « le bailleur X ») says
    its group is written, unless a hit of that group already overlaps the place (a loose variant inside the name,
    « Club » of « Racing Club de France », does not: `with_member_hits` puts the member's hit in its place)."""
    texts = {page.number: page.text for page in document.pages}
    known = lexicon.by_id().keys()
    found: list[Hit] = []
    for candidate in candidates:
        text = texts.get(candidate.page, "")
        group = group_in(candidate.name, known) or cue_group(text, candidate.start, known)
        if (
            group is None
            or not text[candidate.start : candidate.end].strip()
            or common_noun_start(candidate.name, text[: candidate.start])
        ):
            continue
        if any(
            h.page == candidate.page and h.entity_id == group and h.start < candidate.end and candidate.start < h.end
            for h in (*hits, *found)
            if h.method not in LOOSE_METHODS
        ):
            continue
        span = (candidate.start, candidate.end)
        found.append(text_to_hit(document.contract_id, group, candidate.page, text, span, MEMBER_METHOD))
    return found


def common_noun_start(name: str, before: str) -> bool:
    """Whether a name begins with a member word right after an elided article (« L'HABITAT INDIGNE »): the word is
    a common noun there, as « l'Habitat » in the text (« les logements d'Isère Habitat » still name a landlord)."""
    return ELIDED_BEFORE.search(before) is not None and any(p.match(name) for p, _ in member_patterns())


def with_member_hits(
    document: ExtractedDocument, candidates: list[Candidate], hits: list[Hit], lexicon: Lexicon
) -> list[Hit]:
    """The hits with the members' mentions of their groups (`member_hits`), without the loose variants of a group
    written inside one of its members' names."""
    members = member_hits(document, candidates, hits, lexicon)

    def inside_member(hit: Hit) -> bool:
        return hit.method in LOOSE_METHODS and any(
            hit.entity_id == m.entity_id and hit.page == m.page and m.start <= hit.start and hit.end <= m.end
            for m in members
        )

    return [h for h in hits if not inside_member(h)] + members


def run_hits(
    document: ExtractedDocument,
    hits: list[Hit],
    lexicon: Lexicon,
    signature_pages: frozenset[int],
    use_ner: bool,
    ner_memo: NerMemo | None = None,
    models: object = None,
) -> tuple[list[Hit], list[Candidate]]:
    """The hits a contract's detections are built from (the matcher's, with the members' mentions of their groups)
    and its candidates: one path for runs (`pipeline.analyse`) and `cdv train`, so that the models
    learn from the mentions they will score."""
    candidates = contract_candidates(document, hits, lexicon, signature_pages, use_ner, ner_memo, models=models)
    return with_member_hits(document, candidates, hits, lexicon), candidates
