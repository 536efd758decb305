"""The re-age stage: each account's cached oldest unpaid due date corrected from its open items."""

from __future__ import annotations

from django.db import connection

from recoup.strategies.stages import _execute_sql


def _reage(low: int, high: int) -> dict[str, int]:
    """Correct the cached oldest-unpaid due date (which days past due and buckets come from) wherever
    it disagrees with the open items: the run's safety net for any write that did not refresh it."""
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    changed = _execute_sql(
        "UPDATE accounts_account SET oldest_unpaid_due_date = m.due FROM ("
        "SELECT a.id AS id, (SELECT MIN(i.due_date) FROM accounts_open_item i "
        "WHERE i.account_id = a.id AND i.balance_minor > 0) AS due FROM accounts_account a "
        "WHERE a.id >= %s AND a.id <= %s) m "
        f"WHERE accounts_account.id = m.id AND accounts_account.id >= %s AND accounts_account.id <= %s "
        f"AND accounts_account.oldest_unpaid_due_date {distinct} m.due",
        [low, high, low, high],
    )
    return {"corrected": changed}
