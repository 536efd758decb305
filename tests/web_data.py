"""Builders for the staff UI tests: users in roles, creditors, debtors and accounts, and signed-in clients."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.test import Client
from django.utils import timezone

from recoup.accounts.models import Account, AccountDebtor
from recoup.parties.models import Creditor, Debtor
from recoup.users.models import Team, User
from recoup.users.roles import Role
from recoup.users.services import create_team, create_user

PASSWORD = "Web-shell-passphrase-2026"


class WebData:
    """Makes rows the way the product would hold them, with a signed-in client per user."""

    password = PASSWORD

    def __init__(self) -> None:
        self.now: datetime = timezone.now()
        self.today: date = timezone.localdate()
        self._debtors = 0

    def user(
        self,
        username: str,
        role: Role | None,
        *,
        team: Team | None = None,
        first_name: str = "",
        last_name: str = "",
    ) -> User:
        if role is None:
            user = User.objects.create_user(username=username, password=PASSWORD)
            return user
        return create_user(
            username=username,
            role=role,
            password=PASSWORD,
            now=self.now,
            team=team,
            first_name=first_name,
            last_name=last_name,
        )

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
            fees_policy={"late_fee": "1000000"},  # tests post fees freely; an empty policy allows none
            created_at=self.now,
        )

    def debtor(self, family_name: str = "", given_name: str = "", business_name: str = "") -> Debtor:
        kind = Debtor.Kind.BUSINESS if business_name else Debtor.Kind.PERSON
        return Debtor.objects.create(
            kind=kind,
            given_name=given_name,
            family_name=family_name,
            business_name=business_name,
            time_zone="America/New_York",
            country="US",
            created_at=self.now,
        )

    def account(
        self,
        *,
        creditor: Creditor,
        reference: str,
        officer: User | None = None,
        status: str = Account.Status.ACTIVE,
        product_type: str = Account.ProductType.CREDIT_CARD,
        days_late: int | None = 30,
        debtor: Debtor | None = None,
        team: Team | None = None,
    ) -> Account:
        account = Account.objects.create(
            creditor=creditor,
            reference=reference,
            product_type=product_type,
            currency="USD",
            opened_date=date(2021, 1, 15),
            first_delinquency_date=None if days_late is None else self.today - timedelta(days=days_late),
            status=status,
            status_changed_at=self.now,
            assigned_officer=officer,
            team=team,
            placed_at=self.now,
        )
        if debtor is None:
            self._debtors += 1
            debtor = self.debtor(family_name=f"Debtor{self._debtors}", given_name="Pat")
        AccountDebtor.objects.create(account=account, debtor=debtor, role=AccountDebtor.Role.PRIMARY)
        return account

    def many_accounts(
        self,
        *,
        creditor: Creditor,
        count: int,
        officer: User | None = None,
        prefix: str = "BULK",
        principal_minor: int = 0,
    ) -> None:
        """Create `count` accounts with a primary debtor each, in bulk (for query-count guards).

        With `principal_minor`, account i has that much plus i cents of cached principal (no ledger
        entries: for tests of what lists and exports show, not of the ledger).
        """
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
                    assigned_officer=officer,
                    placed_at=self.now,
                    principal_minor=principal_minor + i if principal_minor else 0,
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
