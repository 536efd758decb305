"""The account page's other actions: record a payment taken (once, however often the form is sent),
add a phone or email with its provenance, stop using a wrong one (the gate then skips it), and
reassign (team leads, within their teams), each audited and on the account's timeline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from factories import AccountFactory, ContactPointFactory, CreditorFactory, DebtorFactory, UserFactory
from ledger_helpers import owing
from recoup.accounts.models import Account, Payment
from recoup.accounts.services import record_payment
from recoup.audit.models import AuditEvent
from recoup.core.money import Money
from recoup.parties.models import ContactPoint
from recoup.users.models import User
from recoup.users.roles import Role
from recoup.users.services import create_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer() -> User:
    return UserFactory(role=Role.OFFICER)  # type: ignore[no-any-return]


@pytest.fixture
def account(officer: User) -> Account:
    debtor = DebtorFactory(time_zone="America/New_York")
    ContactPointFactory(debtor=debtor, value="+15185550100")
    return owing(
        AccountFactory(creditor=CreditorFactory(), debtor=debtor, assigned_officer=officer), principal="600.00"
    )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_payment_taken_on_the_phone_is_posted_once(officer: User, account: Account) -> None:
    client = signed_in(officer)
    page = client.get(f"/accounts/{account.pk}/").content.decode()
    assert 'aria-label="Record a payment"' in page
    form = {
        "amount": "150.00",
        "received_on": timezone.localdate().isoformat(),
        "method": "card",
        "reference": "AUTH 448812",
        "idempotency_key": "page-test-1",
    }
    done = client.post(f"/accounts/{account.pk}/payments/", form, follow=True).content.decode()
    assert "Payment of 150.00 USD recorded." in done
    again = client.post(f"/accounts/{account.pk}/payments/", form, follow=True).content.decode()
    assert "already recorded; nothing was posted twice" in again
    payment = Payment.objects.get()
    assert (payment.amount_minor, payment.method, payment.external_reference) == (15000, "card", "AUTH 448812")
    account.refresh_from_db()
    assert account.principal_minor == 45000
    assert "Payment received: 150.00 USD by card" in client.get(f"/accounts/{account.pk}/timeline/").content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"amount": "0"}, "Amount: Enter an amount of at least 0.01."),
        ({"amount": "12.345"}, "Amount: 12.345 has more decimal places than USD allows (2)"),
        ({"received_on": "2030-01-01"}, "in the future"),
        ({"method": "bitcoin"}, "How: Select a valid choice."),
    ],
)
def test_a_bad_payment_is_refused_naming_the_field(
    officer: User, account: Account, change: dict[str, str], message: str
) -> None:
    form = {
        "amount": "10.00",
        "received_on": timezone.localdate().isoformat(),
        "method": "cheque",
        "idempotency_key": "page-test-bad",
        **change,
    }
    page = signed_in(officer).post(f"/accounts/{account.pk}/payments/", form, follow=True).content.decode()
    assert message in page
    assert not Payment.objects.exists()


def test_an_earlier_day_is_recorded_as_received_that_day(officer: User, account: Account) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    signed_in(officer).post(
        f"/accounts/{account.pk}/payments/",
        {"amount": "20", "received_on": yesterday.isoformat(), "method": "cheque", "idempotency_key": "k-2"},
    )
    payment = Payment.objects.get()
    assert payment.received_at.astimezone(timezone.get_current_timezone()).date() <= yesterday + timedelta(days=1)
    assert payment.transaction.effective_date == yesterday


def test_a_new_number_keeps_where_it_came_from_and_a_wrong_one_is_not_used(officer: User, account: Account) -> None:
    client = signed_in(officer)
    added = client.post(
        f"/accounts/{account.pk}/contact-points/",
        {"kind": "phone", "value": "(518) 555-0177", "phone_type": "mobile", "source": "debtor"},
        follow=True,
    ).content.decode()
    assert "Added +15185550177." in added
    point = ContactPoint.objects.get(value="+15185550177")
    assert (point.source, point.phone_type, point.obtained_date) == ("debtor", "mobile", timezone.localdate())
    twice = client.post(
        f"/accounts/{account.pk}/contact-points/",
        {"kind": "phone", "value": "518-555-0177", "phone_type": "mobile", "source": "debtor"},
        follow=True,
    ).content.decode()
    assert "phone: +15185550177 is already recorded for this debtor" in twice
    bad = client.post(
        f"/accounts/{account.pk}/contact-points/",
        {"kind": "phone", "value": "12", "phone_type": "mobile", "source": "officer"},
        follow=True,
    ).content.decode()
    assert "phone: &#x27;12&#x27; is not a phone number" in bad or "is not a valid number" in bad

    old = ContactPoint.objects.get(value="+15185550100")
    stopped = client.post(
        f"/accounts/{account.pk}/contact-points/{old.pk}/stop/", {"reason": "wrong number: a dentist"}, follow=True
    ).content.decode()
    assert "+15185550100 will not be used." in stopped
    old.refresh_from_db()
    assert old.do_not_contact
    event = AuditEvent.objects.get(name="parties.contact_point.stopped")
    assert (event.account_id, event.after["reason"]) == (account.pk, "wrong number: a dentist")
    assert "wrong number: a dentist" in client.get(f"/accounts/{account.pk}/timeline/").content.decode()
    # Someone else's account's numbers cannot be reached through this one.
    other = AccountFactory()
    theirs = ContactPointFactory(debtor=other.debtors.get(), value="+15185550199")
    client.post(f"/accounts/{account.pk}/contact-points/{theirs.pk}/stop/", {"reason": "x"})
    theirs.refresh_from_db()
    assert not theirs.do_not_contact


def test_a_team_lead_reassigns_within_their_team_and_an_officer_cannot(officer: User, account: Account) -> None:
    now = timezone.now()
    lead = UserFactory(role=Role.TEAM_LEAD)
    team = create_team(name="Recoveries East", now=now, lead=lead)
    colleague = UserFactory(role=Role.OFFICER, first_name="Ana", last_name="Silva")
    User.objects.filter(pk__in=[officer.pk, colleague.pk]).update(team=team)
    client = signed_in(lead)
    page = client.get(f"/accounts/{account.pk}/").content.decode()
    assert 'aria-label="Reassign the account"' in page
    assert "Ana Silva" in page
    missing = client.post(f"/accounts/{account.pk}/assign/", {"officer": colleague.pk}, follow=True).content.decode()
    assert "Why: This field is required." in missing
    done = client.post(
        f"/accounts/{account.pk}/assign/", {"officer": colleague.pk, "reason": "Spanish speaker"}, follow=True
    ).content.decode()
    assert "Now worked by Ana Silva." in done
    account.refresh_from_db()
    assert account.assigned_officer_id == colleague.pk
    assert AuditEvent.objects.filter(name="accounts.account.reassigned", subject_id=account.pk).exists()
    assert signed_in(officer).post(f"/accounts/{account.pk}/assign/", {"officer": officer.pk}).status_code == 403
    assert (
        'aria-label="Reassign the account"' not in signed_in(colleague).get(f"/accounts/{account.pk}/").content.decode()
    )


def test_the_page_shows_the_promise_in_force_and_the_payments(officer: User, account: Account) -> None:
    from recoup.arrangements.services import create_promise
    from recoup.core.money import Money

    client = signed_in(officer)
    assert "No plan, promise or settlement is in force." in client.get(f"/accounts/{account.pk}/").content.decode()
    today = timezone.localdate()
    create_promise(
        account=account,
        amounts=[
            (today + timedelta(days=3), Money.of("100.00", "USD")),
            (today + timedelta(days=33), Money.of("100.00", "USD")),
        ],
        now=timezone.now(),
        actor=officer,
    )
    client.post(
        f"/accounts/{account.pk}/payments/",
        {
            "amount": "40",
            "received_on": today.isoformat(),
            "method": "cash",
            "reference": "R-77",
            "idempotency_key": "k-9",
        },
    )
    page = client.get(f"/accounts/{account.pk}/").content.decode()
    assert "Promise to pay</strong>" in page
    assert "$200.00 in 2 payments" in page
    assert f"$100.00 on {today + timedelta(days=3):%a %-d %b %Y}" in page
    assert "R-77" in page  # in the payments table
    assert "$40.00" in page


def test_a_plans_schedule_is_listed_in_number_order_after_the_first_payment(
    officer: User, account: Account, django_capture_on_commit_callbacks: Any
) -> None:
    """PostgreSQL returns rows in no set order; a due that is paid is rewritten and would move to the end."""
    from recoup.arrangements.services import PlanRequest, create_plan
    from recoup.core.arrangements import Frequency
    from recoup.core.money import Money

    now = datetime(2027, 3, 3, 15, 0, tzinfo=UTC)  # a Wednesday: the first payment is due that day
    request = PlanRequest(frequency=Frequency.MONTHLY, first_due=date(2027, 3, 3), count=4)
    plan = create_plan(account=account, request=request, now=now, actor=officer)
    first = plan.dues.get(number=1)
    with django_capture_on_commit_callbacks(execute=True):  # monitoring runs once the payment commits
        record_payment(
            account=Account.objects.get(pk=account.pk),
            amount=Money.from_minor(first.amount_minor, "USD"),
            received_at=now,
            method="card",
            now=now,
            actor=None,
            idempotency_key="schedule-order-1",
        )
    assert plan.dues.get(number=1).status == "kept"
    page = signed_in(officer).get(f"/accounts/{account.pk}/plans/").content.decode()
    table = page[page.index("Payments due under") :]
    rows = table[: table.index("</tbody>")].split("<tr><td>")[1:]
    assert [row.split("<", 1)[0].strip() for row in rows] == ["1", "2", "3", "4"]
    assert "Kept" in rows[0]
    assert "Not yet due" in rows[1]


def _scottish_debt_past_prescription(officer: User) -> Account:
    debtor = DebtorFactory(uk=True, region="SCT", city="Glasgow", postal_code="G1 1XQ")
    ContactPointFactory(debtor=debtor, value="+447700900123")
    return owing(
        AccountFactory(
            creditor=CreditorFactory(uk_lender=True),
            debtor=debtor,
            first_delinquency_date=date(2019, 6, 1),
            assigned_officer=officer,
        ),
        principal="600.00",
    )


def test_an_extinguished_debt_shows_the_fact_and_only_a_manager_may_close_it(officer: User) -> None:
    account = _scottish_debt_past_prescription(officer)
    page = signed_in(officer).get(f"/accounts/{account.pk}/").content.decode()
    assert "Debt extinguished on 2 Jun 2024 (UK-06 Scotland prescription)" in page
    assert "Close as extinguished</button>" not in page  # an officer sees the fact, not the form
    assert signed_in(officer).post(f"/accounts/{account.pk}/close-extinguished/", {"note": ""}).status_code == 403
    client = signed_in(UserFactory(role=Role.MANAGER))
    assert "Close as extinguished</button>" in client.get(f"/accounts/{account.pk}/").content.decode()
    done = client.post(f"/accounts/{account.pk}/close-extinguished/", {"note": "checked"}, follow=True)
    assert "Closed account" in done.content.decode()
    account.refresh_from_db()
    assert (account.status, account.closure_reason) == ("closed", "extinguished")
    again = client.post(f"/accounts/{account.pk}/close-extinguished/", {"note": ""}, follow=True).content.decode()
    assert "cannot go from closed to closed" in again or "already closed" in again


def test_a_debt_that_is_not_extinguished_is_refused_with_the_reason(officer: User, account: Account) -> None:
    done = signed_in(UserFactory(role=Role.MANAGER)).post(
        f"/accounts/{account.pk}/close-extinguished/", {"note": ""}, follow=True
    )
    assert "is not extinguished" in done.content.decode()
    account.refresh_from_db()
    assert account.status == "active"


def test_an_extinguished_debt_offers_no_call_and_a_manager_returns_money_paid_after(officer: User) -> None:
    account = _scottish_debt_past_prescription(officer)  # extinguished from 2 Jun 2024
    now = timezone.now()
    before = record_payment(
        account=account,
        amount=Money.of("15.00", account.currency),
        received_at=datetime(2024, 5, 1, 12, tzinfo=UTC),
        method="card",
        now=now,
        actor=None,
    )
    after = record_payment(
        account=account,
        amount=Money.of("40.00", account.currency),
        received_at=datetime(2025, 3, 3, 12, tzinfo=UTC),
        method="card",
        now=now,
        actor=None,
    )
    page = signed_in(officer).get(f"/accounts/{account.pk}/").content.decode()
    assert "Log a call" not in page  # nothing may be collected: no call to log
    assert "compliance.services" not in page  # the still-allowed list speaks to people, not code
    assert f"dated 3 Mar 2025 (payment {after.pk})" in page
    assert f"(payment {before.pk})" not in page  # paid before extinction: it paid what was owed
    assert "Return it</button>" not in page  # an officer sees it; a manager returns it
    path = f"/accounts/{account.pk}/payments/{after.pk}/return-extinguished/"
    assert signed_in(officer).post(path).status_code == 403
    client = signed_in(UserFactory(role=Role.MANAGER))
    assert "Return it</button>" in client.get(f"/accounts/{account.pk}/").content.decode()
    done = client.post(path, follow=True).content.decode()
    assert f"Payment {after.pk} of" in done
    assert "returned: reversed as paid after the debt was extinguished" in done
    after.refresh_from_db()
    assert after.reversal_reason == "returned: paid after the debt was extinguished on 2024-06-02 (UK-06)"
    again = client.post(path, follow=True).content.decode()
    assert "nothing was reversed twice" in again
    assert Payment.objects.filter(account=account, reversal__isnull=False).count() == 1
