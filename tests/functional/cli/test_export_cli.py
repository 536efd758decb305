"""`recoup export accounts|payments|activities` as an operator runs them: files, formats, mistakes, audit.

The `export` group is invoked directly (it is registered on `recoup` in recoup.cli.main).
"""

from __future__ import annotations

import csv
import io
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from factories import AccountFactory, CreditorFactory
from ledger_helpers import owing
from recoup.accounts.models import Account
from recoup.accounts.services import record_payment
from recoup.audit.events import Event
from recoup.audit.models import AuditEvent
from recoup.cli.export_commands import export
from recoup.core.money import Money

pytestmark = pytest.mark.django_db

LATER = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.fixture
def portfolio() -> Account:
    nwb = CreditorFactory(code="nwb", name="Northwind Bank")
    account = owing(AccountFactory(creditor=nwb, reference="NWB-0001"), principal="900.00", fees="35.00")
    owing(AccountFactory(creditor=nwb, reference="NWB-0002", status=Account.Status.LEGAL), principal="10.00")
    owing(AccountFactory(creditor=CreditorFactory(code="hosp", name="Mercy Hospital")), principal="120.00")
    for day in (19, 20, 21):
        record_payment(
            account=account,
            amount=Money.of("5.00", "USD"),
            received_at=datetime(2026, 11, day, 9, 30, tzinfo=UTC),
            method="card",
            now=LATER,
            actor=None,
        )
    return account


def run(*args: str) -> Result:
    return CliRunner().invoke(export, list(args), catch_exceptions=False)


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


class TestAccounts:
    def test_csv_to_standard_output_with_a_summary_on_standard_error(self, portfolio: Account) -> None:
        result = run("accounts", "--as-of", "2026-11-20")
        assert result.exit_code == 0
        rows = rows_of(result.stdout)
        assert [r["account_reference"] for r in rows][-2:] == ["NWB-0001", "NWB-0002"]
        first = next(r for r in rows if r["account_reference"] == "NWB-0001")
        assert (first["principal"], first["fees"], first["total_balance"]) == (
            "900.00",
            "20.00",
            "920.00",
        )  # fees are paid first
        assert first["days_past_due"] == "203"
        assert result.stderr == "Exported 3 accounts to standard output\n"

    def test_xlsx_chosen_by_the_file_extension(self, portfolio: Account, tmp_path: Path) -> None:
        target = tmp_path / "accounts.xlsx"
        result = run("accounts", "--output", str(target))
        assert result.exit_code == 0
        assert result.stderr == f"Exported 3 accounts to {target}\n"
        sheet = load_workbook(target).active
        assert sheet is not None
        assert sheet.max_row == 4
        assert sheet["A1"].value == "creditor_code"

    def test_the_file_is_readable_only_by_its_owner_and_no_temporary_file_is_left(
        self, portfolio: Account, tmp_path: Path
    ) -> None:
        target = tmp_path / "accounts.csv"
        assert run("accounts", "-o", str(target)).exit_code == 0
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        assert [p.name for p in tmp_path.iterdir()] == ["accounts.csv"]
        assert len(rows_of(target.read_text(encoding="utf-8"))) == 3

    def test_csv_is_the_default_for_other_extensions(self, portfolio: Account, tmp_path: Path) -> None:
        target = tmp_path / "accounts.txt"
        assert run("accounts", "--output", str(target)).exit_code == 0
        assert target.read_text(encoding="utf-8").startswith("creditor_code,account_reference,")

    def test_one_creditor_in_some_statuses(self, portfolio: Account) -> None:
        result = run("accounts", "--creditor", "nwb", "--status", "legal", "--status", "paid")
        assert [r["account_reference"] for r in rows_of(result.stdout)] == ["NWB-0002"]
        assert result.stderr == "Exported 1 account to standard output\n"

    def test_each_export_is_audited(self, portfolio: Account, tmp_path: Path) -> None:
        target = tmp_path / "nwb.csv"
        run("accounts", "--creditor", "nwb", "--as-of", "2026-11-20", "-o", str(target))
        event = AuditEvent.objects.get(name=Event.EXPORT_DOWNLOADED.text)
        assert event.actor_label == "system"
        assert event.after is not None
        assert event.after["channel"] == "cli"
        assert event.after["kind"] == "accounts"
        assert event.after["format"] == "csv"
        assert event.after["filters"] == {"creditor": "nwb", "as_of": "2026-11-20"}
        assert event.after["rows"] == 2
        assert event.after["completed"] is True
        assert event.after["output"] == str(target)


class TestPaymentsAndActivities:
    def test_payments_received_in_a_range_of_days(self, portfolio: Account) -> None:
        result = run("payments", "--from", "2026-11-20", "--to", "2026-11-21")
        assert result.exit_code == 0
        rows = rows_of(result.stdout)
        assert [r["received_at"] for r in rows] == ["2026-11-20T09:30:00Z", "2026-11-21T09:30:00Z"]
        assert {r["amount"] for r in rows} == {"5.00"}
        assert result.stderr == "Exported 2 payments to standard output\n"

    def test_activities_to_a_workbook(self, portfolio: Account, tmp_path: Path) -> None:
        target = tmp_path / "trail.xlsx"
        result = run("activities", "--creditor", "hosp", "--output", str(target))
        assert result.exit_code == 0
        sheet = load_workbook(target).active
        assert sheet is not None
        assert sheet.title == "Activities"
        assert [c.value for c in sheet[2]][1:4] == ["accounts.transaction.charge", "system", "hosp"]
        assert result.stderr == f"Exported 1 activity to {target}\n"


class TestMistakesAreOneClearLine:
    def test_an_unknown_creditor_lists_the_known_ones(self, portfolio: Account) -> None:
        result = run("accounts", "--creditor", "acme")
        assert result.exit_code == 2
        assert result.stderr == "recoup: --creditor: no creditor with code 'acme' (creditors: hosp, nwb)\n"
        assert result.stdout == ""

    def test_an_unknown_status_lists_the_allowed_ones(self, portfolio: Account) -> None:
        result = run("accounts", "--status", "lost")
        assert result.exit_code == 2
        assert result.stderr.startswith("recoup: --status: 'lost' is not an account status (statuses: active, ")
        assert "written_off" in result.stderr

    def test_a_range_that_ends_before_it_starts(self, portfolio: Account) -> None:
        result = run("payments", "--from", "2026-11-21", "--to", "2026-11-20")
        assert result.exit_code == 2
        assert "recoup: --from: 2026-11-21 is after --to 2026-11-20" in result.stderr

    def test_xlsx_needs_a_file(self, portfolio: Account) -> None:
        result = run("accounts", "--format", "xlsx")
        assert result.exit_code == 2
        assert result.stderr.startswith("recoup: --output: an XLSX workbook is a zip file")

    def test_a_format_that_contradicts_the_file_name(self, portfolio: Account, tmp_path: Path) -> None:
        result = run("accounts", "--format", "csv", "--output", str(tmp_path / "a.xlsx"))
        assert result.exit_code == 2
        assert "--format: csv does not match the output file" in result.stderr
        assert list(tmp_path.iterdir()) == []

    def test_a_missing_folder(self, portfolio: Account, tmp_path: Path) -> None:
        result = run("accounts", "--output", str(tmp_path / "nope" / "a.csv"))
        assert result.exit_code == 2
        assert "--output: the folder" in result.stderr

    def test_options_of_another_export_are_refused(self, portfolio: Account) -> None:
        result = run("payments", "--status", "active")
        assert result.exit_code == 2
        assert "No such option '--status'" in result.stderr
        assert not AuditEvent.objects.filter(name=Event.EXPORT_DOWNLOADED.text).exists()
