"""Payment-plan schedules: the due dates and amounts of an arrangement's instalments.

`build_schedule` spreads a total over instalments (a fixed count, or a fixed instalment amount with a
smaller last one), optionally after a down payment, on weekly, fortnightly, four-weekly, monthly or
explicit dates. The amounts always sum exactly to the total: every regular instalment is rounded down
to the currency's minor unit and the minor units left over go to the first or last regular instalment.
Monthly dates keep the day of the month of the first due date, clamped to short months and always
computed from that anchor (31 Jan -> 29 Feb -> 31 Mar). Dates can then be moved to business days by a
`DateRule`; two instalments that would land on the same day are refused, never merged.

`business_days(country, subdivision)` gives a business-day test from the public holidays of the
`holidays` package. Nothing here reads the clock.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from typing import Literal

import holidays

from recoup.core.money import Money

MAX_INSTALMENTS = 600
"""The most instalments one schedule may have, the down payment included."""

_MAX_DAYS_MOVED = 366
"""How far a date rule may look for a business day before giving up on the calendar."""


class InvalidSchedule(ValueError):
    """A schedule that cannot be built; the message starts with the field at fault (`count: ...`)."""


class Frequency(StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    FOUR_WEEKLY = "four_weekly"
    MONTHLY = "monthly"
    EXPLICIT = "explicit"


class DateRule(StrEnum):
    NONE = "none"
    """Keep the date even if it is not a business day."""
    FOLLOWING = "following"
    """Move to the next business day."""
    PRECEDING = "preceding"
    """Move to the previous business day."""
    MODIFIED_FOLLOWING = "modified_following"
    """Move to the next business day, unless that is in another month: then to the previous one."""


@dataclass(frozen=True)
class Instalment:
    number: int
    due_date: date
    amount: Money
    down_payment: bool = False


_PERIOD_DAYS = {Frequency.WEEKLY: 7, Frequency.FORTNIGHTLY: 14, Frequency.FOUR_WEEKLY: 28}


def weekday_only(day: date) -> bool:
    """Monday to Friday are business days; no holidays are known."""
    return day.weekday() < 5


class _HolidayCalendar:
    """Weekdays that are not public holidays; each year's holidays are looked up the first time it is asked for."""

    def __init__(self, country: str, subdivision: str | None) -> None:
        self.country = country
        self.subdivision = subdivision
        self._years: dict[int, frozenset[date]] = {}

    def _holidays(self, year: int) -> frozenset[date]:
        known = self._years.get(year)
        if known is None:
            found = holidays.country_holidays(self.country, subdiv=self.subdivision, years=year)
            known = frozenset(day for day in found if day.year == year)
            self._years[year] = known
        return known

    def __call__(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holidays(day.year)

    def __repr__(self) -> str:
        where = self.country if self.subdivision is None else f"{self.country}-{self.subdivision}"
        return f"business_days({where!r})"


def business_days(country: str, subdivision: str | None = None) -> Callable[[date], bool]:
    """A test for business days: weekdays that are not public holidays of the country (and subdivision).

    Country codes are ISO 3166 (GB, US, AU); subdivisions are those of the `holidays` package, which
    for GB are ENG, SCT, WLS and NIR, for AU the states (NSW, VIC...) and for the US two-letter states.
    """
    supported = holidays.list_supported_countries()
    if country not in supported:
        raise InvalidSchedule(
            f"country: '{country}' is not a country with a known holiday calendar; use a two-letter "
            "ISO 3166 code such as GB, US or AU"
        )
    if subdivision is not None and subdivision not in supported[country]:
        choices = ", ".join(supported[country]) or "none"
        raise InvalidSchedule(
            f"subdivision: '{subdivision}' is not a subdivision of {country}; known ones are {choices}"
        )
    return _HolidayCalendar(country, subdivision)


def add_months(anchor: date, months: int) -> date:
    """The anchor's day of the month, `months` later, clamped to the last day of a shorter month."""
    index = anchor.year * 12 + anchor.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))


def term_months(first: date, last: date) -> int:
    """Whole months from the first to the last due date, a part month counting as a whole one."""
    if last < first:
        raise InvalidSchedule(f"last: the last due date {last.isoformat()} is before the first {first.isoformat()}")
    months = (last.year - first.year) * 12 + last.month - first.month
    if add_months(first, months) < last:
        months += 1
    return months


def _move(day: date, rule: DateRule, is_business_day: Callable[[date], bool]) -> date:
    if rule is DateRule.NONE or is_business_day(day):
        return day
    if rule is DateRule.FOLLOWING:
        return _step(day, 1, is_business_day)
    if rule is DateRule.PRECEDING:
        return _step(day, -1, is_business_day)
    following = _step(day, 1, is_business_day)
    if following.month == day.month:
        return following
    return _step(day, -1, is_business_day)


def _step(day: date, direction: int, is_business_day: Callable[[date], bool]) -> date:
    moved = day
    for _ in range(_MAX_DAYS_MOVED):
        try:
            moved += timedelta(days=direction)
        except OverflowError:
            break
        if is_business_day(moved):
            return moved
    raise InvalidSchedule(
        f"date_rule: no business day found within a year of {day.isoformat()}; check the business-day calendar"
    )


def _check_money(field: str, value: Money, currency: str) -> None:
    if not isinstance(value, Money):
        raise InvalidSchedule(f"{field}: must be an amount of money, not {type(value).__name__}")
    if value.currency != currency:
        raise InvalidSchedule(f"{field}: is in {value.currency} but the total is in {currency}; use the same currency")
    if not value.is_positive:
        raise InvalidSchedule(f"{field}: must be more than zero, not {value}")


def _check_date(field: str, value: object) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidSchedule(f"{field}: must be a calendar date, not {type(value).__name__}")
    return value


def _amounts(
    rest: Money, instalment: Money | None, count: int | None, remainder: Literal["first", "last"], room: int
) -> list[int]:
    """Minor units of each regular instalment; `room` is how many regular instalments are allowed."""
    whole = rest.minor
    if count is not None:
        if count > room:
            raise InvalidSchedule(
                f"count: {count} instalments is more than the {room} allowed"
                + (" after the down payment" if room < MAX_INSTALMENTS else "")
                + "; use fewer, larger instalments"
            )
        each, left = divmod(whole, count)
        if each == 0:
            raise InvalidSchedule(
                f"count: {rest} cannot be split into {count} instalments without some being zero; "
                f"use at most {whole} instalments"
            )
        parts = [each] * count
        parts[0 if remainder == "first" else -1] += left
        return parts
    if instalment is None:
        raise InvalidSchedule("count: give either the number of instalments or the instalment amount")
    size = instalment.minor
    full, last = divmod(whole, size)
    needed = full + (1 if last else 0)
    if needed > room:
        smallest = Money.from_minor(-(-whole // room), rest.currency)
        raise InvalidSchedule(
            f"instalment: {instalment} would need {needed} instalments to pay {rest}, more than the {room} "
            f"allowed; use an instalment of at least {smallest}"
        )
    return [size] * full + ([last] if last else [])


def _regular_dates(frequency: Frequency, first_due: date, start: int, how_many: int) -> list[date]:
    try:
        if frequency is Frequency.MONTHLY:
            return [add_months(first_due, start + k) for k in range(how_many)]
        step = _PERIOD_DAYS[frequency]
        return [first_due + timedelta(days=step * (start + k)) for k in range(how_many)]
    except (OverflowError, ValueError):
        raise InvalidSchedule(
            f"first_due: {first_due.isoformat()} is too late for a schedule of {how_many} instalments"
        ) from None


def build_schedule(
    *,
    total: Money,
    frequency: Frequency,
    first_due: date,
    instalment: Money | None = None,
    count: int | None = None,
    down_payment: Money | None = None,
    down_payment_due: date | None = None,
    explicit_dates: Sequence[date] = (),
    remainder: Literal["first", "last"] = "last",
    date_rule: DateRule = DateRule.NONE,
    is_business_day: Callable[[date], bool] = weekday_only,
) -> tuple[Instalment, ...]:
    """The instalments of a plan paying `total`, numbered from 1, whose amounts sum exactly to it.

    Give either `count` (the rest after any down payment split evenly, rounded down, the minor units
    left over going to the `remainder` instalment) or `instalment` (that amount each time, the last one
    smaller). With `Frequency.EXPLICIT` the dates are `explicit_dates` and neither is given. A down
    payment is instalment 1, due on `down_payment_due`; when that is not given it is due on `first_due`
    and the regular instalments start one period later. Dates are then moved by `date_rule`.
    """
    if not isinstance(total, Money):
        raise InvalidSchedule(f"total: must be an amount of money, not {type(total).__name__}")
    if not total.is_positive:
        raise InvalidSchedule(f"total: must be more than zero, not {total}")
    currency = total.currency
    try:
        frequency = Frequency(frequency)
    except ValueError:
        choices = ", ".join(f.value for f in Frequency)
        raise InvalidSchedule(f"frequency: '{frequency}' is not one of {choices}") from None
    try:
        date_rule = DateRule(date_rule)
    except ValueError:
        choices = ", ".join(r.value for r in DateRule)
        raise InvalidSchedule(f"date_rule: '{date_rule}' is not one of {choices}") from None
    if remainder not in ("first", "last"):
        raise InvalidSchedule(f"remainder: must be 'first' or 'last', not {remainder!r}")
    first_due = _check_date("first_due", first_due)

    dates_given = [_check_date("explicit_dates", d) for d in explicit_dates]
    if frequency is Frequency.EXPLICIT:
        if count is not None:
            raise InvalidSchedule("count: leave it out for explicit dates; there is one instalment per date given")
        if instalment is not None:
            raise InvalidSchedule(
                "instalment: leave it out for explicit dates; the total is split over the dates given"
            )
        if not dates_given:
            raise InvalidSchedule("explicit_dates: give at least one due date")
        if dates_given[0] < first_due:
            raise InvalidSchedule(
                f"explicit_dates: {dates_given[0].isoformat()} is before the first due date {first_due.isoformat()}"
            )
        for earlier, later in pairwise(dates_given):
            if later <= earlier:
                raise InvalidSchedule(
                    f"explicit_dates: {later.isoformat()} comes after {earlier.isoformat()}; "
                    "give each date once, in order"
                )
        count = len(dates_given)
    else:
        if dates_given:
            raise InvalidSchedule(f"explicit_dates: only used with the explicit frequency, not {frequency.value}")
        if count is not None and instalment is not None:
            raise InvalidSchedule("count: give either the number of instalments or the instalment amount, not both")
        if count is None and instalment is None:
            raise InvalidSchedule("count: give either the number of instalments or the instalment amount")

    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        raise InvalidSchedule(f"count: must be a whole number of at least 1, not {count!r}")
    if instalment is not None:
        _check_money("instalment", instalment, currency)

    rest = total
    if down_payment is not None:
        _check_money("down_payment", down_payment, currency)
        if down_payment >= total:
            raise InvalidSchedule(
                f"down_payment: {down_payment} is not less than the total {total}; "
                "a plan needs at least one instalment after the down payment"
            )
        rest = total - down_payment
    elif down_payment_due is not None:
        raise InvalidSchedule("down_payment: a down payment date was given without a down payment amount")

    down_date: date | None = None
    start = 0
    if down_payment is not None:
        if down_payment_due is None:
            down_date = first_due
            start = 1
        else:
            down_date = _check_date("down_payment", down_payment_due)
            if down_date >= first_due:
                raise InvalidSchedule(
                    f"down_payment: due {down_date.isoformat()}, which is not before the first instalment "
                    f"on {first_due.isoformat()}; make it earlier or leave its date out"
                )
        if frequency is Frequency.EXPLICIT and dates_given[0] <= down_date:
            raise InvalidSchedule(
                f"explicit_dates: {dates_given[0].isoformat()} is not after the down payment due "
                f"{down_date.isoformat()}; every instalment must fall due after it"
            )

    room = MAX_INSTALMENTS - (1 if down_payment is not None else 0)
    parts = _amounts(rest, instalment, count, remainder, room)
    if frequency is Frequency.EXPLICIT:
        regular_dates = dates_given
    else:
        regular_dates = _regular_dates(frequency, first_due, start, len(parts))

    scheduled: list[tuple[date, int, bool]] = []
    if down_payment is not None and down_date is not None:
        scheduled.append((down_date, down_payment.minor, True))
    scheduled.extend((due, minor, False) for due, minor in zip(regular_dates, parts, strict=True))

    instalments = tuple(
        Instalment(
            number=number,
            due_date=_move(due, date_rule, is_business_day),
            amount=Money.from_minor(minor, currency),
            down_payment=is_down,
        )
        for number, (due, minor, is_down) in enumerate(scheduled, start=1)
    )
    for before, after in pairwise(instalments):
        if after.due_date == before.due_date:
            raise InvalidSchedule(
                f"date_rule: instalments {before.number} and {after.number} would both fall due on "
                f"{after.due_date.isoformat()} after moving to business days; space the dates further apart "
                "or use another date rule"
            )
        if after.due_date < before.due_date:
            raise InvalidSchedule(
                f"date_rule: instalment {after.number} would fall due on {after.due_date.isoformat()}, before "
                f"instalment {before.number} on {before.due_date.isoformat()}, after moving to business days; "
                "space the dates further apart or use another date rule"
            )
    return instalments
