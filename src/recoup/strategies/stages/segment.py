"""The segment stage: each account's facts, segment and path for the run's date (the strategy compiled
to SQL by `strategies.compiler`), and the assignments that end or start where the path changed."""

from __future__ import annotations

from recoup.strategies.compiler import facts_sql
from recoup.strategies.context import RunContext
from recoup.strategies.stages import _execute_sql


def _segment(context: RunContext, low: int, high: int) -> dict[str, int]:
    _execute_sql("DELETE FROM strategies_account_fact WHERE account_id >= %s AND account_id <= %s", [low, high])
    placed = 0
    for index, compiled in enumerate(
        facts_sql(
            context.strategy,
            as_of=context.as_of,
            now=context.now,
            low=low,
            high=high,
            creditor_ids=context.creditor_ids,
            currencies=context.currencies,
        )
    ):
        count = _execute_sql(compiled.sql, compiled.params)
        placed = count if index == 0 else placed
    ended = _execute_sql(
        "UPDATE strategies_assignment SET ended_on = %s WHERE ended_on IS NULL "
        "AND account_id >= %s AND account_id <= %s AND NOT EXISTS (SELECT 1 FROM strategies_account_fact f "
        "WHERE f.account_id = strategies_assignment.account_id AND f.segment = strategies_assignment.segment "
        "AND f.path = strategies_assignment.path)",
        [context.as_of, low, high],
    )
    entered = _execute_sql(
        "INSERT INTO strategies_assignment (account_id, segment, path, slot, started_on, ended_on, version_id, "
        "currency, balance_minor) SELECT f.account_id, f.segment, f.path, f.slot, %s, NULL, %s, f.currency, "
        "f.balance_minor FROM strategies_account_fact f WHERE f.account_id >= %s AND f.account_id <= %s "
        # The partial unique index of open assignments decides, not a join: a NOT EXISTS here was planned
        # as a nested loop on a freshly emptied table (quadratic on the first range at 1M accounts).
        "ON CONFLICT (account_id) WHERE ended_on IS NULL DO NOTHING",
        [context.as_of, context.run.version_id, low, high],
    )
    return {"accounts": placed, "left_path": ended, "entered_path": entered}
