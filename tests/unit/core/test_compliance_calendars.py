"""Holidays computed by rule, US business days and the US-13 validation period end date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recoup.core.compliance import (
    add_us_business_days,
    assumed_receipt,
    australian_national_holidays,
    easter_sunday,
    is_us_business_day,
    us_federal_holidays,
    validation_end,
)


class TestEaster:
    @pytest.mark.parametrize(
        "easter",
        [
            date(2024, 3, 31),
            date(2025, 4, 20),
            date(2026, 4, 5),
            date(2027, 3, 28),
            date(2038, 4, 25),
            date(2285, 3, 22),
        ],
    )
    def test_known_easter_sundays(self, easter: date) -> None:
        assert easter_sunday(easter.year) == easter

    @given(st.integers(min_value=1583, max_value=4099))
    def test_easter_is_a_sunday_between_22_march_and_25_april(self, year: int) -> None:
        easter = easter_sunday(year)
        assert easter.weekday() == 6
        assert date(year, 3, 22) <= easter <= date(year, 4, 25)


class TestAustralianHolidays:
    def test_2026(self) -> None:
        assert sorted(australian_national_holidays(2026)) == [
            date(2026, 1, 1),
            date(2026, 1, 26),
            date(2026, 4, 3),
            date(2026, 4, 6),
            date(2026, 4, 25),
            date(2026, 12, 25),
            date(2026, 12, 26),
            date(2026, 12, 28),  # Boxing Day on a Saturday: Monday substitute
        ]

    def test_christmas_on_a_saturday_gives_monday_and_tuesday(self) -> None:
        holidays = australian_national_holidays(2027)
        assert {date(2027, 12, d) for d in (25, 26, 27, 28)} <= set(holidays)
        assert date(2027, 12, 29) not in holidays

    def test_christmas_on_a_sunday_gives_tuesday(self) -> None:
        holidays = australian_national_holidays(2022)
        assert {date(2022, 12, 26), date(2022, 12, 27)} <= set(holidays)
        assert date(2022, 12, 28) not in holidays

    def test_new_year_and_australia_day_on_weekends_move_to_monday(self) -> None:
        assert date(2028, 1, 3) in australian_national_holidays(2028)  # 1 Jan 2028 is a Saturday
        assert date(2025, 1, 27) in australian_national_holidays(2025)  # 26 Jan 2025 is a Sunday

    def test_anzac_day_has_no_substitute_and_state_holidays_are_left_out(self) -> None:
        holidays = australian_national_holidays(2026)
        assert date(2026, 4, 27) not in holidays
        assert all("King" not in name and "Labour" not in name for name in holidays.values())


class TestUsFederalHolidays:
    def test_2026(self) -> None:
        assert sorted(us_federal_holidays(2026)) == [
            date(2026, 1, 1),
            date(2026, 1, 19),
            date(2026, 2, 16),
            date(2026, 5, 25),
            date(2026, 6, 19),
            date(2026, 7, 3),  # Independence Day on a Saturday is observed on Friday
            date(2026, 7, 4),
            date(2026, 9, 7),
            date(2026, 10, 12),
            date(2026, 11, 11),
            date(2026, 11, 26),
            date(2026, 12, 25),
        ]

    def test_sunday_holidays_are_observed_on_monday(self) -> None:
        assert date(2027, 7, 5) in us_federal_holidays(2027)

    def test_new_year_on_a_saturday_is_observed_on_31_december(self) -> None:
        assert date(2021, 12, 31) in us_federal_holidays(2021)
        assert not is_us_business_day(date(2021, 12, 31))

    def test_juneteenth_starts_in_2021(self) -> None:
        assert date(2020, 6, 19) not in us_federal_holidays(2020)
        assert date(2021, 6, 18) in us_federal_holidays(2021)

    def test_business_days_skip_weekends_and_holidays(self) -> None:
        assert add_us_business_days(date(2026, 11, 25), 1) == date(2026, 11, 27)  # over Thanksgiving
        assert add_us_business_days(date(2026, 11, 27), 1) == date(2026, 11, 30)  # over the weekend
        assert add_us_business_days(date(2026, 11, 27), 0) == date(2026, 11, 27)
        with pytest.raises(ValueError, match="negative"):
            add_us_business_days(date(2026, 11, 27), -1)


class TestValidationPeriod:
    def test_a_notice_sent_on_a_plain_monday_ends_37_days_later(self) -> None:
        assert assumed_receipt(date(2026, 3, 2)) == date(2026, 3, 9)
        assert validation_end(date(2026, 3, 2)) == date(2026, 4, 8)

    def test_holidays_push_the_receipt_date(self) -> None:
        # Sent Monday 23 Nov 2026: Thanksgiving on the 26th makes receipt Tuesday 1 Dec.
        assert assumed_receipt(date(2026, 11, 23)) == date(2026, 12, 1)
        assert validation_end(date(2026, 11, 23)) == date(2026, 12, 31)

    def test_sent_on_a_saturday(self) -> None:
        assert validation_end(date(2026, 6, 13)) == date(2026, 6, 22) + timedelta(days=30)  # skips Juneteenth

    @given(st.dates(min_value=date(2022, 1, 1), max_value=date(2040, 12, 31)))
    def test_never_the_35_day_shorthand(self, sent: date) -> None:
        # Sent on a weekday, five business days span a weekend: at least 37 days. Sent on a weekend the
        # rule still counts five business days from the sending date, so Monday is day 1 (35 or 36 days).
        receipt = assumed_receipt(sent)
        assert (validation_end(sent) - receipt).days == 30
        assert is_us_business_day(receipt)
        between = [sent + timedelta(days=n) for n in range(1, (receipt - sent).days + 1)]
        assert sum(is_us_business_day(day) for day in between) == 5
        if sent.weekday() < 5:
            assert (validation_end(sent) - sent).days >= 37
