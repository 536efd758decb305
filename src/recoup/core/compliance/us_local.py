"""State and city overlays on top of Regulation F, which the federal rule allows where stricter (§1006.104).

US-MA-1 / US-MA-2 (Massachusetts, 940 CMR 7.04(1)(f) and 209 CMR 18.16(1)(c)-(d)): at most 2
telephone communications, calls or texts, in any 7 consecutive local days per debt. A call counts when
a message could have been left: one that connected, went to voicemail or rang unanswered; one that
never connected (busy, not in service) does not; a delivered text counts. Recoup cannot yet tell a
work number from a personal one, so the stricter personal-number cap applies to every number (the
separate 2-per-30-days cap for other numbers is then always met).

US-NYC-1 (New York City, DCWP rules): at most 3 contacts in any 7 consecutive local days per account,
across all channels. A contact is a call that connected or left a voicemail, or a delivered text,
email or letter; attempts that did not reach the person are not contacts.

Both count only contacts we started, per person and debt, by the same conservative local-day rule as
the federal pack (every zone the person may be in).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from recoup.core.compliance.counting import cap_until, count_in_window
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

MA_CHANNELS = frozenset({Channel.CALL, Channel.SMS})
MA_COUNTED = frozenset({Outcome.CONNECTED_CONVERSATION, Outcome.VOICEMAIL, Outcome.NO_ANSWER, Outcome.DELIVERED})
NYC_CONTACTS = frozenset({Outcome.CONNECTED_CONVERSATION, Outcome.VOICEMAIL, Outcome.DELIVERED})


def _ours(history: Sequence[PastContact], request: ContactRequest) -> list[PastContact]:
    return [c for c in history if c.concerns(request) and c.direction is Direction.OUTBOUND]


@dataclass(frozen=True)
class Massachusetts:
    """US-MA-1 and US-MA-2: 2 calls or texts per 7 days per debt."""

    name: str = "Massachusetts (940 CMR 7.04, 209 CMR 18.16)"
    limit: int = 2
    days: int = 7

    def allowances(self, request: ContactRequest, history: Sequence[PastContact]) -> Sequence[Allowance]:
        if request.channel not in MA_CHANNELS:
            return []
        used = count_in_window(request.at, self._counted(request, history), request.zones(), days=self.days)
        return [Allowance("US-MA-1", "calls or texts", used, self.limit, self.days)]

    def _counted(self, request: ContactRequest, history: Sequence[PastContact]) -> list[datetime]:
        return [c.at for c in _ours(history, request) if c.channel in MA_CHANNELS and c.outcome in MA_COUNTED]

    def check(self, request: ContactRequest, history: Sequence[PastContact]) -> Sequence[Finding]:
        if request.channel not in MA_CHANNELS:
            return []
        counted = self._counted(request, history)
        until = cap_until(request.at, counted, request.zones(), limit=self.limit, days=self.days)
        if until is None:
            return []
        text = (
            f"Massachusetts allows at most {self.limit} calls or texts about a debt in {self.days} days; "
            f"{self.limit} were already made (unanswered calls and voicemails count)."
        )
        return [Finding(Severity.BLOCK, Reason("US-MA-1", text), until)]


@dataclass(frozen=True)
class NewYorkCity:
    """US-NYC-1: 3 contacts per 7 days per account across all channels."""

    name: str = "New York City (DCWP rules)"
    limit: int = 3
    days: int = 7

    def allowances(self, request: ContactRequest, history: Sequence[PastContact]) -> Sequence[Allowance]:
        if request.channel is Channel.VISIT:
            return []
        counted = [c.at for c in _ours(history, request) if c.outcome in NYC_CONTACTS]
        used = count_in_window(request.at, counted, request.zones(), days=self.days)
        return [Allowance("US-NYC-1", "contacts", used, self.limit, self.days)]

    def check(self, request: ContactRequest, history: Sequence[PastContact]) -> Sequence[Finding]:
        if request.channel is Channel.VISIT:
            return []
        counted = [c.at for c in _ours(history, request) if c.outcome in NYC_CONTACTS]
        until = cap_until(request.at, counted, request.zones(), limit=self.limit, days=self.days)
        if until is None:
            return []
        text = (
            f"New York City allows at most {self.limit} contacts about an account in {self.days} days across "
            f"calls, texts, emails and letters; {self.limit} already reached the person."
        )
        return [Finding(Severity.BLOCK, Reason("US-NYC-1", text), until)]
