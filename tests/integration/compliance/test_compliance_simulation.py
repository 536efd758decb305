"""Thirty days of simulated automated contact on the demo portfolio, every attempt through the gate:
an independent checker re-reads the contact ledger and finds no breach, while the gate did block."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from recoup.accounts.models import Account
from recoup.compliance.checker import check_ledger
from recoup.compliance.models import Contact
from recoup.compliance.simulation import simulate
from recoup.demo.generator import generate_portfolio

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 1, tzinfo=UTC)  # spans the US daylight-saving change of 8 March and Easter 2026


def test_thirty_days_of_automated_contact_break_no_rule() -> None:
    generate_portfolio(accounts=400, seed=7, as_of=START.date(), now=START)
    chosen: list[Account] = []
    for country in ("US", "AU", "GB"):
        chosen += list(
            Account.objects.filter(
                status="active", account_debtors__role="primary", account_debtors__debtor__country=country
            )
            .select_related("creditor")
            .order_by("id")[:6]
        )
    assert len(chosen) == 18
    result = simulate(accounts=chosen, start=START, days=30, proposals_per_day=3, seed=11)
    assert result.contacts == Contact.objects.filter(direction="outbound").count() > 0
    # The gate did say no: for the hours in each country, and for the US and Australian frequency caps.
    assert {"US-01", "AU-01", "UK-04", "US-08", "AU-02"} <= set(result.blocked_by), result.blocked_by
    assert check_ledger() == []


def test_the_checker_does_find_a_breach_when_there_is_one() -> None:
    """The checker is not a rubber stamp: a contact recorded at 23:00 local time is reported."""
    from recoup.compliance.models import ContactDecision

    generate_portfolio(accounts=20, seed=7, as_of=START.date(), now=START)
    account = Account.objects.filter(account_debtors__debtor__country="US").first()
    assert account is not None
    debtor = account.debtors.get()
    late = datetime(2026, 3, 3, 4, 0, tzinfo=UTC)  # 23:00 in New York, 20:00 in Los Angeles
    decision = ContactDecision.objects.create(
        account=account,
        debtor=debtor,
        channel="call",
        proposed_at=late,
        allowed=True,
        time_zones=["America/New_York"],
        decided_at=late,
    )
    Contact.objects.create(
        decision=decision,
        account=account,
        debtor=debtor,
        channel="call",
        outcome="no_answer",
        at=late,
        recorded_at=late,
    )
    assert [b.rule for b in check_ledger()] == ["US-01"]
