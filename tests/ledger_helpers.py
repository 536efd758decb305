"""Helpers for ledger tests: a fixed clock and accounts that owe by component."""

from __future__ import annotations

from datetime import UTC, date, datetime

from recoup.accounts.models import Account
from recoup.accounts.services import post_charge
from recoup.core.ledger import Component
from recoup.core.money import Money

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def usd(value: str) -> Money:
    return Money.of(value, "USD")


def owing(account: Account, **components: str) -> Account:
    """Give the account open items: principal due 2026-05-01, interest 06-01, fees 07-01, costs 08-01."""
    due = {
        Component.PRINCIPAL: date(2026, 5, 1),
        Component.INTEREST: date(2026, 6, 1),
        Component.FEES: date(2026, 7, 1),
        Component.COSTS: date(2026, 8, 1),
    }
    for name, value in components.items():
        component = Component(name)
        post_charge(
            account=account,
            component=component,
            amount=Money.of(value, account.currency),
            due_date=due[component],
            effective_date=due[component],
            now=NOW,
            actor=None,
        )
    account.refresh_from_db()
    return account
