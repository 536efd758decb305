"""The account status lifecycle: which status may follow which.

Transitions are explicit service calls (`accounts.services.change_account_status`) that write an
audit event; this table is the rule they check.
"""

from __future__ import annotations

from enum import StrEnum


class AccountStatus(StrEnum):
    ACTIVE = "active"
    IN_ARRANGEMENT = "in_arrangement"
    ON_HOLD = "on_hold"
    DISPUTED = "disputed"
    LEGAL = "legal"
    SETTLED = "settled"
    PAID = "paid"
    WRITTEN_OFF = "written_off"
    RECALLED = "recalled"
    CLOSED = "closed"


S = AccountStatus

ALLOWED_TRANSITIONS: dict[AccountStatus, frozenset[AccountStatus]] = {
    S.ACTIVE: frozenset(
        {
            S.IN_ARRANGEMENT,
            S.ON_HOLD,
            S.DISPUTED,
            S.LEGAL,
            S.SETTLED,
            S.PAID,
            S.WRITTEN_OFF,
            S.RECALLED,
            S.CLOSED,
        }
    ),
    S.IN_ARRANGEMENT: frozenset(
        {S.ACTIVE, S.ON_HOLD, S.DISPUTED, S.LEGAL, S.SETTLED, S.PAID, S.WRITTEN_OFF, S.RECALLED}
    ),
    S.ON_HOLD: frozenset({S.ACTIVE, S.IN_ARRANGEMENT, S.DISPUTED, S.LEGAL, S.WRITTEN_OFF, S.RECALLED, S.CLOSED}),
    S.DISPUTED: frozenset({S.ACTIVE, S.ON_HOLD, S.LEGAL, S.WRITTEN_OFF, S.RECALLED, S.CLOSED}),
    S.LEGAL: frozenset({S.ACTIVE, S.IN_ARRANGEMENT, S.SETTLED, S.PAID, S.WRITTEN_OFF, S.RECALLED, S.CLOSED}),
    # A reversed final payment re-opens a settled or paid account.
    S.SETTLED: frozenset({S.ACTIVE, S.CLOSED}),
    S.PAID: frozenset({S.ACTIVE, S.CLOSED}),
    # A recovery after write-off, or a re-placement after recall, re-opens the account.
    S.WRITTEN_OFF: frozenset({S.ACTIVE, S.CLOSED}),
    S.RECALLED: frozenset({S.ACTIVE, S.CLOSED}),
    S.CLOSED: frozenset(),
}


def can_transition(current: AccountStatus, target: AccountStatus) -> bool:
    return target in ALLOWED_TRANSITIONS[current]
