"""US federal rules (Regulation F) for when and how often a debt collector may contact a consumer.

US-01 (§1006.6(b)(1)(i)): no communication or attempt before 08:00 or from 21:00 local time, in every
time zone the consumer may plausibly be in. The window is read as 08:00 up to, not including, 21:00
(the conservative reading of "after 21:00": a call placed at 21:00 runs past it). An SMS or email is
judged by its sending time. A letter is not checked: its time of posting is not a time of contact.
With no known zone (nothing indicates a location; see `location`) the contact is blocked, with a reason
that asks for an address or a time zone: the rule forbids falling back to a default zone.

US-08 (§1006.14(b)(2)): telephone calls per person and per debt. A call is blocked when 7 counted
calls already fall in the 7 consecutive local days ending on its day (an 8th would make "more than 7
within 7 consecutive days"), and during the 7 days that start with a telephone conversation (the
conversation's day is day 1, so calls are allowed again from the start of day 8). Counted calls are
outbound calls that rang, went to voicemail or connected; calls that never connected do not count.
A conversation the consumer started also opens the quiet period. A call made with the consumer's
prior consent given directly to us within the last 7 days (§1006.14(b)(3)(i)) is excluded from both:
it is not counted, and a proposed call inside such a consent is not limited by them. A conversation
is a conversation whatever call it happened on, so it still opens the quiet period for other calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from recoup.core.compliance.clock import (
    TimeWindow,
    check_window,
    describe_local_times,
    latest_start_of_day,
    local_date,
)
from recoup.core.compliance.counting import cap_until, count_in_window, counting_zones
from recoup.core.compliance.location import no_location_text
from recoup.core.compliance.model import (
    Allowance,
    Channel,
    ContactRequest,
    Direction,
    Finding,
    Outcome,
    PastContact,
    Reason,
    Severity,
)

US_CONTACT_WINDOW = TimeWindow(time(8, 0), time(21, 0))
HOURS_CHANNELS = frozenset({Channel.CALL, Channel.SMS, Channel.EMAIL, Channel.VISIT})
COUNTED_CALL_OUTCOMES = frozenset({Outcome.CONNECTED_CONVERSATION, Outcome.VOICEMAIL, Outcome.NO_ANSWER})
CALL_CAP = 7
CALL_CAP_DAYS = 7
QUIET_DAYS_AFTER_CONVERSATION = 7


def hours_findings(
    request: ContactRequest, window: TimeWindow, *, rule: str, who: str, zones: Sequence[ZoneInfo] | None = None
) -> list[Finding]:
    """One block when the request is outside a fixed daily window in any of the zones (the request's by default)."""
    zones = request.zones() if zones is None else zones
    if not zones:
        # No location: no time cures it, and no default zone is assumed (see location.py).
        return [Finding(Severity.BLOCK, Reason(rule, no_location_text(request.channel, window.describe())), None)]
    result = check_window(request.at, zones, lambda _day: window)
    if result.inside:
        return []
    text = (
        f"{request.channel.value.capitalize()} contact is allowed only {window.describe()} in the {who}'s local time "
        f"in every zone they may be in; it would be {describe_local_times(request.at, zones)}."
    )
    if result.next_allowed is None:
        text += " These zones never share an allowed hour."
    return [Finding(Severity.BLOCK, Reason(rule, text), result.next_allowed)]


@dataclass(frozen=True)
class UsFederal:
    """Regulation F rules US-01 (hours) and US-08 (call frequency)."""

    name: str = "US federal (Regulation F)"

    def check(self, request: ContactRequest, history: Sequence[PastContact]) -> Sequence[Finding]:
        findings: list[Finding] = []
        if request.channel in HOURS_CHANNELS:
            findings += hours_findings(request, US_CONTACT_WINDOW, rule="US-01", who="consumer")
        if request.channel is Channel.CALL and not request.consented:
            findings += self._call_frequency(request, history)
        return findings

    def allowances(self, request: ContactRequest, history: Sequence[PastContact]) -> Sequence[Allowance]:
        if request.channel is not Channel.CALL or request.consented:
            return []
        counted = _counted_calls(request, history)
        used = count_in_window(request.at, counted, request.zones(), days=CALL_CAP_DAYS)
        return [Allowance("US-08", "counted calls", used, CALL_CAP, CALL_CAP_DAYS)]

    def _call_frequency(self, request: ContactRequest, history: Sequence[PastContact]) -> list[Finding]:
        zones = request.zones()
        calls = [c for c in history if c.concerns(request) and c.channel is Channel.CALL]
        findings: list[Finding] = []

        conversations = [c.at for c in calls if c.outcome is Outcome.CONNECTED_CONVERSATION]
        if conversations:
            quiet: list[tuple[date, ZoneInfo]] = []
            for zone in counting_zones(zones):
                today = local_date(request.at, zone)
                last_day = max(local_date(at, zone) for at in conversations)
                if today < last_day + timedelta(days=QUIET_DAYS_AFTER_CONVERSATION):
                    quiet.append((last_day + timedelta(days=QUIET_DAYS_AFTER_CONVERSATION), zone))
            if quiet:
                talk_day = max(day for day, _zone in quiet) - timedelta(days=QUIET_DAYS_AFTER_CONVERSATION)
                resume_day = max(day for day, _zone in quiet)
                text = (
                    f"There was a telephone conversation about this debt on {talk_day:%a %d %b %Y} (local time); "
                    f"counting that as day 1, no call to this person about it until day 8, {resume_day:%a %d %b %Y}."
                )
                findings.append(Finding(Severity.BLOCK, Reason("US-08", text), latest_start_of_day(quiet)))

        counted = _counted_calls(request, history)
        until = cap_until(request.at, counted, zones, limit=CALL_CAP, days=CALL_CAP_DAYS)
        if until is not None:
            text = (
                f"{CALL_CAP} calls to this person about this debt already fall within the 7 days ending today; "
                "an 8th would exceed 7 calls in 7 consecutive days."
            )
            findings.append(Finding(Severity.BLOCK, Reason("US-08", text), until))
        elif count_in_window(request.at, counted, zones, days=CALL_CAP_DAYS) == CALL_CAP - 1:
            text = "This is the 7th call to this person about this debt within 7 days; further calls will be blocked."
            findings.append(Finding(Severity.WARN, Reason("US-08", text)))
        return findings


def _counted_calls(request: ContactRequest, history: Sequence[PastContact]) -> list[datetime]:
    """US-08's counted calls: outbound calls about this debt that rang, went to voicemail or connected,
    not made under the person's prior consent."""
    return [
        c.at
        for c in history
        if c.concerns(request)
        and c.channel is Channel.CALL
        and c.direction is Direction.OUTBOUND
        and c.outcome in COUNTED_CALL_OUTCOMES
        and not c.consented
    ]
