"""An officer signs in with a real Chromium, sees their accounts and searches them, under the strict CSP.

Also writes the screenshots in docs/screenshots (sign-in, home at desktop and tablet width, accounts).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from browser_helpers import CSP_WATCH, SCREENSHOTS, ConsoleWatch, launch_browser, placed_account
from recoup.accounts.models import Account
from recoup.accounts.services import record_payment
from recoup.core.money import Money
from recoup.parties.models import Creditor, Debtor
from recoup.users.models import User
from recoup.users.roles import Role
from recoup.users.services import create_team, create_user

PASSWORD = "Browser-demo-passphrase-2026"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (reference, debtor given name, family name or business, creditor code, product, status, days late, owed)
DEMO_ACCOUNTS: list[tuple[str, str, str, str, str, str, int, str]] = [
    ("4417-0093-2281", "Maria", "Garcia", "northbank", "credit_card", "active", 212, "2418.55"),
    ("4417-0093-7710", "James", "O'Connor", "northbank", "credit_card", "in_arrangement", 147, "986.20"),
    ("PL-2024-118734", "Aisha", "Rahman", "northbank", "personal_loan", "active", 96, "12840.00"),
    ("UT-55102934", "", "Garcia Plumbing LLC", "metro-energy", "utility", "disputed", 75, "612.47"),
    ("UT-55108817", "Li", "Wei", "metro-energy", "utility", "on_hold", 48, "231.90"),
    ("MED-77120-03", "Robert", "Johnson", "st-marys", "medical", "active", 41, "1475.00"),
    ("MED-77188-11", "Emily", "Clarke", "st-marys", "medical", "legal", 330, "3920.15"),
    ("4417-0094-0051", "Daniel", "Murphy", "northbank", "credit_card", "active", 33, "418.73"),
]
CREDITORS = {
    "northbank": ("Northbank Card Services", Creditor.Industry.BANK_CARD),
    "metro-energy": ("Metro Energy & Water", Creditor.Industry.UTILITY),
    "st-marys": ("St Mary's Hospital Trust", Creditor.Industry.HEALTHCARE),
}


def make_demo_officer() -> User:
    """An officer on a team with a realistic handful of accounts across three creditors."""
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
    creditors = {
        code: Creditor.objects.create(
            code=code,
            name=name,
            industry=industry,
            collector_type=Creditor.CollectorType.FIRST_PARTY,
            default_currency="USD",
            country="US",
            jurisdiction="US-NY",
            created_at=now,
        )
        for code, (name, industry) in CREDITORS.items()
    }
    for reference, given, family, code, product, status, days_late, owed in DEMO_ACCOUNTS:
        business = given == ""
        debtor = Debtor.objects.create(
            kind=Debtor.Kind.BUSINESS if business else Debtor.Kind.PERSON,
            given_name=given,
            family_name="" if business else family,
            business_name=family if business else "",
            time_zone="America/New_York",
            country="US",
            created_at=now,
        )
        placed_account(
            creditor=creditors[code],
            reference=reference,
            debtor=debtor,
            owes=owed,
            days_late=days_late,
            now=now,
            officer=officer,
            team=team,
            status=status,
            product_type=product,
        )
    return officer


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from launch_browser(monkeypatch)


def test_an_officer_signs_in_and_sees_their_accounts(browser: Any, live_server: Any) -> None:
    make_demo_officer()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    watch = ConsoleWatch(page)

    # Sign in by typing into the labelled fields, as a person would.
    page.goto(f"{live_server.url}/login/")
    assert page.title() == "Sign in · Recoup"
    page.get_by_label("Username").fill("jordan")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    error = page.get_by_role("alert")
    assert "do not match an active account" in error.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "login.png"), full_page=True)

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")

    # The home page lists the officer's open accounts, oldest delinquency first.
    assert "Jordan Ellis" in page.locator("header").inner_text()
    table = page.get_by_role("table", name="My open accounts")
    rows = table.locator("tbody tr")
    assert rows.count() == len(DEMO_ACCOUNTS)
    first_row = rows.first.inner_text()
    assert "MED-77188-11" in first_row
    assert "Emily Clarke" in first_row
    assert "330" in first_row
    assert "Garcia Plumbing LLC" in table.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "home.png"), full_page=True)

    # Live search on the accounts page swaps in the matching rows through htmx.
    page.get_by_role("link", name="Accounts", exact=True).click()
    page.wait_for_url(f"{live_server.url}/accounts/")
    page.get_by_label("Search", exact=True).fill("garcia")
    page.wait_for_url("**/accounts/?q=garcia*")
    results = page.get_by_role("table", name="Accounts")
    expect(results.locator("tbody tr")).to_have_count(2)
    assert "Maria Garcia" in results.inner_text()
    assert "Garcia Plumbing LLC" in results.inner_text()
    page.get_by_label("Search", exact=True).fill("")
    expect(results.locator("tbody tr")).to_have_count(len(DEMO_ACCOUNTS))
    page.screenshot(path=str(SCREENSHOTS / "accounts.png"), full_page=True)

    # The account page answers whether the debtor may be contacted now, channel by channel.
    page.get_by_role("link", name="4417-0093-2281").click()
    expect(page.get_by_role("heading", name="Can we contact Maria Garcia now?")).to_be_visible()
    expect(page.get_by_text("Call: ")).to_be_visible()
    # account.png is taken by test_browser_account_page.py, with a fuller account.
    page.go_back()

    # At tablet width the navigation becomes a strip under the top bar.
    page.set_viewport_size({"width": 768, "height": 1024})
    page.goto(f"{live_server.url}/")
    nav_box = page.get_by_role("navigation", name="Main").bounding_box()
    main_box = page.locator("#main").bounding_box()
    assert nav_box is not None
    assert main_box is not None
    assert nav_box["y"] < main_box["y"], "the navigation sits above the content"
    assert nav_box["width"] > 700, "the navigation spans the width"
    page.screenshot(path=str(SCREENSHOTS / "home-tablet.png"), full_page=True)

    watch.assert_clean()
    context.close()


def test_a_manager_reads_the_aging_report_and_downloads_it(browser: Any, live_server: Any) -> None:
    make_demo_officer()
    now = timezone.now()
    # Payments on the hospital and utility accounts only: the card creditor's aging below stays as placed.
    for n, (reference, amount) in enumerate(
        [("MED-77120-03", "150.00"), ("UT-55108817", "42.00"), ("MED-77188-11", "75.00")]
    ):
        record_payment(
            account=Account.objects.get(reference=reference),
            amount=Money.of(amount, "USD"),
            received_at=now - timedelta(days=2 * n),
            method="card",
            now=now,
            actor=None,
            idempotency_key=f"browser-manager-{n}",
        )
    create_user(username="morgan", role=Role.MANAGER, password=PASSWORD, now=timezone.now(), first_name="Morgan")
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US", accept_downloads=True)
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    watch = ConsoleWatch(page)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("morgan")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    # The manager's home: today's collections, with the last 14 days drawn as bars on the server.
    expect(page.get_by_text("Collected today")).to_be_visible()
    expect(page.get_by_role("img", name="Collected per day, last 14 days, USD")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "manager-home.png"), full_page=True)

    page.get_by_role("link", name="Aging", exact=True).click()
    page.wait_for_url(f"{live_server.url}/reports/aging/")
    cards = page.get_by_role("region", name="Aging for Northbank Card Services in USD")
    text = cards.inner_text()
    assert "180+" in text
    assert "$16,663.48" in text  # 2,418.55 + 986.20 + 12,840.00 + 418.73: the card creditor's four accounts
    page.screenshot(path=str(SCREENSHOTS / "aging.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("aging-")
    assert "creditor,creditor_name,currency,bucket" in Path(download.path()).read_text()

    page.get_by_label("As of").fill("2999-01-01")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert "cannot be in the future" in page.locator("main").inner_text()
    watch.assert_clean()
    context.close()
