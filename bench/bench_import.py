"""Account placement import speed: a generated file imported end to end, with validation.

    python bench/bench_import.py --database postgresql --rows 1000000
    python bench/bench_import.py --database sqlite --rows 100000

Prints rows per second for the import (reading, validating, writing debtors, contact points, accounts,
open items, ledger transactions and entries, audit events, and the commit), the peak memory of the
process, and as a baseline measured in the same run, the time to read the same file with Python's
csv module and do nothing else (the floor any importer pays to see the rows).
"""

from __future__ import annotations

import argparse
import csv
import resource
import tempfile
import time
from pathlib import Path

from ledger_portfolio import NOW, fresh_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=20_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="recoup-import-bench-"))
    with fresh_database(args.database):
        from recoup.accounts.ledger_selectors import verify_ledger
        from recoup.demo.placement_file import write_placement_file
        from recoup.imports.accounts_import import import_accounts
        from recoup.imports.reading import FileSettings
        from recoup.parties.services import create_creditor

        creditor = create_creditor(
            code="bench",
            name="Bench Bank",
            industry="bank_card",
            collector_type="third_party",
            default_currency="USD",
            country="US",
            now=NOW,
            actor=None,
        )
        path = write_placement_file(folder / "placement.csv", args.rows, as_of=NOW.date())
        size = path.stat().st_size

        started = time.perf_counter()
        with path.open(newline="", encoding="utf-8") as handle:
            baseline_rows = sum(1 for _ in csv.reader(handle)) - 1
        baseline = time.perf_counter() - started
        assert baseline_rows == args.rows

        memory_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        outcome = import_accounts(
            path=path, creditor=creditor, settings=FileSettings(), now=NOW, actor=None, chunk_size=args.chunk
        )
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        assert outcome.created == args.rows, outcome.summary()

        started = time.perf_counter()
        again = import_accounts(
            path=path, creditor=creditor, settings=FileSettings(), now=NOW, actor=None, chunk_size=args.chunk
        )
        repeat = time.perf_counter() - started
        assert again.unchanged == args.rows, again.summary()
        check = verify_ledger()
        assert check.ok, check

    print(f"database: {args.database}; file: {args.rows:,} rows, {size / 1e6:.1f} MB; chunks of {args.chunk:,}")
    print(f"import:     {elapsed:.2f} s = {args.rows / elapsed:,.0f} rows/s")
    print(f"re-import:  {repeat:.2f} s = {args.rows / repeat:,.0f} rows/s (every row unchanged)")
    print(f"peak memory: {peak / 1024:,.0f} MB (before the import: {memory_before / 1024:,.0f} MB)")
    print(f"baseline: reading the file with csv alone {baseline:.2f} s; the import took {elapsed / baseline:.1f}x that")


if __name__ == "__main__":
    main()
