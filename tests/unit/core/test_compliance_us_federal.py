"""Regulation F: contact hours in every plausible zone (US-01) and call frequency (US-08)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from recoup.core.compliance import (
    Channel,
    ContactRequest,
    Direction,
    InvalidContact,
    Outcome,
    PastContact,
    UsFederal,
    decide,
)

NY = ZoneInfo("America/New_York")
LA = ZoneInfo("America/Los_Angeles")
US = [UsFederal()]


def ny(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NY)


def call(
    at: datetime, *zones: str, channel: Channel = Channel.CALL, person: str = "p1", debt: str = "d1"
) -> ContactRequest:
    return ContactRequest(
        channel=channel, at=at, person_id=person, debt_id=debt, time_zones=zones or ("America/New_York",)
    )


def past(
    at: datetime,
    outcome: Outcome = Outcome.NO_ANSWER,
    *,
    person: str = "p1",
    debt: str = "d1",
    direction: Direction = Direction.OUTBOUND,
    channel: Channel = Channel.CALL,
) -> PastContact:
    return PastContact(at=at, channel=channel, person_id=person, debt_id=debt, outcome=outcome, direction=direction)


class TestContactHours:
    @pytest.mark.parametrize(
        ("hour", "minute", "allowed"), [(7, 59, False), (8, 0, True), (20, 59, True), (21, 0, False)]
    )
    def test_the_window_is_eight_to_nine_local_time(self, hour: int, minute: int, allowed: bool) -> None:
        decision = decide(call(ny(2026, 6, 10, hour, minute)), [], US)
        assert decision.allowed is allowed
        if not allowed:
            assert [r.rule for r in decision.reasons] == ["US-01"]

    def test_after_nine_the_next_allowed_time_is_eight_the_next_morning(self) -> None:
        decision = decide(call(ny(2026, 6, 10, 21, 30)), [], US)
        assert decision.next_allowed == ny(2026, 6, 11, 8, 0)

    def test_an_allowed_contact_is_allowed_at_its_own_time(self) -> None:
        decision = decide(call(ny(2026, 6, 10, 9, 0)), [], US)
        assert decision.allowed
        assert decision.reasons == ()
        assert decision.next_allowed == ny(2026, 6, 10, 9, 0)

    def test_area_code_and_address_in_different_zones_give_eleven_to_nine_new_york_time(self) -> None:
        zones = ("America/Los_Angeles", "America/New_York")
        early = decide(call(ny(2026, 6, 10, 10, 59), *zones), [], US)
        assert not early.allowed
        assert early.next_allowed == ny(2026, 6, 10, 11, 0)
        assert "America/Los_Angeles" in early.reasons[0].text
        assert decide(call(ny(2026, 6, 10, 11, 0), *zones), [], US).allowed
        assert decide(call(ny(2026, 6, 10, 20, 59), *zones), [], US).allowed
        late = decide(call(ny(2026, 6, 10, 21, 0), *zones), [], US)
        assert late.next_allowed == ny(2026, 6, 11, 11, 0)

    def test_an_unknown_zone_is_blocked_and_time_cannot_cure_it(self) -> None:
        request = ContactRequest(Channel.CALL, ny(2026, 6, 10, 12), "p1", "d1", time_zones=())
        decision = decide(request, [], US)
        assert not decision.allowed
        assert decision.next_allowed is None
        assert decision.reasons[0].rule == "US-01"
        assert "No location known for this debtor: add an address or a time zone" in decision.reasons[0].text
        assert "no zone is assumed" in decision.reasons[0].text

    def test_spring_forward_night_the_window_opens_at_eight_daylight_time(self) -> None:
        # 2026-03-08: New York clocks jump from 02:00 EST to 03:00 EDT.
        at = datetime(2026, 3, 8, 6, 30, tzinfo=UTC)  # 01:30 EST
        decision = decide(call(at), [], US)
        assert decision.next_allowed == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # 08:00 EDT
        assert decision.next_allowed.astimezone(NY).hour == 8

    def test_fall_back_night_the_window_opens_at_eight_standard_time(self) -> None:
        # 2026-11-01: New York clocks go back from 02:00 EDT to 01:00 EST.
        at = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT, the first of two 01:30s
        decision = decide(call(at), [], US)
        assert decision.next_allowed == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)  # 08:00 EST

    def test_on_the_fall_back_day_nine_pm_is_in_standard_time(self) -> None:
        assert decide(call(datetime(2026, 11, 2, 1, 59, tzinfo=UTC)), [], US).allowed  # 20:59 EST
        assert not decide(call(datetime(2026, 11, 2, 2, 0, tzinfo=UTC)), [], US).allowed  # 21:00 EST

    def test_dst_dates_differ_between_zones_when_both_apply(self) -> None:
        # 2026-03-29 London is on summer time, New York already since 03-08: window for both is
        # 08:00-21:00 New York and 08:00-21:00 London, which share 08:00-16:00 New York time.
        zones = ("Europe/London", "America/New_York")
        assert decide(call(ny(2026, 3, 30, 15, 59), *zones), [], US).allowed
        decision = decide(call(ny(2026, 3, 30, 16, 0), *zones), [], US)
        assert decision.next_allowed == ny(2026, 3, 31, 8, 0)

    def test_an_email_is_judged_by_its_sending_time(self) -> None:
        decision = decide(call(ny(2026, 6, 10, 22, 15), channel=Channel.EMAIL), [], US)
        assert not decision.allowed
        assert decision.next_allowed == ny(2026, 6, 11, 8, 0)
        assert not decide(call(ny(2026, 6, 10, 6, 0), channel=Channel.SMS), [], US).allowed

    def test_a_letter_has_no_contact_hours(self) -> None:
        assert decide(call(ny(2026, 6, 10, 23, 0), channel=Channel.LETTER), [], US).allowed

    def test_a_naive_time_or_an_unknown_zone_name_is_refused(self) -> None:
        with pytest.raises(InvalidContact, match="no time zone"):
            ContactRequest(Channel.CALL, datetime(2026, 6, 10, 12), "p1", "d1", ("America/New_York",))  # noqa: DTZ001
        with pytest.raises(InvalidContact, match="unknown time zone"):
            ContactRequest(Channel.CALL, ny(2026, 6, 10), "p1", "d1", ("America/Nowhere",))


class TestCallFrequency:
    def test_no_call_on_days_one_to_seven_after_a_conversation_and_calls_again_on_day_eight(self) -> None:
        history = [past(ny(2026, 6, 1, 10), Outcome.CONNECTED_CONVERSATION)]  # day 1 is Monday 1 June
        later_same_day = decide(call(ny(2026, 6, 1, 15)), history, US)
        assert not later_same_day.allowed
        for day in range(2, 8):
            decision = decide(call(ny(2026, 6, day, 12)), history, US)
            assert not decision.allowed, day
            assert [r.rule for r in decision.reasons] == ["US-08"]
            assert decision.next_allowed == ny(2026, 6, 8, 8, 0)
        assert decide(call(ny(2026, 6, 8, 8, 0)), history, US).allowed

    def test_a_conversation_the_consumer_started_also_opens_the_quiet_period(self) -> None:
        history = [past(ny(2026, 6, 1, 10), Outcome.CONNECTED_CONVERSATION, direction=Direction.INBOUND)]
        assert not decide(call(ny(2026, 6, 4)), history, US).allowed

    def test_the_quiet_period_does_not_stop_emails_or_texts(self) -> None:
        history = [past(ny(2026, 6, 1, 10), Outcome.CONNECTED_CONVERSATION)]
        assert decide(call(ny(2026, 6, 2), channel=Channel.EMAIL), history, US).allowed
        assert decide(call(ny(2026, 6, 2), channel=Channel.SMS), history, US).allowed

    def test_the_eighth_call_within_seven_days_is_blocked(self) -> None:
        outcomes = [Outcome.NO_ANSWER, Outcome.VOICEMAIL] * 4
        history = [past(ny(2026, 6, day, 10), outcomes[day]) for day in range(1, 8)]  # 1 to 7 June
        decision = decide(call(ny(2026, 6, 7, 15)), history, US)
        assert not decision.allowed
        assert "8th" in decision.reasons[0].text
        # 2 June to 8 June holds six of them, so the next call may go on 8 June at 08:00.
        assert decision.next_allowed == ny(2026, 6, 8, 8, 0)
        assert decide(call(ny(2026, 6, 8, 8, 0)), history, US).allowed

    def test_seven_calls_on_one_day_block_the_rest_of_the_week(self) -> None:
        history = [past(ny(2026, 6, 1, 9) + timedelta(minutes=10 * n)) for n in range(7)]
        decision = decide(call(ny(2026, 6, 3, 12)), history, US)
        assert decision.next_allowed == ny(2026, 6, 8, 8, 0)

    def test_calls_that_never_connected_do_not_count(self) -> None:
        counted = [past(ny(2026, 6, day, 10), Outcome.VOICEMAIL) for day in range(1, 7)]
        busy = [past(ny(2026, 6, day, 11), Outcome.NOT_CONNECTED) for day in range(1, 7)]
        decision = decide(call(ny(2026, 6, 7, 12)), counted + busy, US)
        assert decision.allowed
        assert [w.rule for w in decision.warnings] == ["US-08"]  # the 7th: the next will be blocked

    def test_calls_are_counted_per_person_and_per_debt(self) -> None:
        other_debt = [past(ny(2026, 6, day, 10), debt="d2") for day in range(1, 8)]
        other_person = [past(ny(2026, 6, day, 11), person="p2") for day in range(1, 8)]
        texts = [past(ny(2026, 6, day, 12), Outcome.DELIVERED, channel=Channel.SMS) for day in range(1, 8)]
        assert decide(call(ny(2026, 6, 7, 15)), other_debt + other_person + texts, US).allowed

    def test_with_two_zones_the_later_date_of_a_conversation_is_used(self) -> None:
        # 23:30 on 1 June in Los Angeles is already 2 June in New York: day 8 is 9 June there.
        conversation = datetime(2026, 6, 1, 23, 30, tzinfo=LA)
        history = [past(conversation, Outcome.CONNECTED_CONVERSATION, direction=Direction.INBOUND)]
        zones = ("America/Los_Angeles", "America/New_York")
        decision = decide(call(ny(2026, 6, 8, 12), *zones), history, US)
        assert not decision.allowed
        assert decision.next_allowed == ny(2026, 6, 9, 11, 0)

    def test_hours_and_frequency_reasons_are_both_given(self) -> None:
        history = [past(ny(2026, 6, 1, 10), Outcome.CONNECTED_CONVERSATION)]
        decision = decide(call(ny(2026, 6, 2, 22)), history, US)
        assert {r.rule for r in decision.reasons} == {"US-01", "US-08"}
        assert decision.next_allowed == ny(2026, 6, 8, 8, 0)

    def test_contacts_logged_after_the_proposed_time_are_ignored(self) -> None:
        history = [past(ny(2026, 6, 2, 10), Outcome.CONNECTED_CONVERSATION)]
        assert decide(call(ny(2026, 6, 1, 12)), history, US).allowed


class TestOneCallAboutSeveralDebts:
    """US-08 counts calls per person per debt: a call about two debts counts toward each."""

    def about_both(self, at: datetime) -> PastContact:
        return PastContact(
            at=at, channel=Channel.CALL, person_id="p1", debt_id="d1", outcome=Outcome.NO_ANSWER, also_about=("d2",)
        )

    def test_seven_calls_about_two_debts_use_up_both_debts_allowances(self) -> None:
        history = [self.about_both(ny(2026, 6, 1 + day, 10)) for day in range(7)]
        for debt in ("d1", "d2"):
            decision = decide(call(ny(2026, 6, 7, 15), debt=debt), history, US)
            assert not decision.allowed, debt
            assert [r.rule for r in decision.reasons] == ["US-08"]
        assert decide(call(ny(2026, 6, 7, 15), debt="d3"), history, US).allowed  # a debt not mentioned

    def test_the_call_is_counted_once_per_debt_not_twice(self) -> None:
        history = [self.about_both(ny(2026, 6, 1 + day, 10)) for day in range(6)]
        assert decide(call(ny(2026, 6, 7, 15), debt="d1"), history, US).allowed  # 6 of 7, not 12
        assert self.about_both(ny(2026, 6, 1)).debts == ("d1", "d2")

    def test_a_conversation_about_both_debts_starts_the_seven_day_wait_on_each(self) -> None:
        talked = PastContact(
            at=ny(2026, 6, 1, 10),
            channel=Channel.CALL,
            person_id="p1",
            debt_id="d1",
            outcome=Outcome.CONNECTED_CONVERSATION,
            also_about=("d2",),
        )
        for debt in ("d1", "d2"):
            decision = decide(call(ny(2026, 6, 4, 15), debt=debt), [talked], US)
            assert not decision.allowed, debt
        assert decide(call(ny(2026, 6, 4, 15), debt="d3"), [talked], US).allowed
