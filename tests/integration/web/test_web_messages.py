"""Email from the account page, the outbox and a message's history, and the templates page with its
live preview on a real account (managers write; officers read)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from factories import AccountFactory, ContactPointFactory, CreditorFactory, DebtorFactory, UserFactory
from ledger_helpers import owing
from recoup.accounts.models import Account
from recoup.communications.models import Message, Template
from recoup.communications.services import deliver_due, save_template
from recoup.users.models import User
from recoup.users.roles import Role

pytestmark = pytest.mark.django_db
BODY = (
    "Dear {{ debtor_first_name }},\n\nYou owe {{ balance }} on {{ account_reference }}.\n\n"
    "This communication is from a debt collector.\n\nUnsubscribe: {{ unsubscribe_url }}"
)


@pytest.fixture
def officer() -> User:
    return UserFactory(role=Role.OFFICER)  # type: ignore[no-any-return]


@pytest.fixture
def account(officer: User) -> Account:
    debtor = DebtorFactory(given_name="Ana", time_zone="America/New_York")
    ContactPointFactory(
        debtor=debtor, email=True, value="ana@example.org", source="debtor", last_consumer_use_date=timezone.localdate()
    )
    return owing(AccountFactory(creditor=CreditorFactory(), debtor=debtor, assigned_officer=officer), principal="75.00")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_officer_emails_from_the_account_page_and_follows_it_in_the_outbox(officer: User, account: Account) -> None:
    client = signed_in(officer)
    before = client.get(f"/accounts/{account.pk}/").content.decode()
    assert '<option value="document:validation_notice">validation notice (letter, US-12)</option>' in before
    assert "reminder (email)" not in before
    save_template(
        code="reminder",
        channel="email",
        subject="About {{ account_reference }}",
        body=BODY,
        now=timezone.now(),
        actor=None,
    )
    page = client.get(f"/accounts/{account.pk}/").content.decode()
    assert '<option value="email:reminder">reminder (email)</option>' in page
    done = client.post(
        f"/accounts/{account.pk}/messages/", {"template": "email:reminder"}, follow=True
    ).content.decode()
    assert "Email to ana@example.org " in done
    message = Message.objects.get()
    assert message.status in ("queued", "deferred")
    outbox = client.get("/outbox/").content.decode()
    assert f"About {account.reference}" in outbox
    assert "reminder v1" in outbox
    detail = client.get(f"/outbox/{message.pk}/").content.decode()
    assert "You owe 75.00 USD" in detail
    assert message.delivery_key in detail
    timeline = client.get(f"/accounts/{account.pk}/timeline/?kind=contacts").content.decode()
    assert f"Email written to ana@example.org: “About {account.reference}”" in timeline
    unknown = client.post(f"/accounts/{account.pk}/messages/", {"template": "email:nope"}, follow=True).content.decode()
    assert "template: no email template &#x27;nope&#x27;" in unknown
    # Someone who may not see the account sees neither it nor its messages.
    stranger = signed_in(UserFactory(role=Role.OFFICER))
    assert stranger.get(f"/outbox/{message.pk}/").status_code == 404
    assert f"About {account.reference}" not in stranger.get("/outbox/").content.decode()


def test_the_outbox_filters_by_status(officer: User, account: Account) -> None:
    save_template(code="reminder", channel="email", subject="Hello", body=BODY, now=timezone.now(), actor=None)
    client = signed_in(officer)
    client.post(f"/accounts/{account.pk}/messages/", {"template": "email:reminder"})
    Message.objects.update(status="failed", last_error="550 no such mailbox")
    assert "550 no such mailbox" in client.get("/outbox/?status=failed").content.decode()
    assert "No messages with this status." in client.get("/outbox/?status=sent").content.decode()
    assert deliver_due(now=timezone.now()).sent == 0  # a failed message is not sent again


def test_a_manager_previews_a_template_on_an_account_and_saves_a_new_version(account: Account) -> None:
    manager = signed_in(UserFactory(role=Role.MANAGER))
    draft = {
        "code": "reminder",
        "channel": "email",
        "subject": "Hello {{ debtor_first_name }}",
        "body": "You owe {{ balance }}.",
        "account": account.reference,
    }
    shown = manager.post("/templates/", {**draft, "preview": "1"}).content.decode()
    assert "Hello Ana" in shown
    assert "You owe 75.00 USD." in shown
    assert "US-07 (blocks)" in shown  # no unsubscribe link
    refused = manager.post("/templates/", {**draft, "save": "1"}, follow=True).content.decode()
    assert "Not saved: US-07" in refused
    assert not Template.objects.exists()
    saved = manager.post("/templates/", {**draft, "body": BODY, "save": "1"}, follow=True).content.decode()
    assert "Saved reminder version 1." in saved
    template = Template.objects.get()
    edit = manager.get(f"/templates/?from={template.pk}").content.decode()
    assert "This communication is from a debt collector." in edit  # the new version starts from the last
    manager.post("/templates/", {**draft, "body": BODY + "\nThank you.", "save": "1"})
    assert list(Template.objects.order_by("version").values_list("version", flat=True)) == [1, 2]
    # An officer reads the templates but cannot write them.
    officer = signed_in(UserFactory(role=Role.OFFICER))
    assert officer.get("/templates/").status_code == 200
    assert officer.post("/templates/", {**draft, "body": BODY, "save": "1"}).status_code == 403


def test_a_manager_previews_a_bulk_send_then_sends_it(account: Account) -> None:
    from recoup.compliance.services import place_hold

    save_template(code="reminder", channel="email", subject="Hello", body=BODY, now=timezone.now(), actor=None)
    creditor = account.creditor
    # A second debtor of the creditor has no email; a third has disputed the debt.
    owing(AccountFactory(creditor=creditor, reference="NO-MAIL-1"), principal="20.00")
    disputed_debtor = DebtorFactory(time_zone="America/New_York")
    ContactPointFactory(
        debtor=disputed_debtor, email=True, source="debtor", last_consumer_use_date=timezone.localdate()
    )
    disputed = owing(
        AccountFactory(creditor=creditor, debtor=disputed_debtor, reference="DISPUTED-1"), principal="30.00"
    )
    place_hold(
        kind="dispute", reason="not mine", starts_at=timezone.now(), now=timezone.now(), actor=None, account=disputed
    )
    manager = signed_in(UserFactory(role=Role.MANAGER))
    choice = {"template": "email:reminder", "creditor": creditor.pk, "status": "", "bucket": "", "min_balance": ""}
    preview = manager.post("/outbox/bulk/", {**choice, "preview": "1"}).content.decode()
    # The dispute made its account Disputed, so it is not among the open accounts a bulk send chooses.
    assert "<dt>Accounts chosen</dt><dd>2</dd>" in preview
    assert "<dt>Not sent</dt><dd>1</dd>" in preview
    assert "email: no usable email address" in preview
    assert "DISPUTED-1" not in preview
    assert not Message.objects.exists()  # a preview writes nothing
    sent = manager.post("/outbox/bulk/", {**choice, "send": "1"}, follow=True).content.decode()
    assert "1 not sent." in sent
    assert list(Message.objects.values_list("account__reference", flat=True)) == [account.reference]
    bad = manager.post("/outbox/bulk/", {**choice, "min_balance": "lots", "preview": "1"}).content.decode()
    assert "min_balance: &#x27;lots&#x27; is not an amount" in bad
    assert signed_in(UserFactory(role=Role.OFFICER)).get("/outbox/bulk/").status_code == 403
