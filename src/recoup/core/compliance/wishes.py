"""The debtor's own times: "call me only on weekdays after 18:00", "no texts on Fridays".

US-01 requires honouring times the consumer says are inconvenient; AU-01 and UK-04 ask collectors to
respect a debtor's reasonable wishes about when and how to be contacted. Each wish says on which days
and between which hours contact on a channel (or on every channel) is welcome; any other time is
blocked, with the next welcome time. Wishes narrow the law's hours, never widen them: the law's packs
still apply. Letters are not timed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from recoup.core.compliance.clock import TimeWindow, check_window
from recoup.core.compliance.model import Channel, ContactRequest, Finding, PastContact, Reason, Severity

DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


@dataclass(frozen=True)
class ContactWish:
    """Contact on `channel` (None: every channel) is welcome on `weekdays` (0 = Monday) within `window`."""

    channel: Channel | None
    weekdays: frozenset[int]
    window: TimeWindow

    def __post_init__(self) -> None:
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise ValueError("contact wish: weekdays must be some of 0 (Monday) to 6 (Sunday)")

    def describe(self) -> str:
        days = ", ".join(DAY_NAMES[d] for d in sorted(self.weekdays))
        channel = self.channel.value if self.channel else "any channel"
        return f"{channel} only on {days}, {self.window.describe()}"


@dataclass(frozen=True)
class DebtorWishes:
    """The wishes recorded for one person, cited under the jurisdiction's hours rule."""

    wishes: tuple[ContactWish, ...]
    rule: str = "US-01"
    name: str = "The debtor's own times"

    def check(self, request: ContactRequest, history: Sequence[PastContact]) -> Sequence[Finding]:
        if request.channel is Channel.LETTER:
            return []
        zones = request.zones()
        findings: list[Finding] = []
        for wish in self.wishes:
            if wish.channel is not None and wish.channel is not request.channel:
                continue
            if not zones:
                continue  # the law's packs already block an unknown zone

            def welcome(day: date, wish: ContactWish = wish) -> TimeWindow | None:
                return wish.window if day.weekday() in wish.weekdays else None

            result = check_window(request.at, zones, welcome)
            if not result.inside:
                text = f"The debtor asked for contact by {wish.describe()} (their local time)."
                findings.append(Finding(Severity.BLOCK, Reason(self.rule, text), result.next_allowed))
        return findings
