"""Statements and required notices (issue 22.2): during a UK breathing space the law still requires a
creditor to send some statements and notices, provided they do not ask for payment. A template has a
purpose; one of those purposes is checked for payment-request wording and let through the holds whose
rules allow it (UK-07), and the same machinery carries cease-communication's allowed notices (US-04)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from factories import AccountFactory, CreditorFactory, DebtorFactory, UserFactory
from ledger_helpers import owing
from recoup.accounts.models import Account
from recoup.communications.models import Message, Template
from recoup.communications.printing import run_print_batch
from recoup.communications.services import UnableToSend, queue_message, save_template
from recoup.compliance.models import Contact
from recoup.compliance.services import place_hold
from recoup.users.roles import Role

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
STATEMENT = (
    "Dear {{ debtor_name }},\n\nThis is your annual statement for account {{ account_reference }} with "
    "{{ creditor_name }}. The balance on the statement date was {{ balance }}.\n\n"
    "You are in a breathing space: you do not need to pay anything now, and no interest or charges are added."
)
REMINDER = (
    "Dear {{ debtor_name }},\n\n{{ balance }} is overdue on account {{ account_reference }}. Please pay it "
    "today or call us to agree a plan."
)


def london(day: int, hour: int) -> datetime:
    return datetime(2027, 3, day, hour, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def sender(settings: Any, tmp_path: Path) -> None:
    settings.COLLECTOR_NAME = "Thameside Lending Ltd"
    settings.COLLECTOR_ADDRESS = "1 Wharf Road|London N1 7GR"
    settings.DATA_DIR = tmp_path


@pytest.fixture
def account() -> Account:
    debtor = DebtorFactory(
        country="GB",
        region="ENG",
        time_zone="Europe/London",
        address_line1="12 Canal Street",
        city="Leeds",
        postal_code="LS1 4AB",
    )
    account = AccountFactory(creditor=CreditorFactory(uk_lender=True), debtor=debtor, currency="GBP")
    lender = account.creditor
    save_template(
        code="annual-statement",
        channel="letter",
        subject="Your annual statement",
        body=STATEMENT,
        purpose="statement",
        creditor=lender,
        now=london(1, 9),
        actor=None,
    )
    save_template(
        code="reminder",
        channel="letter",
        subject="Overdue",
        body=REMINDER,
        creditor=lender,
        now=london(1, 9),
        actor=None,
    )
    return owing(account, principal="1200.00")


def breathing_space(account: Account) -> None:
    place_hold(
        kind="breathing_space",
        reason="Insolvency Service notification BS-2027-0419",
        starts_at=london(2, 9),
        now=london(2, 9),
        actor=None,
        account=account,
    )


def test_a_statement_is_sent_during_a_breathing_space_and_a_reminder_is_not(account: Account) -> None:
    breathing_space(account)
    reminder = queue_message(account=account, template_code="reminder", channel="letter", now=london(3, 10), actor=None)
    assert reminder.status == Message.Status.DEFERRED  # until the breathing space ends
    assert "UK-07" in reminder.events.get().detail
    message = queue_message(
        account=account, template_code="annual-statement", channel="letter", now=london(3, 10), actor=None
    )
    assert message.status == Message.Status.QUEUED
    result = run_print_batch(now=london(3, 11))
    assert result.letters == 1  # the statement; the reminder waits
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    contact = Contact.objects.get()
    assert contact.decision is not None
    assert contact.decision.purpose == "statement"
    assert "allowed as a statement only" in str(contact.decision.warnings)


def test_a_statement_that_asks_for_payment_is_refused_when_saved(account: Account) -> None:
    with pytest.raises(UnableToSend, match="NO-PAY-REQUEST: A statement may not ask for payment") as refused:
        save_template(
            code="annual-statement",
            channel="letter",
            subject="Your annual statement",
            body=STATEMENT + "\n\nPlease pay the balance by the end of the month.",
            purpose="statement",
            creditor=account.creditor,
            now=london(1, 10),
            actor=None,
        )
    assert '"Please pay"' in str(refused.value)
    assert Template.objects.filter(code="annual-statement").count() == 1  # the first version only


def test_the_same_words_as_a_collection_letter_are_not_held_to_the_statement_rule(account: Account) -> None:
    saved = save_template(
        code="reminder",
        channel="letter",
        subject="Overdue",
        body=REMINDER,
        creditor=account.creditor,
        now=london(1, 10),
        actor=None,
    )
    assert saved.purpose == "collection"


def test_a_dispute_hold_lets_statements_through_but_no_collection_letter(account: Account) -> None:
    """While a dispute waits for verification (UK-05), the statements the law requires still go; nothing
    that collects does (issue 24: "statements the law still allows pass")."""
    place_hold(
        kind="dispute",
        reason="disputes the balance",
        starts_at=london(2, 9),
        now=london(2, 9),
        actor=None,
        account=account,
    )
    with pytest.raises(UnableToSend, match="letter blocked: UK-05"):
        queue_message(account=account, template_code="reminder", channel="letter", now=london(3, 10), actor=None)
    statement = queue_message(
        account=account, template_code="annual-statement", channel="letter", now=london(3, 10), actor=None
    )
    assert statement.status == "queued"


def test_a_cease_notice_goes_after_a_cease_request_and_a_statement_does_not(account: Account) -> None:
    save_template(
        code="cease-ack",
        channel="letter",
        subject="We have stopped collection",
        body="Dear {{ debtor_name }},\n\nAs you asked, we will make no further attempt to collect account "
        "{{ account_reference }}.",
        purpose="cease_notice",
        creditor=account.creditor,
        now=london(1, 9),
        actor=None,
    )
    place_hold(
        kind="cease_communication",
        reason="letter asking us to stop",
        starts_at=london(2, 9),
        now=london(2, 9),
        actor=None,
        account=account,
    )
    assert (
        queue_message(
            account=account, template_code="cease-ack", channel="letter", now=london(3, 10), actor=None
        ).status
        == Message.Status.QUEUED
    )
    with pytest.raises(UnableToSend, match="letter blocked: US-04"):
        queue_message(
            account=account, template_code="annual-statement", channel="letter", now=london(3, 10), actor=None
        )


def test_the_account_page_says_what_the_breathing_space_still_allows(account: Account) -> None:
    breathing_space(account)
    officer = UserFactory(role=Role.OFFICER)
    Account.objects.filter(pk=account.pk).update(assigned_officer=officer)
    client = Client()
    client.force_login(officer)
    page = client.get(f"/accounts/{account.pk}/").content.decode()
    assert "Still allowed: notices the law requires and statements the law requires, none asking for payment." in page
