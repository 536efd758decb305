"""`recoup account show`, `recoup aging`, `recoup kpis` and `recoup ledger verify` as an operator runs them."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from factories import AccountFactory, CreditorFactory
from ledger_helpers import NOW, owing, usd
from recoup.accounts.models import Account
from recoup.accounts.services import record_payment
from recoup.cli.main import cli

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio() -> Account:
    creditor = CreditorFactory(code="nwb", name="Northwind Bank")
    account = owing(AccountFactory(creditor=creditor, reference="NWB-0001"), principal="900.00", fees="35.00")
    record_payment(account=account, amount=usd("50.00"), received_at=NOW, method="card", now=NOW, actor=None)
    owing(AccountFactory(creditor=CreditorFactory(code="hosp", name="Mercy Hospital")), principal="120.00")
    return account


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


class TestAccountShow:
    def test_prints_balances_items_and_transactions(self, portfolio: Account) -> None:
        code, out = run("account", "show", "NWB-0001", "--as-of", "2026-11-20")
        assert code == 0
        assert "Northwind Bank" in out
        assert "885.00 USD" in out  # 900 + 35 - 50
        assert "payment" in out
        assert "Open items" in out

    def test_an_unknown_reference_is_one_clear_line(self, portfolio: Account) -> None:
        code, out = run("account", "show", "NOPE-1")
        assert code == 2
        assert out.strip() == "recoup: REFERENCE: no account 'NOPE-1'"

    def test_an_unknown_creditor_lists_the_known_ones(self, portfolio: Account) -> None:
        code, out = run("account", "show", "NWB-0001", "--creditor", "acme")
        assert code == 2
        assert "--creditor: no creditor with code 'acme' (creditors: hosp, nwb)" in out


class TestAging:
    def test_csv_has_a_row_per_creditor_currency_and_bucket(self, portfolio: Account) -> None:
        code, out = run("aging", "--format", "csv", "--as-of", "2026-11-20")
        assert code == 0
        rows = list(csv.DictReader(io.StringIO(out)))
        assert {r["creditor"] for r in rows} == {"nwb", "hosp"}
        assert sum(float(r["balance"]) for r in rows if r["creditor"] == "nwb") == 885.0
        assert {r["bucket"] for r in rows} == {"current", "1-30", "31-60", "61-90", "91-120", "121-180", "180+"}

    def test_json_for_one_creditor(self, portfolio: Account) -> None:
        code, out = run("aging", "--creditor", "hosp", "--format", "json")
        assert code == 0
        data = json.loads(out)
        assert {row["creditor"] for row in data["rows"]} == {"hosp"}

    def test_table_shows_totals(self, portfolio: Account) -> None:
        code, out = run("aging")
        assert code == 0
        assert "total" in out


def test_kpis_print_each_measure(portfolio: Account) -> None:
    code, out = run("kpis", "--from", "2026-11-01", "--to", "2026-11-30")
    assert code == 0
    assert out.startswith("USD: receivables")
    assert "DSO" in out
    assert "CEI" in out


def test_ledger_verify_passes_and_then_finds_tampering(portfolio: Account) -> None:
    code, out = run("ledger", "verify")
    assert code == 0
    assert "Ledger OK" in out
    Account.objects.filter(pk=portfolio.pk).update(fees_minor=1)
    code, out = run("ledger", "verify")
    assert code == 1
    assert "account NWB-0001" in out
