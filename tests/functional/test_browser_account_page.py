"""The account page in a real Chromium at desktop (1366 px) and tablet (768 px) width: a summary with
what the gate allows now and the next step, actions one keystroke away, the rest in sections that fold,
nothing wider than the screen, and a refused form that comes back as typed with its message in view.
Writes docs/screenshots/account.png and account-tablet.png.

The page reads the clock, so the debtor's time zone is one where it is daytime when the test runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from browser_helpers import (
    CSP_WATCH,
    SCREENSHOTS,
    ConsoleWatch,
    launch_browser,
    placed_account,
    sign_in,
    zone_where,
)
from recoup.accounts.models import Account, Payment
from recoup.accounts.services import record_payment
from recoup.arrangements.services import PlanRequest, create_plan
from recoup.compliance.services import lift_hold, place_hold
from recoup.core.arrangements import Frequency
from recoup.core.money import Money
from recoup.parties.models import ContactPoint, Creditor, Debtor
from recoup.users.roles import Role
from recoup.users.services import create_team, create_user

PASSWORD = "Account-page-passphrase-2026"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# How far the page is wider than the window (0 when nothing scrolls sideways).
PAGE_OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
TABLE_OVERFLOW = "el => el.scrollWidth - el.clientWidth"


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from launch_browser(monkeypatch)


def marias_account() -> Account:
    """Maria Garcia's card account, worked by Jordan: a plan with its next payment due, two phones and an
    email with long provenance notes, one payment taken, and a lifted dispute hold in the history."""
    now = timezone.now()
    team = create_team(name="Recoveries East", now=now)
    officer = create_user(
        username="jordan",
        role=Role.OFFICER,
        password=PASSWORD,
        now=now,
        first_name="Jordan",
        last_name="Ellis",
        team=team,
    )
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
    zone, phone = zone_where(now, range(10, 17))
    debtor = Debtor.objects.create(
        kind=Debtor.Kind.PERSON,
        given_name="Maria",
        family_name="Garcia",
        city="Springfield",
        region="IL",
        country="US",
        time_zone=zone,
        created_at=now,
    )
    for value, kind, phone_type, primary in (
        (phone, "phone", "mobile", True),
        (phone[:-1] + "9", "phone", "landline", False),
        ("maria.garcia.springfield@example.org", "email", "", True),
    ):
        ContactPoint.objects.create(
            debtor=debtor,
            kind=kind,
            value=value,
            phone_type=phone_type,
            source=ContactPoint.Source.DEBTOR if primary else ContactPoint.Source.SKIP_TRACE,
            obtained_date=date(2025, 3, 14),
            is_primary=primary,
            last_consumer_use_date=date(2026, 10, 2) if primary else None,
            reassigned_check_date=date(2026, 11, 2) if kind == "phone" else None,
            no_workplace_contact=not primary,
        )
    account = placed_account(
        creditor=creditor,
        reference="4417-0093-2281",
        debtor=debtor,
        owes="2418.55",
        days_late=212,
        now=now - timedelta(days=2),
        officer=officer,
        team=team,
    )
    hold = place_hold(
        kind="dispute",
        reason="Said the balance includes a fee she never agreed to",
        evidence="Call note",
        channel="",
        starts_at=now - timedelta(days=40),
        ends_at=None,
        now=now - timedelta(days=40),
        actor=officer,
        account=account,
        debtor=None,
    )
    lift_hold(
        hold=hold,
        reason="Verification sent; the fee is in the signed agreement",
        now=now - timedelta(days=20),
        actor=None,
    )
    record_payment(
        account=Account.objects.get(pk=account.pk),
        amount=Money.of("150.00", "USD"),
        received_at=now - timedelta(days=1),
        method="card",
        now=now - timedelta(days=1),
        actor=officer,
        external_reference="AUTH 448812",
        idempotency_key="maria-1",
    )
    create_plan(
        account=Account.objects.get(pk=account.pk),
        request=PlanRequest(frequency=Frequency.MONTHLY, first_due=timezone.localdate() + timedelta(days=5), count=12),
        now=now,
        actor=officer,
    )
    return Account.objects.get(pk=account.pk)


def open_page(browser: Any, url: str, account: Account, width: int) -> tuple[Any, Any, ConsoleWatch]:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    watch = ConsoleWatch(page)
    sign_in(page, url, "jordan", PASSWORD)
    page.goto(f"{url}/accounts/{account.pk}/")
    return context, page, watch


def test_the_account_page_leads_with_a_summary_and_keeps_the_rest_in_sections(browser: Any, live_server: Any) -> None:
    account = marias_account()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context, page, watch = open_page(browser, live_server.url, account, 1366)

    summary = page.get_by_role("region", name="4417-0093-2281", exact=False)
    expect(summary).to_contain_text("Maria Garcia")
    expect(summary).to_contain_text("$2,268.55")  # owed after the $150.00 payment
    expect(page.locator("[data-next-step]")).to_contain_text("Next step: Call Maria Garcia now.")
    expect(page.locator("[data-next-step]")).to_contain_text("Their next payment, $189.04, is due")
    expect(page.get_by_role("heading", name="Can we contact Maria Garcia now?")).to_be_visible()
    expect(page.get_by_text("Call: yes")).to_be_visible()

    # The rest folds: open items start folded and open with their heading's button.
    items = page.locator("#items-section table")
    expect(items).to_be_hidden()
    toggle = page.get_by_role("button", name="Open items")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(items).to_be_visible()

    # Who owes and how to reach them: the contact points fit the page (nothing scrolls sideways).
    page.get_by_role("button", name="Who owes and how to reach them").click()
    points = page.get_by_role("region", name="Phone numbers and email addresses")
    expect(points).to_be_visible()
    assert points.evaluate(TABLE_OVERFLOW) <= 0
    assert page.evaluate(PAGE_OVERFLOW) <= 0

    # p: the payment form, focused. A date in the future is refused: the message is in view below the
    # top bar and the form still holds what was typed.
    page.keyboard.press("p")
    amount = page.get_by_role("form", name="Record a payment").get_by_label("Amount")
    expect(amount).to_be_focused()
    amount.fill("75.00")
    form = page.get_by_role("form", name="Record a payment")
    form.get_by_label("Received on").fill((timezone.localdate() + timedelta(days=3)).isoformat())
    form.get_by_label("Reference").fill("AUTH 551907")
    form.get_by_role("button", name="Record payment").click()
    message = page.get_by_role("status").filter(has_text="is in the future")
    expect(message).to_contain_text("Received on:")
    expect(message).to_be_in_viewport()
    top_bar = page.locator(".topbar").bounding_box()
    assert message.bounding_box()["y"] >= top_bar["y"] + top_bar["height"]
    form = page.get_by_role("form", name="Record a payment")
    expect(form.get_by_label("Amount")).to_have_value("75.00")
    expect(form.get_by_label("Reference")).to_have_value("AUTH 551907")
    assert Payment.objects.count() == 1

    # h: the hold form; its section opens and keeps open across the next page drawn.
    page.keyboard.press("h")
    expect(page.get_by_role("form", name="Place a hold").get_by_label("Hold")).to_be_focused()
    page.reload()
    expect(page.get_by_role("button", name="Holds")).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("button", name="Open items")).to_have_attribute("aria-expanded", "true")

    page.get_by_role("button", name="Open items").click()
    page.get_by_role("button", name="Who owes and how to reach them").click()
    page.get_by_role("button", name="Holds").click()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "account.png"), full_page=True, animations="disabled")
    watch.assert_clean()
    context.close()


def test_the_account_page_fits_a_tablet(browser: Any, live_server: Any) -> None:
    account = marias_account()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context, page, watch = open_page(browser, live_server.url, account, 768)
    expect(page.locator("[data-next-step]")).to_contain_text("Call Maria Garcia now.")
    page.get_by_role("button", name="Who owes and how to reach them").click()
    points = page.get_by_role("region", name="Phone numbers and email addresses")
    expect(points).to_contain_text("maria.garcia.springfield@example.org")
    assert points.evaluate(TABLE_OVERFLOW) <= 0
    assert page.evaluate(PAGE_OVERFLOW) <= 0
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "account-tablet.png"), full_page=True, animations="disabled")
    watch.assert_clean()
    context.close()
