"""Scale benchmark of what a user runs: the `cdv run` command as a whole process, against the cost of merely
reading the same PDFs, measured in the same run.

Usage: .venv/bin/python benchmarks/scale.py [--sizes 40,400] [--workdir DIR] [--seed 2024] [--workers 2]
       [--cases cold_first_use,cold,noop,one_new_version,lexicon_edit]   (default: all five)

For each size, a demo corpus is generated, then:
- reference: `pdftotext` on every file, one after the other, plus, on the pages without a text layer (pdftotext
  finds fewer than 20 characters), PDFium rendering at the OCR resolution piped to `tesseract - - -l fra`, one
  page after the other, one OpenMP thread (as cdv runs it: 2.4 times faster per page on a loaded 2-core
  machine): the cost of reading the corpus with the same tools, without analysis;
- `cdv run` as a subprocess in these cases: `cold_first_use` (new workspace, no Prefect server nor resident
  analyser: what a new user waits), `cold` (empty caches, the workspace's Prefect server and resident analyser
  already up), `noop` (nothing changed),
  `one_new_version` (one contract replaced by an amended version), `lexicon_edit` (one alias added);
wall time and peak RSS of the process tree (the command, its workers, the workspace's Prefect server and resident
analyser with its children), and its
peak PSS (shared pages counted once: the figure that matters when workers are forked from a loaded process).
Ratios are to the reference (and to `cold` for the warm cases). The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
CDV = Path(sys.executable).parent / "cdv"
SCANNED_CHARS = 20


class TreePeak:
    """Sample the summed RSS of a process, its descendants and extra processes (by pid) in a thread, and their
    summed PSS (each page shared by n of them counted 1/n: the memory they really take together, where the RSS
    sum counts the pages forked workers share with their forkserver once per process)."""

    def __init__(self, root: psutil.Process, extra_pids: list[int], interval: float = 0.1) -> None:
        self.root = root
        self.extra = extra_pids
        self.interval = interval
        self.peak = 0
        self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> tuple[int, int]:
        processes: dict[int, psutil.Process] = {}
        with contextlib.suppress(psutil.Error):
            for process in [self.root, *self.root.children(recursive=True)]:
                processes[process.pid] = process
        for pid in self.extra + server_pids():
            with contextlib.suppress(psutil.Error):
                resident = psutil.Process(pid)
                for process in [resident, *resident.children(recursive=True)]:
                    processes.setdefault(process.pid, process)
        total = proportional = 0
        for process in processes.values():
            with contextlib.suppress(psutil.Error):
                memory = process.memory_full_info()
                total += memory.rss
                proportional += getattr(memory, "pss", memory.rss)
        return total, proportional

    def _run(self) -> None:
        while not self._stop.is_set():
            rss, pss = self.sample()
            self.peak, self.peak_pss = max(self.peak, rss), max(self.peak_pss, pss)
            self._stop.wait(self.interval)

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


SERVER_STATES: list[Path] = []


def server_pids() -> list[int]:
    """The pids of the Prefect servers and resident analysers of the benchmark's workspaces (detached from the
    command, counted with it, their children too)."""
    pids = []
    for state in SERVER_STATES:
        with contextlib.suppress(OSError, ValueError, KeyError):
            pids.append(int(json.loads(state.read_text(encoding="utf-8"))["pid"]))
    return pids


def cdv_run(corpus: Path, out: Path, workspace: Path, lexicons: Path, workers: int) -> dict[str, Any]:
    """One `cdv run` as users type it; wall seconds, peak RSS of its process tree, its last lines."""
    environment = {**os.environ, "PREFECT_HOME": str(workspace / ".prefect")}
    environment.pop("PREFECT_API_URL", None)
    SERVER_STATES.extend([workspace / ".prefect" / "serveur-local.json", workspace / ".prefect" / "analyseur.json"])
    command = [str(CDV), "run", "--corpus", str(corpus), "--out", str(out), "--workspace", str(workspace)]
    command += ["--lexicons", str(lexicons), "--workers", str(workers)]
    started = time.perf_counter()
    process = psutil.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    with TreePeak(process, []) as peak:
        output, _ = process.communicate()
    seconds = time.perf_counter() - started
    text = output.decode("utf-8", "replace")
    with (out.parent / "sorties.log").open("a", encoding="utf-8") as log:
        log.write(f"$ {' '.join(command)}\n{text}\n")
    if process.returncode != 0:
        raise RuntimeError(f"cdv run a échoué ({process.returncode}) :\n{text[-3000:]}")
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    stage = run.get("stage_seconds", {})
    library = sum(stage.get(name, 0) for name in ("corpus", "ressources", "extraction", "analyse", "publication"))
    return {
        "seconds": round(seconds, 2),
        "peak_mb": round(peak.peak / 2**20, 1),
        "peak_pss_mb": round(peak.peak_pss / 2**20, 1),
        "noop": text.startswith("Rien de nouveau"),
        "analysed": sum(1 for entry in run.get("cache", {}).values() if entry.get("analyse") == "miss"),
        "library_seconds": round(library, 2),
        "last_line": text.strip().splitlines()[-1][:160] if text.strip() else "",
    }


def scanned_pages(pdf: Path) -> tuple[int, list[int]]:
    """Number of pages and the pages without a text layer, as pdftotext sees them."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout
    pages = text.decode("utf-8", "replace").split("\f")[:-1] or [""]
    return len(pages), [i + 1 for i, page in enumerate(pages) if len(page.strip()) < SCANNED_CHARS]


def reference(corpus: Path, dpi: int) -> dict[str, Any]:
    """Read every file with pdftotext, and OCR its pages without text (PDFium image to tesseract), serially."""
    import pypdfium2 as pdfium

    pdfs = sorted(corpus.rglob("*.pdf"))
    started = time.perf_counter()
    pages, scanned = 0, []
    for pdf in pdfs:
        subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True)
    text_seconds = time.perf_counter() - started
    for pdf in pdfs:
        count, empty = scanned_pages(pdf)
        pages += count
        scanned += [(pdf, number) for number in empty]
    one_thread = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # as cdv runs it: OpenMP's threads stall on a busy machine
    ocr_started = time.perf_counter()
    for pdf, number in scanned:
        document = pdfium.PdfDocument(pdf)
        image = document[number - 1].render(scale=dpi / 72).to_pil()
        document.close()
        with tempfile.SpooledTemporaryFile() as buffer:
            image.save(buffer, format="PNG")
            buffer.seek(0)
            subprocess.run(
                ["tesseract", "-", "-", "-l", "fra"], stdin=buffer, capture_output=True, check=True, env=one_thread
            )
    ocr_seconds = time.perf_counter() - ocr_started
    return {
        "files": len(pdfs),
        "pages": pages,
        "scanned_pages": len(scanned),
        "seconds_pdftotext": round(text_seconds, 2),
        "seconds_ocr": round(ocr_seconds, 2),
        "seconds": round(text_seconds + ocr_seconds, 2),
    }


def new_version(corpus: Path) -> str:
    """Replace the first contract of the corpus by an amended version (an avenant page appended)."""
    import pypdfium2 as pdfium

    sys.path.insert(0, str(ROOT / "tests"))
    from contract_pdf import write_pdf

    first = sorted(corpus.glob("*.pdf"))[0]
    extra = corpus.parent / "avenant.pdf"
    write_pdf(extra, ["Avenant n°1\nLa Caisse d'allocations familiales et France Travail rejoignent le contrat."])
    document = pdfium.PdfDocument(first)
    document.import_pages(pdfium.PdfDocument(extra))
    target = corpus.parent / "new-version.pdf"
    document.save(target)
    document.close()
    os.replace(target, first)
    return first.name


def add_alias(lexicons: Path) -> None:
    """One alias added to one partner, as an analyst would."""
    path = lexicons / "partners.csv"
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
        fields = list(rows[0].keys())
    row = next(r for r in rows if r["id"] == "mission_locale")
    row["aliases"] = "|".join(filter(None, [row["aliases"], "Mission locale des jeunes"]))
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


CASES = ("cold_first_use", "cold", "noop", "one_new_version", "lexicon_edit")


def bench_size(n: int, workdir: Path, seed: int, workers: int, cases: tuple[str, ...] = CASES) -> dict[str, Any]:
    """Reference and the cases asked for (all five by default) on n demo contracts."""
    from pipeline.demo import generate_demo_corpus
    from pipeline.extract import ExtractSettings
    from pipeline.lexicon import default_lexicon_dir

    started = time.perf_counter()
    corpus = generate_demo_corpus(workdir / f"corpus-{n}", n, seed)
    print(f"{n} contrats générés en {time.perf_counter() - started:.0f} s", flush=True)
    lexicons = workdir / f"lexicons-{n}"
    shutil.copytree(default_lexicon_dir(), lexicons, dirs_exist_ok=True)
    figures: dict[str, Any] = {"n": n, "reference": reference(corpus, ExtractSettings().ocr_dpi)}
    print(f"  référence : {figures['reference']}", flush=True)
    first_use = workdir / f"ws-{n}-premier"
    if "cold_first_use" in cases:
        figures["cold_first_use"] = cdv_run(corpus, workdir / f"out-{n}-premier", first_use, lexicons, workers)
        print(f"  cold_first_use : {figures['cold_first_use']}", flush=True)
    workspace, out = workdir / f"ws-{n}", workdir / f"out-{n}"
    workspace.mkdir(parents=True, exist_ok=True)
    if (first_use / ".prefect").is_dir():
        shutil.copytree(first_use / ".prefect", workspace / ".prefect")  # the server already up, caches empty
    steps = [("cold", None), ("noop", None), ("one_new_version", new_version), ("lexicon_edit", add_alias)]
    for label, change in [(label, change) for label, change in steps if label in cases]:
        if change is new_version:
            change(corpus)
        elif change is add_alias:
            change(lexicons)
        figures[label] = cdv_run(corpus, out, workspace, lexicons, workers)
        print(f"  {label} : {figures[label]}", flush=True)
    figures.update(size_ratios(figures))
    return figures


def size_ratios(figures: dict[str, Any]) -> dict[str, Any]:
    """Each case's ratio to the reference (cold ones) or to cold (warm ones), for the cases measured."""
    base = figures["reference"]["seconds"]
    cold = figures.get("cold", figures.get("cold_first_use", {})).get("seconds")
    ratios = {f"{label}_over_reference": round(figures[label]["seconds"] / base, 3)
              for label in ("cold", "cold_first_use") if label in figures}  # fmt: skip
    if "cold" in figures:
        ratios.update({f"{label}_over_cold": round(figures[label]["seconds"] / figures["cold"]["seconds"], 3)
                       for label in ("lexicon_edit", "one_new_version", "noop") if label in figures})  # fmt: skip
    extra: dict[str, Any] = {"ratios": ratios}
    if "one_new_version" in figures:
        one = figures["one_new_version"]  # one contract analysed: no parallelism, library time adds up
        extra["orchestration_overhead_seconds"] = round(one["seconds"] - one["library_seconds"], 2)
    if cold is not None:
        extra["cold_seconds_per_page"] = round(cold / max(figures["reference"]["pages"], 1), 4)
    return extra


def stop_servers() -> None:
    for pid in server_pids():
        with contextlib.suppress(psutil.Error):
            psutil.Process(pid).terminate()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="40,400")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cases", default=",".join(CASES), help="cases to run, among " + ", ".join(CASES))
    args = parser.parse_args()
    cases = tuple(case.strip() for case in args.cases.split(",") if case.strip())
    if unknown := set(cases) - set(CASES):
        parser.error(f"cas inconnus : {', '.join(sorted(unknown))}")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="cdv-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"workers": args.workers, "cpus": os.cpu_count(), "sizes": {}, "workdir": str(workdir)}
    try:
        for n in [int(size) for size in args.sizes.split(",") if size.strip()]:
            report["sizes"][str(n)] = bench_size(n, workdir, args.seed, args.workers, cases)
    finally:
        stop_servers()
    sizes = list(report["sizes"].values())
    if len(sizes) >= 2 and all("cold_seconds_per_page" in size for size in sizes):
        report["cost_per_page_ratio"] = round(sizes[-1]["cold_seconds_per_page"] / sizes[0]["cold_seconds_per_page"], 3)
    measured = [sizes[-1][label] for label in CASES if sizes and label in sizes[-1]]
    if measured:
        report["peak_mb_largest"] = max(case["peak_mb"] for case in measured)
        report["peak_pss_mb_largest"] = max(case["peak_pss_mb"] for case in measured)
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
