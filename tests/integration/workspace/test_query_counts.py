"""The account page and the queue do not run a query per contact, hold, notice or account: the number
of queries is the same however much there is to show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from factories import AccountFactory, ContactPointFactory, CreditorFactory, UserFactory
from ledger_helpers import owing
from recoup.accounts.models import Account
from recoup.compliance.models import Contact
from recoup.users.roles import Role

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def add_contacts(account: Account, how_many: int) -> None:
    debtor = account.debtors.get()
    Contact.objects.bulk_create(
        [
            Contact(
                account=account,
                debtor=debtor,
                channel="call",
                direction="inbound",
                outcome="connected_conversation",
                at=NOW - timedelta(hours=n + 1),
                note=f"call {n}",
                recorded_at=NOW,
            )
            for n in range(how_many)
        ]
    )


def test_the_account_page_costs_the_same_with_3_or_25_contacts() -> None:
    officer = UserFactory(role=Role.OFFICER)
    account = owing(AccountFactory(creditor=CreditorFactory(), assigned_officer=officer), principal="300.00")
    ContactPointFactory(debtor=account.debtors.get(), value="+15185550100")
    client = Client()
    client.force_login(officer)
    add_contacts(account, 3)
    few = queries(client, f"/accounts/{account.pk}/")
    add_contacts(account, 22)
    many = queries(client, f"/accounts/{account.pk}/")
    assert many == few
    # 67 today, mostly the gate asked for 4 channels, and the legal and credit-reporting gates each asking
    # for open disputes: a ceiling that shows growth
    assert few <= 67, few


def test_the_queue_costs_the_same_with_3_or_30_accounts() -> None:
    officer = UserFactory(role=Role.OFFICER)
    creditor = CreditorFactory()
    client = Client()
    client.force_login(officer)
    for _ in range(3):
        owing(AccountFactory(creditor=creditor, assigned_officer=officer), principal="100.00")
    few = queries(client, "/queue/")
    for _ in range(27):
        owing(AccountFactory(creditor=creditor, assigned_officer=officer), principal="100.00")
    many = queries(client, "/queue/")
    assert many == few
