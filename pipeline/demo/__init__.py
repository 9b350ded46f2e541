"""Synthetic demo corpus of contrats de ville with gold labels (`cdv demo-corpus`).

Public entry points: `generate_demo_corpus` (always builds) and `ensure_demo_corpus` (builds only when the
folder lacks a complete corpus of the same generator version, size and seed). Both build in a temporary
sibling folder and rename it into place, so a corpus folder is never half-written. The pipeline must only
read the PDFs and `manifest.csv`; `gold.json` is for `pipeline.evaluate`.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from pipeline.errors import CdvError

GENERATOR_VERSION = "2"
STAMP_FILE = ".cdv-demo.json"
MANIFEST_FILE = "manifest.csv"
GOLD_FILE = "gold.json"
# Why a contract meant for Chromium was rendered by reportlab (`producer_note` in gold.json), in French.
MISSING_NOTE = "Chromium introuvable sur cette machine (apt-get install chromium)"
FAILED_NOTE = "l'impression du PDF par Chromium a échoué"
UNREADABLE_NOTE = "le texte du PDF imprimé par Chromium ne se relit pas comme le prévoient les étiquettes"

__all__ = [
    "GENERATOR_VERSION",
    "GOLD_FILE",
    "MANIFEST_FILE",
    "DemoCorpusError",
    "corpus_summary",
    "ensure_demo_corpus",
    "generate_demo_corpus",
]


class DemoCorpusError(CdvError):
    """The demo corpus cannot be written where asked (message in French)."""


def _render_one(job: tuple[int, int, int, str, str | None]) -> dict[str, Any]:
    """Compose, render and label one contract (runs in a worker process)."""
    from pipeline.demo.calibration import assign, load_profiles
    from pipeline.demo.compose import compose
    from pipeline.demo.gold import contract_gold
    from pipeline.demo.render_html import render_html
    from pipeline.demo.render_reportlab import render_reportlab
    from pipeline.demo.territories import territories
    from pipeline.demo.verify import verify

    index, n, seed, folder, chromium = job
    terr = territories(n)[index]
    profiles = load_profiles()
    assignment = assign(n, seed)[index]
    out = Path(folder) / f"{terr.contract_id}.pdf"
    doc = compose(assignment, terr, profiles, seed)
    note = ""
    pages = 0
    if doc.producer == "chromium":
        if chromium:
            pages = render_html(doc, out, seed, chromium)
            if not pages:
                note = FAILED_NOTE
            else:
                problems = verify(out, doc, pages)
                note = f"{UNREADABLE_NOTE} ({problems[0]})" if problems else ""
        else:
            note = MISSING_NOTE
        if note:
            doc = compose(assignment, terr, profiles, seed)
            doc.producer = "reportlab"
            out.unlink(missing_ok=True)
    if doc.producer == "reportlab":
        pages = render_reportlab(doc, out, seed)
    return contract_gold(doc, out.name, terr.territory, terr.department, pages, profiles, note)


def generate_demo_corpus(out_dir: Path, n: int = 40, seed: int = 2024, workers: int | None = None) -> Path:
    """Write n contract PDFs, `manifest.csv` and `gold.json` into out_dir (replacing a previous demo corpus)."""
    from pipeline.demo.render_html import chromium_path
    from pipeline.demo.territories import territories

    if n < 1:
        raise DemoCorpusError("Le nombre de contrats doit être au moins 1.")
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / STAMP_FILE).exists():
        raise DemoCorpusError(
            f"{out_dir} existe et n'est pas un corpus de démonstration : choisissez un dossier vide ou nouveau."
        )
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        chromium = chromium_path()
        jobs = [(index, n, seed, str(tmp), chromium) for index in range(n)]
        workers = workers or min(2, os.cpu_count() or 1)
        if workers > 1 and n > 2:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                contracts = list(pool.map(_render_one, jobs))
        else:
            contracts = [_render_one(job) for job in jobs]
        terrs = territories(n)
        with (tmp / MANIFEST_FILE).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["contract_id", "file", "territory", "department", "department_code", "epci"])
            for terr, contract in zip(terrs, contracts, strict=True):
                writer.writerow(
                    [terr.contract_id, contract["file"], terr.territory, terr.department, terr.code, terr.epci]
                )
        from pipeline.demo.calibration import load_profiles

        gold = {
            "generator_version": GENERATOR_VERSION,
            "n": n,
            "seed": seed,
            "vocabulary": sorted(load_profiles()),
            "contracts": contracts,
        }
        (tmp / GOLD_FILE).write_text(json.dumps(gold, ensure_ascii=False, indent=1), encoding="utf-8")
        stamp = {
            "generator_version": GENERATOR_VERSION,
            "n": n,
            "seed": seed,
            "complete": True,
            "files": [c["file"] for c in contracts],
            "chromium": bool(chromium),
            "seconds": round(time.monotonic() - started, 1),
        }
        (tmp / STAMP_FILE).write_text(json.dumps(stamp, ensure_ascii=False, indent=1), encoding="utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        tmp.rename(out_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out_dir


def corpus_summary(out_dir: Path) -> dict[str, Any]:
    """Counts for the CLI: contracts, pages, producers, Chromium fallbacks (read from the corpus folder)."""
    gold = json.loads((Path(out_dir) / GOLD_FILE).read_text(encoding="utf-8"))
    producers: dict[str, int] = {}
    for contract in gold["contracts"]:
        producers[contract["producer"]] = producers.get(contract["producer"], 0) + 1
    notes = [c["producer_note"] for c in gold["contracts"] if c.get("producer_note")]
    return {
        "contracts": len(gold["contracts"]),
        "pages": sum(c["pages"] for c in gold["contracts"]),
        "producers": producers,
        "fallbacks": notes,
    }


def is_complete(out_dir: Path, n: int, seed: int) -> bool:
    """True when out_dir holds a complete demo corpus of this generator version, size and seed."""
    stamp_path = Path(out_dir) / STAMP_FILE
    try:
        stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if (stamp.get("generator_version"), stamp.get("n"), stamp.get("seed")) != (GENERATOR_VERSION, n, seed):
        return False
    needed = [MANIFEST_FILE, GOLD_FILE, *stamp.get("files", [])]
    return bool(stamp.get("complete")) and all((Path(out_dir) / name).exists() for name in needed)


def ensure_demo_corpus(out_dir: Path, n: int = 40, seed: int = 2024) -> Path:
    """Return out_dir, generating the demo corpus first unless a complete one with the same settings is there."""
    if not is_complete(Path(out_dir), n, seed):
        generate_demo_corpus(out_dir, n=n, seed=seed)
    return Path(out_dir)
