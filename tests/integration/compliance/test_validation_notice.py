"""US validation notices from the ledger: the itemization adds up, the end date is computed, and a
notice with a missing part is refused naming it."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner
from django.test import override_settings

from factories import AccountFactory, CreditorFactory, DebtorFactory
from ledger_helpers import NOW, usd
from recoup.accounts.services import post_charge, record_payment
from recoup.cli.main import cli
from recoup.compliance.services import build_validation_notice
from recoup.core.compliance import missing_parts, render_notice
from recoup.core.ledger import Component

pytestmark = pytest.mark.django_db
COLLECTOR = {"COLLECTOR_NAME": "Keystone Recovery Partners", "COLLECTOR_ADDRESS": "PO Box 1200|Albany NY 12201"}


def itemized_account() -> object:
    debtor = DebtorFactory(given_name="Maria", family_name="Alvarez")
    account = AccountFactory(
        creditor=CreditorFactory(name="Lakeshore National Bank"),
        debtor=debtor,
        reference="4417009322810042",
        itemization_date=date(2026, 5, 1),
        itemization_amount_minor=100_000,
    )
    post_charge(
        account=account,
        component=Component.PRINCIPAL,
        amount=usd("1000.00"),
        due_date=date(2026, 5, 1),
        effective_date=date(2026, 5, 1),
        kind="placement",
        now=NOW,
        actor=None,
    )
    post_charge(
        account=account,
        component=Component.INTEREST,
        amount=usd("12.50"),
        due_date=date(2026, 6, 1),
        effective_date=date(2026, 6, 1),
        kind="interest",
        now=NOW,
        actor=None,
    )
    post_charge(
        account=account,
        component=Component.FEES,
        amount=usd("25.00"),
        due_date=date(2026, 6, 1),
        effective_date=date(2026, 6, 1),
        kind="fee",
        now=NOW,
        actor=None,
    )
    record_payment(account=account, amount=usd("100.00"), received_at=NOW, method="card", now=NOW, actor=None)
    return account


@override_settings(**COLLECTOR)
def test_the_notice_itemizes_from_the_ledger_and_prints_the_end_date() -> None:
    account = itemized_account()
    notice = build_validation_notice(account=account, sent_on=date(2026, 11, 23))  # type: ignore[arg-type]
    assert missing_parts(notice) == []
    item = notice.itemization
    assert item is not None
    assert (item.amount_then, item.interest, item.fees, item.payments, item.amount_now) == (
        usd("1000.00"),
        usd("12.50"),
        usd("25.00"),
        usd("100.00"),
        usd("937.50"),
    )
    text = render_notice(notice)
    assert "Keystone Recovery Partners is a debt collector" in text
    assert "Account number: ************0042" in text
    assert "Call or write to us by December 31, 2026" in text
    assert "www.cfpb.gov/debt-collection" in text
    assert "937.50 USD" in text


def test_a_notice_with_missing_parts_is_refused_naming_them() -> None:
    account = AccountFactory(debtor=DebtorFactory(address_line1="", city=""))
    result = CliRunner().invoke(
        cli, ["compliance", "validation-notice", "--account", account.reference, "--sent", "2026-11-23"]
    )
    assert result.exit_code == 1
    assert "collector_name" in result.output
    assert "consumer_address" in result.output
    assert "itemization (the account has no itemization date and amount)" in result.output


@override_settings(**COLLECTOR)
def test_an_itemization_amount_that_does_not_match_the_ledger_is_refused() -> None:
    account = itemized_account()
    account.itemization_amount_minor = 90_000  # type: ignore[attr-defined]
    account.save()  # type: ignore[attr-defined]
    problems = missing_parts(build_validation_notice(account=account, sent_on=date(2026, 11, 23)))  # type: ignore[arg-type]
    assert problems == [
        "itemization (the amount on 2026-05-01 plus interest and fees, less payments and credits, is 837.50 USD, "
        "but 937.50 USD is owed now)"
    ]
