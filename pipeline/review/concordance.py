"""Concordance (keyword in context) of one entity across every contract, grouped by context pattern, and
full-text search over the pages of the run.

Each occurrence is shown as left context, the matched text and right context, from the page text the
detection's offsets refer to. Occurrences are grouped by the context pattern most of them share: the two
words before the hit (« Sources : Insee », « Pour la CAF »), the two words after it, or, for an acronym with
several senses, the theme word near it that tells the senses apart (« CLS … sécurité »). A reviewer then
accepts, rejects or corrects a whole group at once, each detection getting its own audited decision.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from pipeline.cues import fold
from pipeline.french import sort_key
from pipeline.review.session import ReviewSession

RADIUS = 70
THEME_RADIUS = 160
MIN_GROUP = 2
OTHERS = "Autres contextes"
TOKEN = re.compile(r"[\w’'-]+|[:;,.()«»]", re.UNICODE)


@dataclass
class Line:
    """One occurrence: where, the text around it, and the detection's state."""

    detection_id: str
    contract_id: str
    page: int
    left: str
    hit: str
    right: str
    status: str
    role: str
    score: float
    method: str
    entity_id: str
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class Group:
    """Occurrences sharing a context pattern."""

    label: str
    kind: str
    lines: list[Line]

    @property
    def pending(self) -> int:
        return sum(1 for line in self.lines if line.status == "auto")

    @property
    def contracts(self) -> int:
        return len({line.contract_id for line in self.lines})


def kwic(text: str, start: int, end: int, radius: int = RADIUS) -> tuple[str, str, str]:
    """Left context, hit and right context of a span, on one line each."""
    left = " ".join(text[max(0, start - radius) : start].split())
    right = " ".join(text[end : end + radius].split())
    return left, " ".join(text[start:end].split()), right


def spaced(tokens: list[str]) -> str:
    """Tokens joined as French is written: no space before a comma, a full stop or a closing bracket."""
    text = " ".join(tokens)
    for mark in (",", ".", ")"):
        text = text.replace(" " + mark, mark)
    return text.replace("( ", "(").replace("' ", "'").replace("’ ", "’")


def context_keys(
    left: str, hit: str, right: str, theme_words: dict[str, str], around: str
) -> dict[str, tuple[str, str]]:
    """The candidate patterns of one occurrence: kind -> (folded key, label)."""
    keys: dict[str, tuple[str, str]] = {}
    before = TOKEN.findall(left)[-2:]
    after = TOKEN.findall(right)[:2]
    if before:
        label = spaced([*before, hit])
        keys["avant"] = (fold(" ".join(before)).lower() + " ⟦" + fold(hit).lower() + "⟧", label)
    if after:
        keys["apres"] = (fold(hit).lower() + "⟧ " + fold(" ".join(after)).lower(), spaced([hit, *after]))
    if theme_words:
        folded = fold(around).lower()
        for word, name in theme_words.items():
            if re.search(rf"\b{re.escape(word)}\b", folded):
                keys["theme"] = ("theme:" + name, f"{hit} … {name}")
                break
    return keys


def sense_theme_words(session: ReviewSession, entity_id: str) -> dict[str, str]:
    """For an entity sharing an acronym with other senses: folded keyword of a sense's theme -> the theme's
    first word (« sécurité », « santé »), which names the group."""
    lexicon = session.lexicon
    if lexicon is None or not any(entity_id in senses for senses in lexicon.ambiguous.values()):
        return {}
    senses = next(senses for senses in lexicon.ambiguous.values() if entity_id in senses)
    by_id = lexicon.by_id()
    themes = {theme.theme_id: theme for theme in lexicon.themes}
    words: dict[str, str] = {}
    for sense in senses:
        for theme_id in by_id[sense].themes if sense in by_id else ():
            theme = themes.get(theme_id)
            if theme is None:
                continue
            label = theme.name.split()[0].lower()
            for keyword in (theme.name, *theme.keywords[:12]):
                folded = fold(keyword).lower()
                if len(folded) >= 4:
                    words.setdefault(folded, label)
    return words


def entity_lines(session: ReviewSession, decided: pd.DataFrame, entity_id: str, contract_id: str = "") -> list[Line]:
    """Every detection of an entity (decisions applied), with its context."""
    rows = decided[decided["entity_id"] == entity_id]
    if contract_id:
        rows = rows[rows["contract_id"] == contract_id]
    theme_words = sense_theme_words(session, entity_id)
    lines = []
    for row in rows.to_dict("records"):
        text = session.texts.text(str(row["contract_id"]), int(row["page"]))
        start, end = int(row["start"] or 0), int(row["end"] or 0)
        if text and 0 <= start < end <= len(text):
            left, hit, right = kwic(text, start, end)
            around = text[max(0, start - THEME_RADIUS) : end + THEME_RADIUS]
        else:
            left, hit, right = str(row["snippet"]), "", ""
            around = str(row["snippet"])
        line = Line(
            detection_id=str(row["detection_id"]),
            contract_id=str(row["contract_id"]),
            page=int(row["page"]),
            left=left,
            hit=hit,
            right=right,
            status=str(row["status"]),
            role=str(row["role"]),
            score=float(row["score"] or 0.0),
            method=str(row["method"]),
            entity_id=str(row["entity_id"]),
        )
        line.keys = context_keys(left, hit, right, theme_words, around) if hit else {}
        lines.append(line)
    lines.sort(key=lambda line: (sort_key(line.contract_id), line.page))
    return lines


def group_lines(lines: list[Line]) -> list[Group]:
    """Occurrences grouped by their most shared pattern (theme word first for ambiguous acronyms)."""
    counts: Counter[tuple[str, str]] = Counter()
    for line in lines:
        for kind, (key, _) in line.keys.items():
            counts[(kind, key)] += 1
    groups: dict[tuple[str, str], Group] = {}
    others: list[Line] = []
    for line in lines:
        options = [
            (kind == "theme", counts[(kind, key)], kind, key, label)
            for kind, (key, label) in line.keys.items()
            if counts[(kind, key)] >= MIN_GROUP
        ]
        if not options:
            others.append(line)
            continue
        _, _, kind, key, label = max(options)
        group = groups.setdefault((kind, key), Group(label, kind, []))
        group.lines.append(line)
    for group_key, group in list(groups.items()):
        if len(group.lines) < MIN_GROUP:  # its other lines went to larger groups
            others.extend(group.lines)
            del groups[group_key]
    ordered = sorted(groups.values(), key=lambda g: (-len(g.lines), sort_key(g.label)))
    others.sort(key=lambda line: (sort_key(line.contract_id), line.page))
    if others:
        ordered.append(Group(OTHERS, "autres", others))
    return ordered


def concordance(session: ReviewSession, entity_id: str, contract_id: str = "") -> list[Group]:
    """The grouped concordance of one entity in the principal coding's view."""
    return group_lines(entity_lines(session, session.view().decided, entity_id, contract_id))


@dataclass(frozen=True)
class SearchHit:
    """A match of the searched text on a page, and the detection already there, if any."""

    contract_id: str
    page: int
    start: int
    end: int
    left: str
    hit: str
    right: str
    detected: str = ""


def folded_pages(session: ReviewSession) -> dict[str, dict[int, str]]:
    """Folded page texts of every contract read (same length as the page texts), computed once per run."""

    def compute() -> dict[str, dict[int, str]]:
        contracts = session.contracts
        ids = (
            contracts.loc[contracts["status"] == "ok", "contract_id"].astype(str).tolist()
            if not contracts.empty
            else sorted(set(session.detections["contract_id"].astype(str)))
        )
        return {cid: {n: fold(text).lower() for n, text in session.texts.pages(cid).items()} for cid in ids}

    return session.memo("folded_pages", session.run_stamp(), compute)


def search(session: ReviewSession, query: str, limit: int = 200) -> tuple[list[SearchHit], int]:
    """Accent- and case-insensitive occurrences of `query` in every page of the run (the first `limit`), and
    the total count."""
    wanted = " ".join(fold(query).lower().split())
    if len(wanted) < 2:
        return [], 0
    pattern = re.compile(r"\s+".join(re.escape(part) for part in wanted.split()))
    decided = session.view().decided
    spans: dict[tuple[str, int], list[tuple[int, int, str]]] = {}
    columns = ["contract_id", "page", "start", "end", "entity_name", "status"]
    for contract_id, page, start, end, name, status in decided[columns].itertuples(index=False, name=None):
        if status != "rejete":
            spans.setdefault((str(contract_id), int(page)), []).append((int(start), int(end), str(name)))
    hits: list[SearchHit] = []
    total = 0
    for contract_id, pages in sorted(folded_pages(session).items(), key=lambda item: sort_key(item[0])):
        for number in sorted(pages):
            for match in pattern.finditer(pages[number]):
                total += 1
                if len(hits) >= limit:
                    continue
                text = session.texts.text(contract_id, number)
                left, hit, right = kwic(text, match.start(), match.end())
                detected = next(
                    (
                        name
                        for start, end, name in spans.get((contract_id, number), [])
                        if start < match.end() and match.start() < end
                    ),
                    "",
                )
                hits.append(SearchHit(contract_id, number, match.start(), match.end(), left, hit, right, detected))
    return hits, total
