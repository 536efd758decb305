"""Where the person may be: the time zones the hours rules are judged in, and what to do when nothing
says where they are.

US-01 (§1006.6(b)(1)(i), cmt 6(b)(1)(i)-2): without knowledge to the contrary, a time outside 08:00 to
21:00 in the consumer's location is inconvenient, and with conflicting or ambiguous locations it must
be convenient in all of them. AU-01 and UK-04 also run on the debtor's local time. The rule needs a
location; it never allows assuming one.

**What indicates a location.** Exactly two things:

- the debtor's own time zone (`Debtor.time_zone`: the zone of the postal address, or one recorded for
  the person), when it is not empty;
- a phone number whose place the phone library knows from the number's own area: the library
  classes the number as geographic (`is_number_geographical`: a fixed line, a line that may be fixed
  or mobile such as every North American number with an area code, or a mobile in a country whose
  mobile numbers have areas), **and** its time zone data has an entry for a prefix longer than the
  country calling code (the area code, as "212" New York or "907" Alaska).

Nothing else does. A toll-free number (+1 800...), a premium or personal number, a shared-cost or
VoIP number, a mobile with no area (+61 4..., most of the world's mobiles), a number the library
cannot read, and a geographic number whose area the library does not know all get the country's
whole list of zones (for +1, 42 zones from America/Adak to Pacific/Guam) or none: that list is where
the number *could* be, not where the person is.

**The firm's choice** (`UnknownLocation`, the setting RECOUP_UNKNOWN_LOCATION) applies only when
nothing indicates a location:

- `block` (the default): no zone at all, so every pack whose rule runs on local time blocks the
  contact (US-01, AU-01, FIRM-HOURS) with `no_location_text`, and no time cures it;
- `widest-overlap`: the country-wide lists are used as if they were locations, and the contact is
  allowed where all of those zones' windows overlap (Recoup's behaviour before this setting existed).

When something does indicate a location, both policies give the same zones: the debtor's zone and
every zone each usable number lists (a toll-free number beside an address still adds its country's
zones, as before).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from phonenumbers import timezone as phone_time_zones
from phonenumbers.tzdata import TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX

from recoup.core.compliance.model import Channel

UNKNOWN_ZONE = phone_time_zones.UNKNOWN_TIMEZONE  # "Etc/Unknown": the phone library knows nothing


class UnknownLocation(StrEnum):
    """What the gate does when nothing indicates where the person is (RECOUP_UNKNOWN_LOCATION)."""

    BLOCK = "block"
    WIDEST_OVERLAP = "widest-overlap"


@dataclass(frozen=True)
class NumberPlace:
    """What one phone number says about where its holder is.

    `zones` are the zones the phone library lists for the number (the country's whole list when it knows
    no area; empty when it knows nothing); `located` is True only when they come from the number's own
    area (see the module notes).
    """

    number: str
    zones: tuple[str, ...]
    located: bool


def _area_prefix_known(parsed: phonenumbers.PhoneNumber) -> bool:
    """The time zone data has an entry for a prefix of the number longer than its country calling code."""
    digits = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164).lstrip("+")
    country = str(parsed.country_code)
    longest = min(TIMEZONE_LONGEST_PREFIX, len(digits))
    return any(digits[:length] in TIMEZONE_DATA for length in range(longest, len(country), -1))


def number_place(number: str) -> NumberPlace:
    """Where the phone library places `number` (E.164, as contact points store it)."""
    try:
        parsed = phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        return NumberPlace(number, (), False)
    zones = tuple(z for z in phone_time_zones.time_zones_for_number(parsed) if z != UNKNOWN_ZONE)
    located = bool(zones) and phonenumbers.is_number_geographical(parsed) and _area_prefix_known(parsed)
    return NumberPlace(number, zones, located)


@dataclass(frozen=True)
class Whereabouts:
    """Everything on record that may say where a person is: their own zone and their usable numbers."""

    time_zone: str = ""
    numbers: tuple[NumberPlace, ...] = ()

    @classmethod
    def of(cls, *, time_zone: str, numbers: Sequence[str] = ()) -> Whereabouts:
        return cls(time_zone.strip(), tuple(number_place(n) for n in numbers))

    @property
    def indicates_location(self) -> bool:
        """The debtor's zone is recorded, or a number's area places them (see the module notes)."""
        return bool(self.time_zone) or any(n.located for n in self.numbers)

    def time_zones(self, policy: UnknownLocation) -> tuple[str, ...]:
        """The zones the hours rules must hold in; empty (so time-restricted contact is blocked) when
        nothing indicates a location and the policy is `block`. Never a zone nothing on record names."""
        if not self.indicates_location and policy is UnknownLocation.BLOCK:
            return ()
        zones = [self.time_zone] if self.time_zone else []
        for number in self.numbers:
            zones.extend(number.zones)
        return tuple(dict.fromkeys(zones))


CONTACTING = {
    Channel.CALL: "calling",
    Channel.SMS: "texting",
    Channel.EMAIL: "emailing",
    Channel.LETTER: "writing",
    Channel.VISIT: "visiting",
}


def no_location_text(channel: Channel, hours: str) -> str:
    """The reason a rule on local time gives when the person's location is unknown: what is wrong and
    what to do. `hours` says the window the rule needs ("08:00 to 21:00")."""
    return (
        f"No location known for this debtor: add an address or a time zone before {CONTACTING[channel]}. "
        f"No time can be shown to be within {hours} where they are, and no zone is assumed."
    )
