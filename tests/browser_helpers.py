"""Shared by the browser tests: launching Debian's Chromium through Playwright, and watching a page
for console errors, failed requests and Content-Security-Policy violations."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Records every CSP violation the page reports, before any page script runs.
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


def launch_browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Yield a headless Chromium (skip the test when Chromium is not installed)."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium not found at /usr/bin/chromium: browser tests skipped (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls here are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class ConsoleWatch:
    """Collects console errors, page errors and failed requests of a page."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on("requestfailed", self._on_request_failed)

    def _on_request_failed(self, request: Any) -> None:
        # A request the browser abandoned because the page moved on (a click during a load, the
        # favicon of a page just left) is not a failure of the application.
        if request.failure == "net::ERR_ABORTED":
            return
        self.errors.append(f"request failed: {request.url} ({request.failure})")

    def _on_console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(f"console {message.type}: {message.text} at {message.location}")

    def assert_clean(self) -> None:
        violations = self.page.evaluate("window.__cspViolations || []")
        assert violations == [], f"CSP violations: {violations}"
        assert self.errors == [], "\n".join(self.errors)


def placed_account(
    *,
    creditor: Any,
    reference: str,
    debtor: Any,
    owes: str,
    days_late: int,
    now: Any,
    officer: Any = None,
    team: Any = None,
    status: str = "active",
    product_type: str = "credit_card",
    opened: Any = None,
) -> Any:
    """An account placed with a primary debtor, owing `owes` principal (in the creditor's currency)
    that fell due `days_late` days ago, through the ledger's own charge service."""
    from datetime import date, timedelta

    from django.utils import timezone

    from recoup.accounts.models import Account, AccountDebtor
    from recoup.accounts.services import post_charge
    from recoup.core.ledger import Component
    from recoup.core.money import Money

    due = timezone.localtime(now).date() - timedelta(days=days_late)
    account = Account.objects.create(
        creditor=creditor,
        reference=reference,
        product_type=product_type,
        currency=creditor.default_currency,
        opened_date=opened or date(2021, 4, 12),
        first_delinquency_date=due,
        status=status,
        status_changed_at=now,
        assigned_officer=officer,
        team=team,
        placed_at=now,
    )
    AccountDebtor.objects.create(account=account, debtor=debtor, role=AccountDebtor.Role.PRIMARY)
    post_charge(
        account=account,
        component=Component.PRINCIPAL,
        amount=Money.of(owes, creditor.default_currency),
        due_date=due,
        effective_date=due,
        kind="placement",
        now=now,
        actor=None,
    )
    return account


def sign_in(page: Any, url: str, username: str, password: str) -> None:
    """Sign in through the sign-in page and wait for the home page."""
    page.goto(f"{url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/")


# (time zone, a valid phone number whose only zone it is), around the world.
ZONES = [
    ("Pacific/Honolulu", "+18085550143"),
    ("America/Los_Angeles", "+14155550143"),
    ("America/Denver", "+13035550143"),
    ("America/Chicago", "+13125550143"),
    ("America/New_York", "+12125550143"),
    ("Europe/London", "+442079460123"),
    ("Europe/Berlin", "+498912345678"),
    ("Europe/Moscow", "+74951234567"),
    ("Asia/Dubai", "+97143123456"),
    ("Asia/Calcutta", "+912223456789"),
    ("Asia/Hong_Kong", "+85221234567"),
    ("Asia/Tokyo", "+81312345678"),
    ("Australia/Sydney", "+61255501234"),
    ("Pacific/Auckland", "+6493012345"),
]


def zone_where(now: datetime, hours: range) -> tuple[str, str]:
    """A zone (and phone) where the local hour now is in `hours`."""
    for zone, phone in ZONES:
        if now.astimezone(ZoneInfo(zone)).hour in hours:
            return zone, phone
    raise AssertionError(f"no zone in the list has a local hour in {hours} at {now}")
