"""Independent check that every quote shown beside a figure is on the page it cites.

The page texts come from poppler's `pdftotext` (not from cdv's extraction); quotes and pages come from the
published files: `rapport.html` ("contrat — p. N « … »"), `tables/preuves.csv`, the "Preuves" sheet of
`rapport.xlsx`. Comparison ignores case, accents, spacing, punctuation and line-end hyphens.

Run as a script to measure a run folder: `python tests/evidence_check.py RUN_DIR` prints a JSON line.
"""

from __future__ import annotations

import csv
import html
import json
import re
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

QUOTE_ITEM = re.compile(
    r'<li(?: id="[^"]*")?><a href="#c-[^"]*">(?P<cid>[^<]+)</a> — p\. (?P<pages>[\d, ]+) '
    r'<span class="snippet">« (?P<quote>.*?) »</span>'
)
MIN_CHECKED_CHARS = 12


@dataclass(frozen=True)
class CitedQuote:
    """A quote as published: the contract, the page(s) it cites, the quoted text, and where it was shown."""

    contract_id: str
    pages: tuple[int, ...]
    quote: str
    source: str


def simplify(text: str) -> str:
    """Lower case, accents removed, ligatures expanded."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(char for char in text.lower() if not unicodedata.combining(char))


def normalise(text: str) -> str:
    """Letters and digits only, lower case, no accents: spacing, punctuation and hyphens do not count."""
    return "".join(char for char in simplify(text) if char.isalnum())


def words(text: str) -> list[str]:
    """The words of a text (letters and digits), simplified."""
    return re.findall(r"[^\W_]+", simplify(text))


@dataclass(frozen=True)
class PageText:
    """A page as pdftotext reads it: its normalised text, and its words."""

    text: str
    words: frozenset[str]


def html_quotes(report: Path) -> Iterator[CitedQuote]:
    """Every quote of the HTML report's evidence lists with the page(s) written before it."""
    for match in QUOTE_ITEM.finditer(report.read_text(encoding="utf-8")):
        quote = html.unescape(re.sub(r"</?mark>", "", match.group("quote")))
        pages = tuple(int(p) for p in match.group("pages").replace(" ", "").split(",") if p)
        yield CitedQuote(html.unescape(match.group("cid")), pages, quote, "html")


def csv_quotes(path: Path, source: str) -> Iterator[CitedQuote]:
    """Quotes of a CSV with `contract_id`, `page` and `snippet` columns (rejected rows included)."""
    with path.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            if row.get("snippet") and row.get("page", "").isdigit() and int(row["page"]) > 0:
                yield CitedQuote(row["contract_id"], (int(row["page"]),), row["snippet"], source)


def workbook_quotes(path: Path) -> Iterator[CitedQuote]:
    """Quotes of the workbook's "Preuves" sheet (columns by their French headers)."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    sheet = book["Preuves"]
    rows = sheet.iter_rows(values_only=True)
    header = [str(value) for value in next(rows)]
    contract, page, quote = header.index("Contrat"), header.index("Page"), header.index("Citation")
    for row in rows:
        if row[quote] and row[page]:
            yield CitedQuote(str(row[contract]), (int(str(row[page])),), str(row[quote]), "xlsx")
    book.close()


@lru_cache(maxsize=256)
def pdf_pages(pdf: Path) -> tuple[PageText, ...]:
    """Each page of a PDF as pdftotext reads it."""
    output = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout
    pages = output.decode("utf-8", "replace").split("\f")
    return tuple(PageText(normalise(page), frozenset(words(page))) for page in pages)


def contract_pdfs(run_dir: Path) -> dict[str, Path]:
    """contract id -> PDF file, from the run's `contracts.csv` and corpus folder."""
    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    corpus = Path(run["corpus"])
    with (run_dir / "contracts.csv").open(encoding="utf-8", newline="") as stream:
        return {row["contract_id"]: corpus / row["file"] for row in csv.DictReader(stream) if row["status"] == "ok"}


def is_on_page(quote: CitedQuote, pdf: Path) -> str | None:
    """Where the quote stands against (one of) its cited page(s).

    `contiguous`: the same characters in the same order; `words`: every word but the possibly cut first and last
    one is on the page, if need be inside a word that a line-end hyphen joined (the page's reading order differs,
    e.g. signature grids); `absent`; None when the page has no text layer (a scan).
    """
    pages = pdf_pages(pdf)
    cited = [pages[p - 1] for p in quote.pages if 0 < p <= len(pages)]
    if not cited or not any(len(page.text) > MIN_CHECKED_CHARS for page in cited):
        return None
    wanted = normalise(quote.quote)
    if any(wanted in page.text for page in cited):
        return "contiguous"
    inner = set(words(quote.quote)[1:-1])
    if inner and any(all(word in page.words or word in page.text for word in inner) for page in cited):
        return "words"
    return "absent"


def check_run(run_dir: Path, sources: tuple[str, ...] = ("html", "csv", "xlsx")) -> dict[str, object]:
    """Counts of quotes on their cited page, per source, and the first quotes that are not."""
    run_dir = Path(run_dir)
    pdfs = contract_pdfs(run_dir)
    quotes: list[CitedQuote] = []
    if "html" in sources:
        quotes += html_quotes(run_dir / "rapport.html")
    if "csv" in sources:
        quotes += csv_quotes(run_dir / "tables" / "preuves.csv", "csv")
    if "xlsx" in sources:
        quotes += workbook_quotes(run_dir / "rapport.xlsx")
    counts: dict[str, dict[str, int]] = {}
    misplaced: list[CitedQuote] = []
    for quote in quotes:
        per = counts.setdefault(
            quote.source, {"quotes": 0, "on_page": 0, "contiguous": 0, "unchecked_scans": 0, "single_page": 0}
        )
        per["quotes"] += 1
        per["single_page"] += len(quote.pages) == 1
        verdict = is_on_page(quote, pdfs[quote.contract_id]) if quote.contract_id in pdfs else "absent"
        if verdict is None:
            per["unchecked_scans"] += 1
        elif verdict == "absent":
            misplaced.append(quote)
        else:
            per["on_page"] += 1
            per["contiguous"] += verdict == "contiguous"
    return {"counts": counts, "misplaced": [vars(q) for q in misplaced[:20]], "n_misplaced": len(misplaced)}


if __name__ == "__main__":
    chosen = tuple(sys.argv[2].split(",")) if len(sys.argv) > 2 else ("html", "csv", "xlsx")
    print(json.dumps(check_run(Path(sys.argv[1]), chosen), ensure_ascii=False))
