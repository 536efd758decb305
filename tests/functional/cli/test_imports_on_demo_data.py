"""End to end on the demo portfolio, as an operator would: export the accounts, import payments and a
bank statement written for some of them, import a placement file, and check the ledger."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from recoup.accounts.models import Account, Payment
from recoup.cli.main import cli
from recoup.demo.placement_file import write_placement_file
from recoup.imports.models import BankLine

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_demo_portfolio_takes_payments_statements_and_placements(tmp_path: Path) -> None:
    run("demo-data", "--accounts", "300")
    exported = tmp_path / "accounts.csv"
    run("export", "accounts", "--creditor", "demo-us-card", "--output", str(exported))
    with exported.open(newline="", encoding="utf-8") as handle:
        owing = [row for row in csv.DictReader(handle) if float(row["total_balance"]) > 20]
    assert len(owing) >= 3
    first, second, third = owing[:3]
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()

    payments = tmp_path / "payments.csv"
    payments.write_text(
        "account_reference,creditor,amount,received_date,method,payment_reference\n"
        f"{first['account_reference']},demo-us-card,10.00,{yesterday},card,DEMO-PAY-1\n"
        f"{second['account_reference']},demo-us-card,5.00,{yesterday},cheque,DEMO-PAY-2\n",
        encoding="utf-8",
    )
    assert "2 created" in run("import", "payments", str(payments))
    assert "0 created, 0 updated, 2 unchanged" in run("import", "payments", str(payments))

    statement = tmp_path / "statement.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["booked_on", "amount", "currency", "counterparty", "reference", "bank_reference"])
    writer.writerow(
        [yesterday, "7.50", "USD", first["primary_debtor"].upper(), f"ACCT {third['account_reference']}", "B-1"]
    )
    writer.writerow([yesterday, "3.00", "USD", "SOMEONE ELSE", "no reference given", "B-2"])
    statement.write_text(buffer.getvalue(), encoding="utf-8")
    output = run("import", "bank-statement", str(statement), "--creditor", "demo-us-card")
    assert "1 payments posted, 1 waiting to be matched" in output
    assert Payment.objects.filter(account__reference=third["account_reference"], amount_minor=750).exists()
    assert BankLine.objects.filter(status=BankLine.Status.UNMATCHED).count() == 1

    placement = write_placement_file(tmp_path / "placement.csv", 50, as_of=datetime.now(UTC).date(), prefix="NEW")
    assert "50 created" in run("import", "accounts", str(placement), "--creditor", "demo-us-card")
    assert Account.objects.filter(reference__startswith="NEW-").count() == 50
    assert "Ledger OK" in run("ledger", "verify")
