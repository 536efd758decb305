"""Time-barred disclosures (US-16) through the outbox: a collection email or letter on a time-barred New
York debt goes out with New York's disclosure at the top, though its template lacks it; a template that
has it gets it once; a debt within its period, or a creditor collecting its own debt, gets none; the
validation notice carries it on its front; a firm's own wording is used; and an extinguished Scottish
debt is refused whatever the wording."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.mail import get_connection

from factories import AccountFactory, ContactPointFactory, CreditorFactory, DebtorFactory
from ledger_helpers import owing
from recoup.accounts.models import Account
from recoup.accounts.services import post_charge
from recoup.communications.printing import run_print_batch
from recoup.communications.services import (
    UnableToSend,
    deliver_due,
    preview,
    queue_message,
    queue_validation_notice,
    save_template,
)
from recoup.core.compliance import DISCLOSURES
from recoup.core.compliance.disclosures import NEW_YORK_TEXT, parse_overrides
from recoup.core.ledger import Component
from recoup.core.money import Money

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 10:00 in New York, 15:00 in London and Glasgow
EVENING = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
TIME_BARRED = date(2022, 1, 10)  # New York's 3 years ended on 2025-01-10
RECENT = date(2025, 11, 1)
EMAIL = (
    "Dear {{ debtor_first_name }},\n\nYour account {{ account_reference }} has {{ balance }} outstanding. "
    "Reply to arrange a payment you can afford.\n\nThis communication is from a debt collector.\n\n"
    "To stop emails: {{ unsubscribe_url }}"
)
LETTER = (
    "Dear {{ debtor_name }},\n\nOur records show {{ balance }} outstanding on account {{ account_reference }}. "
    "Please contact us to agree a plan you can afford.\n\nThis communication is from a debt collector."
)
UK_TEXT = "This debt is statute barred: we cannot take you to court for it, and you are not legally obliged to pay it."
POPPLER = shutil.which("pdftotext")


@pytest.fixture(autouse=True)
def sender(settings: Any, tmp_path: Path) -> None:
    settings.COLLECTOR_NAME = "Northgate Recoveries LLC"
    settings.COLLECTOR_ADDRESS = "PO Box 4410|Albany NY 12201"
    settings.DATA_DIR = tmp_path
    settings.TIME_BARRED_DISCLOSURES = dict(DISCLOSURES)


def new_york(
    *, delinquent: date = TIME_BARRED, third_party: bool = True, principal: str | None = "842.10", **fields: Any
) -> Account:
    creditor = CreditorFactory(
        name="Hudson Valley Bank", collector_type="third_party" if third_party else "first_party"
    )
    debtor = DebtorFactory(
        given_name="Grace", family_name="Holloway", address_line1="27 Ferry Street", city="Troy", postal_code="12180"
    )
    ContactPointFactory(debtor=debtor, email=True, value="grace@example.org", source="debtor")
    account = AccountFactory(creditor=creditor, debtor=debtor, first_delinquency_date=delinquent, **fields)
    return owing(account, principal=principal) if principal else account


def templates(creditor: Any = None) -> None:
    save_template(code="reminder", channel="email", subject="Your account", body=EMAIL, now=NOW, actor=None)
    save_template(code="letter-1", channel="letter", subject="About your account", body=LETTER, now=NOW, actor=None)


def locmem() -> Any:
    return get_connection("django.core.mail.backends.locmem.EmailBackend")


class TestAnEmail:
    def test_on_a_time_barred_new_york_debt_goes_out_with_the_disclosure_at_the_top(self) -> None:
        account = new_york()
        templates()
        message = queue_message(account=account, template_code="reminder", channel="email", now=NOW, actor=None)
        assert message.status == "queued"
        assert message.body_text.startswith(NEW_YORK_TEXT + "\n\nDear Grace,")
        assert message.body_html.startswith(f"<p>{NEW_YORK_TEXT}</p>")
        run = deliver_due(now=NOW, mail=locmem())
        assert run.sent == 1
        (sent,) = mail.outbox
        assert sent.body.startswith(NEW_YORK_TEXT)
        assert sent.body.count("statute of limitations) for suing you") == 1

    def test_a_template_that_already_carries_it_gets_it_once(self) -> None:
        account = new_york()
        body = EMAIL.replace("This communication", NEW_YORK_TEXT.replace(". ", ".\n") + "\n\nThis communication")
        save_template(code="with-it", channel="email", subject="Your account", body=body, now=NOW, actor=None)
        message = queue_message(account=account, template_code="with-it", channel="email", now=NOW, actor=None)
        assert message.body_text.startswith("Dear Grace,")
        assert message.body_text.count("We are required by regulation of the New York State") == 1

    def test_the_preview_shows_it_and_finds_nothing_wrong(self) -> None:
        account = new_york()
        shown = preview(subject="Your account", body=EMAIL, channel="email", account=account, now=NOW)
        assert shown.text.startswith(NEW_YORK_TEXT)
        assert shown.problems == []

    @pytest.mark.parametrize(
        "account_fields", [{"delinquent": RECENT}, {"third_party": False}], ids=["within-period", "own-debt"]
    )
    def test_a_debt_within_its_period_or_a_creditors_own_debt_gets_none(self, account_fields: dict[str, Any]) -> None:
        account = new_york(**account_fields)
        templates()
        message = queue_message(account=account, template_code="reminder", channel="email", now=NOW, actor=None)
        assert message.body_text.startswith("Dear Grace,")
        assert "statute of limitations" not in message.body_text

    def test_a_legal_threat_is_still_refused_beside_the_disclosure(self) -> None:
        account = new_york()
        threat = EMAIL.replace("Reply to arrange", "Pay now or we will sue you. Reply to arrange")
        save_template(code="threat", channel="email", subject="Your account", body=threat, now=NOW, actor=None)
        with pytest.raises(
            UnableToSend, match='US-16: The debt is time-barred, so the message must not threaten.*"sue"'
        ):
            queue_message(account=account, template_code="threat", channel="email", now=NOW, actor=None)


class TestALetter:
    def test_is_printed_with_the_disclosure_before_the_greeting(self) -> None:
        account = new_york()
        templates()
        message = queue_message(account=account, template_code="letter-1", channel="letter", now=NOW, actor=None)
        assert message.body_text.startswith(NEW_YORK_TEXT)
        html = message.body_html
        assert html.index("New York State Department of Financial Services") < html.index("Dear Grace Holloway")
        result = run_print_batch(now=EVENING)
        assert result.batch is not None
        assert result.letters == 1
        if POPPLER:
            text = subprocess.run(
                ["pdftotext", result.batch.pdf_path, "-"], check=True, capture_output=True, text=True
            ).stdout
            flat = " ".join(text.split())
            assert "We are required by regulation of the New York State Department of Financial Services" in flat
            assert flat.index("will NOT sue you") < flat.index("Dear Grace Holloway")


class TestTheFirmsWording:
    def test_a_firms_uk_wording_goes_on_a_time_barred_english_debt(self, settings: Any) -> None:
        settings.TIME_BARRED_DISCLOSURES = parse_overrides(
            json.dumps({"GB": {"text": UK_TEXT, "citation": "firm policy (CONC 7.15)"}})
        )
        debtor = DebtorFactory(uk=True, given_name="Tom", family_name="Hale")
        ContactPointFactory(debtor=debtor, email=True, value="tom@example.org", source="debtor")
        account = owing(
            AccountFactory(
                creditor=CreditorFactory(uk_lender=True), debtor=debtor, first_delinquency_date=date(2019, 1, 10)
            ),
            principal="480.00",
        )
        save_template(code="uk", channel="email", subject="Your account", body=EMAIL, now=NOW, actor=None)
        message = queue_message(account=account, template_code="uk", channel="email", now=NOW, actor=None)
        assert message.body_text.startswith(UK_TEXT + "\n\nDear Tom,")

    def test_an_extinguished_scottish_debt_is_still_refused(self, settings: Any) -> None:
        settings.TIME_BARRED_DISCLOSURES = parse_overrides(
            json.dumps({"GB": {"text": UK_TEXT, "citation": "firm policy (CONC 7.15)"}})
        )
        debtor = DebtorFactory(
            uk=True, region="SCT", city="Glasgow", postal_code="G1 1XQ", address_line1="4 Hope Street"
        )
        ContactPointFactory(debtor=debtor, email=True, value="iain@example.org", source="debtor")
        account = owing(
            AccountFactory(
                creditor=CreditorFactory(uk_lender=True), debtor=debtor, first_delinquency_date=date(2020, 1, 10)
            ),
            principal="480.00",
        )
        save_template(code="scot", channel="email", subject="Your account", body=EMAIL, now=NOW, actor=None)
        with pytest.raises(UnableToSend, match="email blocked: UK-06: the debt was extinguished on 2025-01-11"):
            queue_message(account=account, template_code="scot", channel="email", now=NOW, actor=None)

    def test_the_firms_new_york_wording_replaces_recoups(self, settings: Any) -> None:
        wording = "New York residents: our counsel's approved statute-of-limitations notice."
        settings.TIME_BARRED_DISCLOSURES = parse_overrides(json.dumps({"US-NY": {"text": wording}}))
        account = new_york()
        templates()
        message = queue_message(account=account, template_code="reminder", channel="email", now=NOW, actor=None)
        assert message.body_text.startswith(wording + "\n\nDear Grace,")
        assert "Department of Financial Services" not in message.body_text


class TestTheValidationNotice:
    def _itemized(self, delinquent: date) -> Account:
        account = new_york(
            delinquent=delinquent,
            principal=None,
            reference="4417009322810042",
            itemization_date=date(2021, 12, 1),
            itemization_amount_minor=100_000,
        )
        post_charge(
            account=account, component=Component.PRINCIPAL, amount=Money.of("1000.00", "USD"),
            due_date=date(2021, 12, 1), effective_date=date(2021, 12, 1), kind="placement", now=NOW, actor=None,
        )  # fmt: skip
        return account

    def test_a_time_barred_new_york_debts_notice_has_the_disclosure_on_its_front(self) -> None:
        account = self._itemized(TIME_BARRED)
        message = queue_validation_notice(account=account, now=NOW, actor=None)
        text = message.body_text
        assert text.index("Troy NY 12180") < text.index(NEW_YORK_TEXT) < text.index("is a debt collector")
        assert text.count(NEW_YORK_TEXT) == 1
        html = message.body_html
        assert html.index("New York State Department of Financial Services") < html.index("is a debt collector")
        result = run_print_batch(now=EVENING)
        assert result.letters == 1

    def test_a_notice_within_the_period_has_none(self) -> None:
        account = self._itemized(RECENT)
        message = queue_validation_notice(account=account, now=NOW, actor=None)
        assert "statute of limitations" not in message.body_text
