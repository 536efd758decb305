"""Payment posting speed: one batch (as a bank file) and one by one, with allocation, entries, audit.

    python bench/bench_payments.py --database postgresql --payments 100000 --one-by-one 3000
    python bench/bench_payments.py --database sqlite

Prints payments per second for both paths, and as a baseline measured in the same run, the time to
bulk-insert the same number of bare ledger entry rows (the floor any posting path must pay).
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta

import numpy as np

from ledger_portfolio import NOW, fresh_database, make_portfolio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--payments", type=int, default=100_000)
    parser.add_argument("--one-by-one", type=int, default=3_000, dest="one_by_one")
    args = parser.parse_args()
    with fresh_database(args.database):
        from django.db import connection, transaction

        from recoup.accounts.ledger_selectors import verify_ledger
        from recoup.accounts.models import Account
        from recoup.accounts.services import PaymentRequest, record_payment, record_payments
        from recoup.core.money import Money
        from recoup.platform.bulk import bulk_insert

        ids = make_portfolio(accounts=args.accounts, items_per_account=3)
        rng = np.random.default_rng(11)
        targets = rng.choice(ids, size=args.payments)
        amounts = rng.integers(500, 50_000, size=args.payments)
        requests = [
            PaymentRequest(
                int(pk),
                Money.from_minor(int(minor), "USD"),
                NOW - timedelta(seconds=i),
                "bank_transfer",
                idempotency_key=f"bank-{i}",
            )
            for i, (pk, minor) in enumerate(zip(targets, amounts, strict=True))
        ]

        # Baseline: write as many bare rows as the batch writes entries into a plain scratch table with
        # no keys or indexes (the floor any posting path pays), then roll it back.
        entries = args.payments * 3
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "CREATE TABLE bench_floor (id bigint, transaction_id bigint, account_id bigint, "
                    "open_item_id bigint, book varchar(20), component varchar(10), amount_minor bigint, "
                    "effective_date date)"
                )
            started = time.perf_counter()
            bulk_insert(
                "bench_floor",
                [
                    "id",
                    "transaction_id",
                    "account_id",
                    "open_item_id",
                    "book",
                    "component",
                    "amount_minor",
                    "effective_date",
                ],
                ((n, n, n, n, "receivable", "principal", -n, NOW.date()) for n in range(entries)),
            )
            baseline = time.perf_counter() - started
            transaction.set_rollback(True)

        started = time.perf_counter()
        result = record_payments(requests=requests, now=NOW, actor=None)
        batch = time.perf_counter() - started
        assert result.created == args.payments

        # Not timed: let the database settle after the batch (autovacuum would start on the tables it
        # grew, and a checkpoint would follow), so the one-by-one figure measures posting, not that.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE) accounts_account, accounts_open_item, accounts_entry")
                cursor.execute("CHECKPOINT")

        singles = rng.choice(ids, size=args.one_by_one)
        accounts = {a.pk: a for a in Account.objects.filter(pk__in=[int(x) for x in singles])}
        started = time.perf_counter()
        for pk in singles:
            record_payment(
                account=accounts[int(pk)],
                amount=Money.of("12.34", "USD"),
                received_at=NOW,
                method="card",
                now=NOW,
                actor=None,
            )
        single = time.perf_counter() - started

        started = time.perf_counter()
        check = verify_ledger()
        verify = time.perf_counter() - started
        assert check.ok, check

    print(f"database: {args.database}; accounts: {args.accounts:,} with 3 open items each")
    print(f"batch:       {args.payments:,} payments in {batch:.2f} s = {args.payments / batch:,.0f} payments/s")
    print(f"one by one:  {args.one_by_one:,} payments in {single:.2f} s = {args.one_by_one / single:,.0f} payments/s")
    print(f"ledger verify over {check.entries:,} entries: {verify:.2f} s")
    print(
        f"baseline: {entries:,} bare rows into a scratch table in {baseline:.2f} s; "
        f"the batch took {batch / baseline:.1f}x that"
    )


if __name__ == "__main__":
    main()
