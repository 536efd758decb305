"""A dispute hold makes the account Disputed, cites the law of the debtor's country, and ends cleanly (issue 20.7)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from factories import AccountFactory, ContactPointFactory, CreditorFactory, DebtorFactory
from recoup.accounts.models import Account
from recoup.audit.models import AuditEvent
from recoup.compliance.services import evaluate, hold_rule, lift_hold, place_hold
from recoup.core.compliance import Channel

NOW = datetime(2026, 6, 10, 14, 0, tzinfo=UTC)


def _account(country: str, status: str = Account.Status.ACTIVE) -> Account:
    places = {
        "US": {},
        "GB": {"uk": True},
        "AU": {
            "time_zone": "Australia/Sydney",
            "city": "Sydney",
            "region": "NSW",
            "postal_code": "2000",
            "country": "AU",
        },
    }
    debtor = DebtorFactory(**places[country])
    ContactPointFactory(debtor=debtor, email=True, source="debtor")
    return AccountFactory(creditor=CreditorFactory(), debtor=debtor, status=status)


def _dispute(account: Account) -> object:
    return place_hold(
        kind="dispute", reason="Says it was paid in full", starts_at=NOW, now=NOW, actor=None, account=account
    )


@pytest.mark.parametrize(("country", "rule"), [("US", "US-15"), ("GB", "UK-05"), ("AU", "AU-04")])
def test_a_dispute_hold_cites_the_rule_of_the_debtors_country(db: None, country: str, rule: str) -> None:
    account = _account(country)
    _dispute(account)
    decision = evaluate(account=account, debtor=account.debtors.get(), channel=Channel.EMAIL, at=NOW).decision
    assert not decision.allowed
    assert rule in [r.rule for r in decision.reasons]
    assert "US-15" not in [r.rule for r in decision.reasons] or country == "US"
    assert hold_rule("dispute", country) == rule


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (Account.Status.ON_HOLD, Account.Status.ON_HOLD),
        # The lifecycle takes a disputed account back to Active, not straight into an arrangement.
        (Account.Status.IN_ARRANGEMENT, Account.Status.ACTIVE),
    ],
)
def test_a_dispute_hold_makes_the_account_disputed_and_lifting_it_restores_the_status(
    db: None, before: str, after: str
) -> None:
    account = _account("GB", status=before)
    hold = _dispute(account)
    account.refresh_from_db()
    assert account.status == Account.Status.DISPUTED
    change = AuditEvent.objects.get(name="accounts.account.status_changed", account_id=account.pk)
    assert change.before == {"status": before}
    assert change.after["status"] == "disputed"
    assert f"dispute hold {hold.pk}" in change.after["reason"]  # type: ignore[attr-defined]

    later = NOW.replace(day=20)
    lift_hold(hold=hold, reason="Verification sent; balance confirmed", now=later, actor=None)  # type: ignore[arg-type]
    account.refresh_from_db()
    assert account.status == after
    assert AuditEvent.objects.filter(name="accounts.account.status_changed", account_id=account.pk).count() == 2


def test_the_account_stays_disputed_while_another_dispute_hold_is_in_force(db: None) -> None:
    account = _account("US")
    first, _second = _dispute(account), _dispute(account)
    lift_hold(hold=first, reason="first dispute answered", now=NOW.replace(day=11), actor=None)  # type: ignore[arg-type]
    account.refresh_from_db()
    assert account.status == Account.Status.DISPUTED


def test_a_settled_account_keeps_its_status_when_disputed(db: None) -> None:
    account = _account("US", status=Account.Status.CLOSED)
    _dispute(account)
    account.refresh_from_db()
    assert account.status == Account.Status.CLOSED
