"""Australia: hours of contact (AU-01) and frequency of actual contact (AU-02)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from recoup.core.compliance import Australia, Channel, ContactRequest, Direction, Outcome, PastContact, decide

SYD = ZoneInfo("Australia/Sydney")
AU = [Australia()]


def syd(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SYD)


def contact(at: datetime, channel: Channel = Channel.CALL, *zones: str) -> ContactRequest:
    return ContactRequest(channel, at, "p1", "acct1", zones or ("Australia/Sydney",))


def past(
    at: datetime,
    outcome: Outcome = Outcome.CONNECTED_CONVERSATION,
    channel: Channel = Channel.CALL,
    direction: Direction = Direction.OUTBOUND,
) -> PastContact:
    return PastContact(at, channel, "p1", "acct1", outcome, direction)


class TestHoursOfContact:
    @pytest.mark.parametrize(
        ("at", "allowed"),
        [
            (syd(2026, 6, 10, 7, 29), False),  # Wednesday
            (syd(2026, 6, 10, 7, 30), True),
            (syd(2026, 6, 10, 20, 59), True),
            (syd(2026, 6, 10, 21, 0), False),
            (syd(2026, 6, 13, 8, 59), False),  # Saturday
            (syd(2026, 6, 13, 9, 0), True),
            (syd(2026, 6, 14, 8, 0), False),  # Sunday
        ],
    )
    def test_weekdays_open_at_half_past_seven_and_weekends_at_nine(self, at: datetime, allowed: bool) -> None:
        decision = decide(contact(at), [], AU)
        assert decision.allowed is allowed
        if not allowed:
            assert [r.rule for r in decision.reasons] == ["AU-01"]

    def test_friday_night_waits_for_saturday_at_nine(self) -> None:
        assert decide(contact(syd(2026, 6, 12, 21, 30)), [], AU).next_allowed == syd(2026, 6, 13, 9, 0)

    @pytest.mark.parametrize(
        ("holiday", "name"),
        [
            (syd(2026, 4, 3), "Good Friday"),
            (syd(2026, 4, 6), "Easter Monday"),
            (syd(2027, 3, 26), "Good Friday"),
            (syd(2027, 3, 29), "Easter Monday"),
            (syd(2026, 4, 25), "Anzac Day"),
            (syd(2026, 1, 26), "Australia Day"),
        ],
    )
    def test_no_contact_on_a_national_public_holiday(self, holiday: datetime, name: str) -> None:
        decision = decide(contact(holiday), [], AU)
        assert not decision.allowed
        assert name in decision.reasons[0].text

    def test_good_friday_2026_pushes_thursday_night_to_saturday(self) -> None:
        assert decide(contact(syd(2026, 4, 2, 21, 30)), [], AU).next_allowed == syd(2026, 4, 4, 9, 0)

    def test_easter_monday_2027_pushes_sunday_night_to_tuesday(self) -> None:
        assert decide(contact(syd(2027, 3, 28, 21, 30)), [], AU).next_allowed == syd(2027, 3, 30, 7, 30)

    def test_christmas_on_a_saturday_2027_closes_saturday_to_tuesday(self) -> None:
        for day in (25, 26, 27, 28):
            assert not decide(contact(syd(2027, 12, day)), [], AU).allowed, day
        assert decide(contact(syd(2027, 12, 24, 21, 0)), [], AU).next_allowed == syd(2027, 12, 29, 7, 30)

    def test_anzac_day_on_a_saturday_has_no_monday_substitute(self) -> None:
        assert decide(contact(syd(2026, 4, 27, 8, 0)), [], AU).allowed

    def test_daylight_saving_ends_on_easter_sunday_2026(self) -> None:
        # 2026-04-05 03:00 AEDT becomes 02:00 AEST; the Sunday window opens at 09:00 AEST.
        at = datetime(2026, 4, 4, 21, 0, tzinfo=UTC)  # 07:00 AEST on Sunday 5 April
        assert decide(contact(at), [], AU).next_allowed == datetime(2026, 4, 4, 23, 0, tzinfo=UTC)

    def test_daylight_saving_starts_in_october(self) -> None:
        # 2026-10-04 02:00 AEST becomes 03:00 AEDT; Saturday night waits for 09:00 AEDT on Sunday.
        at = datetime(2026, 10, 3, 11, 30, tzinfo=UTC)  # 21:30 AEST on Saturday 3 October
        assert decide(contact(at), [], AU).next_allowed == datetime(2026, 10, 3, 22, 0, tzinfo=UTC)

    def test_states_in_different_zones_must_both_be_in_hours(self) -> None:
        # Perth is 3 hours behind Sydney in January (Sydney on daylight time, Perth never is).
        zones = ("Australia/Sydney", "Australia/Perth")
        decision = decide(contact(syd(2026, 1, 14, 9, 0), Channel.CALL, *zones), [], AU)
        assert not decision.allowed
        assert decision.next_allowed == syd(2026, 1, 14, 10, 30)

    def test_visits_are_nine_to_nine_every_day(self) -> None:
        decision = decide(contact(syd(2026, 6, 10, 8, 0), Channel.VISIT), [], AU)
        assert decision.next_allowed == syd(2026, 6, 10, 9, 0)
        assert "Visits" in decision.reasons[0].text

    def test_an_email_is_judged_by_its_sending_time_and_a_letter_is_not(self) -> None:
        assert not decide(contact(syd(2026, 6, 10, 22, 0), Channel.EMAIL), [], AU).allowed
        assert decide(contact(syd(2026, 6, 10, 22, 0), Channel.LETTER), [], AU).allowed

    def test_an_unknown_state_is_blocked(self) -> None:
        decision = decide(ContactRequest(Channel.CALL, syd(2026, 6, 10), "p1", "acct1"), [], AU)
        assert not decision.allowed
        assert decision.next_allowed is None


class TestFrequencyOfContact:
    def test_the_fourth_actual_contact_in_a_week_is_blocked(self) -> None:
        history = [
            past(syd(2026, 6, 1, 10)),
            past(syd(2026, 6, 2, 10), Outcome.DELIVERED, Channel.SMS),
            past(syd(2026, 6, 3, 10), Outcome.DELIVERED, Channel.LETTER),
        ]
        decision = decide(contact(syd(2026, 6, 5, 10)), history, AU)
        assert not decision.allowed
        assert [r.rule for r in decision.reasons] == ["AU-02"]
        # 1 June leaves the 7-day window on 8 June.
        assert decision.next_allowed == syd(2026, 6, 8, 7, 30)

    def test_attempts_and_contacts_the_debtor_started_do_not_count(self) -> None:
        history = [past(syd(2026, 6, 1, 10 + n), Outcome.NO_ANSWER) for n in range(5)]
        history += [past(syd(2026, 6, 2, 10 + n), Outcome.NOT_CONNECTED) for n in range(5)]
        history += [past(syd(2026, 6, 3, 10 + n), direction=Direction.INBOUND) for n in range(5)]
        history += [past(syd(2026, 6, 4, 10)), past(syd(2026, 6, 4, 11), Outcome.VOICEMAIL)]
        assert decide(contact(syd(2026, 6, 5, 10)), history, AU).allowed

    def test_the_eleventh_contact_in_thirty_days_is_blocked(self) -> None:
        # Ten contacts, three a week at most, from 1 June to 24 June.
        days = [1, 2, 3, 8, 9, 10, 15, 16, 17, 24]
        history = [past(syd(2026, 6, day, 10)) for day in days]
        decision = decide(contact(syd(2026, 6, 29, 10)), history, AU)
        assert not decision.allowed
        assert "10 actual contacts" in decision.reasons[0].text
        assert decision.next_allowed == syd(2026, 7, 1, 7, 30)  # 1 June leaves the 30 days on 1 July

    def test_visits_are_neither_counted_nor_capped(self) -> None:
        history = [past(syd(2026, 6, day, 10)) for day in (1, 2, 3)]
        assert decide(contact(syd(2026, 6, 4, 10), Channel.VISIT), history, AU).allowed
        visits = [past(syd(2026, 6, day, 10), channel=Channel.VISIT) for day in (1, 2, 3)]
        assert decide(contact(syd(2026, 6, 4, 10)), visits, AU).allowed

    def test_contacts_on_other_accounts_do_not_count(self) -> None:
        history = [
            PastContact(
                syd(2026, 6, 1) + timedelta(hours=n), Channel.CALL, "p1", "acct2", Outcome.CONNECTED_CONVERSATION
            )
            for n in range(4)
        ]
        assert decide(contact(syd(2026, 6, 2)), history, AU).allowed
