"""An officer records a hardship notice and a default notice on an Australian account with a real
Chromium; the team lead records the decision; both see the clocks and the legal-action gate change.

Writes docs/screenshots/account-legal.png (the legal clocks and gates on the account page).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from browser_helpers import CSP_WATCH, SCREENSHOTS, ConsoleWatch, launch_browser, placed_account
from recoup.accounts.models import Account
from recoup.compliance.models import HardshipNotice, Notice
from recoup.parties.models import ContactPoint, Creditor, Debtor
from recoup.users.roles import Role
from recoup.users.services import create_team, create_user

PASSWORD = "Browser-legal-passphrase-2026"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from launch_browser(monkeypatch)


def australian_account() -> Account:
    now = timezone.now()
    today = timezone.localdate()
    team = create_team(name="Hardship & Care", now=now)
    officer = create_user(
        username="priya", role=Role.OFFICER, password=PASSWORD, now=now, first_name="Priya", last_name="Nair", team=team
    )
    create_user(username="tom", role=Role.TEAM_LEAD, password=PASSWORD, now=now, first_name="Tom", team=team)
    creditor = Creditor.objects.create(
        code="harbour-power",
        name="Harbour Power & Gas",
        industry=Creditor.Industry.UTILITY,
        collector_type=Creditor.CollectorType.FIRST_PARTY,
        default_currency="AUD",
        country="AU",
        jurisdiction="AU-NSW",
        created_at=now,
    )
    debtor = Debtor.objects.create(
        kind=Debtor.Kind.PERSON,
        given_name="Chloe",
        family_name="Nguyen",
        address_line1="14 Wattle Street",
        city="Parramatta",
        region="NSW",
        postal_code="2150",
        country="AU",
        time_zone="Australia/Sydney",
        created_at=now,
    )
    ContactPoint.objects.create(
        debtor=debtor,
        kind="phone",
        value="+61412555019",
        phone_type="mobile",
        source="placement",
        obtained_date=date(2024, 2, 1),
        consent="granted",
        consent_date=date(2024, 2, 1),
        last_consumer_use_date=today - timedelta(days=12),
        is_primary=True,
    )
    return placed_account(
        creditor=creditor,
        reference="HPG-40092217",
        debtor=debtor,
        owes="1384.60",
        days_late=97,
        now=now,
        officer=officer,
        team=team,
        product_type="utility",
        opened=date(2022, 8, 1),
    )


def sign_in(page: Any, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/")


def test_hardship_and_default_notices_drive_the_legal_action_gate(browser: Any, live_server: Any) -> None:
    account = australian_account()
    today = timezone.localdate()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-AU")
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    watch = ConsoleWatch(page)
    sign_in(page, live_server.url, "priya")
    page.goto(f"{live_server.url}/accounts/{account.pk}/")
    # The legal sections start folded; opened, they stay open after each action in this tab.
    for section in ("Legal clocks and gates", "Notices sent", "Hardship"):
        page.get_by_role("button", name=section, exact=True).click()
    legal = page.locator("section", has=page.get_by_role("heading", name="Legal clocks and gates"))
    expect(legal).to_contain_text("Legal action today: no")
    expect(legal).to_contain_text("no default notice has been served")

    # The default notice went out 20 days ago with 30 days to remedy.
    ids = page.locator("[id]").evaluate_all("els => els.map(e => e.id)")
    assert len(ids) == len(set(ids)), "every id on the page is unique, so every label names one field"
    notices = page.get_by_role("form", name="Record a notice sent")
    notices.get_by_label("Notice").select_option("default")
    notices.get_by_label("Sent on").fill((today - timedelta(days=20)).isoformat())
    notices.get_by_label("Days to remedy").fill("30")
    notices.get_by_label("Reference").fill("PRINT-2211")
    notices.get_by_role("button", name="Record notice").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Recorded the default notice (au-07, uk-08) sent")).to_be_visible()
    remedy_ends = today + timedelta(days=10)
    expect(legal).to_contain_text(f"gives until {remedy_ends.isoformat()} to remedy")

    # On a call she explains she has lost her job: an oral hardship notice.
    hardship = page.get_by_role("form", name="Record a hardship notice")
    hardship.get_by_label("Received on").fill((today - timedelta(days=3)).isoformat())
    hardship.get_by_label("How").select_option("oral")
    hardship.get_by_label("What they said").fill(
        "Lost her job at the depot in October; two children; can pay $40 a week"
    )
    hardship.get_by_role("button", name="Record hardship notice").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Recorded the hardship notice; its clocks are running.")).to_be_visible()
    deadlines = page.get_by_role("table", name="Deadlines the law sets on this account")
    expect(deadlines).to_contain_text("Give the written hardship decision")
    expect(deadlines).to_contain_text("running")
    expect(legal).to_contain_text("is not decided yet")
    expect(page.get_by_role("form", name="Record a step of the hardship notice", exact=False)).to_have_count(0)
    expect(page.locator(".gate-answer").first).to_contain_text("AU-06 a hardship notice is being assessed")
    legal.screenshot(path=str(SCREENSHOTS / "account-legal.png"))
    watch.assert_clean()
    context.close()

    # The team lead asks for information, then refuses with reasons: enforcement waits 14 days.
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-AU")
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    watch = ConsoleWatch(page)
    sign_in(page, live_server.url, "tom")
    page.goto(f"{live_server.url}/accounts/{account.pk}/")
    page.get_by_role("button", name="Hardship", exact=True).click()
    step = page.get_by_role("form", name="Record a step of the hardship notice", exact=False)
    step.get_by_label("Step").select_option("decided")
    step.get_by_label("Decision", exact=True).select_option("refused")
    step.get_by_label("Decision note").fill(
        "Expenses exceed income even at $40 a week; referred to AFCA and a financial counsellor"
    )
    step.get_by_role("button", name="Record step").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Recorded the decision: refused.")).to_be_visible()
    legal = page.locator("section", has=page.get_by_role("heading", name="Legal clocks and gates"))
    expect(legal).to_contain_text("enforcement waits 14 days")
    expect(legal).to_contain_text(f"Earliest: {(today + timedelta(days=14)):%-d %b %Y}")
    watch.assert_clean()
    context.close()

    notice = HardshipNotice.objects.get()
    assert (notice.decision, notice.decided_on) == ("refused", today)
    assert Notice.objects.get().remedy_days == 30
