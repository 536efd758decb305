"""The confirmation letter (PDF, looked at as a picture and read back as text) and email."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.test import override_settings

from factories import AccountFactory, CreditorFactory, DebtorFactory
from ledger_helpers import owing, usd
from recoup.arrangements.letters import FROM_A_DEBT_COLLECTOR, confirmation_email, letter_html, letter_pdf
from recoup.arrangements.services import PlanRequest, UnableToArrange, create_plan, create_settlement
from recoup.core.arrangements import Frequency

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 1, 20, 15, 0, tzinfo=UTC)
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
SENDER = {"COLLECTOR_NAME": "Summit Recovery Partners", "COLLECTOR_ADDRESS": "PO Box 4410|Denver CO 80201"}


def _plan(third_party: bool = True) -> object:
    creditor = CreditorFactory(
        name="Lakeshore National Bank",
        collector_type="third_party" if third_party else "first_party",
        arrangement_policy={"grace_days": 3, "date_rule": "none"},
    )
    debtor = DebtorFactory(
        given_name="Maria",
        family_name="Alvarez",
        address_line1="1420 W Addison St",
        city="Chicago",
        region="IL",
        postal_code="60613",
    )
    account = owing(AccountFactory(creditor=creditor, debtor=debtor, reference="CC-7730-0001"), principal="900.00")
    return create_plan(
        account=account,
        request=PlanRequest(frequency=Frequency.MONTHLY, first_due=date(2027, 2, 1), count=3, freeze_charges=True),
        now=NOW,
        actor=None,
    )


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext, pdftoppm) not installed")
@override_settings(**SENDER)
def test_the_letter_is_a_pdf_with_the_address_in_the_window_and_the_schedule(tmp_path: Path) -> None:
    plan = _plan()
    pdf = letter_pdf(plan, today=date(2027, 1, 20))  # type: ignore[arg-type]
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    for words in [
        "Summit Recovery Partners",
        "On behalf of Lakeshore National Bank",
        "Maria Alvarez",
        "1420 W Addison St",
        "Chicago IL 60613",
        "1 February 2027",
        "300.00 USD",
        "900.00 USD",
        "no interest or fees will be added",
        FROM_A_DEBT_COLLECTOR,
        "Page 1 of",
    ]:
        assert words in text, words
    assert "********0001" in text  # the account number, masked
    # The address block sits in the envelope window: read the text in that box of the first page.
    window = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-x", "50", "-y", "140", "-W", "290", "-H", "110", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "Maria Alvarez" in window
    assert "Chicago IL 60613" in window
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(path), str(tmp_path / "letter")], check=True)
    image = tmp_path / "letter.png"
    assert image.stat().st_size > 10_000
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(image, SCREENSHOTS / "plan-letter.png")


@override_settings(**SENDER)
def test_a_settlement_letter_says_full_and_final_and_what_is_written_off() -> None:
    creditor = CreditorFactory(
        settlement_authority={"officer": 30},
        settlement_wording="This offer is made without prejudice.\n\nRef. SETTLE-LNB-7",
    )
    debtor = DebtorFactory(address_line1="88 Peachtree St NE", city="Atlanta", region="GA", postal_code="30303")
    account = owing(AccountFactory(creditor=creditor, debtor=debtor), principal="1000.00")
    settlement = (
        create_settlement(account=account, amounts=[(date(2027, 2, 1), usd("750.00"))], now=NOW, actor=None)
        if False
        else None
    )
    from factories import UserFactory
    from recoup.users.roles import Role

    settlement = create_settlement(
        account=account, amounts=[(date(2027, 2, 1), usd("750.00"))], now=NOW, actor=UserFactory(role=Role.OFFICER)
    )
    html = letter_html(settlement, today=date(2027, 1, 20))
    assert "full and final" in html
    assert "write off the remaining 250.00 USD" in html
    assert "<p>This offer is made without prejudice.</p>" in html  # the creditor's own wording, as given
    assert "<p>Ref. SETTLE-LNB-7</p>" in html


def test_the_letter_is_refused_without_a_sender_or_an_address() -> None:
    plan = _plan()
    with (
        override_settings(COLLECTOR_NAME="", COLLECTOR_ADDRESS=""),
        pytest.raises(UnableToArrange, match="the name and postal address they are sent from are not set up"),
    ):
        letter_html(plan, today=date(2027, 1, 20))  # type: ignore[arg-type]
    plan.account.debtors.update(address_line1="")  # type: ignore[attr-defined]
    with (
        override_settings(**SENDER),
        pytest.raises(UnableToArrange, match="address: Maria Alvarez has no full postal address"),
    ):
        letter_html(plan, today=date(2027, 1, 20))  # type: ignore[arg-type]


def test_the_email_has_the_schedule_the_opt_out_and_passes_the_content_checks() -> None:
    email = confirmation_email(_plan(), today=date(2027, 1, 20))  # type: ignore[arg-type]
    assert email.subject == "Your payment plan for account ********0001"
    assert "1 March 2027: 300.00 USD" in email.text
    assert "{{ unsubscribe_url }}" in email.text
    assert FROM_A_DEBT_COLLECTOR in email.text
    first_party = confirmation_email(_plan(third_party=False), today=date(2027, 1, 20))  # type: ignore[arg-type]
    assert FROM_A_DEBT_COLLECTOR not in first_party.text
