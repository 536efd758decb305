"""Australian contact rules from the ACCC/ASIC debt collection guideline (Guidance, enforced as BLOCK).

AU-01 (§4 hours of contact), in the debtor's state or territory local time (the request's zones; with
several, every one must allow it; with none, the contact is blocked). Calls, texts and emails use the
phone window: Monday to Friday 07:30 to 21:00, weekends 09:00 to 21:00; texts and emails are judged by
their sending time. Visits use 09:00 to 21:00 every day. Nothing on a national public holiday
(see `calendars.australian_national_holidays`; state-only holidays are not included). Letters are
not checked. Each window runs up to, not including, 21:00.

AU-02 (§5 frequency): at most 3 actual contacts in any 7 consecutive local days and 10 in any 30
consecutive local days, per person and account. "Month" is read as a rolling 30 days so the cap can
never be reset by a calendar boundary (a calendar month would allow 10 on 31 March and 10 on 1 April).
An actual contact is an outbound call that connected to a conversation or left a voicemail (a message
that reached the debtor; counted to be safe), or a text, email or letter that was delivered.
Unanswered and unconnected attempts are not contacts, contacts the debtor started are not counted, and
visits are dealt with separately by the guideline, so they are neither counted nor capped here.
Proposed calls, texts, emails and letters are blocked once the cap is reached, since each may become
a contact. Excessive attempts are left to firm policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from recoup.core.compliance.calendars import SATURDAY, australian_national_holidays
from recoup.core.compliance.clock import TimeWindow, check_window, describe_local_times, local_date
from recoup.core.compliance.counting import cap_until, count_in_window
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

PHONE_WEEKDAY = TimeWindow(time(7, 30), time(21, 0))
PHONE_WEEKEND = TimeWindow(time(9, 0), time(21, 0))
VISIT_WINDOW = TimeWindow(time(9, 0), time(21, 0))
PHONE_CHANNELS = frozenset({Channel.CALL, Channel.SMS, Channel.EMAIL})
CAPPED_CHANNELS = frozenset({Channel.CALL, Channel.SMS, Channel.EMAIL, Channel.LETTER})
ACTUAL_CONTACT_OUTCOMES = frozenset({Outcome.CONNECTED_CONVERSATION, Outcome.VOICEMAIL, Outcome.DELIVERED})
CAPS: tuple[tuple[int, int], ...] = ((3, 7), (10, 30))  # (contacts, consecutive days)


def holiday_name(day: date) -> str | None:
    return australian_national_holidays(day.year).get(day)


def phone_window(day: date) -> TimeWindow | None:
    if holiday_name(day) is not None:
        return None
    return PHONE_WEEKEND if day.weekday() >= SATURDAY else PHONE_WEEKDAY


def visit_window(day: date) -> TimeWindow | None:
    return None if holiday_name(day) is not None else VISIT_WINDOW


def is_actual_contact(contact: PastContact) -> bool:
    return (
        contact.direction is Direction.OUTBOUND
        and contact.channel is not Channel.VISIT
        and contact.outcome in ACTUAL_CONTACT_OUTCOMES
    )


@dataclass(frozen=True)
class Australia:
    """ACCC/ASIC guideline rules AU-01 (hours) and AU-02 (contact frequency)."""

    name: str = "Australia (ACCC/ASIC guideline)"

    def check(self, request: ContactRequest, history: Sequence[PastContact]) -> Sequence[Finding]:
        findings: list[Finding] = []
        if request.channel in PHONE_CHANNELS or request.channel is Channel.VISIT:
            findings += self._hours(request)
        if request.channel in CAPPED_CHANNELS:
            findings += self._frequency(request, history)
        return findings

    def _hours(self, request: ContactRequest) -> list[Finding]:
        zones = request.zones()
        visit = request.channel is Channel.VISIT
        rules = (
            "09:00 to 21:00 every day" if visit else "07:30 to 21:00 Monday to Friday and 09:00 to 21:00 on weekends"
        )
        if not zones:
            return [Finding(Severity.BLOCK, Reason("AU-01", no_location_text(request.channel, rules)), None)]
        result = check_window(request.at, zones, visit_window if visit else phone_window)
        if result.inside:
            return []
        local_days = {local_date(request.at, zone) for zone in zones}
        holidays = sorted(f"{name} ({day:%Y-%m-%d})" for day in local_days if (name := holiday_name(day)))
        kind = "Visits" if visit else "Calls, texts and emails"
        text = f"{kind} are allowed {rules} in the debtor's local time, never on a national public holiday; "
        text += f"it would be {describe_local_times(request.at, zones)}"
        text += f", which is {', '.join(holidays)}." if holidays else "."
        return [Finding(Severity.BLOCK, Reason("AU-01", text), result.next_allowed)]

    def allowances(self, request: ContactRequest, history: Sequence[PastContact]) -> Sequence[Allowance]:
        if request.channel not in CAPPED_CHANNELS:
            return []
        contacts: list[datetime] = [c.at for c in history if c.concerns(request) and is_actual_contact(c)]
        return [
            Allowance(
                "AU-02",
                "actual contacts",
                count_in_window(request.at, contacts, request.zones(), days=days),
                limit,
                days,
            )
            for limit, days in CAPS
        ]

    def _frequency(self, request: ContactRequest, history: Sequence[PastContact]) -> list[Finding]:
        contacts: list[datetime] = [c.at for c in history if c.concerns(request) and is_actual_contact(c)]
        findings: list[Finding] = []
        for limit, days in CAPS:
            until = cap_until(request.at, contacts, request.zones(), limit=limit, days=days)
            if until is not None:
                text = (
                    f"This account already had {limit} actual contacts with the debtor in the {days} days ending "
                    f"today; the guideline recommends at most {limit} per {'week' if days == 7 else 'month'}."
                )
                findings.append(Finding(Severity.BLOCK, Reason("AU-02", text), until))
        return findings
