"""A payment counts in the ledger from its business date, decided where it comes in, not from the
UTC date of the instant it was taken: early morning in Sydney is still that day in Sydney, and late
evening in Los Angeles is still that day in Los Angeles (a plan's instalment paid then is kept)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from factories import AccountFactory, ContactPointFactory, CreditorFactory, DebtorFactory, UserFactory
from ledger_helpers import owing
from recoup.accounts.models import Account, Payment
from recoup.accounts.services import UnableToRecordPayment, record_payment
from recoup.arrangements.models import Due
from recoup.arrangements.services import PlanRequest, create_plan, monitor
from recoup.core.arrangements import Frequency
from recoup.core.money import Money
from recoup.users.models import User
from recoup.users.roles import Role

pytestmark = pytest.mark.django_db
SYDNEY = ZoneInfo("Australia/Sydney")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def officer_and_account(zone: str, currency: str, **creditor: Any) -> tuple[User, Account]:
    officer = UserFactory(role=Role.OFFICER)
    debtor = DebtorFactory(time_zone=zone)
    ContactPointFactory(debtor=debtor, value="+15185550100")
    account = AccountFactory(
        creditor=CreditorFactory(default_currency=currency, **creditor), debtor=debtor, assigned_officer=officer
    )
    return officer, owing(account, principal="600.00")


def test_a_payment_taken_at_8_in_the_morning_in_sydney_is_dated_that_day_in_the_ledger() -> None:
    officer, account = officer_and_account("Australia/Sydney", "AUD", au_utility=True)
    taken = datetime(2026, 6, 15, 8, 0, tzinfo=SYDNEY)  # 22:00 on the 14th in UTC
    client = Client()
    client.force_login(officer)
    with time_machine.travel(taken, tick=False):
        form = {"amount": "50.00", "received_on": "2026-06-15", "method": "card", "idempotency_key": "syd-1"}
        done = client.post(f"/accounts/{account.pk}/payments/", form, follow=True).content.decode()
    assert "Payment of 50.00 AUD recorded." in done
    payment = Payment.objects.select_related("transaction").get()
    assert payment.received_at == taken
    assert payment.transaction.effective_date == date(2026, 6, 15)


def test_an_instalment_paid_at_10_in_the_evening_in_los_angeles_on_its_due_day_is_kept(
    django_capture_on_commit_callbacks: Any,
) -> None:
    _, account = officer_and_account(
        "America/Los_Angeles", "USD", arrangement_policy={"grace_days": 0, "date_rule": "none"}
    )
    due_day = date(2026, 6, 14)
    plan = create_plan(
        account=account,
        request=PlanRequest(frequency=Frequency.MONTHLY, first_due=due_day, count=2),
        now=datetime(2026, 6, 1, 12, 0, tzinfo=LOS_ANGELES),
        actor=None,
    )
    paid = datetime(2026, 6, 14, 22, 0, tzinfo=LOS_ANGELES)  # 05:00 on the 15th in UTC
    first = plan.dues.order_by("number").first()
    assert first is not None
    assert first.due_date == due_day
    with django_capture_on_commit_callbacks(execute=True):
        record_payment(
            account=account,
            amount=Money.from_minor(first.amount_minor, "USD"),
            received_at=paid,
            received_on=due_day,
            method="card",
            now=paid,
            actor=None,
            idempotency_key="la-1",
        )
    payment = Payment.objects.select_related("transaction").get()
    assert payment.transaction.effective_date == due_day
    monitor(as_of=date(2026, 6, 15), now=datetime(2026, 6, 15, 6, 0, tzinfo=LOS_ANGELES), actor=None)
    first.refresh_from_db()
    assert (first.status, first.paid_on) == (Due.Status.KEPT, due_day)  # by the UTC date: the 15th, broken


def test_a_business_date_later_than_anywhere_on_earth_is_refused() -> None:
    _, account = officer_and_account("America/New_York", "USD")
    now = datetime(2026, 6, 14, 12, 0, tzinfo=ZoneInfo("UTC"))  # already the 15th in Kiribati, not the 16th
    with pytest.raises(UnableToRecordPayment, match="received_on: 2026-06-16 is in the future"):
        record_payment(
            account=account,
            amount=Money.from_minor(100, "USD"),
            received_at=now,
            received_on=date(2026, 6, 16),
            method="card",
            now=now,
            actor=None,
        )
    assert not Payment.objects.exists()
