"""A call about two debts, in a real Chromium: the officer ticks the person's other debt under "Also
about", and the gate panel then counts the call against both (US-08 is per person per debt).
Writes docs/screenshots/account-calls-per-debt.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from browser_helpers import CSP_WATCH, SCREENSHOTS, ConsoleWatch, launch_browser, placed_account, sign_in
from recoup.compliance.models import Contact, ContactAbout
from recoup.parties.models import ContactPoint, Creditor, Debtor
from recoup.users.roles import Role
from recoup.users.services import create_user

PASSWORD = "Several-debts-passphrase-2026"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# A Tuesday afternoon in New York, after today: the session cookie the browser keeps is not yet expired.
AFTERNOON = datetime(2027, 1, 12, 14, 0, tzinfo=ZoneInfo("America/New_York"))


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from launch_browser(monkeypatch)


def creditor(code: str, name: str, now: datetime) -> Creditor:
    return Creditor.objects.create(
        code=code,
        name=name,
        industry=Creditor.Industry.BANK_CARD,
        collector_type=Creditor.CollectorType.FIRST_PARTY,
        default_currency="USD",
        country="US",
        jurisdiction="US-NY",
        created_at=now,
    )


def test_a_call_about_both_debts_counts_against_each(browser: Any, live_server: Any) -> None:
    with time_machine.travel(AFTERNOON, tick=True):
        now = datetime.now(tz=ZoneInfo("UTC"))
        officer = create_user(username="sam", role=Role.OFFICER, password=PASSWORD, now=now, first_name="Sam")
        debtor = Debtor.objects.create(
            kind=Debtor.Kind.PERSON,
            given_name="Dana",
            family_name="Okafor",
            address_line1="41 Elm Street",
            city="Albany",
            region="NY",
            postal_code="12203",
            country="US",
            time_zone="America/New_York",
            created_at=now,
        )
        ContactPoint.objects.create(
            debtor=debtor,
            kind="phone",
            value="+15185550143",
            phone_type="mobile",
            source=ContactPoint.Source.DEBTOR,
            obtained_date=date(2025, 3, 14),
            is_primary=True,
        )
        card = placed_account(
            creditor=creditor("northbank", "Northbank Card Services", now),
            reference="4417-0093-7710",
            debtor=debtor,
            owes="640.00",
            days_late=75,
            now=now,
            officer=officer,
        )
        placed_account(
            creditor=creditor("hudson", "Hudson Consumer Loans", now),
            reference="HL-220-5518",
            debtor=debtor,
            owes="2150.00",
            days_late=40,
            now=now,
            officer=officer,
            product_type="personal_loan",
        )
        context = browser.new_context(viewport={"width": 1366, "height": 1000}, locale="en-US")
        context.add_init_script(CSP_WATCH)
        page = context.new_page()
        watch = ConsoleWatch(page)
        sign_in(page, live_server.url, "sam", PASSWORD)
        page.goto(f"{live_server.url}/accounts/{card.pk}/")

        table = page.get_by_role("table", name="Calls about each debt")
        expect(table).to_contain_text("4417-0093-7710 (this account)")
        expect(table).to_contain_text("HL-220-5518")
        form = page.get_by_role("form", name="Log a call")
        form.get_by_label("Outcome").select_option(label="Someone else answered")
        form.get_by_label("HL-220-5518", exact=False).check()
        form.get_by_role("button", name="Log call").click()
        expect(page.get_by_role("alert").or_(page.locator(".messages"))).to_contain_text(
            "It counts toward HL-220-5518 as well."
        )
        assert Contact.objects.count() == 1
        assert ContactAbout.objects.get().account.reference == "HL-220-5518"

        table = page.get_by_role("table", name="Calls about each debt")
        for reference in ("4417-0093-7710", "HL-220-5518"):
            expect(table.get_by_role("row", name=reference)).to_contain_text("US-08: 1 of 7")
        page.get_by_role("heading", name="Can we contact Dana Okafor now?").scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / "account-calls-per-debt.png"), full_page=False, animations="disabled")
        watch.assert_clean()
        context.close()
