"""Time to write `rapport.xlsx` for a run: cdv's writer (openpyxl's write-only mode, styles registered once) against
a reference measured in the same run: the same sheets, values, headers and formats written in openpyxl's normal
mode, as cdv did before. The last line is JSON.

    .venv/bin/python benchmarks/workbook.py --run outputs/latest [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.report.publish import build_publication, load_run_lexicon, workbook_content  # noqa: E402
from pipeline.report.rundata import load_run  # noqa: E402
from pipeline.report.workbook import (  # noqa: E402
    BAND_STYLES,
    WorkbookContent,
    build_workbook,
    cell_value,
    column_format,
    french_header,
    workbook_columns,
)


def normal_mode_workbook(content: WorkbookContent) -> bytes:
    """The reference: the tables of the same content in openpyxl's normal mode (cells kept in memory, styled in
    place), with the same headers, values, number formats, band fills, freeze panes and filters."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    header_fill, header_font = PatternFill("solid", fgColor="1C2B40"), Font(bold=True, color="FFFFFF")
    for name, frame in content.tables:
        sheet = book.create_sheet(name[:31])
        columns = workbook_columns([str(c) for c in frame.columns])
        formats = [column_format(column, content.themes) for column in columns]
        sheet.append([french_header(column, columns) for column in columns])
        for record in frame[columns].itertuples(index=False, name=None):
            sheet.append([cell_value(value, fmt) for value, fmt in zip(record, formats, strict=True)])
        for cell in sheet[1]:
            cell.fill, cell.font, cell.alignment = header_fill, header_font, Alignment(wrap_text=True)
        for index, fmt in enumerate(formats, start=1):
            letter = get_column_letter(index)
            for cell in sheet[letter][1:]:
                if fmt.number_format and isinstance(cell.value, int | float):
                    cell.number_format = fmt.number_format
                elif fmt.band and cell.value in BAND_STYLES:
                    cell.fill, cell.font = BAND_STYLES[str(cell.value)]
        sheet.freeze_panes = "B2"
        sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(columns), 1))}{len(frame) + 1}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def best_time(build: object, content: WorkbookContent, repeat: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        size = len(build(content))  # type: ignore[operator]
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
    reference, reference_size = best_time(normal_mode_workbook, content, args.repeat)
    evidence = dict(content.tables)["Preuves"]
    print(f"Contrats lus : {publication.data.n_read} ; lignes : {rows} ; cellules des tables : {cells}")
    print(f"« Preuves » : {len(evidence)} lignes × {len(evidence.columns)} colonnes")
    print(f"cdv (écriture en flux, tout le classeur) : {ours:.2f} s, {ours_size} octets")
    print(f"référence (mode normal, tables seules) : {reference:.2f} s, {reference_size} octets")
    result = {
        "contracts": publication.data.n_read,
        "rows": rows,
        "cells": cells,
        "write_only_s": round(ours, 3),
        "normal_mode_tables_only_s": round(reference, 3),
        "ratio_to_reference": round(ours / reference, 3) if reference else None,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
