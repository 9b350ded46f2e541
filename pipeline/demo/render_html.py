"""Render a demo contract as paginated HTML printed to PDF by headless Chromium (a second PDF producer).

Pagination is decided here, from font metrics, so the page of every block is known; the printed PDF is
then verified (page count, mentions on their pages) and the caller falls back to reportlab if it differs.
"""

from __future__ import annotations

import base64
import html
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.demo import model as M
from pipeline.demo.scan import scan_image
from pipeline.demo.typography import break_lines, css_family, register_font

CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"]
MM = 72 / 25.4
SIZES_MM = {"A4": (210.0, 297.0), "Letter": (215.9, 279.4)}
TOP, BOTTOM, SIDE = 24.0, 22.0, 20.0
FONT_PT = 9.5
LEADING = 1.3


def chromium_path() -> str | None:
    """The headless Chromium executable, or None when it is not installed."""
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


@dataclass
class HtmlPage:
    kind: str = "normal"  # cover, normal, twocol, scan
    parts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    blocks: list[M.Block] = field(default_factory=list)
    used: float = 0.0
    column: int = 0


def _esc(segments: list[M.Segment]) -> str:
    return html.escape(M.seg_text(segments))


class Paginator:
    """Greedy page filling with estimated heights (points); blocks never split."""

    def __init__(self, doc: M.Document, seed: int):
        self.doc, self.seed = doc, seed
        self.font, self.bold = register_font(doc.font)
        w_mm, h_mm = SIZES_MM.get(doc.page_size, SIZES_MM["A4"])
        self.width = (w_mm - 2 * SIDE) * MM
        self.height = (h_mm - TOP - BOTTOM) * MM * 0.86
        self.pages: list[HtmlPage] = []
        self.two_col = False
        self.new_page()

    @property
    def col_width(self) -> float:
        return (self.width - 8 * MM) / 2 if self.page.kind == "twocol" else self.width

    @property
    def page(self) -> HtmlPage:
        return self.pages[-1]

    def new_page(self, kind: str | None = None) -> None:
        self.pages.append(HtmlPage(kind=kind or ("twocol" if self.two_col else "normal")))

    def lines(self, segments: list[M.Segment], size: float, width: float, manual: bool) -> list[str]:
        return break_lines(segments, self.font, size, width * (0.97 if manual else 0.93), hyphenate=manual)

    def place(self, html_text: str, height: float, block: M.Block | None, keep: float = 0.0) -> None:
        if self.page.used + height + keep > self.height and self.page.used > 0:
            if self.page.kind == "twocol" and self.page.column == 0:
                self.page.column, self.page.used = 1, 0.0
            else:
                self.new_page()
        self.page.parts.append(html_text)
        self.page.used += height
        if block is not None:
            self.page.blocks.append(block)
            block.pages.append(len(self.pages))

    def break_page(self) -> None:
        if self.page.parts or self.page.notes:
            self.new_page()
        elif self.page.kind != ("twocol" if self.two_col else "normal") and self.page.kind != "cover":
            self.page.kind = "twocol" if self.two_col else "normal"

    def add(self, block: M.Block, previous: M.Block | None) -> None:
        leading = FONT_PT * LEADING
        if isinstance(block, M.Cover):
            self.page.kind = "cover"
            self.page.parts.append(
                f'<div class="cover"><h1>{html.escape(block.title)}</h1><h2>{html.escape(block.subtitle)}</h2>'
                f"<h2>{html.escape(block.territory)}</h2><p>{html.escape(block.date)}</p></div>"
            )
            self.new_page()
        elif isinstance(block, M.Toc):
            items = "".join(f"<p>{html.escape(e)}</p>" for e in block.entries)
            self.place(f"<h1>Sommaire</h1>{items}", 40 + len(block.entries) * leading * 1.4, None)
        elif isinstance(block, M.Heading):
            size = {1: FONT_PT + 7, 2: FONT_PT + 3}.get(block.level, FONT_PT + 1)
            n = len(self.lines([block.text], size, self.col_width, False))
            tag = f"h{min(block.level, 3)}"
            self.place(f"<{tag}>{html.escape(block.text)}</{tag}>", n * size * 1.3 + 18, block, keep=4 * leading)
        elif isinstance(block, M.Para):
            self._para(block, leading)
        elif isinstance(block, M.Table):
            self._table(block)
        elif isinstance(block, M.Figure):
            self.place(self._svg(block), 185, block)
        elif isinstance(block, M.Footnote):
            self.page.notes.append(_esc(block.segments))
            self.page.blocks.append(block)
            block.pages.append(len(self.pages))
            self.new_page()
        elif isinstance(block, M.PageBreak):
            self.break_page()
        elif isinstance(block, M.Columns):
            self.two_col = block.on
        elif isinstance(block, M.Signatures):
            self._signatures(block)

    def _para(self, block: M.Para, leading: float) -> None:
        size = FONT_PT - 2 if block.style == "small" else FONT_PT + 3 if block.style == "h2" else FONT_PT
        indent = 12 if block.style == "bullet" else 0
        lines = self.lines(block.segments, size, self.col_width - indent, block.manual_breaks)
        body = "<br>".join(html.escape(line) for line in lines) if block.manual_breaks else _esc(block.segments)
        cls = {"h2": "h2p", "bullet": "bullet", "small": "small"}.get(block.style, "")
        self.place(f'<p class="{cls}">{body}</p>', len(lines) * size * LEADING + 6, block)

    def _table(self, block: M.Table) -> None:
        ncols = max(1, len(block.header))
        width = self.col_width / ncols - 8
        height = 12.0
        header: list[list[M.Segment]] = [[h] for h in block.header]
        for row in [header, *block.rows]:
            n = max(len(self.lines(list(cell), FONT_PT - 1.5, width, False)) for cell in row)
            height += n * (FONT_PT - 1.5) * 1.25 + 7
        head = "".join(f"<th>{html.escape(h)}</th>" for h in block.header)
        body = "".join("<tr>" + "".join(f"<td>{_esc(list(c))}</td>" for c in row) + "</tr>" for row in block.rows)
        caption = f'<p class="small">{html.escape(block.caption)}</p>' if block.caption else ""
        cls = "ruled" if block.ruled else "plain"
        self.place(f'<table class="{cls}"><tr>{head}</tr>{body}</table>{caption}', height + 20, block)

    def _svg(self, block: M.Figure) -> str:
        width, top = 420, max((v for _, v in block.bars), default=1)
        step = width / max(1, len(block.bars))
        bars = []
        for k, (label, value) in enumerate(block.bars):
            h = 110 * value / top
            x = 30 + k * step
            bars.append(
                f'<rect x="{x:.0f}" y="{130 - h:.0f}" width="{step * 0.6:.0f}" height="{h:.0f}" '
                f'fill="#2f5597"/><text x="{x:.0f}" y="145" font-size="7">{html.escape(label)}</text>'
                f'<text x="{x:.0f}" y="{126 - h:.0f}" font-size="7">{value:.0f}</text>'
            )
        return f'<h3>{html.escape(block.title)}</h3><svg width="{width + 40}" height="150">' + "".join(bars) + "</svg>"

    def _signatures(self, block: M.Signatures) -> None:
        if block.style == "scan":
            data = base64.b64encode(scan_image(block, self.seed, self.doc.page_size, self.doc.contract_id))
            self.break_page()
            self.page.kind = "scan"
            self.page.parts.append(f'<img class="scan" src="data:image/jpeg;base64,{data.decode()}">')
            self.page.blocks.append(block)
            block.pages.append(len(self.pages))
            self.new_page()
            return
        if any(isinstance(b, M.Signatures) for b in self.page.blocks):
            self.new_page()
        items = []
        for sig in block.blocks:
            label = f"<b>{_esc(sig.segments)}</b><br>{html.escape(sig.person)}, {html.escape(sig.title)}"
            items.append(
                f'<div class="sig">{label}</div>' if block.style == "grid" else f"<p>{label}<br>Signature :</p>"
            )
        inner = f'<div class="siggrid">{"".join(items)}</div>' if block.style == "grid" else "".join(items)
        self.place(f"<h2>{html.escape(block.title)}</h2><p>{html.escape(block.intro)}</p>{inner}", 0, block)


CSS = """
@page {{ size: {w}mm {h}mm; margin: 0 }}
body {{ margin: 0; font-family: '{family}'; font-size: {size}pt; line-height: {lh}; }}
.page {{ width: {w}mm; height: {h}mm; position: relative; overflow: hidden; box-sizing: border-box;
  padding: {top}mm {side}mm {bottom}mm {side}mm; break-after: page; }}
.twocol .body {{ column-count: 2; column-gap: 8mm; column-fill: auto; height: 100%; }}
.body > * {{ break-inside: avoid; }}
.hdr {{ position: absolute; top: 10mm; left: {side}mm; right: {side}mm; font-size: 7.5pt; color: #777;
  border-bottom: 0.5pt solid #777; }}
.ftr {{ position: absolute; bottom: 9mm; right: {side}mm; font-size: 7.5pt; color: #777; }}
.notes {{ position: absolute; bottom: 16mm; left: {side}mm; right: {side}mm; font-size: 7pt;
  border-top: 0.5pt solid #000; width: 60mm; white-space: nowrap; }}
h1 {{ font-size: {h1}pt; color: #1f3d7a; margin: 4pt 0 8pt; }} h2, .h2p {{ font-size: {h2}pt; color: #2f5597;
  font-weight: bold; margin: 6pt 0 4pt; }} h3 {{ font-size: {h3}pt; margin: 4pt 0 3pt; }}
p {{ margin: 0 0 4pt; }} .bullet {{ margin-left: 12pt; }} .small {{ font-size: {small}pt; }}
table {{ border-collapse: collapse; width: 100%; font-size: {cell}pt; margin-bottom: 4pt; }}
td, th {{ padding: 2pt 3pt; vertical-align: top; text-align: left; }}
table.ruled td, table.ruled th {{ border: 0.5pt solid #000; }} table.ruled th {{ background: #dde6f3; }}
.siggrid {{ display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; }}
.sig {{ border: 0.5pt solid #888; padding: 3mm; height: 28mm; }}
.scanpage {{ padding: 0; }} img.scan {{ width: 100%; height: 100%; display: block; }}
.cover {{ text-align: center; padding-top: 60mm; }} .cover h1 {{ font-size: 30pt; }}
"""


def to_html(doc: M.Document, pages: list[HtmlPage]) -> str:
    w, h = SIZES_MM.get(doc.page_size, SIZES_MM["A4"])
    css = CSS.format(
        w=w,
        h=h,
        family=css_family(doc.font),
        size=FONT_PT,
        lh=LEADING,
        top=TOP,
        side=SIDE,
        bottom=BOTTOM,
        h1=FONT_PT + 7,
        h2=FONT_PT + 3,
        h3=FONT_PT + 1,
        small=FONT_PT - 2,
        cell=FONT_PT - 1.5,
    )
    out = [
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{html.escape(doc.title)}</title>'
        f"<style>{css}</style></head><body>"
    ]
    for number, page in enumerate(pages, start=1):
        if page.kind == "scan":
            out.append(f'<div class="page scanpage">{"".join(page.parts)}</div>')
            continue
        deco = ""
        if page.kind != "cover":
            deco = (
                f'<div class="hdr">{html.escape(doc.header)}</div>'
                f'<div class="ftr">{html.escape(doc.footer.format(n=number))}</div>'
            )
        notes = f'<div class="notes">{"<br>".join(page.notes)}</div>' if page.notes else ""
        out.append(f'<div class="page {page.kind}">{deco}<div class="body">{"".join(page.parts)}</div>{notes}</div>')
    out.append("</body></html>")
    return "".join(out)


def render_html(doc: M.Document, out: Path, seed: int, chromium: str) -> int:
    """Paginate, write HTML, print it with Chromium; return the expected page count (0 on failure)."""
    paginator = Paginator(doc, seed)
    previous: M.Block | None = None
    for block in doc.blocks:
        paginator.add(block, previous)
        previous = block
    pages = [p for p in paginator.pages if p.parts or p.notes]
    if len(pages) != len(paginator.pages):  # renumber blocks if empty trailing pages were dropped
        for block in doc.blocks:
            block.pages.clear()
        for number, page in enumerate(pages, start=1):
            for block in page.blocks:
                block.pages.append(number)
    with tempfile.TemporaryDirectory(prefix="cdv-chromium-") as tmp:
        source = Path(tmp) / "contrat.html"
        source.write_text(to_html(doc, pages), encoding="utf-8")
        command = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-pdf-header-footer",
            "--print-to-pdf-no-header",
            f"--user-data-dir={tmp}/profile",
            f"--print-to-pdf={out}",
            source.as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=180, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return 0
    return len(pages) if out.exists() else 0
