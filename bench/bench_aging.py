"""Aging report and ledger check speed over a large portfolio.

    python bench/bench_aging.py --database postgresql --accounts 1000000 --items 3

Loads the portfolio set-based (through accounts.services.load_open_items), then times: the aging
report as of today (cached balances), as of yesterday (recomputed from the ledger entries), and
`verify_ledger`. Baseline measured in the same run: one plain scan summing every open item's balance.
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta

from ledger_portfolio import NOW, fresh_database, make_portfolio


def timed(label: str, func, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = func(*args, **kwargs)
    elapsed = time.perf_counter() - started
    print(f"{label:<44} {elapsed:8.2f} s")
    return result, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=3)
    args = parser.parse_args()
    with fresh_database(args.database):
        from django.db import connection

        from recoup.accounts.ledger_selectors import aging_report, verify_ledger

        _, load_seconds = timed("load portfolio", make_portfolio, accounts=args.accounts, items_per_account=args.items)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("VACUUM ANALYZE")

            def scan() -> None:
                cursor.execute("SELECT COUNT(*), SUM(balance_minor) FROM accounts_open_item WHERE balance_minor > 0")
                cursor.fetchone()

            timed("baseline: one scan of open items", scan)
            _, baseline = timed("baseline again (warm)", scan)
        today = NOW.date()
        report, cached_first = timed("aging as of today (cached balances)", aging_report, as_of=today, today=today)
        _, cached_warm = timed("aging as of today, again", aging_report, as_of=today, today=today)
        _, ledger = timed(
            "aging as of yesterday (from the entries)", aging_report, as_of=today - timedelta(days=1), today=today
        )
        check, verify = timed("ledger verify", verify_ledger)
        assert check.ok, check
        accounts = sum(row.accounts for row in report.rows)
        items = sum(row.items for row in report.rows)
    print(f"database {args.database}: {accounts:,} accounts, {items:,} open items, {check.entries:,} entries")
    print(
        f"load {load_seconds:.1f} s; aging (cached) first {cached_first:.2f} s, warm {cached_warm:.2f} s = "
        f"{cached_warm / baseline:.1f}x one plain scan of the open items; "
        f"from entries {ledger:.2f} s; verify {verify:.2f} s"
    )


if __name__ == "__main__":
    main()
