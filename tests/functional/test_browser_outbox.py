"""The outbox and a message's page in a real Chromium under the strict CSP; an officer sends an email
from the account page. Writes docs/screenshots/outbox.png and message.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.mail import get_connection
from django.utils import timezone
from playwright.sync_api import expect

from browser_helpers import CSP_WATCH, SCREENSHOTS, ConsoleWatch, launch_browser, placed_account, sign_in
from recoup.communications.models import Message
from recoup.communications.services import deliver_due
from recoup.communications.starter import create_starter_templates
from recoup.parties.models import ContactPoint, Creditor, Debtor
from recoup.users.roles import Role
from recoup.users.services import create_team, create_user

PASSWORD = "Outbox-passphrase-2026"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from launch_browser(monkeypatch)


def test_an_officer_emails_a_debtor_and_follows_it_in_the_outbox(browser: Any, live_server: Any) -> None:
    now = timezone.now()
    team = create_team(name="Recoveries South", now=now)
    officer = create_user(
        username="rosa", role=Role.OFFICER, password=PASSWORD, now=now, first_name="Rosa", last_name="Diaz", team=team
    )
    creditor = Creditor.objects.create(
        code="gulf-card", name="Gulf Coast Card", industry=Creditor.Industry.BANK_CARD,
        collector_type=Creditor.CollectorType.FIRST_PARTY, default_currency="USD", country="US",
        jurisdiction="US-TX", created_at=now,
    )  # fmt: skip
    accounts = []
    for reference, given, family, address, owes in [
        ("GCC-5512-0091", "Maya", "Lopez", "maya.lopez@example.org", "640.25"),
        ("GCC-5512-0147", "Owen", "Price", "owen.price@example.net", "1210.00"),
    ]:
        debtor = Debtor.objects.create(
            kind=Debtor.Kind.PERSON, given_name=given, family_name=family, city="Houston", region="TX",
            country="US", time_zone="America/Chicago", created_at=now,
        )  # fmt: skip
        ContactPoint.objects.create(
            debtor=debtor, kind="email", value=address, source=ContactPoint.Source.DEBTOR,
            obtained_date=now.date(), last_consumer_use_date=now.date(), is_primary=True,
        )  # fmt: skip
        accounts.append(
            placed_account(
                creditor=creditor,
                reference=reference,
                debtor=debtor,
                owes=owes,
                days_late=45,
                now=now,
                officer=officer,
                team=team,
            )
        )
    create_starter_templates(now=now)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    watch = ConsoleWatch(page)
    sign_in(page, live_server.url, "rosa", PASSWORD)

    for account in accounts:
        page.goto(f"{live_server.url}/accounts/{account.pk}/")
        page.keyboard.press("m")  # the Messages section opens with its template chosen
        form = page.get_by_role("form", name="Send a message")
        expect(form.get_by_label("Template")).to_be_focused()
        form.get_by_label("Template").select_option("email:payment-reminder")
        form.get_by_role("button", name="Send").click()
        expect(page.get_by_role("status").filter(has_text="Email to")).to_be_visible()
    assert Message.objects.count() == 2
    # The worker runs (here into Django's in-memory mailbox): what is due now goes out.
    deliver_due(now=timezone.now(), mail=get_connection("django.core.mail.backends.locmem.EmailBackend"))

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Outbox").click()
    rows = page.get_by_role("region", name="Messages").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Your Gulf Coast Card account GCC-5512-0147")
    page.screenshot(path=str(SCREENSHOTS / "outbox.png"), full_page=True)
    rows.first.get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="What it said")).to_be_visible()
    expect(page.locator(".message-text")).to_contain_text("Dear Owen,")
    expect(page.locator(".message-text")).to_contain_text("1,210.00 USD")
    page.screenshot(path=str(SCREENSHOTS / "message.png"), full_page=True)
    watch.assert_clean()
    context.close()
