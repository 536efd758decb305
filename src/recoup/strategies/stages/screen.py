"""The screen stage: the planned contacts the compliance gate would refuse whatever the hour (holds on
the account or its primary debtor, no number or address to use) blocked set-based, with the rule
and reason the gate gives; and every planned action but a wait on a debt extinguished on the run's
date (UK-06, AU-05) blocked first, so that rule is the one named."""

from __future__ import annotations

from django.db import connection

from recoup.compliance.models import Hold
from recoup.core.compliance.limitation import EXTINCTIONS
from recoup.core.contact_rules import BLOCKING_HOLDS, hold_in_force_sql, reachable_sql
from recoup.core.strategy import CONTACT_ACTIONS, ActionKind
from recoup.strategies.context import RunContext
from recoup.strategies.stages import _execute_sql

PRIMARY_OF_ACTION = (
    "(SELECT ad.debtor_id FROM accounts_account_debtor ad WHERE ad.account_id = strategies_action.account_id "
    "AND ad.role = 'primary' ORDER BY ad.debtor_id LIMIT 1)"
)
NO_ENDPOINT = {
    ActionKind.EMAIL: "email: no usable email address is on record",
    ActionKind.SMS: "sms: no usable mobile number is on record",
    ActionKind.CALL: "call: no usable phone number is on record",
    ActionKind.LETTER: "letter: no full postal address is on record",
}
"""The reason the screen gives when `core.contact_rules.reachable_sql` finds nothing the action can go to."""


def _rule_by_country_sql() -> str:
    """SQL for the rule a blocking hold names: the row's rule, or the debtor's country's where it differs
    (`HoldRule.by_country`: a dispute is UK-05 in Great Britain, AU-04 in Australia)."""
    cases = []
    for kind, by_country in ((rule.kind, rule.by_country) for rule in BLOCKING_HOLDS if rule.by_country):
        whens = " ".join(f"WHEN '{country}' THEN '{rule}'" for country, rule in sorted(by_country.items()))
        cases.append(
            f"WHEN r.column1 = '{kind}' THEN COALESCE((SELECT CASE d.country {whens} END "
            "FROM accounts_account_debtor ad JOIN parties_debtor d ON d.id = ad.debtor_id "
            "WHERE ad.account_id = strategies_action.account_id AND ad.role = 'primary'), r.column5)"
        )
    return f"CASE {' '.join(cases)} ELSE r.column5 END" if cases else "r.column5"


# Only constants from core.contact_rules.HOLD_RULES (hold kinds, country codes, rule IDs) are in this SQL.
_RULE_BY_COUNTRY_SQL = _rule_by_country_sql()


def hold_screen_rows() -> list[tuple[str, str, str, int, str, str]]:
    """(hold kind, action kind, channel or '', order, rule, reason) for every hold that blocks a contact
    action. A do-not-contact hold blocks only its own channel; where several holds apply, the first
    in the gate's order (core.contact_rules.HOLD_RULES) names the rule."""
    rows = []
    for order, held in enumerate(BLOCKING_HOLDS):
        for action_kind in sorted(CONTACT_ACTIONS):
            channel = action_kind.value if held.per_channel else ""
            reason = f"{held.words} ({Hold.Kind(held.kind).label.lower()} hold)"
            rows.append((held.kind, action_kind.value, channel, order, held.rule, reason))
    return rows


def _screen_extinguished(context: RunContext, low: int, high: int) -> int:
    """Block every planned action but a wait (contacts, fees, status changes, legal reviews) on the
    accounts whose debt is extinguished on the run's date, one UPDATE per place where the period's end
    extinguishes a debt (`core.compliance.limitation.EXTINCTIONS`). The run does not close them: an
    officer does, from the account page (compliance.services.close_extinguished)."""
    blocked = 0
    for place in EXTINCTIONS:
        extinguished, params = place.sql("a", context.as_of, vendor=connection.vendor)
        blocked += _execute_sql(
            "UPDATE strategies_action SET state = 'blocked', rule = %s, reason = %s, decided_at = %s "
            "WHERE run_id = %s AND state = 'planned' AND account_id >= %s AND account_id <= %s AND kind <> %s "
            "AND account_id IN (SELECT a.id FROM accounts_account a WHERE a.id >= %s AND a.id <= %s "
            f"AND {extinguished})",
            [
                place.rule,
                place.reason(),
                context.now,
                context.run.pk,
                low,
                high,
                ActionKind.WAIT.value,
                low,
                high,
                *params,
            ],
        )
    return blocked


def _screen(context: RunContext, low: int, high: int) -> dict[str, int]:
    """Block, set-based, the planned actions on extinguished debts, then the planned contacts the gate
    would refuse whatever the hour: holds on the account or its primary debtor, and no number or
    address to use. What depends on the hour and the contact history (calling hours, frequency caps)
    is decided by the gate when the message is made or the call dialled."""
    extinguished = _screen_extinguished(context, low, high)
    rules = hold_screen_rows()
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rules))
    value_params = [value for row in rules for value in row]
    rules_table = f"(SELECT * FROM (VALUES {values}) AS v)"
    active = hold_in_force_sql("h")
    planned = "x.run_id = %s AND x.state = 'planned' AND x.account_id >= %s AND x.account_id <= %s"
    rule_of_hold = f"JOIN {rules_table} r ON r.column1 = h.kind AND r.column2 = x.kind "
    rule_of_hold += "AND (r.column3 = '' OR r.column3 = h.channel) "
    matches = (
        "SELECT x.id AS action_id, r.column4 AS ord FROM strategies_action x "
        "JOIN compliance_hold h ON h.account_id = x.account_id "
        f"{rule_of_hold}"
        f"WHERE {planned} AND {active} "
        "UNION ALL "
        "SELECT x.id, r.column4 FROM strategies_action x "
        "JOIN accounts_account_debtor ad ON ad.account_id = x.account_id AND ad.role = 'primary' "
        "JOIN compliance_hold h ON h.debtor_id = ad.debtor_id "
        f"{rule_of_hold}"
        f"WHERE {planned} AND {active}"
    )
    run_range = [context.run.pk, low, high]
    blocked = _execute_sql(
        f"UPDATE strategies_action SET state = 'blocked', rule = {_RULE_BY_COUNTRY_SQL}, reason = r.column6, "
        "decided_at = %s "
        f"FROM (SELECT m.action_id, MIN(m.ord) AS ord FROM ({matches}) m GROUP BY m.action_id) b, {rules_table} r "
        "WHERE strategies_action.id = b.action_id AND r.column4 = b.ord AND r.column2 = strategies_action.kind "
        "AND strategies_action.state = 'planned'",
        [
            context.now,
            *value_params,
            *run_range,
            context.now,
            context.now,
            *value_params,
            *run_range,
            context.now,
            context.now,
            *value_params,
        ],
    )
    base = (
        "UPDATE strategies_action SET state = 'blocked', rule = %s, reason = %s, decided_at = %s "
        "WHERE run_id = %s AND state = 'planned' AND account_id >= %s AND account_id <= %s AND kind IN ({kinds}) "
        "AND {condition}"
    )
    for action_kind, words in NO_ENDPOINT.items():
        blocked += _execute_sql(
            base.format(kinds="%s", condition=f"NOT {reachable_sql(action_kind.value, PRIMARY_OF_ACTION)}"),
            ["NO-ENDPOINT", words, context.now, context.run.pk, low, high, action_kind.value],
        )
    return {"blocked": blocked + extinguished}
