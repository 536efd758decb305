"""A manager imports a placement file, sees a bad file refused row by row, imports a bank statement and
matches a waiting payment, in a real Chromium under the strict CSP. Writes the screenshots
imports.png, import-refused.png, unmatched-payments.png, unmatched-payment.png, import-mapping.png and exports.png in
docs/screenshots."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from browser_helpers import CSP_WATCH, SCREENSHOTS, ConsoleWatch, launch_browser
from factories import AccountFactory, DebtorFactory
from ledger_helpers import owing
from recoup.accounts.models import AccountDebtor, Payment
from recoup.parties.models import Creditor
from recoup.users.roles import Role
from recoup.users.services import create_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Browser-imports-passphrase-2026"
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from launch_browser(monkeypatch)


def creditor(code: str, name: str, currency: str, country: str) -> Creditor:
    return Creditor.objects.create(
        code=code,
        name=name,
        industry=Creditor.Industry.BANK_CARD,
        collector_type=Creditor.CollectorType.THIRD_PARTY,
        default_currency=currency,
        country=country,
        jurisdiction="US-IL" if country == "US" else "GB-ENG",
        created_at=timezone.now(),
    )


def test_a_manager_imports_files_and_matches_a_payment(browser: Any, live_server: Any, tmp_path: Path) -> None:
    create_user(username="morgan", role=Role.MANAGER, password=PASSWORD, now=timezone.now(), first_name="Morgan")
    card = creditor("demo-us-card", "Lakeshore National Bank Card Services", "USD", "US")
    supplies = creditor("nis", "Northgate Industrial Supplies", "GBP", "GB")
    for reference, owed in [("NIS-C4417093", "2000.00"), ("NIS-C2093318", "1000.00"), ("NIS-C3308561", "900.00")]:
        owing(AccountFactory(creditor=supplies, reference=reference), principal=owed)
    moorside = owing(AccountFactory(creditor=supplies, reference="NIS-C7720099"), principal="612.40")
    AccountDebtor.objects.filter(account=moorside).delete()
    business = DebtorFactory(kind="business", business_name="Moorside Plant Hire", family_name="", country="GB")
    AccountDebtor.objects.create(account=moorside, debtor=business, role=AccountDebtor.Role.PRIMARY)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    watch = ConsoleWatch(page)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("morgan")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Imports").click()

    # A good placement file: the progress page polls until the import has finished.
    page.get_by_label("What is in the file").select_option("accounts")
    page.get_by_label("Creditor").select_option(label=card.name)
    page.get_by_label("File", exact=True).set_input_files(str(EXAMPLES / "accounts.csv"))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Imported (import")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Created")).to_be_visible()
    page.get_by_role("link", name="Back to imports").click()
    expect(page.get_by_role("cell", name="accounts.csv")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "imports.png"), full_page=True)

    # A bad file: refused, every bad row named, the rejects offered for download.
    bad = tmp_path / "placement-march.csv"
    bad.write_text(
        "account_reference,product_type,opened_date,principal,family_name,time_zone\n"
        "M-1,credit_card,2024-02-30,120.00,Okafor,America/Chicago\n"
        'M-2,boat,2024-01-15,80.00,=HYPERLINK("http://x"),America/Chicago\n'
        "M-3,credit_card,2024-01-15,12.345,Brennan,Mars/Base\n"
        "M-4,credit_card,2024-01-15,55.00,Silva,America/New_York\n",
        encoding="utf-8",
    )
    page.get_by_label("What is in the file").select_option("accounts")
    page.get_by_label("Creditor").select_option(label=card.name)
    page.get_by_label("File", exact=True).set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Refused:")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("row 2: opened_date: '2024-02-30' is not a real date (format YYYY-MM-DD)")).to_be_visible()
    expect(page.get_by_role("link", name="Download the rejected rows (CSV)")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "import-refused.png"), full_page=True)

    # A bank statement: sure matches post, the rest wait for a person.
    page.get_by_role("link", name="Back to imports").click()
    page.get_by_label("What is in the file").select_option("bank_statement")
    page.get_by_label("File", exact=True).set_input_files(str(EXAMPLES / "bank-statement.camt053.xml"))
    page.get_by_role("button", name="Import").click()
    page.get_by_role("link", name="Match the 2 waiting payments").click(timeout=30_000)
    expect(page.get_by_role("heading", name="Unmatched payments")).to_be_visible()
    expect(page.get_by_role("cell", name="Moorside Plant Hire", exact=True)).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "unmatched-payments.png"), full_page=True)

    page.get_by_role("link", name="Decide on £612.40 from Moorside Plant Hire").click()
    expect(page.get_by_label("Account reference")).to_have_value("NIS-C7720099")
    page.screenshot(path=str(SCREENSHOTS / "unmatched-payment.png"), full_page=True)
    page.get_by_role("button", name="Post £612.40").click()
    expect(page.get_by_text("Posted £612.40 to NIS-C7720099")).to_be_visible()
    assert Payment.objects.filter(account=moorside, amount_minor=61240).exists()

    # A saved column mapping for another system's files.
    page.goto(f"{live_server.url}/imports/mappings/")
    page.get_by_role("link", name="For payments").click()
    page.get_by_label("Name").fill("Lakeshore core banking")
    page.get_by_label("Encoding").select_option("cp1252")
    page.get_by_label("Delimiter").select_option(";")
    page.get_by_label("Decimal separator").select_option(",")
    page.get_by_label("Dates look like").select_option("%d.%m.%Y")
    page.get_by_label("account_reference").fill("Kontonummer")
    page.get_by_label("amount", exact=True).fill("Betrag")
    page.screenshot(path=str(SCREENSHOTS / "import-mapping.png"), full_page=True)
    page.get_by_role("button", name="Save mapping").click()
    expect(page.get_by_text("Saved the mapping 'Lakeshore core banking'.")).to_be_visible()

    # The exports page: what can be taken out, each download audited.
    page.get_by_role("link", name="Exports").click()
    expect(page.get_by_role("heading", name="Exports")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "exports.png"), full_page=True)
    watch.assert_clean()
    context.close()
