"""Properties over random sequences of charges, payments, reversals, adjustments and write-offs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factories import AccountFactory, CreditorFactory
from ledger_helpers import NOW
from recoup.accounts.ledger_selectors import verify_ledger
from recoup.accounts.models import Account, LedgerEntry, OpenItem, Payment
from recoup.accounts.services import (
    UnableToPostTransaction,
    adjust_item,
    post_charge,
    record_payment,
    reverse_payment,
    write_down,
)
from recoup.core.ledger import Component, TransactionType
from recoup.core.money import Money

pytestmark = pytest.mark.django_db

cents = st.integers(min_value=1, max_value=500_000)
operation = st.one_of(
    st.tuples(st.just("charge"), st.sampled_from(list(Component)), cents, st.integers(0, 400)),
    st.tuples(st.just("pay"), cents),
    st.tuples(st.just("reverse"), st.integers(0, 50)),
    st.tuples(st.just("adjust"), st.integers(0, 50), st.integers(-200_000, 200_000)),
    st.tuples(st.just("write_off"), st.sampled_from(["all", "part"])),
)


def snapshot(account: Account) -> tuple[tuple[int, ...], list[tuple[int, int]]]:
    account.refresh_from_db()
    cached = (
        account.principal_minor,
        account.interest_minor,
        account.fees_minor,
        account.costs_minor,
        account.credit_balance_minor,
    )
    items = list(OpenItem.objects.filter(account=account).order_by("id").values_list("id", "balance_minor"))
    return cached, items


def apply(account: Account, op: tuple, paid_ids: list[int]) -> None:  # type: ignore[type-arg]
    kind = op[0]
    usd = lambda minor: Money.from_minor(minor, "USD")  # noqa: E731
    if kind == "charge":
        _, component, minor, days = op
        due = date(2026, 1, 1) + timedelta(days=days)
        post_charge(account=account, component=component, amount=usd(minor), due_date=due, now=NOW, actor=None)
    elif kind == "pay":
        before = snapshot(account)
        payment = record_payment(
            account=account, amount=usd(op[1]), received_at=NOW, method="bank_transfer", now=NOW, actor=None
        )
        # Every allocation stays within what each item owed.
        owed = dict(before[1])
        for entry in LedgerEntry.objects.filter(transaction_id=payment.transaction_id, book="receivable"):
            assert -entry.amount_minor <= owed[entry.open_item_id]
        paid_ids.append(payment.pk)
    elif kind == "reverse":
        payments = list(Payment.objects.filter(account=account, reversal__isnull=True).order_by("id"))
        if payments:
            reverse_payment(payment=payments[op[1] % len(payments)], reason="returned", now=NOW, actor=None)
    elif kind == "adjust":
        items = list(OpenItem.objects.filter(account=account).order_by("id"))
        if items and op[2]:
            item = items[op[1] % len(items)]
            try:
                adjust_item(item=item, amount=usd(op[2]), now=NOW, actor=None, reason="correction")
            except UnableToPostTransaction:
                item.refresh_from_db()
                assert item.balance_minor + op[2] < 0  # refused only when it would go below zero
    elif kind == "write_off":
        try:
            write_down(
                account=account,
                type=TransactionType.WRITE_OFF,
                amount=None if op[1] == "all" else usd(1),
                now=NOW,
                actor=None,
                reason="write-off",
            )
        except UnableToPostTransaction:
            account.refresh_from_db()
            assert account.balance.is_zero


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ops=st.lists(operation, min_size=1, max_size=12),
    method=st.sampled_from(["component_order", "oldest_first"]),
)
def test_random_histories_keep_the_ledger_exact(ops: list[tuple], method: str) -> None:  # type: ignore[type-arg]
    account = AccountFactory(creditor=CreditorFactory(allocation_policy={"method": method}))
    payments: list[int] = []
    for op in ops:
        apply(account, op, payments)
        cached, items = snapshot(account)
        # The account's components equal the sum of its items' balances; no item is negative.
        assert sum(cached[:4]) == sum(balance for _, balance in items)
        assert all(balance >= 0 for _, balance in items)
        assert cached[4] >= 0  # a credit balance is never negative
    check = verify_ledger()
    assert check.ok, check


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    charges=st.lists(st.tuples(st.sampled_from(list(Component)), cents), min_size=1, max_size=5),
    payment=cents,
)
def test_a_reversal_returns_every_balance_exactly(charges: list[tuple[Component, int]], payment: int) -> None:
    account = AccountFactory()
    for index, (component, minor) in enumerate(charges):
        post_charge(
            account=account,
            component=component,
            amount=Money.from_minor(minor, "USD"),
            due_date=date(2026, 1, 1) + timedelta(days=index),
            now=NOW,
            actor=None,
        )
    before = snapshot(account)
    paid = record_payment(
        account=account,
        amount=Money.from_minor(payment, "USD"),
        received_at=NOW,
        method="card",
        now=NOW,
        actor=None,
    )
    reverse_payment(payment=paid, reason="chargeback", now=NOW, actor=None)
    assert snapshot(account) == before
