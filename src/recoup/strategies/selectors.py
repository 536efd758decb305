"""Reads for strategies: the champion/challenger comparison of a segment's paths."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection

from recoup.core.experiment import AssignmentOutcome, PathComparison, compare_paths
from recoup.core.strategy import Strategy

# What one action costs, in minor units of the account's currency: a published-rate email, a text, a
# printed and posted letter, and an officer's call (about four minutes of a loaded hourly cost). The
# comparison reads "cost per unit collected" from these; a firm with other costs changes them here.
ACTION_COST_MINOR = {"email": 1, "sms": 4, "letter": 95, "call": 180, "legal_review": 2500}
COUNTED_STATES = ("done", "queued", "deferred")


@dataclass(frozen=True)
class Experiment:
    """One segment's champion/challenger test: its paths with their shares, and the results by currency."""

    segment: str
    label: str
    shares: tuple[tuple[str, int], ...]
    since: date | None
    results: dict[str, list[PathComparison]]  # by currency


def _outcome_rows(segment: str, since: date | None) -> list[tuple[Any, ...]]:
    """One row per assignment in the segment: path, currency, balance at entry, collected since, promises
    made and kept since, and the cost of its actions. Each figure is one grouped subquery joined on the
    assignment, not a query per account."""
    costs = " ".join(f"WHEN '{kind}' THEN {minor}" for kind, minor in ACTION_COST_MINOR.items())
    states = ", ".join(f"'{state}'" for state in COUNTED_STATES)
    until_end = "(s.ended_on IS NULL OR {column} < s.ended_on)"
    sql = (
        "SELECT s.path, s.currency, s.balance_minor, "
        "COALESCE((SELECT SUM(p.amount_minor) FROM accounts_payment p WHERE p.account_id = s.account_id "
        "AND p.reversal_id IS NULL AND p.received_at >= s.started_on "
        f"AND {until_end.format(column='p.received_at')}), 0), "
        "(SELECT COUNT(*) FROM arrangements_arrangement r WHERE r.account_id = s.account_id AND r.kind = 'promise' "
        f"AND r.created_at >= s.started_on AND {until_end.format(column='r.created_at')}), "
        "(SELECT COUNT(*) FROM arrangements_arrangement r WHERE r.account_id = s.account_id AND r.kind = 'promise' "
        f"AND r.state = 'completed' AND r.created_at >= s.started_on AND {until_end.format(column='r.created_at')}), "
        f"COALESCE((SELECT SUM(CASE a.kind {costs} ELSE 0 END) FROM strategies_action a "
        f"WHERE a.assignment_id = s.id AND a.state IN ({states})), 0) "
        "FROM strategies_assignment s WHERE s.segment = %s"
    )
    params: list[Any] = [segment]
    if since is not None:
        sql += " AND s.started_on >= %s"
        params.append(since)
    with connection.cursor() as cursor:
        cursor.execute(sql + " ORDER BY s.id", params)
        return list(cursor.fetchall())


def experiments(strategy: Strategy, *, since: date | None = None) -> list[Experiment]:
    """Every segment of the strategy that splits its accounts between two or more paths, compared."""
    found = []
    for segment in strategy.segments:
        if len(segment.paths) < 2:
            continue
        by_currency: dict[str, list[AssignmentOutcome]] = {}
        for path, currency, balance, collected, promises, kept, cost in _outcome_rows(segment.name, since):
            by_currency.setdefault(currency, []).append(
                AssignmentOutcome(path, int(balance), int(collected), int(promises), int(kept), int(cost))
            )
        names = [name for name, _ in segment.paths]
        results = {
            currency: compare_paths(outcomes=rows, currency=currency, champion=names[0], paths=names)
            for currency, rows in sorted(by_currency.items())
        }
        found.append(Experiment(segment.name, segment.label, segment.paths, since, results))
    return found
