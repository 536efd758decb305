"""Thirty days of simulated automated contact on the demo portfolio, every attempt through the gate:
an independent checker re-reads the contact ledger and finds no breach, while the gate did block."""

from __future__ import annotations

from datetime import UTC, date, datetime

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
    chosen += list(
        Account.objects.filter(
            status="active",
            creditor__collector_type="third_party",
            account_debtors__role="primary",
            account_debtors__debtor__country="US",
        )
        .select_related("creditor")
        .order_by("id")[:4]
    )
    assert len(chosen) == 22
    result = simulate(accounts=chosen, start=START, days=30, proposals_per_day=3, seed=11)
    assert result.notices > 0  # the agency's accounts got their validation notices (US-11)
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


def _made(account: Account, at: datetime, *, outcome: str = "no_answer", allowed: bool = True) -> Contact:
    """A call written straight to the ledger, as a buggy path around the gate would."""
    from recoup.compliance.models import ContactDecision

    debtor = account.debtors.get()
    decision = ContactDecision.objects.create(
        account=account,
        debtor=debtor,
        channel="call",
        proposed_at=at,
        allowed=allowed,
        time_zones=["America/New_York"],
        decided_at=at,
    )
    return Contact.objects.create(
        decision=decision, account=account, debtor=debtor, channel="call", outcome=outcome, at=at, recorded_at=at
    )


def test_the_checker_finds_a_late_validation_notice_and_a_contact_the_gate_refused() -> None:
    from recoup.compliance.deadlines import record_notice

    generate_portfolio(accounts=60, seed=7, as_of=START.date(), now=START)
    agency = (
        Account.objects.filter(creditor__collector_type="third_party", account_debtors__debtor__country="US")
        .exclude(principal_minor=0)
        .first()
    )
    assert agency is not None
    _made(agency, datetime(2026, 3, 2, 15, 0, tzinfo=UTC), outcome="connected_conversation")
    late = _made(agency, datetime(2026, 3, 9, 15, 0, tzinfo=UTC))
    assert [(b.rule, b.contact_id) for b in check_ledger()] == [("US-11", late.pk)]
    record_notice(
        account=agency, kind="validation", sent_on=date(2026, 3, 6), now=datetime(2026, 3, 10, tzinfo=UTC), actor=None
    )
    assert check_ledger() == []
    refused = _made(agency, datetime(2026, 3, 20, 15, 0, tzinfo=UTC), allowed=False)
    assert [(b.rule, b.contact_id) for b in check_ledger()] == [("GATE", refused.pk)]


def test_calls_inside_the_persons_consent_are_not_counted_by_the_checker() -> None:
    from recoup.compliance.models import CallConsent

    generate_portfolio(accounts=20, seed=7, as_of=START.date(), now=START)
    account = Account.objects.filter(
        account_debtors__debtor__country="US", creditor__collector_type="first_party"
    ).first()
    assert account is not None
    calls = [_made(account, datetime(2026, 3, day, 15, 0, tzinfo=UTC)) for day in range(2, 9)]
    eighth = _made(account, datetime(2026, 3, 8, 19, 0, tzinfo=UTC))  # 8 calls within 2-8 March
    assert [(b.rule, b.contact_id) for b in check_ledger()] == [("US-08", eighth.pk)]
    assert len(calls) == 7
    CallConsent.objects.create(
        account=account,
        debtor=account.debtors.get(),
        given_at=datetime(2026, 3, 8, 18, 0, tzinfo=UTC),
        ends_at=datetime(2026, 3, 9, 18, 0, tzinfo=UTC),
        note="call me back this afternoon",
        recorded_at=START,
    )
    assert check_ledger() == []
