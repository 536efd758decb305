"""My queue's filters (creditor, days past due, status, country and state, balance range) and saved
views: each filter narrows the queue in SQL, a bad value is named and ignored, "Next account" stays in
the view, and views are the officer's own."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from factories import AccountFactory, ContactPointFactory, CreditorFactory, DebtorFactory, UserFactory
from ledger_helpers import owing
from recoup.accounts.models import Account
from recoup.audit.models import AuditEvent
from recoup.users.models import User
from recoup.users.roles import Role
from recoup.workspace.models import SavedView
from recoup.workspace.queue import InvalidFilter, QueueFilters, claim_next, queue_for

pytestmark = pytest.mark.django_db
# The pages read the clock, so the book is dated from today.
NOW = timezone.now()
TODAY = NOW.date()


@pytest.fixture
def officer() -> User:
    return UserFactory(role=Role.OFFICER)  # type: ignore[no-any-return]


@pytest.fixture
def book(officer: User) -> dict[str, Account]:
    bank = CreditorFactory(name="Lakeside Bank")
    clinic = CreditorFactory(name="Mercy Clinic")
    rows = [
        # reference, creditor, state, owes, days past due
        ("TX-BIG-OLD", bank, "TX", "7200.00", 233),
        ("TX-SMALL-NEW", bank, "TX", "310.00", 20),
        ("NY-MID", clinic, "NY", "1500.00", 76),
        ("NY-BIG", bank, "NY", "5400.00", 80),
    ]
    made = {}
    for reference, creditor, state, owes, days in rows:
        account = owing(
            AccountFactory(
                creditor=creditor, reference=reference, assigned_officer=officer, debtor=DebtorFactory(region=state)
            ),
            principal=owes,
        )
        Account.objects.filter(pk=account.pk).update(oldest_unpaid_due_date=TODAY - timedelta(days=days))
        ContactPointFactory(debtor=account.debtors.get())  # a phone, so Next account may hand it out
        made[reference] = account
    return made


def references(officer: User, **query: str) -> list[str]:
    return [e.reference for e in queue_for(officer, now=NOW, filters=QueueFilters.from_query(query))]


def test_each_filter_narrows_the_queue(officer: User, book: dict[str, Account]) -> None:
    bank = book["TX-BIG-OLD"].creditor_id
    assert references(officer) == ["TX-BIG-OLD", "NY-BIG", "NY-MID", "TX-SMALL-NEW"]
    assert references(officer, creditor=str(bank)) == ["TX-BIG-OLD", "NY-BIG", "TX-SMALL-NEW"]
    assert references(officer, region="tx") == ["TX-BIG-OLD", "TX-SMALL-NEW"]
    assert references(officer, country="US", region="NY") == ["NY-BIG", "NY-MID"]
    assert references(officer, country="GB") == []
    assert references(officer, bucket="61-90") == ["NY-BIG", "NY-MID"]
    assert references(officer, bucket="1-30") == ["TX-SMALL-NEW"]
    assert references(officer, bucket="180+") == ["TX-BIG-OLD"]
    assert references(officer, min_balance="1,500", max_balance="6000") == ["NY-BIG", "NY-MID"]
    assert references(officer, min_balance="1500.01") == ["TX-BIG-OLD", "NY-BIG"]
    assert references(officer, region="NY", bucket="61-90", min_balance="2000") == ["NY-BIG"]
    assert references(officer, status="in_arrangement") == []
    # Every row says what it owes and how late it is.
    first = queue_for(officer, now=NOW)[0]
    assert first.details["days_past_due"] == 233
    assert first.details["bucket"] == "180+"
    assert str(first.details["owed"]) == "7,200.00 USD"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"bucket": "45-60"}, "bucket: '45-60' is not one of current, 1-30"),
        ({"country": "USA"}, "country: 'USA' is not a two-letter country code"),
        ({"min_balance": "lots"}, "min_balance: 'lots' is not an amount"),
        ({"max_balance": "-5"}, "max_balance: '-5' must be zero or more"),
        ({"min_balance": "500", "max_balance": "100"}, "max_balance: 100 is less than the minimum 500"),
        ({"status": "settled"}, "status: 'settled' is not one of active, in_arrangement"),
        ({"creditor": "bank"}, "creditor: 'bank' is not a creditor"),
    ],
)
def test_a_bad_filter_is_refused_naming_the_field(query: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidFilter, match=message):
        QueueFilters.from_query(query)


def test_next_account_stays_inside_the_view(officer: User, book: dict[str, Account]) -> None:
    morning = NOW.replace(hour=15, minute=0, second=0, microsecond=0)  # 10:00 in New York: the gate allows a call
    entry = claim_next(officer, now=morning, filters=QueueFilters.from_query({"region": "NY"}))
    assert entry is not None
    assert entry.reference == "NY-BIG"
    client = Client()
    with time_machine.travel(morning, tick=False):  # Next account asks the gate about now
        client.force_login(officer)
        response = client.post("/queue/next/", {"bucket": "1-30"})
        assert response["Location"] == f"/accounts/{book['TX-SMALL-NEW'].pk}/"
        response = client.post("/queue/next/", {"country": "GB"}, follow=True)
    assert "every account in this view is being worked or done" in response.content.decode()


def test_the_queue_page_filters_and_names_a_bad_value(officer: User, book: dict[str, Account]) -> None:
    client = Client()
    client.force_login(officer)
    page = client.get("/queue/", {"region": "TX"}).content.decode()
    assert "TX-BIG-OLD" in page
    assert "NY-BIG" not in page
    assert "2 accounts in this view" in page
    assert "233 <span" in page
    bad = client.get("/queue/", {"min_balance": "abc"}).content.decode()
    assert "Some filters were not applied" in bad
    assert "Owes at least: &#x27;abc&#x27; is not an amount" in bad
    assert "NY-BIG" in bad  # the queue is still shown, unfiltered
    partial = client.get("/queue/", {"region": "NY"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial
    assert "NY-MID" in partial
    assert "TX-BIG-OLD" not in partial
    assert 'hx-swap-oob="true"' in partial  # the Next account button follows the filters


def test_saved_views_are_the_officers_own_and_audited(officer: User, book: dict[str, Account]) -> None:
    client = Client()
    client.force_login(officer)
    response = client.post("/queue/views/", {"name": "Texas", "region": "TX", "min_balance": "100"})
    assert response.status_code == 302
    assert response["Location"] == "/queue/?region=TX&min_balance=100"
    view = SavedView.objects.get(owner=officer)
    assert (view.name, view.filters) == ("Texas", {"region": "TX", "min_balance": "100"})
    page = client.get("/queue/", {"region": "TX", "min_balance": "100"}).content.decode()
    assert 'aria-current="page">Texas</a>' in page
    # The same name again replaces the filters; no filters at all cannot be saved.
    client.post("/queue/views/", {"name": "Texas", "region": "TX"})
    assert SavedView.objects.get(owner=officer).filters == {"region": "TX"}
    client.post("/queue/views/", {"name": "Nothing"})
    assert not SavedView.objects.filter(name="Nothing").exists()
    assert list(AuditEvent.objects.filter(name="workspace.view.saved").values_list("after__replaced", flat=True)) == [
        False,
        True,
    ]
    # A colleague cannot delete it; its owner can.
    colleague = Client()
    colleague.force_login(UserFactory(role=Role.OFFICER))
    colleague.post(f"/queue/views/{view.pk}/delete/")
    assert SavedView.objects.filter(pk=view.pk).exists()
    client.post(f"/queue/views/{view.pk}/delete/")
    assert not SavedView.objects.filter(pk=view.pk).exists()
    assert AuditEvent.objects.filter(name="workspace.view.deleted", subject_id=view.pk).exists()


def test_a_balance_range_reads_each_currency_in_its_own_units(officer: User) -> None:
    yen = owing(AccountFactory(reference="JPY-1", currency="JPY", assigned_officer=officer), principal="120000")
    dollars = owing(AccountFactory(reference="USD-1", assigned_officer=officer), principal="1200.00")
    assert yen.principal_minor == 120000
    assert dollars.principal_minor == 120000
    assert references(officer, min_balance="100000") == ["JPY-1"]
    assert references(officer, max_balance="1500") == ["USD-1"]
    assert QueueFilters.from_query({"min_balance": "1,000.50"}).min_balance == Decimal("1000.50")
