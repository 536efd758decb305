"""Massachusetts and New York City overlays: stricter caps on top of Regulation F."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from recoup.core.compliance import (
    Channel,
    ContactRequest,
    Direction,
    Massachusetts,
    NewYorkCity,
    Outcome,
    PastContact,
    UsFederal,
    decide,
)

BOSTON = ZoneInfo("America/New_York")


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 6, day, hour, tzinfo=BOSTON)


def request(when: datetime, channel: Channel = Channel.CALL) -> ContactRequest:
    return ContactRequest(channel, when, "p1", "d1", ("America/New_York",))


def past(when: datetime, outcome: Outcome, channel: Channel = Channel.CALL, **kwargs: object) -> PastContact:
    return PastContact(when, channel, "p1", "d1", outcome, **kwargs)  # type: ignore[arg-type]


class TestMassachusetts:
    def test_a_third_call_or_text_in_seven_days_is_blocked_though_federal_law_allows_seven(self) -> None:
        history = [past(at(1, 10), Outcome.NO_ANSWER), past(at(3, 10), Outcome.DELIVERED, Channel.SMS)]
        decision = decide(request(at(5, 10)), history, [UsFederal(), Massachusetts()])
        assert [r.rule for r in decision.reasons] == ["US-MA-1"]
        # The 1 June call leaves the 7-day window at the start of 8 June (local midnight).
        assert decision.next_allowed == datetime(2026, 6, 8, 8, 0, tzinfo=BOSTON)
        assert decide(request(at(5, 10)), history, [UsFederal()]).allowed

    def test_calls_that_never_connected_and_calls_the_debtor_made_do_not_count(self) -> None:
        history = [
            past(at(1, 10), Outcome.NOT_CONNECTED),
            past(at(2, 10), Outcome.NOT_CONNECTED),
            past(at(2, 11), Outcome.CONNECTED_CONVERSATION, direction=Direction.INBOUND),
            past(at(3, 10), Outcome.VOICEMAIL),
        ]
        assert not [f for f in Massachusetts().check(request(at(4, 10)), history)]

    def test_emails_and_letters_are_not_capped_here(self) -> None:
        history = [past(at(1, 10), Outcome.VOICEMAIL), past(at(2, 10), Outcome.VOICEMAIL)]
        assert not Massachusetts().check(request(at(3, 10), Channel.EMAIL), history)


class TestNewYorkCity:
    def test_a_fourth_contact_in_seven_days_across_channels_is_blocked(self) -> None:
        history = [
            past(at(1, 10), Outcome.CONNECTED_CONVERSATION),
            past(at(2, 10), Outcome.DELIVERED, Channel.EMAIL),
            past(at(3, 10), Outcome.DELIVERED, Channel.LETTER),
        ]
        decision = decide(request(at(4, 12), Channel.SMS), history, [UsFederal(), NewYorkCity()])
        assert [r.rule for r in decision.reasons] == ["US-NYC-1"]
        assert decision.next_allowed == datetime(2026, 6, 8, 8, 0, tzinfo=BOSTON)

    def test_attempts_that_did_not_reach_the_person_are_not_contacts(self) -> None:
        history = [past(at(1, 10) + timedelta(hours=n), Outcome.NO_ANSWER) for n in range(5)]
        assert not NewYorkCity().check(request(at(2, 10)), history)
