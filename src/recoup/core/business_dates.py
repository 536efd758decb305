"""Business dates: the calendar day an instant falls on in a named zone, and the bounds of "today".

An instant (`now`, a payment's `received_at`) is the same everywhere; the date it falls on is not.
08:00 on the 15th in Sydney is 22:00 on the 14th in UTC, and 22:00 on the 14th in Los Angeles is
05:00 on the 15th in UTC. Which zone decides a date depends on what the date is for
(docs/decisions/0005-business-dates.md):

- a ledger date (when a charge or payment counts, which aging, interest and plans read) is the
  creditor's business date, in the creditor's business zone;
- a legal clock (a validation period, a limitation period, a breathing space) runs on the debtor's
  dates, in the debtor's zone;
- a date a person typed is refused as "in the future" only when it is later than today anywhere on
  Earth (`latest_date`), so a true entry is never refused for the zone it was typed in.

Nothing here reads the clock: every function takes the instant.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The furthest any civil time runs ahead of and behind UTC (Kiribati's Line Islands, UTC+14; Baker
# Island, UTC-12).
LATEST_OFFSET = timedelta(hours=14)
EARLIEST_OFFSET = timedelta(hours=-12)


class UnknownZone(ValueError):
    """A name that is not an IANA time zone."""


def zone(name: str) -> ZoneInfo:
    """The IANA zone called `name`; UnknownZone, naming it, when there is none."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownZone(f"'{name}' is not an IANA time zone, such as Australia/Sydney or America/New_York") from None


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"{now.isoformat()} has no time zone; pass an aware instant")
    return now


def date_in(now: datetime, zone_name: str) -> date:
    """The calendar date of the instant `now` in the zone called `zone_name`."""
    return _aware(now).astimezone(zone(zone_name)).date()


def latest_date(now: datetime) -> date:
    """Today's date where it is latest (UTC+14): a date after this is in the future everywhere."""
    return (_aware(now).astimezone(UTC) + LATEST_OFFSET).date()


def earliest_date(now: datetime) -> date:
    """Today's date where it is earliest (UTC-12): a date before this is in the past everywhere."""
    return (_aware(now).astimezone(UTC) + EARLIEST_OFFSET).date()
