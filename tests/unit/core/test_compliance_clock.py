"""Wall-clock windows across daylight-saving changes, to the minute."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from recoup.core.compliance.clock import TimeWindow, check_window, intersect, wall_to_utc

NY = ZoneInfo("America/New_York")


class TestWallToUtc:
    def test_a_skipped_time_maps_to_the_first_minute_the_clock_shows_it(self) -> None:
        # 2026-03-08 02:30 never happens in New York: the clock jumps from 01:59 EST to 03:00 EDT.
        assert wall_to_utc(date(2026, 3, 8), time(2, 30), NY, opening=True) == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
        assert wall_to_utc(date(2026, 3, 8), time(2, 30), NY, opening=False) == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)

    def test_a_repeated_time_opens_late_and_closes_early(self) -> None:
        # 2026-11-01 01:30 happens twice in New York: 05:30 UTC (EDT) and 06:30 UTC (EST).
        assert wall_to_utc(date(2026, 11, 1), time(1, 30), NY, opening=True) == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
        assert wall_to_utc(date(2026, 11, 1), time(1, 30), NY, opening=False) == datetime(
            2026, 11, 1, 5, 30, tzinfo=UTC
        )

    def test_a_window_inside_the_skipped_hour_is_empty_that_day(self) -> None:
        window = TimeWindow(time(2, 10), time(2, 50))
        at = datetime(2026, 3, 8, 6, 0, tzinfo=UTC)  # 01:00 EST on the spring-forward day
        result = check_window(at, [NY], lambda _day: window)
        assert result.next_allowed == datetime(2026, 3, 9, 2, 10, tzinfo=NY)

    def test_a_window_over_the_repeated_hour_is_as_short_as_the_conservative_reading(self) -> None:
        window = TimeWindow(time(1, 30), time(1, 45))
        at = datetime(2026, 11, 1, 5, 0, tzinfo=UTC)  # 01:00 EDT, before both 01:30s
        result = check_window(at, [NY], lambda _day: window)
        # Opens at the second 01:30 (EST) but closes at the first 01:45 (EDT): empty, so the next day.
        assert result.next_allowed == datetime(2026, 11, 2, 1, 30, tzinfo=NY)


class TestIntervals:
    def test_intersection_keeps_only_shared_time(self) -> None:
        def at(hour: int) -> datetime:
            return datetime(2026, 1, 1, hour, tzinfo=UTC)

        assert intersect([(at(1), at(5)), (at(8), at(12))], [(at(4), at(9))]) == [(at(4), at(5)), (at(8), at(9))]
        assert intersect([(at(1), at(2))], [(at(2), at(3))]) == []

    def test_check_window_needs_a_zone(self) -> None:
        with pytest.raises(ValueError, match="time zone"):
            check_window(datetime(2026, 1, 1, tzinfo=UTC), [], lambda _day: None)
