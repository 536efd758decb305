"""My queue beyond the first 50 (issue 20.9): pages with a total count, the debtor's name and local
time on each row (one query for the page), and balances in several currencies compared in one."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from factories import AccountFactory, CreditorFactory, DebtorFactory, UserFactory
from recoup.accounts.models import Account
from recoup.users.models import User
from recoup.users.roles import Role
from recoup.workspace.queue import queue_count, queue_for

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 1, 20, 15, 0, tzinfo=UTC)  # 10:00 in New York, 15:00 in London


@pytest.fixture
def officer() -> User:
    return UserFactory(role=Role.OFFICER)  # type: ignore[no-any-return]


def book(officer: User, how_many: int, *, currency: str = "USD", prefix: str = "Q", **debtor: object) -> list[Account]:
    """`how_many` accounts owing 1,000.00, 999.00, ... so the queue's order is the creation order."""
    creditor = CreditorFactory(default_currency=currency)
    made = []
    for n in range(how_many):
        account = AccountFactory(
            creditor=creditor,
            reference=f"{prefix}-{n + 1:04d}",
            assigned_officer=officer,
            debtor=DebtorFactory(**debtor),
        )
        Account.objects.filter(pk=account.pk).update(principal_minor=100_000 - n * 100)
        made.append(account)
    return made


def page_refs(html: str) -> list[str]:
    import re

    return re.findall(r">(Q-\d{4})</a>", html)


def test_the_queue_pages_fifty_at_a_time_with_the_total(officer: User) -> None:
    book(officer, 110)
    client = Client()
    client.force_login(officer)
    first = client.get("/queue/").content.decode()
    assert "110 accounts" in first
    assert "Showing <strong>1\N{EN DASH}50</strong> of <strong>110</strong>" in first
    assert page_refs(first) == [f"Q-{n:04d}" for n in range(1, 51)]
    assert 'rel="next"' in first
    assert "page=2" in first
    assert '<nav class="pagination" aria-label="Queue pages">' in first
    second = client.get("/queue/", {"page": "2"}).content.decode()
    assert "Showing <strong>51\N{EN DASH}100</strong> of <strong>110</strong>" in second
    assert page_refs(second) == [f"Q-{n:04d}" for n in range(51, 101)]
    assert ">51</td>" in second  # the position in the whole queue, not on the page
    third = client.get("/queue/", {"page": "3"}).content.decode()
    assert page_refs(third) == [f"Q-{n:04d}" for n in range(101, 111)]
    # The filters travel with the page links.
    filtered = client.get("/queue/", {"min_balance": "10", "page": "2"}).content.decode()
    assert "min_balance=10&amp;page=3" in filtered
    assert queue_count(officer, now=NOW) == 110
    assert len(queue_for(officer, now=NOW, limit=50, offset=100)) == 10


def test_each_row_shows_the_debtor_and_their_time_now_in_one_query_for_the_page(officer: User) -> None:
    book(officer, 3, given_name="Maria", family_name="Garcia")
    uk = book(officer, 1, currency="GBP", prefix="UK", uk=True, given_name="Tom", family_name="Okafor")[0]
    entries = {e.reference: e for e in queue_for(officer, now=NOW)}
    assert entries["Q-0001"].details["debtor"] == "Maria Garcia"
    assert entries["Q-0001"].details["local_time"] == "Wed 10:00 EST"
    assert entries[uk.reference].details["local_time"] == "Wed 15:00 GMT"
    client = Client()
    client.force_login(officer)
    html = client.get("/queue/").content.decode()
    assert "Maria Garcia" in html
    assert "Tom Okafor" in html
    with CaptureQueriesContext(connection) as few:
        client.get("/queue/")
    book(officer, 60, prefix="M", given_name="Ana", family_name="Lopez")
    with CaptureQueriesContext(connection) as many:
        html = client.get("/queue/").content.decode()
    assert "Ana Lopez" in html
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_balances_in_different_currencies_are_compared_in_the_reporting_currency(officer: User, settings: Any) -> None:
    settings.REPORTING_CURRENCY = "USD"
    settings.QUEUE_RATES = {"USD": Decimal(1), "GBP": Decimal("1.27"), "AUD": Decimal("0.66")}
    for reference, currency, minor in [
        ("AUD-1200", "AUD", 120_000),  # 792 USD
        ("USD-1000", "USD", 100_000),
        ("GBP-900", "GBP", 90_000),  # 1,143 USD
        ("NZD-5000", "NZD", 500_000),  # no rate: last, whatever its size
        ("USD-800", "USD", 80_000),
    ]:
        account = AccountFactory(
            creditor=CreditorFactory(default_currency=currency), reference=reference, assigned_officer=officer
        )
        Account.objects.filter(pk=account.pk).update(principal_minor=minor)
    queue = queue_for(officer, now=NOW)
    assert [e.reference for e in queue] == ["GBP-900", "USD-1000", "USD-800", "AUD-1200", "NZD-5000"]
    assert queue[0].reason == "Owes 900.00 GBP"
    assert queue[-1].reason == "Owes 5,000.00 NZD (no NZD to USD rate: listed after the balances that have one)"
