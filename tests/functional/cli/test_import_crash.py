"""A placement import killed with SIGKILL half-way leaves the database as it was; running it again
gives exactly what a clean import gives. Real subprocesses, a real database of their own."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from recoup.demo.placement_file import write_placement_file

RECOUP = str(Path(sys.executable).with_name("recoup"))
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


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    """A database of the test's own: PostgreSQL when the suite runs on it, else a SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'crash.sqlite3'}"
        return
    admin = url.rsplit("/", 1)[0] + "/postgres"
    name = f"recoup_crash_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


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
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "RECOUP_", "DJANGO_"))}
    env = {**clean, "DATABASE_URL": database, "RECOUP_DATA_DIR": str(tmp_path)}
    for args in (["migrate"], ["demo-data", "--accounts", "50"]):
        subprocess.run([RECOUP, *args], env=env, check=True, capture_output=True, text=True)
    placement = write_placement_file(tmp_path / "placement.csv", ROWS, as_of=datetime.now(UTC).date())
    before = snapshot(database)

    process = subprocess.Popen(
        [RECOUP, "import", "accounts", str(placement), "--creditor", "demo-us-card"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if "20,000 rows read" in line:  # the first chunk has been written inside the transaction
            os.kill(process.pid, signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert snapshot(database) == before

    rerun = subprocess.run(
        [RECOUP, "import", "accounts", str(placement), "--creditor", "demo-us-card"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert rerun.returncode == 0, rerun.stderr
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
    verify = subprocess.run([RECOUP, "ledger", "verify"], env=env, capture_output=True, text=True, check=False)
    assert verify.returncode == 0, verify.stdout + verify.stderr
