"""Organisations named in the contracts but absent from the lexicons: candidates for analysts to add.

Sources: spaCy's French NER (`fr_core_news_sm`, ORG entities), legal-form patterns ("association …",
"fondation …", "Caisse nationale …", "Délégation régionale …", "SARL …"), names defined with their acronym
("Agence de service et de paiement (ASP)"), "Pour …" lines of signature pages, and acronyms of three letters
or more that no lexicon knows. A candidate mostly covered by a lexicon hit, or whose folded name is a lexicon
name, alias or acronym, is dropped. With the `candidate` model (`models/`), the wide proposals of
`pipeline.candidate_spans` are added and `pipeline.candidate_score` keeps the names it finds probable enough.
`find_candidates` returns the frame written to `candidates.csv`: one row per folded name, with counts,
contracts, pages, a snippet and its evidence, ranked by `evidence_score` (signature block, "Pour …" line,
legal-form word, defined acronym, repetition across contracts), then by the model's `probability`.

The module is long (about 670 lines) because its parts share one vocabulary: the `Candidate` type, `name_key`,
the sources' proposals (signature lines, patterns, acronyms, NER windows), the `keep` filter that every source
goes through, and the frame of `candidates.csv`; the wide proposals and the scorer are modules of their own.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

import pandas as pd

from pipeline.candidate_spans import (
    UPPER,
    capitalised_runs,
    coordinated_parts,
    cue_names,
    defined_names,
    head_phrases,
    list_items,
    mixed_acronyms,
    named_heads,
    quoted_names,
)
from pipeline.candidate_words import candidate_words
from pipeline.lexicon import Lexicon
from pipeline.match import fold_text, text_to_snippet
from pipeline.types import ExtractedDocument, Hit

CANDIDATE_COLUMNS = [
    "name",
    "key",
    "source",
    "n_mentions",
    "n_contracts",
    "contracts",
    "pages",
    "signature_page",
    "snippet",
    "evidence_score",
    "evidence",
    "probability",
]
LEGAL_FORMS = (
    "Association|Fondation|Fédération|Union|Société|Caisse|Agence|Délégation|Direction|Institut|Office|"
    "Observatoire|Cour|Conseil|Assemblée|Chambre|Comité|Syndicat|Établissement|Centre|Collectif|Coopérative|"
    "Mutuelle|Groupement|Confédération|Ordre"
)
DEFINED_ACRONYM = re.compile(
    rf"\b(?P<name>(?:{LEGAL_FORMS})(?:,?[\s-]+(?:[A-Za-zÀ-ÿ'’]+)){{1,14}}?)\s*\((?P<acr>[A-Z][A-Za-z]{{1,8}})\)"
)
ACRONYM_TOKEN = re.compile(r"(?<![\w.-])(?:[ld]['’])?(?P<acr>[A-Z][A-Z]{2,7})(?![\w-])")
COMMON_ACRONYM_LIST = (
    "CDI CDD SMIC TVA PDF RSA DALO QPV EPCI COG CEO HTML URL ETP FAQ BOP JORF NOR CGCT CASF CSP CAP BAC SIG ZUS RP EUR"
)
COMMON_ACRONYMS = frozenset(COMMON_ACRONYM_LIST.split())  # acronyms of things, not organisations
PLACE_REST = re.compile(
    r"^\s*(?:(?:de|du|des|d['’])\s*(?:la\s+|l['’])?)?[A-ZÉ][\w'’-]+(?:[\s-]+(?:et\s+)?(?:de\s+|du\s+|d['’])?[A-ZÉ][\w'’-]+)*$"
)
EVIDENCE_WEIGHTS = {
    "signature": 3.0,
    "pour": 1.0,
    "forme_juridique": 2.0,
    "sigle_defini": 2.0,
    "plusieurs_contrats": 1.0,
    "repete": 0.5,
}
ORG_PATTERN = re.compile(
    r"\b(?:Association|ASSOCIATION|Fondation|FONDATION|Société|SOCIÉTÉ|SARL|SAS|SCOP|SCIC|Fédération|Régie de quartier"
    r"|Collectif|Coopérative|Entreprise d['’]insertion|Assemblée|Union|Caisse nationale|Délégation régionale"
    r"|Délégation interministérielle|Direction générale|Direction régionale|Cour des comptes|Conseil départemental de"
    r" l['’]Ordre|Ordre)(?:[ \t]+[a-zà-ÿ]{3,}(?=[ \t]+[A-ZÀ-Ý]))?"
    r"(?:[ \t]+(?:[A-ZÀ-Ý0-9«\"][\w'’.\-]*|de|du|des|d['’]\w+|la|le|les|l['’]\w+|et|pour|en|sur|à))+",
)
LEGAL_FORM_PREFIX = re.compile(  # the legal form before a signing body's name: "SA d'HLM", "OPH", "ESH", "SEM" …
    r"^(?:(?:SA|SAS|SARL|SEM|SAEM|SCIC|SCOP|ESH|OPH|OPAC|OPHLM|EPIC)(?:\s+(?:d['’]\s?)?H\.?L\.?M\.?)?"
    r"|[Ss]ociété [Aa]nonyme d['’]\s?HLM)\s+(?=\S)"
)
SIGNER_AFTER = re.compile(  # what follows a signing body's name on its "Pour …" line: the signer, a remark
    r",\s*(?:le|la|les|son|sa|ses|l['’]|M\.|Mme|Monsieur|Madame)\b|\s+(?:M\.|Mme|Monsieur|Madame)\s"
    r"|\s+[Rr]eprésenté|\s+\("
    r"|\s+(?:le|la)\s+(?=(?:Directeur|Directrice|Président|Présidente|Préfet|Préfète|Maire|Vice|Délégué|Déléguée"
    r"|Recteur|Rectrice|Secrétaire|Chef|Responsable|Gérant|Gérante)\b)"
)
GROUP_OF = re.compile(r",?\s+\(?groupe\s+(?=[A-ZÀ-Ý])")  # "MON LOGIS groupe PLURIAL": a member and its group
TRAILING_PARTICLES = re.compile(r"(?:\s+(?:de|du|des|la|le|les|et|pour|en|sur|à))+$")
SIGNATURE_FOR = re.compile(r"^[ \t]*(?:Pour|POUR)\s+(?:l['’]|la\s+|le\s+|les\s+)?(?P<name>[A-ZÀ-Ý][^\n]{2,80})$", re.M)
NOT_ORG_START = re.compile(
    r"^(?:axe|annexe|tableau|fiche|commission|contribution|objectifs?|pilier|orientation|signataires|suite|"
    r"directeur|directrice|pr[ée]sidente?|service|soutenir|accompagner|favoriser)\b",
    re.IGNORECASE,
)
MIN_NAME_CHARS = 4
MAX_NAME_WORDS = 16
NER_MAX_CHARS = 100_000
NER_BATCH_SIZE = 64
NER_CONTEXT_CHARS = 30
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
SENTENCE_END = re.compile(r"(?<=[a-zà-ÿ0-9)»\"]{2}[.!?])[ \t\n]+(?=[A-ZÀ-Ý«\"(])")
CAPITALISED_WORD = re.compile(r"(?<![\w'’-])[A-ZÀ-ÖØ-ÝŒ]")
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Candidate:
    """One occurrence of an organisation name outside the lexicons."""

    contract_id: str
    page: int
    start: int
    end: int
    name: str
    source: str
    snippet: str
    label: str = ""  # NER label (ORG, MISC, LOC, PER) of a NER proposal
    acronym: str = ""  # the acronym a name is defined with ("Agence de service et de paiement (ASP)")
    probability: float = 1.0  # P(organisation outside the lexicons) from the candidate model; 1.0 without it


NerMemo = dict[str, list[tuple[str, int, int]]]  # entities (label, start, end) by digest of the text NER read


@lru_cache(maxsize=1)
def french_stop_words() -> frozenset[str]:
    """spaCy's French stop words (imported when first needed: `spacy.lang.fr` takes seconds to import)."""
    from spacy.lang.fr.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


@lru_cache(maxsize=1)
def load_ner() -> Any:
    """spaCy's small French model with only its `ner` component: the parser, tagger, lemmatizer and the shared
    `tok2vec` (which only they listen to; `ner` has its own) are left out, entities unchanged."""
    import spacy

    return spacy.load(
        "fr_core_news_sm",
        exclude=["tok2vec", "parser", "senter", "lemmatizer", "morphologizer", "attribute_ruler"],
    )


@dataclass(frozen=True)
class NerWindow:
    """A stretch of a page given to NER (`start`:`end`, with context around what matters) and the parts of it
    (`kept`) whose entities are kept."""

    start: int
    end: int
    kept: tuple[tuple[int, int], ...]


def ner_windows(text: str, hit_spans: list[tuple[int, int]], whole: bool = False) -> list[NerWindow]:
    """The parts of a page worth NER's time: the sentences where it can find a name that survives `keep` — two
    capitalised words outside every lexicon hit, at most `MAX_NAME_WORDS` words apart with no hit between them
    (a NER name touching a hit, or with fewer capitals, is dropped anyway). `whole` (a signature page) keeps
    every sentence. Each is read with `NER_CONTEXT_CHARS` of context each side, as NER reads it on the whole
    page; offsets are the page's, within its first `NER_MAX_CHARS` characters."""
    text = text[:NER_MAX_CHARS]
    covered = bytearray(len(text) + 1)
    for start, end in hit_spans:
        covered[start:end] = b"\x01" * (max(0, min(end, len(text)) - start))
    bounds = [0]
    for paragraph in PARAGRAPH_BREAK.finditer(text):
        bounds += [paragraph.start(), paragraph.end()]
    bounds.append(len(text))
    windows: list[NerWindow] = []
    for left, right in zip(bounds[::2], bounds[1::2], strict=True):
        cuts = [left] + [m.end() for m in SENTENCE_END.finditer(text, left, right)] + [right]
        for start, end in pairwise(cuts):
            if not text[start:end].strip() or not (whole or capitalised_pair(text, start, end, covered)):
                continue
            window_start = text.rfind(" ", 0, max(0, start - NER_CONTEXT_CHARS)) + 1
            window_end = text.find(" ", min(len(text), end + NER_CONTEXT_CHARS))
            window_end = len(text) if window_end < 0 else window_end
            if windows and window_start <= windows[-1].end:
                last = windows.pop()
                windows.append(NerWindow(last.start, max(last.end, window_end), (*last.kept, (start, end))))
            else:
                windows.append(NerWindow(window_start, window_end, ((start, end),)))
    return windows


def capitalised_pair(text: str, start: int, end: int, covered: bytearray) -> bool:
    """Whether two capitalised words outside hits stand close enough, with no hit between them, to be one name."""
    capitals = [m.start() for m in CAPITALISED_WORD.finditer(text, start, end) if not covered[m.start()]]
    for first, second in pairwise(capitals):
        if b"\x01" not in covered[first:second] and len(WORD.findall(text, first, second)) < MAX_NAME_WORDS:
            return True
    return False


_KEYS_BY_VERSION: dict[str, frozenset[str]] = {}


def lexicon_keys(lexicon: Lexicon) -> frozenset[str]:
    """Folded names, aliases, former names and acronyms of every lexicon entity and of the glossary terms that are
    not organisations (computed once per lexicon version and process)."""
    if lexicon.version and lexicon.version in _KEYS_BY_VERSION:
        return _KEYS_BY_VERSION[lexicon.version]
    keys = frozenset(lexicon_names_to_keys(lexicon))
    if lexicon.version:
        _KEYS_BY_VERSION.clear()
        _KEYS_BY_VERSION[lexicon.version] = keys
    return keys


def lexicon_names_to_keys(lexicon: Lexicon) -> set[str]:
    keys: set[str] = set()
    for entity in lexicon.entities:
        keys |= names_to_keys((entity.name, *entity.aliases, *entity.former_names, *entity.acronyms))
    for term in lexicon.glossary:
        if not term.organisation:  # « Conseil national des villes » is a body outside the lexicons: a candidate
            keys |= {name_key(v) for v in (term.name, *term.acronyms)}
    return keys


def names_to_keys(names: tuple[str, ...]) -> set[str]:
    """The keys of an entity's names, and of each part of a name joined by a dash ("État – Préfecture")."""
    keys = {name_key(v) for v in names}
    return keys | {name_key(part) for v in names for part in re.split(r"\s[–—-]\s", v)}


def name_key(name: str) -> str:
    """A folded key to group spellings of one name ("l'Association X" = "association x")."""
    folded = fold_text(name).replace("’", "'")
    folded = re.sub(r"^(?:l'|la |le |les )", "", folded.strip())
    return " ".join(re.findall(r"[0-9a-z]+", folded))


def signature_names(match: re.Match[str]) -> list[tuple[int, str]]:
    """(start, name) of the organisations a "Pour …" line names: without the signer or a remark after it ("Pour
    Nantes Habitat, le Président"), without its legal form ("Pour l'OPH TROYES HABITAT" gives "TROYES HABITAT"),
    and apart from the group it belongs to ("MON LOGIS groupe PLURIAL" gives both)."""
    start, raw = match.start("name"), match.group("name")
    if (person := SIGNER_AFTER.search(raw)) is not None:  # "Pour Nantes Habitat, le Président": the body only
        raw = raw[: person.start()]
    if (prefix := LEGAL_FORM_PREFIX.match(raw)) is not None:
        start, raw = start + prefix.end(), raw[prefix.end() :]
    cuts = [(0, len(raw))]
    if (group := GROUP_OF.search(raw)) is not None:
        cuts = [(0, group.start()), (group.end(), len(raw))]
    names = []
    for left, right in cuts:
        piece = raw[left:right]
        name = clean_name(piece)
        if name:
            names.append((start + left + max(piece.find(name), 0), name))
    return names


def clean_name(name: str) -> str:
    name = " ".join(name.split()).strip(' ,;:.«»"()')
    return TRAILING_PARTICLES.sub("", name)


def match_to_candidate(
    contract_id: str, page: int, text: str, match: re.Match[str], name: str, source: str, group: str | int = 0
) -> Candidate:
    """A name found by a pattern: it starts where `group` of the match starts; the snippet runs to the match's end."""
    start = match.start(group)
    snippet = text_to_snippet(text, start, match.end())
    return Candidate(contract_id, page, start, start + len(name), name, source, snippet)


def page_candidates(
    document: ExtractedDocument,
    use_ner: bool = True,
    signature_pages: frozenset[int] = frozenset(),
    hit_spans: dict[int, list[tuple[int, int]]] | None = None,
    ner_memo: NerMemo | None = None,
    wide: bool = False,
) -> list[Candidate]:
    """Candidate names on every page of a document: patterns, "Pour …" signature blocks, NER. With the lexicon's
    `hit_spans`, NER reads only the sentences where it can find something new (`ner_segments`). `wide` adds the
    proposals of `pipeline.candidate_spans` and NER names of every label, for the candidate model to decide."""
    found: list[Candidate] = []
    texts = [(page.number, page.text) for page in document.pages if page.text.strip()]
    methods = {page.number: page.method for page in document.pages}
    words = {word for _, text in texts for word in re.findall(r"\b[a-zà-ÿ]{3,}\b", text)}
    stop_words = french_stop_words()
    for number, text in texts:
        page_method = methods[number]
        if number in signature_pages:
            for match in SIGNATURE_FOR.finditer(text):
                for start, name in signature_names(match):
                    snippet = text_to_snippet(text, start, match.end())
                    found.append(
                        Candidate(document.contract_id, number, start, start + len(name), name, "signature", snippet)
                    )
        for match in ORG_PATTERN.finditer(text):
            for start, end in coordinated_parts(text, match.start(), match.end()):
                name = clean_name(text[start:end])
                snippet = text_to_snippet(text, start, end)
                found.append(Candidate(document.contract_id, number, start, start + len(name), name, "motif", snippet))
        for match in () if wide else DEFINED_ACRONYM.finditer(text):  # wide: `defined_names` instead
            name = clean_name(match.group("name"))
            if acronym_fits(name, match.group("acr")):
                found.append(match_to_candidate(document.contract_id, number, text, match, name, "sigle_defini"))
        for match in ACRONYM_TOKEN.finditer(text):
            acronym = match.group("acr")
            line = text[text.rfind("\n", 0, match.start()) + 1 : text.find("\n", match.end()) % (len(text) + 1)]
            letters = [c for c in line if c.isalpha()]
            caps_line = len(letters) > len(acronym) + 4 and sum(c.isupper() for c in letters) > 0.6 * len(letters)
            if (
                acronym not in COMMON_ACRONYMS
                and not caps_line
                and page_method != "ocr"
                and acronym.lower() not in words
                and acronym.lower() not in stop_words
            ):
                start, end = match.start("acr"), match.end("acr")
                found.append(
                    Candidate(
                        document.contract_id, number, start, end, acronym, "sigle", text_to_snippet(text, start, end)
                    )
                )
        if wide:
            found += wide_page_candidates(document.contract_id, number, text, stop_words)
    if use_ner:
        found += ner_candidates(document.contract_id, texts, signature_pages, hit_spans, ner_memo, wide)
    return found


def wide_page_candidates(contract_id: str, number: int, text: str, stop_words: frozenset[str]) -> list[Candidate]:
    """The wide proposals of one page: capitalised runs, names after a cue word, names defined with their
    acronym (either way), mixed-case acronyms, phrases opened by an organisation's head word, the items of
    enumerations and short quoted names."""
    found = []
    for start, end, name in coordinated_names(text, capitalised_runs(text, stop_words)):
        found.append(Candidate(contract_id, number, start, end, name, "majuscules", text_to_snippet(text, start, end)))
    for start, end, name in coordinated_names(text, ((s, e, n) for s, e, n, _ in cue_names(text))):
        found.append(Candidate(contract_id, number, start, end, name, "indice", text_to_snippet(text, start, end)))
    for start, end, name, acronym in defined_names(text, acronym_fits):
        snippet = text_to_snippet(text, start, end)
        found.append(Candidate(contract_id, number, start, end, name, "sigle_defini", snippet, acronym=acronym))
    for start, end, acronym in mixed_acronyms(text):
        found.append(Candidate(contract_id, number, start, end, acronym, "sigle", text_to_snippet(text, start, end)))
    for start, end, name in [*head_phrases(text, stop_words), *named_heads(text)]:
        found.append(Candidate(contract_id, number, start, end, name, "tete", text_to_snippet(text, start, end)))
    for start, end, name in list_items(text):
        found.append(Candidate(contract_id, number, start, end, name, "liste", text_to_snippet(text, start, end)))
    for start, end, name in quoted_names(text):
        found.append(Candidate(contract_id, number, start, end, name, "guillemets", text_to_snippet(text, start, end)))
    return found


def coordinated_names(text: str, names: Iterable[tuple[int, int, str]]) -> Iterator[tuple[int, int, str]]:
    """Each name, or its parts where « et » opens another organisation or a spaced dash separates list items
    (« le cabinet Pluricité et l'Agence Phare » gives « Pluricité » and « Agence Phare »), as `coordinated_parts`
    splits the legal-form patterns' names."""
    for start, end, name in names:
        parts = coordinated_parts(text, start, end)
        if len(parts) == 1:
            yield start, end, name
            continue
        for left, right in parts:
            part = text[left:right].strip()
            if part:
                yield left, left + len(part), " ".join(part.split())


def ner_version() -> str:
    """The version of what NER answers: spaCy's and its French model's."""
    import spacy

    return f"{spacy.__version__}-{load_ner().meta['version']}"


def window_digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def ner_entities(stretches: list[str], memo: NerMemo | None = None) -> list[list[tuple[str, int, int]]]:
    """NER's entities (label, start, end) in each stretch of text, read in one batch; with a `memo` of stretches
    already read (a contract analysed again after a lexicon edit), only the new stretches are read, and added."""
    memo = {} if memo is None else memo
    digests = [window_digest(text) for text in stretches]
    unread = {digest: text for digest, text in zip(digests, stretches, strict=True) if digest not in memo}
    docs = load_ner().pipe(unread.values(), batch_size=NER_BATCH_SIZE)
    for digest, doc in zip(unread, docs, strict=True):
        memo[digest] = [(ent.label_, ent.start_char, ent.end_char) for ent in doc.ents]
    return [memo[digest] for digest in digests]


def ner_candidates(
    contract_id: str,
    texts: list[tuple[int, str]],
    signature_pages: frozenset[int],
    hit_spans: dict[int, list[tuple[int, int]]] | None,
    memo: NerMemo | None = None,
    wide: bool = False,
) -> list[Candidate]:
    """Organisation names found by spaCy's NER in the pages (or only in their `ner_segments`), in one batch;
    `wide`: names of every label, with their label (the candidate model weighs it)."""
    pieces: list[tuple[int, str, NerWindow]] = []
    for number, text in texts:
        if hit_spans is None:
            end = min(len(text), NER_MAX_CHARS)
            pieces.append((number, text, NerWindow(0, end, ((0, end),))))
        else:
            whole = number in signature_pages
            pieces += [(number, text, window) for window in ner_windows(text, hit_spans.get(number, []), whole)]
    found = []
    entities = ner_entities([text[w.start : w.end] for _, text, w in pieces], memo)
    for (number, text, window), found_here in zip(pieces, entities, strict=True):
        for label, ent_start, ent_end in found_here:
            start, end = window.start + ent_start, window.start + ent_end
            name = clean_name(text[start:end])
            if not any(left <= start < right for left, right in window.kept):
                continue
            if wide or (label == "ORG" and plausible_ner_name(name)):
                snippet = text_to_snippet(text, start, end)
                found.append(Candidate(contract_id, number, start, end, name, "ner", snippet, label=label))
    return found


def acronym_fits(name: str, acronym: str) -> bool:
    """An acronym made of the initials of a name's main words (with some freedom: "ASP", "DRAJES")."""
    initials = [word[0].upper() for word in re.findall(r"[A-Za-zÀ-ÿ]+", name) if len(word) > 2 or word[0].isupper()]
    letters = [c for c in acronym.upper() if c.isalpha()]
    position, unmatched = 0, 0
    for letter in letters:
        found = next((i for i in range(position, len(initials)) if initials[i] == letter), None)
        if found is None:
            unmatched += 1  # a word the text leaves out ("AMGVF" for "... de grandes villes [de France]")
            continue
        position = found + 1
    return bool(letters) and bool(initials) and letters[0] == initials[0] and unmatched <= 1 < len(letters)


def plausible_ner_name(name: str) -> bool:
    """NER output worth showing: two words or more, capitalised, not a heading or a verb."""
    words = name.split()
    capitalised = sum(1 for word in words if word[:1].isupper())
    return len(words) >= 2 and capitalised >= 2 and not NOT_ORG_START.match(name) and not name[:1].isdigit()


STRONG_SOURCES = ("signature", "sigle_defini", "motif")
HIT_INSIDE_SOURCES = (*STRONG_SOURCES, "tete")  # a name that may hold a lexicon name ("… des cités éducatives")
EPCI_OR_PERSON = re.compile(
    r"^(?:CA|CC|CU|Communauté\s+(?:d['’]agglomération|de\s+communes|urbaine)|Métropole|Mme|M\.|Madame|Monsieur)\b"
    r"|\b(?:Métropole|Agglo|Agglomération|Communauté)$"
)


def keep(
    candidate: Candidate,
    keys: frozenset[str] | set[str],
    hit_spans: dict[int, list[tuple[int, int]]],
    short_acronyms: bool = False,
    member_spans: frozenset[tuple[int, int, int]] = frozenset(),
) -> bool:
    """A plausible organisation name that the lexicons do not already cover.

    A NER name touching a lexicon hit is dropped (it usually runs into a heading); a name from a signature
    line, a legal-form pattern or a defined acronym is kept unless a lexicon hit covers most of it or it is
    a lexicon entity followed by a place ("Préfecture du Cantal"). A name around the hit of a group whose members
    have names of their own (`member_spans`), with a capitalised word of its own, is a member ("OPH de Dole",
    "Rugby Club Nîmes Olympique"). The contract's own intercommunalities and people's names are not candidates,
    nor a phrase in lower case that ends on a lexicon hit (a unit of a known body). `short_acronyms` keeps
    acronyms of three capitals ("l'AMF")."""
    key = name_key(candidate.name)
    words = key.split()
    short = len(key) < MIN_NAME_CHARS and not (short_acronyms and len(key) == 3 and candidate.name.isupper())
    if short or not words or len(words) > MAX_NAME_WORDS or key in keys:
        return False
    if (
        key in french_stop_words()
        or candidate.name in COMMON_ACRONYMS
        or "\n" in candidate.name
        or "\t" in candidate.name
        or key.isdigit()
        or NOT_ORG_START.match(candidate.name)
    ):
        return False
    if EPCI_OR_PERSON.search(candidate.name) or (
        len(words) == 1 and re.fullmatch(LEGAL_FORMS + "|SARL|SAS", candidate.name)
    ):
        return False
    spans = [(s, e) for s, e in hit_spans.get(candidate.page, []) if s < candidate.end and candidate.start < e]
    if not spans:
        return True
    if all((candidate.page, s, e) in member_spans for s, e in spans) and named_beyond(candidate, spans):
        return True
    if candidate.name[:1].islower() and any(e >= candidate.end for _, e in spans):
        return False  # "délégation départementale de l'Aude de l'ARS": a unit of a body the lexicons know
    if candidate.source not in HIT_INSIDE_SOURCES:
        return False
    if any(s <= candidate.start and PLACE_REST.match(candidate.name[e - candidate.start :]) for s, e in spans):
        return False
    covered = sum(min(e, candidate.end) - max(s, candidate.start) for s, e in spans)
    return covered < 0.6 * max(candidate.end - candidate.start, 1)


def member_hit_spans(hits: list[Hit]) -> frozenset[tuple[int, int, int]]:
    """(page, start, end) of the hits of a lexicon group whose members have names of their own (the groups of the
    `membre` words of `candidate_words.csv`: social landlords, sports clubs): « l'OPH de Dole », « le Club Animation
    Prévention » name a member around the group's word."""
    groups = {group for _, group in candidate_words().members}
    return frozenset((hit.page, hit.start, hit.end) for hit in hits if hit.entity_id in groups)


def named_beyond(candidate: Candidate, spans: list[tuple[int, int]]) -> bool:
    """Whether a name holds a capitalised word outside the given spans of its page ("Dole" in "OPH de Dole")."""
    name = candidate.name
    covered = bytearray(len(name))
    for start, end in spans:
        for i in range(max(start - candidate.start, 0), min(end - candidate.start, len(name))):
            covered[i] = 1
    rest = "".join(" " if covered[i] else char for i, char in enumerate(name))
    return any(len(word) > 1 for word in re.findall(rf"(?<![\w'’-])[{UPPER}][\w'’-]*", rest))


def contract_candidates(
    document: ExtractedDocument,
    hits: list[Hit],
    lexicon: Lexicon,
    signature_pages: frozenset[int] = frozenset(),
    use_ner: bool = True,
    ner_memo: NerMemo | None = None,
    models: Any = None,
) -> list[Candidate]:
    """Organisation names of one contract that the lexicons do not cover (computed per contract, in parallel);
    `ner_memo`: what NER read of this contract before (`ner_entities`). The names of strong evidence (signature
    lines, legal-form patterns, defined acronyms, NER organisations, unknown acronyms) are always kept; with a
    `candidate` model among `models`, the wide proposals are scored too, and those it keeps that do not overlap a
    strong name are added."""
    keys = lexicon_keys(lexicon)
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for hit in hits:
        spans[hit.page].append((hit.start, hit.end))
    memo: NerMemo = {} if ner_memo is None else ner_memo
    found = page_candidates(document, use_ner, signature_pages, spans, memo)
    kept = [c for c in found if keep(c, keys, spans)]
    strong = [c for c in kept if not any(nested(c, other) for other in kept)]
    model = getattr(models, "candidate", None)
    if model is None:
        return strong
    # with the model, a bare acronym or a NER name is one proposal among others ("SOMMAIRE", "Conseil Municipal")
    strong = [c for c in strong if set(c.source.split("|")) & set(STRONG_SOURCES)]
    from pipeline.candidate_memory import known_name_candidates
    from pipeline.candidate_score import score_candidates

    wide = page_candidates(document, use_ner, signature_pages, spans, memo, wide=True)
    wide += known_name_candidates(document, tuple(getattr(model, "known_names_", ())))
    members = member_hit_spans(hits)
    proposals = [c for c in wide if keep(c, keys, spans, short_acronyms=True, member_spans=members)]
    scored = score_candidates(document, proposals, signature_pages, model, spans)
    strong = [c for c in strong if not gives_way(c, strong, scored)]
    added = [c for c in scored if not any(overlaps(c, other) for other in strong)]
    return sorted(strong + added, key=lambda c: (c.page, c.start, c.end))


YIELDING_SOURCES = ("sigle",)  # strong names that a longer kept name replaces ("FACE" in "FACE MEL")
PREFIX_SOURCES = frozenset({"motif"})  # a pattern's name cut at a lower-case word, which a kept name extends
FIRM_SOURCES = frozenset({"signature", "sigle_defini"})


def gives_way(candidate: Candidate, strong: list[Candidate], scored: list[Candidate]) -> bool:
    """Whether a strong name gives way to a longer name that the model keeps and that overlaps no other strong
    name: a bare acronym to a name around it ("CREPI" to "CREPI Hauts-de-France", "FACE" to "FACE MEL"), a pattern's
    name to the name it starts ("Caisse nationale" to "Caisse nationale de solidarité pour l'autonomie")."""
    sources = set(candidate.source.split("|"))
    acronym = candidate.source in YIELDING_SOURCES
    if not acronym and (not sources & PREFIX_SOURCES or sources & FIRM_SOURCES):
        return False
    return any(
        nested(candidate, wider)
        and (acronym or wider.start == candidate.start)
        and not any(overlaps(wider, other) for other in strong if other is not candidate and not nested(other, wider))
        for wider in scored
    )


def overlaps(one: Candidate, other: Candidate) -> bool:
    return one.page == other.page and one.start < other.end and other.start < one.end


def nested(inner: Candidate, outer: Candidate) -> bool:
    """A candidate inside a longer one of the same page ("Caisse nationale" in "Caisse nationale de ...")."""
    return (
        inner.page == outer.page
        and outer.start <= inner.start
        and inner.end <= outer.end
        and (outer.end - outer.start) > (inner.end - inner.start)
    )


def candidates_to_frame(
    candidates: list[Candidate], signature_pages: dict[str, frozenset[int]] | None = None
) -> pd.DataFrame:
    """The `candidates.csv` frame: one row per name, most widespread first, with contracts and a snippet; a name
    defined with its acronym is shown spelled out, its acronym's mentions counted with it."""
    grouped: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        grouped[name_key(candidate.name)].append(candidate)
    signed_pages = signature_pages or {}
    defined = {name_key(c.name): c for c in candidates if "sigle_defini" in c.source.split("|")}
    acronym_of = {}
    for key, candidate in defined.items():
        found = re.search(r"\(([A-Za-z]+)\)", candidate.snippet[candidate.snippet.find(candidate.name) :] or "")
        acronym = candidate.acronym or (found.group(1) if found else "")
        if acronym:
            acronym_of[name_key(acronym)] = key
    for acronym_key in list(grouped):
        if acronym_key in acronym_of and acronym_of[acronym_key] in grouped:  # "CNSA" counted with its name
            grouped[acronym_of[acronym_key]] += grouped.pop(acronym_key)
    rows = []
    for key, items in grouped.items():
        spelled = [c.name for c in items if name_key(c.name) == key]  # not the acronym counted with its name
        names = pd.Series(spelled or [c.name for c in items]).value_counts()
        sources = {part for c in items for part in c.source.split("|")}
        contracts = sorted({c.contract_id for c in items})
        evidence = candidate_evidence(items, names.index[0], len(contracts), signed_pages)
        rows.append(
            {
                "name": names.index[0],
                "key": key,
                "source": "|".join(sorted(sources)),
                "n_mentions": len(items),
                "n_contracts": len(contracts),
                "contracts": "|".join(contracts),
                "pages": "|".join(sorted({f"{c.contract_id}:{c.page}" for c in items})[:20]),
                "signature_page": int(any(c.page in signed_pages.get(c.contract_id, frozenset()) for c in items)),
                "snippet": items[0].snippet,
                "evidence_score": round(sum(EVIDENCE_WEIGHTS[cue] for cue in evidence), 1),
                "evidence": "|".join(evidence),
                "probability": round(max(c.probability for c in items), 3),
            }
        )
    frame = pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)
    return frame.sort_values(
        ["evidence_score", "probability", "n_contracts", "n_mentions", "name"],
        ascending=[False, False, False, False, True],
    ).reset_index(drop=True)


def candidate_evidence(
    items: list[Candidate], name: str, n_contracts: int, signed_pages: dict[str, frozenset[int]]
) -> list[str]:
    """Why a name is likely an organisation: where and how it is written, how often."""
    cues = []
    if any("signature" in c.source.split("|") for c in items):
        cues.append("signature")
    elif any(c.page in signed_pages.get(c.contract_id, frozenset()) for c in items):
        cues.append("pour")
    if re.match(rf"(?:{LEGAL_FORMS})\b", name) or ORG_PATTERN.match(name):
        cues.append("forme_juridique")
    if any("sigle_defini" in c.source.split("|") for c in items):
        cues.append("sigle_defini")
    if n_contracts >= 2:
        cues.append("plusieurs_contrats")
    if len(items) >= 2:
        cues.append("repete")
    return cues


def find_candidates(
    documents: list[ExtractedDocument],
    hits: list[Hit],
    lexicon: Lexicon,
    signature_pages: dict[str, frozenset[int]] | None = None,
    use_ner: bool = True,
    models: Any = None,
) -> pd.DataFrame:
    """The `candidates.csv` frame for a run: organisations outside the lexicons, most frequent first."""
    found: list[Candidate] = []
    for document in documents:
        signed = (signature_pages or {}).get(document.contract_id, frozenset())
        own_hits = [hit for hit in hits if hit.contract_id == document.contract_id]
        found += contract_candidates(document, own_hits, lexicon, signed, use_ner, models=models)
    return candidates_to_frame(found, signature_pages)
