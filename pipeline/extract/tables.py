"""Tables read into rows, only on the pages that look like they hold one.

A page is a candidate when its lines show pieces separated by wide gaps (cells) on several rows
and its drawing has ruling lines. Ruled grids are rebuilt from PDFium's rules and positioned text
(`grid_tables`, microseconds); pdfplumber (~80 ms a page, ~60x slower than PDFium) reads only the
candidate pages where no ruled grid was found. The text of cells also stays in `Page.text`;
`Page.tables` adds the row context (which cells go together).
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import pypdfium2.raw as pdfium_c

from pipeline.extract.layout import Line
from pipeline.extract.text import normalise_line

MIN_ROWS = 3
MIN_RULINGS = 4
MAX_OBJECTS = 5000


def has_cell_rows(lines: Sequence[Line]) -> bool:
    """At least 3 rows of cells: pieces on one baseline, three or more, or two of which one is
    narrow (two-column prose has two wide pieces per row and is not a table)."""
    if len(lines) < MIN_ROWS * 2:
        return False
    text_width = max(line.x1 for line in lines) - min(line.x0 for line in lines)
    rows: dict[int, list[float]] = defaultdict(list)
    for line in lines:
        if len(line.text.strip()) >= 3:  # bullets and list numbers are not cells
            rows[round(line.top / 2)].append(line.x1 - line.x0)
    cell_rows = sum(
        1 for widths in rows.values() if len(widths) >= 3 or (len(widths) == 2 and min(widths) < 0.35 * text_width)
    )
    return cell_rows >= MIN_ROWS


@dataclass
class Rulings:
    """Thin horizontal and vertical strokes of a page, in points from its top-left corner."""

    horizontal: list[tuple[float, float, float]] = field(default_factory=list)  # (y, x0, x1)
    vertical: list[tuple[float, float, float]] = field(default_factory=list)  # (x, top, bottom)

    def __len__(self) -> int:
        return len(self.horizontal) + len(self.vertical)


def page_rulings(page: object, x_origin: float, y_top: float) -> Rulings:
    """Table rules and cell borders among a PDFium page's path objects (lines and rectangles)."""
    handle = page.raw  # type: ignore[attr-defined]
    found = Rulings()
    left, bottom, right, top = (pdfium_c.FS_FLOAT(), pdfium_c.FS_FLOAT(), pdfium_c.FS_FLOAT(), pdfium_c.FS_FLOAT())
    total = min(pdfium_c.FPDFPage_CountObjects(handle), MAX_OBJECTS)
    for index in range(total):
        obj = pdfium_c.FPDFPage_GetObject(handle, index)
        if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            continue
        x0, x1 = left.value - x_origin, right.value - x_origin
        y0, y1 = y_top - top.value, y_top - bottom.value
        width, height = x1 - x0, y1 - y0
        if height <= 3 and width >= 15:
            found.horizontal.append(((y0 + y1) / 2, x0, x1))
        elif width <= 3 and height >= 8:
            found.vertical.append(((x0 + x1) / 2, y0, y1))
        elif width >= 15 and height >= 8:  # a rectangle: a cell border or shading
            found.horizontal += [(y0, x0, x1), (y1, x0, x1)]
            found.vertical += [(x0, y0, y1), (x1, y0, y1)]
    return found


def _cluster(values: Sequence[float], tolerance: float = 2.0) -> list[float]:
    merged: list[float] = []
    for value in sorted(values):
        if merged and value - merged[-1] <= tolerance:
            continue
        merged.append(value)
    return merged


def _text_rows(lines: Sequence[Line]) -> list[list[Line]]:
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda line: line.top):
        if rows and abs(line.top - rows[-1][0].top) < 2:
            rows[-1].append(line)
        else:
            rows.append([line])
    return rows


def _cells(lines: Sequence[Line], crossing: Sequence[float]) -> list[str]:
    ordered = sorted(lines, key=lambda line: (round(line.top), line.x0))
    return [
        " ".join(normalise_line(line.text) for line in ordered if a <= (line.x0 + line.x1) / 2 < b)
        for a, b in pairwise(crossing)
    ]


def grid_tables(rulings: Rulings, lines: Sequence[Line]) -> list[list[list[str]]]:
    """Ruled tables rebuilt from rules and positioned text: rows of cell texts.

    Consecutive horizontal rules belong to one table when a vertical rule joins them; each row is
    cut into cells by the vertical rules crossing it (or, without vertical rules, when the band holds
    one line of text, by the gaps between its pieces). Much cheaper than pdfplumber, and enough for grids drawn by Word,
    LibreOffice or reportlab.
    """
    ys = _cluster([y for y, _x0, _x1 in rulings.horizontal])
    if len(ys) < 2:
        return []
    verticals = rulings.vertical
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for upper, lower in pairwise(ys):
        crossing = _cluster([x for x, top, bottom in verticals if top <= upper + 2 and bottom >= lower - 2])
        inside = sorted(
            (line for line in lines if upper - 1 <= (line.top + line.bottom) / 2 <= lower + 1),
            key=lambda line: (round(line.top), line.x0),
        )
        one_row = len(inside) >= 2 and max(line.top for line in inside) - min(line.top for line in inside) < 2
        if len(crossing) < 2 and not one_row:
            if current:
                tables.append(current)
                current = []
            continue
        if len(crossing) >= 2:
            text_rows = _text_rows(inside)
            per_row = [_cells(row, crossing) for row in text_rows]
            if len(per_row) > 1 and all(sum(1 for cell in cells if cell) >= 2 for cells in per_row):
                current.extend(per_row)  # rules every few rows: one table row per line of text
                continue
            cells = _cells(inside, crossing)
        else:
            cells = [normalise_line(line.text) for line in sorted(inside, key=lambda line: line.x0)]
        if any(cells):
            current.append(cells)
    if current:
        tables.append(current)
    return [table for table in tables if max(len(row) for row in table) >= 2]


def single_page_pdf(pdf: object, number: int) -> bytes:
    """The 1-based page `number` of an open PDFium document as a PDF of its own, unrotated.

    pdfplumber (pdfminer) parses the whole page tree of what it opens: giving it one page keeps the
    cost to that page. The /Rotate of the page is dropped, as PDFium's text layer ignores it too.
    """
    import pypdfium2 as pdfium

    single = pdfium.PdfDocument.new()
    try:
        single.import_pages(pdf, [number - 1])
        page = single[0]
        page.set_rotation(0)  # read cells in the page's own coordinates, like the text layer
        page.close()
        buffer = io.BytesIO()
        single.save(buffer)
        return buffer.getvalue()
    finally:
        single.close()


def extract_tables(pdf: object, page_numbers: Sequence[int]) -> dict[int, list[list[list[str]]]]:
    """Tables of the given 1-based pages of an open PDFium document, as rows of normalised cells."""
    import pdfplumber  # imported here: only documents with tables pay for it

    found: dict[int, list[list[list[str]]]] = {}
    for number in page_numbers:
        with pdfplumber.open(io.BytesIO(single_page_pdf(pdf, number))) as single:
            tables = single.pages[0].extract_tables()
        rows = [
            [[normalise_line(cell or "") for cell in row] for row in table if any(cell for cell in row)]
            for table in tables
        ]
        rows = [table for table in rows if table and max(len(row) for row in table) >= 2]
        if rows:
            found[number] = rows
    return found
