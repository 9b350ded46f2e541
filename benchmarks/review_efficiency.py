"""How fast review makes the published figures right: the cross-contract queue against contract-by-contract.

Usage: python benchmarks/review_efficiency.py [--corpus DEMO_CORPUS] [--work DIR] [--full]

A demo corpus (with its `gold.json`) is run with a deliberately weakened configuration, so that the
automatic tables are wrong in the ways real contracts make them wrong:
- the lexicon gets generic variant names an analyst might add (« logement » for Action Logement,
  « entreprises » for the CCI, « Région » for the Conseil régional, « Observatoire » for the ANCT): false
  positives in the contracts that do not name these partners;
- the classification runs on its rules, without the trained sense and role models: ambiguous acronyms
  (CEJ, CLS) get the wrong sense in some contracts.

A simulated reviewer then decides every detection from the gold labels (validate; reject when the entity
is not named on that page, or when the match is one of the injected generic names; change the sense of an
ambiguous acronym when the gold names the other sense on that page; change the role when the gold says it
signs there or not), through `ReviewSession.decide`, in two orders:
- `queue`: the review queue's order (`pipeline.review.queue.build_queue`), recomputed after each decision;
- `per_contract`: contract after contract, each read in page order.

After each decision changing a figure, the published cells (partners' signatory and mention percentages,
schemes' articulation percentages, from `pipeline.review.cells.live_tables`) are compared to the gold
percentages. Prints progress, then as its LAST line one JSON object: per order, the maximum and mean
absolute error (points) after each 1 % of the detections decided, and the decisions needed to bring every
cell within ±2.5 points; the ratio of the two, and whether the targets hold (queue: at most 15 % of the
detections; at least 3 times fewer decisions than per contract).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.lexicon import default_lexicon_dir  # noqa: E402
from pipeline.lexicon_edit import add_alias  # noqa: E402
from pipeline.review.anchor import normalise  # noqa: E402
from pipeline.review.cells import LiveTables, live_tables  # noqa: E402
from pipeline.review.queue import build_queue, detection_forms  # noqa: E402
from pipeline.review.session import ReviewSession  # noqa: E402
from pipeline.workspace import Workspace  # noqa: E402

TOLERANCE = 2.5
WEAKENING = {
    "action_logement": "logement",
    "cci": "entreprises",
    "conseil_regional": "Région",
    "anct": "Observatoire",
}
REVIEWER = "relecteur simulé"
SIGNATURE_CONTEXTS = {"signature", "scan"}


@dataclass
class Gold:
    """The gold labels as the simulated reviewer consults them."""

    n_contracts: int
    vocabulary: set[str]
    on_page: dict[tuple[str, int], set[str]] = field(default_factory=dict)
    signs_on_page: dict[tuple[str, int], set[str]] = field(default_factory=dict)
    named: dict[str, int] = field(default_factory=dict)
    signing: dict[str, int] = field(default_factory=dict)


def load_gold(path: Path) -> Gold:
    raw = json.loads(path.read_text(encoding="utf-8"))
    gold = Gold(len(raw["contracts"]), set(raw.get("vocabulary") or []))
    named: dict[str, int] = defaultdict(int)
    signing: dict[str, int] = defaultdict(int)
    for contract in raw["contracts"]:
        cid = contract["contract_id"]
        for entry in contract["partners"] + contract["dispositifs"]:
            named[entry["entity_id"]] += 1
            signing[entry["entity_id"]] += bool(entry.get("signataire"))
        signers = {p["entity_id"] for p in contract["partners"] if p.get("signataire")}
        signature_pages = {m["page"] for m in contract["mentions"] if m.get("context") in SIGNATURE_CONTEXTS}
        for mention in contract["mentions"]:
            key = (cid, mention["page"])
            gold.on_page.setdefault(key, set()).add(mention["entity_id"])
            signs = mention["entity_id"] in signers and mention.get("context") in SIGNATURE_CONTEXTS | {"table"}
            if signs and mention["page"] in signature_pages:
                gold.signs_on_page.setdefault(key, set()).add(mention["entity_id"])
    gold.named, gold.signing = dict(named), dict(signing)
    return gold


def oracle(row: dict[str, Any], form: str, gold: Gold, senses: dict[str, tuple[str, ...]]) -> tuple[str, str]:
    """The decision a careful reviewer takes on one detection, from the gold labels: (action, value)."""
    contract, page, entity = str(row["contract_id"]), int(row["page"]), str(row["entity_id"])
    if entity not in gold.vocabulary:
        return ("rejeter", "") if normalise(form) in INJECTED else ("valider", "")
    named_here = gold.on_page.get((contract, page), set())
    if entity in named_here and normalise(form) not in INJECTED:
        if row["kind"] != "partenaire":
            return "valider", ""
        expected = "signataire" if entity in gold.signs_on_page.get((contract, page), set()) else "mentionne"
        return ("valider", "") if row["role"] == expected else ("role", expected)
    for other in senses.get(entity, ()):
        if other != entity and other in named_here:
            return "entite", other
    return "rejeter", ""


INJECTED = {normalise(alias) for alias in WEAKENING.values()}


def cell_errors(session: ReviewSession, gold: Gold) -> tuple[tuple[float, float], LiveTables]:
    """Maximum and mean absolute error (points) of the published cells against gold, and those tables."""
    tables = live_tables(session, session.view().decided)
    gaps = []
    for frame, measures in ((tables.partners, ("mentionne", "signataire")), (tables.schemes, ("mentionne",))):
        for row in frame.to_dict("records"):
            entity = str(row["entity_id"])
            if entity not in gold.vocabulary:
                continue
            for measure in measures:
                counts = gold.signing if measure == "signataire" else gold.named
                gold_pct = 100.0 * counts.get(entity, 0) / gold.n_contracts
                gaps.append(abs(float(row[f"pct_{measure}"]) - gold_pct))
    mean = round(sum(gaps) / len(gaps), 3) if gaps else 0.0
    return (round(max(gaps, default=0.0), 2), mean), tables


def sense_map(session: ReviewSession) -> dict[str, tuple[str, ...]]:
    lexicon = session.lexicon
    found: dict[str, tuple[str, ...]] = {}
    for members in lexicon.ambiguous.values() if lexicon else []:
        for member in members:
            found[member] = members
    return found


def simulate(session: ReviewSession, gold: Gold, order: str, stop_at: float, log: Any) -> dict[str, Any]:
    """Decide detections in `order` until every cell is within tolerance and `stop_at` of them are decided."""
    decided = session.view().decided
    total = len(decided)
    step = max(1, math.ceil(total / 100))
    forms = detection_forms(session)
    senses = sense_map(session)
    static: list[str] = []
    if order == "per_contract":
        rank = {cid: i for i, cid in enumerate(session.contracts["contract_id"])}
        frame = decided.assign(_c=decided["contract_id"].map(rank)).sort_values(["_c", "page", "start"], kind="stable")
        static = [str(v) for v in frame["detection_id"]]
    error, tables = cell_errors(session, gold)
    curve = [{"pct": 0, "decisions": 0, "max_error_pts": error[0], "mean_error_pts": error[1]}]
    reached = 0 if error[0] <= TOLERANCE else None
    decisions = 0
    seconds = {"choose": 0.0, "decide": 0.0, "measure": 0.0}
    started = time.perf_counter()
    position = 0
    while decisions < total:
        tick = time.perf_counter()
        view = session.view()
        if order == "queue":
            items = build_queue(session, view.decided, tables, limit=1)  # validations leave the figures unchanged
            if not items:
                break
            detection_id = items[0].detection_id
        else:
            detection_id = static[position]
            position += 1
        row = view.decided[view.decided["detection_id"] == detection_id].iloc[0].to_dict()
        seconds["choose"] += time.perf_counter() - tick
        tick = time.perf_counter()
        action, value = oracle(row, forms.get(detection_id, ("", ""))[1], gold, senses)
        session.decide(detection_id, action, REVIEWER, value=value, source="simulation")
        decisions += 1
        seconds["decide"] += time.perf_counter() - tick
        tick = time.perf_counter()
        if action != "valider" or decisions % step == 0:
            error, tables = cell_errors(session, gold)
        seconds["measure"] += time.perf_counter() - tick
        if reached is None and error[0] <= TOLERANCE:
            reached = decisions
            print(f"  {order} : toutes les cellules à ±{TOLERANCE} points après {decisions} décisions", file=log)
        if decisions % step == 0:
            curve.append(
                {
                    "pct": decisions // step,
                    "decisions": decisions,
                    "max_error_pts": error[0],
                    "mean_error_pts": error[1],
                }
            )
            print(f"  {order} {decisions // step:3d} % : erreur max {error[0]:5.1f}, moyenne {error[1]:.3f}", file=log)
        if reached is not None and decisions >= stop_at * total:
            break
    return {
        "decisions_to_tolerance": reached,
        "pct_detections_to_tolerance": round(100.0 * reached / total, 2) if reached is not None else None,
        "decisions_made": decisions,
        "curve": curve,
        "seconds": {k: round(v, 1) for k, v in seconds.items()} | {"total": round(time.perf_counter() - started, 1)},
    }


def prepare_run(corpus: Path, work: Path, log: Any) -> tuple[Path, Path, Path]:
    """The weakened lexicon, and a run of the corpus with it and without models (reused when present)."""
    lexicon_dir = work / "lexique-affaibli"
    if not lexicon_dir.exists():
        shutil.copytree(default_lexicon_dir(), lexicon_dir)
        for entity_id, alias in WEAKENING.items():
            add_alias(lexicon_dir, entity_id, alias)
    no_models = work / "sans-modeles"
    no_models.mkdir(exist_ok=True)
    run_dir, workspace = work / "run", work / "espace"
    if not (run_dir / "run.json").exists():
        print("cdv run sur le corpus avec le lexique affaibli…", file=log)
        command = [
            sys.executable, "-c", "from pipeline.cli import main; main()", "run",
            "--corpus", str(corpus), "--out", str(run_dir), "--workspace", str(workspace),
            "--lexicons", str(lexicon_dir), "--models", str(no_models), "--sans-ner",
        ]  # fmt: skip
        subprocess.run(command, check=True, cwd=ROOT, stdout=log, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    return run_dir, workspace, lexicon_dir


def fresh_session(run_dir: Path, workspace: Path, lexicon_dir: Path, name: str, work: Path) -> ReviewSession:
    """A session on the run with an empty decision store sharing the run's page cache."""
    space = work / f"decisions-{name}"
    shutil.rmtree(space, ignore_errors=True)
    space.mkdir(parents=True)
    (space / "cache").symlink_to((workspace / "cache").resolve())
    return ReviewSession(run_dir, Workspace(space), lexicon_dir=lexicon_dir)


def demo_corpus(args: argparse.Namespace, work: Path, log: Any) -> Path:
    if args.corpus:
        return Path(args.corpus)
    from pipeline.demo import ensure_demo_corpus

    print(f"Corpus de démonstration de {args.n} contrats…", file=log)
    return ensure_demo_corpus(work / "corpus", n=args.n, seed=args.seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", help="corpus de démonstration (avec gold.json) ; défaut : généré")
    parser.add_argument("--work", help="dossier de travail conservé (run et lexique réutilisés)")
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--full", action="store_true", help="décider toutes les détections dans les deux ordres")
    args = parser.parse_args()
    log = sys.stderr
    temporary = None if args.work else tempfile.TemporaryDirectory(prefix="cdv-revue-")
    work = Path(args.work or temporary.name)  # type: ignore[union-attr]
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    corpus = demo_corpus(args, work, log)
    gold = load_gold(corpus / "gold.json")
    run_dir, workspace, lexicon_dir = prepare_run(corpus, work, log)
    results: dict[str, Any] = {}
    for order in ("queue", "per_contract"):
        session = fresh_session(run_dir, workspace, lexicon_dir, order, work)
        print(f"Ordre {order}…", file=log)
        stop_at = 1.0 if args.full else (0.2 if order == "queue" else 0.0)
        results[order] = simulate(session, gold, order, stop_at, log)
    total = len(ReviewSession(run_dir, Workspace(workspace), lexicon_dir=lexicon_dir).detections)
    queue_n = results["queue"]["decisions_to_tolerance"]
    contract_n = results["per_contract"]["decisions_to_tolerance"]
    ratio = round(contract_n / queue_n, 2) if queue_n and contract_n else None
    summary = {
        "benchmark": "review_efficiency",
        "corpus": str(corpus),
        "contracts": gold.n_contracts,
        "detections": total,
        "tolerance_pts": TOLERANCE,
        "weakening": {"aliases": WEAKENING, "models": "aucun (règles)"},
        "queue": results["queue"],
        "per_contract": results["per_contract"],
        "ratio_per_contract_to_queue": ratio,
        "targets": {
            "queue_within_15pct": bool(queue_n is not None and queue_n <= 0.15 * total),
            "ratio_at_least_3": bool(ratio is not None and ratio >= 3),
        },
        "seconds": round(time.perf_counter() - started, 1),
    }
    if temporary is not None:
        temporary.cleanup()
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
