"""Issue 20.2, what a workbook under the size limits could still do to memory: the parts read whole
(shared strings, styles) are bounded together, one row cannot take more than ROW_BYTES of the sheet,
a sheet cannot number its rows past Excel's last row, and a damaged or hostile sheet is one sentence
naming the row it stopped at. Each is refused with nothing written but the failed import's record."""

from __future__ import annotations

import random
import string
import zipfile
from pathlib import Path

import pytest
from test_import_accounts import HEADER, run
from test_import_accounts import creditor as creditor  # the fixture
from test_import_limits import ROW, refused, rows, workbook

from recoup.accounts.models import Account
from recoup.imports.reading import LAST_EXCEL_ROW, ROW_BYTES, FileSettings
from recoup.imports.uploads import count_rows
from recoup.parties.models import Creditor
from recoup.platform.config import ImportLimits

pytestmark = pytest.mark.django_db
SHEET = "xl/worksheets/sheet1.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def rebuilt(path: Path, parts: dict[str, bytes], content_types: str | None = None) -> Path:
    """The workbook at `path` with `parts` put in (replacing any of the same name), and, when given,
    one more Override line in its list of parts."""
    source = path.with_suffix(".orig.xlsx")
    path.rename(source)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as new:
        for member in old.infolist():
            if member.filename in parts:
                continue
            data = old.read(member)
            if member.filename == "[Content_Types].xml" and content_types:
                data = data.replace(b"</Types>", content_types.encode() + b"</Types>")
            new.writestr(member.filename, data)
        for name, data in parts.items():
            new.writestr(name, data)
    source.unlink()
    return path


def sheet(body: str) -> bytes:
    header = "".join(f'<c t="inlineStr"><is><t>{name}</t></is></c>' for name in HEADER)
    return f'<worksheet xmlns="{MAIN}"><sheetData><row>{header}</row>{body}</sheetData></worksheet>'.encode()


GOOD_ROW = (
    "<row>"
    + "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>' for value in [ROW[0].format(1), *ROW[1:]])
    + "</row>"
)


def test_a_plain_rebuilt_workbook_imports(creditor: Creditor, tmp_path: Path) -> None:
    """The control: the same hand-built sheet with an ordinary row is read and imported."""
    path = rebuilt(workbook(tmp_path / "ok.xlsx", rows(1)), {SHEET: sheet(GOOD_ROW)})
    run(path, creditor)
    assert Account.objects.filter(reference="L-1").exists()


def test_a_row_of_more_cells_than_fit_in_the_row_limit_is_refused(creditor: Creditor, tmp_path: Path) -> None:
    cells = "".join(f"<c><v>{random.randrange(10**9)}</v></c>" for _ in range(ROW_BYTES // 20))  # no zip bomb
    path = rebuilt(workbook(tmp_path / "wide.xlsx", rows(1)), {SHEET: sheet(GOOD_ROW + f"<row>{cells}</row>")})
    message = refused(path, creditor)
    assert message.startswith("row 3: the sheet runs on for more than 4.0 MB without completing a row")


def test_one_value_longer_than_the_row_limit_is_refused_before_it_is_built(creditor: Creditor, tmp_path: Path) -> None:
    huge = "".join(
        random.choices(string.ascii_letters, k=ROW_BYTES + 100_000)
    )  # over by more than a read  # no ratio trips the zip-bomb check
    body = f'<row><c t="inlineStr"><is><t>{huge}</t></is></c></row>'
    message = refused(rebuilt(workbook(tmp_path / "long.xlsx", rows(1)), {SHEET: sheet(body)}), creditor)
    assert message.startswith("row 2: the sheet runs on for more than 4.0 MB without completing a row")


def test_more_than_the_row_limit_before_the_first_row_is_refused_as_the_workbook_opens(
    creditor: Creditor, tmp_path: Path
) -> None:
    columns = "".join(f'<col min="{i}" max="{i}" width="{random.randrange(10**6)}"/>' for i in range(1, 150_000))
    xml = sheet(GOOD_ROW).replace(b"<sheetData>", f"<cols>{columns}</cols><sheetData>".encode())
    message = refused(rebuilt(workbook(tmp_path / "prelude.xlsx", rows(1)), {SHEET: xml}), creditor)
    assert message == (
        "file: 'prelude.xlsx' is not a readable Excel workbook: its first sheet runs on for more than 4.0 MB"
        " before its first row"
    )


def test_a_sheet_numbering_its_rows_past_the_last_excel_row_is_refused(creditor: Creditor, tmp_path: Path) -> None:
    """Unrefused, the reader would hand on a billion blank rows one by one to reach row 1,000,000,000."""
    body = GOOD_ROW + '<row r="1000000000"><c r="A1000000000"><v>1</v></c></row>'
    message = refused(rebuilt(workbook(tmp_path / "far.xlsx", rows(1)), {SHEET: sheet(body)}), creditor)
    assert message == f"file: 'far.xlsx' numbers its rows past {LAST_EXCEL_ROW:,}, the last row a workbook can have"


def test_shared_strings_over_the_limit_are_refused_before_they_are_read(
    creditor: Creditor, tmp_path: Path, settings: object
) -> None:
    settings.IMPORT_LIMITS = ImportLimits(whole_parts_bytes=1024 * 1024)  # type: ignore[attr-defined]
    strings = "".join(f"<si><t>{random.randrange(10**12)}</t></si>" for _ in range(80_000))  # ~2 MB, ~2.5 to 1
    sst = f'<sst xmlns="{MAIN}">{strings}</sst>'.encode()
    path = rebuilt(workbook(tmp_path / "sst.xlsx", rows(1)), {"xl/sharedStrings.xml": sst})
    message = refused(path, creditor)
    assert message.startswith(
        "file: 'sst.xlsx' has shared strings, styles and other parts (all but its sheets) that unzip to 2."
    )
    assert message.endswith("over the limit of 1.0 MB (set RECOUP_IMPORT_MAX_SHARED_MB to allow more)")
    assert count_rows(path, FileSettings()) == 0  # the progress count does not open it either


def test_a_part_declared_both_a_sheet_and_something_else_counts_as_read_whole(
    creditor: Creditor, tmp_path: Path, settings: object
) -> None:
    """Naming the shared strings a sheet too, in the list of parts, does not take them out of the bound."""
    settings.IMPORT_LIMITS = ImportLimits(whole_parts_bytes=1024 * 1024)  # type: ignore[attr-defined]
    strings = "".join(f"<si><t>{random.randrange(10**12)}</t></si>" for _ in range(80_000))
    sst = f'<sst xmlns="{MAIN}">{strings}</sst>'.encode()
    also_sheet = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    )
    path = rebuilt(workbook(tmp_path / "twice.xlsx", rows(1)), {"xl/sharedStrings.xml": sst}, also_sheet)
    assert "(set RECOUP_IMPORT_MAX_SHARED_MB to allow more)" in refused(path, creditor)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            GOOD_ROW + "<row><c><v>1</v></c>",
            "row 3: the workbook cannot be read from here (ExpatError: no element found",
        ),
        (
            GOOD_ROW + '<row><c t="s"><v>99999</v></c></row>',  # a shared string that is not there
            "row 3: the workbook cannot be read from here (IndexError",
        ),
    ],
    ids=["cut-off sheet", "missing shared string"],
)
def test_a_damaged_sheet_is_one_sentence_naming_the_row(
    creditor: Creditor, tmp_path: Path, body: str, expected: str
) -> None:
    xml = sheet(body)
    if "cut-off" in expected or body.endswith("</c>"):
        xml = xml[: xml.rindex(b"</sheetData>")]
    message = refused(rebuilt(workbook(tmp_path / "damaged.xlsx", rows(1)), {SHEET: xml}), creditor)
    assert message.startswith(expected)


def test_an_entity_expansion_in_a_sheet_is_refused(creditor: Creditor, tmp_path: Path) -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefgh", "bcdefghi", strict=True))
        + "]>"
    )
    xml = laughs.encode() + sheet('<row><c t="inlineStr"><is><t>&i;</t></is></c></row>')
    message = refused(rebuilt(workbook(tmp_path / "laughs.xlsx", rows(1)), {SHEET: xml}), creditor)
    assert message == (
        "file: 'laughs.xlsx' is not a readable Excel workbook"
        " (EntitiesForbidden: EntitiesForbidden(name='a', system_id=None, public_id=None))"
    )
