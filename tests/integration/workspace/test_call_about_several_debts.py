"""One call about several debts (US-08 counts calls per person per debt): the officer names the other
debts on the call log, the call counts toward each, each must allow it, and the account page shows
where each debt stands."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from factories import AccountFactory, ContactPointFactory, CreditorFactory, DebtorFactory, UserFactory
from ledger_helpers import owing
from recoup.accounts.models import Account, AccountDebtor
from recoup.audit.events import Event
from recoup.audit.models import AuditEvent
from recoup.compliance.models import Contact, ContactAbout
from recoup.compliance.services import UnableToContact, place_hold
from recoup.parties.models import Debtor
from recoup.users.roles import Role
from recoup.workspace.calls import log_call

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")


def ny(day: int, hour: int) -> datetime:
    return datetime(2027, 1, day, hour, 0, tzinfo=NEW_YORK)


@pytest.fixture
def person() -> Debtor:
    debtor = DebtorFactory(time_zone="America/New_York")
    ContactPointFactory(debtor=debtor, value="+15185550100")
    return debtor


@pytest.fixture
def card(person: Debtor) -> Account:
    return owing(AccountFactory(creditor=CreditorFactory(), debtor=person, reference="CARD-1"), principal="600.00")


@pytest.fixture
def loan(person: Debtor) -> Account:
    return owing(AccountFactory(creditor=CreditorFactory(), debtor=person, reference="LOAN-2"), principal="900.00")


def test_seven_calls_about_both_debts_use_up_the_week_on_the_one_not_called_through(
    card: Account, loan: Account
) -> None:
    for day in range(4, 11):  # Monday 4 to Sunday 10 January, one unanswered call a day
        log_call(account=card, outcome="no_answer", at=ny(day, 11), now=ny(day, 11), actor=None, also_about=[loan])
    assert ContactAbout.objects.filter(account=loan).count() == 7
    with pytest.raises(UnableToContact, match="call blocked: US-08"):
        log_call(account=loan, outcome="no_answer", at=ny(10, 15), now=ny(10, 15), actor=None)


def test_calls_that_did_not_name_the_other_debt_do_not_count_toward_it(card: Account, loan: Account) -> None:
    for day in range(4, 11):
        log_call(account=card, outcome="no_answer", at=ny(day, 11), now=ny(day, 11), actor=None)
    log_call(account=loan, outcome="no_answer", at=ny(10, 15), now=ny(10, 15), actor=None)
    assert Contact.objects.filter(account=loan).count() == 1


def test_a_debt_the_call_could_not_be_about_refuses_the_whole_record(card: Account, loan: Account) -> None:
    place_hold(
        kind="cease_communication",
        reason="wrote asking us to stop about the loan",
        starts_at=ny(4, 9),
        now=ny(4, 9),
        actor=None,
        account=loan,
    )
    with pytest.raises(UnableToContact, match="also_about: account LOAN-2: this call could not be about it"):
        log_call(account=card, outcome="no_answer", at=ny(4, 11), now=ny(4, 11), actor=None, also_about=[loan])
    assert not Contact.objects.exists()
    assert not ContactAbout.objects.exists()


def test_another_persons_debt_is_refused(card: Account) -> None:
    stranger = owing(AccountFactory(creditor=CreditorFactory(), reference="OTHER-9"), principal="50.00")
    with pytest.raises(UnableToContact, match="also_about: account OTHER-9 is not a debt of"):
        log_call(account=card, outcome="no_answer", at=ny(4, 11), now=ny(4, 11), actor=None, also_about=[stranger])
    assert not Contact.objects.exists()


def test_the_contact_event_names_the_other_debts(card: Account, loan: Account) -> None:
    log_call(account=card, outcome="no_answer", at=ny(4, 11), now=ny(4, 11), actor=None, also_about=[loan, card, loan])
    event = AuditEvent.objects.get(name=Event.CONTACT_RECORDED.text)
    assert event.after["also_about"] == ["LOAN-2"]  # the account itself and repeats are not counted again
    assert list(ContactAbout.objects.values_list("account__reference", flat=True)) == ["LOAN-2"]


def test_the_account_page_logs_a_call_about_both_and_shows_each_debts_allowance(
    card: Account, loan: Account, django_capture_on_commit_callbacks: Any
) -> None:
    officer = UserFactory(role=Role.OFFICER)
    Account.objects.filter(pk__in=[card.pk, loan.pk]).update(assigned_officer=officer)
    client = Client()
    with time_machine.travel(ny(4, 11), tick=False):
        client.force_login(officer)
        page = client.get(f"/accounts/{card.pk}/").content.decode()
        assert "Calls about each of their debts" in page
        assert 'name="also_about"' in page
        assert "LOAN-2" in page
        done = client.post(
            f"/accounts/{card.pk}/calls/",
            {"outcome": "no_answer", "also_about": [str(loan.pk)]},
            follow=True,
        ).content.decode()
    assert "It counts toward LOAN-2 as well." in done
    with time_machine.travel(ny(4, 11) + timedelta(minutes=5), tick=False):
        page = client.get(f"/accounts/{loan.pk}/").content.decode()
    assert page.count("US-08: 1 of 7") >= 2  # the loan's own line and its row in the table: counted there too


def test_a_debt_the_officer_may_not_see_is_not_offered(card: Account, loan: Account) -> None:
    officer = UserFactory(role=Role.OFFICER)
    Account.objects.filter(pk=card.pk).update(assigned_officer=officer)
    client = Client()
    with time_machine.travel(ny(4, 11), tick=False):
        client.force_login(officer)
        page = client.get(f"/accounts/{card.pk}/").content.decode()
        assert "LOAN-2" not in page
        done = client.post(
            f"/accounts/{card.pk}/calls/", {"outcome": "no_answer", "also_about": [str(loan.pk)]}, follow=True
        ).content.decode()
    assert "is not one of the available choices" in done
    assert not Contact.objects.exists()
    assert AccountDebtor.objects.filter(account=loan).exists()


def test_a_first_conversation_about_both_debts_starts_the_validation_clock_of_each(person: Debtor) -> None:
    """US-11: a third-party collector's first conversation about the loan, recorded on the card, is the
    first communication about the loan too; without its validation notice 5 days later, collection waits."""
    agency = CreditorFactory(collector_type="third_party")
    card = owing(AccountFactory(creditor=agency, debtor=person, reference="CARD-3"), principal="600.00")
    loan = owing(AccountFactory(creditor=agency, debtor=person, reference="LOAN-4"), principal="900.00")
    from recoup.compliance.deadlines import record_notice

    record_notice(account=card, kind="validation", sent_on=ny(4, 9).date(), now=ny(4, 9), actor=None)
    log_call(account=card, outcome="right_party", at=ny(4, 11), now=ny(4, 11), actor=None, also_about=[loan])
    with pytest.raises(UnableToContact, match="US-11: the validation notice was due by 2027-01-09"):
        log_call(account=loan, outcome="no_answer", at=ny(12, 11), now=ny(12, 11), actor=None)


def test_a_conversation_about_the_debt_on_another_account_ends_its_call_consent(card: Account, loan: Account) -> None:
    """US-08: consent to be called about the loan ends at the next conversation about it, wherever recorded."""
    from recoup.compliance.deadlines import record_call_consent
    from recoup.compliance.services import _consent_windows

    debtor = loan.debtors.get()
    record_call_consent(
        account=loan,
        debtor=debtor,
        given_at=ny(4, 9),
        ends_at=ny(8, 9),
        note="call me back about the loan this week",
        now=ny(4, 9),
        actor=None,
    )
    log_call(account=card, outcome="right_party", at=ny(5, 11), now=ny(5, 11), actor=None, also_about=[loan])
    assert _consent_windows(loan, debtor, ny(6, 11)) == [(ny(4, 9), ny(5, 11))]
