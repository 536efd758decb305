"""Importing placement files: what lands, re-imports, changed balances, all-or-nothing, rejects, mappings."""

from __future__ import annotations

import csv
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from factories import CreditorFactory
from ledger_helpers import NOW, usd
from recoup.accounts.ledger_selectors import verify_ledger
from recoup.accounts.models import Account, LedgerTransaction
from recoup.accounts.services import record_payment
from recoup.audit.models import AuditEvent
from recoup.core.ledger import Component
from recoup.imports.accounts_import import import_accounts
from recoup.imports.models import ImportJob
from recoup.imports.reading import FileProblem, FileSettings
from recoup.imports.running import ImportOutcome, ImportRefused
from recoup.parties.models import ContactPoint, Creditor

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "accounts.csv"
HEADER = ["account_reference", "product_type", "opened_date", "principal", "interest", "family_name", "time_zone"]


@pytest.fixture
def creditor() -> Creditor:
    return CreditorFactory(code="lnb", name="Lakeshore National Bank")


def write(path: Path, rows: list[list[str]], header: list[str] = HEADER, **options: str) -> Path:
    with path.open("w", newline="", encoding=options.pop("encoding", "utf-8")) as handle:
        writer = csv.writer(handle, delimiter=options.pop("delimiter", ","))
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(path: Path, creditor: Creditor, **options: Any) -> ImportOutcome:
    settings = options.pop("settings", FileSettings())
    return import_accounts(path=path, creditor=creditor, settings=settings, now=NOW, actor=None, **options)  # type: ignore[arg-type]


def account(reference: str) -> Account:
    return Account.objects.get(reference=reference)


class TestPlacement:
    def test_the_example_file_places_debtors_accounts_contacts_and_balances(self, creditor: Creditor) -> None:
        outcome = run(EXAMPLE, creditor)
        assert outcome.summary() == {
            "rows": 5,
            "created": 5,
            "updated": 0,
            "unchanged": 0,
            "rejected": 0,
            "problems": 0,
        }
        placed = account("CC-7730-0001")
        assert placed.balances == {
            Component.PRINCIPAL: usd("3890.00"),
            Component.INTEREST: usd("245.30"),
            Component.FEES: usd("75.25"),
            Component.COSTS: usd("0.00"),
        }
        assert placed.oldest_unpaid_due_date == date(2025, 6, 1)  # ages from the date of first delinquency
        assert placed.itemization_amount_minor == 421055
        debtor = placed.debtors.get()
        assert (debtor.given_name, debtor.family_name, debtor.time_zone) == ("Maria", "Alvarez", "America/Chicago")
        phones = ContactPoint.objects.filter(debtor=debtor, kind="phone")
        assert [(p.value, p.source, p.consent) for p in phones] == [("+13125550147", "placement", "unknown")]
        business = account("CC-7730-0005").debtors.get()
        assert (business.kind, business.business_name) == ("business", "Rivera Landscaping Inc")
        assert AuditEvent.objects.filter(name="imports.account.placed").count() == 5
        assert ImportJob.objects.get(pk=outcome.job_id).status == ImportJob.Status.SUCCEEDED
        assert verify_ledger().ok

    def test_importing_the_same_file_again_changes_nothing(self, creditor: Creditor) -> None:
        run(EXAMPLE, creditor)
        before = (LedgerTransaction.objects.count(), AuditEvent.objects.count(), ContactPoint.objects.count())
        outcome = run(EXAMPLE, creditor)
        assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 5)
        assert (LedgerTransaction.objects.count(), AuditEvent.objects.count(), ContactPoint.objects.count()) == before

    def test_a_changed_balance_is_an_adjustment_of_the_difference_and_keeps_payments(
        self, creditor: Creditor, tmp_path: Path
    ) -> None:
        write(tmp_path / "first.csv", [["A-1", "credit_card", "2024-01-01", "500.00", "40.00", "Lee", "UTC"]])
        run(tmp_path / "first.csv", creditor)
        record_payment(
            account=account("A-1"), amount=usd("100.00"), received_at=NOW, method="card", now=NOW, actor=None
        )
        write(tmp_path / "second.csv", [["A-1", "credit_card", "2024-01-01", "550.00", "40.00", "Lee-Park", "UTC"]])
        outcome = run(tmp_path / "second.csv", creditor)
        assert outcome.updated == 1
        placed = account("A-1")
        # 500 + 40 placed, 100 paid (fees none, interest 40 first, then 60 principal), then +50 principal.
        assert placed.balances[Component.PRINCIPAL] == usd("490.00")
        assert placed.balances[Component.INTEREST] == usd("0.00")
        adjustment = LedgerTransaction.objects.get(account=placed, type="adjustment")
        assert adjustment.amount_minor == 5000
        event = AuditEvent.objects.get(name="imports.account.updated")
        assert event.before == {"debtor.family_name": "Lee", "placed.principal": "500.00 USD"}
        assert event.after["placed.principal"] == "550.00 USD"
        assert placed.debtors.get().family_name == "Lee-Park"
        assert verify_ledger().ok

    def test_lowering_a_balance_below_what_is_still_owed_is_refused_for_that_row(
        self, creditor: Creditor, tmp_path: Path
    ) -> None:
        write(tmp_path / "first.csv", [["A-1", "credit_card", "2024-01-01", "100.00", "", "Lee", "UTC"]])
        run(tmp_path / "first.csv", creditor)
        record_payment(account=account("A-1"), amount=usd("90.00"), received_at=NOW, method="card", now=NOW, actor=None)
        write(tmp_path / "second.csv", [["A-1", "credit_card", "2024-01-01", "50.00", "", "Lee", "UTC"]])
        with pytest.raises(ImportRefused) as refused:
            run(tmp_path / "second.csv", creditor)
        assert "row 2: principal" in str(refused.value)
        assert account("A-1").balances[Component.PRINCIPAL] == usd("10.00")

    def test_an_excel_workbook_reads_like_a_csv(self, creditor: Creditor, tmp_path: Path) -> None:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(HEADER)
        sheet.append(["X-1", "utility", date(2023, 5, 1), 1234.5, 0.1, "Nguyen", "Australia/Sydney"])
        book.save(tmp_path / "placement.xlsx")
        run(tmp_path / "placement.xlsx", creditor)
        assert account("X-1").balances[Component.PRINCIPAL] == usd("1234.50")
        assert account("X-1").balances[Component.INTEREST] == usd("0.10")


class TestBadRows:
    ROWS = [
        ["G-1", "credit_card", "2024-01-01", "10.00", "", "Good", "UTC"],
        ["B-1", "boat", "2024-01-01", "10.00", "", "Bad", "UTC"],
        ["B-2", "credit_card", "2025-02-31", "-5", "abc", "=cmd|' /C calc'!A0", "Mars/Olympus"],
        ["G-1", "credit_card", "2024-01-01", "10.00", "", "Again", "UTC"],
        ["B-3", "credit_card", "2024-01-01", "12.345", "", "Precise", "UTC"],
        ["B-4", "credit_card", "2024-01-01", "", "", "Nothing", "UTC"],
    ]

    def test_all_or_nothing_writes_nothing_and_names_every_row_and_column(
        self, creditor: Creditor, tmp_path: Path
    ) -> None:
        path = write(tmp_path / "bad.csv", self.ROWS)
        with pytest.raises(ImportRefused) as refused:
            run(path, creditor)
        outcome = refused.value.outcome
        assert not Account.objects.exists()
        found = {(p.row, p.column, p.reason) for p in outcome.problems}
        assert (
            3,
            "product_type",
            "is not one of credit_card, personal_loan, utility, medical, b2b_invoice, other",
        ) in found
        assert (4, "opened_date", "is not a real date (format YYYY-MM-DD)") in found
        assert (4, "principal", "is negative") in found
        assert (4, "interest", "is not an amount") in found
        assert (4, "family_name", "looks like a spreadsheet formula; refused") in found
        assert (4, "time_zone", "is not an IANA time zone (like America/Chicago)") in found
        assert (5, "account_reference", "appears again (first on row 2)") in found
        assert (6, "principal", "has more than 2 decimal places") in found
        assert any(p.row == 7 and "owes nothing" in p.reason for p in outcome.problems)
        assert outcome.rejected == 5
        job = ImportJob.objects.get(pk=outcome.job_id)
        assert job.status == ImportJob.Status.REFUSED
        with Path(job.rejects_path).open(newline="", encoding="utf-8") as handle:
            rejects = list(csv.DictReader(handle))
        assert [r["row"] for r in rejects] == ["3", "4", "5", "6", "7"]
        assert rejects[1]["family_name"] == "'=cmd|' /C calc'!A0"  # never a live formula in the rejects file

    def test_accept_valid_writes_the_good_rows_and_lists_the_rest(self, creditor: Creditor, tmp_path: Path) -> None:
        path = write(tmp_path / "bad.csv", self.ROWS)
        outcome = run(path, creditor, accept_valid=True)
        assert list(Account.objects.values_list("reference", flat=True)) == ["G-1"]
        assert (outcome.created, outcome.rejected) == (1, 5)
        assert outcome.rejects_path is not None
        assert outcome.rejects_path.exists()

    def test_chunks_validated_ahead_report_in_file_order_and_write_the_same(
        self, creditor: Creditor, tmp_path: Path
    ) -> None:
        # Two rows per chunk: the next chunks are validated in a background thread while one is written.
        path = write(tmp_path / "bad.csv", self.ROWS)
        outcome = run(path, creditor, accept_valid=True, chunk_size=2)
        assert list(Account.objects.values_list("reference", flat=True)) == ["G-1"]
        assert (outcome.rows, outcome.created, outcome.rejected) == (6, 1, 5)
        assert outcome.rejects_path is not None
        with outcome.rejects_path.open(newline="", encoding="utf-8") as handle:
            assert [r["row"] for r in csv.DictReader(handle)] == ["3", "4", "5", "6", "7"]

    def test_a_file_problem_after_chunks_were_written_leaves_nothing_written(
        self, creditor: Creditor, tmp_path: Path
    ) -> None:
        good = [[f"G-{n}", "credit_card", "2024-01-01", "10.00", "", "Good", "UTC"] for n in range(6)]
        path = write(tmp_path / "cut.csv", [*good, ["G-9", "credit_card"]])
        with pytest.raises(FileProblem, match="row 8"):
            run(path, creditor, chunk_size=2)
        assert not Account.objects.exists()
        assert ImportJob.objects.get().status == ImportJob.Status.FAILED


class TestFiles:
    def test_a_mapping_reads_another_systems_export(self, creditor: Creditor, tmp_path: Path) -> None:
        header = ["Kontonummer", "Produkt", "Eroeffnet", "Hauptforderung", "Zinsen", "Nachname", "Zeitzone"]
        path = write(
            tmp_path / "export.csv",
            [["K-1", "personal_loan", "01.02.2024", "1.234,56", "7,00", "Müller", "Europe/Berlin"]],
            header=header,
            delimiter=";",
            encoding="cp1252",
        )
        settings = FileSettings(
            encoding="cp1252",
            delimiter=";",
            decimal_separator=",",
            thousands_separator=".",
            date_format="%d.%m.%Y",
            columns=dict(zip(HEADER, header, strict=True)),
        )
        run(path, creditor, settings=settings)
        placed = account("K-1")
        assert placed.balances[Component.PRINCIPAL] == usd("1234.56")
        assert placed.opened_date == date(2024, 2, 1)
        assert placed.debtors.get().family_name == "Müller"

    def test_a_day_month_order_is_never_guessed(self, creditor: Creditor, tmp_path: Path) -> None:
        path = write(tmp_path / "dates.csv", [["D-1", "other", "03/04/2024", "1.00", "", "Day", "UTC"]])
        with pytest.raises(ImportRefused, match=r"ambiguous \(03 April 2024 or 04 March 2024\?\)"):
            run(path, creditor)

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"", "the file is empty"),
            (b"account_reference,product_type\nA,other\n", "row 1: required column missing: opened_date"),
            (
                b"account_reference,product_type,opened_date,opened_date\n",
                "column 'opened_date' appears twice",
            ),
            (
                b'account_reference,product_type,opened_date,family_name\nA,other,2024-01-01,"Unfinished\n',
                "row 2: family_name: 'Unfinished' is cut off: the file ends inside its quotes (is the file truncated?)",
            ),
            (
                b"account_reference,product_type,opened_date,family_name\nA,other,2024-01-01,Ok\nB,other,2024-01-01,Caf\xe9\n",
                "row 3: family_name: 'Caf\ufffd' has byte 0xE9, which is not valid utf-8",
            ),
            (
                b"account_reference,product_type,opened_date,family_name\nA,other,2024-01-01\n",
                "row 2: family_name: is missing: the row has 3 columns but the header has 4",
            ),
            (
                b"account_reference,product_type,opened_date,family_name\nA,other,2024-01-01,"
                + b"x" * 1_200_000
                + b"\n",
                f"row 2: family_name: '{'x' * 57}...' makes the line longer than 1,000,000 bytes",
            ),
        ],
        ids=["empty", "missing-column", "duplicate-header", "truncated", "mixed-encoding", "short-row", "huge-line"],
    )
    def test_an_unreadable_file_is_refused_with_where_and_why(
        self, creditor: Creditor, tmp_path: Path, content: bytes, message: str
    ) -> None:
        path = tmp_path / "placement.csv"
        path.write_bytes(content)
        with pytest.raises(FileProblem, match=re.escape(message)):
            run(path, creditor)
        assert not Account.objects.exists()
        assert ImportJob.objects.get().status == ImportJob.Status.FAILED

    def test_the_file_date_may_not_be_after_today(self, creditor: Creditor, tmp_path: Path) -> None:
        tomorrow = (NOW.date() + timedelta(days=1)).isoformat()
        path = write(tmp_path / "future.csv", [["F-1", "other", tomorrow, "1.00", "", "Soon", "UTC"]])
        with pytest.raises(ImportRefused, match=f"row 2: opened_date: '{tomorrow}' is after"):
            run(path, creditor)


def test_an_unknown_currency_is_refused_naming_row_and_column(creditor: Creditor, tmp_path: Path) -> None:
    header = [*HEADER, "currency"]
    rows = [
        ["C-1", "other", "2024-01-01", "10.00", "", "Ok", "UTC", "usd"],
        ["C-2", "other", "2024-01-01", "10.00", "", "Odd", "UTC", "XYZ"],
    ]
    path = write(tmp_path / "currencies.csv", rows, header=header)
    with pytest.raises(ImportRefused) as refused:
        run(path, creditor)
    assert [str(p) for p in refused.value.outcome.problems] == [
        "row 3: currency: 'XYZ' is not an ISO 4217 currency code"
    ]


class TestFirstChunkCutInTwo:
    """Writing starts after the first chunk's head is validated; the rows and their problems are the
    same as when the chunk is validated whole."""

    def test_problems_are_named_as_in_a_whole_chunk(
        self, creditor: Creditor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        path = write(tmp_path / "bad.csv", TestBadRows.ROWS)
        with pytest.raises(ImportRefused) as whole:
            run(path, creditor)
        monkeypatch.setattr("recoup.imports.running.FIRST_PIECE_ROWS", 2)  # rows 2-3, then 4-7
        with pytest.raises(ImportRefused) as cut:
            run(path, creditor)
        problems = [(p.row, p.column, p.value, p.reason) for p in cut.value.outcome.problems]
        assert problems == [(p.row, p.column, p.value, p.reason) for p in whole.value.outcome.problems]
        assert (5, "account_reference", "G-1", "appears again (first on row 2)") in problems  # across the cut
        assert cut.value.outcome.rejected == 5
        assert not Account.objects.exists()

    def test_every_row_lands_once(self, creditor: Creditor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr("recoup.imports.running.FIRST_PIECE_ROWS", 2)
        rows = [[f"C-{n}", "credit_card", "2024-01-01", f"{n}0.00", "1.50", f"Family {n}", "UTC"] for n in range(1, 8)]
        outcome = run(write(tmp_path / "cut.csv", rows), creditor, chunk_size=5)  # 2 + 3, then 2
        assert (outcome.rows, outcome.created) == (7, 7)
        assert sorted(Account.objects.values_list("reference", flat=True)) == [f"C-{n}" for n in range(1, 8)]
        assert account("C-7").balance == usd("71.50")
        assert verify_ledger().ok
        again = run(write(tmp_path / "cut.csv", rows), creditor, chunk_size=5)
        assert again.unchanged == 7
