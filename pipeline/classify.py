"""Classify stage: give every hit its sense, role, theme, probability and stable id.

- Collisions: acronym hits that are ordinary words in capitals ("PRÉ", "PIC"), OCR debris alone on a
  line of a scan, or a piece of a longer hyphenated acronym are dropped.
- Sense of an ambiguous acronym: the `sense` model on its context (words, section theme, co-occurring
  entities), else the sense whose themes the context speaks of.
- Role: a partner in a signature section is `signataire` unless the line is contrastive ("non signataire", "sera
  associée", a list « en présence de : »); the `role` model gives the probability; a dispositif is `articulation`.
- Theme: the table row's theme, else the section's (the heading's), else the paragraph classifier.
- Mention sense: the `mention` model (`pipeline.sense`) gives P(the mention names the entity) for every
  candidate mention; loose variants ("Caf", "les départements", a bare "Etat") and lexicon hits alike are
  kept from their kind's threshold (`sense.accept_threshold`; without the model, loose variants are dropped).
- Score: the `score` model's probability that the detection is right (calibrated on held-out contracts),
  else the product of the sense, mention and role probabilities.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from pipeline.definitions import hits_as_defined
from pipeline.era import hits_in_era
from pipeline.lexicon import Lexicon
from pipeline.match import ACRONYM_METHODS, LOOSE_METHODS, MEMBER_METHOD, fold_text
from pipeline.models import Models
from pipeline.sense import Mention, accept_threshold, entity_probabilities, head_class_of, head_of, page_mention
from pipeline.structure import (
    PERSON_LINE,
    DocumentStructure,
    analyse_structure,
    text_to_theme_counts,
    theme_patterns,
)
from pipeline.types import Detection, Entity, ExtractedDocument, Hit, Page, Role, Structure

CONTEXT_RADIUS = 400
SENSE_RADIUS = 250
ID_CONTEXT_RADIUS = 40
PARAGRAPH_MIN_PROBABILITY = 0.5
CONTRASTIVE = re.compile(
    r"non[- ]signataire|n['’](a|ont) pas (souhaité |encore )?sign|ne (sera|seront|sont) pas signataire"
    r"|sera associée?|seront associé(e)?s|sans être signataire|pas signataire|ne signe pas",
    re.IGNORECASE,
)
TITLE_BEFORE = re.compile(
    r"(?:directeur|directrice|pr[ée]sidente?|d[ée]l[ée]gu[ée]e?|pr[ée]f[èe]te?|recteur|rectrice|procureure?|maire)"
    r"\b[^.\n]{0,60}(?:de|du|des|d['’])\s*(?:l['’]|la\s+|le\s+|les\s+)?$",
    re.IGNORECASE,
)
# "a été signé par l'État, la Métropole …", "sont signataires du contrat", "ont signé": a sentence reporting who
# signs; not the plural noun alone ("les signataires veilleront à …", "les techniciens des signataires")
SIGNING_STATEMENT = re.compile(
    r"\bsign(?:é|ée|és|ées|ent|eront|era|ait|aient|ant)\b|\bcosign\w*"
    r"|\b(?:est|sont|sera|seront|était|étaient|devient|deviennent|comme|en tant que)\s+(?:co-?)?signataires?\b",
    re.IGNORECASE,
)
SIGNER_CUE_BEFORE = re.compile(
    r"\bsign(?:é|ée|és|ées)\s+(?:conjointement\s+)?(?:par|entre|avec)\b|\bsignataires?\b", re.IGNORECASE
)
SIGNING_VERB_AFTER = re.compile(
    r"\b(?:ont|a|avaient|avait|vont|va)\s+(?:(?:également|aussi|conjointement|tous|hier)\s+)?(?:co-?)?sign[ée]"
    r"|\b(?:co-?)?sign(?:ent|eront|aient|ait)\b|\bparaph(?:ent|é)",
    re.IGNORECASE,
)
# « D'autre part, EN PRESENCE DE : Le conseil régional …, La Caisse des Dépôts … »: bodies present at the signing,
# listed after the parties, who do not sign, as the associated partners of « ET EN PARTENARIAT AVEC : – La Région … »
# (rrq35); the list ends with the convention's first words or a blank line
PRESENCE_OPENER = re.compile(r"\ben\s+pr[ée]sence\s+(?:de|des|du|d['’])|\ben\s+partenariat\s+avec\s*:", re.IGNORECASE)
PRESENCE_END = re.compile(r"convenu|d['’](?:une|autre)\s+part|\n\s*\n|\n#|\bpr[ée]ambule\b", re.IGNORECASE)
PRESENCE_REACH = 800
SIGNING_PLACE_BEFORE = re.compile(r"\b(?:au|aux|à|dans|devant|chez)\s+(?:la\s+|le\s+|les\s+|l['’])?$", re.IGNORECASE)
SENTENCE_END = re.compile(r"(?<!\b[A-ZÉ])[.!?;]\s|\n\s*\n")  # not after an initial: « M. le préfet », « X. »
SENTENCE_REACH = 300
FOR_BEFORE = re.compile(r"(?:^|\s)(?:pour|POUR|Pour)\s+(?:l['’]|la\s+|le\s+|les\s+)?$")
# Which document a signing sentence speaks of: this one (« la présente convention est signée par »), one of many or
# another one (« une convention signée entre la maire, le bailleur … », rsq24), or a general practice (« Classiquement
# signés entre le Conseil Régional et l'État », rso29): features of the role model, which learns what each says
SIGNED_DOCUMENT = (
    r"(?:conventions?|contrats?|protocoles?|chartes?|accords?|avenants?|pactes?|sch[ée]mas?|plans?|documents?)\b"
)
THIS_DOCUMENT = re.compile(r"\b(?:(?:le|la)\s+pr[ée]sente?|ce|cette|cet)\s+" + SIGNED_DOCUMENT, re.IGNORECASE)
ANOTHER_DOCUMENT = re.compile(
    r"\b(?:une?|des|deux|trois|quatre|plusieurs|chaque|ces|certains|certaines|nombreux|nombreuses)\s+(?:\w+\s+)?"
    + SIGNED_DOCUMENT,
    re.IGNORECASE,
)
GENERAL_PRACTICE = re.compile(
    r"\b(?:classiquement|g[ée]n[ée]ralement|habituellement|en\s+g[ée]n[ée]ral|syst[ée]matiquement|traditionnellement"
    r"|peuvent|doivent|devront|pourront|sont\s+(?:en\s+principe\s+)?sign[ée]s)\b",
    re.IGNORECASE,
)


@dataclass
class Analysed:
    """A detection with the features and probabilities behind it (used by training and calibration)."""

    detection: Detection
    features: dict[str, Any] = field(default_factory=dict)
    sense_text: str = ""
    senses: tuple[str, ...] = ()
    sense_probability: float = 1.0
    signature_probability: float = 0.0
    mention: Mention | None = None
    entity_probability: float = 1.0


def line_around(text: str, start: int, end: int) -> str:
    """The line of text holding a span."""
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", end)
    return text[left : right if right >= 0 else len(text)]


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) of the sentence holding a span (bounded by a full stop, semicolon or blank line, at most
    `SENTENCE_REACH` characters either side): a list of signatories may run over several lines of a page."""
    lower = max(0, start - SENTENCE_REACH)
    ends_before = [m.end() for m in SENTENCE_END.finditer(text, lower, start)]
    left = ends_before[-1] if ends_before else lower
    after = SENTENCE_END.search(text, end, min(len(text), end + SENTENCE_REACH))
    return left, after.start() + 1 if after else min(len(text), end + SENTENCE_REACH)


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence holding a span (`sentence_bounds`)."""
    left, right = sentence_bounds(text, start, end)
    return text[left:right]


def reports_signing(text: str, start: int, end: int) -> bool:
    """Whether the sentence around a span says that someone signs or signed (« X, Y et Z ont signé … »)
    without a contrastive cue (« non signataire », « sera associée »), the span not being a place (« au centre
    social »)."""
    if SIGNING_PLACE_BEFORE.search(text, max(0, start - 20), start):  # « signé … au centre social X »: where, not who
        return False
    sentence = sentence_around(text, start, end)
    return bool(SIGNING_STATEMENT.search(sentence)) and not CONTRASTIVE.search(sentence)


def signed_document(text: str, start: int, end: int) -> str:
    """Which document the sentence around a span speaks of, for the role model: `ce_document` (« le présent
    contrat »), `pratique_generale` (« classiquement signés », « peuvent être signés »), `autre_document` (« une
    convention », « des contrats ») or `rien`."""
    left, right = sentence_bounds(text, start, end)
    sentence = text[left:right]
    if THIS_DOCUMENT.search(sentence):
        return "ce_document"
    if GENERAL_PRACTICE.search(sentence):
        return "pratique_generale"
    return "autre_document" if ANOTHER_DOCUMENT.search(sentence) else "rien"


def signer_in_sentence(text: str, start: int, end: int) -> bool:
    """Whether a span stands where a sentence puts its signers: after « signé par / entre / avec » or « parmi les
    signataires », or before the verb « ont signé », « signent » (« le préfet, la CAF et la MSA signent le
    schéma »), without a contrastive cue and not as the place of the signing."""
    if SIGNING_PLACE_BEFORE.search(text, max(0, start - 20), start):
        return False
    left, right = sentence_bounds(text, start, end)
    if CONTRASTIVE.search(text, left, right):
        return False
    return bool(SIGNER_CUE_BEFORE.search(text, left, start) or SIGNING_VERB_AFTER.search(text, end, right))


def present_not_party(text: str, start: int, end: int) -> bool:
    """Whether a span is in a list of bodies present at the signing or associated as partners (« EN PRESENCE DE : … »,
    « EN PARTENARIAT AVEC : … ») that has not ended, and no signing verb follows it in its sentence (« en présence du
    préfet, la CAF et la MSA ont signé »)."""
    lower = max(0, start - PRESENCE_REACH)
    openers = list(PRESENCE_OPENER.finditer(text, lower, start))
    if not openers or PRESENCE_END.search(text, openers[-1].end(), start):
        return False
    _, right = sentence_bounds(text, start, end)
    return not SIGNING_VERB_AFTER.search(text, end, right)


def detection_id_for(contract_id: str, entity_id: str, context: str, occurrence: int) -> str:
    """An id stable for the same text of the same contract: hash of entity, folded context, occurrence."""
    key = f"{contract_id}\x1f{entity_id}\x1f{' '.join(context.split())}\x1f{occurrence}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def choose_sense(candidates: list[Hit], themes: Counter[str], sense_themes: dict[str, tuple[str, ...]]) -> Hit:
    """For an ambiguous acronym without a model, the sense whose themes the context mentions most."""

    def affinity(hit: Hit) -> int:
        return sum(themes[theme] for theme in sense_themes.get(hit.entity_id, ()))

    return max(candidates, key=lambda hit: (affinity(hit), -candidates.index(hit)))


# --- collisions ----------------------------------------------------------------------------------------


def document_words(document: ExtractedDocument) -> set[str]:
    """Lower-case words of the document's running text (to tell an acronym from a word in capitals)."""
    return {word for page in document.pages for word in re.findall(r"\b[a-zà-ÿ]{2,}\b", page.text)}


ABBREVIATIONS = frozenset({"cie", "ets", "ste"})  # « Fatma & Cie », « Ets Martin »: French abbreviations, not acronyms


def is_collision(hit: Hit, page: Page, words: set[str]) -> bool:
    """An acronym hit that is not one: a capitalised ordinary word, a French abbreviation read as an acronym in
    another case (« Cie » is « compagnie », not the CIE), OCR debris, or part of a longer token."""
    if hit.method not in ACRONYM_METHODS:
        return False
    if hit.method in LOOSE_METHODS and not hit.matched.isupper() and hit.matched.lower() in ABBREVIATIONS:
        return True
    text = page.text
    line = line_around(text, hit.start, hit.end).strip()
    letters = [c for c in line if c.isalpha()]
    caps_line = len(letters) > len(hit.matched) + 6 and sum(c.isupper() for c in letters) > 0.9 * len(letters)
    if caps_line and hit.matched.lower() in words:
        return True  # "LE PRÉ", "UN PIC DE" in a heading in capitals
    if page.method == "ocr" and len(re.sub(r"[^A-Za-zÀ-ÿ]", "", line)) <= len(hit.matched) + 2:
        return True  # a signature scribble read as letters
    before, after = text[max(0, hit.start - 3) : hit.start], text[hit.end : hit.end + 3]
    return bool(re.search(r"[A-Z0-9][-/]$", before) or re.match(r"-[A-Z]{2}", after))


# --- features ------------------------------------------------------------------------------------------


def role_features(hit: Hit, page: Page, structure: DocumentStructure, n_pages: int, in_table: bool) -> dict[str, Any]:
    """What the text around a partner mention says about a signature (features of the `role` model)."""
    text = page.text
    line = line_around(text, hit.start, hit.end)
    line_start = text.rfind("\n", 0, hit.start) + 1
    before = text[line_start : hit.start]
    next_end = text.find("\n", text.find("\n", hit.end) + 1)
    following = text[hit.end : next_end if next_end > 0 else len(text)]
    head, capitalised = head_of(before[-80:])
    head_class = head_class_of(head) if head else "rien"
    return {
        # "Pour le Conseil National des Missions Locales": the body whose name holds the mention signs, not it
        "complement_of=" + head_class: True,
        "inside_capitalised_name": capitalised and head_class == "organisation",
        "in_signature": structure.in_signature(hit.page, hit.start),
        "signature_page": hit.page in structure.signature_pages,
        "party_clause": structure.in_party_clause(hit.page, hit.start),
        "for_before": bool(FOR_BEFORE.search(before[-60:])),
        "title_before": bool(TITLE_BEFORE.search(before[-90:])),
        "contrastive": bool(CONTRASTIVE.search(line)) or present_not_party(text, hit.start, hit.end),
        "signing_sentence": reports_signing(text, hit.start, hit.end),
        "signer_in_sentence": signer_in_sentence(text, hit.start, hit.end),
        "signed_document=" + signed_document(text, hit.start, hit.end): True,
        "person_after": bool(PERSON_LINE.search(following)),
        "prose_line": len(line) > 70 and line.rstrip().endswith("."),
        "caps_line": line.isupper(),
        "ocr": page.method == "ocr",
        "in_table": in_table,
        "late_page": hit.page > 0.6 * n_pages,
        "matched_by=" + ("membre" if hit.method == MEMBER_METHOD else "lexique"): True,
    }


def sense_text(page: Page, hit: Hit, section_theme: str, row_theme: str, neighbours: list[str]) -> str:
    """The input of the `sense` model: folded context, acronym masked, plus theme and entity tokens."""
    text = page.text
    left = fold_text(text[max(0, hit.start - SENSE_RADIUS) : hit.start])
    right = fold_text(text[hit.end : hit.end + SENSE_RADIUS])
    tokens = [f"zzacr_{fold_text(hit.matched).replace('.', '')}"]
    tokens += [f"zzth_{theme}" for theme in sorted({section_theme, row_theme}) if theme]  # not a set's order
    tokens += [f"zzent_{entity}" for entity in sorted(set(neighbours))]
    return f"{left} zzcible {right} " + " ".join(tokens)


def in_table_at(structure: DocumentStructure, page: int, start: int) -> bool:
    return bool(structure.row_theme_at(page, start))


# --- the stage -----------------------------------------------------------------------------------------


def analyse_hits(
    document: ExtractedDocument,
    hits: list[Hit],
    structure: Structure,
    lexicon: Lexicon,
    models: Models | None = None,
    keep_rejected: bool = False,
) -> list[Analysed]:
    """Detections for one contract with their features and probabilities (see `classify_document`);
    `keep_rejected` also returns the mentions that the mention model rejects (for training and calibration)."""
    if not isinstance(structure, DocumentStructure):
        structure = analyse_structure(document, lexicon, models=models)
    assert isinstance(structure, DocumentStructure)
    hits = hits_in_era(hits, document, lexicon.eras)  # « PRU » in a text of 2008 is the first programme
    hits = hits_as_defined(hits, document, lexicon)  # « … de rénovation urbaine (PRU) » defines « PRU »
    by_id = lexicon.by_id()
    sense_themes = {entity.entity_id: entity.themes for entity in lexicon.entities}
    sense_themes |= {term.term_id: term.themes for term in lexicon.glossary}
    patterns = theme_patterns(lexicon)
    pages = {page.number: page for page in document.pages}
    words = document_words(document)
    spans: dict[tuple[int, int, int], list[Hit]] = defaultdict(list)
    for hit in hits:
        if hit.entity_id in sense_themes and hit.page in pages and not is_collision(hit, pages[hit.page], words):
            spans[(hit.page, hit.start, hit.end)].append(hit)
    page_entities: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for (page_number, start, _), candidates in spans.items():
        if len(candidates) == 1:
            page_entities[page_number].append((start, candidates[0].entity_id))

    ordered = sorted(spans.items())
    # Sense: one batch through the model.
    ambiguous = [(key, c) for key, c in ordered if len(c) > 1]
    texts = []
    for (page_number, start, _), candidates in ambiguous:
        section = structure.section_at(page_number, start)
        neighbours = [e for s, e in page_entities[page_number] if abs(s - start) <= SENSE_RADIUS]
        texts.append(
            sense_text(
                pages[page_number],
                candidates[0],
                section.theme if section else "",
                structure.row_theme_at(page_number, start),
                neighbours,
            )
        )
    sense_probabilities = (
        models.predict_senses(texts, [tuple(h.entity_id for h in c) for _, c in ambiguous]) if models else []
    )
    chosen: dict[tuple[int, int, int], tuple[Hit, float, str]] = {}
    for index, (key, candidates) in enumerate(ambiguous):
        probabilities = sense_probabilities[index] if sense_probabilities else {}
        if probabilities:
            best = max(candidates, key=lambda h: probabilities.get(h.entity_id, 0.0))
            chosen[key] = (best, probabilities.get(best.entity_id, 0.0), texts[index])
        else:
            page_text = pages[key[0]].text
            context = fold_text(page_text[max(0, key[1] - CONTEXT_RADIUS) : key[2] + CONTEXT_RADIUS])
            best = choose_sense(candidates, text_to_theme_counts(context, patterns), sense_themes)
            chosen[key] = (best, 1.0 / len(candidates), texts[index])

    # Theme: row, section, then the paragraph classifier on mentions left without a theme.
    themes: dict[tuple[int, int, int], tuple[str, str, float]] = {}
    pending: list[tuple[tuple[int, int, int], str]] = []
    for key, _ in ordered:
        page_number, start, end = key
        row = structure.row_theme_at(page_number, start)
        section = structure.section_at(page_number, start)
        if section is not None and section.source == "signature":
            themes[key] = ("", "signature", 1.0)
        elif row:
            themes[key] = (row, "ligne", 1.0)
        elif section is not None and section.theme:
            themes[key] = (section.theme, "section_" + section.source, section.probability)
        else:
            text = pages[page_number].text
            pending.append((key, text[max(0, start - CONTEXT_RADIUS) : end + CONTEXT_RADIUS]))
    if models is not None and models.theme is not None:
        predictions = models.predict_themes([text for _, text in pending])
        for (key, _), (theme, probability) in zip(pending, predictions, strict=True):
            keep = probability >= PARAGRAPH_MIN_PROBABILITY
            themes[key] = (theme if keep else "", "paragraphe" if keep else "aucun", probability)
    else:
        for key, text in pending:
            counts = text_to_theme_counts(fold_text(text), patterns)
            best_theme, count = counts.most_common(1)[0] if counts else ("", 0)
            fallback = structure.page_themes.get(key[0], "")
            themes[key] = (best_theme, "mots_cles", 0.5) if count > 0 else (fallback, "page", 0.3)

    mentions = {
        key: page_mention(
            pages[key[0]].text,
            key[1],
            key[2],
            hit.entity_id,
            by_id[hit.entity_id].kind,
            hit.method,
            structure.in_signature(key[0], key[1]),
            in_table_at(structure, key[0], key[1]),
        )
        for key, candidates in ordered
        if (hit := chosen.get(key, (candidates[0], 1.0, ""))[0]).entity_id in by_id
    }
    entity_probability = mention_probabilities(mentions, models)

    analysed: list[Analysed] = []
    occurrences: Counter[tuple[str, str]] = Counter()
    for key, candidates in ordered:
        page_number, start, end = key
        hit, sense_probability, text_for_sense = chosen.get(key, (candidates[0], 1.0, ""))
        if hit.entity_id not in by_id:
            continue  # the context chose a glossary sense: not an organisation nor a scheme
        mention_model = models.mention if models is not None else None
        accept = accept_threshold(mention_model, by_id[hit.entity_id].kind, hit.entity_id)
        if entity_probability[key] < accept and not keep_rejected:
            continue  # the mention names something else (a data source, a territory, another body)
        entity = by_id[hit.entity_id]
        page = pages[page_number]
        theme, theme_source, theme_probability = themes[key]
        in_table = in_table_at(structure, page_number, start)
        features = role_features(hit, page, structure, len(document.pages), in_table)
        id_context = fold_text(page.text[max(0, start - ID_CONTEXT_RADIUS) : end + ID_CONTEXT_RADIUS])
        occurrences[(entity.entity_id, id_context)] += 1
        detection = Detection(
            detection_id=detection_id_for(
                document.contract_id, entity.entity_id, id_context, occurrences[(entity.entity_id, id_context)]
            ),
            contract_id=document.contract_id,
            entity_id=entity.entity_id,
            entity_name=entity.name,
            entity_acronym=entity.acronym,
            kind=entity.kind,
            role="articulation" if entity.kind == "dispositif" else "mentionne",
            theme=theme,
            page=page_number,
            start=start,
            end=end,
            snippet=hit.snippet,
            score=round(hit.score, 3),
            method=hit.method,
        )
        features |= {"theme_source=" + theme_source: True, "theme_probability": round(theme_probability, 3)}
        features |= {"sense_probability": round(sense_probability, 3), "kind=" + entity.kind: True}
        features["match_score"] = hit.score
        features["mention_probability"] = round(entity_probability[key], 3)
        analysed.append(
            Analysed(
                detection=detection,
                features=features,
                sense_text=text_for_sense,
                senses=tuple(h.entity_id for h in candidates) if len(candidates) > 1 else (),
                sense_probability=sense_probability,
                mention=mentions[key],
                entity_probability=entity_probability[key],
            )
        )
    assign_roles(analysed, by_id, models)
    assign_scores(analysed, models)
    return analysed


def mention_probabilities(
    mentions: dict[tuple[int, int, int], Mention], models: Models | None
) -> dict[tuple[int, int, int], float]:
    """P(entite) of each candidate mention from the mention model; without it, loose variants are dropped
    (probability 0) and lexicon hits kept (1)."""
    keys = list(mentions)
    if models is not None and models.mention is not None:
        values = entity_probabilities(models.mention, [mentions[key] for key in keys])
    else:
        values = [0.0 if mentions[key].method in LOOSE_METHODS else 1.0 for key in keys]
    return dict(zip(keys, values, strict=True))


def rule_signature_probability(features: dict[str, Any]) -> float:
    """Without a role model: a signature section and no contrastive cue."""
    if not features["in_signature"] or features["contrastive"]:
        return 0.05
    return 0.95 if features["for_before"] or features["title_before"] or features["person_after"] else 0.8


ROLE_OUTPUTS = ("role=signataire", "role=mentionne", "role_probability")  # what `assign_roles` adds to the features


def role_inputs(features: dict[str, Any]) -> dict[str, Any]:
    """A detection's features as the role model reads them: without what the role stage itself wrote."""
    return {key: value for key, value in features.items() if key not in ROLE_OUTPUTS}


def assign_roles(analysed: list[Analysed], by_id: dict[str, Entity], models: Models | None) -> None:
    """Role of each partner detection from the role model (or rules); contrastive lines never sign."""
    partners = [a for a in analysed if by_id[a.detection.entity_id].kind == "partenaire"]
    predicted = models.predict_binary("role", [role_inputs(a.features) for a in partners]) if models else None
    for index, item in enumerate(partners):
        probability = predicted[index] if predicted is not None else rule_signature_probability(item.features)
        if item.features["contrastive"]:
            probability = min(probability, 0.05)
        item.signature_probability = probability
        role: Role = "signataire" if probability >= 0.5 else "mentionne"
        item.detection.role = role
        item.features["role=" + role] = True
        item.features["role_probability"] = round(max(probability, 1 - probability), 3)


def assign_scores(analysed: list[Analysed], models: Models | None) -> None:
    """`Detection.score`: the score model's probability that the detection is right, else the product of
    the sense and role probabilities (and of the fuzzy match's similarity)."""
    predicted = models.predict_binary("score", [a.features for a in analysed]) if models else None
    for index, item in enumerate(analysed):
        if predicted is not None:
            item.detection.score = round(predicted[index], 3)
        else:
            role_probability = float(item.features.get("role_probability", 1.0))
            match = item.detection.score if item.detection.method == "approche" else 1.0
            product = match * item.sense_probability * item.entity_probability * role_probability
            item.detection.score = round(product, 3)


def classify_document(
    document: ExtractedDocument,
    hits: list[Hit],
    structure: Structure,
    lexicon: Lexicon,
    models: Models | None = None,
) -> list[Detection]:
    """Detections for one contract: sense chosen, role and theme set, calibrated score, ids stable across runs."""
    return [item.detection for item in analyse_hits(document, hits, structure, lexicon, models)]
