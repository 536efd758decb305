"""Counting past contacts in windows of consecutive local days, as the frequency rules do.

A window of N consecutive days is a run of N calendar dates in the debtor's local time. When the
person may be in several zones, a contact can fall on different dates in each, so every zone is
checked and the contact is blocked if any zone's count is at the cap (the conservative reading).
Only contacts at or before the proposed time are given to these helpers, so the window that ends
on the proposed day is always the fullest one that contains it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from recoup.core.compliance.clock import latest_start_of_day, local_date

# When the person's zone is unknown, counting by the dates of the two most extreme offsets in use
# (UTC-12 and UTC+14) covers every date a contact could have had anywhere.
EXTREME_ZONES: tuple[ZoneInfo, ...] = (ZoneInfo("Etc/GMT+12"), ZoneInfo("Etc/GMT-14"))


def counting_zones(zones: Sequence[ZoneInfo]) -> tuple[ZoneInfo, ...]:
    return tuple(zones) if zones else EXTREME_ZONES


def cap_until(
    at: datetime, events: Sequence[datetime], zones: Sequence[ZoneInfo], *, limit: int, days: int
) -> datetime | None:
    """None when one more contact at `at` keeps every `days`-day window under `limit` counted events;
    otherwise the first local midnight (latest over the zones) from which it would.
    """
    blocked: list[tuple[date, ZoneInfo]] = []
    for zone in counting_zones(zones):
        today = local_date(at, zone)
        first_day = today - timedelta(days=days - 1)
        dates = sorted(
            (d for d in (local_date(e, zone) for e in events) if first_day <= d <= today),
            reverse=True,
        )
        if len(dates) >= limit:
            # The window stops holding `limit` events the day after the limit-th most recent one leaves it.
            blocked.append((dates[limit - 1] + timedelta(days=days), zone))
    return latest_start_of_day(blocked) if blocked else None


def count_in_window(at: datetime, events: Sequence[datetime], zones: Sequence[ZoneInfo], *, days: int) -> int:
    """The largest number of events, over the zones, in the `days` local days ending with `at`'s day."""
    best = 0
    for zone in counting_zones(zones):
        today = local_date(at, zone)
        first_day = today - timedelta(days=days - 1)
        best = max(best, sum(1 for e in events if first_day <= local_date(e, zone) <= today))
    return best
