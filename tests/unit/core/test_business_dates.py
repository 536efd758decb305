"""Business dates: the calendar day an instant falls on in a zone, and the bounds of today."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recoup.core.business_dates import UnknownZone, date_in, earliest_date, latest_date, zone

ZONES = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))


def test_eight_in_the_morning_in_sydney_is_still_the_15th_there_though_it_is_the_14th_in_utc() -> None:
    taken = datetime(2026, 6, 15, 8, 0, tzinfo=ZoneInfo("Australia/Sydney"))
    assert taken.astimezone(UTC).date() == date(2026, 6, 14)
    assert date_in(taken, "Australia/Sydney") == date(2026, 6, 15)


def test_ten_in_the_evening_in_los_angeles_is_still_the_14th_there_though_it_is_the_15th_in_utc() -> None:
    taken = datetime(2026, 6, 14, 22, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert taken.astimezone(UTC).date() == date(2026, 6, 15)
    assert date_in(taken, "America/Los_Angeles") == date(2026, 6, 14)


def test_the_latest_date_is_today_in_kiribati_and_the_earliest_on_baker_island() -> None:
    now = datetime(2026, 6, 14, 11, 0, tzinfo=UTC)
    assert latest_date(now) == date(2026, 6, 15)  # 01:00 on the 15th at UTC+14
    assert earliest_date(now) == date(2026, 6, 13)  # 23:00 on the 13th at UTC-12
    assert date_in(now, "Pacific/Kiritimati") == latest_date(now)


@given(
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)),  # noqa: DTZ001 (hypothesis bounds are naive)
    st.sampled_from(ZONES),
)
def test_every_zones_date_lies_between_the_earliest_and_the_latest(now: datetime, name: str) -> None:
    day = date_in(now, name)
    assert earliest_date(now) <= day <= latest_date(now)
    assert latest_date(now) - earliest_date(now) <= timedelta(days=2)


def test_a_zone_that_does_not_exist_is_refused_by_name() -> None:
    with pytest.raises(UnknownZone, match="'Mars/Olympus' is not an IANA time zone"):
        zone("Mars/Olympus")
    with pytest.raises(UnknownZone, match="'../etc' is not an IANA time zone"):
        date_in(datetime(2026, 1, 1, tzinfo=UTC), "../etc")


def test_an_instant_without_a_zone_is_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError, match="has no time zone"):
        date_in(datetime(2026, 1, 1, 12, 0), "UTC")  # noqa: DTZ001 (the point of the test)
    with pytest.raises(ValueError, match="has no time zone"):
        latest_date(datetime(2026, 1, 1, 12, 0))  # noqa: DTZ001
