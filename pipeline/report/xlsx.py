"""A small XLSX (Office Open XML spreadsheet) writer: styled cells, column widths, row heights, frozen panes,
filters and print settings, written as XML strings and zipped.

`rapport.xlsx` has ~140,000 cells, republished after every run: building each cell as an element tree (as
openpyxl does) cost most of the publication's time. Here a row is one string join, a style is registered once
and referred to by its index, and the zip is deterministic (fixed timestamps, member order and attributes):
the same content gives the same bytes.

Every text is written as an inline string, never as a formula: the writer cannot produce a cell a spreadsheet
evaluates. Characters XML cannot carry (control characters from PDF text, lone surrogates) are dropped; text
longer than a spreadsheet cell holds is cut at 32,767 characters, as Excel does.

A workbook opened on a stream is written while it is built (each sheet into the zip as it is filled): at 400
contracts the evidence sheet alone is ~50,000 rows. The module is one writer (package, styles, sheets), kept
whole rather than split across files that would share its private layout.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from types import TracebackType
from typing import IO, BinaryIO
from xml.sax.saxutils import quoteattr

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MAX_CELL_TEXT = 32767
MAX_TITLE = 31
FIRST_CUSTOM_FORMAT = 164  # number format ids below are Excel's built-in ones
EXCEL_EPOCH = datetime(1899, 12, 30)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
COMPRESS_LEVEL = 1  # a third of level 6's time on this XML, for a file ~30 % larger
A4_PAPER = 9  # the ECMA-376 paper size code of A4
ROWS_PER_PART = 2000  # rows of a sheet encoded and compressed together


@dataclass(frozen=True)
class Style:
    """How a cell looks: number format, font (bold, size in points, RRGGBB colour), solid fill colour (RRGGBB),
    alignment (horizontal, vertical, wrapped, text rotation in degrees). Empty values keep the defaults."""

    number_format: str = ""
    bold: bool = False
    size: float = 0.0
    colour: str = ""
    fill: str = ""
    horizontal: str = ""
    vertical: str = ""
    wrap: bool = False
    rotation: int = 0

    def __post_init__(self) -> None:
        for colour in (self.colour, self.fill):
            if colour and not re.fullmatch(r"[0-9A-Fa-f]{6}", colour):
                raise ValueError(f"colour {colour!r} is not RRGGBB")


def text_to_xml(text: str) -> str:
    """Cell or attribute text as XML character data: escaped, without the characters XML cannot carry."""
    if ILLEGAL_XML.search(text):
        text = ILLEGAL_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attribute(text: str) -> str:
    """A quoted XML attribute value."""
    return quoteattr(ILLEGAL_XML.sub("", text))


def column_letter(index: int) -> str:
    """The letters of a 1-based column index (1 → A, 27 → AA)."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def datetime_to_serial(value: datetime | date) -> float:
    """A naive date or datetime as a spreadsheet serial number (days since 1899-12-30, Excel's 1900 system)."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    days = (value - EXCEL_EPOCH).days
    if 0 < days <= 60:  # Excel's phantom 29 February 1900
        days -= 1
    seconds = (value.hour * 60 + value.minute) * 60 + value.second + value.microsecond / 1e6
    return days + seconds / 86400


class StyleSheet:
    """The styles part: each distinct `Style` becomes one cell format (xf), fonts, fills and number formats
    shared between them; index 0 is the default format."""

    def __init__(self) -> None:
        self.xfs: dict[Style, int] = {Style(): 0}
        self.fonts: dict[tuple[bool, float, str], int] = {(False, 0.0, ""): 0}
        self.fills: dict[str, int] = {"": 0, "gray125": 1}
        self.formats: dict[str, int] = {}

    def index(self, style: Style) -> int:
        """The format index of `style` (registered on first use)."""
        known = self.xfs.get(style)
        if known is None:
            known = self.xfs[style] = len(self.xfs)
            self.fonts.setdefault((style.bold, style.size, style.colour.upper()), len(self.fonts))
            self.fills.setdefault(style.fill.upper(), len(self.fills))
            if style.number_format:
                self.formats.setdefault(style.number_format, FIRST_CUSTOM_FORMAT + len(self.formats))
        return known

    def to_xml(self) -> str:
        formats = "".join(
            f'<numFmt numFmtId="{number}" formatCode={attribute(code)}/>' for code, number in self.formats.items()
        )
        fonts = "".join(font_xml(*font) for font in self.fonts)
        fills = "".join(fill_xml(fill) for fill in self.fills)
        xfs = "".join(self.xf_xml(style) for style in self.xfs)
        return (
            f'{XML_DECLARATION}<styleSheet xmlns="{MAIN_NS}">'
            + (f'<numFmts count="{len(self.formats)}">{formats}</numFmts>' if self.formats else "")
            + f'<fonts count="{len(self.fonts)}">{fonts}</fonts><fills count="{len(self.fills)}">{fills}</fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(self.xfs)}">{xfs}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        )

    def xf_xml(self, style: Style) -> str:
        number = self.formats.get(style.number_format, 0)
        font = self.fonts[(style.bold, style.size, style.colour.upper())]
        fill = self.fills[style.fill.upper()]
        applied = (
            (' applyNumberFormat="1"' if number else "")
            + (' applyFont="1"' if font else "")
            + (' applyFill="1"' if fill else "")
        )
        xf = f'<xf numFmtId="{number}" fontId="{font}" fillId="{fill}" borderId="0" xfId="0"{applied}'
        alignment = (
            (f' horizontal="{style.horizontal}"' if style.horizontal else "")
            + (f' vertical="{style.vertical}"' if style.vertical else "")
            + (f' textRotation="{style.rotation}"' if style.rotation else "")
            + (' wrapText="1"' if style.wrap else "")
        )
        if not alignment:
            return xf + "/>"
        return f'{xf} applyAlignment="1"><alignment{alignment}/></xf>'


def font_xml(bold: bool, size: float, colour: str) -> str:
    shown = f"{size:g}" if size else "11"
    return (
        "<font>"
        + ("<b/>" if bold else "")
        + f'<sz val="{shown}"/>'
        + (f'<color rgb="FF{colour}"/>' if colour else "")
        + '<name val="Calibri"/><family val="2"/></font>'
    )


def fill_xml(fill: str) -> str:
    if not fill:
        return '<fill><patternFill patternType="none"/></fill>'
    if fill == "gray125":
        return '<fill><patternFill patternType="gray125"/></fill>'
    return (
        f'<fill><patternFill patternType="solid"><fgColor rgb="FF{fill}"/><bgColor indexed="64"/></patternFill></fill>'
    )


@dataclass
class PrintLayout:
    """Printing: orientation, one page wide or not, rows and columns repeated on every page (e.g. "1:1", "A:A")."""

    landscape: bool = False
    fit_width: bool = False
    title_rows: str = ""
    title_columns: str = ""


@dataclass
class Sheet:
    """One worksheet, filled row by row with `append`; layout (widths, frozen cell, filter range, printing) is
    set as attributes before the first row. A sheet whose `size` (rows, columns) is declared before its first
    row can be written while it is filled (`Workbook` on a stream): its rows leave memory every few thousand."""

    title: str
    widths: list[float] = field(default_factory=list)
    freeze: str = ""  # the top-left cell of the scrolling pane, e.g. "B2"
    auto_filter: str = ""  # e.g. "A1:P5027"
    layout: PrintLayout = field(default_factory=PrintLayout)
    size: tuple[int, int] | None = None  # rows and columns it will hold, when known before the first row
    rows: list[str] = field(default_factory=list)
    row_count: int = 0
    column_count: int = 0
    letters: list[str] = field(default_factory=list)
    sink: Callable[[Sheet], None] | None = field(default=None, repr=False)  # takes `rows` when they pile up

    def append(self, values: Sequence[object], styles: Sequence[int] = (), height: float = 0.0) -> None:
        """The next row: its values (None: an empty cell) and their format indices (0 or missing: default);
        `height` in points (0: the spreadsheet's default)."""
        self.row_count += 1
        number = str(self.row_count)
        if len(values) > len(self.letters):
            self.letters = [column_letter(index) for index in range(1, len(values) + 1)]
        self.column_count = max(self.column_count, len(values))
        if len(styles) < len(values):
            styles = [*styles, *[0] * (len(values) - len(styles))]
        cells = []
        for letter, value, style in zip(self.letters, values, styles, strict=False):
            if value is None:
                if style:
                    cells.append(f'<c r="{letter}{number}" s="{style}"/>')
            elif type(value) is str and 0 < len(value) <= MAX_CELL_TEXT and value == value.strip():
                styled = f' s="{style}"' if style else ""  # the most common cell, inline: no call
                cells.append(f'<c r="{letter}{number}"{styled} t="inlineStr"><is><t>{text_to_xml(value)}</t></is></c>')
            else:
                cells.append(cell_xml(letter + number, value, style))
        custom = f' ht="{height:g}" customHeight="1"' if height else ""
        if cells or custom:
            self.rows.append(f'<row r="{number}"{custom}>{"".join(cells)}</row>')
            if self.sink is not None and len(self.rows) >= ROWS_PER_PART:
                self.sink(self)

    def to_xml(self) -> str:
        return "".join(self.xml_parts())

    def xml_parts(self) -> Iterator[str]:
        """The worksheet XML in pieces of `ROWS_PER_PART` rows: a sheet of 50,000 rows is written into the zip
        without its whole text (and that text's encoded copy) in memory at once."""
        yield self.head_xml()
        yield from self.rows_xml()
        yield self.tail_xml()

    def dimension(self) -> str:
        """The range the rows written so far use, e.g. "A1:P5027"."""
        return used_range(self.row_count, self.column_count)

    def head_xml(self) -> str:
        """The worksheet up to its first row (with the declared `size` if any: it is written before the rows)."""
        last = used_range(*self.size) if self.size else self.dimension()
        fit = '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if self.layout.fit_width else ""
        cols = "".join(
            f'<col min="{index}" max="{index}" width="{width:g}" customWidth="1"/>'
            for index, width in enumerate(self.widths, start=1)
        )
        return (
            f'{XML_DECLARATION}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">{fit}'
            f'<dimension ref="{last}"/><sheetViews><sheetView workbookViewId="0">{pane_xml(self.freeze)}'
            '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            + (f"<cols>{cols}</cols>" if cols else "")
            + "<sheetData>"
        )

    def rows_xml(self) -> Iterator[str]:
        """The rows held, `ROWS_PER_PART` at a time."""
        for start in range(0, len(self.rows), ROWS_PER_PART):
            yield "".join(self.rows[start : start + ROWS_PER_PART])

    def tail_xml(self) -> str:
        """The worksheet after its last row."""
        return (
            "</sheetData>"
            + (f'<autoFilter ref="{self.auto_filter}"/>' if self.auto_filter else "")
            + '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
            + f'<pageSetup paperSize="{A4_PAPER}" orientation="{"landscape" if self.layout.landscape else "portrait"}"'
            + (' fitToWidth="1" fitToHeight="0"' if self.layout.fit_width else "")
            + "/></worksheet>"
        )


def used_range(rows: int, columns: int) -> str:
    """The range from A1 of `rows` rows and `columns` columns (at least one cell)."""
    return f"A1:{column_letter(max(columns, 1))}{max(rows, 1)}"


def cell_xml(reference: str, value: object, style: int) -> str:
    """One cell: text as an inline string, numbers and dates as numbers, booleans as booleans; "" when there is
    nothing to write (an empty cell without format). Numbers keep 16 significant digits, as openpyxl wrote them:
    a share computed as 33.3 / 100 reads back 0.333 (spreadsheets show 15)."""
    styled = f' s="{style}"' if style else ""
    if type(value) is str:
        text = value[:MAX_CELL_TEXT]
        if not text:
            return f'<c r="{reference}"{styled}/>' if style else ""
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return f'<c r="{reference}"{styled} t="inlineStr"><is><t{space}>{text_to_xml(text)}</t></is></c>'
    if type(value) is int:
        return f'<c r="{reference}"{styled}><v>{value}</v></c>'
    if type(value) is float:
        if math.isfinite(value):
            return f'<c r="{reference}"{styled}><v>{value:.16g}</v></c>'
        value = None
    if value is None:
        return f'<c r="{reference}"{styled}/>' if style else ""
    if isinstance(value, bool):
        return f'<c r="{reference}"{styled} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, datetime | date):
        return f'<c r="{reference}"{styled}><v>{datetime_to_serial(value):.16g}</v></c>'
    if hasattr(value, "item"):  # a numpy scalar
        return cell_xml(reference, value.item(), style)
    if isinstance(value, int | float):
        return cell_xml(reference, float(value) if isinstance(value, float) else int(value), style)
    return cell_xml(reference, str(value), style)


def pane_xml(freeze: str) -> str:
    """The frozen pane whose scrolling part starts at cell `freeze` ("" or "A1": nothing frozen)."""
    match = re.fullmatch(r"([A-Z]+)([0-9]+)", freeze)
    if not match:
        return ""
    column = sum((ord(letter) - 64) * 26**power for power, letter in enumerate(reversed(match[1])))
    columns, rows = column - 1, int(match[2]) - 1
    if not columns and not rows:
        return ""
    active = "bottomRight" if columns and rows else "bottomLeft" if rows else "topRight"
    split = (f' xSplit="{columns}"' if columns else "") + (f' ySplit="{rows}"' if rows else "")
    return (
        f'<pane{split} topLeftCell="{freeze}" activePane="{active}" state="frozen"/>'
        f'<selection pane="{active}" activeCell="A1" sqref="A1"/>'
    )


def sheet_reference(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def absolute_range(reference: str) -> str:
    """ "A1:P20" → "$A$1:$P$20"; "1:1" → "$1:$1"; "A:A" → "$A:$A"."""
    return re.sub(r"([A-Z]+)?([0-9]+)?", lambda m: "".join("$" + part for part in m.groups() if part), reference)


class Workbook:
    """Sheets in order and their shared styles, written as one .xlsx file.

    Built in memory and written with `to_bytes` or `write`; or, given a stream and the number of sheets it will
    hold, written as it is built: each sheet goes into the zip (and its rows out of memory) when the next one is
    added, the rest at `close`. Both ways write the same bytes for the same content."""

    def __init__(self, stream: BinaryIO | None = None, sheet_count: int = 0) -> None:
        self.sheets: list[Sheet] = []
        self.styles = StyleSheet()
        self.archive: zipfile.ZipFile | None = None
        self.sheet_count = sheet_count
        self.written = 0  # sheets already in the archive
        self.member: IO[bytes] | None = None  # the part of the sheet being written while it is filled
        if stream is not None:
            self.open_archive(stream, sheet_count)

    def add_sheet(self, title: str) -> Sheet:
        """A new sheet at the end (titles longer than a spreadsheet allows are cut); when streaming, the
        previous sheet is written and its rows freed."""
        title = title[:MAX_TITLE]
        if re.search(r"[\[\]:*?/\\]", title) or not title.strip():
            raise ValueError(f"invalid sheet title {title!r}")
        if title.lower() in (sheet.title.lower() for sheet in self.sheets):
            raise ValueError(f"duplicate sheet title {title!r}")
        if self.archive is not None:
            if len(self.sheets) >= self.sheet_count:
                raise ValueError(f"more than the {self.sheet_count} sheets announced")
            self.write_finished_sheets(self.archive, len(self.sheets))
        sheet = Sheet(title, sink=self.stream_rows if self.archive is not None else None)
        self.sheets.append(sheet)
        return sheet

    def style(self, style: Style) -> int:
        """The format index of `style`, for `Sheet.append`."""
        return self.styles.index(style)

    def to_bytes(self) -> bytes:
        """The .xlsx file: same content, same bytes."""
        buffer = io.BytesIO()
        self.write(buffer)
        return buffer.getvalue()

    def write(self, stream: BinaryIO) -> None:
        """Write the .xlsx file of a workbook built in memory into a seekable binary `stream`, one piece of one
        part at a time (the same bytes as `to_bytes`)."""
        if self.archive is not None or self.written:
            raise ValueError("a streamed workbook is written by close()")
        self.open_archive(stream, len(self.sheets))
        self.close()

    def close(self) -> None:
        """Write what is left of a streamed workbook: its last sheet, the workbook, its relations, the styles."""
        archive = self.archive
        if archive is None:
            raise ValueError("the workbook was not opened on a stream")
        if len(self.sheets) != self.sheet_count:
            raise ValueError(f"{len(self.sheets)} sheets written, {self.sheet_count} announced")
        self.write_finished_sheets(archive, len(self.sheets))
        write_part(archive, "xl/workbook.xml", [self.workbook_xml()])
        write_part(archive, "xl/_rels/workbook.xml.rels", [self.workbook_rels_xml()])
        write_part(archive, "xl/styles.xml", [self.styles.to_xml()])
        archive.close()
        self.archive = None

    def __enter__(self) -> Workbook:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        """Close a streamed workbook; after an error, only let go of the zip (the stream is being discarded)."""
        try:
            if kind is None:
                self.close()
        finally:
            with contextlib.suppress(Exception):
                if self.member is not None:
                    self.member.close()
                if self.archive is not None:
                    self.archive.close()
            self.member = self.archive = None

    def open_archive(self, stream: BinaryIO, sheet_count: int) -> None:
        """Start the zip on `stream` with the parts that come before the sheets."""
        self.archive = zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED)
        self.sheet_count = sheet_count
        write_part(self.archive, "[Content_Types].xml", [content_types_xml(sheet_count)])
        write_part(self.archive, "_rels/.rels", [root_rels_xml()])
        write_part(self.archive, "docProps/app.xml", [APP_XML])
        write_part(self.archive, "docProps/core.xml", [CORE_XML])

    def write_finished_sheets(self, archive: zipfile.ZipFile, upto: int) -> None:
        """Write the sheets before position `upto` not yet written (or finish the one being written), and free
        their rows."""
        while self.written < upto:
            sheet = self.sheets[self.written]
            self.written += 1
            if sheet.size is not None and sheet.dimension() != used_range(*sheet.size):
                raise ValueError(f"sheet {sheet.title!r}: {sheet.dimension()} written, size {sheet.size} declared")
            if self.member is not None:
                self.write_rows(sheet)
                self.member.write(sheet.tail_xml().encode("utf-8"))
                self.member.close()
                self.member = None
            else:
                write_part(archive, f"xl/worksheets/sheet{self.written}.xml", sheet.xml_parts())
            sheet.rows = []
            sheet.sink = None

    def stream_rows(self, sheet: Sheet) -> None:
        """The `sink` of the sheet being filled: once its size is declared, its part is opened in the zip and the
        rows held so far are written there (otherwise they wait for the sheet to be finished)."""
        if sheet.size is None or self.archive is None:
            return
        if self.member is None:
            self.member = open_part(self.archive, f"xl/worksheets/sheet{len(self.sheets)}.xml")
            self.member.write(sheet.head_xml().encode("utf-8"))
        self.write_rows(sheet)

    def write_rows(self, sheet: Sheet) -> None:
        assert self.member is not None
        for piece in sheet.rows_xml():
            self.member.write(piece.encode("utf-8"))
        sheet.rows = []

    def workbook_xml(self) -> str:
        sheets = "".join(
            f'<sheet name={attribute(sheet.title)} sheetId="{number}" r:id="rId{number}"/>'
            for number, sheet in enumerate(self.sheets, start=1)
        )
        names = []
        for position, sheet in enumerate(self.sheets):
            quoted = sheet_reference(sheet.title)
            if sheet.auto_filter:
                names.append(
                    f'<definedName name="_xlnm._FilterDatabase" localSheetId="{position}" hidden="1">'
                    f"{text_to_xml(quoted)}!{absolute_range(sheet.auto_filter)}</definedName>"
                )
            titles = [t for t in (sheet.layout.title_rows, sheet.layout.title_columns) if t]
            if titles:
                shown = ",".join(f"{quoted}!{absolute_range(t)}" for t in titles)
                names.append(
                    f'<definedName name="_xlnm.Print_Titles" localSheetId="{position}">'
                    f"{text_to_xml(shown)}</definedName>"
                )
        defined = f"<definedNames>{''.join(names)}</definedNames>" if names else ""
        return (
            f'{XML_DECLARATION}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><workbookPr/>'
            '<bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{sheets}</sheets>{defined}</workbook>"
        )

    def workbook_rels_xml(self) -> str:
        count = len(self.sheets)
        sheets = "".join(
            f'<Relationship Id="rId{number}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{number}.xml"/>'
            for number in range(1, count + 1)
        )
        return (
            f'{XML_DECLARATION}<Relationships xmlns="{PACKAGE_REL_NS}">{sheets}'
            f'<Relationship Id="rId{count + 1}" Type="{REL_NS}/styles" Target="styles.xml"/></Relationships>'
        )


def open_part(archive: zipfile.ZipFile, name: str) -> IO[bytes]:
    """A part of the package open for writing, deflated as it is written (deterministic: fixed time,
    attributes and level)."""
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = COMPRESS_LEVEL  # type: ignore[attr-defined]  # what writestr's compresslevel sets
    info.create_system = 3
    info.external_attr = 0o644 << 16
    return archive.open(info, "w")


def write_part(archive: zipfile.ZipFile, name: str, pieces: Iterable[str]) -> None:
    """One part of the package, written piece by piece."""
    with open_part(archive, name) as member:
        for piece in pieces:
            member.write(piece.encode("utf-8"))


def content_types_xml(sheet_count: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{number}.xml" ContentType="{SPREADSHEETML}.worksheet+xml"/>'
        for number in range(1, sheet_count + 1)
    )
    return (
        f'{XML_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{SPREADSHEETML}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{SPREADSHEETML}.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        f"{sheets}</Types>"
    )


SPREADSHEETML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
EXTENDED_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
APP_XML = f'{XML_DECLARATION}<Properties xmlns="{EXTENDED_NS}"><Application>cdv</Application></Properties>'
CORE_XML = (
    f"{XML_DECLARATION}<cp:coreProperties "
    'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>cdv</dc:creator></cp:coreProperties>'
)


def root_rels_xml() -> str:
    return (
        f'{XML_DECLARATION}<Relationships xmlns="{PACKAGE_REL_NS}">'
        f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
        'core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{REL_NS}/extended-properties" Target="docProps/app.xml"/></Relationships>'
    )
