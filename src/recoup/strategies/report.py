"""The run report: counts per segment and path, actions by kind and state, and what was blocked or
deferred by rule, read from the run's tables (the run's last stage stores it on the run)."""

from __future__ import annotations

from typing import Any

from django.db import connection

from recoup.strategies.models import Run


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def build_report(run: Run) -> dict[str, Any]:
    """Counts per segment and path, actions by type and state, blocked by reason (plain data for JSON)."""
    segments = [
        {"segment": segment, "path": path, "currency": currency, "accounts": count, "balance_minor": int(balance or 0)}
        for segment, path, currency, count, balance in _rows(
            "SELECT segment, path, currency, COUNT(*), SUM(balance_minor) FROM strategies_account_fact "
            "WHERE run_date = %s GROUP BY segment, path, currency ORDER BY segment, path, currency",
            [run.run_date],
        )
    ]
    entered = {
        f"{segment}/{path}/{currency}": count
        for segment, path, currency, count in _rows(
            "SELECT segment, path, currency, COUNT(*) FROM strategies_assignment WHERE started_on = %s "
            "GROUP BY segment, path, currency ORDER BY segment, path, currency",
            [run.run_date],
        )
    }
    actions = [
        {"kind": kind, "state": state, "count": count}
        for kind, state, count in _rows(
            "SELECT kind, state, COUNT(*) FROM strategies_action WHERE run_id = %s GROUP BY kind, state "
            "ORDER BY kind, state",
            [run.pk],
        )
    ]
    blocked = [
        {"rule": rule, "state": state, "count": count}
        for rule, state, count in _rows(
            "SELECT rule, state, COUNT(*) FROM strategies_action "
            "WHERE run_id = %s AND state IN ('blocked', 'deferred') GROUP BY rule, state ORDER BY COUNT(*) DESC, rule",
            [run.pk],
        )
    ]
    return {
        "segments": segments,
        "entered": entered,
        "actions": actions,
        "blocked": blocked,
        "accounts_total": sum(row["accounts"] for row in segments),
        "actions_total": sum(row["count"] for row in actions),
    }
