"""The account page of a Scottish debt past its 5-year prescription (issue 22.1), in a real Chromium: the
fact "Debt extinguished on ... (UK-06 Scotland prescription)", every channel refused under UK-06, what is
still allowed, a payment made after extinction returned, and a team lead closing the account as extinguished.
Writes docs/screenshots/account-extinguished.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from browser_helpers import CSP_WATCH, SCREENSHOTS, ConsoleWatch, launch_browser, placed_account, sign_in
from recoup.accounts.models import Account
from recoup.accounts.payments import record_payment
from recoup.compliance.services import limitation_for
from recoup.core.money import Money
from recoup.parties.models import ContactPoint, Creditor, Debtor
from recoup.users.roles import Role
from recoup.users.services import create_user

PASSWORD = "Prescription-passphrase-2026"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from launch_browser(monkeypatch)


def test_the_page_says_the_debt_is_extinguished_and_a_team_lead_closes_it(browser: Any, live_server: Any) -> None:
    now = timezone.now()
    lead = create_user(username="morag", role=Role.TEAM_LEAD, password=PASSWORD, now=now, first_name="Morag")
    creditor = Creditor.objects.create(
        code="clydebank",
        name="Clydebank Card Services",
        industry=Creditor.Industry.BANK_CARD,
        collector_type=Creditor.CollectorType.FIRST_PARTY,
        default_currency="GBP",
        country="GB",
        jurisdiction="GB-SCT",
        created_at=now,
    )
    debtor = Debtor.objects.create(
        kind=Debtor.Kind.PERSON,
        given_name="Iain",
        family_name="Murray",
        address_line1="4 Hope Street",
        city="Glasgow",
        region="SCT",
        postal_code="G2 6AB",
        country="GB",
        time_zone="Europe/London",
        created_at=now,
    )
    for kind, value in (("phone", "+447700900123"), ("email", "iain.murray@example.org")):
        ContactPoint.objects.create(
            debtor=debtor,
            kind=kind,
            value=value,
            phone_type="mobile" if kind == "phone" else "",
            source=ContactPoint.Source.DEBTOR,
            obtained_date=date(2019, 5, 2),
            is_primary=True,
        )
    account = placed_account(
        creditor=creditor,
        reference="5521-0047-3391",
        debtor=debtor,
        owes="1240.00",
        days_late=2200,  # six years ago: past Scotland's five
        now=now,
        officer=lead,
        opened=date(2016, 2, 1),
    )
    extinguished_on = limitation_for(account).extinguished_on
    assert extinguished_on is not None
    fact = f"Debt extinguished on {extinguished_on.day} {extinguished_on:%b %Y} (UK-06 Scotland prescription)"
    paid_on = extinguished_on + timedelta(days=40)
    late = record_payment(
        account=account,
        amount=Money.of("35.00", "GBP"),
        received_at=datetime.combine(paid_on, time(12), tzinfo=UTC),
        method="card",
        now=now,
        actor=None,
    )

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    watch = ConsoleWatch(page)
    sign_in(page, live_server.url, "morag", PASSWORD)
    page.goto(f"{live_server.url}/accounts/{account.pk}/")

    panel = page.locator("section#extinguished-section")
    expect(panel.get_by_role("heading", name=fact)).to_be_visible()
    expect(panel).to_contain_text("Every call, letter, email, text, visit and payment request is refused")
    expect(panel).to_contain_text("A message telling the person the debt is extinguished")
    expect(page.locator("[data-next-step]")).to_contain_text(f"{fact}: there is nothing to collect")
    gate = page.locator("section", has=page.get_by_role("heading", name="Can we contact Iain Murray now?"))
    for channel in ("Call", "SMS", "Email", "Letter"):
        answer = gate.locator(".gate-answer", has_text=f"{channel}: no")
        expect(answer).to_contain_text(f"UK-06 the debt was extinguished on {extinguished_on.isoformat()}")
    paid_after = panel.locator("[data-paid-after-extinction]")
    expect(paid_after).to_contain_text(f"£35.00 dated {paid_on.day} {paid_on:%b %Y} (payment {late.pk})")
    expect(page.get_by_role("link", name="Log a call")).to_have_count(0)  # nothing to collect: no call to log
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "account-extinguished.png"), full_page=False, animations="disabled")

    paid_after.get_by_role("button", name="Return it").click()
    expect(page.get_by_text(f"Payment {late.pk} of 35.00 GBP returned")).to_be_visible()
    expect(page.locator("section#extinguished-section [data-paid-after-extinction]")).to_have_count(0)
    late.refresh_from_db()
    assert late.reversal_reason == f"returned: paid after the debt was extinguished on {extinguished_on} (UK-06)"

    panel.get_by_label("Note").fill("Address history checked: Glasgow throughout")
    panel.get_by_role("button", name="Close as extinguished").click()
    expect(page.get_by_text("Closed account 5521-0047-3391: the debt is extinguished.")).to_be_visible()
    expect(page.locator("#account-title")).to_contain_text("Closed")
    expect(page.locator("section#extinguished-section")).to_contain_text("Closed: Debt extinguished (limitation)")
    account.refresh_from_db()
    assert (account.status, account.closure_reason) == ("closed", Account.ClosureReason.EXTINGUISHED)
    watch.assert_clean()
    context.close()
