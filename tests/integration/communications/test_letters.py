"""Letters: rendered with the letterhead and the recipient in the envelope window, gathered through the
gate into a print batch (one PDF and a manifest CSV), never lost or printed twice across a crash.
The PDF is read back with poppler (pdftotext, and pdftoppm to look at the address window)."""

from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from factories import AccountFactory, CreditorFactory, DebtorFactory
from ledger_helpers import owing
from recoup.accounts.models import Account
from recoup.communications.models import Message, PrintBatch
from recoup.communications.printing import _gather, run_print_batch
from recoup.communications.services import UnableToSend, queue_message, save_template
from recoup.compliance.models import Contact
from recoup.compliance.services import place_hold

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")
BODY = (
    "Dear {{ debtor_name }},\n\nOur records show {{ balance }} outstanding on account {{ account_reference }} "
    "with {{ creditor_name }}. Please contact us to pay it or to agree a plan you can afford.\n\n"
    "This communication is from a debt collector."
)
POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm")


def ny(day: int, hour: int) -> datetime:
    return datetime(2027, 2, day, hour, tzinfo=NEW_YORK)


@pytest.fixture(autouse=True)
def sender(settings: Any, tmp_path: Path) -> None:
    settings.COLLECTOR_NAME = "Northgate Recoveries LLC"
    settings.COLLECTOR_ADDRESS = "PO Box 4410|Albany NY 12201"
    settings.DATA_DIR = tmp_path


def debtor_account(name: str, line1: str, reference: str) -> Account:
    given, family = name.split()
    debtor = DebtorFactory(
        given_name=given, family_name=family, address_line1=line1, city="Troy", region="NY", postal_code="12180"
    )
    account = AccountFactory(creditor=CreditorFactory(name="Hudson Valley Bank"), debtor=debtor, reference=reference)
    return owing(account, principal="842.10")


@pytest.fixture
def accounts() -> list[Account]:
    save_template(code="letter-1", channel="letter", subject="About your account", body=BODY, now=ny(1, 9), actor=None)
    return [
        debtor_account("Grace Holloway", "27 Ferry Street", "HVB-1001"),
        debtor_account("Victor Osei", "140 River Road", "HVB-1002"),
    ]


def test_letters_are_printed_in_one_batch_with_a_manifest(accounts: list[Account], tmp_path: Path) -> None:
    for account in accounts:
        message = queue_message(account=account, template_code="letter-1", channel="letter", now=ny(3, 10), actor=None)
        assert message.to_address.endswith("Troy NY 12180")
    result = run_print_batch(now=ny(3, 17))
    assert result.batch is not None
    assert (result.letters, result.batch.status, result.batch.pages) == (2, "ready", 2)
    with Path(result.batch.manifest_path).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["sequence"], r["first_page"], r["pages"], r["recipient"]) for r in rows] == [
        ("1", "1", "1", "Grace Holloway"),
        ("2", "2", "1", "Victor Osei"),
    ]
    assert rows[0]["account"] != "HVB-1001"  # masked
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}
    assert Contact.objects.filter(channel="letter").count() == 2
    again = run_print_batch(now=ny(3, 18))
    assert again.batch is None  # nothing printed twice
    assert PrintBatch.objects.count() == 1


@pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdftoppm) not installed")
def test_the_letter_reads_right_and_the_address_sits_in_the_envelope_window(
    accounts: list[Account], tmp_path: Path
) -> None:
    queue_message(account=accounts[0], template_code="letter-1", channel="letter", now=ny(3, 10), actor=None)
    batch = run_print_batch(now=ny(3, 17)).batch
    assert batch is not None
    text = subprocess.run(
        ["pdftotext", "-layout", batch.pdf_path, "-"], check=True, capture_output=True, text=True
    ).stdout
    for words in ["Hudson Valley Bank", "Grace Holloway", "27 Ferry Street", "Troy NY 12180", "842.10 USD",
                  "This communication is from a debt collector.", "Page 1 of 1"]:  # fmt: skip
        assert words in text, words
    subprocess.run(
        ["pdftoppm", "-png", "-r", "100", "-singlefile", batch.pdf_path, str(tmp_path / "letter")], check=True
    )
    page = Image.open(tmp_path / "letter.png").convert("L")
    points = 100 / 25.4  # pixels per millimetre at 100 dpi
    # The window of a DL envelope: 20-110 mm from the left, 45-80 mm from the top of the page.
    window = page.crop((int(20 * points), int(45 * points), int(110 * points), int(80 * points)))
    assert sum(window.histogram()[:128]) > 400, "the address is printed in the window"
    above = page.crop((int(20 * points), int(37 * points), int(110 * points), int(44 * points)))
    assert sum(above.histogram()[:128]) < 40, "nothing crowds the window from above"
    if Path("docs/screenshots").is_dir():
        shutil.copy(tmp_path / "letter.png", Path("docs/screenshots") / "letter.png")


def test_a_batch_left_half_done_by_a_crash_is_finished_with_the_same_letters(accounts: list[Account]) -> None:
    for account in accounts:
        queue_message(account=account, template_code="letter-1", channel="letter", now=ny(3, 10), actor=None)
    batch, _deferred, _blocked = _gather(ny(3, 17))  # the run died after recording the batch
    assert batch is not None
    assert set(Message.objects.values_list("status", flat=True)) == {"sending"}
    queue_message(account=accounts[0], template_code="letter-1", channel="letter", now=ny(3, 18), actor=None)
    first = run_print_batch(now=ny(3, 19))  # finishes the old batch first: the same two letters
    assert first.batch is not None
    assert (first.batch.pk, first.letters) == (batch.pk, 2)
    second = run_print_batch(now=ny(3, 19))  # then the letter written since, in a batch of its own
    assert second.batch is not None
    assert second.letters == 1
    assert Contact.objects.filter(channel="letter").count() == 3


def test_the_gate_holds_back_a_letter_and_an_address_is_required(accounts: list[Account]) -> None:
    message = queue_message(account=accounts[1], template_code="letter-1", channel="letter", now=ny(3, 10), actor=None)
    place_hold(
        kind="dispute", reason="says it is not his", starts_at=ny(3, 11), now=ny(3, 11), actor=None, account=accounts[1]
    )
    result = run_print_batch(now=ny(3, 17))
    assert (result.batch, result.blocked) == (None, 1)
    message.refresh_from_db()
    assert message.status == "blocked"
    homeless = owing(AccountFactory(debtor=DebtorFactory(address_line1="", postal_code="")), principal="10.00")
    with pytest.raises(UnableToSend, match="address: .* has no full postal address"):
        queue_message(account=homeless, template_code="letter-1", channel="letter", now=ny(3, 10), actor=None)


def test_the_validation_notice_is_printed_and_starts_its_clocks(settings: Any) -> None:
    from datetime import date

    from ledger_helpers import NOW
    from recoup.accounts.services import post_charge
    from recoup.communications.services import queue_validation_notice
    from recoup.compliance.models import Notice
    from recoup.core.ledger import Component
    from recoup.core.money import Money

    debtor = DebtorFactory(
        given_name="Maria",
        family_name="Alvarez",
        address_line1="9 Elm Street",
        city="Troy",
        region="NY",
        postal_code="12180",
    )
    account = AccountFactory(
        creditor=CreditorFactory(name="Lakeshore National Bank"),
        debtor=debtor,
        reference="4417009322810042",
        itemization_date=date(2026, 5, 1),
        itemization_amount_minor=100_000,
    )
    post_charge(
        account=account, component=Component.PRINCIPAL, amount=Money.of("1000.00", "USD"), due_date=date(2026, 5, 1),
        effective_date=date(2026, 5, 1), kind="placement", now=NOW, actor=None,
    )  # fmt: skip
    message = queue_validation_notice(account=account, now=ny(3, 10), actor=None)
    assert (message.channel, message.document, message.template) == ("letter", "validation_notice", None)
    assert "Lakeshore National Bank" in message.body_text
    with pytest.raises(UnableToSend, match="one is already waiting for the print batch"):
        queue_validation_notice(account=account, now=ny(3, 11), actor=None)
    result = run_print_batch(now=ny(3, 17))
    assert result.letters == 1
    notice = Notice.objects.get(account=account)
    assert (notice.kind, notice.sent_on, notice.channel) == ("validation", date(2027, 2, 3), "letter")
    settings.COLLECTOR_NAME = ""
    with pytest.raises(UnableToSend, match="Ask an administrator to set them"):
        queue_validation_notice(account=account, now=ny(4, 10), actor=None)
