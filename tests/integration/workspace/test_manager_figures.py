"""The manager's home: collected today, a bar chart of the last 14 days, promises due and kept."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client

from factories import AccountFactory, CreditorFactory, UserFactory
from ledger_helpers import owing, usd
from recoup.accounts.services import record_payment
from recoup.arrangements.services import create_promise, monitor
from recoup.users.roles import Role
from recoup.workspace.figures import collection_figures

pytestmark = pytest.mark.django_db
TODAY = date(2027, 1, 20)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def test_the_figures_count_money_and_promises() -> None:
    creditor = CreditorFactory(arrangement_policy={"date_rule": "none", "grace_days": 0})
    first, second = (owing(AccountFactory(creditor=creditor), principal="1000.00") for _ in range(2))
    for account, amount, day in [
        (first, "40.00", TODAY),
        (second, "60.00", TODAY),
        (first, "200.00", TODAY - timedelta(days=3)),
    ]:
        record_payment(
            account=account,
            amount=usd(amount),
            received_at=at(day),
            method="card",
            now=at(TODAY),
            actor=None,
            idempotency_key=f"{account.pk}-{day}-{amount}",
        )
    create_promise(account=second, amounts=[(TODAY, usd("25.00"))], now=at(TODAY - timedelta(days=5)), actor=None)
    figures = collection_figures(today=TODAY)
    assert [str(m) for m in figures.today] == ["100.00 USD"]
    bars = figures.bars["USD"]
    assert len(bars) == 14
    assert (bars[-1].day, bars[-1].height, bars[-4].height) == (TODAY, 50, 100)  # 100 today, 200 three days ago
    assert (figures.promises_due_today, [str(m) for m in figures.promised_today]) == (1, ["25.00 USD"])


def test_the_manager_home_shows_the_collections_and_the_chart() -> None:
    creditor = CreditorFactory(arrangement_policy={"date_rule": "none", "grace_days": 0})
    account = owing(AccountFactory(creditor=creditor), principal="500.00")
    create_promise(
        account=account,
        amounts=[(TODAY - timedelta(days=3), usd("50.00"))],
        now=at(TODAY - timedelta(days=6)),
        actor=None,
    )
    monitor(as_of=TODAY, now=at(TODAY), actor=None)  # broken: nothing paid
    figures = collection_figures(today=TODAY)
    assert (figures.kept_last_30, figures.fell_due_last_30, figures.kept_rate) == (0, 1, "0.0%")
    from django.utils import timezone

    now = timezone.now()  # the home page shows the real today
    record_payment(
        account=account,
        amount=usd("75.00"),
        received_at=now,
        method="card",
        now=now,
        actor=None,
        idempotency_key="today",
    )
    client = Client()
    client.force_login(UserFactory(role=Role.MANAGER))
    page = client.get("/").content.decode()
    assert "Collected today" in page
    assert "$75.00" in page
    assert "Promises kept, last 30 days" in page
    assert "Collected per day in USD" in page
    assert 'height="100" class="chart__bar"' in page  # today is the tallest bar
