"""Builders for the export tests: users in roles with signed-in clients, and accounts in bulk.

`WebData` is copied from tests/integration/web/conftest.py (fixtures are not shared across folders),
trimmed to what these tests use.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from recoup.accounts.models import Account, AccountDebtor
from recoup.parties.models import Creditor, Debtor
from recoup.users.models import Team, User
from recoup.users.roles import Role
from recoup.users.services import create_team, create_user

PASSWORD = "Export-tests-passphrase-2026"


class WebData:
    """Makes rows the way the product would hold them, with a signed-in client per user."""

    password = PASSWORD

    def __init__(self) -> None:
        self.now: datetime = timezone.now()
        self.today: date = timezone.localdate()

    def user(self, username: str, role: Role | None, *, team: Team | None = None) -> User:
        if role is None:
            return User.objects.create_user(username=username, password=PASSWORD)
        return create_user(username=username, role=role, password=PASSWORD, now=self.now, team=team)

    def team(self, name: str, lead: User | None = None) -> Team:
        return create_team(name=name, lead=lead, now=self.now)

    def client(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def creditor(self, code: str, name: str | None = None) -> Creditor:
        return Creditor.objects.create(
            code=code,
            name=name or code.replace("-", " ").title(),
            industry=Creditor.Industry.BANK_CARD,
            collector_type=Creditor.CollectorType.FIRST_PARTY,
            default_currency="USD",
            country="US",
            jurisdiction="US-NY",
            created_at=self.now,
        )

    def many_accounts(self, *, creditor: Creditor, count: int, prefix: str = "BULK") -> None:
        """Create `count` accounts with a primary debtor each, in bulk."""
        debtors = Debtor.objects.bulk_create(
            [
                Debtor(
                    kind=Debtor.Kind.PERSON,
                    given_name="Sam",
                    family_name=f"Bulk{prefix}{i}",
                    time_zone="America/Chicago",
                    country="US",
                    created_at=self.now,
                )
                for i in range(count)
            ]
        )
        statuses = list(Account.Status.values)
        accounts = Account.objects.bulk_create(
            [
                Account(
                    creditor=creditor,
                    reference=f"{prefix}-{i:05d}",
                    product_type=Account.ProductType.UTILITY,
                    currency="USD",
                    opened_date=date(2020, 6, 1),
                    first_delinquency_date=self.today - timedelta(days=10 + i),
                    status=statuses[i % len(statuses)],
                    status_changed_at=self.now,
                    placed_at=self.now,
                    principal_minor=10_000 + i,
                )
                for i in range(count)
            ]
        )
        AccountDebtor.objects.bulk_create(
            [
                AccountDebtor(account=account, debtor=debtor, role=AccountDebtor.Role.PRIMARY)
                for account, debtor in zip(accounts, debtors, strict=True)
            ]
        )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """These tests create users; a deliberately slow password hash is not what they test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def web(db: None) -> WebData:
    return WebData()
