"""An officer agrees a payment plan on the plan page with a real Chromium, a payment arrives, and the
page shows the first instalment kept. Writes docs/screenshots/plan.png."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from browser_helpers import CSP_WATCH, SCREENSHOTS, ConsoleWatch, launch_browser, placed_account, sign_in, zone_where
from recoup.accounts.models import Account
from recoup.accounts.services import record_payment
from recoup.arrangements.models import Arrangement
from recoup.core.money import Money
from recoup.parties.models import ContactPoint, Creditor, Debtor
from recoup.users.roles import Role
from recoup.users.services import create_team, create_user

PASSWORD = "Browser-plans-passphrase-2026"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from launch_browser(monkeypatch)


def an_account() -> Account:
    now = timezone.now()
    team = create_team(name="Recoveries West", now=now)
    officer = create_user(
        username="sam", role=Role.OFFICER, password=PASSWORD, now=now, first_name="Sam", last_name="Ortiz", team=team
    )
    creditor = Creditor.objects.create(
        code="prairie-card",
        name="Prairie Card Services",
        industry=Creditor.Industry.BANK_CARD,
        collector_type=Creditor.CollectorType.FIRST_PARTY,
        default_currency="USD",
        country="US",
        jurisdiction="US-IL",
        arrangement_policy={"max_term_months": 24, "min_instalment": "25.00", "grace_days": 3, "misses_allowed": 1},
        created_at=now,
    )
    debtor = Debtor.objects.create(
        kind=Debtor.Kind.PERSON,
        given_name="Tanya",
        family_name="Brooks",
        city="Springfield",
        region="IL",
        country="US",
        time_zone="America/Chicago",
        created_at=now,
    )
    return placed_account(
        creditor=creditor,
        reference="PCS-3391-0277",
        debtor=debtor,
        owes="1450.00",
        days_late=64,
        now=now,
        officer=officer,
        team=team,
        opened=date(2020, 5, 1),
    )


def test_an_officer_agrees_a_plan_and_sees_the_first_payment_counted(browser: Any, live_server: Any) -> None:
    account = an_account()
    today = timezone.localdate()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    watch = ConsoleWatch(page)
    sign_in(page, live_server.url, "sam", PASSWORD)
    page.goto(f"{live_server.url}/accounts/{account.pk}/")
    page.get_by_role("link", name="Plans and promises", exact=True).click()
    expect(page.get_by_role("heading", name="Plans and promises")).to_be_visible()
    expect(page.get_by_text("No plan, promise or settlement has been made on this account.")).to_be_visible()

    # Too small an instalment is refused with the reason, and nothing is made.
    form = page.get_by_role("form", name="New payment plan")
    form.get_by_label("Every").select_option("monthly")
    form.get_by_label("First payment").fill(today.isoformat())
    form.get_by_label("Or: amount of each").fill("20")
    form.get_by_role("button", name="Agree plan").click()
    page.wait_for_load_state()
    expect(page.get_by_role("status")).to_contain_text("below the creditor's minimum of 25.00")
    assert Arrangement.objects.count() == 0

    form = page.get_by_role("form", name="New payment plan")
    form.get_by_label("First payment").fill(today.isoformat())
    form.get_by_label("Number of payments").fill("6")
    form.get_by_label("Freeze interest and fees while kept").check()
    form.get_by_role("button", name="Agree plan").click()
    page.wait_for_load_state()
    expect(page.get_by_text("agreed: 6 payments.")).to_be_visible()
    schedule = page.get_by_role("table", name="Payments due under payment plan", exact=False)
    expect(schedule.locator("tbody tr")).to_have_count(6)
    expect(schedule.locator("tbody tr").first).to_contain_text("$241.66")

    # The debtor pays the first instalment (a bank file, a card payment): monitoring runs on the payment.
    now = timezone.now()
    record_payment(
        account=Account.objects.get(pk=account.pk),
        amount=Money.of("241.66", "USD"),
        received_at=now,
        method="card",
        now=now,
        actor=None,
        idempotency_key="browser-plan-1",
    )
    page.reload()
    first = page.get_by_role("table", name="Payments due under payment plan", exact=False).locator("tbody tr").first
    # Kept once its due date comes (a weekend first date moves to Monday); paid in advance until then.
    due_today = first.locator("td").nth(1).inner_text() == f"{today:%a} {today.day} {today:%b %Y}"
    expected = "Kept" if due_today else "Paid in advance"
    expect(first).to_contain_text(expected)
    expect(page.get_by_text("interest and fees frozen")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "plan.png"), full_page=True)
    watch.assert_clean()
    context.close()
    assert Account.objects.get(pk=account.pk).status == "in_arrangement"


def test_keyboard_shortcuts_log_a_call_and_open_the_next_account(browser: Any, live_server: Any) -> None:
    account = an_account()
    # Next account hands out only an account the gate allows now: give Tanya a phone in a zone where it
    # is daytime whenever the test runs (the officer's-day test's zones, each with a local number).
    zone, phone = zone_where(timezone.now(), range(10, 18))
    debtor = account.debtors.get()
    debtor.time_zone = zone
    debtor.save(update_fields=["time_zone"])
    ContactPoint.objects.create(
        debtor=debtor,
        kind="phone",
        value=phone,
        phone_type="mobile",
        source=ContactPoint.Source.PLACEMENT,
        obtained_date=date(2025, 1, 1),
        is_primary=True,
    )
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    watch = ConsoleWatch(page)
    sign_in(page, live_server.url, "sam", PASSWORD)
    page.get_by_role("link", name="My queue").click()
    expect(page.get_by_role("heading", name="My queue")).to_be_visible()
    page.keyboard.press("n")  # the next account: the only one in Sam's queue
    page.wait_for_url(f"{live_server.url}/accounts/{account.pk}/")
    expect(page.get_by_text(f"Working {account.reference}")).to_be_visible()
    page.keyboard.press("c")
    call = page.get_by_role("form", name="Log a call")
    expect(call.get_by_label("Outcome")).to_be_focused()
    call.get_by_label("Note").fill("n and c typed here are text, not shortcuts")
    assert page.url == f"{live_server.url}/accounts/{account.pk}/"
    watch.assert_clean()
    context.close()
