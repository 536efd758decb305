"""A strategy compiled to SQL: one INSERT ... SELECT that reads every workable account in a range of
ids, works out its facts (days past due, balance, debtor's country and state, arrangement, holds, last
call outcome), places it in the first segment it meets and picks its path by the stable hash.

Only the facts the strategy's conditions use are joined, so a strategy on days past due and balance
reads one table. The SQL agrees with `recoup.core.strategy.segment_for` and `path_for`; a test checks
that on random portfolios.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection

from recoup.core.contact_rules import OPEN_STATUSES, held_sql, hold_in_force_sql
from recoup.core.money import minor_units
from recoup.core.strategy import HASH_MULTIPLIER, HASH_SPACE, Conditions, Strategy, segment_salt


@dataclass(frozen=True)
class CompiledSql:
    sql: str
    params: list[Any]


def _in(column: str, values: Sequence[Any], params: list[Any]) -> str:
    params.extend(values)
    return f"{column} IN ({', '.join(['%s'] * len(values))})"


def _balance_test(op: str, amount: Decimal, currencies: Sequence[str], params: list[Any]) -> str:
    """balance >= amount (or <=) in the account's own currency's minor units."""
    by_exponent: dict[int, list[str]] = {}
    for currency in currencies:
        by_exponent.setdefault(minor_units(currency), []).append(currency)
    if len(by_exponent) <= 1:
        exponent = next(iter(by_exponent), 2)
        params.append(int((amount * 10**exponent).to_integral_value()))
        return f"f.bal {op} %s"
    whens = []
    for exponent, group in sorted(by_exponent.items()):
        whens.append(f"WHEN {_in('f.currency', group, params)} THEN %s")
        params.append(int((amount * 10**exponent).to_integral_value()))
    return f"f.bal {op} CASE {' '.join(whens)} END"


def _condition_sql(when: Conditions, creditor_ids: dict[str, int], currencies: Sequence[str], params: list[Any]) -> str:
    parts: list[str] = []
    if when.dpd_min is not None:
        parts.append("f.dpd >= %s")
        params.append(when.dpd_min)
    if when.dpd_max is not None:
        parts.append("f.dpd <= %s")
        params.append(when.dpd_max)
    if when.balance_min is not None:
        parts.append(_balance_test(">=", when.balance_min, currencies, params))
    if when.balance_max is not None:
        parts.append(_balance_test("<=", when.balance_max, currencies, params))
    if when.creditors:
        parts.append(_in("f.creditor_id", [creditor_ids.get(code, -1) for code in when.creditors], params))
    for values, column in (
        (when.products, "f.product"),
        (when.countries, "f.country"),
        (when.regions, "f.region"),
        (when.statuses, "f.status"),
        (when.arrangements, "f.arrangement"),
        (when.last_outcomes, "f.last_outcome"),
    ):
        if values:
            parts.append(_in(column, list(values), params))
    if when.held is not None:
        parts.append("f.held = 1" if when.held else "f.held = 0")
    return " AND ".join(parts) or "1 = 1"


def _uses(strategy: Strategy, attribute: str) -> bool:
    return any(getattr(s.when, attribute) not in (None, ()) for s in strategy.segments)


def _dpd(as_of_param: str) -> str:
    if connection.vendor == "postgresql":
        days = f"({as_of_param}::date - a.oldest_unpaid_due_date)"
    else:
        days = f"CAST(julianday({as_of_param}) - julianday(a.oldest_unpaid_due_date) AS INTEGER)"
    return f"CASE WHEN a.oldest_unpaid_due_date IS NULL OR {days} < 0 THEN 0 ELSE {days} END"


# "Held" means a hold that stops all collection contact (core.contact_rules.HELD_KINDS: not the per-channel
# do-not-contact, nor hardship or vulnerability, which the gate shows as warnings).
HOLD_ACTIVE = f"{held_sql('h')} AND {hold_in_force_sql('h')}"


def facts_sql(
    strategy: Strategy,
    *,
    as_of: date,
    now: datetime,
    low: int,
    high: int,
    creditor_ids: dict[str, int],
    currencies: Sequence[str],
) -> list[CompiledSql]:
    """The statement that fills strategies_account_fact for accounts with ids low..high: an INSERT that
    reads the facts, picks the segment, and picks the path from the stable hash.

    Each fact beyond the account's own columns is one LEFT JOIN to a grouped subquery over the same id
    range (not a subquery per account), and only the facts the strategy uses are joined."""
    params: list[Any] = [as_of.isoformat(), as_of.isoformat()]  # the dpd expression uses the date twice
    columns = [
        "a.id AS id",
        "a.currency AS currency",
        f"{_dpd('%s')} AS dpd",
        "a.principal_minor + a.interest_minor + a.fees_minor + a.costs_minor AS bal",
        "a.creditor_id AS creditor_id",
        "a.product_type AS product",
        "a.status AS status",
    ]
    joins: list[str] = []
    join_params: list[Any] = []
    needs_debtor = _uses(strategy, "countries") or _uses(strategy, "regions") or _uses(strategy, "held")
    if needs_debtor:
        joins.append("LEFT JOIN accounts_account_debtor ad ON ad.account_id = a.id AND ad.role = 'primary'")
    if _uses(strategy, "countries") or _uses(strategy, "regions"):
        joins.append("LEFT JOIN parties_debtor d ON d.id = ad.debtor_id")
        columns += ["COALESCE(d.country, '') AS country", "COALESCE(d.region, '') AS region"]
    if _uses(strategy, "arrangements"):
        joins.append(
            "LEFT JOIN (SELECT r.account_id, MIN(r.kind) AS kind FROM arrangements_arrangement r "
            "WHERE r.state = 'active' AND r.account_id >= %s AND r.account_id <= %s GROUP BY r.account_id) ar "
            "ON ar.account_id = a.id"
        )
        join_params += [low, high]
        columns.append("COALESCE(ar.kind, 'none') AS arrangement")
    if _uses(strategy, "held"):
        joins.append(
            "LEFT JOIN (SELECT DISTINCT h.account_id FROM compliance_hold h WHERE h.account_id >= %s "
            f"AND h.account_id <= %s AND {HOLD_ACTIVE}) ha ON ha.account_id = a.id"
        )
        joins.append(
            "LEFT JOIN (SELECT DISTINCT h.debtor_id FROM compliance_hold h "
            f"WHERE h.debtor_id IS NOT NULL AND {HOLD_ACTIVE}) hd ON hd.debtor_id = ad.debtor_id"
        )
        join_params += [low, high, now, now, now, now]
        columns.append("CASE WHEN ha.account_id IS NOT NULL OR hd.debtor_id IS NOT NULL THEN 1 ELSE 0 END AS held")
    if _uses(strategy, "last_outcomes"):
        joins.append(
            "LEFT JOIN (SELECT account_id, outcome FROM (SELECT c.account_id, c.outcome, ROW_NUMBER() OVER "
            "(PARTITION BY c.account_id ORDER BY c.at DESC, c.id DESC) AS n FROM compliance_contact c "
            "WHERE c.direction = 'outbound' AND c.account_id >= %s AND c.account_id <= %s AND c.at <= %s) x "
            "WHERE x.n = 1) lc ON lc.account_id = a.id"
        )
        join_params += [low, high, now]
        columns.append("COALESCE(lc.outcome, 'none') AS last_outcome")
    where_params: list[Any] = [low, high]
    statuses = _in("a.status", list(OPEN_STATUSES), where_params)
    inner = (
        f"SELECT {', '.join(columns)} FROM accounts_account a {' '.join(joins)} "
        f"WHERE a.id >= %s AND a.id <= %s AND {statuses} "
        # An account that owes nothing (paid, or a credit balance) has nothing to collect: no segment.
        "AND a.principal_minor + a.interest_minor + a.fees_minor + a.costs_minor > 0"
    )
    params += [*join_params, *where_params]

    segment_params: list[Any] = []
    whens = []
    for segment in strategy.segments[:-1]:
        condition = _condition_sql(segment.when, creditor_ids, currencies, segment_params)
        whens.append(f"WHEN {condition} THEN %s")
        segment_params.append(segment.name)
    segment_params.append(strategy.segments[-1].name)
    segment_case = f"CASE {' '.join(whens)} ELSE %s END" if whens else "%s"
    placed = f"SELECT f.id, f.dpd, f.bal, f.currency, {segment_case} AS segment FROM ({inner}) f"

    # The slot (0-99) from the stable hash of the account id and the segment's salt, then the path
    # whose share of the segment's percents holds the slot: computed in the same statement, so each
    # fact row is written once.
    salt_params: list[Any] = []
    salt_whens = []
    for segment in strategy.segments:
        salt_whens.append(f"WHEN %s THEN {segment_salt(strategy.seed, segment.name)}")
        salt_params.append(segment.name)
    slot = (
        f"(((s.id * {HASH_MULTIPLIER} + CASE s.segment {' '.join(salt_whens)} ELSE 0 END) %% {HASH_SPACE}) "
        f"* 100 / {HASH_SPACE})"
    )
    path_params: list[Any] = []
    path_whens = []
    for segment in strategy.segments:
        upper = 0
        for name, percent in segment.paths:
            upper += percent
            path_whens.append("WHEN g.segment = %s AND g.slot < %s THEN %s")
            path_params += [segment.name, upper, name]
    insert = CompiledSql(
        "INSERT INTO strategies_account_fact (account_id, run_date, dpd, balance_minor, currency, segment, path, slot) "
        f"SELECT g.id, %s, g.dpd, g.bal, g.currency, g.segment, CASE {' '.join(path_whens)} ELSE '' END, g.slot "
        f"FROM (SELECT s.id, s.dpd, s.bal, s.currency, s.segment, {slot} AS slot FROM ({placed}) s) g",
        [as_of, *path_params, *salt_params, *segment_params, *params],
    )
    return [insert]
