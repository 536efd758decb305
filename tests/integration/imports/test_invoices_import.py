"""Importing B2B invoice files: one open item per invoice, re-imports, adjustments, refusals, the CLI."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factories import AccountFactory, CreditorFactory
from ledger_helpers import NOW, usd
from recoup.accounts.ledger_selectors import account_statement, aging_report, verify_ledger
from recoup.accounts.models import Account, LedgerTransaction, OpenItem
from recoup.accounts.services import UnableToPostTransaction, record_payment
from recoup.audit.models import AuditEvent
from recoup.cli.main import cli
from recoup.core.ledger import Component
from recoup.imports import invoices_import
from recoup.imports.invoices_import import InvoicesImporter, import_invoices
from recoup.imports.models import ColumnMapping, ImportJob, InvoicePlacement
from recoup.imports.reading import Chunk, FileSettings
from recoup.imports.running import ImportOutcome, ImportRefused
from recoup.parties.models import Creditor

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "invoices.csv"
HEADER = ["account_reference", "invoice_reference", "invoice_date", "due_date", "amount", "currency"]


@pytest.fixture
def creditor() -> Creditor:
    """A supplier with one business debtor holding the two accounts the example file names."""
    creditor = CreditorFactory(code="kmc", name="Keller Metal Supply")
    first = AccountFactory(
        creditor=creditor,
        reference="B2B-5120-0001",
        product_type=Account.ProductType.B2B_INVOICE,
        debtor__business=True,
    )
    AccountFactory(
        creditor=creditor,
        reference="B2B-5120-0002",
        product_type=Account.ProductType.B2B_INVOICE,
        debtor=first.debtors.get(),
    )
    return creditor


def write(path: Path, rows: list[list[str]], header: list[str] = HEADER, delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(path: Path, creditor: Creditor, **options: Any) -> ImportOutcome:
    return import_invoices(path=path, creditor=creditor, settings=FileSettings(), now=NOW, actor=None, **options)


def refused(path: Path, creditor: Creditor) -> list[str]:
    with pytest.raises(ImportRefused) as caught:
        run(path, creditor)
    return [str(p) for p in caught.value.outcome.problems]


def account(reference: str) -> Account:
    return Account.objects.get(reference=reference)


def item(reference: str) -> OpenItem:
    return OpenItem.objects.get(reference=reference)


def counts() -> tuple[int, int, int, int]:
    return (
        OpenItem.objects.count(),
        LedgerTransaction.objects.count(),
        InvoicePlacement.objects.count(),
        AuditEvent.objects.exclude(name__startswith="imports.job").count(),
    )


ONE = ["B2B-5120-0001", "INV-1", "2026-08-01", "2026-08-31", "1000.00", "USD"]


class TestPlacingInvoices:
    def test_the_example_file_makes_one_open_item_per_invoice_charged_on_its_invoice_date(
        self, creditor: Creditor
    ) -> None:
        outcome = run(EXAMPLE, creditor)
        assert outcome.summary() == {
            "rows": 6,
            "created": 6,
            "updated": 0,
            "unchanged": 0,
            "rejected": 0,
            "problems": 0,
        }
        invoice = item("INV-2026-04117")
        assert (invoice.kind, invoice.component, invoice.due_date) == ("invoice", "principal", date(2026, 7, 2))
        assert (invoice.original_minor, invoice.balance_minor) == (481500, 481500)
        charge = LedgerTransaction.objects.filter(entries__open_item=invoice, type="charge").distinct().get()
        assert charge.effective_date == date(2026, 6, 2)
        first, second = account("B2B-5120-0001"), account("B2B-5120-0002")
        assert first.balances[Component.PRINCIPAL] == usd("11050.58")
        assert second.balances[Component.PRINCIPAL] == usd("6112.75")
        assert first.oldest_unpaid_due_date == date(2026, 7, 2)
        placement = InvoicePlacement.objects.get(item=invoice)
        assert (placement.account_id, placement.invoice_reference, placement.amount_minor, placement.job_id) == (
            first.pk,
            "INV-2026-04117",
            481500,
            outcome.job_id,
        )
        events = AuditEvent.objects.filter(name="imports.invoice.placed").order_by("id")
        assert events.count() == 6
        assert events[0].subject_id == invoice.pk
        assert events[0].account_id == first.pk
        assert events[0].after["import"] == outcome.job_id
        assert events[0].after["row"] == 2
        assert ImportJob.objects.get(pk=outcome.job_id).kind == "invoices"
        assert verify_ledger().ok

    def test_each_invoice_ages_from_its_own_due_date(self, creditor: Creditor) -> None:
        run(EXAMPLE, creditor)
        statement = account_statement(account=account("B2B-5120-0001"), as_of=NOW.date())
        assert [(line.reference, line.days_past_due) for line in statement.items] == [
            ("INV-2026-04117", 141),
            ("INV-2026-04398", 112),
            ("INV-2026-04702", 79),
        ]
        report = aging_report(as_of=NOW.date(), today=NOW.date(), creditor=creditor)
        cells = {row.bucket: (row.accounts, row.items, row.balance) for row in report.rows if row.items}
        assert cells == {
            "121-180": (2, 2, usd("6665.00")),
            "91-120": (0, 2, usd("4110.40")),
            "61-90": (0, 2, usd("6387.93")),
        }

    def test_the_lookups_are_two_queries_per_chunk_whatever_its_size(self, creditor: Creditor, tmp_path: Path) -> None:
        run(EXAMPLE, creditor)
        importer = InvoicesImporter(creditor=creditor, settings=FileSettings(), now=NOW, actor=None)
        rows = [
            ["B2B-5120-0001" if n % 2 else "B2B-5120-0002", f"NEW-{n}", "2026-09-01", "2026-10-01", "10.00", ""]
            for n in range(40)
        ]
        rows.append(["B2B-5120-0001", "INV-2026-04117", "2026-06-02", "2026-07-02", "4815.00", "USD"])
        chunk = Chunk(
            rows=list(range(2, 2 + len(rows))), values={c: [r[i] for r in rows] for i, c in enumerate(HEADER)}
        )
        with CaptureQueriesContext(connection) as queries:
            good, problems = importer.parse(chunk)
        assert problems == []
        assert len(good) == 41
        assert len(queries) == 2
        assert good[-1].known is not None


class TestReimporting:
    def test_the_same_file_again_changes_nothing(self, creditor: Creditor) -> None:
        run(EXAMPLE, creditor)
        before = counts()
        outcome = run(EXAMPLE, creditor)
        assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 6)
        assert counts() == before

    def test_a_higher_amount_is_an_adjustment_of_the_difference(self, creditor: Creditor, tmp_path: Path) -> None:
        run(write(tmp_path / "first.csv", [ONE]), creditor)
        outcome = run(write(tmp_path / "second.csv", [[*ONE[:4], "1250.00", "USD"]]), creditor)
        assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, 0)
        assert item("INV-1").balance_minor == 125000
        adjustment = LedgerTransaction.objects.get(type="adjustment")
        assert adjustment.amount_minor == 25000
        assert f"import {outcome.job_id}" in adjustment.memo
        assert AuditEvent.objects.filter(name="accounts.transaction.adjustment", subject_id=adjustment.pk).exists()
        placement = InvoicePlacement.objects.get(invoice_reference="INV-1")
        assert (placement.amount_minor, placement.job_id) == (125000, outcome.job_id)
        event = AuditEvent.objects.get(name="imports.invoice.updated")
        assert event.before == {"amount": "1,000.00 USD"}
        assert event.after == {"amount": "1,250.00 USD", "import": outcome.job_id, "row": 2}
        assert verify_ledger().ok

    def test_a_lower_amount_is_an_adjustment_that_keeps_payments(self, creditor: Creditor, tmp_path: Path) -> None:
        run(write(tmp_path / "first.csv", [ONE]), creditor)
        record_payment(
            account=account("B2B-5120-0001"), amount=usd("300.00"), received_at=NOW, method="card", now=NOW, actor=None
        )
        outcome = run(write(tmp_path / "second.csv", [[*ONE[:4], "800.00", "USD"]]), creditor)
        assert outcome.updated == 1
        # 1000 placed, 300 paid, lowered by 200: 500 still owed.
        assert item("INV-1").balance_minor == 50000
        assert account("B2B-5120-0001").balances[Component.PRINCIPAL] == usd("500.00")
        assert InvoicePlacement.objects.get().amount_minor == 80000
        assert verify_ledger().ok

    def test_a_decrease_larger_than_what_is_still_owed_is_refused(self, creditor: Creditor, tmp_path: Path) -> None:
        run(write(tmp_path / "first.csv", [ONE]), creditor)
        record_payment(
            account=account("B2B-5120-0001"), amount=usd("900.00"), received_at=NOW, method="card", now=NOW, actor=None
        )
        before = counts()
        found = refused(write(tmp_path / "second.csv", [[*ONE[:4], "850.00", "USD"]]), creditor)
        assert found == [
            "row 2: amount: '850.00' lowers invoice INV-1 from 1,000.00 USD by 150.00 USD,"
            " more than the 100.00 USD still owed on it"
        ]
        assert counts() == before
        assert item("INV-1").balance_minor == 10000
        assert InvoicePlacement.objects.get().amount_minor == 100000

    def test_a_changed_due_date_is_refused(self, creditor: Creditor, tmp_path: Path) -> None:
        run(write(tmp_path / "first.csv", [ONE]), creditor)
        found = refused(write(tmp_path / "second.csv", [[*ONE[:3], "2026-09-30", *ONE[4:]]]), creditor)
        assert found == [
            "row 2: due_date: '2026-09-30' differs from the due date already placed (2026-08-31);"
            " a file does not move a due date"
        ]
        assert item("INV-1").due_date == date(2026, 8, 31)


class TestRefusedRows:
    def test_an_unknown_account_is_named_with_the_way_to_place_it(self, creditor: Creditor, tmp_path: Path) -> None:
        found = refused(write(tmp_path / "f.csv", [["B2B-9999", *ONE[1:]]]), creditor)
        assert found == [
            "row 2: account_reference: 'B2B-9999' is not an account of kmc; place it with the accounts file first"
        ]

    def test_another_creditors_account_is_unknown(self, creditor: Creditor, tmp_path: Path) -> None:
        AccountFactory(creditor=CreditorFactory(code="other"), reference="B2B-OTHER")
        found = refused(write(tmp_path / "f.csv", [["B2B-OTHER", *ONE[1:]]]), creditor)
        assert found == [
            "row 2: account_reference: 'B2B-OTHER' is not an account of kmc; place it with the accounts file first"
        ]

    def test_a_currency_other_than_the_accounts_is_refused(self, creditor: Creditor, tmp_path: Path) -> None:
        found = refused(
            write(tmp_path / "f.csv", [[*ONE[:5], "EUR"], [*ONE[:1], "INV-2", *ONE[2:5], "XYZ"]]),
            creditor,
        )
        assert found == [
            "row 2: currency: 'EUR' differs from the account's currency USD",
            "row 3: currency: 'XYZ' is not an ISO 4217 currency code",
        ]

    def test_an_invoice_twice_in_one_file_is_refused_on_the_second_row(
        self, creditor: Creditor, tmp_path: Path
    ) -> None:
        other_account = ["B2B-5120-0002", *ONE[1:]]
        found = refused(write(tmp_path / "f.csv", [ONE, other_account, [*ONE[:4], "5.00", "USD"]]), creditor)
        assert found == ["row 4: invoice_reference: 'INV-1' appears again for account B2B-5120-0001 (first on row 2)"]

    def test_bad_dates_are_refused(self, creditor: Creditor, tmp_path: Path) -> None:
        path = write(
            tmp_path / "f.csv",
            [
                [ONE[0], "INV-1", "31/02/2025", "2026-08-31", "10.00", ""],
                [ONE[0], "INV-2", "2026-11-21", "2026-12-21", "10.00", ""],
                [ONE[0], "INV-3", "2026-08-01", "2026-07-31", "10.00", ""],
                [ONE[0], "INV-4", "2026-08-01", "", "10.00", ""],
            ],
        )
        assert refused(path, creditor) == [
            "row 2: invoice_date: '31/02/2025' is not a date (format YYYY-MM-DD)",
            "row 3: invoice_date: '2026-11-21' is after 2026-11-20",
            "row 4: due_date: '2026-07-31' is before the invoice date 2026-08-01",
            "row 5: due_date: is required",
        ]
        with pytest.raises(ImportRefused) as caught:
            import_invoices(
                path=write(tmp_path / "g.csv", [[ONE[0], "INV-1", "31/02/2025", "01/03/2025", "10.00", ""]]),
                creditor=creditor,
                settings=FileSettings(date_format="%d/%m/%Y"),
                now=NOW,
                actor=None,
            )
        assert [str(p) for p in caught.value.outcome.problems] == [
            "row 2: invoice_date: '31/02/2025' is not a real date (format DD/MM/YYYY)"
        ]

    def test_a_due_date_in_the_future_is_fine(self, creditor: Creditor, tmp_path: Path) -> None:
        run(write(tmp_path / "f.csv", [[ONE[0], "INV-9", "2026-11-20", "2026-12-20", "10.00", ""]]), creditor)
        assert item("INV-9").due_date == date(2026, 12, 20)

    def test_zero_negative_and_unreadable_amounts_are_refused(self, creditor: Creditor, tmp_path: Path) -> None:
        path = write(
            tmp_path / "f.csv",
            [
                [*ONE[:4], "0", ""],
                [ONE[0], "INV-2", *ONE[2:4], "-25.00", ""],
                [ONE[0], "INV-3", *ONE[2:4], "12.345", ""],
                [ONE[0], "INV-4", *ONE[2:4], "", ""],
            ],
        )
        assert refused(path, creditor) == [
            "row 2: amount: '0' must be more than zero",
            "row 3: amount: '-25.00' is negative",
            "row 4: amount: '12.345' has more than 2 decimal places",
            "row 5: amount: is required",
        ]

    def test_an_invoice_reference_that_is_a_spreadsheet_formula_is_refused(
        self, creditor: Creditor, tmp_path: Path
    ) -> None:
        found = refused(write(tmp_path / "f.csv", [[ONE[0], "=cmd|'/C calc'!A0", *ONE[2:]]]), creditor)
        assert found == ["row 2: invoice_reference: '=cmd|'/C calc'!A0' looks like a spreadsheet formula; refused"]
        assert not OpenItem.objects.exists()


class TestAllOrNothing:
    def test_one_bad_row_and_nothing_is_written(self, creditor: Creditor, tmp_path: Path) -> None:
        run(write(tmp_path / "first.csv", [ONE]), creditor)
        before = counts()
        path = write(
            tmp_path / "second.csv",
            [
                [*ONE[:4], "1100.00", "USD"],
                ["B2B-5120-0002", "INV-7", "2026-09-01", "2026-10-01", "70.00", ""],
                ["NOPE", "INV-8", "2026-09-01", "2026-10-01", "80.00", ""],
            ],
        )
        with pytest.raises(ImportRefused) as caught:
            run(path, creditor)
        assert caught.value.outcome.rejected == 1
        assert counts() == before
        assert item("INV-1").balance_minor == 100000
        job = ImportJob.objects.get(pk=caught.value.outcome.job_id)
        assert job.status == ImportJob.Status.REFUSED
        assert job.rejects_path
        assert "NOPE" in Path(job.rejects_path).read_text(encoding="utf-8")

    def test_accept_valid_writes_the_good_rows_and_reports_the_rest(self, creditor: Creditor, tmp_path: Path) -> None:
        path = write(
            tmp_path / "f.csv",
            [
                ONE,
                ["NOPE", "INV-8", "2026-09-01", "2026-10-01", "80.00", ""],
                ["B2B-5120-0002", "INV-7", "2026-09-01", "2026-10-01", "70.00", ""],
            ],
        )
        outcome = run(path, creditor, accept_valid=True)
        assert (outcome.rows, outcome.created, outcome.rejected) == (3, 2, 1)
        assert sorted(OpenItem.objects.values_list("reference", flat=True)) == ["INV-1", "INV-7"]
        assert outcome.rejects_path is not None
        assert "row 3: account_reference" in str(outcome.problems[0])
        assert verify_ledger().ok

    def test_a_row_refused_while_writing_leaves_nothing_behind(
        self, creditor: Creditor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        record_event = invoices_import.record_event

        def failing(**kwargs: Any) -> Any:
            if kwargs.get("after", {}).get("invoice_reference") == "INV-7":
                raise UnableToPostTransaction("amount: refused for the test")
            return record_event(**kwargs)

        monkeypatch.setattr(invoices_import, "record_event", failing)
        path = write(tmp_path / "f.csv", [ONE, ["B2B-5120-0002", "INV-7", "2026-09-01", "2026-10-01", "70.00", ""]])
        outcome = run(path, creditor, accept_valid=True)
        assert (outcome.created, outcome.rejected) == (1, 1)
        assert [str(p) for p in outcome.problems] == ["row 3: amount: '70.00' refused for the test"]
        assert list(OpenItem.objects.values_list("reference", flat=True)) == ["INV-1"]
        assert account("B2B-5120-0002").balances[Component.PRINCIPAL] == usd("0.00")
        assert InvoicePlacement.objects.count() == 1
        assert verify_ledger().ok


class TestCommandLine:
    def test_the_command_imports_and_reimports_the_example(self, creditor: Creditor) -> None:
        runner = CliRunner()
        first = runner.invoke(cli, ["import", "invoices", str(EXAMPLE), "--creditor", "kmc"], catch_exceptions=False)
        assert first.exit_code == 0, first.output
        assert "6 created, 0 updated, 0 unchanged, 0 rejected" in first.output
        again = runner.invoke(cli, ["import", "invoices", str(EXAMPLE), "--creditor", "kmc"], catch_exceptions=False)
        assert "0 created, 0 updated, 6 unchanged" in again.output
        assert OpenItem.objects.filter(kind="invoice").count() == 6

    def test_the_command_needs_a_creditor(self, creditor: Creditor) -> None:
        result = CliRunner().invoke(cli, ["import", "invoices", str(EXAMPLE)])
        assert result.exit_code == 2
        assert "--creditor" in result.output

    def test_the_command_reports_a_refused_file_and_exits_non_zero(self, creditor: Creditor, tmp_path: Path) -> None:
        path = write(tmp_path / "f.csv", [ONE, [ONE[0], "INV-2", *ONE[2:4], "abc", ""]])
        result = CliRunner().invoke(cli, ["import", "invoices", str(path), "--creditor", "kmc"])
        assert result.exit_code == 1
        assert "row 3: amount: 'abc' is not an amount" in result.output
        assert "nothing was written" in result.output
        assert not OpenItem.objects.exists()

    def test_the_command_uses_a_saved_mapping(self, creditor: Creditor, tmp_path: Path) -> None:
        runner = CliRunner()
        saved = runner.invoke(
            cli,
            [
                *("import", "mapping", "save", "erp", "--kind", "invoices", "--creditor", "kmc"),
                *("--delimiter", "semicolon", "--decimal", ",", "--date-format", "%d.%m.%Y"),
                *("--column", "account_reference=Kunde", "--column", "invoice_reference=Rechnung"),
            ],
            catch_exceptions=False,
        )
        assert saved.exit_code == 0, saved.output
        assert ColumnMapping.objects.get().kind == "invoices"
        path = write(
            tmp_path / "erp.csv",
            [["B2B-5120-0001", "R-100", "01.09.2026", "01.10.2026", "1234,50"]],
            header=["Kunde", "Rechnung", "invoice_date", "due_date", "amount"],
            delimiter=";",
        )
        result = runner.invoke(
            cli, ["import", "invoices", str(path), "--creditor", "kmc", "--mapping", "erp"], catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        assert "1 created" in result.output
        assert (item("R-100").original_minor, item("R-100").due_date) == (123450, date(2026, 10, 1))
