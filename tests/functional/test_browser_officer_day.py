"""An officer's day in a real Chromium: sign in, open My queue and see why the first account is first,
take the next account with the keyboard, log a call with a promise to pay, find the promise on the
timeline and at the top of the queue, and try a call at night in the debtor's time, which the gate
blocks with the rule and the reason; then both pages at tablet width. Writes docs/screenshots/queue.png,
account-call.png and queue-tablet.png.

The pages read the clock, so the debtors' time zones are chosen from the hour the test runs: one where
it is mid-morning to afternoon now, one where it is the middle of the night.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

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
from recoup.accounts.models import Account
from recoup.arrangements.models import Arrangement
from recoup.compliance.models import Contact, ContactDecision
from recoup.parties.models import ContactPoint, Creditor, Debtor
from recoup.users.models import User
from recoup.users.roles import Role
from recoup.users.services import create_team, create_user
from recoup.workspace.models import Callback

PASSWORD = "Officer-day-passphrase-2026"
# Form controls a screen reader could not name: no <label>, aria-label or aria-labelledby.
UNNAMED_CONTROLS = """
[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(e => !e.labels.length && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
  .map(e => e.name || e.id || e.outerHTML.slice(0, 60))
"""

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from launch_browser(monkeypatch)


def book(officer: User, team: Any, now: datetime) -> dict[str, Account]:
    today = now.date()
    creditor = Creditor.objects.create(
        code="harbor-card",
        name="Harbor Card Services",
        industry=Creditor.Industry.BANK_CARD,
        collector_type=Creditor.CollectorType.FIRST_PARTY,
        default_currency="USD",
        country="US",
        jurisdiction="US-IL",
        arrangement_policy={"grace_days": 3},
        created_at=now,
    )
    day_zone, day_phone = zone_where(now, range(10, 18))
    night_zone, night_phone = zone_where(now, range(1, 6))
    people = [
        # reference, given, family, zone, phone, owes, days past due
        ("HCS-1001-4410", "Denise", "Walker", day_zone, day_phone, "860.00", 75),
        ("HCS-1002-7715", "Marcus", "Reyes", night_zone, night_phone, "4210.55", 130),
        ("HCS-1003-2208", "Aisha", "Khan", day_zone, day_phone, "1295.10", 48),
        ("HCS-1004-9931", "Tom", "Becker", day_zone, day_phone, "310.00", 22),
    ]
    made: dict[str, Account] = {}
    for reference, given, family, zone, phone, owes, days in people:
        debtor = Debtor.objects.create(
            kind=Debtor.Kind.PERSON,
            given_name=given,
            family_name=family,
            address_line1="1200 W Lake St",
            city="Chicago",
            region="IL",
            postal_code="60607",
            country="US",
            time_zone=zone,
            created_at=now,
        )
        ContactPoint.objects.create(
            debtor=debtor,
            kind="phone",
            value=phone,
            phone_type="mobile",
            source=ContactPoint.Source.PLACEMENT,
            obtained_date=today - timedelta(days=days),
            is_primary=True,
        )
        made[reference] = placed_account(
            creditor=creditor,
            reference=reference,
            debtor=debtor,
            owes=owes,
            days_late=days,
            now=now,
            officer=officer,
            team=team,
            opened=date(2019, 3, 1),
        )
    # Denise asked yesterday to be called back about now: her account is first, whatever she owes.
    denise = made["HCS-1001-4410"]
    Callback.objects.create(
        account=denise,
        debtor=denise.debtors.get(),
        at=now - timedelta(minutes=5),
        officer=officer,
        note="asked to be called back at lunch",
        created_at=now - timedelta(days=1),
    )
    return made


def test_an_officers_day_queue_next_account_call_with_a_promise_and_a_blocked_call(
    browser: Any, live_server: Any
) -> None:
    now = timezone.now()
    team = create_team(name="Recoveries Central", now=now)
    officer = create_user(
        username="dana", role=Role.OFFICER, password=PASSWORD, now=now, first_name="Dana", last_name="Price", team=team
    )
    accounts = book(officer, team, now)
    denise, marcus = accounts["HCS-1001-4410"], accounts["HCS-1002-7715"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    watch = ConsoleWatch(page)
    sign_in(page, live_server.url, "dana", PASSWORD)

    # My queue: the callback first, with its reason; then the largest balances.
    page.get_by_role("link", name="My queue").click()
    queue = page.get_by_role("region", name="My queue")
    rows = queue.locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("HCS-1001-4410")
    expect(rows.nth(0)).to_contain_text("Callback due")
    expect(rows.nth(1)).to_contain_text("HCS-1002-7715")
    expect(rows.nth(1)).to_contain_text("Owes 4,210.55 USD")
    # Filtering narrows it without a page load; the Next account button follows the filter.
    page.get_by_label("Days past due").select_option("121-180")
    expect(rows).to_have_count(1)
    expect(page.get_by_role("button", name="Next account in this view")).to_be_visible()
    page.get_by_label("Save these filters as").fill("Over 120 days")
    page.get_by_role("button", name="Save view").click()
    expect(page.get_by_role("navigation", name="Saved views").get_by_role("link", name="Over 120 days")).to_be_visible()
    page.get_by_role("navigation", name="Saved views").get_by_role("link", name="Everything").click()
    expect(rows).to_have_count(4)
    page.screenshot(path=str(SCREENSHOTS / "queue.png"), full_page=True)

    # "n": the next account is Denise's, leased to Dana, with why it came first.
    page.keyboard.press("n")
    page.wait_for_url(f"{live_server.url}/accounts/{denise.pk}/")
    expect(page.get_by_text("Working HCS-1001-4410: Callback due")).to_be_visible()
    can_call = page.locator(".gate-answer--yes").filter(has_text="Call: yes")
    expect(can_call).to_contain_text("US-08: 0 of 7 counted calls in 7 days (7 left)")

    # "c", then a promise to pay in a few keystrokes.
    page.keyboard.press("c")
    call = page.get_by_role("form", name="Log a call")
    expect(call.get_by_label("Outcome")).to_be_focused()
    # Only the follow-up the outcome calls for is shown.
    expect(call.get_by_label("Promised amount")).to_be_hidden()
    call.get_by_label("Outcome").select_option("callback")
    expect(call.get_by_label("Call back on")).to_be_visible()
    expect(call.get_by_label("Promised amount")).to_be_hidden()
    call.get_by_label("Outcome").select_option("promise")
    expect(call.get_by_label("Call back on")).to_be_hidden()
    call.get_by_label("Note").fill("Pays $200 on Friday from her wages")
    call.get_by_label("Promised amount").fill("200")
    promised_for = (now.astimezone(ZoneInfo(denise.debtors.get().time_zone)).date() + timedelta(days=3)).isoformat()
    call.get_by_label("Promised for").fill(promised_for)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "account-call.png"))
    page.evaluate("window.__samePage = true")  # survives an in-place update, not a page load
    call.get_by_role("button", name="Log call").click()
    expect(page.get_by_text("Call logged: promise to pay.")).to_be_visible()
    assert page.evaluate("window.__samePage === true"), "logging a call reloaded the whole page"
    expect(page.locator(".messages")).to_be_focused()  # the outcome is where focus (and a screen reader) is
    history = page.get_by_role("table", name="Contacts and attempts on this account")
    expect(history).to_contain_text("Pays $200 on Friday from her wages")
    promise = Arrangement.objects.get(account=denise)
    assert (promise.kind, promise.total_minor, promise.channel) == ("promise", 20000, "call")
    assert Callback.objects.get(account=denise).done_at is not None  # the call answered the callback

    # The promise is on the timeline, newest first.
    page.get_by_role("link", name="Timeline and notes").click()
    expect(page.get_by_role("heading", name="Timeline", exact=False).first).to_be_visible()
    timeline = page.get_by_role("table", name="What happened on this account")
    expect(timeline).to_contain_text(f"Promise to pay 200.00 USD on {date.fromisoformat(promised_for):%-d %b %Y}")
    expect(timeline).to_contain_text("Call: promise to pay. “Pays $200 on Friday from her wages”")

    # Back in the queue Denise is no longer a callback: Marcus (the largest balance) is first, and
    # Denise waits at the end for the payment she promised.
    page.get_by_role("link", name="My queue").click()
    expect(rows.nth(0)).to_contain_text("HCS-1002-7715")
    expect(queue).not_to_contain_text("Callback due")
    promised_day = date.fromisoformat(promised_for)
    expect(rows.nth(3)).to_contain_text(f"Promise of 200.00 USD due {promised_day:%d %b}: leave until then")

    # Marcus's phone and time zone say it is the middle of the night for him: the call is blocked.
    page.goto(f"{live_server.url}/accounts/{marcus.pk}/")
    expect(page.locator(".gate-answer--no").filter(has_text="Call: no")).to_contain_text("US-01")
    call = page.get_by_role("form", name="Log a call")
    call.get_by_label("Outcome").select_option("no_answer")
    call.get_by_role("button", name="Log call").click()
    page.wait_for_load_state()
    expect(page.get_by_role("status").filter(has_text="call blocked")).to_contain_text(
        "US-01: Call contact is allowed only 08:00 to 21:00"
    )
    assert not Contact.objects.filter(account=marcus).exists()
    assert ContactDecision.objects.filter(account=marcus, allowed=False).exists()

    # On a tablet (768 px) the queue and the account page fit the width: tables scroll inside their
    # own region, the page itself never scrolls sideways.
    page.set_viewport_size({"width": 768, "height": 1024})
    for path in ("/queue/", f"/accounts/{denise.pk}/"):
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than a tablet"
        unnamed = page.evaluate(UNNAMED_CONTROLS)
        assert unnamed == [], f"{path}: controls without an accessible name: {unnamed}"
    page.goto(f"{live_server.url}/queue/")
    page.screenshot(path=str(SCREENSHOTS / "queue-tablet.png"), full_page=True)
    watch.assert_clean()
    context.close()
