"""Shared set-up for the ledger benchmarks: a throw-away database and a portfolio that owes money.

Not a test and not timed by pytest: the benchmark scripts import this, print figures, and drop the
database they made.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextlib.contextmanager
def fresh_database(vendor: str) -> Iterator[str]:
    """Point DATABASE_URL at a new empty database, set Django up, migrate; drop it afterwards."""
    data_dir = tempfile.mkdtemp(prefix="recoup-bench-")
    os.environ["RECOUP_DATA_DIR"] = data_dir
    name = f"recoup_ledgerbench_{uuid.uuid4().hex[:10]}"
    if vendor == "postgresql":
        subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {name}"], check=True)
        os.environ["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{name}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(data_dir) / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recoup.project.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        yield vendor
    finally:
        from django.db import connections

        connections.close_all()
        if vendor == "postgresql":
            subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)


NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def make_portfolio(*, accounts: int, items_per_account: int, seed: int = 7) -> list[int]:
    """Create one creditor and `accounts` accounts owing `items_per_account` items each, set-based."""
    from django.db import transaction

    from recoup.accounts.models import Account
    from recoup.core.ledger import Component
    from recoup.parties.models import Creditor
    from recoup.platform.bulk import allocate_ids, bulk_insert, foreign_keys_checked_after_load

    rng = np.random.default_rng(seed)
    creditor = Creditor.objects.create(
        code=f"bench-{seed}",
        name="Benchmark Bank",
        industry="bank_card",
        collector_type="first_party",
        default_currency="USD",
        country="US",
        jurisdiction="US-NY",
        created_at=NOW,
    )
    with transaction.atomic():
        ids = allocate_ids(Account, accounts)
        bulk_insert(
            "accounts_account",
            [
                "id",
                "creditor_id",
                "reference",
                "original_creditor",
                "product_type",
                "currency",
                "opened_date",
                "status",
                "status_changed_at",
                "placed_at",
            ],
            (
                (pk, creditor.pk, f"B-{pk:09d}", "", "credit_card", "USD", date(2022, 1, 1), "active", NOW, NOW)
                for pk in ids
            ),
        )
    components = [Component.PRINCIPAL, Component.INTEREST, Component.FEES, Component.COSTS]
    started = time.perf_counter()
    chunk = 100_000
    with transaction.atomic(), foreign_keys_checked_after_load(LEDGER_TABLES):
        _load(ids, rng, components, chunk, accounts, items_per_account)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh tables have no planner statistics yet
    print(
        f"  portfolio: {accounts:,} accounts, {accounts * items_per_account:,} items "
        f"in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return ids


LEDGER_TABLES = ["accounts_open_item", "accounts_transaction", "accounts_entry", "audit_event"]


def _load(ids, rng, components, chunk, accounts, items_per_account):  # type: ignore[no-untyped-def]
    from recoup.accounts.services import NewItem, load_open_items

    for start in range(0, accounts, chunk):
        part = ids[start : start + chunk]
        amounts = rng.lognormal(mean=11.0, sigma=1.0, size=(len(part), items_per_account)).astype(np.int64) + 100
        ages = rng.integers(0, 720, size=(len(part), items_per_account))
        items = [
            NewItem(
                account_id=pk,
                component=components[j % 4],
                amount_minor=int(amounts[i, j]),
                due_date=NOW.date() - timedelta(days=int(ages[i, j])),
                effective_date=NOW.date() - timedelta(days=int(ages[i, j])),
            )
            for i, pk in enumerate(part)
            for j in range(items_per_account)
        ]
        load_open_items(items=items, now=NOW, actor=None, memo="benchmark placement")
        print(f"  loaded {min(start + chunk, accounts):,} accounts", file=sys.stderr)
