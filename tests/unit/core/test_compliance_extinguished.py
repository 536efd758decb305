"""Extinguished debts in the core: where the end of the limitation period extinguishes the debt
(UK-06 Scotland, AU-05 NSW), from which day, what is still allowed, and the accrual date and cutoff the
daily run's SQL compares against."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recoup.core.compliance.limitation import (
    BUSINESS_PERIODS,
    EXTINCTIONS,
    EXTINGUISHED_ALLOWS,
    PERIODS,
    _add_years,
    accrued_by,
    accrued_on,
    extinguished_allows,
    limitation,
)
from recoup.core.compliance.model import Purpose

ACCRUED = date(2020, 3, 15)


class TestWhichDebtsAreExtinguished:
    @pytest.mark.parametrize(
        ("country", "region", "rule", "last_day"),
        [("GB", "SCT", "UK-06", date(2025, 3, 15)), ("AU", "NSW", "AU-05", date(2026, 3, 15))],
    )
    def test_a_scottish_or_nsw_debt_is_extinguished_the_day_after_its_period_ends(
        self, country: str, region: str, rule: str, last_day: date
    ) -> None:
        period = limitation(country=country, region=region, accrued_on=ACCRUED)
        assert period.rule == rule
        assert not period.extinguished(last_day)  # the last day still counts
        assert period.extinguished(last_day + timedelta(days=1))
        assert period.extinguished_on == last_day + timedelta(days=1)

    @pytest.mark.parametrize(
        ("country", "region"), [("GB", "ENG"), ("GB", "WLS"), ("GB", ""), ("AU", "VIC"), ("AU", "NT"), ("US", "NY")]
    )
    def test_a_time_barred_debt_elsewhere_is_not_extinguished(self, country: str, region: str) -> None:
        period = limitation(country=country, region=region, accrued_on=ACCRUED)
        assert period.time_barred(date(2040, 1, 1))
        assert not period.extinguished(date(2040, 1, 1))
        assert period.extinguished_on is None

    def test_an_unknown_period_is_never_extinguished(self) -> None:
        period = limitation(country="US", region="TX", accrued_on=ACCRUED)
        assert not period.extinguished(date(2060, 1, 1))
        assert period.extinguished_on is None

    def test_the_places_that_extinguish_are_scotland_and_nsw_and_no_business_period_overrides_them(self) -> None:
        assert {(p.country, p.region, p.rule, p.years) for p in EXTINCTIONS} == {
            ("GB", "SCT", "UK-06", 5),
            ("AU", "NSW", "AU-05", 6),
        }
        assert not {(p.country, p.region) for p in EXTINCTIONS} & set(BUSINESS_PERIODS)
        assert all(not extinguishes for _r, _y, extinguishes, _b in BUSINESS_PERIODS.values())
        assert all(PERIODS[(p.country, p.region)][2] for p in EXTINCTIONS)

    def test_a_scottish_business_debt_is_extinguished_too(self) -> None:
        period = limitation(country="GB", region="SCT", accrued_on=ACCRUED, consumer=False)
        assert period.extinguished(date(2025, 3, 16))


class TestWhatAnExtinguishedDebtAllows:
    def test_only_the_message_saying_the_debt_is_extinguished(self) -> None:
        assert frozenset({Purpose.EXTINGUISHED_NOTICE}) == EXTINGUISHED_ALLOWS
        assert extinguished_allows(Purpose.EXTINGUISHED_NOTICE)
        for purpose in Purpose:
            if purpose is not Purpose.EXTINGUISHED_NOTICE:
                assert not extinguished_allows(purpose), purpose


class TestAccrual:
    def test_first_delinquency_then_charge_off_then_opening(self) -> None:
        def accrual(first: date | None, charged_off: date | None) -> date:
            return accrued_on(
                first_delinquency=first, charge_off=charged_off, opened=date(2019, 1, 1), country="GB", consumer=True
            )

        assert accrual(date(2020, 1, 1), date(2020, 6, 1)) == date(2020, 1, 1)
        assert accrual(None, date(2020, 6, 1)) == date(2020, 6, 1)
        assert accrual(None, None) == date(2019, 1, 1)

    def test_a_uk_consumer_debt_runs_from_the_default_notices_remedy_end_when_later(self) -> None:
        base: dict[str, Any] = {"first_delinquency": date(2020, 1, 1), "charge_off": None, "opened": date(2019, 1, 1)}
        later = accrued_on(**base, country="GB", consumer=True, default_notice_sent_on=date(2020, 3, 1))
        assert later == date(2020, 3, 15)  # 14 days when none is recorded
        given_days = accrued_on(
            **base, country="GB", consumer=True, default_notice_sent_on=date(2020, 3, 1), default_notice_remedy_days=30
        )
        assert given_days == date(2020, 3, 31)
        earlier = accrued_on(**base, country="GB", consumer=True, default_notice_sent_on=date(2019, 6, 1))
        assert earlier == date(2020, 1, 1)
        business = accrued_on(**base, country="GB", consumer=False, default_notice_sent_on=date(2020, 3, 1))
        assert business == date(2020, 1, 1)
        australian = accrued_on(**base, country="AU", consumer=True, default_notice_sent_on=date(2020, 3, 1))
        assert australian == date(2020, 1, 1)


DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


class TestTheCutoffTheSqlComparesAgainst:
    @given(accrued=DAYS, on=DAYS, years=st.sampled_from([3, 5, 6]))
    def test_a_debt_is_time_barred_exactly_when_it_accrued_on_or_before_the_cutoff(
        self, accrued: date, on: date, years: int
    ) -> None:
        assert (_add_years(accrued, years) < on) == (accrued <= accrued_by(on, years))

    @pytest.mark.parametrize("on", [date(2029, 3, 1), date(2029, 2, 28), date(2028, 2, 29), date(2028, 3, 1)])
    def test_around_29_february(self, on: date) -> None:
        cutoff = accrued_by(on, 5)
        assert _add_years(cutoff, 5) < on
        assert _add_years(cutoff + timedelta(days=1), 5) >= on
