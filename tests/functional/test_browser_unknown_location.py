"""The account page of a debtor nobody can place (issue 22.4), in a real Chromium: no time zone and only a
toll-free number, so every channel on local time is refused, saying to add an address or a time zone.
Writes docs/screenshots/account-no-location.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from browser_helpers import CSP_WATCH, SCREENSHOTS, ConsoleWatch, launch_browser, placed_account, sign_in
from recoup.parties.models import ContactPoint, Creditor, Debtor
from recoup.users.roles import Role
from recoup.users.services import create_user

PASSWORD = "No-location-passphrase-2026"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NO_LOCATION = "No location known for this debtor: add an address or a time zone before"


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from launch_browser(monkeypatch)


def test_the_gate_panel_asks_for_a_location(browser: Any, live_server: Any) -> None:
    now = timezone.now()
    officer = create_user(username="sam", role=Role.OFFICER, password=PASSWORD, now=now, first_name="Sam")
    creditor = Creditor.objects.create(
        code="northbank",
        name="Northbank Card Services",
        industry=Creditor.Industry.BANK_CARD,
        collector_type=Creditor.CollectorType.FIRST_PARTY,
        default_currency="USD",
        country="US",
        jurisdiction="US-NY",
        created_at=now,
    )
    debtor = Debtor.objects.create(
        kind=Debtor.Kind.PERSON, given_name="Lee", family_name="Park", country="US", time_zone="", created_at=now
    )
    for kind, value in (("phone", "+18005550143"), ("email", "lee.park@example.org")):
        ContactPoint.objects.create(
            debtor=debtor,
            kind=kind,
            value=value,
            phone_type="mobile" if kind == "phone" else "",
            source=ContactPoint.Source.DEBTOR,
            obtained_date=date(2025, 3, 14),
            is_primary=True,
            last_consumer_use_date=timezone.localdate(),  # a text would be allowed but for the location
        )
    account = placed_account(
        creditor=creditor,
        reference="4417-0093-7710",
        debtor=debtor,
        owes="640.00",
        days_late=75,
        now=now,
        officer=officer,
    )
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    watch = ConsoleWatch(page)
    sign_in(page, live_server.url, "sam", PASSWORD)
    page.goto(f"{live_server.url}/accounts/{account.pk}/")

    panel = page.locator("section", has=page.get_by_role("heading", name="Can we contact Lee Park now?"))
    expect(panel).to_contain_text("Their time: not known: no address or time zone on record")
    for channel, verb in (("Call", "calling"), ("SMS", "texting"), ("Email", "emailing")):
        answer = panel.locator(".gate-answer", has_text=f"{channel}: no")
        expect(answer).to_contain_text(f"US-01 {NO_LOCATION} {verb}.")
        expect(answer).to_contain_text("Not until the reason above is resolved.")
    panel.scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "account-no-location.png"), full_page=False, animations="disabled")
    watch.assert_clean()
    context.close()
