"""Time to write `rapport.xlsx` for a run: cdv's writer (`pipeline.report.xlsx`, rows joined as XML strings)
against a reference measured in the same run: the same sheets, cells, styles and layout (`write_sheets`, the
same layout code) streamed by openpyxl's write-only mode, as cdv wrote the workbook before. The last line is JSON.

    .venv/bin/python benchmarks/workbook.py --run outputs/latest [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from collections.abc import Callable, Sequence
from copy import copy
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.report.publish import build_publication, load_run_lexicon, workbook_content  # noqa: E402
from pipeline.report.rundata import load_run  # noqa: E402
from pipeline.report.workbook import WorkbookContent, build_workbook, write_sheets  # noqa: E402
from pipeline.report.xlsx import A4_PAPER, Sheet, Style, Workbook  # noqa: E402


class WriteOnlyBook(Workbook):
    """The reference writer: cdv's workbook interface on top of openpyxl's write-only mode, each style
    registered with openpyxl once and copied to later cells (the previous writer's technique)."""

    def __init__(self) -> None:
        super().__init__()
        self.target = openpyxl.Workbook(write_only=True)
        self.cell_styles: dict[int, Any] = {}

    def add_sheet(self, title: str) -> Sheet:
        sheet = WriteOnlySheet(title[:31], self)
        self.sheets.append(sheet)
        return sheet

    def styled(self, sheet: Any, value: Any, index: int) -> Any:
        """A write-only cell of format `index`."""
        cell = WriteOnlyCell(sheet, value=value)
        known = self.cell_styles.get(index)
        if known is None:
            style: Style = list(self.styles.xfs)[index]
            if style.number_format:
                cell.number_format = style.number_format
            if style.bold or style.size or style.colour:
                cell.font = Font(bold=style.bold, size=style.size or None, color=style.colour or None)
            if style.fill:
                cell.fill = PatternFill("solid", fgColor=style.fill)
            if style.wrap or style.horizontal or style.vertical or style.rotation:
                cell.alignment = Alignment(
                    horizontal=style.horizontal or None,
                    vertical=style.vertical or None,
                    wrap_text=style.wrap or None,
                    text_rotation=style.rotation,
                )
            known = self.cell_styles[index] = copy(cell._style)
        else:
            cell._style = copy(known)
        return cell

    def to_bytes(self) -> bytes:
        for sheet in self.sheets:
            assert isinstance(sheet, WriteOnlySheet)
            sheet.start()
        buffer = io.BytesIO()
        self.target.save(buffer)
        return buffer.getvalue()


class WriteOnlySheet(Sheet):
    """A sheet streamed by openpyxl: its layout is applied before the first row, as write-only mode requires."""

    def __init__(self, title: str, book: WriteOnlyBook) -> None:
        super().__init__(title)
        self.book = book
        self.target: Any = book.target.create_sheet(title)
        self.started = False

    def start(self) -> None:
        if self.started:
            return
        self.started = True
        target = self.target
        for index, width in enumerate(self.widths, start=1):
            target.column_dimensions[get_column_letter(index)].width = width
        target.page_setup.orientation = "landscape" if self.layout.landscape else "portrait"
        target.page_setup.paperSize = A4_PAPER
        target.print_title_rows = self.layout.title_rows or None
        if self.layout.title_columns:
            target.print_title_cols = self.layout.title_columns
        if self.layout.fit_width:
            target.sheet_properties.pageSetUpPr.fitToPage = True
            target.page_setup.fitToWidth = 1
            target.page_setup.fitToHeight = 0
        if self.freeze:
            target.freeze_panes = self.freeze
        if self.auto_filter:
            target.auto_filter.ref = self.auto_filter

    def append(self, values: Sequence[object], styles: Sequence[int] = (), height: float = 0.0) -> None:
        self.start()
        self.row_count += 1
        if height:
            self.target.row_dimensions[self.row_count].height = height
        row = [
            self.book.styled(self.target, value, styles[position])
            if position < len(styles) and styles[position]
            else value
            for position, value in enumerate(values)
        ]
        self.target.append(row)


def write_only_workbook(content: WorkbookContent) -> bytes:
    """The reference: the same workbook through openpyxl's write-only mode."""
    book = WriteOnlyBook()
    write_sheets(book, content)
    return book.to_bytes()


def best_time(build: Callable[[WorkbookContent], bytes], content: WorkbookContent, repeat: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        size = len(build(content))
        times.append(time.perf_counter() - started)
    return min(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run", type=Path, default=ROOT / "outputs" / "latest", help="a run folder of cdv run")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not (args.run / "run.json").exists():
        sys.exit(f"{args.run} : pas de run.json ; lancez d'abord cdv run (ou donnez --run DOSSIER).")
    lexicon = load_run_lexicon(args.run)
    publication = build_publication(load_run(args.run, lexicon, None))
    themes = {theme.theme_id: theme.name for theme in lexicon.themes}
    content = workbook_content(publication, themes)
    rows = sum(len(frame) for _, frame in content.tables)
    cells = sum(frame.size for _, frame in content.tables)
    ours, ours_size = best_time(build_workbook, content, args.repeat)
    reference, reference_size = best_time(write_only_workbook, content, args.repeat)
    evidence = dict(content.tables)["Preuves"]
    print(f"Contrats lus : {publication.data.n_read} ; lignes : {rows} ; cellules des tables : {cells}")
    print(f"« Preuves » : {len(evidence)} lignes × {len(evidence.columns)} colonnes")
    print(f"cdv (XML écrit directement) : {ours:.3f} s, {ours_size} octets")
    print(f"référence (openpyxl en écriture seule, même classeur) : {reference:.3f} s, {reference_size} octets")
    print(f"rapport : {ours / reference:.2f} (cdv {reference / ours:.1f} fois plus rapide)")
    result = {
        "contracts": publication.data.n_read,
        "rows": rows,
        "cells": cells,
        "xlsx_writer_s": round(ours, 3),
        "openpyxl_write_only_s": round(reference, 3),
        "ratio_to_reference": round(ours / reference, 3) if reference else None,
        "xlsx_writer_bytes": ours_size,
        "openpyxl_write_only_bytes": reference_size,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
