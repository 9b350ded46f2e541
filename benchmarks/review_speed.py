"""Speed of a review decision: server time through the JSON API, and a keyboard review in Chromium end to end.

Usage: python benchmarks/review_speed.py [--run DIR --workspace DIR --lexicons DIR] [--decisions N]
                                         [--captures DIR]

Without a run, a demo corpus of 6 contracts is generated and run in a temporary folder. The review app is
served by uvicorn on 127.0.0.1 over a copy of the run's decision store (the page cache is shared, read only).

- `server_ms`: the `Server-Timing` of `POST /api/decisions` for N decisions taken from the queue (httpx);
- `reference_form_ms`: the same decision through the contract page's form, as before (POST, redirect and
  the whole page rendered again), wall time, on as many decisions;
- `browser`: Debian's Chromium driven by Playwright on the queue page: `v` pressed, then the next key once
  the server confirmed the previous decision (`sequential_s`, per decision), and `v` pressed N times in a
  row as a reviewer who trusts the queue would (`burst_s`, per decision, until every decision is confirmed);
  the reference is the contract page without JavaScript (a click on « Valider » reloads the page).

Prints progress, then as its LAST line one JSON object with the figures and their ratios to the reference.
Screenshots of the queue, the matrix and the concordance go to `--captures` when given.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import httpx  # noqa: E402
from test_review_support import serve  # noqa: E402

from pipeline.lexicon import default_lexicon_dir  # noqa: E402
from pipeline.review.app import create_app  # noqa: E402
from pipeline.review.session import ReviewSession  # noqa: E402
from pipeline.workspace import Workspace  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
TARGET_SERVER_MS = 50.0
TARGET_BROWSER_S = 0.15


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "n": len(values),
        "mean": round(statistics.fmean(values), 4),
        "median": round(statistics.median(values), 4),
        "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 4),
        "max": round(ordered[-1], 4),
    }


def fresh_session(run_dir: Path, workspace: Path, lexicons: Path, scratch: Path, name: str) -> ReviewSession:
    """A session over the run with an empty decision store (the page cache is shared)."""
    space = scratch / name
    shutil.rmtree(space, ignore_errors=True)
    space.mkdir(parents=True)
    (space / "cache").symlink_to((workspace / "cache").resolve())
    return ReviewSession(run_dir, Workspace(space), lexicon_dir=lexicons)


def client(base: str) -> httpx.Client:
    http = httpx.Client(base_url=base, timeout=60, follow_redirects=True)
    http.post("/nom", data={"nom": "Chronométreur", "suivant": "/"})
    return http


def server_times(base: str, n: int) -> list[float]:
    """Server milliseconds of n API decisions on queue items."""
    http = client(base)
    items = http.get(f"/api/file?limite={n}").json()["items"]
    times = []
    for item in items[:n]:
        response = http.post("/api/decisions", json={"detection_id": item["detection_id"], "action": "valider"})
        assert response.json()["ok"], response.text
        times.append(float(response.headers["server-timing"].split("dur=")[1]))
    return times


def form_times(base: str, session: ReviewSession, n: int) -> list[float]:
    """Wall milliseconds of n decisions through the contract page's form (POST, redirect, page rendered)."""
    http = client(base)
    decided = session.view().decided
    pending = decided[decided["status"] == "auto"].head(n)
    times = []
    for detection_id, contract_id in zip(pending["detection_id"], pending["contract_id"], strict=True):
        started = time.perf_counter()
        response = http.post(
            f"/contrats/{contract_id}/decision", data={"detection_id": detection_id, "action": "valider"}
        )
        times.append(1000 * (time.perf_counter() - started))
        assert response.status_code == 200
    return times


def browser_times(base: str, n: int, captures: Path | None, log: Any) -> dict[str, Any]:
    """Keyboard review of the queue in Chromium; the contract page without JavaScript as the reference."""
    from playwright.sync_api import sync_playwright

    result: dict[str, Any] = {}
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(60000)
        page.goto(base + "/nom?suivant=/file")
        page.fill("#nom", "Chronométreur")
        page.click("text=Commencer la relecture")
        page.wait_for_selector("li.qitem.selected")
        if captures:
            page.wait_for_function("() => document.getElementById('page-image').naturalHeight > 0")
            page.screenshot(path=str(captures / "file.png"))
        confirmed = "() => Number(document.getElementById('session-count').dataset.confirmed)"
        sequential = []
        for _ in range(n):
            done = page.evaluate(confirmed)
            started = time.perf_counter()
            page.keyboard.press("v")
            page.wait_for_function(f"done => ({confirmed})() > done", arg=done, polling="raf")
            sequential.append(time.perf_counter() - started)
        result["sequential_s"] = summary(sequential)
        print(f"  Chromium, une décision après l'autre : {statistics.fmean(sequential):.3f} s", file=log)
        page.reload()
        page.wait_for_selector("li.qitem.selected")
        started = time.perf_counter()
        for _ in range(n):
            page.keyboard.press("v")
        page.wait_for_function(f"n => ({confirmed})() >= n", arg=n, polling="raf")
        result["burst_s"] = round((time.perf_counter() - started) / n, 4)
        print(f"  Chromium, touches enchaînées : {result['burst_s']:.3f} s par décision", file=log)
        contract = page.evaluate("() => document.querySelector('li.qitem').dataset.contract")
        if captures:
            page.goto(base + "/matrice")
            page.screenshot(path=str(captures / "matrice.png"))
            first = page.get_attribute("#matrice thead th.col a", "href")
            page.goto(base + (first or "/matrice"))
            page.screenshot(path=str(captures / "concordance.png"))
            page.goto(base + "/")
            page.screenshot(path=str(captures / "accueil.png"), full_page=True)
        plain = browser.new_context(java_script_enabled=False, viewport={"width": 1400, "height": 900})
        old = plain.new_page()
        old.set_default_timeout(60000)
        old.goto(base + "/nom")
        old.fill("#nom", "Chronométreur")
        old.click("text=Commencer la relecture")
        old.goto(base + f"/contrats/{contract}")
        reference = []
        for _ in range(min(n, 30)):
            started = time.perf_counter()
            with old.expect_navigation():
                old.click("#act-valider button")
            reference.append(time.perf_counter() - started)
        result["reference_reload_s"] = summary(reference)
        print(f"  Chromium, page rechargée (référence) : {statistics.fmean(reference):.3f} s", file=log)
        browser.close()
    return result


def demo_run(scratch: Path, log: Any) -> tuple[Path, Path, Path]:
    """A 6-contract demo corpus run with the project's lexicons and models."""
    from pipeline.demo import ensure_demo_corpus

    corpus = ensure_demo_corpus(scratch / "corpus", n=6, seed=2024)
    run_dir, workspace = scratch / "run", scratch / "espace"
    command = [
        sys.executable, "-c", "from pipeline.cli import main; main()", "run", "--corpus", str(corpus),
        "--out", str(run_dir), "--workspace", str(workspace), "--sans-ner",
    ]  # fmt: skip
    subprocess.run(command, check=True, cwd=ROOT, stdout=log)
    return run_dir, workspace, default_lexicon_dir()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", help="dossier d'un run (défaut : corpus de démonstration de 6 contrats)")
    parser.add_argument("--workspace", help="espace de travail du run (cache de pages)")
    parser.add_argument("--lexicons", help="lexiques du run")
    parser.add_argument("--decisions", type=int, default=100)
    parser.add_argument("--captures", help="dossier où écrire les captures d'écran")
    args = parser.parse_args()
    log = sys.stderr
    scratch = Path(tempfile.mkdtemp(prefix="cdv-vitesse-"))
    try:
        if args.run:
            run_dir, workspace = Path(args.run), Path(args.workspace)
            lexicons = Path(args.lexicons) if args.lexicons else default_lexicon_dir()
        else:
            run_dir, workspace, lexicons = demo_run(scratch, log)
        captures = Path(args.captures) if args.captures else None
        if captures:
            captures.mkdir(parents=True, exist_ok=True)
        n = args.decisions
        session = fresh_session(run_dir, workspace, lexicons, scratch, "api")
        with serve(create_app(session, publish_pause=0)) as base:
            client(base).get("/file")  # warm the caches (queue, tables, page texts)
            server = server_times(base, n)
            print(f"  serveur, API : médiane {statistics.median(server):.1f} ms", file=log)
            forms = form_times(base, session, min(n, 30))
            print(f"  formulaire et page rechargée (référence) : {statistics.median(forms):.0f} ms", file=log)
        session = fresh_session(run_dir, workspace, lexicons, scratch, "navigateur")
        with serve(create_app(session, publish_pause=0)) as base:
            client(base).get("/file")
            browser = browser_times(base, n, captures, log)
        result = {
            "benchmark": "review_speed",
            "run": str(run_dir),
            "detections": len(session.detections),
            "server_ms": summary(server),
            "reference_form_ms": summary(forms),
            "ratio_server": round(statistics.fmean(forms) / statistics.fmean(server), 1),
            "browser": browser,
            "ratio_browser": round(browser["reference_reload_s"]["mean"] / browser["sequential_s"]["mean"], 1),
            "targets": {
                "server_mean_le_50ms": statistics.fmean(server) <= TARGET_SERVER_MS,
                "browser_sequential_mean_le_0_15s": browser["sequential_s"]["mean"] <= TARGET_BROWSER_S,
            },
        }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
