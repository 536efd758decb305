"""The actions stage: the steps of each path that are due on the run's date (by day on the path, a
missed day caught up within CATCH_UP_DAYS, or on an event such as a broken arrangement) written as
planned actions, and how an action names its step."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from django.db import connection

from recoup.core.strategy import Strategy
from recoup.strategies.context import RunContext
from recoup.strategies.stages import _execute_sql

CATCH_UP_DAYS = 7  # a step missed because no run happened is done late for up to a week, then dropped


def _days_between(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"({later}::date - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def step_key(step: Any, as_of: date) -> str:
    """How an action names its step: "5:sms" for day 5, "arrangement_broken:call:2026-12-05" for an event
    (an event can come again on another date)."""
    if step.day is not None:
        return f"{step.day}:{step.action.value}"
    return f"{step.event}:{step.action.value}:{as_of.isoformat()}"


def event_rows(strategy: Strategy, as_of: date) -> list[tuple[str, str, str, str, int, str]]:
    """(path, step key, action, template, priority, status) for every event step (arrangement broken)."""
    return [
        (name, step_key(step, as_of), step.action.value, step.template, step.priority, step.status)
        for name, path in strategy.paths.items()
        for step in path.steps
        if step.event is not None
    ]


def step_rows(strategy: Strategy) -> list[tuple[str, str, int, str, str, int, str]]:
    """(path, step key, day, action, template, priority, status) for every day step of every path."""
    rows = []
    for name, path in strategy.paths.items():
        for step in path.steps:
            if step.day is None:
                continue
            rows.append(
                (
                    name,
                    step_key(step, date.min),
                    step.day,
                    step.action.value,
                    step.template,
                    step.priority,
                    step.status,
                )
            )
    return rows


def _actions(context: RunContext, low: int, high: int) -> dict[str, int]:
    rows = step_rows(context.strategy)
    if not rows:
        return {"planned": 0}
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    value_params = [value for row in rows for value in row]
    days = _days_between("%s", "s.started_on")
    due = (
        "SELECT s.id AS assignment_id, s.account_id, st.column2 AS step_key, st.column4 AS kind, "
        "st.column5 AS template, st.column6 AS priority, st.column7 AS status_to, "
        "ROW_NUMBER() OVER (PARTITION BY s.id ORDER BY st.column3 DESC) AS latest "
        f"FROM strategies_assignment s JOIN (SELECT * FROM (VALUES {values}) AS v) st ON st.column1 = s.path "
        f"WHERE s.ended_on IS NULL AND s.account_id >= %s AND s.account_id <= %s "
        f"AND st.column3 <= {days} AND st.column3 > {days} - %s "
        # An assignment that started today has no actions yet: only older ones are looked up. Besides
        # saving the lookups, this keeps PostgreSQL from planning the lookup as an anti-join that scans the
        # action table for every due step, which it chose on the first run (the table nearly empty when
        # planned, then filled by the statement itself and by other workers: minutes per range at 1M).
        "AND (s.started_on = %s OR NOT EXISTS (SELECT 1 FROM strategies_action x "
        "WHERE x.assignment_id = s.id AND x.step_key = st.column2))"
    )
    params = [*value_params, low, high, context.as_of, context.as_of, CATCH_UP_DAYS, context.as_of]
    inserted = _execute_sql(
        "INSERT INTO strategies_action (run_id, account_id, assignment_id, step_key, kind, template, priority, "
        "amount_minor, status_to, state, rule, reason, message_id, decided_at) "
        "SELECT %s, d.account_id, d.assignment_id, d.step_key, d.kind, d.template, d.priority, NULL, d.status_to, "
        "CASE WHEN d.latest = 1 THEN 'planned' ELSE 'skipped' END, '', "
        "CASE WHEN d.latest = 1 THEN '' ELSE 'a later step of the path is due now (no run on its day)' END, "
        f"NULL, NULL FROM ({due}) d",
        [context.run.pk, *params],
    )
    return {"planned": inserted + _event_actions(context, low, high)}


def _event_actions(context: RunContext, low: int, high: int) -> int:
    """Steps on an event: a promised payment or an instalment of the account was missed, as the monitor
    stage marked it on the run's date, for accounts whose path has such a step."""
    rows = event_rows(context.strategy, context.as_of)
    if not rows:
        return 0
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
    day_start = datetime.combine(context.as_of, clock_time(0), tzinfo=UTC)
    return _execute_sql(
        "INSERT INTO strategies_action (run_id, account_id, assignment_id, step_key, kind, template, priority, "
        "amount_minor, status_to, state, rule, reason, message_id, decided_at) "
        "SELECT %s, s.account_id, s.id, st.column2, st.column3, st.column4, st.column5, NULL, st.column6, "
        "'planned', '', '', NULL, NULL "
        f"FROM strategies_assignment s JOIN (SELECT * FROM (VALUES {values}) AS v) st ON st.column1 = s.path "
        "WHERE s.ended_on IS NULL AND s.account_id >= %s AND s.account_id <= %s "
        "AND EXISTS (SELECT 1 FROM arrangements_due d JOIN arrangements_arrangement r ON r.id = d.arrangement_id "
        "WHERE r.account_id = s.account_id AND d.status IN ('broken', 'partly_kept') "
        "AND d.updated_at >= %s AND d.updated_at < %s) "
        "AND NOT EXISTS (SELECT 1 FROM strategies_action x WHERE x.assignment_id = s.id AND x.step_key = st.column2)",
        [context.run.pk, *[v for row in rows for v in row], low, high, day_start, day_start + timedelta(days=1)],
    )
