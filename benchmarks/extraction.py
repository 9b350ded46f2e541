"""Benchmark of the text stage against poppler's `pdftotext`, on the same files in the same run.

Usage: python benchmarks/extraction.py [CORPUS] [--workers N] [--documents N --pages N]

Without CORPUS, a corpus of French contract-like PDFs (two-column pages, running headers and
footers, a table page and one scanned page per document) is generated with reportlab in a
temporary folder. Prints progress, then as its LAST line one JSON object:
pages, seconds_cdv, seconds_pdftotext, ratio, peak_rss_mb, ocr_pages, seconds_ocr (+ details).

`seconds_cdv` is the wall time of `extract_corpus` with OCR switched off (the work pdftotext also
does); OCR is then run on the pages that need it and reported apart (`seconds_ocr`, summed over
pages). `seconds_pdftotext` runs one `pdftotext` process per file, one file after the other (how
the tool is used); `seconds_pdftotext_parallel` runs them `workers` at a time, for the record.
Both tools are timed in interleaved rounds (best of `--repeat`), and their CPU seconds are given
too (`cpu_seconds_*`), which a busy machine disturbs less than wall time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from pipeline.extract import ExtractSettings, extract_corpus  # noqa: E402
from pipeline.types import ContractFile  # noqa: E402


def generate_corpus(folder: Path, documents: int, pages: int) -> None:
    """French contract-like PDFs: prose in one or two columns, header/footer, a table, a scan."""
    import pypdfium2 as pdfium
    from pdfs import french_text, make_pdf, make_scanned_pdf, make_table_pdf

    folder.mkdir(parents=True, exist_ok=True)
    parts = folder / "_parts"
    parts.mkdir(exist_ok=True)
    table = make_table_pdf(
        parts / "table.pdf",
        [["Partenaire", "Engagement", "Thème"]]
        + [[f"Partenaire {i}", "Cofinancement des actions", "Emploi"] for i in range(12)],
        intro="Tableau des engagements des signataires du contrat de ville.",
    )
    scan = make_scanned_pdf(
        parts / "scan.pdf",
        ["Pour l'État, le préfet de département. Pour la commune, le maire. "
         "Pour la caisse d'allocations familiales, la directrice. Fait à Toulouse, le 2 avril 2024."],
    )  # fmt: skip
    for index in range(documents):
        body = make_pdf(
            parts / f"body{index}.pdf",
            [french_text(420, seed=index * 1000 + p) for p in range(pages - 2)],
            header=f"Contrat de ville Engagements Quartiers 2030 - Territoire {index}",
            footer="Page {page} / {pages}",
            columns=2 if index % 3 == 0 else 1,
        )
        merged = pdfium.PdfDocument.new()
        for source in (body, table, scan):
            src = pdfium.PdfDocument(str(source))
            merged.import_pages(src)
            src.close()
        merged.save(str(folder / f"contrat-{index:02d}.pdf"))
        merged.close()
    shutil.rmtree(parts)


def children_cpu() -> float:
    """CPU seconds (user + system) used so far by finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def contracts_of(folder: Path) -> list[ContractFile]:
    """Every PDF of the folder as a ContractFile with its hash."""
    found = []
    for path in sorted(folder.glob("*.pdf")):
        data = path.read_bytes()
        found.append(ContractFile(path.stem, path, hashlib.sha256(data).hexdigest(), len(data)))
    return found


def run_pdftotext(paths: list[Path], workers: int) -> float:
    """Wall time of pdftotext over all files, `workers` processes at a time."""

    def one(path: Path) -> None:
        subprocess.run(["pdftotext", str(path), "-"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)

    started = time.perf_counter()
    if workers <= 1:
        for path in paths:
            one(path)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(one, paths))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--documents", type=int, default=20)
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3, help="best of N timings for both tools")
    args = parser.parse_args()
    if shutil.which("pdftotext") is None:
        sys.exit("pdftotext introuvable : installez le paquet Debian poppler-utils.")
    with tempfile.TemporaryDirectory(prefix="cdv-bench-") as tmp:
        corpus = args.corpus
        if corpus is None:
            corpus = Path(tmp) / "corpus"
            print(f"Génération d'un corpus de {args.documents} documents × {args.pages} pages…", flush=True)
            generate_corpus(corpus, args.documents, args.pages)
        contracts = contracts_of(corpus)
        paths = [contract.path for contract in contracts]
        print(f"Corpus : {corpus} ({len(contracts)} fichiers)", flush=True)

        run_pdftotext(paths[:2], 1)  # warm the page cache for both tools
        no_ocr = ExtractSettings(ocr=False)
        cdv_times, serial_times, parallel_times, documents = [], [], [], []
        cpu_cdv, cpu_pdftotext = [], []
        for round_number in range(args.repeat):  # interleaved, so that a busy machine hurts both alike
            cpu = children_cpu()
            started = time.perf_counter()
            documents = list(extract_corpus(contracts, workers=args.workers, settings=no_ocr))
            cdv_times.append(time.perf_counter() - started)
            cpu_cdv.append(children_cpu() - cpu)
            cpu = children_cpu()
            serial_times.append(run_pdftotext(paths, 1))
            cpu_pdftotext.append(children_cpu() - cpu)
            parallel_times.append(run_pdftotext(paths, args.workers))
            print(
                f"  tour {round_number + 1} : cdv {cdv_times[-1]:.2f} s, pdftotext {serial_times[-1]:.2f} s "
                f"(par {args.workers} : {parallel_times[-1]:.2f} s)",
                flush=True,
            )
        serial, parallel = min(serial_times), min(parallel_times)
        seconds_cdv = min(cdv_times)

        errors = [document.error for document in documents if document.error]
        pages = sum(len(document.pages) for document in documents)
        needing_ocr = [c for c, d in zip(contracts, documents, strict=True) if d.pages_unread]
        text_pages = sum(document.pages_text for document in documents)
        for message in errors:
            print(f"  erreur : {message}", flush=True)
        print(f"cdv : {pages} pages en {seconds_cdv:.2f} s ({text_pages / seconds_cdv:.0f} pages texte/s)", flush=True)
        print(f"pdftotext : {serial:.2f} s à la suite, {parallel:.2f} s par {args.workers}", flush=True)

        ocr_pages, ocr_seconds, ocr_wall = 0, 0.0, 0.0
        if needing_ocr:
            started = time.perf_counter()
            with_ocr = list(extract_corpus(needing_ocr, workers=args.workers))
            ocr_wall = time.perf_counter() - started
            ocr_pages = sum(document.pages_ocr for document in with_ocr)
            ocr_seconds = sum(document.ocr_seconds for document in with_ocr)
            confidences = [d.mean_ocr_confidence for d in with_ocr if d.mean_ocr_confidence is not None]
            print(
                f"OCR : {ocr_pages} pages, {ocr_seconds:.1f} s cumulées "
                f"({ocr_seconds / max(ocr_pages, 1):.2f} s/page), "
                f"confiance moyenne {sum(confidences) / max(len(confidences), 1):.0f}",
                flush=True,
            )
        peak = max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        )
        result = {
            "pages": pages,
            "text_pages": text_pages,
            "documents": len(contracts),
            "errors": len(errors),
            "seconds_cdv": round(seconds_cdv, 3),
            "seconds_pdftotext": round(serial, 3),
            "ratio": round(seconds_cdv / serial, 3),
            "seconds_pdftotext_parallel": round(parallel, 3),
            "ratio_parallel": round(seconds_cdv / parallel, 3),
            "pages_per_second": round(text_pages / seconds_cdv, 1),
            "peak_rss_mb": round(peak / 1024, 1),
            "ocr_pages": ocr_pages,
            "seconds_ocr": round(ocr_seconds, 2),
            "seconds_ocr_wall": round(ocr_wall, 2),
            "cpu_seconds_cdv": round(min(cpu_cdv), 3),
            "cpu_seconds_pdftotext": round(min(cpu_pdftotext), 3),
            "load_average": round(os.getloadavg()[0], 2),
            "workers": args.workers,
        }
        print(json.dumps(result))


if __name__ == "__main__":
    main()
