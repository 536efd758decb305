"""Shared test setup: browser tests are skipped plainly without Chromium (and fail in CI)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("RECOUP_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(
            "RECOUP_REQUIRE_BROWSER=1 but Chromium is missing at /usr/bin/chromium (apt-get install chromium)"
        )
    skip = pytest.mark.skip(reason="Chromium not found at /usr/bin/chromium: browser tests skipped")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not CHROMIUM.exists():
        terminalreporter.write_line(
            "NOTE: Chromium is not installed, so the browser tests were skipped "
            "(apt-get install chromium to run them).",
            yellow=True,
        )


AUDIT_TRUNCATE_TRIGGER = "audit_event_no_truncate"  # src/recoup/audit/migrations/0004_refuse_truncate.py


@pytest.fixture(autouse=True, scope="session")
def flush_lifts_the_audit_truncate_trigger() -> Iterator[None]:
    """Tests that commit (browser tests, `transaction=True`) are cleaned up by Django's flush, which on
    PostgreSQL is one TRUNCATE of every table, and the database refuses TRUNCATE on the audit log. The
    test database's flush lifts that trigger for its own statement, in its transaction, and puts it back."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self: Any, style: Any, tables: Any, **kwargs: Any) -> list[str]:
        sql: list[str] = original(self, style, tables, **kwargs)
        if not sql or "audit_event" not in tables:
            return sql
        return [
            f"ALTER TABLE audit_event DISABLE TRIGGER {AUDIT_TRUNCATE_TRIGGER};",
            *sql,
            f"ALTER TABLE audit_event ENABLE TRIGGER {AUDIT_TRUNCATE_TRIGGER};",
        ]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield
