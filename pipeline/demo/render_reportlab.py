"""Render a demo contract with reportlab (invariant output: same bytes for the same seed).

Records the page of every block through `afterFlowable`, so gold mention pages are what was printed.
Blocks that carry mentions never split across pages.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from pipeline.demo import model as M
from pipeline.demo.scan import scan_image
from pipeline.demo.typography import break_lines, register_font

MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 20 * mm, 24 * mm, 22 * mm


class NoSplitParagraph(Paragraph):
    """A paragraph that moves whole to the next frame rather than splitting (its mentions keep one page)."""

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        return []


class NoSplitTable(Table):
    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        return []


class BottomNote(Flowable):
    """A footnote drawn at the bottom of the current frame; it takes the rest of the frame."""

    def __init__(self, text: str, style: ParagraphStyle):
        super().__init__()
        self.para = Paragraph(text, style)
        self.note_height = 0.0
        self.avail = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        _, self.note_height = self.para.wrap(availWidth, availHeight)
        self.avail = max(availHeight, self.note_height + 8)
        return availWidth, self.avail

    def draw(self) -> None:
        self.canv.setLineWidth(0.5)
        self.canv.line(0, self.note_height + 4, 50 * mm, self.note_height + 4)
        self.para.drawOn(self.canv, 0, 0)


class FullPageImage(Flowable):
    """A scanned page image filling the whole frame (the page then has no text layer)."""

    def __init__(self, data: bytes):
        super().__init__()
        self.image = ImageReader(io.BytesIO(data))

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.size = (availWidth, availHeight)
        return availWidth - 1, availHeight - 1

    def draw(self) -> None:
        self.canv.drawImage(self.image, 0, 0, self.size[0] - 1, self.size[1] - 1)


class ContractTemplate(BaseDocTemplate):
    """Doc template recording the page of each block after it is drawn."""

    def afterFlowable(self, flowable: Flowable) -> None:
        block = getattr(flowable, "_cdv_block", None)
        if block is not None and self.page not in block.pages:
            block.pages.append(self.page)


def _styles(font: str, bold: str, size: float) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=size, leading=size * 1.3, spaceAfter=size * 0.6)
    return {
        "body": base,
        "bullet": ParagraphStyle("bullet", parent=base, leftIndent=12, spaceAfter=2),
        "small": ParagraphStyle("small", parent=base, fontSize=size - 2, leading=(size - 2) * 1.25),
        "quote": ParagraphStyle("quote", parent=base, leftIndent=20, textColor=colors.darkslategray),
        "h1": ParagraphStyle(
            "h1",
            parent=base,
            fontName=bold,
            fontSize=size + 7,
            leading=size + 10,
            spaceBefore=6,
            spaceAfter=10,
            keepWithNext=1,
            textColor=colors.HexColor("#1f3d7a"),
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=bold,
            fontSize=size + 3,
            leading=size + 6,
            spaceBefore=8,
            spaceAfter=6,
            keepWithNext=1,
            textColor=colors.HexColor("#2f5597"),
        ),
        "h3": ParagraphStyle(
            "h3",
            parent=base,
            fontName=bold,
            fontSize=size + 1,
            leading=size + 4,
            spaceBefore=4,
            spaceAfter=4,
            keepWithNext=1,
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=size - 1.5, leading=(size - 1.5) * 1.2, spaceAfter=0),
        "cover": ParagraphStyle("cover", parent=base, fontName=bold, fontSize=30, leading=36, alignment=TA_CENTER),
        "coversub": ParagraphStyle("coversub", parent=base, fontSize=16, leading=22, alignment=TA_CENTER),
        "note": ParagraphStyle("note", parent=base, fontSize=size - 2.5, leading=(size - 2.5) * 1.2),
    }


def _text(segments: list[M.Segment]) -> str:
    return escape(M.seg_text(segments))


def render_reportlab(doc: M.Document, out: Path, seed: int) -> int:
    """Render `doc` to `out`; fill each block's pages; return the page count."""
    font, bold = register_font(doc.font)
    size = {"Times-Roman": 10.5, "Helvetica": 9.5}.get(font, 9.5)
    pagesize = letter if doc.page_size == "Letter" else A4
    width, height = pagesize
    styles = _styles(font, bold, size)
    footer_format = doc.footer

    def decorate(canvas: Any, template: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(MARGIN_X, height - 14 * mm, doc.header)
        canvas.line(MARGIN_X, height - 15.5 * mm, width - MARGIN_X, height - 15.5 * mm)
        canvas.drawRightString(width - MARGIN_X, 12 * mm, footer_format.format(n=template.page))
        canvas.restoreState()

    frame_w = width - 2 * MARGIN_X
    frame_h = height - MARGIN_TOP - MARGIN_BOTTOM
    col_w = (frame_w - 8 * mm) / 2
    templates = [
        PageTemplate("cover", [Frame(MARGIN_X, MARGIN_BOTTOM, frame_w, frame_h, id="c")]),
        PageTemplate("normal", [Frame(MARGIN_X, MARGIN_BOTTOM, frame_w, frame_h, id="n")], onPage=decorate),
        PageTemplate(
            "twocol",
            [
                Frame(MARGIN_X, MARGIN_BOTTOM, col_w, frame_h, id="l"),
                Frame(MARGIN_X + col_w + 8 * mm, MARGIN_BOTTOM, col_w, frame_h, id="r"),
            ],
            onPage=decorate,
        ),
        PageTemplate("scan", [Frame(0, 0, width, height, 0, 0, 0, 0, id="s")]),
    ]
    template = ContractTemplate(
        str(out),
        pagesize=pagesize,
        invariant=1,
        title=doc.title,
        author=doc.territory,
        subject="Contrat de ville Engagements Quartiers 2030",
        creator="cdv demo-corpus",
    )
    template.addPageTemplates(templates)
    story: list[Flowable] = []
    two_col = False
    previous: M.Block | None = None
    for block in doc.blocks:
        avail = col_w if two_col else frame_w
        flowables = _flowables(block, styles, avail, font, size, doc, seed, previous)
        if isinstance(block, M.Columns):
            two_col = block.on
            flowables = [NextPageTemplate("twocol" if block.on else "normal")]
        for flowable in flowables:
            if getattr(flowable, "_cdv_mark", False):
                flowable._cdv_block = block
        story += flowables
        previous = block
    template.build(story)
    return int(template.page)


def _mark(flowable: Flowable) -> Flowable:
    flowable._cdv_mark = True
    return flowable


def _para(block: M.Para, styles: dict[str, ParagraphStyle], avail: float, font: str, size: float) -> Flowable:
    style = styles.get(block.style, styles["body"])
    if block.manual_breaks:
        indent = style.leftIndent or 0
        lines = break_lines(block.segments, style.fontName, style.fontSize, (avail - indent) * 0.97)
        text = "<br/>".join(escape(line) for line in lines)
    else:
        text = _text(block.segments)
    cls = NoSplitParagraph if block.mentions() or block.style == "h2" else Paragraph
    return _mark(cls(text, style))


def _table(block: M.Table, styles: dict[str, ParagraphStyle], avail: float) -> list[Flowable]:
    head = [Paragraph(f"<b>{escape(h)}</b>", styles["cell"]) for h in block.header]
    body = [[Paragraph(_text(cell), styles["cell"]) for cell in row] for row in block.rows]
    ncols = max(len(block.header), 1)
    widths = [avail / ncols] * ncols
    if ncols >= 3:
        widths = [avail * 0.4] + [avail * 0.6 / (ncols - 1)] * (ncols - 1)
    table = NoSplitTable([head, *body], colWidths=widths, repeatRows=1)
    commands: list[tuple[Any, ...]] = [("VALIGN", (0, 0), (-1, -1), "TOP")]
    if block.ruled:
        commands += [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6f3")),
        ]
    table.setStyle(TableStyle(commands))
    out: list[Flowable] = [_mark(table)]
    if block.caption:
        out.append(Paragraph(escape(block.caption), styles["small"]))
    out.append(Spacer(1, 6))
    return out


def _figure(block: M.Figure, styles: dict[str, ParagraphStyle], avail: float, font: str) -> list[Flowable]:
    drawing = Drawing(avail, 150)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 35, avail - 45, 100
    chart.data = [[value for _, value in block.bars]]
    chart.categoryAxis.categoryNames = [label for label, _ in block.bars]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 6
    chart.categoryAxis.labels.angle = 20
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#2f5597")
    drawing.add(chart)
    return [Paragraph(escape(block.title), styles["h3"]), drawing, Spacer(1, 6)]


def _signatures(
    block: M.Signatures,
    styles: dict[str, ParagraphStyle],
    avail: float,
    doc: M.Document,
    seed: int,
    previous: M.Block | None,
) -> list[Flowable]:
    out: list[Flowable] = []
    if isinstance(previous, M.Signatures):
        out.append(PageBreak())
    if block.style == "scan":
        data = scan_image(block, seed, doc.page_size, doc.contract_id)
        return [*out, NextPageTemplate("scan"), PageBreak(), _mark(FullPageImage(data)), NextPageTemplate("normal")]
    out += [Paragraph(escape(block.title), styles["h2"]), Paragraph(escape(block.intro), styles["body"])]
    if block.style == "grid":
        cells = []
        for sig in block.blocks:
            cells.append(
                [
                    Paragraph(f"<b>{_text(sig.segments)}</b>", styles["cell"]),
                    Paragraph(escape(f"{sig.person}, {sig.title}"), styles["cell"]),
                    Spacer(1, 38),
                ]
            )
        rows = [cells[k : k + 2] + ([[]] if len(cells[k : k + 2]) == 1 else []) for k in range(0, len(cells), 2)]
        table = NoSplitTable(rows, colWidths=[avail / 2] * 2)
        table.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("INNERGRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        out.append(_mark(table))
    else:
        for sig in block.blocks:
            text = f"{_text(sig.segments)}<br/>{escape(sig.person)}, {escape(sig.title)}<br/>Signature :"
            out.append(_mark(NoSplitParagraph(text, styles["body"])))
    return out


def _flowables(
    block: M.Block,
    styles: dict[str, ParagraphStyle],
    avail: float,
    font: str,
    size: float,
    doc: M.Document,
    seed: int,
    previous: M.Block | None,
) -> list[Flowable]:
    if isinstance(block, M.Cover):
        return [
            Spacer(1, 60 * mm),
            Paragraph(escape(block.title), styles["cover"]),
            Spacer(1, 10 * mm),
            Paragraph(escape(block.subtitle), styles["coversub"]),
            Spacer(1, 8 * mm),
            Paragraph(escape(block.territory), styles["coversub"]),
            Spacer(1, 30 * mm),
            Paragraph(escape(block.date), styles["coversub"]),
            NextPageTemplate("normal"),
            PageBreak(),
        ]
    if isinstance(block, M.Toc):
        return [Paragraph("Sommaire", styles["h1"])] + [Paragraph(escape(e), styles["body"]) for e in block.entries]
    if isinstance(block, M.Heading):
        style = styles[f"h{min(block.level, 3)}"]
        return [_mark(Paragraph(escape(block.text), style))]
    if isinstance(block, M.Para):
        return [_para(block, styles, avail, font, size)]
    if isinstance(block, M.Table):
        return _table(block, styles, avail)
    if isinstance(block, M.Figure):
        return _figure(block, styles, avail, font)
    if isinstance(block, M.Footnote):
        return [_mark(BottomNote(_text(block.segments), styles["note"]))]
    if isinstance(block, M.PageBreak):
        return [PageBreak()]
    if isinstance(block, M.Signatures):
        return _signatures(block, styles, avail, doc, seed, previous)
    return []
