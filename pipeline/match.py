"""Match stage: find every lexicon entity in the pages of a contract, with page, span and snippet.

Four matchers, each reading the lexicon files as they are:
- names, aliases and former names: spaCy `PhraseMatcher` over text folded for case, accents and hyphens
  (folding keeps one character per character, so offsets stay those of `Page.text`);
- acronyms: case-sensitive, whole-token regular expressions (dotted forms "C.A.F." included, elisions
  "l'ADEME" work because the apostrophe is a token boundary);
- `patterns`: the lexicon's own regular expressions for local variants ("CAF de l'Aude");
- fuzzy: rapidfuzz over token windows for spelling variants of long names;
- loose variants (method `variante`, `sigle_variante`): names in the plural (a `PhraseMatcher` on the NORM
  attribute, set to a plural-stripped form), acronyms of 3+ letters in any case or glued to a footnote
  number ("Caf", "Anah1"), and the lexicon's `variants.csv` (a bare "Etat", "les départements"). They are
  candidate mentions: the classify stage's mention model accepts or rejects each one.
Overlapping hits are filtered explicitly: the longest span wins, then the higher score (exact forms
outrank loose variants of the same length).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from pipeline.lexicon import Lexicon, load_lexicon
from pipeline.types import Entity, ExtractedDocument, Hit, Page

if TYPE_CHECKING:  # spaCy is imported where a matcher is built: `fold_text` and the spans need none of it
    from spacy.language import Language
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc

SNIPPET_RADIUS = 90
FUZZY_MIN_TOKENS = 3
FUZZY_THRESHOLD = 92.0
SCORES = {
    "nom": 0.95,
    "ancien_nom": 0.9,
    "motif": 0.9,
    "sigle": 0.85,
    "sigle_ambigu": 0.6,
    "variante": 0.55,
    "sigle_variante": 0.5,
    "membre": 0.6,  # a name outside the lexicons that says its group (`pipeline.members`)
}
MEMBER_METHOD = "membre"  # the method of those mentions
LOOSE_METHODS = ("variante", "sigle_variante")
ACRONYM_METHODS = ("sigle", "sigle_ambigu", "sigle_variante")  # hits of an acronym
LOOSE_ACRONYM_MIN_LETTERS = 3
WORD_CHARS = r"0-9A-Za-zÀ-ÖØ-öø-ÿœŒ"
TOKEN_PATTERN = re.compile(rf"[{WORD_CHARS}]+")
ACRONYM_BEFORE = rf"(?<![{WORD_CHARS}.])"


def fold_char(char: str) -> str:
    """One character folded: lower case, accents stripped, hyphens, slashes and line breaks as spaces (« Débat/
    Conseil général/ Mai 2012 » names the Conseil général)."""
    if char in "-/\n\t\r":
        return " "
    base = unicodedata.normalize("NFD", char)[0]
    lowered = base.lower()
    return lowered[0] if lowered else char


_FOLDED: dict[int, str] = {}


def fold_text(text: str) -> str:
    """Fold a text for name matching; the result has exactly the same length as the input (one `fold_char` per
    character, through a translation table filled as new characters appear)."""
    for char in set(text):
        if ord(char) not in _FOLDED:
            _FOLDED[ord(char)] = fold_char(char)
    return text.translate(_FOLDED)


def text_to_snippet(text: str, start: int, end: int, radius: int = SNIPPET_RADIUS) -> str:
    """The hit with `radius` characters of context each side, on one line."""
    left = max(0, start - radius)
    right = min(len(text), end + radius)
    snippet = text[left:right]
    return " ".join(snippet.split())


def acronym_forms(acronym: str) -> list[str]:
    """The literal ways of writing an acronym, in the order they are tried: as is, then dotted with and without
    the final dot (C.A.F., C.A.F)."""
    forms = [acronym]
    letters = [char for char in acronym if char.isalnum()]
    if acronym.isalpha() and acronym.isupper() and 2 <= len(letters) <= 6:
        dotted = ".".join(letters)
        forms += [dotted + ".", dotted]
    return forms


def acronym_to_regex(acronym: str) -> str:
    """A case-sensitive pattern for an acronym as a whole token, also in its dotted form (C.A.F.)."""
    return "|".join(re.escape(form) for form in acronym_forms(acronym))


@dataclass(frozen=True)
class LiteralAlternation:
    """A large alternation of literal forms, tried only where one of them can start.

    Python's `re` tries every alternative at every position of the text; here a cheap pattern finds the
    positions where a form may start (the alternation's own lookbehind and first letters) and a set of
    prefixes rules most of them out, so that the full pattern runs at a handful of positions. The matches
    are exactly those of `pattern.finditer`: same positions, same alternatives, same order."""

    pattern: re.Pattern[str]
    starts: re.Pattern[str]
    prefixes: frozenset[str]
    width: int
    ignore_case: bool

    @classmethod
    def build(cls, pattern: re.Pattern[str], lookbehind: str, literals: list[str]) -> LiteralAlternation:
        ignore_case = bool(pattern.flags & re.IGNORECASE)
        width = min(len(literal) for literal in literals)
        first = "".join(sorted({re.escape(literal[0]) for literal in literals}))
        starts = re.compile(rf"{lookbehind}[{first}]", re.IGNORECASE if ignore_case else 0)
        fold = str.lower if ignore_case else str
        return cls(pattern, starts, frozenset(fold(literal[:width]) for literal in literals), width, ignore_case)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """The matches of the pattern in `text`, as `pattern.finditer(text)` gives them."""
        end, width, prefixes = 0, self.width, self.prefixes
        for start in self.starts.finditer(text):
            position = start.start()
            if position < end:
                continue
            prefix = text[position : position + width]
            if self.ignore_case:
                if prefix.isascii() and prefix.lower() not in prefixes:
                    continue  # a non-ASCII prefix may match under re.IGNORECASE's folding: let the pattern say
            elif prefix not in prefixes:
                continue
            match = self.pattern.match(text, position)
            if match is not None:
                end = match.end()
                yield match


@dataclass(frozen=True)
class SurfaceForm:
    """One way of writing an entity, and what kind of evidence a match on it is."""

    entity_id: str
    text: str
    method: str


@dataclass
class LexiconMatcher:
    """The compiled matchers for one lexicon version."""

    lexicon: Lexicon
    nlp: Language
    phrase_matcher: PhraseMatcher
    phrase_forms: dict[int, SurfaceForm]
    acronym_regex: LiteralAlternation | None
    acronym_senses: dict[str, tuple[str, ...]]
    patterns: list[tuple[str, re.Pattern[str]]]
    fuzzy_names: dict[str, list[FuzzyName]] = field(default_factory=dict)
    plural_matcher: PhraseMatcher | None = None
    loose_acronym_regex: LiteralAlternation | None = None
    loose_acronym_senses: dict[str, tuple[str, ...]] = field(default_factory=dict)
    variants: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)
    exact_acronyms: frozenset[str] = frozenset()


@dataclass(frozen=True)
class FuzzyName:
    """A long name for fuzzy matching: its folded tokens joined by spaces, how many, the first two letters of its
    last token (a window must end like it)."""

    entity_id: str
    name: str
    size: int
    last_prefix: str


def singular(token: str) -> str:
    """A folded token without its plural mark ("departementaux" -> "departemental", "caisses" -> "caisse")."""
    if len(token) > 4 and token.endswith("aux"):
        return token[:-3] + "al"
    if len(token) > 3 and token[-1] in "sx" and token[-2] not in "su":
        return token[:-1]
    return token


def norm_doc(nlp: Language, folded: str | Doc) -> Doc:
    """A spaCy doc of folded text whose NORM is the singular form of each token (plural-blind matching); a doc
    already made of the folded text is reused."""
    doc = nlp.make_doc(folded) if isinstance(folded, str) else folded
    for token in doc:
        token.norm_ = singular(token.text)
    return doc


def entity_to_forms(entity: Entity) -> list[SurfaceForm]:
    """The name-like surface forms of an entity (acronyms and patterns are matched apart)."""
    forms = [SurfaceForm(entity.entity_id, entity.name, "nom")]
    forms += [SurfaceForm(entity.entity_id, alias, "nom") for alias in entity.aliases if not alias.isupper()]
    forms += [
        SurfaceForm(entity.entity_id, former, "ancien_nom") for former in entity.former_names if not former.isupper()
    ]
    return forms


def entity_to_acronyms(entity: Entity) -> list[str]:
    """Acronyms, plus upper-case aliases and former names (DDETS-PP, DIRECCTE), matched case-sensitively."""
    values = list(entity.acronyms)
    values += [alias for alias in entity.aliases if alias.isupper()]
    values += [former for former in entity.former_names if former.isupper()]
    return values


def build_matcher(lexicon: Lexicon, nlp: Language | None = None) -> LexiconMatcher:
    """Compile the phrase, acronym, pattern and fuzzy matchers for a lexicon (with the blank French tokenizer
    `nlp` of another matcher, when given: a small matcher is then built in milliseconds)."""
    import spacy
    from spacy.matcher import PhraseMatcher

    nlp = nlp or spacy.blank("fr")
    phrase_matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    phrase_forms: dict[int, SurfaceForm] = {}
    fuzzy_names: dict[str, list[FuzzyName]] = {}
    acronym_senses: dict[str, set[str]] = {}
    patterns: list[tuple[str, re.Pattern[str]]] = []
    for entity in lexicon.entities:
        for form in entity_to_forms(entity):
            folded = fold_text(form.text)
            key = f"{form.entity_id}|{form.method}|{folded}"
            match_id = nlp.vocab.strings.add(key)
            phrase_forms[match_id] = form
            phrase_matcher.add(key, [nlp.make_doc(folded)])
            tokens = TOKEN_PATTERN.findall(folded)
            if sum(len(token) >= 3 for token in tokens) >= FUZZY_MIN_TOKENS:  # not « quartiers d'été » ≈ « d'être »
                name = FuzzyName(form.entity_id, " ".join(tokens), len(tokens), tokens[-1][:2])
                fuzzy_names.setdefault(tokens[0][:3], []).append(name)
        for acronym in entity_to_acronyms(entity):
            acronym_senses.setdefault(acronym, set()).add(entity.entity_id)
        patterns += [(entity.entity_id, re.compile(pattern)) for pattern in entity.patterns]
    for acronym, senses in lexicon.ambiguous.items():
        acronym_senses.setdefault(acronym, set()).update(senses)
    plural_matcher = PhraseMatcher(nlp.vocab, attr="NORM")
    for match_id, form in phrase_forms.items():
        plural_matcher.add(nlp.vocab.strings[match_id], [norm_doc(nlp, fold_text(form.text))])
    loose_acronym_regex, loose_acronym_senses = loose_acronyms(acronym_senses)
    ordered = sorted(acronym_senses, key=len, reverse=True)
    acronym_regex = (
        LiteralAlternation.build(
            re.compile(
                rf"{ACRONYM_BEFORE}(?:"
                + "|".join(f"(?P<a{index}>{acronym_to_regex(acronym)})" for index, acronym in enumerate(ordered))
                + rf")(?![{WORD_CHARS}])(?!\.[{WORD_CHARS}])"  # « S.D.E » of « S.D.E.T. » is no acronym
            ),
            ACRONYM_BEFORE,
            [form for acronym in ordered for form in acronym_forms(acronym)],
        )
        if ordered
        else None
    )
    return LexiconMatcher(
        lexicon=lexicon,
        nlp=nlp,
        phrase_matcher=phrase_matcher,
        phrase_forms=phrase_forms,
        acronym_regex=acronym_regex,
        acronym_senses={f"a{index}": tuple(sorted(acronym_senses[acronym])) for index, acronym in enumerate(ordered)},
        patterns=patterns,
        fuzzy_names=fuzzy_names,
        plural_matcher=plural_matcher,
        loose_acronym_regex=loose_acronym_regex,
        loose_acronym_senses=loose_acronym_senses,
        variants=[(entity_id, re.compile(pattern)) for entity_id, pattern in lexicon.variants],
        exact_acronyms=frozenset(acronym_senses),
    )


def loose_acronyms(
    acronym_senses: dict[str, set[str]],
) -> tuple[LiteralAlternation | None, dict[str, tuple[str, ...]]]:
    """A case-insensitive pattern for the alphabetic acronyms of 3+ letters, with an optional footnote number
    glued to them ("Caf", "Cpam", "Anah1"); senses are keyed by folded acronym."""
    senses: dict[str, set[str]] = {}
    for acronym, ids in acronym_senses.items():
        if acronym.isalpha() and len(acronym) >= LOOSE_ACRONYM_MIN_LETTERS:
            senses.setdefault(acronym.lower(), set()).update(ids)
    if not senses:
        return None, {}
    keys = sorted(senses, key=len, reverse=True)
    alternatives = "|".join(re.escape(key) for key in keys)
    pattern = re.compile(rf"{ACRONYM_BEFORE}(?P<acr>{alternatives})(?P<note>\d{{1,2}})?(?![{WORD_CHARS}])", re.I)
    alternation = LiteralAlternation.build(pattern, ACRONYM_BEFORE, keys)
    return alternation, {key: tuple(sorted(ids)) for key, ids in senses.items()}


@dataclass(frozen=True)
class Span:
    """A candidate match before overlap filtering; `senses` has several ids for an ambiguous acronym."""

    start: int
    end: int
    senses: tuple[str, ...]
    method: str
    score: float


def phrase_spans(matcher: LexiconMatcher, folded: str | Doc) -> list[Span]:
    """Names, aliases and former names in folded text (or the doc made of it)."""
    doc = matcher.nlp.make_doc(folded) if isinstance(folded, str) else folded
    spans = []
    for match_id, start, end in matcher.phrase_matcher(doc):
        form = matcher.phrase_forms[match_id]
        span = doc[start:end]
        spans.append(Span(span.start_char, span.end_char, (form.entity_id,), form.method, SCORES[form.method]))
    return spans


def acronym_spans(matcher: LexiconMatcher, text: str) -> list[Span]:
    """Acronyms as whole, case-sensitive tokens in the original text."""
    if matcher.acronym_regex is None:
        return []
    spans = []
    for match in matcher.acronym_regex.finditer(text):
        group = match.lastgroup or ""
        senses = matcher.acronym_senses.get(group, ())
        method = "sigle" if len(senses) == 1 else "sigle_ambigu"
        spans.append(Span(match.start(), match.end(), senses, method, SCORES[method]))
    return spans


def pattern_spans(matcher: LexiconMatcher, text: str) -> list[Span]:
    """The lexicon's regular expressions for local variants."""
    return [
        Span(match.start(), match.end(), (entity_id,), "motif", SCORES["motif"])
        for entity_id, pattern in matcher.patterns
        for match in pattern.finditer(text)
        if match.end() > match.start()
    ]


def loose_spans(matcher: LexiconMatcher, text: str, folded: str | Doc) -> list[Span]:
    """Loose variants: plural names, acronyms in another case or with a footnote number, `variants.csv`; `folded`
    is the folded text or the doc made of it (whose NORM is then set to singular forms)."""
    spans: list[Span] = []
    if matcher.plural_matcher is not None:
        doc = norm_doc(matcher.nlp, folded)
        for match_id, start, end in matcher.plural_matcher(doc):
            form = matcher.phrase_forms[match_id]
            span = doc[start:end]
            spans.append(Span(span.start_char, span.end_char, (form.entity_id,), "variante", SCORES["variante"]))
    if matcher.loose_acronym_regex is not None:
        exact = matcher.exact_acronyms
        for match in matcher.loose_acronym_regex.finditer(text):
            if match.group("acr") in exact and not match.group("note"):
                continue  # the exact acronym matcher has it
            senses = matcher.loose_acronym_senses.get(match.group("acr").lower(), ())
            end = match.end("acr")
            spans.append(Span(match.start(), end, senses, "sigle_variante", SCORES["sigle_variante"]))
    for entity_id, pattern in matcher.variants:
        spans += [
            Span(m.start(), m.end(), (entity_id,), "variante", SCORES["variante"])
            for m in pattern.finditer(text)
            if m.end() > m.start()
        ]
    return spans


def fuzzy_spans(matcher: LexiconMatcher, folded: str, taken: list[Span]) -> list[Span]:
    """Long names written with small differences ("Agence régionale de la santé"), via rapidfuzz.

    A window of tokens is compared with a name only when it ends like the name and its length allows the
    threshold (rapidfuzz's ratio is at most 100 * (1 - |difference of lengths| / sum of lengths))."""
    tokens = [(m.group(0), m.start(), m.end()) for m in TOKEN_PATTERN.finditer(folded)]
    covered = bytearray(len(folded) + 1)
    for span in taken:
        covered[span.start : span.end] = b"\x01" * (span.end - span.start)
    lengths = [0]
    for token, _, _ in tokens:
        lengths.append(lengths[-1] + len(token))
    count = len(tokens)
    spans = []
    for position, (token, start, _) in enumerate(tokens):
        names = matcher.fuzzy_names.get(token[:3])
        if not names or covered[start]:
            continue
        for fuzzy in names:
            name_length = len(fuzzy.name)
            for width in (fuzzy.size - 1, fuzzy.size, fuzzy.size + 1):
                last = position + width - 1
                if last >= count or width < FUZZY_MIN_TOKENS or tokens[last][0][:2] != fuzzy.last_prefix:
                    continue
                window_length = lengths[last + 1] - lengths[position] + width - 1
                if 100 * abs(window_length - name_length) > (100 - FUZZY_THRESHOLD) * (window_length + name_length):
                    continue
                window = [item[0] for item in tokens[position : last + 1]]
                ratio = fuzz.ratio(" ".join(window), fuzzy.name, score_cutoff=FUZZY_THRESHOLD)
                if ratio >= FUZZY_THRESHOLD and same_word_starts(window, fuzzy.name.split(" ")):
                    spans.append(Span(start, tokens[last][2], (fuzzy.entity_id,), "approche", 0.9 * ratio / 100))
    return spans


def same_word_starts(window: list[str], name: list[str]) -> bool:
    """Whether a window of as many words as a name writes each word as a slip of the name's: the same first letter
    and, in the singular, a length within one letter (« regionalle »); another word is not a slip (« plans locaux de
    déplacements » is not « plans globaux … », « défense des droits » is not the « Défenseur des droits »)."""
    return len(window) != len(name) or all(
        word[:1] == other[:1] and abs(len(singular(word)) - len(singular(other))) <= 1
        for word, other in zip(window, name, strict=True)
    )


def filter_overlaps(spans: list[Span]) -> list[Span]:
    """Keep the longest span where spans overlap (ties: the higher score, then the earlier start)."""
    chosen: list[Span] = []
    occupied: set[int] = set()
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), -s.score, s.start)):
        positions = set(range(span.start, span.end))
        if positions & occupied:
            continue
        chosen.append(span)
        occupied |= positions
    return sorted(chosen, key=lambda s: s.start)


def page_to_raw_spans(matcher: LexiconMatcher, page: Page, fuzzy_where_taken: bool = False) -> list[Span]:
    """Every entity span of a page before overlap filtering; fuzzy names are tried only where no exact span is,
    unless `fuzzy_where_taken` (then the spans are a superset of what any larger lexicon would find for the
    same forms: see `pipeline.lexicon_change`)."""
    folded = fold_text(page.text)
    doc = matcher.nlp.make_doc(folded)  # one tokenisation for the exact names, then their plurals
    exact = phrase_spans(matcher, doc) + acronym_spans(matcher, page.text) + pattern_spans(matcher, page.text)
    loose = loose_spans(matcher, page.text, doc)
    return exact + fuzzy_spans(matcher, folded, [] if fuzzy_where_taken else exact) + loose


def page_to_spans(matcher: LexiconMatcher, page: Page) -> list[Span]:
    """Every entity span of a page, after overlap filtering."""
    return filter_overlaps(page_to_raw_spans(matcher, page))


def match_document(matcher: LexiconMatcher, document: ExtractedDocument) -> list[Hit]:
    """All hits of a document; an ambiguous acronym yields one hit per sense (the classifier picks one)."""
    hits: list[Hit] = []
    for page in document.pages:
        for span in page_to_spans(matcher, page):
            at, contract = (span.start, span.end), document.contract_id
            for entity_id in span.senses:
                hits.append(text_to_hit(contract, entity_id, page.number, page.text, at, span.method, span.score))
    return hits


def hits_reread(hits: list[Hit], entity_of: Callable[[Hit], str]) -> list[Hit]:
    """The hits with each one's entity as `entity_of` reads it, one hit per entity and place (the entity read may
    be matched at the same place already, or an ambiguous acronym's senses become one)."""
    read: list[Hit] = []
    seen: set[tuple[str, int, int, int]] = set()
    for hit in hits:
        entity_id = entity_of(hit)
        key = (entity_id, hit.page, hit.start, hit.end)
        if key not in seen:
            seen.add(key)
            read.append(hit if entity_id == hit.entity_id else replace(hit, entity_id=entity_id))
    return read


def text_to_hit(
    contract_id: str,
    entity_id: str,
    page: int,
    text: str,
    span: tuple[int, int],
    method: str,
    score: float | None = None,
) -> Hit:
    """The hit of `entity_id` written at `text[span]` on a page, with its snippet and its score (by default,
    its method's)."""
    start, end = span
    return Hit(
        contract_id=contract_id,
        entity_id=entity_id,
        page=page,
        start=start,
        end=end,
        matched=text[start:end],
        snippet=text_to_snippet(text, start, end),
        method=method,
        score=SCORES[method] if score is None else score,
    )


@lru_cache(maxsize=4)
def matcher_for(lexicon_dir: Path, version: str) -> LexiconMatcher:
    """A matcher per lexicon folder and version, built once per process."""
    return build_matcher(load_lexicon(lexicon_dir))


def load_matcher(lexicon_dir: Path) -> LexiconMatcher:
    """The matcher for the current content of a lexicon folder (rebuilt when a file changes)."""
    lexicon = load_lexicon(lexicon_dir)
    return matcher_for(Path(lexicon_dir).resolve(), lexicon.version)
