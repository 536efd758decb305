"""Reading a placement file the way its mapping says: encodings, delimiters, separators and dates,
end to end through import_accounts; and files that cannot be read, refused naming row and column."""

from __future__ import annotations

import re
import time
import tracemalloc
from datetime import date
from pathlib import Path

import pytest
from test_import_accounts import HEADER, account, run, write
from test_import_accounts import creditor as creditor  # the fixture

from ledger_helpers import NOW
from recoup.accounts.ledger_selectors import verify_ledger
from recoup.accounts.models import Account, LedgerTransaction
from recoup.core.ledger import Component
from recoup.imports.mappings import save_mapping, settings_for
from recoup.imports.models import ImportJob, ImportKind
from recoup.imports.reading import FileProblem, FileSettings
from recoup.imports.running import ImportRefused
from recoup.parties.models import Creditor

pytestmark = pytest.mark.django_db

GERMAN = ["Kontonummer", "Produkt", "Eroeffnet", "Hauptforderung", "Zinsen", "Nachname", "Zeitzone"]


def placed_minor(reference: str) -> tuple[int, int, list[int]]:
    """Principal and interest owed as the ledger holds them, and its transactions' amounts, in cents."""
    placed = account(reference)
    posted = LedgerTransaction.objects.filter(account=placed).values_list("amount_minor", flat=True)
    return (
        placed.balances[Component.PRINCIPAL].minor,
        placed.balances[Component.INTEREST].minor,
        sorted(posted),
    )


def refused(path: Path, creditor: Creditor, settings: FileSettings) -> list[str]:
    """The problems of an all-or-nothing import that must be refused, having written nothing."""
    with pytest.raises(ImportRefused) as caught:
        run(path, creditor, settings=settings)
    assert not Account.objects.exists()
    assert not LedgerTransaction.objects.exists()
    return [str(p) for p in caught.value.outcome.problems]


class TestEncodings:
    def test_utf8_with_a_byte_order_mark_reads_the_first_column(self, creditor: Creditor, tmp_path: Path) -> None:
        path = tmp_path / "bom.csv"
        path.write_bytes(
            "\ufeff".encode()
            + (",".join(HEADER) + "\n" + "U-1,other,2024-01-01,10.00,,Zoë Ångström,UTC\n").encode("utf-8")
        )
        run(path, creditor)
        assert account("U-1").debtors.get().family_name == "Zoë Ångström"

    @pytest.mark.parametrize(
        ("encoding", "name"),
        # A right quote, an en dash and the euro sign exist in Windows-1252 but not in Latin-1.
        [("latin-1", "Désirée Weiß"), ("cp1252", "O\u2019Brien\u2013Weiß \u20ac")],
        ids=["latin-1", "windows-1252"],
    )
    def test_a_single_byte_encoding_from_the_mapping_reads_accented_names(
        self, creditor: Creditor, tmp_path: Path, encoding: str, name: str
    ) -> None:
        path = write(
            tmp_path / "legacy.csv",
            [["L-1", "other", "2024-01-01", "10.00", "", name, "UTC"]],
            encoding=encoding,
        )
        run(path, creditor, settings=FileSettings(encoding=encoding))
        assert account("L-1").debtors.get().family_name == name

    def test_a_latin1_file_read_as_utf8_is_refused_naming_row_and_column(
        self, creditor: Creditor, tmp_path: Path
    ) -> None:
        path = write(
            tmp_path / "legacy.csv",
            [
                ["L-1", "other", "2024-01-01", "10.00", "", "Plain", "UTC"],
                ["L-2", "other", "2024-01-01", "10.00", "", "Désirée", "UTC"],
            ],
            encoding="latin-1",
        )
        with pytest.raises(FileProblem) as problem:
            run(path, creditor)
        assert str(problem.value) == (
            "row 3: family_name: 'D\ufffdsir\ufffde' has byte 0xE9, which is not valid utf-8"
            " (is the file Latin-1 or Windows-1252? set the mapping's encoding)"
        )
        assert not Account.objects.exists()  # row 2 was fine, and is not written either
        assert ImportJob.objects.get().status == ImportJob.Status.FAILED

    def test_a_bad_byte_names_the_files_own_header_and_the_row_not_the_line(
        self, creditor: Creditor, tmp_path: Path
    ) -> None:
        # Row 2's product spans two lines inside quotes, so row 3 starts on line 4; the bad byte is in Zinsen.
        content = (
            ";".join(GERMAN).encode()
            + b'\nK-1;"other\n";2024-01-01;1,00;;Lee;UTC\nK-2;other;2024-01-01;1,00;7\xe9;Kim;UTC\n'
        )
        path = tmp_path / "export.csv"
        path.write_bytes(content)
        settings = FileSettings(delimiter=";", decimal_separator=",", columns=dict(zip(HEADER, GERMAN, strict=True)))
        with pytest.raises(FileProblem, match=re.escape("row 3: Zinsen: '7\ufffd' has byte 0xE9")):
            run(path, creditor, settings=settings)

    def test_a_file_cut_off_inside_a_character_is_called_truncated(self, creditor: Creditor, tmp_path: Path) -> None:
        path = tmp_path / "cut.csv"
        path.write_bytes(",".join(HEADER).encode() + b"\nC-1,other,2024-01-01,1.00,,Sch\xc3")
        with pytest.raises(FileProblem) as problem:
            run(path, creditor)
        assert str(problem.value) == (
            "row 2: family_name: 'Sch\ufffd' stops in the middle of a character: the file is cut off (is it truncated?)"
        )


class TestDelimitersAndSeparators:
    def test_a_tab_separated_file(self, creditor: Creditor, tmp_path: Path) -> None:
        path = write(
            tmp_path / "tabs.tsv",
            [["T-1", "other", "2024-01-01", "1,234.50", "0.05", "Tab, Ann", "UTC"]],
            delimiter="\t",
        )
        run(path, creditor, settings=FileSettings(delimiter="\t", thousands_separator=","))
        assert placed_minor("T-1") == (123450, 5, [5, 123450])
        assert account("T-1").debtors.get().family_name == "Tab, Ann"  # a comma is just text in a tab file

    def test_semicolons_with_a_decimal_comma(self, creditor: Creditor, tmp_path: Path) -> None:
        path = write(
            tmp_path / "semicolons.csv",
            [["S-1", "other", "2024-01-01", "1234,50", "7,05", "Semi", "UTC"]],
            delimiter=";",
        )
        run(path, creditor, settings=FileSettings(delimiter=";", decimal_separator=","))
        assert placed_minor("S-1") == (123450, 705, [705, 123450])
        assert verify_ledger().ok

    @pytest.mark.parametrize(
        ("principal", "decimal", "thousands"),
        [
            ("1.234,50", ",", "."),
            ("1 234,50", ",", " "),
            ("1\u00a0234,50", ",", "\u00a0"),
            ("1\u00a0234,50", ",", " "),
            ("1'234.50", ".", "'"),
            ("1,234.50", ".", ","),
        ],
        ids=["dot-comma", "space-comma", "nbsp-comma", "nbsp-read-as-space", "apostrophe-dot", "comma-dot"],
    )
    def test_thousands_separators_from_the_mapping_give_exact_cents(
        self, creditor: Creditor, tmp_path: Path, principal: str, decimal: str, thousands: str
    ) -> None:
        delimiter = ";" if "," in principal else ","
        path = write(
            tmp_path / "grouped.csv",
            [
                ["G-1", "other", "2024-01-01", principal, "", "One", "UTC"],
                ["G-2", "other", "2024-01-01", principal.replace("1", "1" + thousands + "000", 1), "", "Two", "UTC"],
            ],
            delimiter=delimiter,
        )
        settings = FileSettings(delimiter=delimiter, decimal_separator=decimal, thousands_separator=thousands)
        run(path, creditor, settings=settings)
        assert placed_minor("G-1") == (123450, 0, [123450])
        assert placed_minor("G-2") == (100023450, 0, [100023450])  # 1 000 234.50: two groups

    def test_a_number_in_another_format_than_the_mapping_is_refused_never_misread(
        self, creditor: Creditor, tmp_path: Path
    ) -> None:
        path = write(
            tmp_path / "grouped.csv",
            [
                ["M-1", "other", "2024-01-01", "1,234.50", "", "Us", "UTC"],  # the mapping says 1.234,50
                ["M-2", "other", "2024-01-01", "12.34,50", "", "Odd", "UTC"],  # not groups of three
                ["M-3", "other", "2024-01-01", "1234,5", "", "Fine", "UTC"],
            ],
            delimiter=";",
        )
        settings = FileSettings(delimiter=";", decimal_separator=",", thousands_separator=".")
        assert refused(path, creditor, settings) == [
            "row 2: principal: '1,234.50' is not an amount",
            "row 3: principal: '12.34,50' is not an amount",
        ]


class TestDates:
    def test_31_february_in_the_mappings_format_is_not_a_real_date(self, creditor: Creditor, tmp_path: Path) -> None:
        save_mapping(
            name="day-first",
            kind=ImportKind.ACCOUNTS,
            creditor=creditor,
            settings=FileSettings(date_format="%d/%m/%Y"),
            now=NOW,
            actor=None,
        )
        settings, _ = settings_for(
            kind=ImportKind.ACCOUNTS, creditor=creditor, mapping_name="day-first", overrides={}, columns={}
        )
        path = write(
            tmp_path / "dates.csv",
            [
                ["D-1", "other", "28/02/2025", "1.00", "", "Fine", "UTC"],
                ["D-2", "other", "31/02/2025", "1.00", "", "Never", "UTC"],
            ],
        )
        assert refused(path, creditor, settings) == [
            "row 3: opened_date: '31/02/2025' is not a real date (format DD/MM/YYYY)"
        ]

    def test_a_date_that_could_be_either_order_is_an_error_without_a_format(
        self, creditor: Creditor, tmp_path: Path
    ) -> None:
        path = write(tmp_path / "dates.csv", [["A-1", "other", "03/04/2025", "1.00", "", "Which", "UTC"]])
        assert refused(path, creditor, FileSettings()) == [
            "row 2: opened_date: '03/04/2025' is not in the mapping's format YYYY-MM-DD and is ambiguous"
            " (03 April 2025 or 04 March 2025?); set the mapping's date format"
        ]

    @pytest.mark.parametrize(
        ("date_format", "opened"),
        [("%d/%m/%Y", date(2025, 4, 3)), ("%m/%d/%Y", date(2025, 3, 4))],
        ids=["day-first", "month-first"],
    )
    def test_the_mappings_format_settles_the_order(
        self, creditor: Creditor, tmp_path: Path, date_format: str, opened: date
    ) -> None:
        path = write(tmp_path / "dates.csv", [["A-1", "other", "03/04/2025", "1.00", "", "Which", "UTC"]])
        run(path, creditor, settings=FileSettings(date_format=date_format))
        assert account("A-1").opened_date == opened

    def test_a_date_in_another_format_than_the_mappings_is_refused(self, creditor: Creditor, tmp_path: Path) -> None:
        path = write(tmp_path / "dates.csv", [["A-1", "other", "2025-04-03", "1.00", "", "Iso", "UTC"]])
        assert refused(path, creditor, FileSettings(date_format="%d/%m/%Y")) == [
            "row 2: opened_date: '2025-04-03' is not a date in the mapping's format DD/MM/YYYY"
        ]


class TestUnreadableRows:
    def test_a_50_mb_line_is_refused_quickly_without_reading_it_all(self, creditor: Creditor, tmp_path: Path) -> None:
        path = tmp_path / "huge.csv"
        with path.open("wb") as handle:
            handle.write(",".join(HEADER).encode() + b"\nH-1,other,2024-01-01,1.00,,Fine,UTC\n")
            handle.write(b"H-2,other,2024-01-01,1.00,,")
            for _ in range(50):
                handle.write(b"z" * (1 << 20))
            handle.write(b",UTC\nH-3,other,2024-01-01,1.00,,After,UTC\n")
        assert path.stat().st_size > 50 * (1 << 20)
        tracemalloc.start()
        started = time.monotonic()
        try:
            with pytest.raises(FileProblem) as problem:
                run(path, creditor)
            elapsed = time.monotonic() - started
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert str(problem.value) == (
            f"row 3: family_name: '{'z' * 57}...' makes the line longer than 1,000,000 bytes;"
            " no row of an import file is that long (is this the right file?)"
        )
        assert elapsed < 15  # about a second even on a busy machine; reading 50 MB as text would be far slower
        assert peak < 20 * (1 << 20), f"{peak:,} bytes held at once"  # the line is never read in whole
        assert not Account.objects.exists()  # not even row 2, which was fine
        assert not LedgerTransaction.objects.exists()
        job = ImportJob.objects.get()
        assert (job.status, job.error) == (ImportJob.Status.FAILED, str(problem.value))

    @pytest.mark.parametrize(
        ("row", "message"),
        [
            (
                b'C-1,other,2024-01-01,"1.00,,Unclosed,UTC\n',
                "row 2: principal: '1.00,,Unclosed,UTC' is cut off: the file ends inside its quotes"
                " (is the file truncated?)",
            ),
            (b"C-1,other,2024-01-01,1.00,,Short\n", "row 2: time_zone: is missing: the row has 6 columns"),
            (
                b"C-1,other,2024-01-01,1.00,,Long,UTC,extra\n",
                "row 2: column 8: 'extra' is past the last column: the row has 8 columns but the header has 7",
            ),
            (
                b'C-1,other,2024-01-01,"1.00"0,,Stray,UTC\n',
                "row 2: principal: '1.000' has text after its closing quote",
            ),
        ],
        ids=["truncated-in-quotes", "truncated-row", "extra-value", "stray-quote"],
    )
    def test_a_malformed_row_is_refused_naming_row_and_column(
        self, creditor: Creditor, tmp_path: Path, row: bytes, message: str
    ) -> None:
        path = tmp_path / "malformed.csv"
        path.write_bytes(",".join(HEADER).encode() + b"\n" + row)
        with pytest.raises(FileProblem, match=re.escape(message)):
            run(path, creditor)
        assert not Account.objects.exists()
