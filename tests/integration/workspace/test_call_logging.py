"""Logging a call: the gate first, the outcome in the contact ledger, the follow-up in one transaction."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from factories import AccountFactory, ContactPointFactory, CreditorFactory, DebtorFactory, UserFactory
from ledger_helpers import owing, usd
from recoup.accounts.models import Account
from recoup.arrangements.models import Arrangement
from recoup.compliance.models import CallConsent, Contact, ContactDecision, Hold
from recoup.compliance.services import UnableToContact
from recoup.users.roles import Role
from recoup.workspace.calls import FollowUp, log_call
from recoup.workspace.models import Callback

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")


def ny(day: int, hour: int) -> datetime:
    return datetime(2027, 1, day, hour, 0, tzinfo=NEW_YORK)


@pytest.fixture
def account() -> Account:
    debtor = DebtorFactory(time_zone="America/New_York")
    ContactPointFactory(debtor=debtor, value="+15185550100")
    return owing(AccountFactory(creditor=CreditorFactory(), debtor=debtor), principal="600.00")


def test_a_promise_on_a_call_is_recorded_with_the_call(account: Account) -> None:
    officer = UserFactory(role=Role.OFFICER)
    log_call(
        account=account,
        outcome="promise",
        at=ny(11, 14),
        now=ny(11, 14),
        actor=officer,
        note="pays Friday from wages",
        follow_up=FollowUp(promise_amount=usd("120.00"), promise_on=date(2027, 1, 15)),
    )
    contact = Contact.objects.get()
    assert (contact.outcome, contact.note, contact.recorded_by_id) == (
        "connected_conversation",
        "pays Friday from wages",
        officer.pk,
    )
    promise = Arrangement.objects.get()
    assert (promise.kind, promise.total_minor, promise.channel) == ("promise", 12000, "call")


def test_a_blocked_call_is_refused_and_nothing_but_the_decision_is_recorded(account: Account) -> None:
    with pytest.raises(UnableToContact, match="call blocked: US-01"):
        log_call(account=account, outcome="no_answer", at=ny(11, 22), now=ny(11, 22), actor=None)
    assert Contact.objects.count() == 0
    assert ContactDecision.objects.get().allowed is False


def test_a_follow_up_that_fails_undoes_the_call_record(account: Account) -> None:
    with pytest.raises(UnableToContact, match="date: 2027-01-01 is in the past"):
        log_call(
            account=account,
            outcome="promise",
            at=ny(11, 14),
            now=ny(11, 14),
            actor=None,
            follow_up=FollowUp(promise_amount=usd("50.00"), promise_on=date(2027, 1, 1)),
        )
    assert Contact.objects.count() == 0
    assert Arrangement.objects.count() == 0
    with pytest.raises(UnableToContact, match="promise: give the amount and the day"):
        log_call(account=account, outcome="promise", at=ny(11, 14), now=ny(11, 14), actor=None)


def test_a_callback_is_their_consent_to_that_call_even_after_a_conversation(account: Account) -> None:
    officer = UserFactory(role=Role.OFFICER)
    log_call(
        account=account,
        outcome="callback",
        at=ny(11, 14),
        now=ny(11, 14),
        actor=officer,
        note="driving, call tomorrow at 10",
        follow_up=FollowUp(callback_at=ny(12, 10)),
    )
    callback = Callback.objects.get()
    assert (callback.at, callback.officer_id) == (ny(12, 10), officer.pk)
    assert CallConsent.objects.get().ends_at == ny(12, 11)
    # The conversation started US-08's 7-day wait, but the call they asked for is allowed.
    log_call(account=account, outcome="right_party", at=ny(12, 10), now=ny(12, 10), actor=officer)
    with pytest.raises(UnableToContact, match="US-08"):
        log_call(account=account, outcome="no_answer", at=ny(13, 10), now=ny(13, 10), actor=officer)


@pytest.mark.parametrize(
    ("outcome", "kind", "on_debtor"),
    [
        ("dispute", "dispute", False),
        ("attorney", "represented", True),
        ("deceased", "deceased", True),
        ("hardship", "hardship", False),
    ],
)
def test_outcomes_that_stop_collection_place_their_hold(
    account: Account, outcome: str, kind: str, on_debtor: bool
) -> None:
    log_call(account=account, outcome=outcome, at=ny(11, 14), now=ny(11, 14), actor=None, note="said so on the call")
    hold = Hold.objects.get()
    assert hold.kind == kind
    assert (hold.debtor_id is not None) == on_debtor
    assert hold.evidence == "said so on the call"


@pytest.fixture
def web_client_officer(account: Account) -> tuple[object, Account]:
    from django.test import Client

    officer = UserFactory(role=Role.OFFICER)
    Account.objects.filter(pk=account.pk).update(assigned_officer=officer)
    client = Client()
    client.force_login(officer)
    return client, Account.objects.get(pk=account.pk)


def test_the_account_page_logs_a_call_made_now(
    web_client_officer: tuple[object, Account], monkeypatch: pytest.MonkeyPatch
) -> None:
    from recoup.web import call_views

    client, account = web_client_officer
    monkeypatch.setattr(call_views, "_now", lambda: ny(11, 14))  # a call at 14:00 in New York
    done = client.post(  # type: ignore[attr-defined]
        f"/accounts/{account.pk}/calls/", {"outcome": "voicemail", "note": "left LCM"}, follow=True
    ).content.decode()
    assert "Call logged: limited-content voicemail." in done
    assert (Contact.objects.get().outcome, Contact.objects.get().note) == ("voicemail", "left LCM")
    assert "left LCM" in done  # in the contact history

    monkeypatch.setattr(call_views, "_now", lambda: ny(11, 22))  # 22:00: outside the hours
    late = client.post(f"/accounts/{account.pk}/calls/", {"outcome": "no_answer"}, follow=True)  # type: ignore[attr-defined]
    assert "call blocked: US-01" in late.content.decode()
    assert Contact.objects.count() == 1
    bad = client.post(f"/accounts/{account.pk}/calls/", {"outcome": "made_up"}, follow=True)  # type: ignore[attr-defined]
    assert "Outcome: Select a valid choice." in bad.content.decode()


def test_an_auditor_cannot_log_a_call(account: Account) -> None:
    from django.test import Client

    client = Client()
    client.force_login(UserFactory(role=Role.AUDITOR))
    assert client.post(f"/accounts/{account.pk}/calls/", {"outcome": "no_answer"}).status_code == 403
    assert Contact.objects.count() == 0


def test_the_timeline_shows_what_happened_filtered_by_kind_and_takes_notes(
    web_client_officer: tuple[object, Account], monkeypatch: pytest.MonkeyPatch
) -> None:
    from recoup.audit.models import AuditEvent
    from recoup.web import call_views

    client, account = web_client_officer
    monkeypatch.setattr(call_views, "_now", lambda: ny(11, 14))
    client.post(f"/accounts/{account.pk}/calls/", {"outcome": "dispute", "note": "says it was paid in June"})  # type: ignore[attr-defined]
    noted = client.post(  # type: ignore[attr-defined]
        f"/accounts/{account.pk}/notes/", {"text": "Sent the June statement by email"}, follow=True
    ).content.decode()
    assert "Note added." in noted
    assert "Sent the June statement by email" in noted
    everything = client.get(f"/accounts/{account.pk}/timeline/").content.decode()  # type: ignore[attr-defined]
    assert "compliance · contact · recorded" in everything
    assert "Dispute hold placed: Dispute raised on a call" in everything
    assert "says it was paid in June" in everything
    holds = client.get(f"/accounts/{account.pk}/timeline/?kind=holds").content.decode()  # type: ignore[attr-defined]
    assert "Dispute hold placed" in holds
    assert "Sent the June statement" not in holds
    assert "compliance · contact · recorded" not in holds
    notes = client.get(f"/accounts/{account.pk}/timeline/?kind=notes").content.decode()  # type: ignore[attr-defined]
    assert "Sent the June statement by email" in notes
    empty = client.post(f"/accounts/{account.pk}/notes/", {"text": ""}, follow=True).content.decode()  # type: ignore[attr-defined]
    assert "Note: This field is required." in empty
    assert AuditEvent.objects.filter(name="workspace.note.added").count() == 1


def test_the_call_that_answers_a_callback_closes_it_and_a_later_one_stays(account: Account) -> None:
    from recoup.workspace.queue import queue_for

    officer = UserFactory(role=Role.OFFICER)
    Account.objects.filter(pk=account.pk).update(assigned_officer=officer)
    debtor = account.debtors.get()
    due = Callback.objects.create(account=account, debtor=debtor, at=ny(12, 10), officer=officer, created_at=ny(11, 9))
    later = Callback.objects.create(
        account=account, debtor=debtor, at=ny(14, 10), officer=officer, created_at=ny(11, 9)
    )
    assert queue_for(officer, now=ny(12, 10))[0].tier == 1
    log_call(account=account, outcome="no_answer", at=ny(12, 10), now=ny(12, 10), actor=officer)
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.done_at == ny(12, 10)
    assert later.done_at is None
    assert queue_for(officer, now=ny(12, 10))[0].tier == 3  # the account is back among the rest


def test_a_plan_agreed_on_a_call_goes_on_to_the_plans_page(
    web_client_officer: tuple[object, Account], monkeypatch: pytest.MonkeyPatch
) -> None:
    from recoup.web import call_views

    client, account = web_client_officer
    monkeypatch.setattr(call_views, "_now", lambda: ny(11, 14))
    response = client.post(f"/accounts/{account.pk}/calls/", {"outcome": "plan", "note": "6 months at 100"})  # type: ignore[attr-defined]
    assert response["Location"] == f"/accounts/{account.pk}/plans/"
    page = client.get(response["Location"]).content.decode()  # type: ignore[attr-defined]
    assert "Call logged: payment plan agreed." in page
    assert Contact.objects.get().outcome == "connected_conversation"
