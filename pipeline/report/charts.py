"""Band charts as in the report's "PARTENAIRES DES CDV / <THÈME>" and "ARTICULATIONS <THÈME>" figures.

Entities are placed in four frequency bands (moins de 10 %, 10 à 40 %, 40 à 70 %, plus de 70 %); partners that sign
are marked ●; schemes are split between droit commun and the politique de la ville's own schemes. Each
chart is drawn as SVG (hand-written: labels link to their evidence inside the HTML report) and as PNG
(matplotlib) for reuse in a word processor.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pandas as pd

from pipeline.french import fr_pct, fr_text, sort_key
from pipeline.report.figures import BAND_ORDER

COLUMN_WIDTH = 250
ROW_HEIGHT = 19
HEADER_HEIGHT = 82
GROUP_HEADER = 26
MARGIN = 12
MAX_LABEL = 30
BAND_COLOURS = {
    "moins de 10 %": "#e8eef7",
    "10 à 40 %": "#c6d7ee",
    "40 à 70 %": "#8fb1dc",
    "plus de 70 %": "#3f6fb5",
}
BAND_TEXT = {
    "moins de 10 %": "#1c2b40",
    "10 à 40 %": "#1c2b40",
    "40 à 70 %": "#10213a",
    "plus de 70 %": "#ffffff",
}
SIGNATORY_MARK = "●"
PARTNER_SHARE = "Part des contrats où le partenaire est mentionné (mentions classées dans ce thème)"
SCHEME_SHARE = "Part des contrats qui s'articulent avec le dispositif (mentions classées dans ce thème)"


@dataclass(frozen=True)
class ChartItem:
    """One entity placed in a band: short label, tooltip, figure and the anchor of its evidence."""

    label: str
    title: str
    pct: float
    band: str
    anchor: str
    marked: bool = False
    group: str = ""


@dataclass
class BandChart:
    """One chart: its id (file name), French title, the share it shows (subtitle), groups (rows) and items."""

    chart_id: str
    title: str
    groups: list[str] = field(default_factory=lambda: [""])
    items: list[ChartItem] = field(default_factory=list)
    legend: str = ""
    share: str = ""

    @property
    def empty(self) -> bool:
        return not self.items

    def cell(self, group: str, band: str) -> list[ChartItem]:
        found = [item for item in self.items if item.group == group and item.band == band]
        return sorted(found, key=lambda item: (-item.pct, sort_key(item.label)))


def short_label(name: str, acronym: str) -> str:
    label = acronym or name
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def slug(text: str) -> str:
    """An id-safe version of a label (accents dropped, other characters as `_`)."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_-]+", "_", ascii_text).strip("_") or "x"


def anchor_for(prefix: str, *parts: str) -> str:
    """The HTML id of a figure's evidence list: a prefix and slugged parts."""
    return "-".join([prefix, *(slug(part) for part in parts)])


def partner_charts(by_theme: pd.DataFrame, themes: dict[str, str]) -> list[BandChart]:
    """One partner band chart per theme, from `tables/partenaires_themes.csv` rows."""
    charts = []
    for theme_id, name in themes.items():
        rows = theme_records(by_theme, theme_id)
        chart = BandChart(
            f"partenaires_{theme_id}",
            f"Partenaires des contrats de ville / {name}",
            legend=f"{SIGNATORY_MARK} signataire d'au moins un des contrats comptés",
            share=PARTNER_SHARE,
        )
        for row in rows:
            chart.items.append(
                ChartItem(
                    label=short_label(row["entity_name"], row["entity_acronym"]),
                    title=f"{row['entity_name']} : mentionné dans {row['n_mentionne']} contrats sur "
                    f"{row['n_contracts']} ({fr_pct(row['pct_mentionne'])}), signataire dans {row['n_signataire']}",
                    pct=float(row["pct_mentionne"]),
                    band=str(row["bande"]),
                    anchor=anchor_for("ev-pt", theme_id, row["entity_id"]),
                    marked=bool(row["signataire_marque"]),
                )
            )
        charts.append(chart)
    return charts


def articulation_charts(by_theme: pd.DataFrame, themes: dict[str, str]) -> list[BandChart]:
    """One articulation band chart per theme, droit commun and politique de la ville as two rows."""
    charts = []
    groups = ["Droit commun", "Dispositifs politique de la ville"]
    for theme_id, name in themes.items():
        rows = theme_records(by_theme, theme_id)
        chart = BandChart(
            f"articulations_{theme_id}",
            f"Articulations / {name}",
            groups=list(groups),
            legend="Récurrence des mentions de dispositifs dans les contrats de ville",
            share=SCHEME_SHARE,
        )
        for row in rows:
            chart.items.append(
                ChartItem(
                    label=short_label(row["entity_name"], row["entity_acronym"]),
                    title=f"{row['entity_name']} : articulation dans {row['n_mentionne']} contrats sur "
                    f"{row['n_contracts']} ({fr_pct(row['pct_mentionne'])})",
                    pct=float(row["pct_mentionne"]),
                    band=str(row["bande"]),
                    anchor=anchor_for("ev-at", theme_id, row["entity_id"]),
                    group=str(row["famille"]),
                )
            )
        charts.append(chart)
    return charts


def theme_records(frame: pd.DataFrame, theme_id: str) -> list[dict[str, Any]]:
    """The rows of one theme with at least one contract."""
    if frame.empty:
        return []
    rows = frame[(frame["theme_id"] == theme_id) & (frame["n_mentionne"] > 0)]
    return [{str(k): v for k, v in row.items()} for row in rows.to_dict("records")]


def group_height(chart: BandChart, group: str) -> int:
    rows = max([len(chart.cell(group, band)) for band in BAND_ORDER] + [1])
    return (GROUP_HEADER if group else 0) + rows * ROW_HEIGHT + 8


def chart_to_svg(chart: BandChart, links: bool = True) -> str:
    """The chart as an SVG document (labels are links to `#anchor` when `links`)."""
    width = MARGIN * 2 + COLUMN_WIDTH * len(BAND_ORDER)
    height = HEADER_HEIGHT + sum(group_height(chart, g) for g in chart.groups) + 28
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label={quoteattr(chart.title)} class="band-chart" '
        f'id="chart-{chart.chart_id}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">',
        f"<title>{escape(chart.title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{MARGIN}" y="22" font-size="15" font-weight="bold" fill="#1c2b40">{escape(chart.title)}</text>',
        f'<text x="{MARGIN}" y="40" font-size="12" fill="#3d4b5f" class="share">{escape(chart.share)}</text>',
    ]
    for index, band in enumerate(BAND_ORDER):
        x = MARGIN + index * COLUMN_WIDTH
        out.append(
            f'<rect x="{x + 2}" y="52" width="{COLUMN_WIDTH - 4}" height="22" rx="4" fill="{BAND_COLOURS[band]}"/>'
        )
        out.append(
            f'<text x="{x + COLUMN_WIDTH / 2}" y="67" text-anchor="middle" font-weight="bold" '
            f'fill="{BAND_TEXT[band]}">{escape(fr_text(band.capitalize()))}</text>'
        )
    y = HEADER_HEIGHT
    for group in chart.groups:
        if group:
            out.append(f'<text x="{MARGIN}" y="{y + 17}" font-weight="bold" fill="#7a3b00">{escape(group)}</text>')
            out.append(f'<line x1="{MARGIN}" y1="{y + 22}" x2="{width - MARGIN}" y2="{y + 22}" stroke="#e0c9a8"/>')
            y += GROUP_HEADER
        for index, band in enumerate(BAND_ORDER):
            x = MARGIN + index * COLUMN_WIDTH
            for row, item in enumerate(chart.cell(group, band)):
                out.append(svg_item(item, x, y + row * ROW_HEIGHT, links))
            if not chart.cell(group, band):
                out.append(f'<text x="{x + 10}" y="{y + 14}" fill="#9aa5b1">—</text>')
        y += group_height(chart, group) - (GROUP_HEADER if group else 0)
    out.append(f'<text x="{MARGIN}" y="{height - 10}" font-size="11" fill="#555">{escape(chart.legend)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def svg_item(item: ChartItem, x: float, y: float, links: bool) -> str:
    """One label in its band column: a pill with the label, its percentage and the signatory mark."""
    mark = f"{SIGNATORY_MARK} " if item.marked else ""
    text = f"{mark}{item.label} ({fr_pct(item.pct)})"
    body = (
        f'<rect x="{x + 4}" y="{y + 2}" width="{COLUMN_WIDTH - 8}" height="{ROW_HEIGHT - 3}" rx="3" '
        f'fill="{BAND_COLOURS[item.band]}" fill-opacity="0.45"/>'
        f'<text x="{x + 10}" y="{y + 14}" fill="{"#b3261e" if item.marked else "#1c2b40"}">{escape(text)}</text>'
        f"<title>{escape(item.title)}</title>"
    )
    if links:
        href, data = quoteattr("#" + item.anchor), quoteattr(item.anchor)
        return f'<a href={href} class="chart-link" data-anchor={data}>{body}</a>'
    return f"<g>{body}</g>"


def chart_to_png(chart: BandChart) -> bytes:
    """The same chart drawn with matplotlib (Agg), as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    width = MARGIN * 2 + COLUMN_WIDTH * len(BAND_ORDER)
    height = HEADER_HEIGHT + sum(group_height(chart, g) for g in chart.groups) + 28
    dpi = 100
    figure = plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, width)
    axes.set_ylim(height, 0)
    axes.axis("off")
    axes.text(MARGIN, 22, chart.title, fontsize=11, fontweight="bold", color="#1c2b40")
    axes.text(MARGIN, 40, chart.share, fontsize=9, color="#3d4b5f")
    for index, band in enumerate(BAND_ORDER):
        x = MARGIN + index * COLUMN_WIDTH
        axes.add_patch(
            FancyBboxPatch(
                (x + 2, 52), COLUMN_WIDTH - 4, 22, boxstyle="round,pad=0,rounding_size=4", color=BAND_COLOURS[band]
            )
        )
        axes.text(
            x + COLUMN_WIDTH / 2,
            67,
            fr_text(band.capitalize()),
            ha="center",
            fontsize=9,
            fontweight="bold",
            color=BAND_TEXT[band],
        )
    y = float(HEADER_HEIGHT)
    for group in chart.groups:
        if group:
            axes.text(MARGIN, y + 17, group, fontsize=9, fontweight="bold", color="#7a3b00")
            y += GROUP_HEADER
        for index, band in enumerate(BAND_ORDER):
            x = MARGIN + index * COLUMN_WIDTH
            for row, item in enumerate(chart.cell(group, band)):
                top = y + row * ROW_HEIGHT
                axes.add_patch(
                    FancyBboxPatch(
                        (x + 4, top + 2),
                        COLUMN_WIDTH - 8,
                        ROW_HEIGHT - 3,
                        boxstyle="round,pad=0,rounding_size=3",
                        color=BAND_COLOURS[band],
                        alpha=0.45,
                    )
                )
                mark = f"{SIGNATORY_MARK} " if item.marked else ""
                axes.text(
                    x + 10,
                    top + 14,
                    f"{mark}{item.label} ({fr_pct(item.pct)})",
                    fontsize=8.5,
                    color="#b3261e" if item.marked else "#1c2b40",
                )
        y += group_height(chart, group) - (GROUP_HEADER if group else 0)
    axes.text(MARGIN, height - 10, chart.legend, fontsize=8, color="#555555")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    plt.close(figure)
    return buffer.getvalue()
