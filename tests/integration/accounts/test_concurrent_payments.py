"""Twenty payments posted to one account at the same moment: exact balances, no deadlock."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from factories import AccountFactory, CreditorFactory
from ledger_helpers import NOW, owing, usd
from recoup.accounts.ledger_selectors import verify_ledger
from recoup.accounts.models import Payment
from recoup.accounts.services import record_payment

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are a PostgreSQL concern"),
]

THREADS = 20


def test_twenty_threads_paying_one_account_leave_exact_balances() -> None:
    account = owing(AccountFactory(creditor=CreditorFactory()), principal="1000.00", interest="100.00", fees="50.00")
    other = owing(AccountFactory(creditor=account.creditor), principal="300.00")
    start = threading.Barrier(THREADS)

    def pay(n: int) -> int:
        try:
            start.wait()
            target = account if n % 4 else other
            payment = record_payment(
                account=target,
                amount=usd("37.31"),
                received_at=NOW,
                method="card",
                now=NOW,
                actor=None,
                idempotency_key=f"concurrent-{n}",
            )
            return payment.pk
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        ids = list(pool.map(pay, range(THREADS), timeout=120))

    assert len(set(ids)) == THREADS
    account.refresh_from_db()
    other.refresh_from_db()
    paid_to_account = 15 * 3731
    assert account.balance.minor == 115000 - paid_to_account
    assert other.balance.minor == 30000 - 5 * 3731
    assert Payment.objects.count() == THREADS
    assert verify_ledger().ok
