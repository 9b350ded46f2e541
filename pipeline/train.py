"""Training of the classify models (`cdv train`) from a corpus with gold labels, and their evaluation.

- `theme`: weakly supervised, no gold: paragraphs under a heading whose theme keywords name one theme,
  and paragraphs where one theme's keywords dominate (`lexicons/themes.csv`).
- `sense`: contexts of the unambiguous full names of each sense ("contrat d'engagement jeune") as weak
  labels, plus the gold senses of ambiguous acronyms in the training contracts.
- `role`: partner mentions of the training contracts, labelled signature or not from the gold.
- `score`: whether a detection is right, fitted on out-of-fold predictions (two folds of the training
  contracts) so that its probabilities are calibrated; `reliability` measures that on held-out data.
- `mention`: whether each candidate mention (lexicon hit or loose variant) names its entity, from the gold
  mentions of demo contracts (page and surface), the contract-level labels and sense notes of real-prose
  contracts, and the reviewers' decisions of a workspace (validated: the entity; rejected: not it).
- `candidate`: whether a name proposed outside the lexicons is an organisation, from the gold's
  out-of-lexicon organisations and, as examples of organisation names, the gold partners the lexicons find
  (`pipeline.candidate_score`); its threshold is chosen on out-of-fold predictions.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from pipeline.acceptance_training import MentionExamples, choose_thresholds, out_of_fold_probabilities
from pipeline.candidate_training import candidate_examples, fit_candidate_scorer
from pipeline.candidates import NerMemo
from pipeline.classify import Analysed, analyse_hits, role_inputs, sense_text
from pipeline.evaluate import named_outside, out_of_lexicon_names, same_organisation
from pipeline.lexicon import Lexicon
from pipeline.match import LOOSE_METHODS, LexiconMatcher, fold_text, match_document
from pipeline.members import run_hits
from pipeline.models import Models, save_model, write_card
from pipeline.sense import (
    ENTITY_SENSE,
    Mention,
    context_mention,
    entity_probabilities,
    fit_mention_model,
    mention_features,
)
from pipeline.structure import DocumentStructure, analyse_structure, text_to_theme_counts, theme_patterns
from pipeline.types import ExtractedDocument, Hit
from pipeline.workspace import Workspace

PARAGRAPH_MIN_CHARS = 80
NAME_METHODS = ("nom", "ancien_nom", "motif", "approche")
SIGNATURE_CONTEXTS = ("signature", "scan")
SIGNATURE_PAGE_SPREAD = 3
MIN_SCORE_NEGATIVES = 30
PURPOSES = {
    "theme": "TF-IDF + logistic regression: paragraph or section text -> theme (weak labels from theme keywords)",
    "sense": "TF-IDF + logistic regression: context of an ambiguous acronym -> sense",
    "role": "logistic regression on signature cues: partner mention -> P(signature)",
    "score": "logistic regression on detection features: P(detection is right), fitted out of fold",
    "mention": "calibrated logistic regression on mention context: candidate mention -> sense "
    "(entite, source, territoire, autre, non); kept when P(entite) reaches its kind's threshold (chosen out of "
    "fold, `accept_thresholds_`)",
    "candidate": "calibrated gradient-boosted trees on how and where a name is written: name outside the lexicons "
    "-> P(organisation); written to candidates.csv when P >= its threshold (chosen out of fold)",
}


@dataclass
class Contract:
    """A training or evaluation contract: its pages, hits and gold entry."""

    document: ExtractedDocument
    hits: list[Hit]
    gold: dict[str, Any] = field(default_factory=dict)
    ner_memo: NerMemo = field(default_factory=dict)  # what NER read of it, filled by the first reading


def at_run_time(contracts: list[Contract], lexicon: Lexicon, models: Models) -> list[Contract]:
    """The contracts with the hits a run builds its detections from (`run_hits`: the members' mentions of their
    groups, « Nantes Habitat » for the social landlords), as `models` find them."""
    timed = []
    for contract in contracts:
        structure = analyse_structure(contract.document, lexicon, models)
        pages = frozenset(structure.signature_pages)
        hits, _ = run_hits(
            contract.document, contract.hits, lexicon, pages, use_ner=True, ner_memo=contract.ner_memo, models=models
        )
        timed.append(Contract(contract.document, hits, contract.gold, contract.ner_memo))
    return timed


def prepare(documents: list[ExtractedDocument], gold: dict[str, Any], matcher: LexiconMatcher) -> list[Contract]:
    """Match every document and attach its gold entry (by contract id)."""
    vocabulary = gold.get("vocabulary") or []
    by_id = {entry["contract_id"]: {**entry, "vocabulary": vocabulary} for entry in gold.get("contracts", [])}
    return [Contract(doc, match_document(matcher, doc), by_id.get(doc.contract_id, {})) for doc in documents]


# --- theme ---------------------------------------------------------------------------------------------


def paragraphs(text: str) -> list[tuple[int, str]]:
    """(offset, text) of the blank-line separated paragraphs of a page."""
    out, offset = [], 0
    for part in re.split(r"(\n\s*\n)", text):
        if part.strip() and not part.isspace():
            out.append((offset, part))
        offset += len(part)
    return out


def theme_examples(contracts: list[Contract], lexicon: Lexicon) -> tuple[list[str], list[str]]:
    """Weakly labelled paragraphs: the theme of a keyword-titled section, or a clear keyword majority."""
    patterns = theme_patterns(lexicon)
    texts: list[str] = []
    labels: list[str] = []
    for contract in contracts:
        structure = analyse_structure(contract.document, lexicon)
        assert isinstance(structure, DocumentStructure)
        for page in contract.document.pages:
            for offset, text in paragraphs(page.text):
                if len(text) < PARAGRAPH_MIN_CHARS or structure.in_signature(page.number, offset):
                    continue
                section = structure.section_at(page.number, offset)
                label = section.theme if section is not None and section.source == "titre" else ""
                if not label:
                    ranked = (+text_to_theme_counts(fold_text(text), patterns)).most_common(2)
                    single = len(ranked) == 1 and ranked[0][1] >= 2
                    if ranked and (single or (len(ranked) == 2 and ranked[0][1] >= 3 * ranked[1][1])):
                        label = ranked[0][0]
                if label:
                    texts.append(fold_text(text))
                    labels.append(label)
    return texts, labels


def text_classifier(max_features: int = 20000, c: float = 4.0, min_df: int = 2) -> Pipeline:
    """TF-IDF over folded words and word pairs, then a (balanced) logistic regression."""
    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=min_df, sublinear_tf=True, max_features=max_features),
        LogisticRegression(C=c, max_iter=2000, class_weight="balanced"),
    )


def fit_text(model: Pipeline, texts: list[str], labels: list[str]) -> Pipeline:
    """Fit a text classifier and drop the vectorizer's pruned-term list (not needed, large on disk)."""
    model.fit(texts, labels)
    if hasattr(model[0], "stop_words_"):
        del model[0].stop_words_
    return model


# --- sense ---------------------------------------------------------------------------------------------


def sense_acronyms(lexicon: Lexicon) -> dict[str, str]:
    """Each sense id of an ambiguous acronym, with that acronym."""
    return {sense: acronym for acronym, senses in lexicon.ambiguous.items() for sense in senses}


def masked_name_example(document: ExtractedDocument, hit: Hit, acronym: str, structure: DocumentStructure) -> str:
    """The sense-model input for a full-name mention, written as if the acronym stood there."""
    page = next(p for p in document.pages if p.number == hit.page)
    section = structure.section_at(hit.page, hit.start)
    proxy = Hit(hit.contract_id, hit.entity_id, hit.page, hit.start, hit.end, acronym, "", "sigle_ambigu", 0.6)
    return sense_text(page, proxy, section.theme if section else "", structure.row_theme_at(hit.page, hit.start), [])


def glossary_name_hits(document: ExtractedDocument, lexicon: Lexicon, senses: dict[str, str]) -> list[Hit]:
    """Occurrences of the full names of glossary senses (not matched as entities) in a document."""
    hits = []
    for term in lexicon.glossary:
        if term.term_id not in senses:
            continue
        pattern = re.compile(r"\b" + re.escape(fold_text(term.name)) + r"\b")
        for page in document.pages:
            for match in pattern.finditer(fold_text(page.text)):
                hits.append(
                    Hit(document.contract_id, term.term_id, page.number, match.start(), match.end(), "", "", "nom", 1)
                )
    return hits


def lexicon_sense_examples(lexicon: Lexicon) -> tuple[list[str], list[str]]:
    """Weak sense examples from the lexicons: each sense's names and its themes' keywords, in slices."""
    acronyms = sense_acronyms(lexicon)
    entities = {e.entity_id: (e.name, e.aliases + e.former_names, e.themes) for e in lexicon.entities}
    entities |= {t.term_id: (t.name, (), t.themes) for t in lexicon.glossary}
    keywords = {theme.theme_id: [fold_text(k) for k in theme.keywords] for theme in lexicon.themes}
    texts, labels = [], []
    for sense, acronym in acronyms.items():
        if sense not in entities:
            continue
        name, others, themes = entities[sense]
        names = fold_text(" ".join((name, *others)))
        for theme in themes:
            words = keywords.get(theme, [])
            for start in range(0, max(len(words), 1), 6):
                chunk = " ".join(words[start : start + 6])
                texts.append(f"{names} zzcible {chunk} zzacr_{fold_text(acronym)} zzth_{theme}")
                labels.append(sense)
    return texts, labels


def gold_sense(item: Analysed, gold: dict[str, Any]) -> str:
    """The gold sense of an ambiguous detection: a gold mention of one of its senses on (or next to) its page."""
    page = item.detection.page
    for delta in (0, -1, 1):
        found = {m["entity_id"] for m in gold.get("mentions", []) if m["page"] == page + delta}
        senses = [sense for sense in item.senses if sense in found]
        if len(senses) == 1:
            return senses[0]
    return ""


# --- labels --------------------------------------------------------------------------------------------


def printed_outside(surface: str, gold: dict[str, Any]) -> bool:
    """Whether a gold lists the organisation a mention prints among its organisations outside the lexicons (the
    lexicons gained it after the gold was labelled: « Keolis »): the mention names an organisation."""
    return named_outside((surface,), out_of_lexicon_names(gold)) is not None


def signing_outside(surface: str, gold: dict[str, Any]) -> bool:
    """Whether a gold has the organisation outside the lexicons a mention prints signing."""
    return any(
        isinstance(o, dict) and o.get("signataire") and same_organisation(str(o.get("name", "")), surface)
        for o in gold.get("out_of_lexicon") or []
    )


def signature_label(item: Analysed, gold: dict[str, Any]) -> int:
    """1 when the gold has the entity signing on this page (signature blocks may run over several pages)."""
    entity, page = item.detection.entity_id, item.detection.page
    if not gold.get("mentions"):  # real-prose gold: the contract-level flag, in a signature section or sentence
        flags = {p["entity_id"]: bool(p.get("signataire")) for p in gold.get("partners", [])}
        surface = item.mention.surface if item.mention else ""
        signs = flags.get(entity, False) or (entity not in flags and bool(surface) and signing_outside(surface, gold))
        signing = item.features.get("signing_sentence") or item.features.get("signer_in_sentence")
        return int(signs and bool(item.features.get("in_signature") or signing))
    mentions = [m for m in gold.get("mentions", []) if m["entity_id"] == entity]
    if any(m["page"] == page and m["context"] not in SIGNATURE_CONTEXTS for m in mentions):
        return 0
    return int(
        any(m["context"] in SIGNATURE_CONTEXTS and 0 <= page - m["page"] <= SIGNATURE_PAGE_SPREAD for m in mentions)
    )


def correct_label(item: Analysed, gold: dict[str, Any]) -> int | None:
    """1 when a detection is right (entity in the gold contract, right sense and role); None if unlabelled."""
    detection = item.detection
    if gold.get("vocabulary") and detection.entity_id not in gold["vocabulary"]:
        return None  # an entity the gold does not label (added to the lexicons after the corpus)
    present = {e["entity_id"] for e in gold.get("partners", []) + gold.get("dispositifs", [])}
    if detection.entity_id not in present:
        return int(printed_outside(item.mention.surface if item.mention else "", gold))
    if item.senses and gold_sense(item, gold) not in ("", detection.entity_id):
        return 0
    if detection.kind == "partenaire":
        return int((detection.role == "signataire") == bool(signature_label(item, gold)))
    return 1


# --- training ------------------------------------------------------------------------------------------


def fit_sense_role(contracts: list[Contract], lexicon: Lexicon, theme_model: Any) -> tuple[Any, Any, dict[str, int]]:
    """Sense and role models from training contracts (weak full-name contexts plus gold)."""
    senses = sense_acronyms(lexicon)
    texts, labels = lexicon_sense_examples(lexicon)
    role_rows: list[dict[str, Any]] = []
    role_labels: list[int] = []
    models = Models(theme=theme_model)
    for contract in contracts:
        structure = analyse_structure(contract.document, lexicon, models=models)
        assert isinstance(structure, DocumentStructure)
        named = [h for h in contract.hits if h.entity_id in senses and h.method in NAME_METHODS]
        named += glossary_name_hits(contract.document, lexicon, senses)
        for hit in named:
            texts.append(masked_name_example(contract.document, hit, senses[hit.entity_id], structure))
            labels.append(hit.entity_id)
        for item in analyse_hits(contract.document, contract.hits, structure, lexicon, models):
            if item.senses and (label := gold_sense(item, contract.gold)):
                texts.append(item.sense_text)
                labels.append(label)
            if item.detection.kind == "partenaire" and contract.gold:  # as the role model reads them at run time
                role_rows.append(role_inputs(item.features))
                role_labels.append(signature_label(item, contract.gold))
    sense_model = fit_text(text_classifier(1500, 4.0, 1), texts, labels) if len(set(labels)) >= 2 else None
    role_model = None
    if len(set(role_labels)) == 2:
        role_model = make_pipeline(DictVectorizer(), LogisticRegression(C=1.0, max_iter=2000))
        role_model.fit(role_rows, role_labels)
    return sense_model, role_model, {"sense": len(texts), "role": len(role_rows)}


def score_rows(contracts: list[Contract], lexicon: Lexicon, models: Models) -> tuple[list[dict[str, Any]], list[int]]:
    """Features and correctness labels of every detection of gold-labelled contracts."""
    rows, labels = [], []
    for contract in contracts:
        for item in analyse_hits(
            contract.document, contract.hits, analyse_structure(contract.document, lexicon, models), lexicon, models
        ):
            if (label := correct_label(item, contract.gold)) is not None:
                rows.append(item.features)
                labels.append(label)
    return rows, labels


# --- mention ---------------------------------------------------------------------------------------------


def squeeze(text: str) -> str:
    return " ".join(text.split())


def folded(text: str) -> str:
    """Text folded for comparing a note with a printed mention: case, accents, spaces and apostrophes."""
    return fold_text(squeeze(text)).replace("’", "'")


def note_covers(note_surface: str, item: Analysed) -> bool:
    """Whether a sense note's surface is the mention's, or a phrase printed around this very mention (« Secrétaire
    d'Etat chargée de la famille » for the « Etat » in it, not for an « l'Etat » a few words before it)."""
    mention, noted = item.mention, folded(note_surface)
    if mention is None or not noted:
        return False
    surface = folded(mention.surface)
    if noted == surface:
        return True
    if surface not in noted:
        return False
    context = folded(mention.left + mention.surface + mention.right)
    end = len(folded(mention.left + mention.surface))
    start = end - len(surface)
    at = context.find(noted)
    while at != -1:
        if at <= start and at + len(noted) >= end:
            return True
        at = context.find(noted, at + 1)
    return False


def mention_label(item: Analysed, gold: dict[str, Any]) -> str:
    """The sense of a candidate mention in a gold-labelled contract.

    A sense note of the gold (`sense_notes`: entity, surface or a phrase around it, sense; real-prose gold) decides
    first (`note_covers`). A loose variant of a demo contract (whose gold lists its mentions) names the entity only
    when a gold mention of the entity on its page, or the next or previous one, prints it with the same casing.
    Otherwise the mention names the entity when the contract's gold lists the entity, or lists what it prints among
    the organisations outside the lexicons (`printed_outside`)."""
    mention = item.mention
    entity, page = item.detection.entity_id, item.detection.page
    surface = squeeze(mention.surface if mention else "")
    for note in gold.get("sense_notes", []):
        if note.get("entity") == entity and note_covers(note.get("surface", ""), item):
            return str(note.get("sense", "non"))
    present = {e["entity_id"] for e in gold.get("partners", []) + gold.get("dispositifs", [])}
    if entity not in present:
        return ENTITY_SENSE if printed_outside(surface, gold) else "non"
    if gold.get("mentions") and item.detection.method in LOOSE_METHODS:
        printed = [
            squeeze(m.get("surface", ""))
            for m in gold["mentions"]
            if m["entity_id"] == entity and abs(int(m["page"] or 0) - page) <= 1
        ]
        return ENTITY_SENSE if any(p and (surface in p or p in surface) for p in printed) else "non"
    return ENTITY_SENSE


def mention_examples(contracts: list[Contract], lexicon: Lexicon, models: Models) -> MentionExamples:
    """Every candidate mention of the gold-labelled contracts, kept or not, with its sense and contract."""
    examples = MentionExamples()
    kinds = {entity.entity_id: entity.kind for entity in lexicon.entities}
    for contract in contracts:
        if not contract.gold:
            continue
        contract_id = contract.document.contract_id
        examples.add_contract(contract_id, contract.gold, kinds)
        structure = analyse_structure(contract.document, lexicon, models)
        for item in analyse_hits(contract.document, contract.hits, structure, lexicon, models, keep_rejected=True):
            if item.mention is not None:
                examples.add(contract_id, item.mention, mention_label(item, contract.gold))
    return examples


DECISION_SENSES = {"valider": ENTITY_SENSE, "rejeter": "non", "entite": "non"}


def decision_examples(workspace: Workspace, lexicon: Lexicon) -> tuple[list[Mention], list[str]]:
    """Reviewers' current decisions as labelled mentions (read-only: the database is opened read-only).

    A validated detection names its entity; a rejected one, or one moved to another entity, does not: it is
    a data source when its context says so ("sources ⟦insee⟧"), else `non`."""
    path = workspace.database
    if not path.exists():
        return [], []
    kinds = {entity.entity_id: entity.kind for entity in lexicon.entities}
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT entity_id, context, action FROM review_decisions WHERE superseded_by IS NULL "
            "AND coding = 'principal' AND action IN ('valider', 'rejeter', 'entite') ORDER BY id"
        ).fetchall()
    except sqlite3.OperationalError:
        rows = []  # no review table yet
    finally:
        connection.close()
    mentions, labels = [], []
    for entity_id, context, action in rows:
        mention = context_mention(context, entity_id, kinds.get(entity_id, "partenaire"))
        if mention is not None and entity_id in kinds:
            mentions.append(mention)
            label = DECISION_SENSES[action]
            if label == "non" and mention_features(mention)["source_cue"]:
                label = "source"  # a rejected "Sources : Insee" teaches the data-source sense
            labels.append(label)
    return mentions, labels


def mention_calibration(contracts: list[Contract], lexicon: Lexicon, models: Models) -> dict[str, Any]:
    """Brier score and reliability of P(entite) on gold-labelled (held-out) contracts, their mentions as a run
    finds them."""
    contracts = at_run_time(contracts, lexicon, models)
    examples = mention_examples(contracts, lexicon, Models(theme=models.theme, sense=models.sense))
    probabilities = entity_probabilities(models.mention, examples.mentions)
    truth = [int(label == ENTITY_SENSE) for label in examples.labels]
    n = len(truth) or 1
    table = reliability(probabilities, truth)
    return {
        "n": len(truth),
        "brier": round(sum((p - y) ** 2 for p, y in zip(probabilities, truth, strict=True)) / n, 4),
        "ece": round(sum(row["n"] * abs(row["mean_predicted"] - row["observed"]) for row in table) / n, 4),
        "accuracy": round(sum(int((p >= 0.5) == bool(y)) for p, y in zip(probabilities, truth, strict=True)) / n, 4),
        "table": table,
    }


def train_models(
    contracts: list[Contract], lexicon: Lexicon, decisions: tuple[list[Mention], list[str]] | None = None
) -> tuple[Models, dict[str, Any]]:
    """All six models from training contracts (and reviewers' decisions for the mention model); the score
    model is fitted on out-of-fold features."""
    theme_texts, theme_labels = theme_examples(contracts, lexicon)
    theme_model = fit_text(text_classifier(6000), theme_texts, theme_labels)
    candidates = candidate_examples(contracts, lexicon, Models(theme=theme_model))
    candidate_model, candidate_report = fit_candidate_scorer(candidates)
    contracts = at_run_time(contracts, lexicon, Models(theme=theme_model, candidate=candidate_model))
    sense_model, role_model, counts = fit_sense_role(contracts, lexicon, theme_model)
    folds = [contracts[0::2], contracts[1::2]]
    rows: list[dict[str, Any]] = []
    labels: list[int] = []
    for train_fold, held_fold in ((folds[0], folds[1]), (folds[1], folds[0])):
        sense_k, role_k, _ = fit_sense_role(train_fold, lexicon, theme_model)
        fold_rows, fold_labels = score_rows(held_fold, lexicon, Models(theme=theme_model, sense=sense_k, role=role_k))
        rows += fold_rows
        labels += fold_labels
    score_model = None
    if min(labels.count(0), labels.count(1)) >= MIN_SCORE_NEGATIVES:
        score_model = make_pipeline(DictVectorizer(), LogisticRegression(C=0.5, max_iter=2000)).fit(rows, labels)
    examples = mention_examples(contracts, lexicon, Models(theme=theme_model, sense=sense_model))
    decided = decisions or ([], [])
    mention_model = fit_mention_model(examples.mentions + decided[0], examples.labels + decided[1])
    acceptance: dict[str, Any] = {}
    if mention_model is not None:
        oof = out_of_fold_probabilities(examples, fit_mention_model, decided)
        mention_model.accept_thresholds_, acceptance = choose_thresholds(oof, examples)
    models = Models(
        theme=theme_model,
        sense=sense_model,
        role=role_model,
        score=score_model,
        mention=mention_model,
        candidate=candidate_model,
    )
    counts |= {"theme": len(theme_texts), "score": len(rows), "mention": len(examples.mentions)}
    counts["decisions"] = len(decided[0])
    report = {"candidate_report": candidate_report, "acceptance_report": acceptance}
    return models, {**counts, "candidate": len(candidates.rows), **report}


def train_candidate_model(contracts: list[Contract], lexicon: Lexicon, models: Models) -> tuple[Any, dict[str, Any]]:
    """Only the candidate model, from training contracts; the other `models` (whose structure gives the
    signature pages, as at run time) stay as they are: detections change only by the members' names it keeps."""
    examples = candidate_examples(contracts, lexicon, models)
    model, report = fit_candidate_scorer(examples)
    return model, {"candidate": len(examples.rows), "candidate_report": report}


def save_candidate_model(model: Any, models_dir: Path, training_data: str, counts: dict[str, Any]) -> str:
    """Write the candidate model into `models_dir` and its entries into the existing model card (the other
    models' entries kept); return its version."""
    from pipeline.models import CARD_FILE

    version = save_model(model, models_dir, "candidate")
    card_path = Path(models_dir) / CARD_FILE
    card = json.loads(card_path.read_text(encoding="utf-8")) if card_path.exists() else {}
    card.pop("versions", None)
    card["examples"] = {**card.get("examples", {}), "candidate": counts["candidate"]}
    card |= {
        "candidate_trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "candidate_training_data": training_data,
        "candidate_evaluation": candidate_card(counts.get("candidate_report", {})),
    }
    write_card(models_dir, card)
    return version


def candidate_card(report: dict[str, Any]) -> dict[str, Any]:
    """The model card's entry for the candidate model: its out-of-fold evaluation with a reliability table."""
    if not report:
        return {}
    probabilities, labels = report["oof_probabilities"], report["oof_labels"]
    summary = {key: value for key, value in report.items() if key not in ("oof_probabilities", "oof_labels")}
    return summary | {"table": reliability(probabilities, labels)}


def reliability(probabilities: list[float], labels: list[int], bins: int = 10) -> list[dict[str, Any]]:
    """Reliability table: per probability bin, count, mean predicted probability and observed rate."""
    grouped: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for probability, label in zip(probabilities, labels, strict=True):
        grouped[min(int(probability * bins), bins - 1)].append((probability, label))
    table = []
    for index in sorted(grouped):
        pairs = grouped[index]
        table.append(
            {
                "bin": f"{index / bins:.1f}-{(index + 1) / bins:.1f}",
                "n": len(pairs),
                "mean_predicted": sum(p for p, _ in pairs) / len(pairs),
                "observed": sum(y for _, y in pairs) / len(pairs),
            }
        )
    return table


def calibration_report(contracts: list[Contract], lexicon: Lexicon, models: Models) -> dict[str, Any]:
    """Reliability of `Detection.score` on gold-labelled (held-out) contracts, with Brier score and ECE."""
    contracts = at_run_time(contracts, lexicon, models)
    probabilities, labels = [], []
    role_probabilities, role_labels = [], []
    for contract in contracts:
        structure = analyse_structure(contract.document, lexicon, models)
        for item in analyse_hits(contract.document, contract.hits, structure, lexicon, models):
            if (label := correct_label(item, contract.gold)) is not None:
                probabilities.append(item.detection.score)
                labels.append(label)
                if item.detection.kind == "partenaire":
                    role_probabilities.append(item.signature_probability)
                    role_labels.append(signature_label(item, contract.gold))
    table = reliability(probabilities, labels)
    role_table = reliability(role_probabilities, role_labels)
    n = len(labels) or 1
    return {
        "n": len(labels),
        "brier": round(sum((p - y) ** 2 for p, y in zip(probabilities, labels, strict=True)) / n, 4),
        "ece": round(sum(row["n"] * abs(row["mean_predicted"] - row["observed"]) for row in table) / n, 4),
        "accuracy_of_detections": round(sum(labels) / n, 4),
        "table": table,
        "signature_brier": round(
            sum((p - y) ** 2 for p, y in zip(role_probabilities, role_labels, strict=True)) / max(len(role_labels), 1),
            4,
        ),
        "signature_table": role_table,
    }


def save_models(models: Models, models_dir: Path, card: dict[str, Any]) -> dict[str, str]:
    """Write the models and their card into `models_dir`; return the versions."""
    import sklearn
    import skops

    versions = {
        name: save_model(getattr(models, name), models_dir, name)
        for name in ("theme", "sense", "role", "score", "mention", "candidate")
        if getattr(models, name) is not None
    }
    card = {
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sklearn_version": sklearn.__version__,
        "skops_version": skops.__version__,
        "purposes": PURPOSES,
        **card,
    }
    write_card(models_dir, card)
    return versions


def load_gold(path: Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))
