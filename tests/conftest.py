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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After every test that touched the database, the audit events it wrote must each be registered in
    `recoup.audit.events` under their current name, with values of their declared type: whatever path
    wrote them (a service, a bulk COPY, the admin). A test that writes a stray event fails here."""
    result = yield
    if item.get_closest_marker("django_db") is None and not {"db", "transactional_db"} & set(
        getattr(item, "fixturenames", ())
    ):
        return result
    from django.db import DatabaseError

    from recoup.audit.events import BadEvent, Event, check_values, event_for
    from recoup.audit.models import AuditEvent

    current = {event.text for event in Event}
    try:
        names = set(AuditEvent.objects.values_list("name", flat=True).distinct())
        rows = list(AuditEvent.objects.order_by("-id").values_list("name", "subject_type", "before", "after")[:3000])
    except DatabaseError:  # the test took the database away (a health check's outage): nothing to read
        return result
    stray = sorted(names - current)
    if stray:
        raise BadEvent(f"audit events written under names that are not registered: {stray}")
    for name, subject_type, before, after in rows:
        event = event_for(name)
        assert event is not None
        if event.spec.subject not in (None, subject_type):
            raise BadEvent(f"{name}: written about a {subject_type}, declared about a {event.spec.subject}")
        check_values(event, "before", before)
        check_values(event, "after", after)
    return result
