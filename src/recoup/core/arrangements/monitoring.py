"""What became of each instalment of a payment plan (or each amount of a promise to pay), given the
payments received, as of a date the caller passes in.

How payments are applied
    Payments on or before `as_of` are applied in date order to the instalments in due order (due date,
    then number), oldest unsatisfied first: the money goes to the earliest instalment not yet satisfied
    (see below) and fills it up to its full amount, and whatever is left flows on to the next
    unsatisfied one. Money paid before the first due date therefore counts towards the earliest
    instalments, and an overpayment flows on: one payment covering two instalments keeps both. A
    shortfall the tolerance let through is not made up from the next payment (so paying slightly short
    every time keeps every instalment); only money left once every instalment is satisfied goes back to
    make those shortfalls up, oldest first, and anything beyond the whole schedule is not applied.

    The same money is never counted twice: the `paid` of all outcomes adds up to the payments counted
    or the whole schedule, whichever is less, and no instalment is paid more than its amount. Payments
    made on the same day are applied together as one sum, so the order of the payments list never
    matters.

When an instalment is kept
    Its deadline is `due_date + grace_days`. It is KEPT once the money applied to it on or before the
    deadline reaches its amount less the tolerance, where the tolerance is the larger of
    `Tolerance.amount` and `Tolerance.percent` percent of the instalment (rounded down to the minor
    unit). A kept instalment always has some money applied: a tolerance as large as the instalment does
    not keep an instalment nobody paid anything towards.

Late money (the rule)
    The status of an instalment is decided by the money applied to it by its deadline, and is final
    from the day after the deadline on. Money arriving later is still applied in the usual order (it
    reduces what is owed and shows in `paid` and `paid_on`), but it never changes a status:

    - some money by the deadline, but short beyond the tolerance: PARTLY_KEPT;
    - nothing by the deadline: BROKEN, even if the instalment is later paid in full.

    So a late instalment lands on PARTLY_KEPT or BROKEN, never KEPT. Once an instalment's deadline has
    passed, neither a later `as_of` nor payments dated after the deadline change its status.

The other statuses
    PENDING: the due date is after `as_of` (even if money has already been applied to it).
    DUE: the due date has come, the deadline has not passed (`as_of <= deadline`), and it is not yet
    kept.

`paid_on` is the day the instalment became satisfied (reached its amount less the tolerance), or, if
it never did, the day of the last payment that put money on it; None when nothing was applied.

The core never reads the clock: the caller passes `as_of`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from enum import StrEnum

from recoup.core.money import Money, total

__all__ = [
    "Due",
    "KeptRates",
    "Outcome",
    "PlanState",
    "Received",
    "Status",
    "Tolerance",
    "classify",
    "kept_rates",
    "plan_state",
]


class Status(StrEnum):
    """What became of one instalment; the values match the arrangements app's Due.Status."""

    PENDING = "pending"
    DUE = "due"
    KEPT = "kept"
    PARTLY_KEPT = "partly_kept"
    BROKEN = "broken"


MISSED = frozenset({Status.PARTLY_KEPT, Status.BROKEN})
FELL_DUE = frozenset({Status.KEPT, Status.PARTLY_KEPT, Status.BROKEN})


@dataclass(frozen=True)
class Due:
    """One instalment of a plan, or one amount of a promise to pay."""

    number: int
    due_date: date
    amount: Money


@dataclass(frozen=True)
class Received:
    """One payment received (reversed payments are simply left out)."""

    on: date
    amount: Money


@dataclass(frozen=True)
class Tolerance:
    """How short and how late a payment may be and still keep an instalment.

    A shortfall up to the larger of `amount` and `percent` percent of the instalment still keeps it;
    a payment up to `grace_days` after the due date still counts as on time.
    """

    amount: Money | None = None
    percent: Decimal = Decimal(0)
    grace_days: int = 0

    def __post_init__(self) -> None:
        if self.amount is not None and self.amount.is_negative:
            raise ValueError(f"tolerance.amount: must not be negative, got {self.amount}")
        if isinstance(self.percent, float) or not isinstance(self.percent, Decimal | int):
            raise ValueError("tolerance.percent: pass a Decimal")
        if not Decimal(0) <= Decimal(self.percent) <= Decimal(100):
            raise ValueError(f"tolerance.percent: must be between 0 and 100, got {self.percent}")
        if self.grace_days < 0:
            raise ValueError(f"tolerance.grace_days: must not be negative, got {self.grace_days}")

    def allowed_shortfall(self, instalment: Money) -> Money:
        """The most an instalment may be short by and still be kept."""
        by_percent = instalment.multiply(Decimal(self.percent) / 100, rounding=ROUND_DOWN)
        if self.amount is None:
            return by_percent
        return max(self.amount, by_percent)


@dataclass(frozen=True)
class Outcome:
    """The status of one instalment, the money applied to it, and when it was satisfied (or last paid)."""

    due: Due
    status: Status
    paid: Money
    paid_on: date | None


def _check_currencies(dues: Sequence[Due], payments: Sequence[Received], tolerance: Tolerance) -> str:
    currency = dues[0].amount.currency
    for index, due in enumerate(dues):
        if due.amount.currency != currency:
            raise ValueError(f"dues[{index}].amount: currency {due.amount.currency} differs from {currency}")
        if not due.amount.is_positive:
            raise ValueError(f"dues[{index}].amount: must be positive, got {due.amount}")
    for index, payment in enumerate(payments):
        if payment.amount.currency != currency:
            raise ValueError(
                f"payments[{index}].amount: currency {payment.amount.currency} differs from the instalments' {currency}"
            )
        if not payment.amount.is_positive:
            raise ValueError(f"payments[{index}].amount: must be positive, got {payment.amount}")
    if tolerance.amount is not None and tolerance.amount.currency != currency:
        raise ValueError(
            f"tolerance.amount: currency {tolerance.amount.currency} differs from the instalments' {currency}"
        )
    numbers = [due.number for due in dues]
    if len(set(numbers)) != len(numbers):
        raise ValueError("dues.number: each instalment needs its own number")
    return currency


def _paid_per_day(payments: Iterable[Received], as_of: date) -> list[tuple[date, int]]:
    """The payments counted (on or before `as_of`), added up per day (in minor units), in date order."""
    per_day: dict[date, int] = {}
    for payment in payments:
        if payment.on <= as_of:
            per_day[payment.on] = per_day.get(payment.on, 0) + payment.amount.minor
    return sorted(per_day.items())


def _status(due_date: date, deadline: date, *, kept: bool, by_deadline: int, as_of: date) -> Status:
    if due_date > as_of:
        return Status.PENDING
    if kept:
        return Status.KEPT
    if as_of <= deadline:
        return Status.DUE
    return Status.PARTLY_KEPT if by_deadline > 0 else Status.BROKEN


def classify(
    dues: Sequence[Due], payments: Sequence[Received], *, tolerance: Tolerance, as_of: date
) -> tuple[Outcome, ...]:
    """The outcome of each instalment, in due order (due date, then number); see the module docstring."""
    if not dues:
        return ()
    currency = _check_currencies(dues, payments, tolerance)
    ordered = sorted(dues, key=lambda due: (due.due_date, due.number))
    amounts = [due.amount.minor for due in ordered]
    needs = [max(due.amount.minor - tolerance.allowed_shortfall(due.amount).minor, 1) for due in ordered]
    deadlines = [due.due_date + timedelta(days=tolerance.grace_days) for due in ordered]
    held = [0] * len(ordered)
    by_deadline = [0] * len(ordered)
    satisfied_on: list[date | None] = [None] * len(ordered)
    last_paid_on: list[date | None] = [None] * len(ordered)

    def pour(day: date, money: int, indexes: Iterable[int]) -> int:
        """Fill the instalments at `indexes` in turn up to their amounts; return what is left."""
        for i in indexes:
            if money == 0:
                break
            take = min(money, amounts[i] - held[i])
            if take > 0:
                held[i] += take
                money -= take
                last_paid_on[i] = day
                if satisfied_on[i] is None and held[i] >= needs[i]:
                    satisfied_on[i] = day
        return money

    for day, money in _paid_per_day(payments, as_of):
        # Oldest unsatisfied first (which also prepays instalments not yet due); only once every
        # instalment is satisfied does money make up the shortfalls the tolerance let through.
        left = pour(day, money, [i for i in range(len(ordered)) if held[i] < needs[i]])
        pour(day, left, range(len(ordered)))
        for i, deadline in enumerate(deadlines):
            if day <= deadline:
                by_deadline[i] = held[i]

    outcomes = []
    for i, due in enumerate(ordered):
        became_satisfied = satisfied_on[i]
        kept = became_satisfied is not None and became_satisfied <= deadlines[i]
        status = _status(due.due_date, deadlines[i], kept=kept, by_deadline=by_deadline[i], as_of=as_of)
        paid = Money.from_minor(held[i], currency)
        outcomes.append(Outcome(due=due, status=status, paid=paid, paid_on=became_satisfied or last_paid_on[i]))
    return tuple(outcomes)


class PlanState(StrEnum):
    """Where a plan stands; the values match the arrangements app's Arrangement.State."""

    ACTIVE = "active"
    COMPLETED = "completed"
    BROKEN = "broken"


def _currency(outcomes: Sequence[Outcome]) -> str:
    currency = outcomes[0].due.amount.currency
    for index, outcome in enumerate(outcomes):
        for field, money in (("due.amount", outcome.due.amount), ("paid", outcome.paid)):
            if money.currency != currency:
                raise ValueError(f"outcomes[{index}].{field}: currency {money.currency} differs from {currency}")
    return currency


def plan_state(outcomes: Sequence[Outcome], *, misses_allowed: int) -> PlanState:
    """COMPLETED when every instalment is kept or the whole schedule is paid; BROKEN when more than
    `misses_allowed` instalments are PARTLY_KEPT or BROKEN; otherwise ACTIVE.

    A plan whose total has been paid is COMPLETED even if it missed instalments on the way.
    """
    if misses_allowed < 0:
        raise ValueError(f"misses_allowed: must not be negative, got {misses_allowed}")
    if not outcomes:
        return PlanState.COMPLETED
    currency = _currency(outcomes)
    if all(outcome.status is Status.KEPT for outcome in outcomes):
        return PlanState.COMPLETED
    owed = total((outcome.due.amount for outcome in outcomes), currency)
    if total((outcome.paid for outcome in outcomes), currency) >= owed:
        return PlanState.COMPLETED
    misses = sum(1 for outcome in outcomes if outcome.status in MISSED)
    return PlanState.BROKEN if misses > misses_allowed else PlanState.ACTIVE


@dataclass(frozen=True)
class KeptRates:
    """Kept against fell due (KEPT, PARTLY_KEPT or BROKEN; not PENDING or DUE), by count and by amount.

    Amounts are the instalments' amounts (what was promised). The rates are in percent, rounded to two
    places half-even, and None when nothing fell due; the amounts are None then too.
    """

    kept_count: int
    fell_due_count: int
    kept_amount: Money | None
    fell_due_amount: Money | None
    by_count: Decimal | None
    by_amount: Decimal | None


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(part) / Decimal(whole) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def kept_rates(outcomes: Sequence[Outcome]) -> KeptRates:
    """The PTP (or plan) kept rate as KPIS.md defines it: kept / fell due, by count and by amount."""
    fell_due = [outcome for outcome in outcomes if outcome.status in FELL_DUE]
    if not fell_due:
        return KeptRates(0, 0, None, None, None, None)
    currency = _currency(fell_due)
    kept = [outcome for outcome in fell_due if outcome.status is Status.KEPT]
    kept_minor = sum(outcome.due.amount.minor for outcome in kept)
    fell_due_minor = sum(outcome.due.amount.minor for outcome in fell_due)
    return KeptRates(
        kept_count=len(kept),
        fell_due_count=len(fell_due),
        kept_amount=Money.from_minor(kept_minor, currency),
        fell_due_amount=Money.from_minor(fell_due_minor, currency),
        by_count=_percent(len(kept), len(fell_due)),
        by_amount=_percent(kept_minor, fell_due_minor),
    )
