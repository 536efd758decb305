"""Reading import files (CSV and XLSX) into rows of text, with every problem named by row and column.

A file is read in chunks of rows so that a million-row file never sits in memory at once. How to
read it (encoding, delimiter, decimal and thousands separators, date format, which header means
which of our columns) comes from a `FileSettings`, usually a saved column mapping.

Row numbers are the file's own: the header is row 1 and the first data row is row 2, as a
spreadsheet shows them, so a person can find the row the error names.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from recoup.platform.config import IMPORT_LIMIT_SETTINGS, ImportLimits

MAX_LINE_BYTES = 1_000_000
ENCODINGS = {"utf-8": "utf-8-sig", "latin-1": "latin-1", "cp1252": "cp1252"}
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y%m%d"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOMB_RATIO = 100
"""A workbook part that unzips to more than this many times its zipped size (and over BOMB_MEMBER_BYTES) is refused."""
BOMB_MEMBER_BYTES = 1024 * 1024
BINARY_NULS = 4
"""A CSV with this many NUL bytes in its first 4 kB is refused as not text (a workbook or other binary file)."""
MANIFEST_BYTES = 1024 * 1024
"""A workbook's list of parts ([Content_Types].xml) over this size is refused (Excel writes about 1 kB)."""
ROW_BYTES = 4 * 1024 * 1024
"""The most of a sheet's XML read without completing a row: the reader builds one row whole before it
hands it on, so this bounds the memory one row can take (a real row is a few kB; a row of 100 values of
10,000 characters is 1 MB)."""
LAST_EXCEL_ROW = 1_048_576
"""A workbook's last possible row: a sheet numbering its rows past it is refused (the reader would
otherwise fill the gap with blank rows, one by one)."""
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


class FileProblem(ValueError):
    """The file as a whole cannot be read (wrong encoding, no header, truncated, ...)."""


@dataclass(frozen=True)
class Problem:
    """One bad value: the row and column a person should look at, what was there and why it is refused."""

    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        return (
            f"row {self.row}: {self.column}: '{shown}' {self.reason}"
            if self.value
            else (f"row {self.row}: {self.column}: {self.reason}")
        )


@dataclass(frozen=True)
class FileSettings:
    """How to read a file; the defaults read our own documented format."""

    encoding: str = "utf-8"
    delimiter: str = ","
    decimal_separator: str = "."
    thousands_separator: str = ""
    date_format: str = "%Y-%m-%d"
    columns: Mapping[str, str] = field(default_factory=dict)
    """Our column name to the header in the file, for headers that differ from ours."""

    def __post_init__(self) -> None:
        if self.encoding not in ENCODINGS:
            raise FileProblem(f"encoding: '{self.encoding}' is not one of {', '.join(ENCODINGS)}")
        if self.delimiter not in DELIMITERS:
            raise FileProblem(f"delimiter: '{self.delimiter}' is not one of comma, semicolon, tab or pipe")
        if self.decimal_separator not in {".", ","}:
            raise FileProblem(f"decimal separator: '{self.decimal_separator}' must be '.' or ','")
        if self.thousands_separator not in {"", ",", ".", " ", "'", "\u00a0"}:
            raise FileProblem(f"thousands separator: '{self.thousands_separator}' is not a thousands separator")
        if self.thousands_separator and self.thousands_separator == self.decimal_separator:
            raise FileProblem("thousands separator: cannot be the same as the decimal separator")
        if self.date_format not in DATE_FORMATS:
            raise FileProblem(f"date format: '{self.date_format}' is not one of {', '.join(DATE_FORMATS)}")


@dataclass
class Chunk:
    """Up to `size` data rows: their row numbers and, per our column, the raw values (text or cell values)."""

    rows: list[int]
    values: dict[str, list[Any]]

    def __len__(self) -> int:
        return len(self.rows)


def file_digest(path: Path) -> tuple[str, int]:
    """sha256 and size of a file, read in blocks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def import_limits() -> ImportLimits:
    """The limits in force: settings.IMPORT_LIMITS (RECOUP_IMPORT_MAX_*), or the defaults outside Django."""
    from django.conf import settings

    limits = getattr(settings, "IMPORT_LIMITS", None) if settings.configured else None
    return limits if isinstance(limits, ImportLimits) else ImportLimits()


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


def _over(path: Path, what: str, found: str, limit: str, setting: str) -> FileProblem:
    return FileProblem(f"file: '{path.name}' {what} {found}, over the limit of {limit} (set {setting} to allow more)")


def check_file(path: Path, limits: ImportLimits | None = None) -> None:
    """Refuse a file too big to import before a byte of it is parsed: its size and, for a workbook,
    what it unzips to (each part's size as the ZIP directory gives it, which the zip reader then holds
    it to) and any part that unzips to over BOMB_RATIO times its zipped size (a zip bomb).

    Raises FileProblem naming the file, the figure found, the limit and the setting that raises it.
    """
    limits = limits or import_limits()
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise _over(path, "is", _megabytes(size), _megabytes(limits.file_bytes), IMPORT_LIMIT_SETTINGS["file_bytes"])
    if path.suffix.lower() != ".xlsx":
        return
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileProblem(
            f"file: '{path.name}' is not a readable Excel workbook: it is not a ZIP archive as .xlsx files are"
            f" ({exc}); is it an old .xls, or a CSV renamed?"
        ) from None
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > BOMB_MEMBER_BYTES and ratio > BOMB_RATIO:
            raise FileProblem(
                f"file: '{path.name}' is refused as a zip bomb: its part {member.filename} unzips from"
                f" {_megabytes(member.compress_size)} to {_megabytes(member.file_size)} ({ratio:,.0f} to 1;"
                f" a workbook's parts unzip to at most {BOMB_RATIO} to 1)"
            )
    unzipped = sum(member.file_size for member in members)
    if unzipped > limits.uncompressed_bytes:
        raise _over(
            path,
            "unzips to",
            _megabytes(unzipped),
            _megabytes(limits.uncompressed_bytes),
            IMPORT_LIMIT_SETTINGS["uncompressed_bytes"],
        )
    sheets = _worksheet_parts(path, members)
    whole = sum(member.file_size for member in members if member.filename not in sheets)
    if whole > limits.whole_parts_bytes:
        raise _over(
            path,
            "has shared strings, styles and other parts (all but its sheets) that unzip to",
            _megabytes(whole),
            _megabytes(limits.whole_parts_bytes),
            IMPORT_LIMIT_SETTINGS["whole_parts_bytes"],
        )


def _worksheet_parts(path: Path, members: Sequence[zipfile.ZipInfo]) -> set[str]:
    """The parts the workbook's list of parts declares as sheets and as nothing else: the parts read a row
    at a time. Everything else (shared strings, styles, ...) is read whole, so it counts against
    `whole_parts_bytes`; a part whose type is unclear counts too."""
    from defusedxml.ElementTree import fromstring

    manifest = next((member for member in members if member.filename == "[Content_Types].xml"), None)
    if manifest is None:
        raise FileProblem(f"file: '{path.name}' is not a readable Excel workbook: it has no [Content_Types].xml")
    if manifest.file_size > MANIFEST_BYTES:
        raise FileProblem(
            f"file: '{path.name}' is not a readable Excel workbook: its list of parts ([Content_Types].xml)"
            f" unzips to {_megabytes(manifest.file_size)}, over {_megabytes(MANIFEST_BYTES)}"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            root = fromstring(archive.read(manifest))
    except Exception as exc:  # any fault in the manifest means the workbook is unreadable
        raise FileProblem(
            f"file: '{path.name}' is not a readable Excel workbook: its list of parts cannot be read ({exc})"
        ) from None
    types: dict[str, set[str]] = {}
    for element in root:
        if element.tag.rpartition("}")[2] == "Override":
            name = str(element.get("PartName", "")).lstrip("/")
            types.setdefault(name, set()).add(str(element.get("ContentType", "")))
    return {name for name, declared in types.items() if declared == {WORKSHEET_TYPE}}


def read_chunks(
    path: Path,
    settings: FileSettings,
    *,
    known: Sequence[str],
    required: Sequence[str],
    chunk_size: int = 20_000,
    limits: ImportLimits | None = None,
) -> Iterator[Chunk]:
    """The file's data rows in chunks, with values for each of our `known` columns found in the header.

    Raises FileProblem for a file that cannot be read at all: unknown type, too big (`check_file`, then
    while reading: more rows than the limit, a value longer than the limit), missing or duplicated
    headers, a required column missing, bad encoding, a truncated or malformed row.
    """
    limits = limits or import_limits()
    suffix = path.suffix.lower()
    if suffix not in {".xlsx", ".csv", ".txt", ".tsv"}:
        raise FileProblem(f"file: '{path.name}' is not a CSV (.csv, .txt, .tsv) or Excel (.xlsx) file")
    check_file(path, limits)
    reader = _xlsx_chunks if suffix == ".xlsx" else _csv_chunks
    yield from reader(path, settings, known=known, required=required, chunk_size=chunk_size, limits=limits)


def _too_many_rows(path: Path, limits: ImportLimits) -> FileProblem:
    return _over(path, "has", f"more than {limits.rows:,} rows", f"{limits.rows:,} rows", IMPORT_LIMIT_SETTINGS["rows"])


def _too_long(row: int, column: str, value: str, limits: ImportLimits) -> FileProblem:
    return FileProblem(
        str(
            Problem(
                row,
                column,
                _shown(value),
                f"is {len(value):,} characters, over the limit of {limits.cell_chars:,}"
                f" (set {IMPORT_LIMIT_SETTINGS['cell_chars']} to allow more)",
            )
        )
    )


def _header_positions(
    header: Sequence[Any], settings: FileSettings, *, known: Sequence[str], required: Sequence[str]
) -> dict[str, int]:
    names = ["" if cell is None else str(cell).strip() for cell in header]
    if not any(names):
        raise FileProblem("row 1: the header row is empty (the first row must name the columns)")
    seen: dict[str, int] = {}
    for position, name in enumerate(names):
        if not name:
            continue
        if name in seen:
            raise FileProblem(f"row 1: column '{name}' appears twice (columns {seen[name] + 1} and {position + 1})")
        seen[name] = position
    mapped = {ours: settings.columns.get(ours, ours) for ours in known}
    unknown_mapping = [ours for ours in settings.columns if ours not in known]
    if unknown_mapping:
        raise FileProblem(f"mapping: '{unknown_mapping[0]}' is not one of our columns ({', '.join(known)})")
    missing = [
        f"{ours} (as '{theirs}')" if theirs != ours else ours
        for ours, theirs in mapped.items()
        if ours in required and theirs not in seen
    ]
    if missing:
        raise FileProblem(
            f"row 1: required column{'s' if len(missing) > 1 else ''} missing: {', '.join(missing)}"
            f" (the header has: {', '.join(n for n in names if n)})"
        )
    return {ours: seen[theirs] for ours, theirs in mapped.items() if theirs in seen}


class _Unreadable(Exception):
    """A line the reader cannot take; `_csv_chunks` turns it into a FileProblem naming row and column."""


class _LongLine(_Unreadable):
    def __init__(self, start: bytes) -> None:
        super().__init__("line too long")
        self.start = start


class _BadBytes(_Unreadable):
    def __init__(self, raw: bytes, error: UnicodeDecodeError) -> None:
        super().__init__(str(error))
        self.raw = raw
        self.error = error


class _Lines:
    """The file's lines decoded one at a time, never more than MAX_LINE_BYTES of one line read in.

    It keeps the lines of the record being read (`pending`, cleared by `record_read`), so a problem
    in a line can be placed in the column whose value holds it.
    """

    def __init__(self, handle: IO[bytes], encoding: str) -> None:
        self.handle = handle
        self.codec = ENCODINGS[encoding]
        self.pending: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        raw = self.handle.readline(MAX_LINE_BYTES + 1)  # a 50 MB line is refused after reading 1 MB of it
        if not raw:
            raise StopIteration
        if len(raw) > MAX_LINE_BYTES:
            raise _LongLine(raw)
        try:
            line = raw.decode(self.codec)
        except UnicodeDecodeError as exc:
            raise _BadBytes(raw, exc) from None
        self.codec = "utf-8" if self.codec == "utf-8-sig" else self.codec  # a byte-order mark only counts first
        self.pending.append(line)
        return line

    def record_read(self) -> None:
        self.pending.clear()

    def record_text(self) -> str:
        """What has been read of the current record, without the line break that ends it."""
        return _without_line_end("".join(self.pending))


def _csv_chunks(
    path: Path,
    settings: FileSettings,
    *,
    known: Sequence[str],
    required: Sequence[str],
    chunk_size: int,
    limits: ImportLimits,
) -> Iterator[Chunk]:
    csv.field_size_limit(min(limits.cell_chars, MAX_LINE_BYTES))
    with path.open("rb") as handle:
        _check_text(path, handle.read(4096))
        handle.seek(0)
        lines = _Lines(handle, settings.encoding)
        reader = csv.reader(lines, delimiter=settings.delimiter, strict=True)
        header: list[str] = []
        try:
            first = next(reader, None)
        except (csv.Error, _Unreadable) as exc:
            raise _refusal(exc, 1, header, lines, settings, limits) from None
        if first is None:
            raise FileProblem("file: the file is empty")
        lines.record_read()
        header = [name.strip() for name in first]
        _check_header(header, limits)
        positions = _header_positions(header, settings, known=known, required=required)
        width = len(header)
        chunk = _new_chunk(positions)
        row = 1
        rows_read = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except (csv.Error, _Unreadable) as exc:
                raise _refusal(exc, row + 1, header, lines, settings, limits) from None
            lines.record_read()
            row += 1
            if not cells or all(not c.strip() for c in cells):
                continue  # blank lines are not rows
            if len(cells) != width:
                raise FileProblem(_wrong_width(row, cells, header, settings))
            rows_read += 1
            if rows_read > limits.rows:
                raise _too_many_rows(path, limits)
            chunk.rows.append(row)
            for ours, position in positions.items():
                chunk.values[ours].append(cells[position])
            if len(chunk) >= chunk_size:
                yield chunk
                chunk = _new_chunk(positions)
        if len(chunk):
            yield chunk


def _check_text(path: Path, head: bytes) -> None:
    """Refuse, by its first bytes, a file that is not text in an 8-bit encoding: UTF-16 (what Excel's
    "Unicode Text" writes; every other byte of plain English is a NUL) or a binary file renamed."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) >= 8 and head[1::2].count(0) > len(head) // 4):
        raise FileProblem(
            f"file: '{path.name}' is UTF-16 text (as Excel's \"Unicode Text\" saves it), which is not read:"
            ' save it as "CSV UTF-8" or as an Excel workbook (.xlsx)'
        )
    if head.count(0) >= BINARY_NULS:  # one stray NUL in a text file is named with its row and column instead
        raise FileProblem(
            f"file: '{path.name}' is not a text file: it has {head.count(0):,} NUL bytes in its first"
            f" {len(head):,} bytes (is it a spreadsheet or other binary file renamed to .csv?)"
        )


def _check_header(header: Sequence[Any], limits: ImportLimits) -> None:
    for position, name in enumerate(header):
        if isinstance(name, str) and len(name) > limits.cell_chars:
            raise _too_long(1, f"column {position + 1}", name, limits)


def _refusal(
    exc: csv.Error | _Unreadable,
    row: int,
    header: Sequence[str],
    lines: _Lines,
    settings: FileSettings,
    limits: ImportLimits,
) -> FileProblem:
    """A FileProblem for the record at `row` that could not be read: its row, the column, the value and why."""

    def problem(index: int, value: str, reason: str) -> FileProblem:
        return FileProblem(str(Problem(row, _column_name(header, index), _shown(value), reason)))

    delimiter = settings.delimiter
    if isinstance(exc, _LongLine):
        fields = _fields("".join(lines.pending) + exc.start.decode(lines.codec, errors="replace"), delimiter)
        return problem(
            len(fields) - 1,
            fields[-1].value,
            f"makes the line longer than {MAX_LINE_BYTES:,} bytes; no row of an import file is that long"
            " (is this the right file?)",
        )
    if isinstance(exc, _BadBytes):
        error, raw = exc.error, exc.raw
        before = "".join(lines.pending)  # the record's earlier lines, inside a quoted value
        offset = len(before) + len(raw[: error.start].decode(lines.codec))
        index, field = _field_at(
            before + _without_line_end(raw.decode(lines.codec, errors="replace")), delimiter, offset
        )
        if error.reason == "unexpected end of data" and not raw.endswith(b"\n"):
            return problem(
                index, field.value, "stops in the middle of a character: the file is cut off (is it truncated?)"
            )
        other = "Latin-1 or Windows-1252" if settings.encoding == "utf-8" else "UTF-8 or Latin-1"
        return problem(
            index,
            field.value,
            f"has byte 0x{raw[error.start]:02X}, which is not valid {settings.encoding}"
            f" (is the file {other}? set the mapping's encoding)",
        )
    text = str(exc)
    fields = _fields(lines.record_text(), delimiter)
    if "unexpected end of data" in text:  # the last value's quotes were never closed
        return problem(
            len(fields) - 1, fields[-1].value, "is cut off: the file ends inside its quotes (is the file truncated?)"
        )
    if "field larger than field limit" in text:  # a value over the cell limit (or a quoted one over many lines)
        longest = max(range(len(fields)), key=lambda i: len(fields[i].value))
        limit = min(limits.cell_chars, MAX_LINE_BYTES)
        setting = f" (set {IMPORT_LIMIT_SETTINGS['cell_chars']} to allow more)" if limit == limits.cell_chars else ""
        return problem(longest, fields[longest].value, f"is longer than the limit of {limit:,} characters{setting}")
    if "expected after" in text:
        stray = next((i for i, field in enumerate(fields) if field.after_quotes), None)
        if stray is not None:
            return problem(
                stray, fields[stray].value, "has text after its closing quote (a stray quote? quote the whole value)"
            )
    return FileProblem(f"row {row}: {text}")


def _wrong_width(row: int, cells: Sequence[str], header: Sequence[str], settings: FileSettings) -> str:
    stray = f"a stray {DELIMITERS[settings.delimiter]} or quote?"
    if len(cells) < len(header):
        return str(
            Problem(
                row,
                _column_name(header, len(cells)),
                "",
                f"is missing: the row has {len(cells)} columns but the header has {len(header)}"
                f" ({stray} is the file truncated?)",
            )
        )
    return str(
        Problem(
            row,
            _column_name(header, len(header)),
            _shown(cells[len(header)]),
            f"is past the last column: the row has {len(cells)} columns but the header has {len(header)} ({stray})",
        )
    )


_QUOTED = re.compile(r'"((?:[^"]+|"")*)("?)')


@dataclass(frozen=True)
class _Field:
    start: int
    value: str
    after_quotes: bool = False
    """Text follows the closing quote of a quoted value before the next delimiter (csv refuses that)."""


def _fields(record: str, delimiter: str) -> list[_Field]:
    """The fields of a record's text (the last perhaps cut off), read as csv reads them: a quote
    opens a quoted value only at the start of a field."""
    fields: list[_Field] = []
    position = 0
    while True:
        start = position
        value = ""
        closed = False
        if record.startswith('"', position):
            quoted = _QUOTED.match(record, position)
            assert quoted is not None  # the pattern matches any text that starts with a quote
            value, closed = quoted.group(1).replace('""', '"'), bool(quoted.group(2))
            position = quoted.end()
        end = record.find(delimiter, position)
        end = len(record) if end == -1 else end
        fields.append(_Field(start, value + record[position:end], closed and end > position))
        if end == len(record):
            return fields
        position = end + 1


def _field_at(record: str, delimiter: str, offset: int) -> tuple[int, _Field]:
    """The index and field of `record` that holds the character at `offset`."""
    fields = _fields(record, delimiter)
    index = max(i for i, field in enumerate(fields) if field.start <= offset)
    return index, fields[index]


def _column_name(header: Sequence[str], index: int) -> str:
    """The header's name for a position, as the file has it, or 'column N' where there is none."""
    name = header[index] if index < len(header) else ""
    return name or f"column {index + 1}"


def _shown(value: str) -> str:
    """A value fit for one line of an error message (Problem shortens it further)."""
    return value[:200].replace("\r", "\\r").replace("\n", "\\n")


def _without_line_end(line: str) -> str:
    return line[:-2] if line.endswith("\r\n") else line[:-1] if line.endswith(("\n", "\r")) else line


def _new_chunk(positions: Mapping[str, int]) -> Chunk:
    return Chunk(rows=[], values={ours: [] for ours in positions})


class _RowTooBig(Exception):
    """Raised from inside the workbook reader when a sheet runs past ROW_BYTES without completing a row."""


class _Metered(io.RawIOBase):
    """A sheet's XML as the workbook reader reads it, refusing more than ROW_BYTES since the last row the
    reader handed on (`row_done`): one row, however it is built, cannot take more memory than that."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.since_row = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        data = self.source.read(-1 if size is None else size)
        self.since_row += len(data)
        if self.since_row > ROW_BYTES:
            raise _RowTooBig
        return data

    def row_done(self) -> None:
        self.since_row = 0

    def close(self) -> None:
        self.source.close()
        super().close()


def open_workbook(path: Path) -> Any:
    """The workbook opened read-only with openpyxl, its sheets still unread, with two of openpyxl's
    readers replaced by leaner ones that give the same answers: how it finds a sheet's size
    (`_size_from_before_the_data`) and how it reads the shared strings (`shared_strings`)."""
    import openpyxl.reader.excel
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    ReadOnlyWorksheet._get_size = _size_from_before_the_data  # type: ignore[attr-defined]
    openpyxl.reader.excel.read_string_table = shared_strings  # type: ignore[attr-defined]
    return openpyxl.reader.excel.load_workbook(path, read_only=True, data_only=True)


def shared_strings(source: IO[bytes]) -> list[str]:
    """A workbook's shared strings as openpyxl's `read_string_table` reads them (plain text, then the
    text of each formatted run; phonetic guides left out), without its cost: openpyxl keeps every
    <si> element it has read, emptied, under the table (about 100 bytes each, 1.5 GB for 15 million
    short strings) and builds an object per string to take its text. Here each is dropped once read."""
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    item, text, run = (f"{{{SHEET_MAIN_NS}}}{tag}" for tag in ("si", "t", "r"))
    strings: list[str] = []
    table = None
    for event, element in iterparse(source, events=("start", "end")):
        if event == "start":
            table = element if table is None else table
            continue
        if element.tag != item:
            continue
        plain = element.find(text)
        parts = [plain.text or ""] if plain is not None else []
        for block in element.iterfind(run):
            formatted = block.find(text)
            if formatted is not None:
                parts.append(formatted.text or "")
        strings.append("".join(parts).replace("x005F_", ""))
        table.clear()  # type: ignore[union-attr]  # the <si> just read, the only one the table holds
    return strings


def _size_from_before_the_data(sheet: Any) -> None:
    """openpyxl's read-only sheet looks for its <dimension> (the sheet's size) as it opens the workbook,
    but reads on to the end of <sheetData> when there is none (a sheet written by openpyxl itself has
    none): a second pass over every row, about a quarter of a million-row import's time, holding one
    whole row at a time unmetered. The schema puts <dimension> before <sheetData>, so this stops at the
    start of <sheetData>, and refuses more than ROW_BYTES before it."""
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.xml.functions import iterparse

    with _Metered(sheet._get_source()) as source:
        for _event, element in iterparse(source, events=("start",)):
            if element.tag == DIMENSION_TAG:
                dimension = SheetDimension.from_tree(element)
                if dimension is not None:
                    sheet._min_column, sheet._min_row, sheet._max_column, sheet._max_row = dimension.boundaries
                return
            if element.tag == DATA_TAG:
                return


def _fault(exc: BaseException, path: Path) -> str:
    """What went wrong inside a workbook, in a line: the innermost cause (openpyxl wraps it in a long
    message of its own), with the server's path to the upload left out."""
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    said = str(exc).replace(str(path), path.name).splitlines()
    line = said[0] if said else ""
    return f"{type(exc).__name__}: {line[:200]}" if line else type(exc).__name__


def _workbook_rows(path: Path, sheet: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """The first sheet's rows with their numbers (the header is row 1), each read within ROW_BYTES, none
    past LAST_EXCEL_ROW; a fault in the workbook's XML is a FileProblem naming the row it stopped at."""
    meter: list[_Metered] = []
    opened = sheet._get_source  # openpyxl opens the sheet's part here, for each pass over it

    def metered_source() -> _Metered:
        meter.append(_Metered(opened()))
        return meter[-1]

    sheet._get_source = metered_source
    rows = sheet.iter_rows(values_only=True)
    number = 0
    while True:
        try:
            cells = next(rows, None)
        except _RowTooBig:
            raise FileProblem(
                f"row {number + 1}: the sheet runs on for more than {_megabytes(ROW_BYTES)} without completing"
                " a row, more than any spreadsheet row takes (is the file damaged, or built to exhaust memory?)"
            ) from None
        except Exception as exc:  # a damaged or hostile part of any kind; openpyxl raises many
            raise FileProblem(
                f"row {number + 1}: the workbook cannot be read from here ({_fault(exc, path)})"
            ) from None
        if cells is None:
            return
        number += 1
        if number > LAST_EXCEL_ROW:
            raise FileProblem(
                f"file: '{path.name}' numbers its rows past {LAST_EXCEL_ROW:,}, the last row a workbook can have"
            )
        if meter:
            meter[-1].row_done()
        yield number, cells


def _xlsx_chunks(
    path: Path,
    settings: FileSettings,
    *,
    known: Sequence[str],
    required: Sequence[str],
    chunk_size: int,
    limits: ImportLimits,
) -> Iterator[Chunk]:
    try:
        workbook = open_workbook(path)
    except _RowTooBig:
        raise FileProblem(
            f"file: '{path.name}' is not a readable Excel workbook: its first sheet runs on for more than"
            f" {_megabytes(ROW_BYTES)} before its first row"
        ) from None
    except Exception as exc:  # zip, XML, defusedxml and openpyxl faults alike
        raise FileProblem(f"file: '{path.name}' is not a readable Excel workbook ({_fault(exc, path)})") from None
    try:
        if not workbook.worksheets:
            raise FileProblem(f"file: '{path.name}' has no sheet")
        rows = _workbook_rows(path, workbook.worksheets[0])
        first = next(rows, None)
        if first is None:
            raise FileProblem("file: the first sheet is empty")
        header = first[1]
        _check_header(header, limits)
        positions = _header_positions(header, settings, known=known, required=required)
        names = ["" if cell is None else str(cell).strip() for cell in header]
        chunk = _new_chunk(positions)
        rows_read = 0
        for row, cells in rows:
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            rows_read += 1
            if rows_read > limits.rows:
                raise _too_many_rows(path, limits)
            for position, cell in enumerate(cells):
                if isinstance(cell, str) and len(cell) > limits.cell_chars:
                    raise _too_long(row, _column_name(names, position), cell, limits)
            chunk.rows.append(row)
            for ours, position in positions.items():
                chunk.values[ours].append(cells[position] if position < len(cells) else None)
            if len(chunk) >= chunk_size:
                yield chunk
                chunk = _new_chunk(positions)
        if len(chunk):
            yield chunk
    finally:
        workbook.close()


# Column parsers. Each takes a column of raw values (text from CSV, cell values from XLSX) and returns
# the parsed values and the problems, one pass over the column.


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_text(
    column: str,
    rows: Sequence[int],
    values: Sequence[Any],
    problems: list[Problem],
    *,
    max_length: int,
    required: bool = False,
    formula_check: bool = True,
) -> list[str]:
    """Trimmed text; refuses empty required values, overlong values and spreadsheet formulas."""
    out: list[str] = []
    for row, raw in zip(rows, values, strict=True):
        value = text(raw)
        if not value:
            if required:
                problems.append(Problem(row, column, "", "is required"))
        elif len(value) > max_length:
            problems.append(Problem(row, column, value, f"is longer than {max_length} characters"))
        elif formula_check and value.startswith(FORMULA_STARTS):
            problems.append(Problem(row, column, value, "looks like a spreadsheet formula; refused"))
        elif "\x00" in value:
            problems.append(Problem(row, column, value.replace("\x00", "\\0"), "contains a NUL character"))
        out.append(value)
    return out


def parse_choice(
    column: str,
    rows: Sequence[int],
    values: Sequence[Any],
    problems: list[Problem],
    *,
    choices: Sequence[str],
    default: str | None = None,
) -> list[str]:
    out: list[str] = []
    allowed = set(choices)
    for row, raw in zip(rows, values, strict=True):
        value = text(raw).lower()
        if not value and default is not None:
            value = default
        if value not in allowed:
            problems.append(Problem(row, column, text(raw), f"is not one of {', '.join(choices)}"))
        out.append(value)
    return out


def parse_amounts(
    column: str,
    rows: Sequence[int],
    values: Sequence[Any],
    problems: list[Problem],
    settings: FileSettings,
    *,
    places: int,
    allow_negative: bool = False,
    required: bool = False,
) -> list[int]:
    """Money to minor units: '1.234,56' with a decimal comma and '.' thousands reads as 123456.

    Exact (Decimal), never floats; more decimal places than the currency has is refused rather than
    rounded. An empty optional value is zero.
    """
    out: list[int] = []
    scale = Decimal(10) ** places
    for row, raw in zip(rows, values, strict=True):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if required:
                problems.append(Problem(row, column, "", "is required"))
            out.append(0)
            continue
        number = _decimal(raw, settings)
        if number is None:
            problems.append(Problem(row, column, text(raw), "is not an amount"))
            out.append(0)
            continue
        if number < 0 and not allow_negative:
            problems.append(Problem(row, column, text(raw), "is negative"))
            out.append(0)
            continue
        minor = number * scale
        if minor != minor.to_integral_value():
            problems.append(Problem(row, column, text(raw), f"has more than {places} decimal places"))
            out.append(0)
            continue
        out.append(int(minor))
    return out


def _decimal(raw: Any, settings: FileSettings) -> Decimal | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw))  # the shortest text that reads back as this float: 12.3, not 12.2999...
    if isinstance(raw, Decimal):
        return raw
    value = str(raw).strip().replace("\u00a0", " ").replace("\u202f", " ")  # (narrow) no-break spaces group too
    if settings.thousands_separator:
        grouped = _without_thousands(value, settings)
        if grouped is None:
            return None
        value = grouped
    if settings.decimal_separator == ",":
        if "." in value:
            return None
        value = value.replace(",", ".")
    elif "," in value:
        return None
    if not value or any(c not in "0123456789.-" for c in value) or value.count("-") > int(value.startswith("-")):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def _without_thousands(value: str, settings: FileSettings) -> str | None:
    """Drop thousands separators only where they group three digits; '1.2.3' is not a number."""
    separator = " " if settings.thousands_separator == "\u00a0" else settings.thousands_separator  # read as a space
    if separator not in value:
        return value
    whole, _, fraction = value.partition(settings.decimal_separator)
    sign = "-" if whole.startswith("-") else ""
    groups = whole.lstrip("-").split(separator)
    if not groups[0] or len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:]):
        return None
    return sign + "".join(groups) + (settings.decimal_separator + fraction if fraction else "")


def parse_dates(
    column: str,
    rows: Sequence[int],
    values: Sequence[Any],
    problems: list[Problem],
    settings: FileSettings,
    *,
    required: bool = False,
    not_after: date | None = None,
) -> list[date | None]:
    """Dates in the mapping's one format. A day-month order the format does not settle is never guessed."""
    out: list[date | None] = []
    for row, raw in zip(rows, values, strict=True):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if required:
                problems.append(Problem(row, column, "", "is required"))
            out.append(None)
            continue
        if isinstance(raw, datetime):
            parsed: date | None = raw.date()
        elif isinstance(raw, date):
            parsed = raw
        else:
            parsed = _date(text(raw), settings.date_format)
            if parsed is None:
                problems.append(Problem(row, column, text(raw), _date_reason(text(raw), settings.date_format)))
                out.append(None)
                continue
        if parsed is not None and not_after is not None and parsed > not_after:
            problems.append(Problem(row, column, text(raw), f"is after {not_after.isoformat()}"))
        out.append(parsed)
    return out


def _date(value: str, fmt: str) -> date | None:
    try:
        if fmt == "%Y-%m-%d" and len(value) == 10 and value[4] == "-" and value[7] == "-" and "W" not in value:
            return date.fromisoformat(value)  # the same rule, ten times faster than strptime
        return datetime.strptime(value, fmt).date()  # noqa: DTZ007 (a calendar date, no time zone)
    except ValueError:
        return None


def _date_reason(value: str, fmt: str) -> str:
    shown = fmt.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD")
    day_first, month_first = _date(value, "%d/%m/%Y"), _date(value, "%m/%d/%Y")
    if day_first and month_first and day_first != month_first:
        return (
            f"is not in the mapping's format {shown} and is ambiguous"
            f" ({day_first:%d %B %Y} or {month_first:%d %B %Y}?); set the mapping's date format"
        )
    if _shape(fmt).fullmatch(value):
        return f"is not a real date (format {shown})"
    for other in DATE_FORMATS:
        if other != fmt and _date(value, other) is not None:
            return f"is not a date in the mapping's format {shown}"
    return f"is not a date (format {shown})"


def _shape(fmt: str) -> re.Pattern[str]:
    """What a date in `fmt` looks like, right or wrong: %d/%m/%Y is two digits, slash, two digits..."""
    pattern = re.escape(fmt).replace("%Y", r"\d{4}").replace("%m", r"\d{1,2}").replace("%d", r"\d{1,2}")
    return re.compile(pattern)


def csv_text(rows: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()
