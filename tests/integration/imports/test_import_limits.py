"""Issue 20.2: import files bounded by size, unzipped size, rows and value length, before and while
reading; refused with one clear sentence, nothing written but the failed job's record."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from test_import_accounts import HEADER, run, write
from test_import_accounts import creditor as creditor  # the fixture

from recoup.accounts.models import Account, LedgerTransaction
from recoup.imports.models import ImportJob
from recoup.imports.reading import FileProblem, FileSettings
from recoup.imports.running import ImportRefused
from recoup.imports.uploads import count_rows
from recoup.parties.models import Creditor
from recoup.platform.config import ConfigurationError, ImportLimits, load_config

pytestmark = pytest.mark.django_db
ROW = ["L-{}", "other", "2024-01-01", "10.00", "", "Lee", "UTC"]


def rows(count: int) -> list[list[str]]:
    return [[ROW[0].format(i), *ROW[1:]] for i in range(count)]


def workbook(path: Path, data: list[list[str]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in data:
        sheet.append(row)
    book.save(path)
    return path


def refused(path: Path, creditor: Creditor) -> str:
    with pytest.raises(FileProblem) as caught:
        run(path, creditor)
    assert not Account.objects.exists()
    assert not LedgerTransaction.objects.exists()
    job = ImportJob.objects.get()
    assert (job.status, job.error) == (ImportJob.Status.FAILED, str(caught.value))
    return str(caught.value)


def bomb(path: Path, megabytes: int = 20) -> Path:
    """A workbook whose shared strings unzip from a few kB to `megabytes` MB, written streaming."""
    workbook(path, rows(1))
    with (
        zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/sharedStrings2.xml", "w", force_zip64=True) as member,
    ):
        block = b"A" * (1 << 20)
        for _ in range(megabytes):
            member.write(block)
    return path


def test_a_zip_bomb_is_refused_before_it_is_unzipped(creditor: Creditor, tmp_path: Path) -> None:
    message = refused(bomb(tmp_path / "bomb.xlsx"), creditor)
    assert message.startswith("file: 'bomb.xlsx' is refused as a zip bomb: its part xl/sharedStrings2.xml unzips")
    assert "20.0 MB" in message


def test_a_workbook_unzipping_over_the_limit_is_refused(creditor: Creditor, tmp_path: Path, settings: object) -> None:
    settings.IMPORT_LIMITS = ImportLimits(uncompressed_bytes=4096)  # type: ignore[attr-defined]
    message = refused(workbook(tmp_path / "big.xlsx", rows(50)), creditor)
    assert message.startswith("file: 'big.xlsx' unzips to ")
    assert message.endswith("over the limit of 0.0 MB (set RECOUP_IMPORT_MAX_UNCOMPRESSED_MB to allow more)")


def test_a_file_over_the_size_limit_is_refused(creditor: Creditor, tmp_path: Path, settings: object) -> None:
    settings.IMPORT_LIMITS = ImportLimits(file_bytes=100)  # type: ignore[attr-defined]
    message = refused(write(tmp_path / "big.csv", rows(10)), creditor)
    assert "(set RECOUP_IMPORT_MAX_FILE_MB to allow more)" in message


def test_an_invalid_zip_is_named(creditor: Creditor, tmp_path: Path) -> None:
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0 not a zip at all")
    message = refused(path, creditor)
    assert message.startswith("file: 'old.xlsx' is not a readable Excel workbook: it is not a ZIP archive")


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_more_rows_than_the_limit_are_refused_and_nothing_is_written(
    creditor: Creditor, tmp_path: Path, settings: object, suffix: str
) -> None:
    settings.IMPORT_LIMITS = ImportLimits(rows=5)  # type: ignore[attr-defined]
    path = tmp_path / f"many.{suffix}"
    (write if suffix == "csv" else workbook)(path, rows(6))
    message = refused(path, creditor)
    assert message == (
        f"file: 'many.{suffix}' has more than 5 rows, over the limit of 5 rows"
        " (set RECOUP_IMPORT_MAX_ROWS to allow more)"
    )
    assert count_rows(path, FileSettings()) <= 6


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_a_value_longer_than_the_limit_is_refused(
    creditor: Creditor, tmp_path: Path, settings: object, suffix: str
) -> None:
    settings.IMPORT_LIMITS = ImportLimits(cell_chars=50)  # type: ignore[attr-defined]
    data = rows(2)
    data[1][5] = "z" * 51
    path = tmp_path / f"long.{suffix}"
    (write if suffix == "csv" else workbook)(path, data)
    message = refused(path, creditor)
    assert message.startswith("row 3: family_name: 'zzz")
    assert "(set RECOUP_IMPORT_MAX_CELL_CHARS to allow more)" in message


def test_a_bomb_is_not_opened_to_count_its_rows(tmp_path: Path) -> None:
    assert count_rows(bomb(tmp_path / "bomb.xlsx"), FileSettings()) == 0


def test_bad_limit_settings_are_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="RECOUP_IMPORT_MAX_ROWS: 'many' is not a whole number"):
        load_config({"RECOUP_DATA_DIR": str(tmp_path), "RECOUP_IMPORT_MAX_ROWS": "many"}, cwd=tmp_path)
    limits = load_config({"RECOUP_DATA_DIR": str(tmp_path), "RECOUP_IMPORT_MAX_FILE_MB": "3"}, cwd=tmp_path)
    assert limits.import_limits.file_bytes == 3 * 1024 * 1024
    shared = load_config({"RECOUP_DATA_DIR": str(tmp_path), "RECOUP_IMPORT_MAX_SHARED_MB": "64"}, cwd=tmp_path)
    assert shared.import_limits.whole_parts_bytes == 64 * 1024 * 1024
    with pytest.raises(ConfigurationError, match="RECOUP_IMPORT_MAX_SHARED_MB"):
        load_config({"RECOUP_DATA_DIR": str(tmp_path), "RECOUP_IMPORT_MAX_SHARED_MB": "0"}, cwd=tmp_path)


def test_a_utf16_csv_is_named_as_such_with_what_to_do(creditor: Creditor, tmp_path: Path) -> None:
    """Excel's "Unicode Text" save is UTF-16: refused by name, not as a wall of undecodable bytes."""
    path = tmp_path / "unicode.csv"
    path.write_text(",".join(HEADER) + "\n" + ",".join(rows(1)[0]) + "\n", encoding="utf-16")
    assert refused(path, creditor) == (
        "file: 'unicode.csv' is UTF-16 text (as Excel's \"Unicode Text\" saves it), which is not read:"
        ' save it as "CSV UTF-8" or as an Excel workbook (.xlsx)'
    )


def test_a_workbook_renamed_to_csv_is_refused_as_not_text(creditor: Creditor, tmp_path: Path) -> None:
    renamed = tmp_path / "placements.csv"
    renamed.write_bytes(workbook(tmp_path / "placements.xlsx", rows(3)).read_bytes())
    message = refused(renamed, creditor)
    assert message.startswith("file: 'placements.csv' is not a text file: it has ")
    assert message.endswith("(is it a spreadsheet or other binary file renamed to .csv?)")


def test_one_stray_nul_in_a_csv_is_named_by_row_and_column(creditor: Creditor, tmp_path: Path) -> None:
    data = rows(2)
    data[1][5] = "Le\x00e"
    with pytest.raises(ImportRefused) as caught:
        run(write(tmp_path / "stray.csv", data), creditor)
    assert (
        str(caught.value)
        == "1 of 2 rows refused, nothing written: row 3: family_name: 'Le\\0e' contains a NUL character"
    )
    assert not Account.objects.exists()
