"""A creditor's fees policy is enforced where every fee is posted (`post_charge`), not only by the
daily run: a fee it does not allow is refused with the reason, and nothing is written."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from factories import AccountFactory, CreditorFactory
from ledger_helpers import NOW, usd
from recoup.accounts.ledger_selectors import verify_ledger
from recoup.accounts.models import Account, LedgerTransaction, OpenItem
from recoup.accounts.services import UnableToPostTransaction, post_charge
from recoup.audit.models import AuditEvent
from recoup.core.ledger import Component

pytestmark = pytest.mark.django_db
DUE = date(2026, 6, 1)


def account_with(policy: object, principal: str = "400.00") -> Account:
    account = AccountFactory(creditor=CreditorFactory(fees_policy=policy))
    post_charge(
        account=account, component=Component.PRINCIPAL, amount=usd(principal), due_date=DUE, now=NOW, actor=None
    )
    account.refresh_from_db()
    return account


def fee(account: Account, amount: str) -> OpenItem:
    return post_charge(account=account, component=Component.FEES, amount=usd(amount), due_date=DUE, now=NOW, actor=None)


@pytest.mark.parametrize(
    ("policy", "amount", "reason"),
    [
        (None, "5.00", "the creditor allows no fees (its fees policy is empty)"),
        ({"late_fee": "25.00"}, "25.01", "the fee 25.01 is more than the creditor's late fee of 25.00"),
        ({"max_fees_percent": 10}, "40.01", "fees would be more than 10% of the principal, the creditor's cap"),
        ({"late_fe": "25"}, "5.00", "the creditor"),  # a policy that cannot be read allows nothing
    ],
    ids=["empty", "over the late fee", "over the cap", "unreadable"],
)
def test_a_fee_the_policy_does_not_allow_is_refused_and_nothing_is_written(
    policy: object, amount: str, reason: str
) -> None:
    account = account_with(policy)
    before = (OpenItem.objects.count(), LedgerTransaction.objects.count(), AuditEvent.objects.count())
    with pytest.raises(UnableToPostTransaction) as caught:
        fee(account, amount)
    assert str(caught.value).startswith(f"amount: {reason}")
    assert str(caught.value).endswith("; nothing was charged")
    assert (OpenItem.objects.count(), LedgerTransaction.objects.count(), AuditEvent.objects.count()) == before
    account.refresh_from_db()
    assert account.fees_minor == 0
    assert verify_ledger().ok


def test_fees_within_the_policy_are_posted_until_the_cap_is_reached() -> None:
    account = account_with({"late_fee": "25.00", "max_fees_percent": 10})  # 10% of 400.00: 40.00 in all
    fee(account, "25.00")
    fee(account, "15.00")
    with pytest.raises(UnableToPostTransaction, match="more than 10% of the principal"):
        fee(account, "0.01")
    account.refresh_from_db()
    assert account.fees_minor == 40_00


def test_a_policy_that_cannot_be_read_is_refused_where_it_is_typed() -> None:
    creditor = CreditorFactory()
    creditor.fees_policy = {"late_fee": "a lot"}
    with pytest.raises(ValidationError) as caught:
        creditor.full_clean()
    assert caught.value.message_dict["fees_policy"] == ["fees policy: late_fee: 'a lot' is not a number"]
