"""The stages of the daily run that work on ranges of account ids, one module per stage with its SQL:
`reage` (the cached oldest unpaid due date), `segment` (facts, segments and paths), `actions` (the
day's steps as planned actions), `screen` (the compliance gate, set-based) and `execute` (carrying
the actions out). Each takes the run's `strategies.context.RunContext` and a range low..high and
returns its counts; the coordinator (`strategies.run`) calls them, and they never import it.
"""

from __future__ import annotations

from typing import Any

from django.db import connection


def _execute_sql(sql: str, params: list[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)
