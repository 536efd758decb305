"""Limitation periods by jurisdiction: when a debt is time-barred and whether it is extinguished."""

from __future__ import annotations

from datetime import date

import pytest

from recoup.core.compliance import limitation


@pytest.mark.parametrize(
    ("country", "region", "rule", "expires", "extinguishes"),
    [
        ("US", "NY", "US-NY-1", date(2023, 3, 15), False),
        ("AU", "VIC", "AU-05", date(2026, 3, 15), False),
        ("AU", "NT", "AU-05", date(2023, 3, 15), False),
        ("AU", "NSW", "AU-05", date(2026, 3, 15), True),
        ("GB", "ENG", "UK-06", date(2026, 3, 15), False),
        ("GB", "SCT", "UK-06", date(2025, 3, 15), True),
    ],
)
def test_each_jurisdiction_has_its_period(
    country: str, region: str, rule: str, expires: date, extinguishes: bool
) -> None:
    period = limitation(country=country, region=region, accrued_on=date(2020, 3, 15))
    assert (period.rule, period.expires_on, period.extinguishes) == (rule, expires, extinguishes)
    assert not period.time_barred(expires)  # the last day still counts
    assert period.time_barred(date.fromordinal(expires.toordinal() + 1))


def test_a_period_from_29_february_ends_on_28_february() -> None:
    assert limitation(country="US", region="NY", accrued_on=date(2024, 2, 29)).expires_on == date(2027, 2, 28)


def test_an_unconfigured_place_is_unknown_never_guessed() -> None:
    period = limitation(country="US", region="TX", accrued_on=date(2020, 1, 1))
    assert (period.rule, period.expires_on) == ("US-16", None)
    assert not period.time_barred(date(2040, 1, 1))
    assert "confirm before any legal action" in period.basis


def test_a_new_york_business_debt_has_the_six_years_of_a_contract() -> None:
    consumer = limitation(country="US", region="NY", accrued_on=date(2020, 3, 1))
    business = limitation(country="US", region="NY", accrued_on=date(2020, 3, 1), consumer=False)
    assert (consumer.years, consumer.expires_on) == (3, date(2023, 3, 1))
    assert (business.years, business.expires_on, business.rule) == (6, date(2026, 3, 1), "US-16")
    assert limitation(country="GB", region="", accrued_on=date(2020, 3, 1), consumer=False).years == 6
