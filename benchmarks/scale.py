"""Scale benchmark: cold run, warm run with nothing new, warm run with one new version, at 40 and 400 contracts.

Usage: .venv/bin/python benchmarks/scale.py [--sizes 40,400] [--workdir DIR] [--generator auto|demo|simple]

Each phase runs the Prefect flow (`pipeline.flows.run_corpus`) in this process after the Prefect server
has been started once (its start-up time is reported apart), then records the run in the history as the
scheduled run does. Peak memory is the largest total RSS of this process and all its children (process
pool workers, Prefect server) sampled every 0.1 s. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.types import RunResult

ROOT = Path(__file__).resolve().parents[1]


class PeakMemory:
    """Sample the total RSS of this process tree in a thread; `peak_mb` after the block."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        try:
            import psutil
        except ImportError:
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        me = psutil.Process()
        total = 0
        for process in [me, *me.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += process.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._sample())

    @property
    def peak_mb(self) -> float:
        return round(self.peak / 2**20, 1)


def simple_corpus(folder: Path, n: int, seed: int) -> Path:
    """n small contracts written with reportlab (used when the demo generator is absent or fails)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from contract_pdf import write_contract

    themes = [
        "Axe emploi\nFrance Travail et la Mission locale accompagnent les jeunes vers l'emploi.",
        "Axe santé\nL'ARS et la CPAM portent le contrat local de santé. Le CLSPD se réunit.",
        "Cadre de vie\nLes bailleurs sociaux mobilisent l'abattement de TFPB et la GUSP.",
        "Éducation\nLe programme de réussite éducative et la cité éducative mobilisent la CAF.",
    ]
    rows = ["contract_id,file,territory,department"]
    for index in range(n):
        body = [themes[(index + seed + page) % len(themes)] + f"\nPage {page} du contrat {index}." for page in range(8)]
        write_contract(folder / f"c{index:04d}.pdf", body)
        rows.append(f"c{index:04d},c{index:04d}.pdf,Territoire {index},Département {index % 13}")
    (folder / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def make_corpus(folder: Path, n: int, seed: int, generator: str) -> tuple[Path, str]:
    """The demo corpus of `pipeline.demo` when available, else simple contracts; says which."""
    if generator in ("auto", "demo"):
        try:
            from pipeline.demo import generate_demo_corpus

            return generate_demo_corpus(folder, n, seed), "pipeline.demo"
        except Exception as error:
            if generator == "demo":
                raise
            print(f"générateur de démonstration indisponible ({error}) : contrats simples", file=sys.stderr)
    folder.mkdir(parents=True, exist_ok=True)
    return simple_corpus(folder, n, seed), "tests.contract_pdf"


def new_version(corpus: Path) -> str:
    """Replace the first contract of the corpus by an amended version (an avenant page appended)."""
    import pypdfium2 as pdfium

    first = sorted(corpus.glob("*.pdf"))[0]
    sys.path.insert(0, str(ROOT / "tests"))
    from contract_pdf import write_pdf

    extra = corpus.parent / "avenant.pdf"
    write_pdf(extra, ["Avenant n°1\nLa Caisse d'allocations familiales et France Travail rejoignent le contrat."])
    document = pdfium.PdfDocument(first)
    document.import_pages(pdfium.PdfDocument(extra))
    target = corpus.parent / "new-version.pdf"
    document.save(target)
    document.close()
    os.replace(target, first)
    return first.name


def measure(label: str, action: Callable[[], RunResult]) -> dict[str, Any]:
    """Time and peak memory of one phase."""
    with PeakMemory() as memory:
        started = time.perf_counter()
        result = action()
        seconds = time.perf_counter() - started
    pages = int(result["counts"]["pages"])
    extracted = sum(1 for record in result.contracts if record.cache and record.cache.extraction == "miss")
    figures = {
        "seconds": round(seconds, 2),
        "peak_mb": memory.peak_mb,
        "pages": pages,
        "contracts": result.counts.contracts_ok,
        "extracted": extracted,
        "seconds_per_page": round(seconds / pages, 4) if pages else None,
    }
    print(f"  {label}: {figures}", flush=True)
    return figures


def bench_size(n: int, workdir: Path, seed: int, generator: str, workers: int) -> dict[str, Any]:
    """The three phases on n contracts, plus the scheduled run's "nothing new" check."""
    from pipeline.analyse import stage_versions
    from pipeline.flows import run_corpus
    from pipeline.lexicon import default_lexicon_dir, load_lexicon
    from pipeline.models import default_models_dir
    from pipeline.sources import pending_changes
    from pipeline.types import RunSettings
    from pipeline.workspace import Workspace

    started = time.perf_counter()
    corpus, source = make_corpus(workdir / f"corpus-{n}", n, seed, generator)
    generated = round(time.perf_counter() - started, 1)
    print(f"{n} contrats générés ({source}) en {generated} s", flush=True)
    space = Workspace(workdir / f"ws-{n}")
    out = workdir / f"out-{n}"
    lexicons = default_lexicon_dir()

    settings = RunSettings(corpus, out, space.root, lexicons, default_models_dir(), workers=workers)

    def run() -> RunResult:
        return run_corpus(settings)

    figures: dict[str, Any] = {"n": n, "generator": source, "generation_seconds": generated}
    figures["cold"] = measure("cold", run)
    figures["warm_nothing_new"] = measure("warm_nothing_new", run)
    check_started = time.perf_counter()
    pending = pending_changes(space, corpus, load_lexicon(lexicons).version, stage_versions(settings))
    figures["scheduled_check_nothing_new"] = {
        "seconds": round(time.perf_counter() - check_started, 2),
        "nothing_new": pending.nothing_new,
    }
    figures["new_version_file"] = new_version(corpus)
    figures["warm_one_new_version"] = measure("warm_one_new_version", run)
    cold = figures["cold"]["seconds"]
    figures["warm_nothing_new_over_cold"] = round(figures["warm_nothing_new"]["seconds"] / cold, 3)
    figures["one_new_version_over_cold"] = round(figures["warm_one_new_version"]["seconds"] / cold, 3)
    return figures


def run_sizes(args: argparse.Namespace, workdir: Path, started: float) -> dict[str, Any]:
    """Warm the Prefect API up, then benchmark each size; the report without its last line."""
    from prefect import flow

    @flow(name="cdv-bench-warmup")
    def warmup() -> int:
        return 1

    warmup()
    report: dict[str, Any] = {
        "prefect_startup_seconds": round(time.perf_counter() - started, 1),
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "sizes": {},
    }
    for n in [int(size) for size in args.sizes.split(",") if size.strip()]:
        report["sizes"][str(n)] = bench_size(n, workdir, args.seed, args.generator, args.workers)
    sizes = list(report["sizes"].values())
    if len(sizes) >= 2 and sizes[0]["cold"]["seconds_per_page"]:
        report["cost_per_page_ratio"] = round(
            sizes[-1]["cold"]["seconds_per_page"] / sizes[0]["cold"]["seconds_per_page"], 3
        )
    report["workdir"] = str(workdir)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="40,400")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--generator", choices=["auto", "demo", "simple"], default="auto")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="cdv-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_HOME", str(workdir / ".prefect"))
    from pipeline.workspace import Workspace, configure_prefect

    space = Workspace(workdir / "prefect-ws")
    configure_prefect(space)
    started = time.perf_counter()
    server = None
    if not os.environ.get("PREFECT_API_URL"):
        # a real server, as `cdv serve` uses: the process-pool workers reach it through PREFECT_API_URL
        # instead of each starting an ephemeral server of their own
        from pipeline.cli.serve import start_local_server

        server, os.environ["PREFECT_API_URL"] = start_local_server(space)
    try:
        report = run_sizes(args, workdir, started)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
