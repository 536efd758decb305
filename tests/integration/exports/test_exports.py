"""Exports of accounts, payments and activities: columns, exact money, filters, formula injection, streaming."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from factories import AccountFactory, CreditorFactory, DebtorFactory, TeamFactory, UserFactory
from ledger_helpers import owing
from recoup.accounts.models import Account, AccountDebtor, Payment
from recoup.accounts.services import change_account_status, record_payment, reverse_payment
from recoup.audit.events import Event
from recoup.audit.models import AuditEvent
from recoup.audit.services import record_event
from recoup.core.account_status import AccountStatus
from recoup.core.money import Money
from recoup.exports.services import (
    ExportFilters,
    ExportFormat,
    ExportKind,
    UnableToExport,
    check_filters,
    export_accounts,
    export_activities,
    export_filename,
    export_payments,
    row_source,
    run_export,
)
from recoup.exports.sources import ACCOUNT_COLUMNS, ACTIVITY_COLUMNS, PAYMENT_COLUMNS, Column, ColumnKind
from recoup.exports.writers import csv_chunks, neutralise, write_csv, write_xlsx
from recoup.users.roles import Role

pytestmark = pytest.mark.django_db

LATER = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
AS_OF = date(2026, 11, 20)


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def accounts_csv(**kwargs: Any) -> list[dict[str, str]]:
    out = io.BytesIO()
    count = export_accounts(out=out, **kwargs)
    rows = read_csv(out.getvalue())
    assert count == len(rows)
    return rows


def payments_csv(**kwargs: Any) -> list[dict[str, str]]:
    out = io.BytesIO()
    count = export_payments(out=out, **kwargs)
    rows = read_csv(out.getvalue())
    assert count == len(rows)
    return rows


def activities_csv(**kwargs: Any) -> list[dict[str, str]]:
    out = io.BytesIO()
    count = export_activities(out=out, **kwargs)
    rows = read_csv(out.getvalue())
    assert count == len(rows)
    return rows


def by_reference(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {row["account_reference"]: row for row in rows}


@pytest.fixture
def portfolio() -> dict[str, Account]:
    """Accounts in USD, JPY (no decimals) and BHD (three), with debtors by role, an officer and a team."""
    nwb = CreditorFactory(code="nwb", name="Northwind Bank")
    officer = UserFactory(username="o.lee", role=Role.OFFICER)
    team = TeamFactory(name="Early stage")
    lovelace = AccountFactory(
        creditor=nwb,
        reference="NWB-0001",
        original_creditor="Old Bank plc",
        assigned_officer=officer,
        team=team,
        debtor=DebtorFactory(given_name="Ada", family_name="Lovelace"),
    )
    owing(lovelace, principal="1234.56", interest="0.10", fees="25.00")
    AccountDebtor.objects.create(account=lovelace, debtor=DebtorFactory(), role=AccountDebtor.Role.CO_DEBTOR)
    for _ in range(2):
        AccountDebtor.objects.create(account=lovelace, debtor=DebtorFactory(), role=AccountDebtor.Role.GUARANTOR)
    acme = AccountFactory(
        creditor=nwb,
        reference="NWB-0002",
        status=Account.Status.LEGAL,
        product_type=Account.ProductType.B2B_INVOICE,
        debtor=DebtorFactory(business=True, business_name="Acme Widgets Ltd"),
    )
    overpaid = owing(AccountFactory(creditor=nwb, reference="NWB-0003"), principal="100.00")
    record_payment(
        account=overpaid, amount=Money.of("150.00", "USD"), received_at=LATER, method="card", now=LATER, actor=None
    )
    kyoto = CreditorFactory(code="kyoto", name="Kyoto Lending", default_currency="JPY", country="JP", jurisdiction="")
    yen = owing(AccountFactory(creditor=kyoto, reference="KY-1"), principal="5000")
    bahrain = CreditorFactory(
        code="bahrain", name="Gulf Finance", default_currency="BHD", country="BH", jurisdiction=""
    )
    dinar = owing(AccountFactory(creditor=bahrain, reference="BH-1"), principal="12.345", costs="0.005")
    return {"lovelace": lovelace, "acme": acme, "overpaid": overpaid, "yen": yen, "dinar": dinar}


class TestAccountsExport:
    def test_the_header_lists_every_column_in_order(self, portfolio: dict[str, Account]) -> None:
        out = io.BytesIO()
        export_accounts(out=out, as_of=AS_OF)
        header = out.getvalue().decode().splitlines()[0]
        assert header == ",".join(column.key for column in ACCOUNT_COLUMNS)

    def test_rows_are_ordered_by_creditor_code_then_reference(self, portfolio: dict[str, Account]) -> None:
        rows = accounts_csv(as_of=AS_OF)
        assert [(r["creditor_code"], r["account_reference"]) for r in rows] == [
            ("bahrain", "BH-1"),
            ("kyoto", "KY-1"),
            ("nwb", "NWB-0001"),
            ("nwb", "NWB-0002"),
            ("nwb", "NWB-0003"),
        ]

    def test_an_account_with_balances_debtors_officer_and_team(self, portfolio: dict[str, Account]) -> None:
        row = by_reference(accounts_csv(as_of=AS_OF))["NWB-0001"]
        assert row == {
            "creditor_code": "nwb",
            "account_reference": "NWB-0001",
            "original_creditor": "Old Bank plc",
            "product_type": "credit_card",
            "status": "active",
            "currency": "USD",
            "primary_debtor": "Ada Lovelace",
            "co_debtors": "1",
            "guarantors": "2",
            "principal": "1234.56",
            "interest": "0.10",
            "fees": "25.00",
            "costs": "0.00",
            "total_balance": "1259.66",
            "credit_balance": "0.00",
            "oldest_unpaid_due_date": "2026-05-01",
            "days_past_due": "203",
            "placed_date": "2026-01-05",
            "assigned_officer": "o.lee",
            "team": "Early stage",
        }

    def test_money_has_the_currencys_decimal_places_exactly(self, portfolio: dict[str, Account]) -> None:
        rows = by_reference(accounts_csv(as_of=AS_OF))
        assert (rows["KY-1"]["currency"], rows["KY-1"]["principal"], rows["KY-1"]["fees"]) == ("JPY", "5000", "0")
        assert (rows["BH-1"]["principal"], rows["BH-1"]["costs"], rows["BH-1"]["total_balance"]) == (
            "12.345",
            "0.005",
            "12.350",
        )

    def test_amounts_match_the_cached_balances_to_the_minor_unit(self, portfolio: dict[str, Account]) -> None:
        rows = by_reference(accounts_csv(as_of=AS_OF))
        for account in Account.objects.all():
            row = rows[account.reference]
            assert Money.of(row["total_balance"], account.currency) == account.balance
            assert Money.of(row["credit_balance"], account.currency) == account.credit_balance

    def test_an_overpaid_account_shows_a_credit_balance_and_nothing_past_due(
        self, portfolio: dict[str, Account]
    ) -> None:
        row = by_reference(accounts_csv(as_of=AS_OF))["NWB-0003"]
        assert (row["principal"], row["total_balance"], row["credit_balance"]) == ("0.00", "0.00", "50.00")
        assert (row["oldest_unpaid_due_date"], row["days_past_due"]) == ("", "0")

    def test_a_business_debtor_with_no_officer_or_team(self, portfolio: dict[str, Account]) -> None:
        row = by_reference(accounts_csv(as_of=AS_OF))["NWB-0002"]
        assert (row["primary_debtor"], row["status"], row["product_type"]) == (
            "Acme Widgets Ltd",
            "legal",
            "b2b_invoice",
        )
        assert (row["assigned_officer"], row["team"], row["co_debtors"], row["guarantors"]) == ("", "", "0", "0")

    @pytest.mark.parametrize(
        ("as_of", "days"),
        [(date(2026, 4, 30), "0"), (date(2026, 5, 1), "0"), (date(2026, 5, 2), "1"), (date(2026, 11, 20), "203")],
    )
    def test_days_past_due_are_counted_to_the_as_of_date(
        self, portfolio: dict[str, Account], as_of: date, days: str
    ) -> None:
        assert by_reference(accounts_csv(as_of=as_of))["NWB-0001"]["days_past_due"] == days

    def test_as_of_defaults_to_today(self, portfolio: dict[str, Account]) -> None:
        from django.utils import timezone

        expected = (timezone.localdate() - date(2026, 5, 1)).days
        assert by_reference(accounts_csv())["NWB-0001"]["days_past_due"] == str(max(expected, 0))

    def test_one_creditor_only(self, portfolio: dict[str, Account]) -> None:
        rows = accounts_csv(creditor=portfolio["yen"].creditor, as_of=AS_OF)
        assert [r["account_reference"] for r in rows] == ["KY-1"]

    def test_some_statuses_only(self, portfolio: dict[str, Account]) -> None:
        assert [r["account_reference"] for r in accounts_csv(statuses=["legal"], as_of=AS_OF)] == ["NWB-0002"]
        both = accounts_csv(statuses=["legal", "active"], creditor=portfolio["acme"].creditor, as_of=AS_OF)
        assert [r["account_reference"] for r in both] == ["NWB-0001", "NWB-0002", "NWB-0003"]

    def test_no_accounts_gives_just_the_header(self, db: None) -> None:
        out = io.BytesIO()
        assert export_accounts(out=out) == 0
        assert out.getvalue().decode() == ",".join(c.key for c in ACCOUNT_COLUMNS) + "\r\n"


@pytest.fixture
def payments(portfolio: dict[str, Account]) -> dict[str, Payment]:
    lovelace, yen = portfolio["lovelace"], portfolio["yen"]
    early = record_payment(
        account=lovelace,
        amount=Money.of("100.00", "USD"),
        received_at=datetime(2026, 11, 19, 10, 0, tzinfo=UTC),
        method="card",
        now=LATER,
        actor=None,
        external_reference="BANK-REF-1",
        idempotency_key="key-1",
    )
    reverse_payment(payment=early, reason="Returned: insufficient funds", now=LATER, actor=None)
    last_second = record_payment(
        account=lovelace,
        amount=Money.of("0.01", "USD"),
        received_at=datetime(2026, 11, 20, 23, 59, 59, tzinfo=UTC),
        method="bank_transfer",
        now=LATER,
        actor=None,
    )
    midnight = record_payment(
        account=yen,
        amount=Money.of("1000", "JPY"),
        received_at=datetime(2026, 11, 21, 0, 0, tzinfo=UTC),
        method="direct_debit",
        now=LATER,
        actor=None,
    )
    return {"early": early, "last_second": last_second, "midnight": midnight}


class TestPaymentsExport:
    def test_every_column_of_a_reversed_payment(self, payments: dict[str, Payment]) -> None:
        rows = payments_csv()
        early = payments["early"]
        assert rows[0] == {
            "payment_id": str(early.pk),
            "creditor_code": "nwb",
            "account_reference": "NWB-0001",
            "received_at": "2026-11-19T10:00:00Z",
            "amount": "100.00",
            "currency": "USD",
            "method": "card",
            "external_reference": "BANK-REF-1",
            "idempotency_key": "key-1",
            "reversed": "yes",
            "reversal_reason": "Returned: insufficient funds",
        }

    def test_ordered_by_receipt_with_exact_amounts(self, payments: dict[str, Payment]) -> None:
        rows = payments_csv()
        assert [(r["account_reference"], r["received_at"], r["amount"], r["reversed"]) for r in rows] == [
            ("NWB-0001", "2026-11-19T10:00:00Z", "100.00", "yes"),
            ("NWB-0001", "2026-11-20T23:59:59Z", "0.01", "no"),
            ("KY-1", "2026-11-21T00:00:00Z", "1000", "no"),
            ("NWB-0003", "2026-11-21T12:00:00Z", "150.00", "no"),
        ]
        assert rows[1]["idempotency_key"] == ""
        assert rows[1]["reversal_reason"] == ""

    def test_a_date_range_takes_whole_utc_days(self, payments: dict[str, Payment]) -> None:
        one_day = payments_csv(received_from=date(2026, 11, 20), received_to=date(2026, 11, 20))
        assert [r["received_at"] for r in one_day] == ["2026-11-20T23:59:59Z"]
        from_21st = payments_csv(received_from=date(2026, 11, 21))
        assert [r["received_at"] for r in from_21st] == ["2026-11-21T00:00:00Z", "2026-11-21T12:00:00Z"]
        to_19th = payments_csv(received_to=date(2026, 11, 19))
        assert [r["received_at"] for r in to_19th] == ["2026-11-19T10:00:00Z"]

    def test_one_creditor_only(self, payments: dict[str, Payment]) -> None:
        rows = payments_csv(creditor=payments["midnight"].account.creditor)
        assert [(r["creditor_code"], r["amount"], r["currency"]) for r in rows] == [("kyoto", "1000", "JPY")]


@pytest.fixture
def activities(portfolio: dict[str, Account]) -> dict[str, Any]:
    manager = UserFactory(username="@lee", role=Role.MANAGER)
    change_account_status(
        account=portfolio["lovelace"],
        to_status=AccountStatus.DISPUTED,
        reason='=HYPERLINK("http://evil.example")',
        now=LATER,
        actor=manager,
    )
    unrelated = record_event(
        event=Event.ADMIN_CHANGED,
        subject_type="creditor",
        subject_id=portfolio["lovelace"].creditor_id,
        occurred_at=LATER,
        actor=None,
        after={"name": "Northwind"},
    )
    return {"manager": manager, "unrelated": unrelated}


class TestActivitiesExport:
    def test_only_events_with_an_account_oldest_first(self, activities: dict[str, Any]) -> None:
        rows = activities_csv()
        expected = AuditEvent.objects.filter(account_id__isnull=False).count()
        assert len(rows) == expected > 0
        assert Event.ADMIN_CHANGED.text not in {r["event"] for r in rows}
        assert [r["occurred_at"] for r in rows] == sorted(r["occurred_at"] for r in rows)

    def test_a_status_change_with_actor_account_and_compact_details(self, activities: dict[str, Any]) -> None:
        rows = activities_csv()
        changed = next(r for r in rows if r["event"] == "accounts.account.status_changed")
        assert changed == {
            "occurred_at": "2026-11-21T12:00:00Z",
            "event": "accounts.account.status_changed",
            "actor": "'@lee",
            "creditor_code": "nwb",
            "account_reference": "NWB-0001",
            "subject_type": "account",
            "subject_id": str(Account.objects.get(reference="NWB-0001").pk),
            "details": '{"reason":"=HYPERLINK(\\"http://evil.example\\")","status":"disputed"}',
        }

    def test_charges_and_payments_are_there_as_recorded_by_the_system(self, activities: dict[str, Any]) -> None:
        rows = [r for r in activities_csv() if r["account_reference"] == "NWB-0003"]
        assert [r["event"] for r in rows] == ["accounts.transaction.charge", "accounts.payment.recorded"]
        assert {r["actor"] for r in rows} == {"system"}
        assert '"overpayment":"50.00 USD"' in rows[1]["details"]

    def test_one_creditor_and_a_date_range(self, activities: dict[str, Any]) -> None:
        kyoto = Account.objects.get(reference="KY-1").creditor
        rows = activities_csv(creditor=kyoto)
        assert {r["creditor_code"] for r in rows} == {"kyoto"}
        assert rows
        on_21st = activities_csv(occurred_from=date(2026, 11, 21), occurred_to=date(2026, 11, 21))
        assert {r["occurred_at"][:10] for r in on_21st} == {"2026-11-21"}
        assert "accounts.account.status_changed" in {r["event"] for r in on_21st}
        assert activities_csv(occurred_to=date(2026, 11, 19)) == []


class TestFormulaInjection:
    @pytest.mark.parametrize(
        "dangerous",
        ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0"],
    )
    def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe_in_csv(
        self, portfolio: dict[str, Account], dangerous: str
    ) -> None:
        Account.objects.filter(pk=portfolio["lovelace"].pk).update(original_creditor=dangerous)
        row = by_reference(accounts_csv(as_of=AS_OF))["NWB-0001"]
        assert row["original_creditor"] == "'" + dangerous

    def test_a_debtor_name_is_neutralised_too(self, db: None) -> None:
        AccountFactory(reference="X-1", debtor=DebtorFactory(given_name="", family_name="=2+5"))
        assert accounts_csv()[0]["primary_debtor"] == "'=2+5"

    @pytest.mark.parametrize("harmless", ["Old Bank", "1-800 Loans", "a=b", "", "'quoted"])
    def test_other_text_is_left_alone(self, portfolio: dict[str, Account], harmless: str) -> None:
        Account.objects.filter(pk=portfolio["lovelace"].pk).update(original_creditor=harmless)
        assert by_reference(accounts_csv(as_of=AS_OF))["NWB-0001"]["original_creditor"] == harmless

    def test_neutralise(self) -> None:
        assert neutralise("-5") == "'-5"
        assert neutralise("5-") == "5-"

    def test_negative_money_stays_a_number(self) -> None:
        columns = (Column("note", ColumnKind.TEXT, ""), Column("amount", ColumnKind.MONEY, ""))
        out = io.BytesIO()
        write_csv(out, columns, [("-12.50", Decimal("-12.50"))])
        assert out.getvalue().decode().splitlines() == ["note,amount", "'-12.50,-12.50"]
        workbook = io.BytesIO()
        write_xlsx(workbook, columns, [("-12.50", Decimal("-12.50"))], sheet_title="Test")
        sheet = load_workbook(io.BytesIO(workbook.getvalue())).active
        assert sheet is not None
        assert sheet["A2"].value == "'-12.50"
        assert sheet["A2"].data_type == "s"
        assert sheet["B2"].value == -12.5
        assert sheet["B2"].data_type == "n"

    def test_xlsx_never_holds_a_formula(self, portfolio: dict[str, Account]) -> None:
        Account.objects.filter(pk=portfolio["lovelace"].pk).update(original_creditor="=SUM(1,2)")
        sheet = load_workbook(io.BytesIO(accounts_xlsx())).active
        assert sheet is not None
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
        cell = next(row[2] for row in sheet.iter_rows(min_row=2) if row[1].value == "NWB-0001")
        assert cell.value == "'=SUM(1,2)"


def accounts_xlsx(**kwargs: Any) -> bytes:
    out = io.BytesIO()
    export_accounts(out=out, fmt=ExportFormat.XLSX, as_of=AS_OF, **kwargs)
    return out.getvalue()


class TestXlsx:
    def test_header_is_bold_and_frozen(self, portfolio: dict[str, Account]) -> None:
        workbook = load_workbook(io.BytesIO(accounts_xlsx()))
        sheet = workbook.active
        assert sheet is not None
        assert sheet.title == "Accounts"
        assert sheet.freeze_panes == "A2"
        header = [cell.value for cell in sheet[1]]
        assert header == [column.key for column in ACCOUNT_COLUMNS]
        assert all(cell.font.bold for cell in sheet[1])

    def test_money_is_numbers_formatted_to_the_currencys_minor_unit(self, portfolio: dict[str, Account]) -> None:
        sheet = load_workbook(io.BytesIO(accounts_xlsx())).active
        assert sheet is not None
        keys = [column.key for column in ACCOUNT_COLUMNS]
        rows = {row[1].value: dict(zip(keys, row, strict=True)) for row in sheet.iter_rows(min_row=2)}
        lovelace = rows["NWB-0001"]
        assert lovelace["principal"].value == pytest.approx(1234.56)
        assert Decimal(str(lovelace["principal"].value)) == Decimal("1234.56")
        assert lovelace["principal"].number_format == "#,##0.00"
        assert lovelace["interest"].value == pytest.approx(0.10)
        assert rows["KY-1"]["principal"].value == 5000
        assert rows["KY-1"]["principal"].number_format == "#,##0"
        assert Decimal(str(rows["BH-1"]["total_balance"].value)) == Decimal("12.35")
        assert rows["BH-1"]["total_balance"].number_format == "#,##0.000"

    def test_dates_are_dates_and_counts_are_numbers(self, portfolio: dict[str, Account]) -> None:
        sheet = load_workbook(io.BytesIO(accounts_xlsx())).active
        assert sheet is not None
        keys = [column.key for column in ACCOUNT_COLUMNS]
        rows = {row[1].value: dict(zip(keys, row, strict=True)) for row in sheet.iter_rows(min_row=2)}
        lovelace = rows["NWB-0001"]
        assert lovelace["oldest_unpaid_due_date"].value == datetime(2026, 5, 1)  # noqa: DTZ001 - Excel has no zones
        assert lovelace["oldest_unpaid_due_date"].is_date
        assert lovelace["placed_date"].value == datetime(2026, 1, 5)  # noqa: DTZ001
        assert lovelace["days_past_due"].value == 203
        assert lovelace["guarantors"].value == 2
        assert rows["NWB-0003"]["oldest_unpaid_due_date"].value is None

    def test_payment_times_are_utc_date_times(self, payments: dict[str, Payment]) -> None:
        out = io.BytesIO()
        assert export_payments(out=out, fmt=ExportFormat.XLSX) == 4
        sheet = load_workbook(io.BytesIO(out.getvalue())).active
        assert sheet is not None
        assert sheet.title == "Payments"
        first = [cell.value for cell in sheet[2]]
        assert first[3] == datetime(2026, 11, 19, 10, 0)  # noqa: DTZ001 - UTC wall-clock time
        assert sheet.cell(row=2, column=4).number_format == "yyyy-mm-dd hh:mm:ss"
        assert first[4] == 100
        assert first[9] == "yes"

    def test_activities_sheet(self, activities: dict[str, Any]) -> None:
        out = io.BytesIO()
        count = export_activities(out=out, fmt=ExportFormat.XLSX)
        sheet = load_workbook(io.BytesIO(out.getvalue())).active
        assert sheet is not None
        assert [cell.value for cell in sheet[1]] == [column.key for column in ACTIVITY_COLUMNS]
        assert sheet.max_row == count + 1

    def test_error_codes_and_control_characters_stay_plain_text(self) -> None:
        columns = (Column("text", ColumnKind.TEXT, ""),)
        out = io.BytesIO()
        write_xlsx(out, columns, [("#N/A",), ("bell\x07here",), ("x" * 40_000,)], sheet_title="Test")
        sheet = load_workbook(io.BytesIO(out.getvalue())).active
        assert sheet is not None
        assert (sheet["A2"].value, sheet["A2"].data_type) == ("#N/A", "s")
        assert sheet["A3"].value == "bell\ufffdhere"
        assert len(sheet["A4"].value) == 32_767
        assert sheet["A4"].value.endswith(" [truncated]")

    def test_rows_beyond_a_sheets_limit_go_on_in_a_new_sheet(self) -> None:
        columns = (Column("n", ColumnKind.INTEGER, ""),)
        out = io.BytesIO()
        assert write_xlsx(out, columns, [(i,) for i in range(5)], sheet_title="Numbers", max_rows_per_sheet=2) == 5
        workbook = load_workbook(io.BytesIO(out.getvalue()))
        assert workbook.sheetnames == ["Numbers", "Numbers (2)", "Numbers (3)"]
        assert [[c.value for c in row] for row in workbook["Numbers (3)"].iter_rows()] == [["n"], [4]]


class TestCsvFile:
    def test_rfc_4180_quoting_and_crlf_line_ends(self) -> None:
        columns = (Column("a", ColumnKind.TEXT, ""), Column("b", ColumnKind.TEXT, ""))
        out = io.BytesIO()
        write_csv(out, columns, [('say "hi", then go', "line\nbreak")])
        assert out.getvalue() == b'a,b\r\n"say ""hi"", then go","line\nbreak"\r\n'

    def test_utf8_without_a_bom_unless_asked(self) -> None:
        columns = (Column("name", ColumnKind.TEXT, ""),)
        plain = b"".join(csv_chunks(columns, [("Zoë Ångström",)]))
        assert plain == "name\r\nZoë Ångström\r\n".encode()
        with_bom = b"".join(csv_chunks(columns, [("Zoë",)], bom=True))
        assert with_bom.startswith(b"\xef\xbb\xbfname\r\n")

    def test_chunks_are_bounded_and_join_to_the_whole_file(self) -> None:
        columns = (Column("n", ColumnKind.INTEGER, ""), Column("text", ColumnKind.TEXT, ""))
        rows = [(i, "x" * 100) for i in range(1000)]
        chunks = list(csv_chunks(columns, rows, chunk_bytes=4096))
        assert len(chunks) > 20
        assert max(len(chunk) for chunk in chunks) < 4096 + 200
        out = io.BytesIO()
        write_csv(out, columns, rows)
        assert b"".join(chunks) == out.getvalue()


class TestStreaming:
    def test_one_query_however_many_accounts(self, web: Any) -> None:
        bank = web.creditor("bulk-bank")
        web.many_accounts(creditor=bank, count=5, prefix="A", principal_minor=10_000)
        with CaptureQueriesContext(connection) as few:
            assert export_accounts(out=io.BytesIO()) == 5
        web.many_accounts(creditor=bank, count=120, prefix="B", principal_minor=10_000)
        with CaptureQueriesContext(connection) as many:
            assert export_accounts(out=io.BytesIO()) == 125
        assert len(many.captured_queries) == len(few.captured_queries) == 1

    @pytest.mark.parametrize("kind", list(ExportKind))
    def test_each_export_reads_with_one_query(self, activities: dict[str, Any], kind: ExportKind) -> None:
        with CaptureQueriesContext(connection) as queries:
            run_export(
                kind=kind,
                filters=ExportFilters(),
                fmt=ExportFormat.CSV,
                out=io.BytesIO(),
                channel="test",
                actor=None,
                now=LATER,
            )
        statements = [q["sql"] for q in queries.captured_queries]
        reads = [sql for sql in statements if not sql.startswith("INSERT")]
        assert len(reads) == 1, reads
        assert len(statements) == 2, "and the audit event"
        if connection.vendor == "postgresql":
            assert reads[0].startswith("DECLARE"), "through a server-side cursor"

    def test_rows_arrive_in_chunks_in_order(self, web: Any) -> None:
        bank = web.creditor("bulk-bank")
        web.many_accounts(creditor=bank, count=25, principal_minor=10_000)
        source = row_source(kind=ExportKind.ACCOUNTS, filters=ExportFilters(as_of=AS_OF))
        with source.open(chunk_size=4) as rows:
            references = [row[1] for row in rows]
        assert references == [f"BULK-{i:05d}" for i in range(25)]

    def test_postgresql_reads_through_a_server_side_cursor(self, web: Any) -> None:
        if connection.vendor != "postgresql":
            pytest.skip("server-side cursors are PostgreSQL's")
        bank = web.creditor("bulk-bank")
        web.many_accounts(creditor=bank, count=10, principal_minor=10_000)
        source = row_source(kind=ExportKind.ACCOUNTS, filters=ExportFilters(as_of=AS_OF))
        with source.open(chunk_size=3) as rows:
            first = next(rows)
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_cursors WHERE NOT is_holdable")
                open_cursors = cursor.fetchone()[0]
            rest = list(rows)
        assert first[1] == "BULK-00000"
        assert len(rest) == 9
        assert open_cursors == 1
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_cursors")
            assert cursor.fetchone()[0] == 0, "the cursor is closed when the block ends"

    @pytest.mark.django_db(transaction=True)
    def test_outside_a_transaction_the_rows_are_read_in_one(self, web: Any) -> None:
        bank = web.creditor("bulk-bank")
        web.many_accounts(creditor=bank, count=6, principal_minor=10_000)
        source = row_source(kind=ExportKind.ACCOUNTS, filters=ExportFilters(as_of=AS_OF))
        assert not connection.in_atomic_block
        with source.open(chunk_size=2) as rows:
            next(rows)
            if connection.vendor == "postgresql":
                # Otherwise Django declares the cursor WITH HOLD and PostgreSQL computes every row first.
                assert connection.in_atomic_block
                with connection.cursor() as cursor:
                    cursor.execute("SELECT is_holdable FROM pg_cursors")
                    assert cursor.fetchall() == [(False,)]
            else:
                # SQLite streams anyway; a transaction there would hold the write lock.
                assert not connection.in_atomic_block
            assert len(list(rows)) == 5
        assert not connection.in_atomic_block

    def test_leaving_early_closes_the_cursor(self, web: Any) -> None:
        bank = web.creditor("bulk-bank")
        web.many_accounts(creditor=bank, count=10, principal_minor=10_000)
        source = row_source(kind=ExportKind.ACCOUNTS, filters=ExportFilters(as_of=AS_OF))
        with source.open(chunk_size=2) as rows:
            next(rows)
        assert Account.objects.count() == 10, "the connection is still usable"
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_cursors")
                assert cursor.fetchone()[0] == 0


class TestFilterChecks:
    @pytest.mark.parametrize(
        ("kind", "filters", "message"),
        [
            (ExportKind.ACCOUNTS, ExportFilters(statuses=("lost",)), "status: 'lost' is not an account status"),
            (ExportKind.PAYMENTS, ExportFilters(statuses=("active",)), "only the accounts export filters by status"),
            (ExportKind.ACTIVITIES, ExportFilters(as_of=AS_OF), "only the accounts export counts days past due"),
            (ExportKind.ACCOUNTS, ExportFilters(date_from=AS_OF), "the accounts export has no date range"),
            (
                ExportKind.PAYMENTS,
                ExportFilters(date_from=date(2026, 11, 2), date_to=date(2026, 11, 1)),
                "starts on 2026-11-02, after it ends on 2026-11-01",
            ),
        ],
    )
    def test_filters_that_do_not_fit_are_refused(
        self, db: None, kind: ExportKind, filters: ExportFilters, message: str
    ) -> None:
        with pytest.raises(UnableToExport, match=message):
            check_filters(kind=kind, filters=filters)
        with pytest.raises(UnableToExport):
            run_export(
                kind=kind,
                filters=filters,
                fmt=ExportFormat.CSV,
                out=io.BytesIO(),
                channel="test",
                actor=None,
                now=LATER,
            )
        assert not AuditEvent.objects.filter(name=Event.EXPORT_DOWNLOADED.text).exists()

    def test_the_allowed_statuses_are_listed(self, db: None) -> None:
        with pytest.raises(UnableToExport, match="statuses: active, in_arrangement, on_hold"):
            check_filters(kind=ExportKind.ACCOUNTS, filters=ExportFilters(statuses=("lost",)))


class TestAudit:
    def test_run_export_records_kind_format_filters_and_rows(self, portfolio: dict[str, Account]) -> None:
        manager = UserFactory(username="mia", role=Role.MANAGER)
        nwb = portfolio["lovelace"].creditor
        filters = ExportFilters(creditor=nwb, statuses=("active",), as_of=AS_OF)
        count = run_export(
            kind=ExportKind.ACCOUNTS,
            filters=filters,
            fmt=ExportFormat.XLSX,
            out=io.BytesIO(),
            channel="web",
            actor=manager,
            now=LATER,
        )
        event = AuditEvent.objects.get(name=Event.EXPORT_DOWNLOADED.text)
        assert count == 2
        assert (event.actor_id, event.actor_label, event.occurred_at) == (manager.pk, "mia", LATER)
        assert event.after == {
            "kind": "accounts",
            "format": "xlsx",
            "filters": {"creditor": "nwb", "statuses": ["active"], "as_of": "2026-11-20"},
            "rows": 2,
            "completed": True,
            "channel": "web",
        }

    def test_an_export_that_fails_half_way_is_recorded_as_incomplete(self, portfolio: dict[str, Account]) -> None:
        class FullDisk(io.BytesIO):
            def write(self, data: Any) -> int:
                raise OSError("No space left on device")

        with pytest.raises(OSError, match="No space left"):
            run_export(
                kind=ExportKind.ACCOUNTS,
                filters=ExportFilters(),
                fmt=ExportFormat.CSV,
                out=FullDisk(),
                channel="cli",
                actor=None,
                now=LATER,
            )
        event = AuditEvent.objects.get(name=Event.EXPORT_DOWNLOADED.text)
        assert event.after is not None
        assert event.after["completed"] is False
        assert event.actor_label == "system"


def test_file_names_say_what_is_inside(db: None) -> None:
    today = date(2026, 11, 23)
    assert (
        export_filename(kind=ExportKind.ACCOUNTS, fmt=ExportFormat.CSV, filters=ExportFilters(), today=today)
        == "recoup-accounts-2026-11-23.csv"
    )
    creditor = CreditorFactory(code="nwb")
    assert (
        export_filename(
            kind=ExportKind.PAYMENTS, fmt=ExportFormat.XLSX, filters=ExportFilters(creditor=creditor), today=today
        )
        == "recoup-payments-nwb-2026-11-23.xlsx"
    )


def test_column_lists_match_what_each_source_yields(activities: dict[str, Any]) -> None:
    for kind, columns in (
        (ExportKind.ACCOUNTS, ACCOUNT_COLUMNS),
        (ExportKind.PAYMENTS, PAYMENT_COLUMNS),
        (ExportKind.ACTIVITIES, ACTIVITY_COLUMNS),
    ):
        source = row_source(kind=kind, filters=ExportFilters())
        with source.open() as rows:
            first = next(rows)
        assert len(first) == len(columns), kind
