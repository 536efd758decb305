"""My queue: callbacks due first, then promises and instalments due or missed, then the largest
balances; "next account" leases the first one nobody else is working."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from factories import AccountFactory, ContactPointFactory, CreditorFactory, UserFactory
from ledger_helpers import owing, usd
from recoup.accounts.models import Account
from recoup.arrangements.services import create_promise, monitor
from recoup.audit.models import AuditEvent
from recoup.users.models import User
from recoup.users.roles import Role
from recoup.workspace.models import AccountLease, Callback
from recoup.workspace.queue import claim_next, queue_for

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 1, 20, 15, 0, tzinfo=UTC)


@pytest.fixture
def officer() -> User:
    return UserFactory(role=Role.OFFICER)  # type: ignore[no-any-return]


@pytest.fixture
def accounts(officer: User) -> dict[str, Account]:
    creditor = CreditorFactory(arrangement_policy={"grace_days": 2, "date_rule": "none"})
    made = {
        name: owing(AccountFactory(creditor=creditor, reference=name, assigned_officer=officer), principal=owed)
        for name, owed in [("SMALL", "100.00"), ("BIG", "9000.00"), ("PROMISED", "500.00"), ("CALLBACK", "50.00")]
    }
    for account in made.values():
        ContactPointFactory(debtor=account.debtors.get())  # a phone, so Next account may hand it out
    create_promise(
        account=made["PROMISED"], amounts=[(date(2027, 1, 15), usd("50.00"))], now=NOW - timedelta(days=10), actor=None
    )
    monitor(as_of=NOW.date(), now=NOW, actor=None)  # the promise of 15 January is missed
    Callback.objects.create(
        account=made["CALLBACK"],
        debtor=made["CALLBACK"].debtors.get(),
        at=NOW + timedelta(minutes=5),
        officer=officer,
        created_at=NOW,
    )
    return made


def test_the_queue_reads_callbacks_then_missed_promises_then_the_largest_balances(
    officer: User, accounts: dict[str, Account]
) -> None:
    queue = queue_for(officer, now=NOW)
    assert [(e.reference, e.tier) for e in queue] == [("CALLBACK", 1), ("PROMISED", 2), ("BIG", 3), ("SMALL", 3)]
    assert queue[0].reason == "Callback due 20 Jan 10:05 their time (EST)"
    assert queue[1].reason == "Promise of 50.00 USD missed (15 Jan)"
    assert queue[2].reason == "Owes 9,000.00 USD"
    Account.objects.filter(reference="SMALL").update(status="settled")
    assert "SMALL" not in [e.reference for e in queue_for(officer, now=NOW)]


def test_next_account_skips_one_someone_else_is_working_and_leases_it(
    officer: User, accounts: dict[str, Account]
) -> None:
    colleague = UserFactory(role=Role.OFFICER)
    AccountLease.objects.create(account=accounts["CALLBACK"], officer=colleague, until=NOW + timedelta(minutes=10))
    queue = queue_for(officer, now=NOW)
    assert queue[0].worked_by == colleague.username
    first = claim_next(officer, now=NOW)
    assert first is not None
    assert first.reference == "PROMISED"
    lease = AccountLease.objects.get(account=accounts["PROMISED"])
    assert (lease.officer_id, lease.until) == (officer.pk, NOW + timedelta(minutes=15))
    assert AuditEvent.objects.filter(name="workspace.account.claimed", subject_id=accounts["PROMISED"].pk).exists()
    # Once the colleague's lease runs out, the callback is first again.
    later = claim_next(officer, now=NOW + timedelta(minutes=11))
    assert later is not None
    assert later.reference == "CALLBACK"


def test_the_queue_page_and_the_next_account_button(officer: User, accounts: dict[str, Account]) -> None:
    client = Client()
    client.force_login(officer)
    page = client.get("/queue/").content.decode()
    assert "My queue" in page
    assert "BIG" in page
    with time_machine.travel(NOW, tick=False):  # Next account asks the gate about now: a weekday morning
        client.force_login(officer)
        response = client.post("/queue/next/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/")
    auditor = Client()
    auditor.force_login(UserFactory(role=Role.AUDITOR))
    assert auditor.get("/queue/").status_code == 403
    assert auditor.post("/queue/next/").status_code == 403


def test_search_finds_accounts_by_a_phone_typed_any_way_and_by_email() -> None:
    from factories import ContactPointFactory, DebtorFactory
    from recoup.accounts.selectors import search_accounts

    debtor = DebtorFactory()
    ContactPointFactory(debtor=debtor, value="+14155550123")
    ContactPointFactory(debtor=debtor, email=True, value="pat.lee@example.org")
    mine = AccountFactory(debtor=debtor, reference="FIND-ME")
    AccountFactory(reference="NOT-ME")
    for typed in ["(415) 555-0123", "415.555.0123", "+1 415 555 0123", "Pat.Lee@Example.org"]:
        assert [a.reference for a in search_accounts(text=typed)] == ["FIND-ME"], typed
    assert list(search_accounts(text="(415) 555-0199")) == []
    assert mine.pk in [a.pk for a in search_accounts(text="FIND")]


def test_an_account_waiting_for_a_promised_payment_comes_last_and_is_not_taken(
    officer: User, accounts: dict[str, Account]
) -> None:
    create_promise(
        account=accounts["BIG"], amounts=[(date(2027, 1, 25), usd("900.00"))], now=NOW - timedelta(days=1), actor=None
    )
    queue = queue_for(officer, now=NOW)
    assert [(e.reference, e.tier) for e in queue] == [("CALLBACK", 1), ("PROMISED", 2), ("SMALL", 3), ("BIG", 4)]
    assert queue[-1].reason == "Promise of 900.00 USD due 25 Jan: leave until then"
    # With the others being worked by a colleague, Next account finds nothing: it never takes the waiting one.
    colleague = UserFactory(role=Role.OFFICER)
    for reference in ("CALLBACK", "PROMISED", "SMALL"):
        AccountLease.objects.create(account=accounts[reference], officer=colleague, until=NOW + timedelta(minutes=10))
    assert claim_next(officer, now=NOW) is None
    # On its due day it is an instalment due like any other.
    due_day = datetime(2027, 1, 25, 15, 0, tzinfo=UTC)
    assert ("BIG", 2) in [(e.reference, e.tier) for e in queue_for(officer, now=due_day)]


def test_next_account_passes_over_accounts_the_gate_blocks_right_now(
    officer: User, accounts: dict[str, Account]
) -> None:
    """Issue 20.9: Next account handed out accounts the gate blocks; it now skips them, in order."""
    from recoup.compliance.models import Hold
    from recoup.workspace.queue import NothingAllowedNow

    def hold(account: Account, kind: str, channel: str = "") -> None:
        Hold.objects.create(
            account=account,
            kind=kind,
            channel=channel,
            starts_at=NOW - timedelta(days=1),
            reason="test",
            created_at=NOW - timedelta(days=1),
        )

    hold(accounts["CALLBACK"], Hold.Kind.BANKRUPTCY)  # passed over in SQL
    for channel in ("call", "sms"):  # only a phone on file, and it may not be called or texted: the gate says no
        hold(accounts["PROMISED"], Hold.Kind.DO_NOT_CONTACT, channel)
    assert [e.reference for e in queue_for(officer, now=NOW)][:3] == ["CALLBACK", "PROMISED", "BIG"]
    first = claim_next(officer, now=NOW)
    assert first is not None
    assert first.reference == "BIG"
    assert first.details["allowed_channels"] == ["call"]  # the first channel the gate allows
    claimed = AuditEvent.objects.get(name="workspace.account.claimed", subject_id=accounts["BIG"].pk)
    assert claimed.after["passed_over"] == ["PROMISED"]
    assert not AccountLease.objects.filter(account__in=[accounts["CALLBACK"], accounts["PROMISED"]]).exists()
    # At 22:00 in New York every rule pack is outside its hours: the gate is not even asked.
    with pytest.raises(NothingAllowedNow, match=r"outside contact hours \(07:30 to 21:00\) where 3 of the debtors"):
        claim_next(officer, now=NOW + timedelta(hours=12))
    # When the gate blocks everything left, Next account says so instead of handing out an account.
    for reference in ("BIG", "SMALL"):
        hold(accounts[reference], Hold.Kind.CEASE_COMMUNICATION)
    AccountLease.objects.all().delete()
    with pytest.raises(NothingAllowedNow, match="the compliance gate blocks a call, text and email right now"):
        claim_next(officer, now=NOW)
    with time_machine.travel(NOW, tick=False):
        client = Client()
        client.force_login(officer)
        page = client.post("/queue/next/", follow=True).content.decode()
    assert "No account to hand out right now" in page
    assert not AccountLease.objects.exists()
