"""The debtor's own times narrow the law's hours (US-01 consumer-designated times, AU-01, UK-04)."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from recoup.core.compliance import Channel, ContactRequest, ContactWish, DebtorWishes, TimeWindow, UsFederal, decide

CHICAGO = ZoneInfo("America/Chicago")
EVENINGS = ContactWish(Channel.CALL, frozenset({0, 1, 2, 3, 4}), TimeWindow(time(18, 0), time(20, 30)))


def call(at: datetime, channel: Channel = Channel.CALL) -> ContactRequest:
    return ContactRequest(channel, at, "p1", "d1", ("America/Chicago",))


def test_a_call_outside_the_wished_hours_waits_for_them() -> None:
    friday_noon = datetime(2026, 6, 12, 12, 0, tzinfo=CHICAGO)
    decision = decide(call(friday_noon), [], [UsFederal(), DebtorWishes((EVENINGS,))])
    assert [r.rule for r in decision.reasons] == ["US-01"]
    assert "call only on Mon, Tue, Wed, Thu, Fri, 18:00 to 20:30" in decision.reasons[0].text
    assert decision.next_allowed == datetime(2026, 6, 12, 18, 0, tzinfo=CHICAGO)


def test_a_weekend_waits_for_monday_evening_and_other_channels_are_free() -> None:
    saturday = datetime(2026, 6, 13, 19, 0, tzinfo=CHICAGO)
    decision = decide(call(saturday), [], [UsFederal(), DebtorWishes((EVENINGS,))])
    assert decision.next_allowed == datetime(2026, 6, 15, 18, 0, tzinfo=CHICAGO)
    assert decide(call(saturday, Channel.EMAIL), [], [UsFederal(), DebtorWishes((EVENINGS,))]).allowed


def test_a_wish_never_widens_the_law() -> None:
    late = ContactWish(None, frozenset(range(7)), TimeWindow(time(20, 0), time(23, 0)))
    at = datetime(2026, 6, 12, 22, 0, tzinfo=CHICAGO)
    decision = decide(call(at), [], [UsFederal(), DebtorWishes((late,))])
    assert not decision.allowed
    assert "US-01" in {r.rule for r in decision.reasons}


def test_a_wish_needs_days() -> None:
    with pytest.raises(ValueError, match="weekdays"):
        ContactWish(None, frozenset(), TimeWindow(time(9, 0), time(17, 0)))
