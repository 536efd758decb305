"""A payments import and a bank-statement import killed with SIGKILL half-way leave the database exactly
as it was, row for row; running them again gives exactly what a clean import of the same file gives
into the same starting database. Real subprocesses, a real database of their own."""

from __future__ import annotations

import csv
import random
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from crash_helpers import align_sequences, clean_copy, database, differences, dump, kill_when, recoup, recoup_env

from recoup.demo.placement_file import write_placement_file

__all__ = ["database"]  # the fixture: a database of the test's own

ACCOUNTS = 1_000
PAYMENTS = 25_000  # the importer reads 20,000 rows at a time: killed once the first 20,000 are posted
LINES = 6_000  # a statement is posted 1,000 lines at a time: killed once the first 1,000 are


def placed_portfolio(env: dict[str, str], tmp_path: Path) -> list[str]:
    """The demo creditors and ACCOUNTS placed accounts owing money; their references."""
    recoup(env, "migrate")
    recoup(env, "demo-data", "--accounts", "50")
    placement = write_placement_file(tmp_path / "placement.csv", ACCOUNTS, as_of=datetime.now(UTC).date())
    recoup(env, "import", "accounts", str(placement), "--creditor", "demo-us-card")
    return [f"PL-{n:08d}" for n in range(1, ACCOUNTS + 1)]


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            return list(connection.execute(sql).fetchall())
    with psycopg.connect(url) as connection:
        return [tuple(row) for row in connection.execute(sql).fetchall()]  # type: ignore[arg-type]


def write_payments(path: Path, references: list[str], today: date) -> list[tuple[str, int, str, str]]:
    """PAYMENTS small payments to the accounts; what each row says (reference, minor units, day, payment ref)."""
    rng = random.Random(7)
    rows = []
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account_reference", "creditor", "amount", "received_date", "method", "payment_reference"])
        for n in range(1, PAYMENTS + 1):
            reference, minor = rng.choice(references), rng.randint(50, 900)
            day = (today - timedelta(days=rng.randint(1, 60))).isoformat()
            method = rng.choice(["card", "cheque", "bank_transfer", "direct_debit"])
            writer.writerow([reference, "demo-us-card", f"{minor / 100:.2f}", day, method, f"CRASH-PMT-{n:06d}"])
            rows.append((reference, minor, day, f"CRASH-PMT-{n:06d}"))
    return rows


def write_statement(path: Path, references: list[str], today: date) -> None:
    """LINES bank lines: most name an account's reference, every 10th names no account, every 25th is money out."""
    rng = random.Random(11)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["booked_on", "amount", "currency", "counterparty", "reference", "bank_reference", "account"])
        for n in range(1, LINES + 1):
            day = (today - timedelta(days=rng.randint(1, 20))).isoformat()
            minor = rng.randint(100, 5_000)
            if n % 25 == 0:
                row = [day, f"-{minor / 100:.2f}", "USD", "LAKESHORE NATIONAL BANK", "fee", f"CRASH-B-{n:06d}"]
            elif n % 10 == 0:
                row = [day, f"{minor / 100:.2f}", "USD", f"PAYER {n}", "thank you", f"CRASH-B-{n:06d}"]
            else:
                ref = rng.choice(references)
                row = [day, f"{minor / 100:.2f}", "USD", "A PAYER", f"ACCT {ref} MONTHLY", f"CRASH-B-{n:06d}"]
            writer.writerow([*row, "US-CLIENT-4471"])


def test_a_killed_payments_import_leaves_nothing_and_a_rerun_equals_a_clean_import(
    database: str, tmp_path: Path
) -> None:
    env = recoup_env(database, tmp_path)
    references = placed_portfolio(env, tmp_path)
    today = datetime.now(UTC).date()
    payments = write_payments(tmp_path / "payments.csv", references, today)
    clean = clean_copy(database)
    before = dump(database)
    started = datetime.now(UTC)

    kill_when(env, ["import", "payments", str(tmp_path / "payments.csv")], "20,000 rows read")
    assert differences(before, dump(database)) == {}  # every table, row for row, as before
    align_sequences(database, clean)  # where the killed run left the id counters (PostgreSQL)

    rerun = recoup(env, "import", "payments", str(tmp_path / "payments.csv"))
    assert f"Imported {PAYMENTS:,} rows of payments: {PAYMENTS:,} created" in rerun.stdout
    posted = query(
        database,
        "SELECT a.reference, p.amount_minor, p.received_at, p.external_reference FROM accounts_payment p "
        "JOIN accounts_account a ON a.id = p.account_id WHERE p.external_reference LIKE 'CRASH-PMT-%'",
    )
    assert sorted((ref, minor, str(day)[:10], key) for ref, minor, day, key in posted) == sorted(payments)

    (tmp_path / "clean").mkdir()
    recoup(recoup_env(clean, tmp_path / "clean"), "import", "payments", str(tmp_path / "payments.csv"))
    assert differences(dump(database, run_since=started), dump(clean, run_since=started)) == {}
    verify = recoup(env, "ledger", "verify")
    assert "Ledger OK" in verify.stdout


def test_a_killed_bank_statement_import_leaves_nothing_and_a_rerun_equals_a_clean_import(
    database: str, tmp_path: Path
) -> None:
    env = recoup_env(database, tmp_path)
    references = placed_portfolio(env, tmp_path)
    statement = tmp_path / "statement.csv"
    write_statement(statement, references, datetime.now(UTC).date())
    clean = clean_copy(database)
    before = dump(database)
    started = datetime.now(UTC)

    kill_when(env, ["import", "bank-statement", str(statement)], f"1,000 of {LINES:,} lines processed")
    assert differences(before, dump(database)) == {}  # every table, row for row, as before
    align_sequences(database, clean)  # where the killed run left the id counters (PostgreSQL)

    rerun = recoup(env, "import", "bank-statement", str(statement))
    debits, unnamed = LINES // 25, LINES // 10 - LINES // 50
    assert f"Read {LINES:,} lines of csv statement" in rerun.stdout
    assert f"{LINES - debits - unnamed:,} payments posted, {unnamed:,} waiting to be matched" in rerun.stdout
    assert f"{debits:,} money out, 0 already imported" in rerun.stdout

    (tmp_path / "clean").mkdir()
    recoup(recoup_env(clean, tmp_path / "clean"), "import", "bank-statement", str(statement))
    assert differences(dump(database, run_since=started), dump(clean, run_since=started)) == {}
    again = recoup(env, "import", "bank-statement", str(statement))
    assert f"0 payments posted, 0 waiting to be matched, 0 money out, {LINES:,} already imported" in again.stdout
    verify = recoup(env, "ledger", "verify")
    assert "Ledger OK" in verify.stdout
