"""Bank statements: credits matched by reference are posted; the rest wait for a person; nothing twice."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from factories import AccountFactory, CreditorFactory, DebtorFactory, UserFactory
from ledger_helpers import NOW, owing
from recoup.accounts.ledger_selectors import verify_ledger
from recoup.accounts.models import Account, AccountDebtor, Payment
from recoup.audit.models import AuditEvent
from recoup.cli.main import cli
from recoup.core.money import Money
from recoup.imports.bank import UnableToMatch, import_bank_statement, match_line, reject_line, split_line
from recoup.imports.models import BankLine, ImportJob
from recoup.imports.statements import StatementError

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
CAMT = EXAMPLES / "bank-statement.camt053.xml"


def gbp(value: str) -> Money:
    return Money.of(value, "GBP")


@pytest.fixture
def portfolio() -> dict[str, Account]:
    creditor = CreditorFactory(code="nis", uk_lender=True)
    accounts = {
        reference: owing(AccountFactory(creditor=creditor, reference=reference), principal=principal)
        for reference, principal in [
            ("NIS-C4417093", "2000.00"),
            ("NIS-C2093318", "1000.00"),
            ("NIS-C3308561", "750.00"),
            ("M-1", "612.40"),
            ("S-1", "400.00"),
            ("S-2", "400.00"),
        ]
    }
    moorside = DebtorFactory(kind="business", business_name="Moorside Plant Hire", family_name="", country="GB")
    AccountDebtor.objects.filter(account=accounts["M-1"]).delete()
    AccountDebtor.objects.create(account=accounts["M-1"], debtor=moorside, role=AccountDebtor.Role.PRIMARY)
    return accounts


def line_at(position: int, amount: str) -> BankLine:
    return BankLine.objects.get(position=position, amount_minor=gbp(amount).minor)


def test_sure_matches_post_and_the_rest_wait_with_a_suggestion(portfolio: dict[str, Account]) -> None:
    outcome = import_bank_statement(path=CAMT, now=NOW, actor=None)
    assert outcome.summary() == {"lines": 6, "already_imported": 0, "posted": 3, "unmatched": 2, "not_credits": 1}
    paid = {p.account.reference: p.amount_minor for p in Payment.objects.select_related("account")}
    assert paid == {"NIS-C4417093": 148000, "NIS-C2093318": 25000, "NIS-C3308561": 75000}
    assert Payment.objects.get(account__reference="NIS-C4417093").received_at.date() == date(2025, 3, 14)
    by_name = line_at(3, "612.40")
    assert (by_name.status, by_name.suggested_account, by_name.match_method, str(by_name.confidence)) == (
        BankLine.Status.UNMATCHED,
        portfolio["M-1"],
        BankLine.Method.NAME_AND_AMOUNT,
        "0.80",
    )
    assert line_at(4, "-85.00").status == BankLine.Status.NOT_A_CREDIT
    assert verify_ledger().ok


def test_importing_the_same_statement_again_posts_nothing(portfolio: dict[str, Account]) -> None:
    import_bank_statement(path=CAMT, now=NOW, actor=None)
    again = import_bank_statement(path=CAMT, now=NOW, actor=None)
    assert (again.already_imported, again.posted, again.unmatched) == (6, 0, 0)
    assert Payment.objects.count() == 3
    assert BankLine.objects.count() == 6


def test_a_person_matches_splits_and_rejects_what_is_left(portfolio: dict[str, Account]) -> None:
    import_bank_statement(path=CAMT, now=NOW, actor=None)
    officer = UserFactory()
    matched = match_line(line_id=line_at(3, "612.40").pk, account=portfolio["M-1"], now=NOW, actor=officer)
    assert matched.status == BankLine.Status.POSTED
    assert Payment.objects.get(pk=matched.payment_ids[0]).account == portfolio["M-1"]
    with pytest.raises(UnableToMatch, match="line: this payment is already posted"):
        match_line(line_id=matched.pk, account=portfolio["M-1"], now=NOW, actor=officer)

    batch = line_at(6, "500.00")
    with pytest.raises(UnableToMatch, match=r"amounts: the parts add up to 450.00 GBP, the payment is 500.00 GBP"):
        split_line(
            line_id=batch.pk,
            parts=[(portfolio["S-1"], gbp("300.00")), (portfolio["S-2"], gbp("150.00"))],
            now=NOW,
            actor=officer,
        )
    split = split_line(
        line_id=batch.pk,
        parts=[(portfolio["S-1"], gbp("300.00")), (portfolio["S-2"], gbp("200.00"))],
        now=NOW,
        actor=officer,
        note="two accounts of one customer",
    )
    assert sorted(Payment.objects.filter(pk__in=split.payment_ids).values_list("amount_minor", flat=True)) == [
        20000,
        30000,
    ]
    event = AuditEvent.objects.get(name="imports.bank_line.split")
    assert event.actor_id == officer.pk
    assert event.after["to"] == [{"account": "S-1", "amount": "300.00 GBP"}, {"account": "S-2", "amount": "200.00 GBP"}]
    assert verify_ledger().ok


def test_a_rejection_needs_a_reason_and_is_audited(portfolio: dict[str, Account]) -> None:
    import_bank_statement(path=CAMT, now=NOW, actor=None)
    waiting = line_at(3, "612.40")
    with pytest.raises(UnableToMatch, match="reason: say why"):
        reject_line(line_id=waiting.pk, reason="  ", now=NOW, actor=None)
    rejected = reject_line(line_id=waiting.pk, reason="paid to the wrong bank account; returned", now=NOW, actor=None)
    assert rejected.status == BankLine.Status.REJECTED
    assert AuditEvent.objects.filter(name="imports.bank_line.rejected", subject_id=waiting.pk).exists()
    assert not Payment.objects.filter(account=portfolio["M-1"]).exists()


def test_the_command_line_reads_ofx_and_refuses_a_broken_file(tmp_path: Path) -> None:
    creditor = CreditorFactory(code="krp")
    owing(AccountFactory(creditor=creditor, reference="KRP-30418857"), principal="900.00")
    result = CliRunner().invoke(cli, ["import", "bank-statement", str(EXAMPLES / "bank-statement.ofx")])
    assert result.exit_code == 0, result.output
    assert "Read 5 lines of ofx statement" in result.output
    assert "1 payments posted, 3 waiting to be matched, 1 money out" in result.output
    broken = tmp_path / "broken.xml"
    broken.write_bytes(CAMT.read_bytes()[:1500])
    result = CliRunner().invoke(cli, ["import", "bank-statement", str(broken)])
    assert result.exit_code != 0
    assert "broken.xml:" in result.output
    assert ImportJob.objects.filter(status=ImportJob.Status.FAILED).count() == 1
    with pytest.raises(StatementError):
        import_bank_statement(path=broken, now=NOW, actor=None)


def test_a_csv_statement_is_read_with_our_columns_and_matched_the_same_way(tmp_path: Path) -> None:
    from recoup.imports.accounts_import import import_accounts
    from recoup.imports.reading import FileSettings

    card = CreditorFactory(code="demo-us-card")
    import_accounts(path=EXAMPLES / "accounts.csv", creditor=card, settings=FileSettings(), now=NOW, actor=None)
    outcome = import_bank_statement(path=EXAMPLES / "bank-statement.csv", now=NOW, actor=None)
    assert outcome.summary() == {"lines": 4, "already_imported": 0, "posted": 1, "unmatched": 2, "not_credits": 1}
    assert Payment.objects.get().account.reference == "CC-7730-0001"
    rivera = BankLine.objects.get(counterparty="RIVERA LANDSCAPING INC")
    assert (rivera.suggested_account.reference, str(rivera.confidence)) == ("CC-7730-0005", "0.60")  # type: ignore[union-attr]
    assert import_bank_statement(path=EXAMPLES / "bank-statement.csv", now=NOW, actor=None).posted == 0

    broken = tmp_path / "statement.csv"
    broken.write_text("booked_on,amount,currency\n2026-11-31,12.00,USD\n2026-11-02,abc,XYZ\n", encoding="utf-8")
    with pytest.raises(StatementError, match=r"row 2: booked_on \(file\)|row 2: booked_on"):
        import_bank_statement(path=broken, now=NOW, actor=None)


def test_a_credit_of_a_promised_amount_is_suggested_for_that_promise_and_one_click_keeps_it(
    tmp_path: Path, django_capture_on_commit_callbacks: object
) -> None:
    from datetime import UTC, datetime

    from recoup.arrangements.models import Due
    from recoup.arrangements.services import create_promise
    from recoup.imports.accounts_import import import_accounts
    from recoup.imports.reading import FileSettings

    card = CreditorFactory(code="demo-us-card")
    import_accounts(path=EXAMPLES / "accounts.csv", creditor=card, settings=FileSettings(), now=NOW, actor=None)
    kim = Account.objects.get(reference="CC-7730-0004")
    create_promise(account=kim, amounts=[(date(2026, 11, 25), Money.of("150.00", "USD"))], now=NOW, actor=None)
    statement = tmp_path / "statement.csv"
    statement.write_text(
        "booked_on,amount,currency,counterparty,reference,bank_reference\n"
        "2026-11-26,150.00,USD,DANIEL KIM,THANKS,B-1\n"
        "2026-11-26,150.00,USD,SOMEONE ELSE,,B-2\n"
        "2026-12-20,150.00,USD,DANIEL KIM,,B-3\n",
        encoding="utf-8",
    )
    later = datetime(2026, 12, 21, 12, tzinfo=UTC)
    import_bank_statement(path=statement, now=later, actor=None)
    named = BankLine.objects.get(bank_reference="B-1")
    assert (named.suggested_account, named.match_method, str(named.confidence)) == (kim, "arrangement", "0.95")
    unnamed = BankLine.objects.get(bank_reference="B-2")
    assert (unnamed.suggested_account, str(unnamed.confidence)) == (kim, "0.70")
    too_late = BankLine.objects.get(bank_reference="B-3")
    assert too_late.match_method != "arrangement"  # 25 days after the promised day: not that promise
    assert Payment.objects.count() == 0  # a suggestion, never posted on its own

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        match_line(line_id=named.pk, account=kim, now=later, actor=UserFactory())
    assert Due.objects.get().status == "kept"
