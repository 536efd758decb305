"""Account placement import speed: a generated file imported end to end, with validation.

    python bench/bench_import.py --database postgresql --rows 1000000
    python bench/bench_import.py --database sqlite --rows 100000

Prints rows per second for the import (reading, validating, writing debtors, contact points, accounts,
open items, ledger transactions and entries, audit events, and the commit), the peak memory of the
process, and two baselines measured in the same run: the time to read the same file with Python's
csv module and do nothing else (the floor any importer pays to see the rows), and on PostgreSQL a
raw psycopg COPY of exactly the database rows the import wrote, into an identical database (same
schema, indexes, constraints and triggers, foreign keys checked at commit as Django declares them),
in one transaction: the floor any importer pays to store them.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path

from ledger_portfolio import NOW, PG_ADMIN, fresh_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=20_000)
    parser.add_argument("--no-copy-baseline", action="store_true", help="skip the raw COPY baseline (PostgreSQL)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="recoup-import-bench-"))
    copy_times: dict[str, tuple[float, dict[str, float]]] = {}
    copied_rows = 0
    with fresh_database(args.database):
        from django.db import connection, connections

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

        twins: list[str] = []
        if args.database == "postgresql" and not args.no_copy_baseline:
            before = _last_ids(connection)
            # Identical databases (schema and the creditor) to COPY the import's rows into, once with
            # the foreign keys checked at commit (as Django declares them), once per statement.
            name = connection.settings_dict["NAME"]
            twins = [f"{name}_copy_deferred", f"{name}_copy_immediate"]
            connections.close_all()
            for twin in twins:
                subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {twin} TEMPLATE {name}"], check=True)

        memory_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        outcome = import_accounts(
            path=path, creditor=creditor, settings=FileSettings(), now=NOW, actor=None, chunk_size=args.chunk
        )
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        assert outcome.created == args.rows, outcome.summary()

        if twins:
            try:
                dumped = _dump_new_rows(connection, before)
                copied_rows = sum(count for _, _, count in dumped)
                for twin in twins:
                    copy_times[twin.rsplit("_", 1)[1]] = _copy_into(twin, dumped, immediate=twin.endswith("immediate"))
            finally:
                for twin in twins:
                    subprocess.run(
                        ["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {twin} WITH (FORCE)"], check=False
                    )

        started = time.perf_counter()
        again = import_accounts(
            path=path, creditor=creditor, settings=FileSettings(), now=NOW, actor=None, chunk_size=args.chunk
        )
        repeat = time.perf_counter() - started
        assert again.unchanged == args.rows, again.summary()
        check = verify_ledger()
        assert check.ok, check

    print(f"database: {args.database}; file: {args.rows:,} rows, {size / 1e6:.1f} MB; chunks of {args.chunk:,}")
    print(f"load average (1, 5, 15 min): {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"import:     {elapsed:.2f} s = {args.rows / elapsed:,.0f} rows/s")
    print(f"re-import:  {repeat:.2f} s = {args.rows / repeat:,.0f} rows/s (every row unchanged)")
    print(f"peak memory: {peak / 1024:,.0f} MB (before the import: {memory_before / 1024:,.0f} MB)")
    print(f"baseline: reading the file with csv alone {baseline:.2f} s; the import took {elapsed / baseline:.1f}x that")
    for mode, (seconds, tables) in copy_times.items():
        keys = "at commit" if mode == "deferred" else "per statement"
        print(
            f"baseline: raw COPY of the {copied_rows:,} database rows the import wrote "
            f"({copied_rows / args.rows:.1f} per placement row), keys checked {keys}: {seconds:.2f} s = "
            f"{args.rows / seconds:,.0f} placement rows/s; the import ran at {seconds / elapsed:.0%} of its speed"
        )
        print("    " + ", ".join(f"{table} {t:.2f} s" for table, t in sorted(tables.items(), key=lambda kv: -kv[1])))


def _last_ids(connection) -> dict[str, tuple[str, int]]:  # type: ignore[no-untyped-def]
    """Each table keyed by one integer column (its primary key), with that key's highest value."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indrelid::regclass::text, a.attname FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indrelid AND c.relnamespace = 'public'::regnamespace "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
            "WHERE i.indisprimary AND i.indnatts = 1 AND a.atttypid IN ('int4'::regtype, 'int8'::regtype) "
            "ORDER BY 1"
        )
        keys = [(table.strip('"'), column) for table, column in cursor.fetchall()]
        last = {}
        for table, column in keys:
            cursor.execute(f'SELECT COALESCE(MAX("{column}"), 0) FROM "{table}"')  # noqa: S608
            last[table] = (column, int(cursor.fetchone()[0]))
    return last


def _dump_new_rows(connection, before: dict[str, tuple[str, int]]) -> list[tuple[str, bytes, int]]:  # type: ignore[no-untyped-def]
    """Every row the import added, per table, in COPY's text format."""
    dumped = []
    with connection.cursor() as cursor:
        for table, (key, last) in before.items():
            cursor.execute(f'SELECT COUNT(*) FROM "{table}" WHERE "{key}" > %s', [last])  # noqa: S608
            count = int(cursor.fetchone()[0])
            if not count:
                continue
            data = bytearray()
            with cursor.cursor.copy(
                f'COPY (SELECT * FROM "{table}" WHERE "{key}" > {last} ORDER BY "{key}") TO STDOUT'  # noqa: S608
            ) as copy:
                for block in copy:
                    data += block
            dumped.append((table, bytes(data), count))
        # Referenced tables first, so the keys can also be checked statement by statement.
        cursor.execute(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND connamespace = 'public'::regnamespace"
        )
        needs: dict[str, set[str]] = {}
        for table, referenced in cursor.fetchall():
            needs.setdefault(table.strip('"'), set()).add(referenced.strip('"'))
    ordered: list[tuple[str, bytes, int]] = []
    pending = list(dumped)
    while pending:
        names = {table for table, _, _ in pending}
        ready = [d for d in pending if not (needs.get(d[0], set()) - {d[0]}) & names]
        ordered += ready
        pending = [d for d in pending if d not in ready]
    return ordered


def _copy_into(
    database: str, dumped: list[tuple[str, bytes, int]], *, immediate: bool
) -> tuple[float, dict[str, float]]:
    """Seconds to COPY the dumped rows into `database` in one transaction, commit included (and per table)."""
    import psycopg

    tables: dict[str, float] = {}
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}") as raw:
        started = time.perf_counter()
        with raw.transaction(), raw.cursor() as cursor:
            if immediate:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, data, _ in dumped:
                table_started = time.perf_counter()
                with cursor.copy(f'COPY "{table}" FROM STDIN') as copy:
                    for start in range(0, len(data), 1 << 20):
                        copy.write(data[start : start + (1 << 20)])
                tables[table] = time.perf_counter() - table_started
            commit_started = time.perf_counter()
        tables["(commit)"] = time.perf_counter() - commit_started
        return time.perf_counter() - started, tables


if __name__ == "__main__":
    main()
