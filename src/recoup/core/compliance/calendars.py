"""Public holidays and business days, computed by rule (no holiday package: the rules are short and stable).

Australia: only the national holidays that fall on the same rule in every state. King's Birthday and
Labour Day differ by state, and state-only days (e.g. Melbourne Cup) are left out, so callers with a
state calendar must add them. When New Year's Day, Australia Day, Christmas Day or Boxing Day fall on
a weekend, both the day itself and the substitute weekday are treated as holidays (conservative for
contact rules: no state calls in on either). Anzac Day gets no substitute: most states do not move it.

United States: the legal public holidays of 5 U.S.C. 6103(a), with the federal observed-date rule of
6103(b) (a Saturday holiday is observed the Friday before, a Sunday one the Monday after). Observed
days are treated as holidays too, so a business-day count never runs short.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

MONDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = 0, 3, 4, 5, 6
JUNETEENTH_FIRST_YEAR = 2021  # made a legal public holiday in June 2021


def easter_sunday(year: int) -> date:
    """Western Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _next_weekday(day: date) -> date:
    while day.weekday() >= SATURDAY:
        day += timedelta(days=1)
    return day


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th given weekday of a month (n=1 is the first); n=-1 is the last."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


@lru_cache(maxsize=64)
def australian_national_holidays(year: int) -> dict[date, str]:
    """Australia-wide public holidays of `year`, with weekend substitutes (see the module notes)."""
    easter = easter_sunday(year)
    days: dict[date, str] = {
        date(year, 1, 1): "New Year's Day",
        date(year, 1, 26): "Australia Day",
        easter - timedelta(days=2): "Good Friday",
        easter + timedelta(days=1): "Easter Monday",
        date(year, 4, 25): "Anzac Day",
        date(year, 12, 25): "Christmas Day",
        date(year, 12, 26): "Boxing Day",
    }
    for month, day, name in ((1, 1, "New Year's Day"), (1, 26, "Australia Day")):
        actual = date(year, month, day)
        if actual.weekday() >= SATURDAY:
            days[_next_weekday(actual)] = f"{name} (observed)"
    # Christmas and Boxing Day: each of the pair that falls on a weekend adds the next free weekday.
    substitute = date(year, 12, 27)
    for actual, name in ((date(year, 12, 25), "Christmas Day"), (date(year, 12, 26), "Boxing Day")):
        if actual.weekday() >= SATURDAY:
            substitute = _next_weekday(substitute)
            days[substitute] = f"{name} (observed)"
            substitute += timedelta(days=1)
    return days


def _federal_observed(actual: date) -> date:
    if actual.weekday() == SATURDAY:
        return actual - timedelta(days=1)
    if actual.weekday() == SUNDAY:
        return actual + timedelta(days=1)
    return actual


@lru_cache(maxsize=64)
def us_federal_holidays(year: int) -> dict[date, str]:
    """US legal public holidays (5 U.S.C. 6103(a)) in `year`, and their observed weekdays that fall in it."""
    fixed = {
        (1, 1): "New Year's Day",
        (6, 19): "Juneteenth National Independence Day",
        (7, 4): "Independence Day",
        (11, 11): "Veterans Day",
        (12, 25): "Christmas Day",
    }
    days: dict[date, str] = {
        nth_weekday(year, 1, MONDAY, 3): "Birthday of Martin Luther King, Jr.",
        nth_weekday(year, 2, MONDAY, 3): "Washington's Birthday",
        nth_weekday(year, 5, MONDAY, -1): "Memorial Day",
        nth_weekday(year, 9, MONDAY, 1): "Labor Day",
        nth_weekday(year, 10, MONDAY, 2): "Columbus Day",
        nth_weekday(year, 11, THURSDAY, 4): "Thanksgiving Day",
    }
    for holiday_year in (year, year + 1):  # next New Year's Day on a Saturday is observed on 31 December
        for (month, day), name in fixed.items():
            if (month, day) == (6, 19) and holiday_year < JUNETEENTH_FIRST_YEAR:
                continue
            actual = date(holiday_year, month, day)
            observed = _federal_observed(actual)
            if actual.year == year:
                days[actual] = name
            if observed.year == year and observed != actual:
                days[observed] = f"{name} (observed)"
    return days


def is_us_business_day(day: date) -> bool:
    """Not a Saturday, Sunday, or US federal holiday (actual or observed)."""
    return day.weekday() < SATURDAY and day not in us_federal_holidays(day.year)


def add_us_business_days(start: date, count: int) -> date:
    """The date `count` business days after `start` (the day after `start` is the first candidate)."""
    if count < 0:
        raise ValueError("add_us_business_days: count must not be negative")
    day = start
    while count:
        day += timedelta(days=1)
        if is_us_business_day(day):
            count -= 1
    return day


VALIDATION_RECEIPT_BUSINESS_DAYS = 5
VALIDATION_DAYS_AFTER_RECEIPT = 30


def assumed_receipt(sent: date) -> date:
    """US-13: the date a mailed or electronic validation notice may be assumed received.

    Reg F cmt 34(b)(5)-1 lets a collector assume receipt any date at least 5 days (excluding legal public
    holidays, Saturdays and Sundays) after sending; this gives the earliest such date.
    """
    return add_us_business_days(sent, VALIDATION_RECEIPT_BUSINESS_DAYS)


def validation_end(sent: date) -> date:
    """US-13: the last day of the validation period for a notice sent on `sent`: 30 days after the assumed
    receipt date. At least 37 calendar days after a notice sent on a weekday, never a fixed 35. (A notice
    sent on a Saturday or Sunday gets 36 or 35: the five business days start on the Monday.)
    """
    return assumed_receipt(sent) + timedelta(days=VALIDATION_DAYS_AFTER_RECEIPT)


# United Kingdom ---------------------------------------------------------------------------------------
#
# Bank and public holidays by rule for each part of the UK (Banking and Financial Dealings Act 1971,
# Sch 1, and the royal proclamations that add the common-law holidays). A fixed-date holiday that falls
# on a weekend is substituted by the next weekday not already a holiday. One-off days by proclamation
# (the 2022 jubilee and state funeral, the 2023 coronation, the 2020 move of the May holiday) are in
# `UK_ONE_OFF`; a future one is not known until proclaimed. A missing holiday counts as a business
# day, so a deadline counted here can only fall earlier than the law's, never later.

UK_REGIONS = ("ENG", "WLS", "SCT", "NIR")

UK_ONE_OFF: dict[date, str] = {
    date(2020, 5, 8): "Early May bank holiday (VE Day, moved from 4 May)",
    date(2022, 6, 2): "Spring bank holiday (moved for the Platinum Jubilee)",
    date(2022, 6, 3): "Platinum Jubilee bank holiday",
    date(2022, 9, 19): "Bank holiday for the State Funeral of Queen Elizabeth II",
    date(2023, 5, 8): "Bank holiday for the coronation of King Charles III",
}
UK_MOVED: dict[date, date] = {date(2020, 5, 4): date(2020, 5, 8), date(2022, 5, 30): date(2022, 6, 2)}


def _substitute(days: dict[date, str], actual: date, name: str) -> None:
    """Add a fixed-date holiday; on a weekend, also its substitute: the next weekday not already taken."""
    days[actual] = name
    if actual.weekday() >= SATURDAY:
        substitute = actual
        while substitute.weekday() >= SATURDAY or substitute in days:
            substitute += timedelta(days=1)
        days[substitute] = f"{name} (substitute day)"


@lru_cache(maxsize=128)
def uk_bank_holidays(year: int, region: str = "ENG") -> dict[date, str]:
    """Bank holidays of `year` in a part of the UK: "ENG" and "WLS" (England and Wales), "SCT"
    (Scotland), "NIR" (Northern Ireland). Any other region is treated as England and Wales."""
    easter = easter_sunday(year)
    days: dict[date, str] = {easter - timedelta(days=2): "Good Friday"}
    _substitute(days, date(year, 1, 1), "New Year's Day")
    if region == "SCT":
        _substitute(days, date(year, 1, 2), "2nd January")
        days[nth_weekday(year, 8, MONDAY, 1)] = "Summer bank holiday"
    else:
        days[easter + timedelta(days=1)] = "Easter Monday"
        days[nth_weekday(year, 8, MONDAY, -1)] = "Summer bank holiday"
    if region == "NIR":
        _substitute(days, date(year, 3, 17), "St Patrick's Day")
        _substitute(days, date(year, 7, 12), "Battle of the Boyne (Orangemen's Day)")
    for day, name in (
        (nth_weekday(year, 5, MONDAY, 1), "Early May bank holiday"),
        (nth_weekday(year, 5, MONDAY, -1), "Spring bank holiday"),
    ):
        days[UK_MOVED.get(day, day)] = name
    if region == "SCT":
        _substitute(days, date(year, 11, 30), "St Andrew's Day")
    _substitute(days, date(year, 12, 25), "Christmas Day")
    _substitute(days, date(year, 12, 26), "Boxing Day")
    days.update({day: name for day, name in UK_ONE_OFF.items() if day.year == year})
    return days


def is_business_day(day: date, country: str, region: str = "") -> bool:
    """Not a Saturday, Sunday or public holiday where the person is: US federal holidays, the UK part's
    bank holidays, Australia's national holidays (state-only days are not known: see the module notes)."""
    if day.weekday() >= SATURDAY:
        return False
    if country == "US":
        return day not in us_federal_holidays(day.year)
    if country == "GB":
        return day not in uk_bank_holidays(day.year, region)
    if country == "AU":
        return day not in australian_national_holidays(day.year)
    return True


def add_business_days(start: date, count: int, country: str, region: str = "") -> date:
    """The date `count` business days after `start` where the person is (the day after `start` is the
    first candidate); `count` 0 gives `start`."""
    if count < 0:
        raise ValueError("add_business_days: count must not be negative")
    day = start
    while count:
        day += timedelta(days=1)
        if is_business_day(day, country, region):
            count -= 1
    return day
