"""The factories build valid rows that the database constraints accept."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from factories import PASSWORD, AccountFactory, ContactPointFactory, DebtorFactory, UserFactory
from recoup.accounts.models import AccountDebtor
from recoup.users.roles import Role

pytestmark = pytest.mark.django_db


def test_an_account_has_exactly_one_primary_debtor() -> None:
    account = AccountFactory(debtor__uk=True)
    roles = AccountDebtor.objects.filter(account=account)
    assert [r.role for r in roles] == ["primary"]
    assert roles[0].debtor.country == "GB"


def test_a_business_debtor_is_named_by_its_business_name() -> None:
    debtor = DebtorFactory(business=True)
    assert debtor.display_name == debtor.business_name != ""


def test_an_email_contact_point_has_no_phone_type() -> None:
    point = ContactPointFactory(email=True)
    assert point.kind == "email"
    assert point.value.endswith("@example.org")


def test_a_user_signs_in_in_the_role_given() -> None:
    manager = UserFactory(role=Role.MANAGER)
    assert authenticate(username=manager.username, password=PASSWORD) == manager
    assert manager.role is Role.MANAGER
    assert UserFactory(role=Role.ADMIN).is_staff
