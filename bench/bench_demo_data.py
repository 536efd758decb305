"""Benchmark of the demo portfolio generator on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_demo_data.py --accounts 100000
    .venv/bin/python bench/bench_demo_data.py --accounts 1000000 --database postgresql --baseline 0 --checks

Each measured run gets a fresh, migrated database (SQLite: a temporary file; PostgreSQL: a uniquely
named database on --postgres-url, dropped afterwards), with the demo staff created first so the
accounts are assigned to officers as in `recoup demo-data`. Only `generate_portfolio` is timed.
A baseline run (10,000 accounts by default) shows how the time scales. With --digest, each run also
prints a hash of the generated rows (the ledger included), which must be equal across databases for
the same seed. With --checks, each run then also times the ledger check (`verify_ledger`, what
`recoup ledger verify` runs) and the aging report as of the business date (`aging_report`, from the
cached balances as `recoup aging` reads them for today).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
AS_OF = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=100_000, help="accounts in the measured run")
    parser.add_argument("--baseline", type=int, default=10_000, help="accounts in the baseline run (0: none)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="server to create databases on")
    parser.add_argument("--digest", action="store_true", help="print a hash of the rows of each run")
    parser.add_argument("--checks", action="store_true", help="also time the ledger check and the aging report")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(
            database_url=args.child, accounts=args.accounts, seed=args.seed, digest=args.digest, checks=args.checks
        )
        return

    vendors = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    sizes = [size for size in (args.baseline, args.accounts) if size > 0]
    print(f"Demo data generator benchmark, {date.today().isoformat()}")  # noqa: DTZ011
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        f"{'database':<11} {'accounts':>10} {'rows':>11} {'ledger rows':>11} {'seconds':>8} "
        f"{'accounts/s':>11} {'rows/s':>10}" + ("  verify s  aging s" if args.checks else "")
    )
    for vendor in vendors:
        for size in sizes:
            result = run_in_fresh_database(
                vendor=vendor,
                accounts=size,
                seed=args.seed,
                postgres_url=args.postgres_url,
                digest=args.digest,
                checks=args.checks,
            )
            seconds = result["seconds"]
            print(
                f"{vendor:<11} {size:>10,} {result['rows']:>11,} {result['ledger_rows']:>11,} {seconds:>8.2f} "
                f"{size / seconds:>11,.0f} {result['rows'] / seconds:>10,.0f}"
                + (f"  {result['verify_seconds']:>8.2f} {result['aging_seconds']:>8.2f}" if args.checks else "")
                + (f"  digest {result['digest'][:16]}" if args.digest else "")
            )


def run_in_fresh_database(
    *, vendor: str, accounts: int, seed: int, postgres_url: str, digest: bool, checks: bool
) -> dict[str, Any]:
    """Create a database, run the measured generation in a child process, drop the database."""
    with tempfile.TemporaryDirectory(prefix="recoup-bench-") as data_dir:
        if vendor == "sqlite":
            url = f"sqlite:///{Path(data_dir) / 'bench.sqlite3'}"
            return run_child_process(
                url=url, data_dir=data_dir, accounts=accounts, seed=seed, digest=digest, checks=checks
            )
        import psycopg
        from psycopg import sql

        name = f"recoup_bench_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            url = postgres_url.rsplit("/", 1)[0] + "/" + name
            return run_child_process(
                url=url, data_dir=data_dir, accounts=accounts, seed=seed, digest=digest, checks=checks
            )
        finally:
            with psycopg.connect(postgres_url, autocommit=True) as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def run_child_process(
    *, url: str, data_dir: str, accounts: int, seed: int, digest: bool, checks: bool
) -> dict[str, Any]:
    environment = {**os.environ, "DATABASE_URL": url, "RECOUP_DATA_DIR": data_dir}
    command = [sys.executable, __file__, "--child", url, "--accounts", str(accounts), "--seed", str(seed)]
    if digest:
        command.append("--digest")
    if checks:
        command.append("--checks")
    completed = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"the benchmark run on {url} failed")
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def run_child(*, database_url: str, accounts: int, seed: int, digest: bool, checks: bool) -> None:
    """In a fresh process pointed at a fresh database: migrate, create staff, time the generator."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recoup.project.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from recoup.demo.generator import generate_portfolio
    from recoup.demo.users import create_demo_users

    call_command("migrate", interactive=False, verbosity=0)
    # Staff passwords are not what is measured; a cheap hasher keeps the set-up short.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    create_demo_users(now=NOW)
    started = time.perf_counter()
    summary = generate_portfolio(accounts=accounts, seed=seed, as_of=AS_OF, now=NOW)
    seconds = time.perf_counter() - started
    result: dict[str, Any] = {
        "accounts": summary.accounts,
        "rows": summary.rows,
        "ledger_rows": summary.ledger_rows,
        "debtors": summary.debtors,
        "contact_points": summary.contact_points,
        "account_debtors": summary.account_debtors,
        "seconds": seconds,
    }
    if checks:
        from recoup.accounts.ledger_selectors import aging_report, verify_ledger

        started = time.perf_counter()
        check = verify_ledger()
        result["verify_seconds"] = time.perf_counter() - started
        if not check.ok:
            raise SystemExit(f"the ledger check failed: {check}")
        started = time.perf_counter()
        aging_report(as_of=AS_OF, today=AS_OF)
        result["aging_seconds"] = time.perf_counter() - started
    if digest:
        result["digest"] = rows_digest()
    print(json.dumps(result))


def rows_digest() -> str:
    """A hash of every generated row as Django reads it back, ids included."""
    import hashlib

    from recoup.accounts.models import Account, AccountDebtor, LedgerEntry, LedgerTransaction, OpenItem, Payment
    from recoup.parties.models import ContactPoint, Debtor

    digest = hashlib.sha256()
    for model in (Debtor, ContactPoint, Account, AccountDebtor, OpenItem, LedgerTransaction, LedgerEntry, Payment):
        fields = [field.attname for field in model._meta.concrete_fields]
        for row in model.objects.order_by("pk").values_list(*fields).iterator(chunk_size=20_000):
            digest.update(repr(row).encode())
    return digest.hexdigest()


if __name__ == "__main__":
    main()
