"""Local wall-clock arithmetic that stays right across daylight-saving changes.

Contact rules are written in the debtor's wall-clock time ("not before 08:00"). Turning such a time
into an instant is ambiguous on the day the clocks go back (the hour happens twice) and impossible on
the day they go forward (the hour is skipped). These helpers resolve both cases conservatively:
a window opens at the latest instant the wall clock could mean and closes at the earliest one, and
a wall time that is skipped maps to the first minute the clock shows it or later.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Interval = tuple[datetime, datetime]  # [start, end) in UTC


@dataclass(frozen=True)
class TimeWindow:
    """Allowed local wall-clock times on one day: from `start` up to, not including, `end`."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"time window: end {self.end} must be after start {self.start}")

    def describe(self) -> str:
        return f"{self.start:%H:%M} to {self.end:%H:%M}"


DayWindow = Callable[[date], TimeWindow | None]  # the window for a local date; None means no contact that day


def local_date(at: datetime, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date()


def wall_to_utc(day: date, wall: time, zone: ZoneInfo, *, opening: bool) -> datetime:
    """The instant the wall clock in `zone` shows `wall` on `day`.

    Ambiguous (repeated) times give the later instant for an opening and the earlier for a closing.
    A skipped time gives the first whole minute at which the clock shows `wall` or later.
    """
    candidates = [datetime.combine(day, wall, tzinfo=zone).replace(fold=fold).astimezone(UTC) for fold in (0, 1)]
    real = [c for c in candidates if c.astimezone(zone).replace(tzinfo=None) == datetime.combine(day, wall)]
    if real:
        return max(real) if opening else min(real)
    # The wall time falls in a gap: walk minute by minute to the first instant the clock reaches it.
    target = datetime.combine(day, wall)
    moment = min(candidates).replace(second=0, microsecond=0)
    while moment.astimezone(zone).replace(tzinfo=None) < target:
        moment += timedelta(minutes=1)
    return moment


def start_of_local_day(day: date, zone: ZoneInfo) -> datetime:
    return wall_to_utc(day, time(0, 0), zone, opening=True)


def allowed_intervals(zone: ZoneInfo, day_window: DayWindow, first: date, last: date) -> list[Interval]:
    """The UTC intervals in which the local clock of `zone` is inside the day's window, `first` to `last`."""
    intervals: list[Interval] = []
    day = first
    while day <= last:
        window = day_window(day)
        if window is not None:
            start = wall_to_utc(day, window.start, zone, opening=True)
            end = wall_to_utc(day, window.end, zone, opening=False)
            if start < end:
                intervals.append((start, end))
        day += timedelta(days=1)
    return intervals


def intersect(left: Sequence[Interval], right: Sequence[Interval]) -> list[Interval]:
    """Instants inside both sorted, non-overlapping interval lists."""
    result: list[Interval] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i][0], right[j][0])
        end = min(left[i][1], right[j][1])
        if start < end:
            result.append((start, end))
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return result


@dataclass(frozen=True)
class WindowCheck:
    inside: bool
    next_allowed: datetime | None  # `at` itself when inside; None when no allowed time within the horizon


def check_window(
    at: datetime, zones: Sequence[ZoneInfo], day_window: DayWindow, *, horizon_days: int = 21
) -> WindowCheck:
    """Whether `at` is inside the window in every zone, and the earliest instant at or after it that is.

    The search runs over whole local days up to `horizon_days` ahead; windows that never overlap (zones
    too far apart) give no next time at all.
    """
    if not zones:
        raise ValueError("check_window: at least one time zone is needed")
    at_utc = at.astimezone(UTC)
    common: list[Interval] | None = None
    for zone in zones:
        today = local_date(at_utc, zone)
        spans = allowed_intervals(zone, day_window, today - timedelta(days=1), today + timedelta(days=horizon_days))
        common = spans if common is None else intersect(common, spans)
    assert common is not None
    for start, end in common:
        if end > at_utc:
            if start <= at_utc:
                return WindowCheck(inside=True, next_allowed=at)
            return WindowCheck(inside=False, next_allowed=start.astimezone(at.tzinfo))
    return WindowCheck(inside=False, next_allowed=None)


def latest_start_of_day(day_in_zone: Sequence[tuple[date, ZoneInfo]]) -> datetime:
    """The latest of several local midnights: the first instant that is on or after the date in every zone."""
    return max(start_of_local_day(day, zone) for day, zone in day_in_zone)


def describe_local_times(at: datetime, zones: Sequence[ZoneInfo]) -> str:
    """ "Wed 2026-06-10 06:30 in America/Los_Angeles, ..." for reasons a collector reads."""
    return ", ".join(f"{at.astimezone(zone):%a %Y-%m-%d %H:%M} in {zone.key}" for zone in zones)
