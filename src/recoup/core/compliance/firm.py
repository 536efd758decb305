"""The firm's own contact policy, applied on top of the law: a contact must pass both, so the stricter wins.

Each limit is optional. Rule IDs are the firm's, not the law's:
- FIRM-HOURS: a narrower daily window per channel, in every zone the person may be in.
- FIRM-DAILY-ATTEMPTS: at most N outbound attempts on the attempt channels per person and debt per
  local day, whatever their outcome (busy and unanswered calls count: they are what dialers re-queue).
- FIRM-SPACING: at least this long between two outbound attempts on the attempt channels.
- FIRM-CONTACT-CAP: at most N contacts (outbound, with an outcome in `contact_outcomes`) on any channel
  in any `contacts_window_days` consecutive local days, per person and debt.
Counting by local day follows the same conservative rule as the law packs: every zone must allow it,
and an unknown zone is counted by the dates of both extreme offsets. With `severity=WARN` the policy
only warns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from recoup.core.compliance.clock import TimeWindow, check_window, describe_local_times
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


class InvalidFirmPolicy(ValueError):
    """A limit that is zero, negative or otherwise cannot be applied."""


DEFAULT_CONTACT_OUTCOMES = frozenset({Outcome.CONNECTED_CONVERSATION, Outcome.VOICEMAIL, Outcome.DELIVERED})


@dataclass(frozen=True)
class FirmPolicy:
    """Configurable firm limits; None switches a limit off. `channel_windows` is not hashed (a mapping)."""

    name: str = "Firm policy"
    channel_windows: Mapping[Channel, TimeWindow] = field(default_factory=dict)
    max_attempts_per_day: int | None = None
    min_spacing: timedelta | None = None
    attempt_channels: frozenset[Channel] = frozenset({Channel.CALL})
    max_contacts: int | None = None
    contacts_window_days: int = 7
    contact_outcomes: frozenset[Outcome] = DEFAULT_CONTACT_OUTCOMES
    severity: Severity = Severity.BLOCK

    def __post_init__(self) -> None:
        if self.max_attempts_per_day is not None and self.max_attempts_per_day < 1:
            raise InvalidFirmPolicy("firm policy: max attempts per day must be at least 1")
        if self.min_spacing is not None and self.min_spacing <= timedelta(0):
            raise InvalidFirmPolicy("firm policy: minimum spacing must be positive")
        if self.max_contacts is not None and self.max_contacts < 1:
            raise InvalidFirmPolicy("firm policy: max contacts must be at least 1")
        if self.contacts_window_days < 1:
            raise InvalidFirmPolicy("firm policy: the contact window must be at least 1 day")

    def check(self, request: ContactRequest, history: Sequence[PastContact]) -> Sequence[Finding]:
        mine = [c for c in history if c.concerns(request) and c.direction is Direction.OUTBOUND]
        findings = self._hours(request)
        if request.channel in self.attempt_channels:
            findings += self._attempts(request, [c for c in mine if c.channel in self.attempt_channels])
        if self.max_contacts is not None:
            contacts = [c.at for c in mine if c.outcome in self.contact_outcomes]
            days = self.contacts_window_days
            until = cap_until(request.at, contacts, request.zones(), limit=self.max_contacts, days=days)
            if until is not None:
                text = f"Our policy allows at most {self.max_contacts} contacts in {days} days; that many happened."
                findings.append(self._finding("FIRM-CONTACT-CAP", text, until))
        return findings

    def allowances(self, request: ContactRequest, history: Sequence[PastContact]) -> Sequence[Allowance]:
        mine = [c for c in history if c.concerns(request) and c.direction is Direction.OUTBOUND]
        zones = request.zones()
        found: list[Allowance] = []
        if request.channel in self.attempt_channels and self.max_attempts_per_day is not None:
            attempts = [c.at for c in mine if c.channel in self.attempt_channels]
            used = count_in_window(request.at, attempts, zones, days=1)
            found.append(Allowance("FIRM-DAILY-ATTEMPTS", "attempts", used, self.max_attempts_per_day, 1))
        if self.max_contacts is not None:
            contacts = [c.at for c in mine if c.outcome in self.contact_outcomes]
            days = self.contacts_window_days
            used = count_in_window(request.at, contacts, zones, days=days)
            found.append(Allowance("FIRM-CONTACT-CAP", "contacts", used, self.max_contacts, days))
        return found

    def _finding(self, rule: str, text: str, until: datetime | None) -> Finding:
        return Finding(self.severity, Reason(rule, text), until)

    def _hours(self, request: ContactRequest) -> list[Finding]:
        window = self.channel_windows.get(request.channel)
        if window is None:
            return []
        zones = request.zones()
        if not zones:
            text = no_location_text(request.channel, f"our policy's {window.describe()}")
            return [self._finding("FIRM-HOURS", text, None)]
        result = check_window(request.at, zones, lambda _day: window)
        if result.inside:
            return []
        text = (
            f"Our policy allows {request.channel.value} contact only {window.describe()} local time; "
            f"it would be {describe_local_times(request.at, zones)}."
        )
        return [self._finding("FIRM-HOURS", text, result.next_allowed)]

    def _attempts(self, request: ContactRequest, attempts: Sequence[PastContact]) -> list[Finding]:
        findings: list[Finding] = []
        times = [a.at for a in attempts]
        if self.max_attempts_per_day is not None:
            until = cap_until(request.at, times, request.zones(), limit=self.max_attempts_per_day, days=1)
            if until is not None:
                text = (
                    f"Our policy allows at most {self.max_attempts_per_day} attempts a day; that many were made today."
                )
                findings.append(self._finding("FIRM-DAILY-ATTEMPTS", text, until))
        if self.min_spacing is not None and times:
            last = max(times)
            if request.at - last < self.min_spacing:
                minutes = int(self.min_spacing.total_seconds() // 60)
                last_text = last.isoformat(timespec="minutes")
                text = f"Our policy needs at least {minutes} minutes between attempts; the last was at {last_text}."
                findings.append(self._finding("FIRM-SPACING", text, last + self.min_spacing))
        return findings
