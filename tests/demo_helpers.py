"""Helpers for demo-portfolio tests: the tables the generator writes, and emptying them between runs."""

from __future__ import annotations

from django.db import connection

from recoup.accounts.models import Account, AccountDebtor, LedgerEntry, LedgerTransaction, OpenItem, Payment
from recoup.arrangements.models import Arrangement, Due
from recoup.compliance.models import Hold
from recoup.demo.reference_data import DEMO_CREDITOR_CODES
from recoup.parties.models import ContactPoint, Creditor, Debtor

# Children first, so that DELETE on SQLite never trips a foreign key.
PORTFOLIO_MODELS = (
    Hold,
    Due,
    Arrangement,
    Payment,
    LedgerEntry,
    LedgerTransaction,
    OpenItem,
    AccountDebtor,
    Account,
    ContactPoint,
    Debtor,
)


def remove_portfolio() -> None:
    """Remove every generated row. The ledger is append-only (PostgreSQL refuses DELETE on it), so the
    tables are emptied with TRUNCATE there, which test data may do; on SQLite rows are deleted, children first."""
    tables = [model._meta.db_table for model in PORTFOLIO_MODELS]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The demo's rows were written in this transaction; their deferred foreign-key checks must run
            # before TRUNCATE may empty the tables.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE " + ", ".join(tables) + " CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608
    Creditor.objects.filter(code__in=DEMO_CREDITOR_CODES).delete()
