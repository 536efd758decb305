"""Writers of export rows: CSV (RFC 4180, UTF-8) and XLSX (openpyxl write-only), both in constant memory.

Both neutralise spreadsheet formula injection the way OWASP advises: a text cell that starts with
`=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe, so a spreadsheet shows it
as text instead of running it. Money, counts and dates are never touched: they are numbers and dates,
not text (a CSV amount of -12.50 stays -12.50; in XLSX it is a real number).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from recoup.exports.sources import Column, ColumnKind, Row

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection)."""

BOM = b"\xef\xbb\xbf"
CSV_CHUNK_BYTES = 64 * 1024
XLSX_MAX_TEXT = 32_767
"""The most characters an Excel cell holds."""
XLSX_TRUNCATED = " [truncated]"
XLSX_MAX_DATA_ROWS = 1_048_575
"""Excel's 1,048,576 rows a sheet, less the header."""
# Control characters XML 1.0 cannot carry (tab, line feed and carriage return can).
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def neutralise(text: str) -> str:
    """The text, with an apostrophe in front when a spreadsheet would take it for a formula."""
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z: 2026-11-20T15:00:00Z (microseconds only when there are some)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


class CountedRows:
    """Passes rows through and counts them, so a writer that streams can say how many it wrote."""

    def __init__(self, rows: Iterable[Row]) -> None:
        self._rows = iter(rows)
        self.count = 0

    def __iter__(self) -> Iterator[Row]:
        return self

    def __next__(self) -> Row:
        row = next(self._rows)
        self.count += 1
        return row


# CSV -------------------------------------------------------------------------------------------------


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _csv_money(value: Any) -> str:
    return "" if value is None else f"{value:f}"


def _csv_integer(value: Any) -> str:
    return "" if value is None else str(int(value))


def _csv_date(value: Any) -> str:
    return "" if value is None else str(value.isoformat())


def _csv_datetime(value: Any) -> str:
    return "" if value is None else iso_utc(value)


_CSV_FORMATTERS: dict[ColumnKind, Callable[[Any], str]] = {
    ColumnKind.TEXT: _csv_text,
    ColumnKind.MONEY: _csv_money,
    ColumnKind.INTEGER: _csv_integer,
    ColumnKind.DATE: _csv_date,
    ColumnKind.DATETIME: _csv_datetime,
}


def csv_cells(columns: Sequence[Column], row: Row) -> list[str]:
    """The row's cells as CSV text: money as plain decimals, dates ISO 8601, text neutralised."""
    return [_CSV_FORMATTERS[column.kind](value) for column, value in zip(columns, row, strict=True)]


def csv_chunks(
    columns: Sequence[Column], rows: Iterable[Row], *, bom: bool = False, chunk_bytes: int = CSV_CHUNK_BYTES
) -> Iterator[bytes]:
    """The CSV file as UTF-8 byte chunks of about `chunk_bytes`: a header row, then a line per row.

    Quoting is RFC 4180's (the csv module's minimal quoting, CRLF line ends). For a streaming response.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.key for column in columns])
    formatters = [_CSV_FORMATTERS[column.kind] for column in columns]
    if bom:
        yield BOM
    for row in rows:
        writer.writerow([format_cell(value) for format_cell, value in zip(formatters, row, strict=True)])
        if buffer.tell() >= chunk_bytes:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_csv(out: IO[bytes], columns: Sequence[Column], rows: Iterable[Row], *, bom: bool = False) -> int:
    """Write the CSV file to the binary file `out`; return how many rows (not counting the header)."""
    counted = CountedRows(rows)
    for chunk in csv_chunks(columns, counted, bom=bom):
        out.write(chunk)
    return counted.count


# XLSX ------------------------------------------------------------------------------------------------


def _money_format(amount: Decimal) -> str:
    places = -int(amount.as_tuple().exponent)
    return "#,##0." + "0" * places if places > 0 else "#,##0"


def _xlsx_text(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    text = _XML_ILLEGAL.sub("\ufffd", neutralise(str(value)))
    if len(text) > XLSX_MAX_TEXT:
        text = text[: XLSX_MAX_TEXT - len(XLSX_TRUNCATED)] + XLSX_TRUNCATED
    if text in ERROR_CODES:
        # openpyxl would write "#N/A" and the like as an error value; keep it text.
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        return cell
    return text


def _xlsx_cells(sheet: WriteOnlyWorksheet, columns: Sequence[Column], row: Row) -> list[Any]:
    cells: list[Any] = []
    for column, value in zip(columns, row, strict=True):
        if value is None:
            cells.append(None)
        elif column.kind is ColumnKind.TEXT:
            cells.append(_xlsx_text(sheet, value) if value != "" else None)
        elif column.kind is ColumnKind.MONEY:
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = _money_format(value)
            cells.append(cell)
        elif column.kind is ColumnKind.DATETIME:
            # Excel has no time zones: the sheet holds UTC wall-clock times (the column says so).
            cell = WriteOnlyCell(sheet, value=value.astimezone(UTC).replace(tzinfo=None))
            cell.number_format = _DATETIME_FORMAT
            cells.append(cell)
        elif column.kind is ColumnKind.DATE:
            # openpyxl formats a date as yyyy-mm-dd itself.
            cells.append(value)
        else:
            cells.append(int(value))
    return cells


def _new_sheet(workbook: Workbook, columns: Sequence[Column], title: str) -> WriteOnlyWorksheet:
    sheet = workbook.create_sheet(title=title[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header: list[Any] = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.key)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    return sheet


def write_xlsx(
    out: IO[bytes],
    columns: Sequence[Column],
    rows: Iterable[Row],
    *,
    sheet_title: str,
    max_rows_per_sheet: int = XLSX_MAX_DATA_ROWS,
) -> int:
    """Write an XLSX workbook to `out`; return how many rows (not counting headers).

    Write-only mode streams the rows to a temporary file, so memory stays flat. Each sheet has a
    bold, frozen header; money cells are numbers formatted to the currency's minor unit, dates are
    dates. Past `max_rows_per_sheet` (Excel's limit) the rows go on in "Title (2)", "Title (3)", ...
    """
    workbook = Workbook(write_only=True)
    workbook.properties.creator = "Recoup"
    sheet = _new_sheet(workbook, columns, sheet_title)
    sheets = 1
    in_sheet = 0
    count = 0
    for row in rows:
        if in_sheet == max_rows_per_sheet:
            sheets += 1
            suffix = f" ({sheets})"
            sheet = _new_sheet(workbook, columns, sheet_title[: 31 - len(suffix)] + suffix)
            in_sheet = 0
        sheet.append(_xlsx_cells(sheet, columns, row))
        in_sheet += 1
        count += 1
    workbook.save(out)
    return count
