"""A placement import killed with SIGKILL half-way leaves the database as it was; running it again
gives exactly what a clean import gives. Real subprocesses, a real database of their own."""

from __future__ import annotations

import csv
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from crash_helpers import align_sequences, clean_copy, database, differences, dump, kill_when, recoup, recoup_env

from recoup.demo.placement_file import write_placement_file

__all__ = ["database"]  # the fixture (a database of the test's own); test_delivery_crash.py takes it from here

TABLES = [
    "parties_debtor",
    "parties_contact_point",
    "accounts_account",
    "accounts_account_debtor",
    "accounts_open_item",
    "accounts_transaction",
    "accounts_entry",
    "audit_event",
    "imports_job",
    "imports_placement",
]
ROWS = 25_000  # the importer works in chunks of 20,000 rows: killed after the first chunk is written


def snapshot(url: str) -> dict[str, int]:
    """Row counts of everything an import writes, and the total owed."""
    queries = [f"SELECT COUNT(*) FROM {table}" for table in TABLES]  # noqa: S608
    queries.append(
        "SELECT COALESCE(SUM(principal_minor + interest_minor + fees_minor + costs_minor), 0) FROM accounts_account"
    )
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            values = [connection.execute(q).fetchone()[0] for q in queries]
    else:
        with psycopg.connect(url) as connection:
            values = [connection.execute(q).fetchone()[0] for q in queries]  # type: ignore[index]
    return dict(zip([*TABLES, "owed_minor"], [int(v) for v in values], strict=True))


def test_a_killed_import_leaves_nothing_and_a_rerun_equals_a_clean_import(database: str, tmp_path: Path) -> None:
    env = recoup_env(database, tmp_path)
    recoup(env, "migrate")
    recoup(env, "demo-data", "--accounts", "50")
    placement = write_placement_file(tmp_path / "placement.csv", ROWS, as_of=datetime.now(UTC).date())
    clean = clean_copy(database)
    before = snapshot(database)
    rows_before = dump(database)
    started = datetime.now(UTC)

    # "20,000 rows read": the first chunk has been written inside the transaction
    kill_when(env, ["import", "accounts", str(placement), "--creditor", "demo-us-card"], "20,000 rows read")
    assert differences(rows_before, dump(database)) == {}  # every table, row for row, as before
    align_sequences(database, clean)  # where the killed run left the id counters (PostgreSQL)

    rerun = recoup(env, "import", "accounts", str(placement), "--creditor", "demo-us-card")
    assert f"Imported {ROWS:,} rows of accounts: {ROWS:,} created" in rerun.stdout

    with placement.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    items = sum(1 for r in rows for c in ("principal", "interest", "fees") if float(r[c]) > 0)
    contacts = sum(1 for r in rows if r["phone"]) + sum(1 for r in rows if r["email"])
    owed = sum(round(float(r[c]) * 100) for r in rows for c in ("principal", "interest", "fees"))
    expected = {
        "parties_debtor": ROWS,
        "parties_contact_point": contacts,
        "accounts_account": ROWS,
        "accounts_account_debtor": ROWS,
        "accounts_open_item": items,
        "accounts_transaction": items,
        "accounts_entry": 2 * items,
        "audit_event": 2 * ROWS,  # placed, and its balance loaded
        "imports_job": 1,  # the killed run left no trace, not even its job
        "imports_placement": ROWS,
        "owed_minor": owed,
    }
    after = snapshot(database)
    assert {name: after[name] - before[name] for name in after} == expected
    assert "Ledger OK" in recoup(env, "ledger", "verify").stdout

    # Row for row what the same import gives into the same starting database, never killed.
    (tmp_path / "clean").mkdir()
    recoup(recoup_env(clean, tmp_path / "clean"), "import", "accounts", str(placement), "--creditor", "demo-us-card")
    assert differences(dump(database, run_since=started), dump(clean, run_since=started)) == {}
