"""Each statement format through the command an operator runs, into a database with the accounts the
statement pays: MT940, CAMT.053, OFX and CSV lines are recorded, credits naming an account are posted to
it, the rest wait to be matched, and importing the same file again posts nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from factories import AccountFactory, CreditorFactory
from ledger_helpers import owing
from recoup.accounts.ledger_selectors import verify_ledger
from recoup.accounts.models import Payment
from recoup.cli.main import cli
from recoup.imports.models import BankLine, ImportJob

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"


@dataclass(frozen=True)
class Case:
    file: str
    format: str
    creditor: dict[str, object]
    accounts: list[str]
    paid: dict[str, int]  # account reference: minor units posted to it
    waiting: int  # credits naming no account of ours
    money_out: int


CASES = {
    "mt940": Case(
        file="bank-statement.mt940",
        format="mt940",
        creditor={"code": "tof", "uk_lender": True},
        # TOF/05588301 (the standing order) is not placed with us: it waits for a person.
        accounts=["TOF/04825193", "TOF/01937720", "TOF/07346612"],
        paid={"TOF/04825193": 18500, "TOF/01937720": 6000, "TOF/07346612": 4250},
        waiting=1,
        money_out=1,
    ),
    "camt053": Case(
        file="bank-statement.camt053.xml",
        format="camt053",
        creditor={"code": "nis", "uk_lender": True},
        accounts=["NIS-C4417093", "NIS-C2093318", "NIS-C3308561"],
        paid={"NIS-C4417093": 148000, "NIS-C2093318": 25000, "NIS-C3308561": 75000},
        waiting=2,
        money_out=1,
    ),
    "ofx": Case(
        file="bank-statement.ofx",
        format="ofx",
        creditor={"code": "krp"},
        accounts=["KRP-30418857", "KRP-72093314", "KRP-11852046", "KRP-64410927"],
        paid={"KRP-30418857": 15000, "KRP-72093314": 7525, "KRP-11852046": 40000, "KRP-64410927": 8990},
        waiting=0,
        money_out=1,
    ),
    "csv": Case(
        file="bank-statement.csv",
        format="csv",
        creditor={"code": "demo-us-card"},
        accounts=["CC-7730-0001", "CC-7730-0002"],
        paid={"CC-7730-0001": 15000},
        waiting=2,
        money_out=1,
    ),
}


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("name", list(CASES))
def test_a_statement_is_matched_posted_once_and_a_second_import_posts_nothing(name: str) -> None:
    case = CASES[name]
    creditor = CreditorFactory(**case.creditor)
    for reference in case.accounts:
        owing(AccountFactory(creditor=creditor, reference=reference), principal="5000.00")
    path = EXAMPLES / case.file
    lines = len(case.paid) + case.waiting + case.money_out

    output = run("import", "bank-statement", str(path))
    assert f"Read {lines} lines of {case.format} statement" in output
    assert (
        f"{len(case.paid)} payments posted, {case.waiting} waiting to be matched, {case.money_out} money out,"
        " 0 already imported"
    ) in output
    paid = {p.account.reference: p.amount_minor for p in Payment.objects.select_related("account")}
    assert paid == case.paid
    posted = BankLine.objects.filter(status=BankLine.Status.POSTED)
    assert {(line.amount_minor, line.match_method) for line in posted} == {
        (minor, BankLine.Method.REFERENCE) for minor in case.paid.values()
    }
    for line in posted:  # each posted line points at the payment it made, on the account it names
        payment = Payment.objects.select_related("account").get(pk=line.payment_ids[0])
        assert (payment.amount_minor, payment.account.reference in f"{line.reference} {line.remittance}") == (
            line.amount_minor,
            True,
        )
    assert BankLine.objects.filter(status=BankLine.Status.UNMATCHED).count() == case.waiting
    assert BankLine.objects.filter(status=BankLine.Status.NOT_A_CREDIT).count() == case.money_out
    assert set(BankLine.objects.values_list("statement_format", flat=True)) == {case.format}

    again = run("import", "bank-statement", str(path))
    assert f"0 payments posted, 0 waiting to be matched, 0 money out, {lines} already imported" in again
    assert Payment.objects.count() == len(case.paid)
    assert BankLine.objects.count() == lines
    assert ImportJob.objects.filter(kind="bank_statement", status=ImportJob.Status.SUCCEEDED).count() == 2
    assert verify_ledger().ok
