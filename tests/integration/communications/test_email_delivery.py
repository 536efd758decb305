"""Email through a real SMTP server on loopback (aiosmtpd): templates are versioned and checked, a
message is rendered, queued or deferred by the gate, delivered with its Message-ID (again with the same
one after a crash), retried on
a temporary failure, failed on a permanent one, and the unsubscribe link stops the next email."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from datetime import date, datetime
from email.message import Message as MimeMessage
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import get_connection
from django.test import Client

from factories import AccountFactory, ContactPointFactory, CreditorFactory, DebtorFactory
from ledger_helpers import owing
from recoup.accounts.models import Account
from recoup.audit.models import AuditEvent
from recoup.communications.models import Message
from recoup.communications.services import (
    UnableToSend,
    deliver_due,
    message_for_token,
    queue_message,
    save_template,
    unsubscribe_token,
)
from recoup.compliance.models import Contact

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")
BODY = (
    "Dear {{ debtor_first_name }},\n\nYour account {{ account_reference }} with {{ creditor_name }} has "
    "{{ balance }} outstanding. Reply to arrange a payment.\n\n"
    "This communication is from a debt collector.\n\nTo stop emails: {{ unsubscribe_url }}"
)


def ny(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 2, day, hour, minute, tzinfo=NEW_YORK)


class Mailbox:
    """What the SMTP server received, and a mailbox view that keeps one copy per Message-ID, as a
    receiver that deduplicates does. Recipients in `refuse` get a 550, those in `defer` a 451."""

    def __init__(self) -> None:
        self.received: list[MimeMessage] = []
        self.refuse: set[str] = set()
        self.defer: set[str] = set()
        self.port = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        if address in self.defer:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"

    def by_message_id(self) -> dict[str, MimeMessage]:
        return {m["Message-ID"]: m for m in self.received}


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        box.port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def smtp(box: Mailbox) -> Any:
    return get_connection("django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=box.port)


@pytest.fixture
def account() -> Account:
    debtor = DebtorFactory(given_name="Ana", family_name="Ruiz", time_zone="America/New_York")
    ContactPointFactory(
        debtor=debtor,
        email=True,
        value="ana.ruiz@example.org",
        source="debtor",
        last_consumer_use_date=date(2027, 1, 20),
    )
    made = owing(AccountFactory(creditor=CreditorFactory(name="Lakeside Bank"), debtor=debtor), principal="1204.50")
    return made


@pytest.fixture
def template(account: Account) -> Any:
    return save_template(
        code="first-reminder",
        channel="email",
        subject="Your {{ creditor_name }} account",
        body=BODY,
        now=ny(1, 9),
        actor=None,
    )


def test_templates_are_versioned_and_checked_before_they_are_saved(account: Account) -> None:
    first = save_template(code="first-reminder", channel="email", subject="Hello", body=BODY, now=ny(1, 9), actor=None)
    second = save_template(
        code="first-reminder", channel="email", subject="Hello again", body=BODY, now=ny(1, 10), actor=None
    )
    assert (first.version, second.version) == (1, 2)
    with pytest.raises(UnableToSend, match=r"body: '\{\{ debtor.email \}\}' is not a merge field"):
        save_template(
            code="x", channel="email", subject="S", body=BODY + " {{ debtor.email }}", now=ny(1, 9), actor=None
        )
    with pytest.raises(UnableToSend, match="US-07"):
        save_template(
            code="no-opt-out", channel="email", subject="S", body="Pay {{ balance }} now.", now=ny(1, 9), actor=None
        )
    with pytest.raises(UnableToSend, match="subject: an email needs a subject"):
        save_template(code="x", channel="email", body=BODY, now=ny(1, 9), actor=None)
    assert AuditEvent.objects.filter(name="communications.template.saved").count() == 2


def test_an_email_is_rendered_sent_once_and_recorded(account: Account, template: Any, mailbox: Mailbox) -> None:
    message = queue_message(account=account, template_code="first-reminder", channel="email", now=ny(3, 10), actor=None)
    assert message.status == Message.Status.QUEUED
    assert "1,204.50 USD" in message.body_text
    run = deliver_due(now=ny(3, 10, 1), mail=smtp(mailbox))
    assert (run.sent, run.failed) == (1, 0), run.errors
    assert deliver_due(now=ny(3, 10, 2), mail=smtp(mailbox)).sent == 0  # nothing twice
    (received,) = mailbox.received
    assert received["To"] == "ana.ruiz@example.org"
    assert received["Subject"] == "Your Lakeside Bank account"
    assert received["Message-ID"] == f"<{message.delivery_key}@recoup>"
    # The token is signed with the second it was made in, so it is checked by what it opens, not by its text.
    unsubscribe = received["List-Unsubscribe"].strip()
    assert unsubscribe.startswith("<http://localhost:8000/unsubscribe/")
    assert unsubscribe.endswith("/>")
    opened = message_for_token(unsubscribe.removeprefix("<http://localhost:8000/unsubscribe/").removesuffix("/>"))
    assert opened is not None
    assert opened.pk == message.pk
    parts = {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in received.walk()
        if not part.is_multipart()
    }
    assert "Dear Ana," in parts["text/plain"]
    assert "<p>Dear Ana,</p>" in parts["text/html"]
    assert "1,204.50 USD" in parts["text/html"]
    message.refresh_from_db()
    assert (message.status, message.sent_at, message.attempts) == ("sent", ny(3, 10, 1), 1)
    assert [e.status for e in message.events.all()] == ["queued", "sending", "sent"]
    assert Contact.objects.get(account=account).outcome == "delivered"
    assert AuditEvent.objects.filter(name="communications.message.sent", account_id=account.pk).exists()


def test_at_night_it_is_deferred_to_eight_in_the_morning_their_time(
    account: Account, template: Any, mailbox: Mailbox
) -> None:
    message = queue_message(
        account=account, template_code="first-reminder", channel="email", now=ny(3, 22, 30), actor=None
    )
    assert message.status == Message.Status.DEFERRED
    assert message.not_before == ny(4, 8)
    assert deliver_due(now=ny(3, 23), mail=smtp(mailbox)).sent == 0
    assert deliver_due(now=ny(4, 8), mail=smtp(mailbox)).sent == 1
    assert len(mailbox.received) == 1


def test_a_temporary_refusal_is_retried_later_and_a_permanent_one_fails(
    account: Account, template: Any, mailbox: Mailbox
) -> None:
    mailbox.defer.add("ana.ruiz@example.org")
    message = queue_message(account=account, template_code="first-reminder", channel="email", now=ny(3, 10), actor=None)
    run = deliver_due(now=ny(3, 10), mail=smtp(mailbox))
    assert (run.sent, run.deferred) == (0, 1)
    message.refresh_from_db()
    assert (message.status, message.not_before) == ("deferred", ny(3, 10, 1))
    assert "451" in message.last_error
    mailbox.defer.clear()
    assert deliver_due(now=ny(3, 10, 1), mail=smtp(mailbox)).sent == 1

    mailbox.refuse.add("ana.ruiz@example.org")
    second = queue_message(account=account, template_code="first-reminder", channel="email", now=ny(3, 11), actor=None)
    run = deliver_due(now=ny(3, 11), mail=smtp(mailbox))
    second.refresh_from_db()
    assert (run.failed, second.status) == (1, "failed")
    assert "550" in second.last_error


@pytest.mark.parametrize("dies_in", ["marking it sent", "recording the contact"])
def test_a_worker_that_died_mid_send_is_taken_over_and_the_retry_has_the_same_message_id(
    account: Account, template: Any, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch, dies_in: str
) -> None:
    """At-least-once: the mail server took the message, the worker died before recording it, the next
    run sends it again; both copies carry the one Message-ID of the message row, so the receiver can
    drop the second (docs/communications.md, "Delivery guarantee")."""
    from recoup.communications import services

    message = queue_message(account=account, template_code="first-reminder", channel="email", now=ny(3, 10), actor=None)

    class Died(BaseException):
        """The process ends here: after the mail server took the message, before anything was recorded."""

    def die(**_kwargs: Any) -> None:
        raise Died

    mark = services._set

    def die_marking_sent(message: Message, status: str, *args: Any, **kwargs: Any) -> None:
        if status == Message.Status.SENT:
            raise Died
        mark(message, status, *args, **kwargs)

    with monkeypatch.context() as patch:
        if dies_in == "marking it sent":
            patch.setattr(services, "_set", die_marking_sent)
        else:
            patch.setattr(services, "record_contact", die)
        with pytest.raises(Died):
            deliver_due(now=ny(3, 10), mail=smtp(mailbox))
    assert len(mailbox.received) == 1
    message.refresh_from_db()
    assert message.status == "sending"  # what the dead worker left
    assert deliver_due(now=ny(3, 10, 2), mail=smtp(mailbox)).sent == 0  # its lease still holds
    run = deliver_due(now=ny(3, 10, 6), mail=smtp(mailbox))  # the lease ran out: in doubt, sent again
    assert run.sent == 1
    assert len(mailbox.received) == 2
    first, again = (m["Message-ID"] for m in mailbox.received)
    assert first == again == f"<{message.delivery_key}@recoup>"  # the row's id, not a fresh one per send
    assert list(mailbox.by_message_id()) == [first]  # a receiver that deduplicates keeps one copy
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)
    assert "sent again" in message.events.filter(status="sending").last().detail  # type: ignore[union-attr]
    assert Contact.objects.filter(account=account).count() == 1


def test_the_unsubscribe_link_stops_the_next_email(account: Account, template: Any, mailbox: Mailbox) -> None:
    message = queue_message(account=account, template_code="first-reminder", channel="email", now=ny(3, 10), actor=None)
    deliver_due(now=ny(3, 10), mail=smtp(mailbox))
    page = Client().get(f"/unsubscribe/{unsubscribe_token(message.delivery_key)}/")
    assert page.status_code == 200
    assert "Stop emails to ana.ruiz@example.org" in page.content.decode()
    done = Client().post(f"/unsubscribe/{unsubscribe_token(message.delivery_key)}/")  # a one-click unsubscribe
    assert "Done. We will not email ana.ruiz@example.org again." in done.content.decode()
    assert Client().get("/unsubscribe/not-a-real-token/").status_code == 404
    with pytest.raises(UnableToSend, match="email blocked:"):
        queue_message(account=account, template_code="first-reminder", channel="email", now=ny(3, 12), actor=None)


def test_a_message_queued_before_an_opt_out_is_blocked_at_sending(
    account: Account, template: Any, mailbox: Mailbox
) -> None:
    first = queue_message(account=account, template_code="first-reminder", channel="email", now=ny(3, 10), actor=None)
    second = queue_message(account=account, template_code="first-reminder", channel="email", now=ny(3, 10), actor=None)
    Client().post(f"/unsubscribe/{unsubscribe_token(first.delivery_key)}/")
    run = deliver_due(now=ny(3, 10, 1), mail=smtp(mailbox))
    assert (run.sent, run.blocked) == (0, 2)
    second.refresh_from_db()
    assert second.status == "blocked"
    assert mailbox.received == []


def test_the_email_backend_refuses_to_send_without_a_decision_that_allows_it(
    account: Account, template: Any, mailbox: Mailbox
) -> None:
    from recoup.communications.backends.email import NoDecision, send_email
    from recoup.compliance.services import authorise_contact
    from recoup.core.compliance import Channel as GateChannel

    message = queue_message(account=account, template_code="first-reminder", channel="email", now=ny(3, 10), actor=None)
    night = authorise_contact(
        account=account, debtor=message.debtor, channel=GateChannel.EMAIL, at=ny(3, 23), now=ny(3, 23), actor=None
    )
    assert not night.usable
    with pytest.raises(NoDecision, match="does not allow this email"):
        send_email(message, decision=night, mail=smtp(mailbox))
    call = authorise_contact(
        account=account, debtor=message.debtor, channel=GateChannel.CALL, at=ny(3, 10), now=ny(3, 10), actor=None
    )
    with pytest.raises(NoDecision):
        send_email(message, decision=call, mail=smtp(mailbox))  # a decision about a call is not one about email
    assert mailbox.received == []


def test_a_message_is_never_sent_with_a_blank_where_a_fact_should_be(account: Account) -> None:
    save_template(
        code="plan-reminder",
        channel="email",
        subject="Your next payment",
        body="Your next payment is {{ next_payment }}.\n\nThis communication is from a debt collector.\n\n"
        "{{ unsubscribe_url }}",
        now=ny(1, 9),
        actor=None,
    )
    with pytest.raises(UnableToSend, match=r"\{\{ next_payment \}\} is empty: the account has no plan or promise"):
        queue_message(account=account, template_code="plan-reminder", channel="email", now=ny(3, 10), actor=None)
    assert not Message.objects.exists()


def test_a_hard_bounce_stops_email_to_the_address_and_a_soft_one_is_noted(
    account: Account, template: Any, mailbox: Mailbox, settings: Any
) -> None:
    import json

    from recoup.parties.models import ContactPoint

    hook_secret = "s3cret-bounce-hook-0123456789"
    settings.BOUNCE_SECRET = hook_secret
    message = queue_message(account=account, template_code="first-reminder", channel="email", now=ny(3, 10), actor=None)
    deliver_due(now=ny(3, 10), mail=smtp(mailbox))

    def bounce(payload: dict[str, str], secret: str | None = None) -> Any:
        return Client().post(
            "/hooks/email-bounce/",
            json.dumps(payload),
            content_type="application/json",
            HTTP_X_RECOUP_SECRET=hook_secret if secret is None else secret,
        )

    key = f"<{message.delivery_key}@recoup>"
    assert bounce({"message_id": key, "type": "hard"}, secret="wrong").status_code == 403
    assert bounce({"message_id": key, "type": "maybe"}).status_code == 400
    assert bounce({"message_id": "<nope@recoup>", "type": "hard"}).status_code == 404
    soft = bounce({"message_id": key, "type": "soft", "reason": "452 mailbox full"})
    assert soft.content.decode() == "recorded: sent"
    assert message.events.filter(detail="soft bounce: 452 mailbox full").exists()
    hard = bounce({"message_id": key, "type": "hard", "reason": "550 5.1.1 user unknown"})
    assert hard.content.decode() == "recorded: bounced"
    assert bounce({"message_id": key, "type": "hard", "reason": "again"}).status_code == 200  # nothing more
    message.refresh_from_db()
    assert (message.status, message.last_error) == ("bounced", "hard bounce: 550 5.1.1 user unknown")
    assert ContactPoint.objects.get(value="ana.ruiz@example.org").do_not_contact
    assert AuditEvent.objects.filter(name="communications.message.bounced", account_id=account.pk).count() == 1
    with pytest.raises(UnableToSend, match="email: no usable email address"):
        queue_message(account=account, template_code="first-reminder", channel="email", now=ny(3, 12), actor=None)
    settings.BOUNCE_SECRET = ""
    assert bounce({"message_id": key, "type": "hard"}).status_code == 404  # the hook is off


def test_the_template_is_chosen_by_the_debtors_language_and_the_creditor(account: Account) -> None:
    from recoup.communications.services import current_template

    spanish = BODY.replace("Dear", "Estimado/a")
    save_template(
        code="first-reminder",
        channel="email",
        subject="Su cuenta",
        body=spanish,
        language="es",
        now=ny(1, 9),
        actor=None,
    )
    english = save_template(
        code="first-reminder", channel="email", subject="Your account", body=BODY, now=ny(1, 9), actor=None
    )
    own = save_template(
        code="first-reminder",
        channel="email",
        subject="Lakeside",
        body=BODY,
        creditor=account.creditor,
        now=ny(1, 9),
        actor=None,
    )
    creditor = account.creditor
    assert current_template(code="first-reminder", channel="email", creditor=creditor, language="fr") == own
    assert (
        current_template(code="first-reminder", channel="email", creditor=CreditorFactory(), language="fr") == english
    )
    debtor = account.debtors.get()
    debtor.preferred_language = "es"
    debtor.save(update_fields=["preferred_language"])
    other = owing(AccountFactory(debtor=debtor), principal="50.00")  # another creditor's account: the Spanish default
    message = queue_message(account=other, template_code="first-reminder", channel="email", now=ny(3, 10), actor=None)
    assert message.subject == "Su cuenta"
    assert message.body_text.startswith("Estimado/a Ana,")
