"""The report's indicator grid (`lexicons/indicators.csv`) evaluated per contract, with evidence pages.

An indicator holds in a contract when its entity condition (detections of the listed entities or their
group members, with the role asked) and/or its text condition (`patterns` on folded page text) give at
least `min_count` evidence spans, each with `near` within `window` characters and on a page whose theme
is `section` when those are set (`combine`: `any` or `all`). Text cues are deterministic criteria of the
grid: they count as sure evidence but never as reviewed. The analysis stage found the text cues and the
`near` spans (`indicator_cues.csv`) and the page themes (`page_themes.csv`): no page text is read here.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from pipeline.cues import span_qualifies
from pipeline.french import join_fr
from pipeline.lexicon import Indicator, Lexicon
from pipeline.report.figures import NOT_APPLICABLE, STATUS_MANUAL, Evidence, Figure, compute_figure
from pipeline.report.pattern_words import accent_map, pattern_phrases, quoted
from pipeline.report.rundata import Mention, RunData

GAP_TOLERANCE = {"=": 2.5, "~": 10.0}


def expand(entity_ids: tuple[str, ...], lexicon: Lexicon) -> set[str]:
    """Entity ids with the members of the groups among them."""
    expanded = set(entity_ids)
    for entity_id in entity_ids:
        expanded |= {member.entity_id for member in lexicon.group_members(entity_id)}
    return expanded


def role_matches(role: str, mention: Mention) -> bool:
    if role in ("", "mentionne"):
        return True
    if role == "articulation":
        return mention.role == "articulation" or mention.kind == "dispositif"
    return mention.role == role


class GridEvaluator:
    """Evaluates the indicator grid on a run: per indicator, the honest figure and its evidence."""

    def __init__(self, data: RunData) -> None:
        self.data = data
        self.by_id = {indicator.indicator_id: indicator for indicator in data.lexicon.indicators}
        self.by_contract: dict[str, list[Mention]] = {}
        for mention in data.mentions:
            self.by_contract.setdefault(mention.contract_id, []).append(mention)
        self.text: dict[tuple[str, str], list[Evidence]] = {}
        self.near: dict[tuple[str, str, int], list[tuple[int, int]]] = {}
        columns = ["contract_id", "indicator_id", "kind", "page", "start", "end", "snippet", "mark_start", "mark_end"]
        for cid, indicator_id, kind, page, start, end, snippet, mark_start, mark_end in data.cues[columns].itertuples(
            index=False, name=None
        ):
            if kind == "texte":
                evidence = Evidence(cid, page, "auto", 1.0, "", snippet, mark_start, mark_end)
                self.text.setdefault((cid, indicator_id), []).append(evidence)
            else:
                self.near.setdefault((cid, indicator_id, page), []).append((start, end))
        self.missing_pages = sorted(cid for cid in data.read_ids if cid not in data.page_themes)
        self.figures: dict[str, Figure] = {}
        self.evidence: dict[str, list[Evidence]] = {}
        self._expanded: dict[tuple[str, ...], set[str]] = {}

    def wanted(self, entity_ids: tuple[str, ...]) -> set[str]:
        if entity_ids not in self._expanded:
            self._expanded[entity_ids] = expand(entity_ids, self.data.lexicon)
        return self._expanded[entity_ids]

    def entity_evidence(self, indicator: Indicator, contract_id: str) -> list[Evidence]:
        wanted = self.wanted(indicator.entities)
        mentions = [m for m in self.by_contract.get(contract_id, []) if m.entity_id in wanted]
        mentions = [m for m in mentions if role_matches(indicator.role, m)]
        if (indicator.near or indicator.section) and mentions:
            themes = self.data.page_themes.get(contract_id, {})
            mentions = [
                m
                for m in mentions
                if span_qualifies(
                    indicator,
                    self.near.get((contract_id, indicator.indicator_id, m.page), []) if indicator.near else None,
                    m.start,
                    m.end,
                    themes.get(m.page, m.theme),
                )
            ]
        return [m.evidence() for m in mentions]

    def contract_evidence(self, indicator: Indicator, contract_id: str) -> list[Evidence]:
        """Evidence of one indicator in one contract, `combine` applied."""
        from_entities = self.entity_evidence(indicator, contract_id) if indicator.entities else []
        from_text = list(self.text.get((contract_id, indicator.indicator_id), []))
        if indicator.combine == "all" and indicator.entities and indicator.patterns:
            kept = [e for e in from_entities if e.status != "rejete"]
            if not kept or not from_text:
                return [e for e in from_entities if e.status == "rejete"]
        return from_entities + from_text

    def denominator(self, indicator: Indicator, stack: tuple[str, ...] = ()) -> list[str]:
        """The contracts the percentage is taken over."""
        kind, refs = indicator.denominator_kind, indicator.denominator_refs
        if kind == "entity":
            wanted = self.wanted(refs)
            named = {m.contract_id for m in self.data.mentions if m.entity_id in wanted and m.status != "rejete"}
            return [cid for cid in self.data.read_ids if cid in named]
        if kind == "indicator":
            counted: set[str] = set()
            for ref in refs:
                if ref in self.by_id and ref not in stack:
                    counted |= self.evaluate(self.by_id[ref], (*stack, indicator.indicator_id)).pages.keys()
            return [cid for cid in self.data.read_ids if cid in counted]
        return list(self.data.read_ids)

    def evaluate(self, indicator: Indicator, stack: tuple[str, ...] = ()) -> Figure:
        """The figure of one indicator over its denominator (memoised)."""
        if indicator.indicator_id in self.figures:
            return self.figures[indicator.indicator_id]
        universe = self.denominator(indicator, stack)
        evidence = [e for cid in universe for e in self.contract_evidence(indicator, cid)]
        figure = compute_figure(evidence, universe, self.data.unread, indicator.min_count)
        self.figures[indicator.indicator_id] = figure
        self.evidence[indicator.indicator_id] = evidence
        return figure


def lexicon_spellings(lexicon: Lexicon) -> dict[str, str]:
    """The accented spellings of the lexicons' own French words (labels, names, theme keywords)."""
    texts = [indicator.label for indicator in lexicon.indicators]
    texts += [indicator.published for indicator in lexicon.indicators]
    texts += [theme.name for theme in lexicon.themes] + [k for theme in lexicon.themes for k in theme.keywords]
    texts += [entity.name for entity in lexicon.entities] + [a for entity in lexicon.entities for a in entity.aliases]
    texts += [term.name for term in lexicon.glossary]
    return accent_map(texts)


def definition(indicator: Indicator, lexicon: Lexicon, spellings: dict[str, str] | None = None) -> str:
    """What counts, in French words, from the grid's columns (text patterns spelled out, themes by name)."""
    names = lexicon.by_id()
    themes = {theme.theme_id: theme.name for theme in lexicon.themes}
    spellings = lexicon_spellings(lexicon) if spellings is None else spellings
    parts = []
    if indicator.entities:
        labels = join_fr([names[e].acronym or names[e].name if e in names else e for e in indicator.entities], "ou")
        role = {
            "signataire": f"{labels} signe le contrat",
            "articulation": f"le contrat s'articule avec {labels}",
        }.get(indicator.role, f"le contrat nomme {labels}")
        parts.append(role)
    if indicator.patterns:
        parts.append("le texte dit " + quoted(pattern_phrases(indicator.patterns, spellings)))
    joined = (" et " if indicator.combine == "all" else " ou ").join(parts)
    if indicator.near:
        near = quoted(pattern_phrases(indicator.near, spellings))
        joined += f", à moins de {indicator.window} caractères de {near}"
    if indicator.section:
        joined += f", sur une page du thème « {themes.get(indicator.section, indicator.section)} »"
    if indicator.min_count > 1:
        joined += f", au moins {indicator.min_count} fois"
    return joined[:1].upper() + joined[1:]


def denominator_definition(indicator: Indicator, lexicon: Lexicon) -> str:
    kind, refs = indicator.denominator_kind, indicator.denominator_refs
    if kind == "entity":
        names = lexicon.by_id()
        return "contrats lus mentionnant " + " ou ".join(
            names[r].acronym or names[r].name if r in names else r for r in refs
        )
    if kind == "indicator":
        labels = {i.indicator_id: i.label for i in lexicon.indicators}
        return "contrats lus où « " + " ; ".join(labels.get(r, r) for r in refs) + " »"
    return "contrats lus"


def gap_status(ours: float, published: float | None, qualifier: str) -> str:
    """Whether our value agrees with the published one, given its qualifier (=, ~, <, >, >=)."""
    if published is None:
        return ""
    if qualifier == "<":
        ok = ours < published
    elif qualifier == ">":
        ok = ours > published
    elif qualifier == ">=":
        ok = ours >= published
    else:
        ok = abs(ours - published) <= GAP_TOLERANCE.get(qualifier, 2.5)
    return "conforme" if ok else "écart"


def indicator_values_of(data: RunData) -> dict[str, dict[str, str]]:
    """Reviewers' values per indicator and contract (oui / non / sans_objet), from the workspace's decisions."""
    if data.workspace is None:
        return {}
    from pipeline.review.indicators import indicator_decisions

    values: dict[str, dict[str, str]] = {}
    for row in indicator_decisions(data.workspace, data.run_dir).to_dict("records"):
        values.setdefault(str(row["indicator_id"]), {})[str(row["contract_id"])] = str(row["value"])
    return values


def decided_inputs(
    indicator: Indicator, evaluator: GridEvaluator, decided: dict[str, str], manual: bool
) -> tuple[set[str], list[Evidence]]:
    """The denominator and evidence of an indicator once reviewers' values are applied.

    `oui` counts the contract as reviewed evidence, `non` rejects its evidence, `sans_objet` takes it out of
    the denominator. A manual indicator's denominator is the contracts a reviewer answered oui or non.
    """
    if manual:
        universe = {cid for cid, value in decided.items() if value in ("oui", "non")}
        evidence: list[Evidence] = []
    else:
        evaluator.evaluate(indicator)
        universe = set(evaluator.denominator(indicator))
        evidence = list(evaluator.evidence[indicator.indicator_id])
    for contract_id, value in decided.items():
        if contract_id not in universe and not (manual and value in ("oui", "non")):
            continue
        own = [item for item in evidence if item.contract_id == contract_id]
        evidence = [item for item in evidence if item.contract_id != contract_id]
        if value == "sans_objet":
            universe.discard(contract_id)
        elif value == "oui":
            kept = [replace(item, status="valide") for item in own]
            padding = max(indicator.min_count, 1) - len(kept)
            evidence += kept + [Evidence(contract_id, own[0].page if own else 0, status="valide")] * max(padding, 0)
        elif value == "non":
            evidence += [replace(item, status="rejete") for item in own] or [Evidence(contract_id, 0, "rejete")]
    return universe, evidence


def indicator_tables(
    data: RunData, figures: dict[tuple[str, ...], Figure] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, GridEvaluator]:
    """The grid (one row per indicator), its per-department values and its evidence (one row per span); each
    indicator's figure is recorded in `figures` under its evidence anchor."""
    figures = {} if figures is None else figures
    evaluator = GridEvaluator(data)
    reviewer_values = indicator_values_of(data)
    themes = {theme.theme_id: theme.name for theme in data.lexicon.themes}
    spellings = lexicon_spellings(data.lexicon)
    departments = data.departments
    dept_members: dict[str, set[str]] = {}
    for cid in data.read_ids:
        dept_members.setdefault(departments.get(cid, "") or "(non renseigné)", set()).add(cid)
    rows: list[dict[str, object]] = []
    dept_rows: list[dict[str, object]] = []
    evidence_rows: list[dict[str, object]] = []
    for indicator in data.lexicon.indicators:
        manual = indicator.computable != "yes"
        row: dict[str, object] = {
            "indicator_id": indicator.indicator_id,
            "label": indicator.label,
            "theme_id": indicator.theme,
            "theme": themes.get(indicator.theme, indicator.theme),
            "calculable": "non" if manual else "oui",
            "definition": definition(indicator, data.lexicon, spellings),
            "denominateur_definition": denominator_definition(indicator, data.lexicon),
        }
        published = indicator.value_pct
        decided = reviewer_values.get(indicator.indicator_id, {})
        if manual and not decided:
            row.update({"n": "", "denominateur": "", "pct": "", "statut": STATUS_MANUAL})
        else:
            base, evidence = decided_inputs(indicator, evaluator, decided, manual)
            figure = compute_figure(evidence, base, data.unread, indicator.min_count)
            figures[("ev-i", indicator.indicator_id)] = figure
            row.update({"n": figure.n, "denominateur": figure.denominator})
            row.update(figure_columns(figure))
            if evaluator.missing_pages and indicator.patterns:
                row["pages_non_disponibles"] = "|".join(evaluator.missing_pages)
            for dept, members in dept_members.items():
                universe = base & members
                sub = compute_figure(
                    [e for e in evidence if e.contract_id in universe],
                    universe,
                    data.unread,
                    indicator.min_count,
                )
                dept_rows.append(
                    {
                        "indicator_id": indicator.indicator_id,
                        "label": indicator.label,
                        "department": dept,
                        "n": sub.n,
                        "denominateur": sub.denominator,
                        "pct": sub.pct if sub.denominator else "",
                        "statut": sub.status if sub.denominator else NOT_APPLICABLE,
                        "preuves": sub.evidence_text(),
                    }
                )
            for item in evidence:
                evidence_rows.append(
                    {
                        "indicator_id": indicator.indicator_id,
                        "contract_id": item.contract_id,
                        "page": item.page,
                        "source": "détection" if item.detection_id else "texte",
                        "status": item.status,
                        "score": item.score,
                        "detection_id": item.detection_id,
                        "snippet": item.snippet,
                        "mark_start": item.mark_start,
                        "mark_end": item.mark_end,
                    }
                )
        manual = (manual and not decided) or row["pct"] == ""
        row.update(
            {
                "valeur_publiee": "" if published is None else published,
                "qualificatif": indicator.qualifier,
                "publie": indicator.published,
                "ecart": "" if manual or published is None else round(float(row["pct"]) - published, 1),  # type: ignore[arg-type]
                "accord": "" if manual else gap_status(float(row["pct"]), published, indicator.qualifier),  # type: ignore[arg-type]
                "source": indicator.source,
                "note": indicator.note,
            }
        )
        rows.append(row)
    return pd.DataFrame(rows), pd.DataFrame(dept_rows), pd.DataFrame(evidence_rows), evaluator


def figure_columns(figure: Figure) -> dict[str, object]:
    """An indicator's figure as columns; with nothing in its denominator (0/0) it has no percentage, band or
    gap: it is « sans objet »."""
    columns = {key: value for key, value in figure.columns().items() if key != "n"}
    if figure.denominator == 0:
        columns.update({"pct": "", "pct_min": "", "pct_max": "", "bande": "", "statut": NOT_APPLICABLE})
    return columns


def contract_indicator_table(data: RunData, evaluator: GridEvaluator) -> pd.DataFrame:
    """Per contract and computable indicator: the automatic value (oui/non) and its evidence pages.

    Written as `contract_indicators.csv`, where the review app reads the values reviewers confirm.
    """
    rows: list[dict[str, object]] = []
    for indicator in data.lexicon.indicators:
        if indicator.computable != "yes":
            continue
        figure = evaluator.evaluate(indicator)
        for contract_id in sorted(evaluator.denominator(indicator)):
            pages = figure.pages.get(contract_id, [])
            rows.append(
                {
                    "contract_id": contract_id,
                    "indicator_id": indicator.indicator_id,
                    "value": "oui" if contract_id in figure.pages else "non",
                    "evidence": ", ".join(f"p. {page}" for page in pages),
                }
            )
    return pd.DataFrame(rows, columns=["contract_id", "indicator_id", "value", "evidence"])
