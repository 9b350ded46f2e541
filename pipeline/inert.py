"""Inert spreadsheet text: no cell cdv writes is ever evaluated as a formula by Excel or LibreOffice.

Text from PDFs, file names and reviewers is untrusted. Following OWASP's CSV-injection rules, a text cell
starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe, so that a spreadsheet
shows it as text. Text already starting with an apostrophe gets one more, which makes the change reversible:
`inert_to_value` strips exactly one leading apostrophe, and cdv's own readers of its CSV files use it, so a
round trip (write, read) changes nothing. Numbers, and text that is a plain number (`-3`, `-2,5`), stay as
they are: a spreadsheet reads them as numbers, never as formulas.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?%?")


def needs_quote(text: str) -> bool:
    """True when a spreadsheet could evaluate `text` (or when it already starts with the escape apostrophe)."""
    if not text:
        return False
    if text.startswith(QUOTE):
        return True
    return text.startswith(TRIGGERS) and PLAIN_NUMBER.fullmatch(text) is None


def inert_cell(value: Any) -> Any:
    """`value` as a cell no spreadsheet evaluates: text gets a leading apostrophe when needed, other values
    (numbers, dates, empty cells) are returned unchanged."""
    if isinstance(value, str) and needs_quote(value):
        return QUOTE + value
    return value


def inert_to_value(value: Any) -> Any:
    """The reverse of `inert_cell`: the text as it was before it was made inert."""
    if isinstance(value, str) and value.startswith(QUOTE):
        return value[1:]
    return value


def frame_to_inert(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells are inert (numeric columns untouched)."""
    return map_text_cells(frame, (*TRIGGERS, QUOTE), inert_cell)


def frame_from_inert(frame: pd.DataFrame) -> pd.DataFrame:
    """The reverse of `frame_to_inert`, for a frame read back as text."""
    return map_text_cells(frame, (QUOTE,), inert_to_value)


def map_text_cells(frame: pd.DataFrame, starts: tuple[str, ...], function: Any) -> pd.DataFrame:
    """A copy of `frame` with `function` applied to the text cells starting with one of `starts` (found by
    column, not cell by cell: most cells start otherwise)."""
    import pandas as pd  # imported when first needed: `cdv run` with nothing new never needs it
    from pandas.api.types import is_string_dtype

    mapped = frame.copy()
    for column in mapped.columns:
        series = mapped[column]
        if not (series.dtype == object or is_string_dtype(series.dtype)):
            continue
        try:
            first = series.str[:1]
        except AttributeError:  # no text in the column
            continue
        chosen = first.isin(starts).to_numpy(dtype=bool)
        if chosen.any():
            values = series.to_numpy(dtype=object, copy=True)
            values[chosen] = [function(value) for value in values[chosen]]
            mapped[column] = pd.Series(values, index=series.index, dtype=series.dtype, name=column)
    return mapped


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A frame as UTF-8 CSV bytes (header row, no index), every text cell inert."""
    buffer = io.BytesIO()
    write_inert_csv(frame, buffer)
    return buffer.getvalue()


def write_inert_csv(frame: pd.DataFrame, stream: BinaryIO) -> None:
    """A frame as UTF-8 CSV (header row, no index, every text cell inert) into a binary `stream`, written by
    pandas in chunks of rows: the text of a large table is never whole in memory."""
    frame_to_inert(frame).to_csv(stream, index=False, encoding="utf-8")


def read_csv_text(path: Path) -> pd.DataFrame:
    """A CSV written by cdv as text columns (empty cells stay empty strings), inert escapes removed."""
    import pandas as pd

    return frame_from_inert(pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8"))


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """A CSV written by cdv as dictionaries, inert escapes removed."""
    with Path(path).open(encoding="utf-8", newline="") as stream:
        return [rows_from_inert(row) for row in csv.DictReader(stream)]


def rows_from_inert(row: Mapping[str, Any]) -> dict[str, Any]:
    """One CSV row (a dictionary) with inert escapes removed."""
    return {key: inert_to_value(value) for key, value in row.items()}


def inert_row(values: Iterable[Any]) -> list[Any]:
    """A spreadsheet row with every text cell inert."""
    return [inert_cell(value) for value in values]
