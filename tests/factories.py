"""factory_boy factories for tests, with traits for the common variations.

AccountFactory()                      # a US card account with a primary debtor
AccountFactory(debtor__uk=True)       # the debtor lives in the UK
DebtorFactory(business=True)          # a business debtor
UserFactory(role=Role.MANAGER)        # a manager who can sign in with PASSWORD
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import factory
from django.contrib.auth.models import Group

from recoup.accounts.models import Account, AccountDebtor
from recoup.parties.models import ContactPoint, Creditor, Debtor
from recoup.users.models import Team, User
from recoup.users.roles import Role, sync_role_groups

PASSWORD = "Factory-made-passphrase-2026"
CREATED_AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class TeamFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    """A staff user in a role (officer by default) whose password is PASSWORD."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(self, create: bool, extracted: Role | None, **kwargs: Any) -> None:
        if not create:
            return
        role = extracted or Role.OFFICER
        if not Group.objects.filter(name=role.value).exists():
            sync_role_groups()
        self.groups.add(Group.objects.get(name=role.value))
        if role is Role.ADMIN and not self.is_staff:
            self.is_staff = True
            self.save(update_fields=["is_staff"])


class CreditorFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = Creditor
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"creditor-{n}")
    name = factory.Sequence(lambda n: f"Creditor {n} Bank")
    industry = Creditor.Industry.BANK_CARD
    collector_type = Creditor.CollectorType.FIRST_PARTY
    default_currency = "USD"
    country = "US"
    jurisdiction = "US-NY"
    created_at = CREATED_AT
    # Tests post fees freely; a test of the fees policy sets its own (an empty policy allows none).
    fees_policy = factory.LazyFunction(lambda: {"late_fee": "1000000"})

    class Params:
        uk_lender = factory.Trait(
            industry=Creditor.Industry.LENDER, default_currency="GBP", country="GB", jurisdiction="GB-ENG"
        )
        au_utility = factory.Trait(
            industry=Creditor.Industry.UTILITY, default_currency="AUD", country="AU", jurisdiction="AU-NSW"
        )


class DebtorFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = Debtor

    kind = Debtor.Kind.PERSON
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    time_zone = "America/New_York"
    address_line1 = "12 Main Street"
    city = "Albany"
    region = "NY"
    postal_code = "12207"
    country = "US"
    created_at = CREATED_AT

    class Params:
        business = factory.Trait(
            kind=Debtor.Kind.BUSINESS, given_name="", family_name="", business_name=factory.Faker("company")
        )
        uk = factory.Trait(time_zone="Europe/London", city="Leeds", region="ENG", postal_code="LS1 4AP", country="GB")


class ContactPointFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = ContactPoint

    debtor = factory.SubFactory(DebtorFactory)
    kind = ContactPoint.Kind.PHONE
    value = factory.Sequence(lambda n: f"+1518555{n % 10000:04d}")
    phone_type = ContactPoint.PhoneType.MOBILE
    source = ContactPoint.Source.PLACEMENT
    obtained_date = date(2026, 1, 5)

    class Params:
        email = factory.Trait(
            kind=ContactPoint.Kind.EMAIL,
            phone_type="",
            value=factory.Sequence(lambda n: f"debtor{n}@example.org"),
        )


class AccountFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    """An account with its primary debtor (pass debtor=... or debtor__uk=True to shape it)."""

    class Meta:
        model = Account
        skip_postgeneration_save = True

    creditor = factory.SubFactory(CreditorFactory)
    reference = factory.Sequence(lambda n: f"ACC-{n:07d}")
    product_type = Account.ProductType.CREDIT_CARD
    currency = factory.LazyAttribute(lambda a: a.creditor.default_currency)
    opened_date = date(2022, 3, 1)
    first_delinquency_date = date(2025, 11, 1)
    status = Account.Status.ACTIVE
    status_changed_at = CREATED_AT
    placed_at = CREATED_AT

    @factory.post_generation
    def debtor(self, create: bool, extracted: Debtor | None, **kwargs: Any) -> None:
        if not create:
            return
        debtor = extracted or DebtorFactory(**kwargs)
        AccountDebtor.objects.create(account=self, debtor=debtor, role=AccountDebtor.Role.PRIMARY)
