"""United Kingdom contact hours (UK-04: CONC 7.9, with the MCOB 13.5.4G reasonable hours as the default).

CONC sets no fixed hours and no numeric cap. The pack blocks calls, texts, emails and visits outside
08:00 to 21:00 UK time (Europe/London, whatever zones the request lists; the window runs up to, not
including, 21:00; texts and emails are judged by their sending time). Letters are not checked.
Frequency caps in the UK come from the firm's own policy: combine this pack with a `FirmPolicy`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo

from recoup.core.compliance.clock import TimeWindow
from recoup.core.compliance.model import Channel, ContactRequest, Finding, PastContact
from recoup.core.compliance.us_federal import hours_findings

UK_CONTACT_WINDOW = TimeWindow(time(8, 0), time(21, 0))
UK_HOURS_CHANNELS = frozenset({Channel.CALL, Channel.SMS, Channel.EMAIL, Channel.VISIT})


@dataclass(frozen=True)
class UnitedKingdom:
    """UK-04: the default reasonable-hours window in UK time."""

    name: str = "United Kingdom (FCA CONC 7)"
    time_zone: str = "Europe/London"
    window: TimeWindow = UK_CONTACT_WINDOW

    def check(self, request: ContactRequest, history: Sequence[PastContact]) -> Sequence[Finding]:
        if request.channel not in UK_HOURS_CHANNELS:
            return []
        return hours_findings(request, self.window, rule="UK-04", who="customer", zones=(ZoneInfo(self.time_zone),))
