"""Income and expenditure statements with the database: what they suggest, guideline reasons, and a
plan asking more than the statement supports needing a reason and approval (UK-02, UK-03)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from factories import AccountFactory, CreditorFactory, DebtorFactory, UserFactory
from ledger_helpers import owing
from recoup.arrangements.models import Affordability, Arrangement
from recoup.arrangements.services import PlanRequest, UnableToArrange, create_plan, record_affordability
from recoup.audit.models import AuditEvent
from recoup.core.arrangements import Frequency
from recoup.core.money import Money
from recoup.users.roles import Role

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 1, 20, 15, 0, tzinfo=UTC)


def gbp(value: str) -> Money:
    return Money.of(value, "GBP")


@pytest.fixture
def account() -> object:
    creditor = CreditorFactory(
        uk_lender=True, arrangement_policy={"date_rule": "none", "sfs_guidelines": {"food_and_housekeeping": "450.00"}}
    )
    return owing(AccountFactory(creditor=creditor, debtor=DebtorFactory(uk=True), currency="GBP"), principal="2400.00")


MONTH = {
    "earnings_from_employment": gbp("2100.00"),
    "child_benefit": gbp("102.40"),
    "rent": gbp("950.00"),
    "council_tax": gbp("160.00"),
    "gas": gbp("95.00"),
    "groceries": gbp("480.00"),
    "mobile_phone": gbp("35.00"),
    "council_tax_arrears": gbp("40.00"),
}


def test_a_statement_suggests_a_payment_and_needs_reasons_above_guidelines(account: object) -> None:
    with pytest.raises(
        UnableToArrange, match="reasons: food and housekeeping is 480.00 GBP a month against the guideline 450.00 GBP"
    ):
        record_affordability(account=account, adults=2, children=1, amounts=MONTH, now=NOW, actor=None)  # type: ignore[arg-type]
    assert Affordability.objects.count() == 0
    recorded = record_affordability(
        account=account,  # type: ignore[arg-type]
        adults=2,
        children=1,
        amounts=MONTH,
        debt_share=Decimal("0.5"),
        reasons={"food_and_housekeeping": "special diet for coeliac child"},
        now=NOW,
        actor=None,
    )
    # 2202.40 income - 1205.00 fixed - 515.00 flexible - 40.00 priority = 442.40; half of it a month.
    assert (recorded.income_minor, recorded.disposable_minor, recorded.suggested_minor) == (220240, 44240, 22120)
    assert recorded.over_guideline[0]["reason"] == "special diet for coeliac child"
    assert AuditEvent.objects.filter(name="arrangements.affordability.recorded").count() == 1
    with pytest.raises(UnableToArrange, match="amounts: 'payday_loan' is not an SFS category"):
        record_affordability(
            account=account,
            adults=1,
            children=0,
            amounts={"payday_loan": gbp("10")},
            now=NOW,
            actor=None,  # type: ignore[arg-type]
        )


def test_a_plan_above_what_the_statement_supports_needs_a_reason_and_approval(account: object) -> None:
    record_affordability(
        account=account,  # type: ignore[arg-type]
        adults=2,
        children=1,
        amounts=MONTH,
        debt_share=Decimal("0.5"),
        reasons={"food_and_housekeeping": "special diet"},
        now=NOW,
        actor=None,
    )
    officer = UserFactory(role=Role.OFFICER)
    too_much = PlanRequest(frequency=Frequency.MONTHLY, first_due=date(2027, 2, 1), instalment=gbp("300.00"))
    with pytest.raises(
        UnableToArrange, match=r"a payment of 300.00 GBP is more than the 221.20 GBP the income and expenditure"
    ):
        create_plan(account=account, request=too_much, now=NOW, actor=officer)  # type: ignore[arg-type]
    too_much.approval_reason = "she will move to a cheaper flat in March"
    assert create_plan(account=account, request=too_much, now=NOW, actor=officer).state == "pending_approval"  # type: ignore[arg-type]
    fits = PlanRequest(frequency=Frequency.MONTHLY, first_due=date(2027, 2, 1), instalment=gbp("200.00"))
    assert create_plan(account=account, request=fits, now=NOW, actor=officer).state == "active"  # type: ignore[arg-type]
    assert Arrangement.objects.filter(state="replaced").count() == 1
