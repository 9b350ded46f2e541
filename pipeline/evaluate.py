"""Accuracy of a pipeline run against gold labels (`cdv evaluate`).

Definitions (all over the contracts listed in the gold file):
- partners / dispositifs: presence of an entity in a contract. Gold pairs are the gold `partners` /
  `dispositifs`; run pairs are the rows of `contract_entities.csv` of that kind with mentionne = 1 (or
  signataire = 1). Precision, recall, F1 over (contract, entity) pairs (F1 = 1 when both sets are empty).
- signatories: (contract, partner) pairs with gold signataire = true vs run signataire = 1.
- themes.accuracy: share of gold (contract, entity, theme) triples whose run row lists that theme in its
  `themes` column (a missed entity counts as wrong for all its triples).
- tables: for every entity in gold or run, the percentage of contracts where it is signatory (partners)
  and where it is named (all), computed from gold (denominator: gold contracts) and from the run
  (denominator: gold contracts read with status ok in `contracts.csv`, all gold contracts if absent);
  the maximum and mean absolute gap in percentage points over those cells.
- vocabulary: when the gold lists the entity ids it labels (`vocabulary`), run rows of other entities
  (added to the lexicons after the corpus was made) are ignored and counted in `ignored_entities`.
- named outside: a run row of an entity the gold does not list, one of whose names in the run's lexicons
  (`run.json`) is one of the contract's `out_of_lexicon` organisations (added to the lexicons after the gold
  was labelled: « Keolis », « ERDF »), is no false positive; it is ignored, listed in `ignored_entities`, and the
  organisation counts as found by the candidates. Its group counts as the gold says.
- errors: per contract, each miss (with gold pages and surfaces) and false positive (with the page and
  snippet of its first detection in `detections.csv`).
- candidates: when the gold lists organisations outside the lexicons (`out_of_lexicon`) and the run has a
  `candidates.csv`, the share of them found among the contract's candidates (same folded name, one inside
  the other when it has 60 % of its length, token-sort similarity >= 90, or an acronym and the name it spells:
  « ADCF » and « Assemblée des communautés de France ») and the noise: candidate rows
  of a contract that match neither
  a gold organisation nor a name the gold accepts (`acceptable_candidates`), on average per contract.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from pipeline.acronym import spells_name
from pipeline.errors import CdvError
from pipeline.french import agree, fr_number, fr_pct, plural
from pipeline.inert import rows_from_inert

Pair = tuple[str, str]


class EvaluationError(CdvError):
    """The gold file or the run folder cannot be read (message in French)."""


# « Association Unis cité » is the association « Unis cité »; « Association des maires … » is no other name
ASSOCIATION_WORD = re.compile(r"^association (?!(?:de|des|du|d|pour|la|le|les|l|en|et|au|aux)\b)")


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [rows_from_inert(row) for row in csv.DictReader(handle)]


def _flag(value: str | None) -> bool:
    return str(value or "").strip().lower() in {"1", "true", "vrai", "oui", "yes"}


def prf(gold: set[Any], run: set[Any]) -> dict[str, float | int]:
    """Precision, recall and F1 of a predicted set against a gold set."""
    tp, fp, fn = len(gold & run), len(run - gold), len(gold - run)
    if tp + fp + fn == 0:
        return {"precision": 1.0, "recall": 1.0, "f1": 1.0, "tp": 0, "fp": 0, "fn": 0}
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def load_gold(gold_path: Path) -> dict[str, Any]:
    try:
        gold = json.loads(Path(gold_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise EvaluationError(f"Fichier de vérité terrain illisible : {gold_path} ({error}).") from error
    if "contracts" not in gold:
        raise EvaluationError(f"{gold_path} : clé « contracts » absente.")
    for contract in gold["contracts"]:
        names = [*(contract.get("acceptable_candidates") or []), *out_of_lexicon_names(contract)]
        wrong = next((name for name in names if not isinstance(name, str)), None)
        if wrong is not None:
            raise EvaluationError(
                f"{gold_path} : contrat {contract.get('contract_id', '?')}, nom d'organisation qui n'est pas un "
                f"texte ({wrong!r}) ; mettez-le entre guillemets."
            )
    return gold


def evaluate(gold_path: Path, run_dir: Path) -> dict[str, Any]:
    """Compare a run folder (`contract_entities.csv`, optional `detections.csv`, `contracts.csv`) to gold."""
    gold = load_gold(gold_path)
    run_dir = Path(run_dir)
    entities_file = run_dir / "contract_entities.csv"
    if not entities_file.exists():
        raise EvaluationError(f"{entities_file} introuvable : lancez d'abord « cdv run ».")
    contracts = [c["contract_id"] for c in gold["contracts"]]
    ids = set(contracts)
    g_part: set[Pair] = set()
    g_sig: set[Pair] = set()
    g_disp: set[Pair] = set()
    g_themes: set[tuple[str, str, str]] = set()
    g_evidence: dict[Pair, tuple[list[int], list[str]]] = {}
    kinds: dict[str, str] = {}
    for contract in gold["contracts"]:
        cid = contract["contract_id"]
        for kind, entries, target in (
            ("partenaire", contract["partners"], g_part),
            ("dispositif", contract["dispositifs"], g_disp),
        ):
            for entry in entries:
                pair = (cid, entry["entity_id"])
                target.add(pair)
                kinds[entry["entity_id"]] = kind
                if entry.get("signataire"):
                    g_sig.add(pair)
                g_themes |= {(cid, entry["entity_id"], t) for t in entry.get("themes", [])}
                g_evidence[pair] = (entry.get("pages", []), entry.get("surfaces", []))
    r_part: set[Pair] = set()
    r_sig: set[Pair] = set()
    r_disp: set[Pair] = set()
    r_themes: dict[Pair, set[str]] = {}
    vocabulary = set(gold.get("vocabulary") or [])
    outside = {c["contract_id"]: out_of_lexicon_names(c) for c in gold["contracts"]}
    surfaces = run_surfaces(run_dir) if any(outside.values()) else {}
    g_present = g_part | g_disp
    ignored: set[str] = set()
    named: dict[str, list[str]] = defaultdict(list)
    for row in _read_csv(entities_file):
        cid, eid = row.get("contract_id", ""), row.get("entity_id", "")
        if cid not in ids or not eid:
            continue
        if vocabulary and eid not in vocabulary:
            ignored.add(eid)
            continue
        names = surfaces.get(eid) or (row.get("entity_name", ""), row.get("entity_acronym", ""))
        name = named_outside(names, outside.get(cid, [])) if (cid, eid) not in g_present else None
        if name is not None:
            ignored.add(eid)
            named[cid].append(name)
            continue
        kind = row.get("kind") or kinds.get(eid, "partenaire")
        kinds.setdefault(eid, kind)
        present = _flag(row.get("mentionne")) or _flag(row.get("signataire"))
        if present:
            (r_disp if kind == "dispositif" else r_part).add((cid, eid))
        if _flag(row.get("signataire")) and kind != "dispositif":
            r_sig.add((cid, eid))
        r_themes[(cid, eid)] = {t for t in (row.get("themes") or "").split("|") if t}
    correct = sum(1 for c, e, t in g_themes if t in r_themes.get((c, e), set()))
    denominator_run = len(contracts)
    contracts_file = run_dir / "contracts.csv"
    if contracts_file.exists():
        ok = {r["contract_id"] for r in _read_csv(contracts_file) if (r.get("status") or "ok") == "ok"}
        denominator_run = len(ids & ok) or len(contracts)
    tables = _table_gaps(len(contracts), denominator_run, kinds, g_part | g_disp, g_sig, r_part | r_disp, r_sig)
    detections = _first_detections(run_dir / "detections.csv", ids)
    errors = _errors(g_part, r_part, "partenaires", g_evidence, detections)
    errors += _errors(g_sig, r_sig, "signataires", g_evidence, detections)
    errors += _errors(g_disp, r_disp, "dispositifs", g_evidence, detections)
    per_contract: dict[str, dict[str, list[dict[str, Any]]]] = {
        c: {"misses": [], "false_positives": []} for c in contracts
    }
    for error in errors:
        bucket = "misses" if error["type"] == "oubli" else "false_positives"
        per_contract[error["contract_id"]][bucket].append(error)
    return {
        "candidates": candidate_scores(gold["contracts"], run_dir / "candidates.csv", named),
        "n_contracts": len(contracts),
        "n_contracts_read": denominator_run,
        "partners": prf(g_part, r_part),
        "signatories": prf(g_sig, r_sig),
        "dispositifs": prf(g_disp, r_disp),
        "themes": {
            "accuracy": round(correct / len(g_themes), 4) if g_themes else 1.0,
            "correct": correct,
            "total": len(g_themes),
        },
        "tables": tables,
        "ignored_entities": sorted(ignored),
        "per_contract": per_contract,
    }


def _table_gaps(
    n_gold: int,
    n_run: int,
    kinds: dict[str, str],
    g_named: set[Pair],
    g_sig: set[Pair],
    r_named: set[Pair],
    r_sig: set[Pair],
) -> dict[str, Any]:
    def counts(pairs: set[Pair]) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for _, eid in pairs:
            out[eid] += 1
        return out

    gn, gs, rn, rs = counts(g_named), counts(g_sig), counts(r_named), counts(r_sig)
    cells: list[dict[str, Any]] = []
    for eid in sorted(set(gn) | set(rn) | set(gs) | set(rs)):
        measures = ["mentionne"] + (["signataire"] if kinds.get(eid) != "dispositif" else [])
        for measure in measures:
            g_count, r_count = (gn, rn) if measure == "mentionne" else (gs, rs)
            g_pct = 100 * g_count.get(eid, 0) / n_gold if n_gold else 0.0
            r_pct = 100 * r_count.get(eid, 0) / n_run if n_run else 0.0
            cells.append(
                {
                    "entity_id": eid,
                    "measure": measure,
                    "gold_pct": round(g_pct, 2),
                    "run_pct": round(r_pct, 2),
                    "gap_pts": round(abs(g_pct - r_pct), 2),
                }
            )
    gaps = [float(c["gap_pts"]) for c in cells]
    cells.sort(key=lambda c: -c["gap_pts"])
    return {
        "max_abs_error_pts": max(gaps, default=0.0),
        "mean_abs_error_pts": round(sum(gaps) / len(gaps), 2) if gaps else 0.0,
        "n_cells": len(cells),
        "worst": cells[:10],
    }


def _first_detections(path: Path, ids: set[str]) -> dict[tuple[str, str, str], dict[str, str]]:
    """First detection per (contract, entity, role) and per (contract, entity, '*'), for snippets."""
    found: dict[tuple[str, str, str], dict[str, str]] = {}
    if not path.exists():
        return found
    for row in _read_csv(path):
        cid, eid = row.get("contract_id", ""), row.get("entity_id", "")
        if cid not in ids or row.get("status") == "rejete":
            continue
        found.setdefault((cid, eid, row.get("role", "")), row)
        found.setdefault((cid, eid, "*"), row)
    return found


def _errors(
    gold: set[Pair],
    run: set[Pair],
    measure: str,
    evidence: dict[Pair, tuple[list[int], list[str]]],
    detections: dict[tuple[str, str, str], dict[str, str]],
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for cid, eid in sorted(gold - run):
        pages, surfaces = evidence.get((cid, eid), ([], []))
        out.append(
            {
                "contract_id": cid,
                "entity_id": eid,
                "measure": measure,
                "type": "oubli",
                "pages": pages,
                "snippet": " | ".join(surfaces[:3]),
            }
        )
    for cid, eid in sorted(run - gold):
        role = "signataire" if measure == "signataires" else "*"
        row = detections.get((cid, eid, role)) or detections.get((cid, eid, "*")) or {}
        page = row.get("page", "")
        out.append(
            {
                "contract_id": cid,
                "entity_id": eid,
                "measure": measure,
                "type": "faux_positif",
                "pages": [int(page)] if str(page).isdigit() else [],
                "snippet": row.get("snippet", ""),
            }
        )
    return out


def same_organisation(left: str, right: str) -> bool:
    """Two spellings of one organisation's name (folded; one inside the other; token-set ratio >= 90; or an
    acronym and the name it spells), the word « association » before a name left out (« Association Unis cité »
    is « Unis cité »)."""
    from rapidfuzz import fuzz

    from pipeline.candidates import name_key

    a, b = (ASSOCIATION_WORD.sub("", name_key(name)) for name in (left, right))
    if not a or not b:
        return False
    if any(written_acronym(one) and spells_name(one, other) for one, other in ((left, right), (right, left))):
        return True  # « ADCF » is « Assemblée des communautés de France »
    short, long = sorted((a, b), key=len)
    inside = f" {short} " in f" {long} " and len(short) >= 0.6 * len(long)
    return a == b or inside or fuzz.token_sort_ratio(a, b) >= 90


def written_acronym(name: str) -> bool:
    """A name written as one acronym of three letters or more, two of them capitals or only its first (« ADCF »,
    « iREV », « ÉPIDe », « Adie »: the Association pour le droit à l'initiative économique, rts15)."""
    word = name.strip()
    return bool(re.fullmatch(r"[A-Za-zÀ-ÿ]{3,10}", word)) and (word[0].isupper() or sum(c.isupper() for c in word) >= 2)


def out_of_lexicon_names(contract: dict[str, Any]) -> list[Any]:
    """The names of the organisations outside the lexicons a gold contract lists (texts once `load_gold` checked)."""
    return [o.get("name") if isinstance(o, dict) else o for o in contract.get("out_of_lexicon") or []]


def named_outside(names: tuple[str, ...], organisations: list[str]) -> str | None:
    """The gold organisation outside the lexicons an entity written `names` is, or None."""
    return next((o for o in organisations if any(n and same_organisation(o, n) for n in names)), None)


def run_surfaces(run_dir: Path) -> dict[str, tuple[str, ...]]:
    """Each entity's names, acronyms, aliases and former names in the lexicons the run read (`run.json`), or
    nothing when they cannot be read (the tables' name and acronym are used then)."""
    from pipeline.lexicon import load_lexicon

    try:
        lexicon_dir = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))["lexicon_dir"]
        lexicon = load_lexicon(Path(lexicon_dir))
    except (OSError, ValueError, KeyError, TypeError, CdvError):
        return {}
    return {e.entity_id: (e.name, *e.acronyms, *e.aliases, *e.former_names) for e in lexicon.entities}


def candidate_scores(
    gold_contracts: list[dict[str, Any]], path: Path, named: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """Recall of the gold's out-of-lexicon organisations among the candidates (or among the lexicon entities
    the run found by that name, `named`: added to the lexicons since), and the noise per contract."""
    labelled = [c for c in gold_contracts if "out_of_lexicon" in c]
    if not labelled or not path.exists():
        return {}
    by_contract: dict[str, list[str]] = defaultdict(list)
    for row in _read_csv(path):
        for contract_id in (row.get("contracts") or "").split("|"):
            by_contract[contract_id].append(row.get("name", ""))
    found, total, noise = 0, 0, 0
    missed: list[dict[str, str]] = []
    noisy: list[dict[str, str]] = []
    for contract in labelled:
        cid = contract["contract_id"]
        names = by_contract.get(cid, [])
        organisations = out_of_lexicon_names(contract)
        accepted = organisations + list(contract.get("acceptable_candidates", []))
        for organisation in organisations:
            total += 1
            if organisation in (named or {}).get(cid, []) or any(same_organisation(organisation, n) for n in names):
                found += 1
            else:
                missed.append({"contract_id": cid, "name": organisation})
        for name in names:
            if not any(same_organisation(name, other) for other in accepted):
                noise += 1
                noisy.append({"contract_id": cid, "name": name})
    return {
        "recall": round(found / total, 4) if total else 1.0,
        "found": found,
        "total": total,
        "noise": noise,
        "noise_per_contract": round(noise / len(labelled), 2),
        "missed": missed,
        "noisy": noisy,
    }


def flat_scores(result: dict[str, Any]) -> dict[str, float]:
    """The headline numbers under dotted keys (partners.f1, tables.max_abs_error_pts, ...)."""
    return {
        "partners.f1": result["partners"]["f1"],
        "signatories.f1": result["signatories"]["f1"],
        "dispositifs.f1": result["dispositifs"]["f1"],
        "themes.accuracy": result["themes"]["accuracy"],
        "tables.max_abs_error_pts": result["tables"]["max_abs_error_pts"],
        "tables.mean_abs_error_pts": result["tables"]["mean_abs_error_pts"],
        **(
            {
                "candidates.recall": result["candidates"]["recall"],
                "candidates.noise_per_contract": result["candidates"]["noise_per_contract"],
            }
            if result.get("candidates")
            else {}
        ),
    }


MEASURE_LABELS = {
    "partenaires": "Partenaires (présence)",
    "signataires": "Signataires",
    "dispositifs": "Dispositifs (articulations)",
}
MEASURE_KEYS = {"partenaires": "partners", "signataires": "signatories", "dispositifs": "dispositifs"}


def format_summary(result: dict[str, Any], max_errors: int = 40) -> str:
    """A French, human-readable summary of an evaluation: per kind, P/R/F1 then the false positives and the
    misses (contract, entity, pages, snippet), at most `max_errors` of each."""

    def line(label: str, scores: dict[str, Any]) -> str:
        return (
            f"{label} : précision {fr_pct(100 * scores['precision'])}, rappel {fr_pct(100 * scores['recall'])}, "
            f"F1 {fr_pct(100 * scores['f1'])} (vrais positifs {scores['tp']}, faux positifs {scores['fp']}, "
            f"oublis {scores['fn']})"
        )

    read = result["n_contracts_read"]
    lines = [f"Évaluation sur {plural(result['n_contracts'], 'contrat')} ({read} {agree(read, 'lu')})."]
    errors = [e for errs in result["per_contract"].values() for e in errs["misses"] + errs["false_positives"]]
    for measure, label in MEASURE_LABELS.items():
        lines.append(line(label, result[MEASURE_KEYS[measure]]))
        for kind, title in (("faux_positif", "faux positif"), ("oubli", "oubli")):
            listed = [e for e in errors if e["measure"] == measure and e["type"] == kind]
            if not listed:
                continue
            lines.append(f"  {plural(len(listed), title)} :")
            for err in listed[:max_errors]:
                pages = ",".join(str(p) for p in err["pages"]) or "?"
                lines.append(f"    - {err['contract_id']} : {err['entity_id']} p. {pages} : {err['snippet'][:90]}")
            if len(listed) > max_errors:
                lines.append(f"    … et {plural(len(listed) - max_errors, 'autre')}")
    lines.append(
        f"Thèmes : {fr_pct(100 * result['themes']['accuracy'])} d'attributions correctes "
        f"({result['themes']['correct']}/{result['themes']['total']})"
    )
    lines.append(
        f"Tableaux : écart maximal {fr_number(result['tables']['max_abs_error_pts'])} points, "
        f"écart moyen {fr_number(result['tables']['mean_abs_error_pts'], 2)} points."
    )
    for cell in result["tables"]["worst"][:3]:
        lines.append(
            f"  - {cell['entity_id']} ({cell['measure']}) : vérité {fr_pct(cell['gold_pct'])}, "
            f"run {fr_pct(cell['run_pct'])}"
        )
    candidates = result.get("candidates")
    if candidates:
        lines.append(
            f"Organisations hors lexique : {candidates['found']} sur {candidates['total']} retrouvées parmi les "
            f"candidats ({fr_pct(100 * candidates['recall'])}), {fr_number(candidates['noise_per_contract'], 2)} "
            "candidats de bruit par contrat en moyenne."
        )
        for item in candidates["missed"][:max_errors]:
            lines.append(f"  - non retrouvée : {item['contract_id']} : {item['name']}")
    return "\n".join(lines)
