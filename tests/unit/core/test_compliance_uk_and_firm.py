"""UK contact hours (UK-04) and the firm's own policy applied on top of the law."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from recoup.core.compliance import (
    Australia,
    Channel,
    ContactRequest,
    FirmPolicy,
    InvalidFirmPolicy,
    Outcome,
    PastContact,
    RulePack,
    Severity,
    TimeWindow,
    UnitedKingdom,
    UsFederal,
    decide,
)

LONDON = ZoneInfo("Europe/London")
NY = ZoneInfo("America/New_York")


def ldn(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def ny(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NY)


def request(
    at: datetime, channel: Channel = Channel.CALL, zones: tuple[str, ...] = ("Europe/London",)
) -> ContactRequest:
    return ContactRequest(channel, at, "p1", "d1", zones)


def attempt(at: datetime, outcome: Outcome = Outcome.NO_ANSWER, channel: Channel = Channel.CALL) -> PastContact:
    return PastContact(at, channel, "p1", "d1", outcome)


class TestUnitedKingdom:
    @pytest.mark.parametrize(
        ("at", "allowed"),
        [(ldn(2026, 1, 14, 7, 59), False), (ldn(2026, 1, 14, 8, 0), True), (ldn(2026, 7, 14, 20, 59), True)],
    )
    def test_the_default_window_is_eight_to_nine_uk_time(self, at: datetime, allowed: bool) -> None:
        decision = decide(request(at), [], [UnitedKingdom()])
        assert decision.allowed is allowed
        if not allowed:
            assert decision.reasons[0].rule == "UK-04"

    def test_nine_pm_waits_for_the_next_morning_across_the_clock_change(self) -> None:
        # 2026-10-25: UK clocks go back at 02:00 BST.
        decision = decide(request(ldn(2026, 10, 24, 21, 0)), [], [UnitedKingdom()])
        assert decision.next_allowed == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)  # 08:00 GMT

    def test_uk_time_applies_whatever_zone_the_request_lists(self) -> None:
        assert not decide(request(ldn(2026, 1, 14, 7, 0), zones=()), [], [UnitedKingdom()]).allowed
        assert decide(request(ldn(2026, 1, 14, 9, 0), zones=()), [], [UnitedKingdom()]).allowed

    def test_there_is_no_numeric_cap_in_law(self) -> None:
        history = [
            attempt(ldn(2026, 1, 14, 8) + timedelta(minutes=5 * n), Outcome.CONNECTED_CONVERSATION) for n in range(20)
        ]
        assert decide(request(ldn(2026, 1, 14, 12)), history, [UnitedKingdom()]).allowed

    def test_letters_are_not_checked(self) -> None:
        assert decide(request(ldn(2026, 1, 14, 23), Channel.LETTER), [], [UnitedKingdom()]).allowed


class TestFirmPolicy:
    def test_a_narrower_firm_window_wins_over_the_law(self) -> None:
        policy = FirmPolicy(channel_windows={Channel.CALL: TimeWindow(time(9, 0), time(20, 0))})
        packs: list[RulePack] = [UnitedKingdom(), policy]
        decision = decide(request(ldn(2026, 1, 14, 8, 30)), [], packs)
        assert [r.rule for r in decision.reasons] == ["FIRM-HOURS"]
        assert decision.next_allowed == ldn(2026, 1, 14, 9, 0)
        late = decide(request(ldn(2026, 1, 14, 20, 30)), [], packs)
        assert late.next_allowed == ldn(2026, 1, 15, 9, 0)

    def test_a_wider_firm_window_does_not_loosen_the_law(self) -> None:
        policy = FirmPolicy(channel_windows={Channel.CALL: TimeWindow(time(6, 0), time(23, 0))})
        decision = decide(request(ldn(2026, 1, 14, 7, 0)), [], [UnitedKingdom(), policy])
        assert [r.rule for r in decision.reasons] == ["UK-04"]
        assert decision.next_allowed == ldn(2026, 1, 14, 8, 0)

    def test_the_firm_window_only_covers_its_channels(self) -> None:
        policy = FirmPolicy(channel_windows={Channel.CALL: TimeWindow(time(9, 0), time(20, 0))})
        assert decide(request(ldn(2026, 1, 14, 8, 30), Channel.EMAIL), [], [policy]).allowed

    def test_daily_attempt_cap_counts_every_outcome_and_reopens_next_morning(self) -> None:
        policy = FirmPolicy(max_attempts_per_day=2)
        history = [attempt(ldn(2026, 1, 14, 9), Outcome.NOT_CONNECTED), attempt(ldn(2026, 1, 14, 11))]
        decision = decide(request(ldn(2026, 1, 14, 15)), history, [UnitedKingdom(), policy])
        assert [r.rule for r in decision.reasons] == ["FIRM-DAILY-ATTEMPTS"]
        assert decision.next_allowed == ldn(2026, 1, 15, 8, 0)

    def test_minimum_spacing_between_attempts(self) -> None:
        policy = FirmPolicy(min_spacing=timedelta(hours=4))
        history = [attempt(ldn(2026, 1, 14, 9))]
        decision = decide(request(ldn(2026, 1, 14, 10)), history, [policy])
        assert [r.rule for r in decision.reasons] == ["FIRM-SPACING"]
        assert decision.next_allowed == ldn(2026, 1, 14, 13, 0)
        assert decide(request(ldn(2026, 1, 14, 13)), history, [policy]).allowed

    def test_spacing_ignores_other_channels_unless_configured(self) -> None:
        history = [attempt(ldn(2026, 1, 14, 9), Outcome.DELIVERED, Channel.SMS)]
        assert decide(request(ldn(2026, 1, 14, 10)), history, [FirmPolicy(min_spacing=timedelta(hours=4))]).allowed
        both = FirmPolicy(min_spacing=timedelta(hours=4), attempt_channels=frozenset({Channel.CALL, Channel.SMS}))
        assert not decide(request(ldn(2026, 1, 14, 10)), history, [both]).allowed

    def test_contact_cap_over_rolling_days_across_channels(self) -> None:
        policy = FirmPolicy(max_contacts=2, contacts_window_days=7)
        history = [
            attempt(ldn(2026, 1, 12, 10), Outcome.CONNECTED_CONVERSATION),
            attempt(ldn(2026, 1, 13, 10), Outcome.DELIVERED, Channel.EMAIL),
            attempt(ldn(2026, 1, 13, 11), Outcome.NO_ANSWER),
        ]
        decision = decide(request(ldn(2026, 1, 14, 10), Channel.SMS), history, [UnitedKingdom(), policy])
        assert [r.rule for r in decision.reasons] == ["FIRM-CONTACT-CAP"]
        assert decision.next_allowed == ldn(2026, 1, 19, 8, 0)  # 12 January leaves the window on the 19th

    def test_firm_policy_stricter_than_the_us_call_cap(self) -> None:
        policy = FirmPolicy(
            max_contacts=3, contacts_window_days=7, contact_outcomes=frozenset(Outcome) - {Outcome.NOT_CONNECTED}
        )
        history = [attempt(ny(2026, 6, day, 10)) for day in (1, 2, 3)]
        zones = ("America/New_York",)
        assert decide(request(ny(2026, 6, 4), zones=zones), history, [UsFederal()]).allowed
        decision = decide(request(ny(2026, 6, 4), zones=zones), history, [UsFederal(), policy])
        assert not decision.allowed
        assert decision.next_allowed == ny(2026, 6, 8, 8, 0)

    def test_firm_policy_stricter_than_australian_hours(self) -> None:
        policy = FirmPolicy(channel_windows={Channel.CALL: TimeWindow(time(9, 0), time(19, 0))})
        at = datetime(2026, 6, 10, 8, 0, tzinfo=ZoneInfo("Australia/Sydney"))
        decision = decide(request(at, zones=("Australia/Sydney",)), [], [Australia(), policy])
        assert [r.rule for r in decision.reasons] == ["FIRM-HOURS"]
        assert decision.next_allowed == at.replace(hour=9)

    def test_a_warning_policy_does_not_block(self) -> None:
        policy = FirmPolicy(min_spacing=timedelta(hours=4), severity=Severity.WARN)
        decision = decide(request(ldn(2026, 1, 14, 10)), [attempt(ldn(2026, 1, 14, 9))], [policy])
        assert decision.allowed
        assert [w.rule for w in decision.warnings] == ["FIRM-SPACING"]

    def test_an_unknown_zone_blocks_a_firm_window_for_good(self) -> None:
        policy = FirmPolicy(channel_windows={Channel.CALL: TimeWindow(time(9, 0), time(19, 0))})
        decision = decide(request(ldn(2026, 1, 14, 10), zones=()), [], [policy])
        assert decision.next_allowed is None

    def test_zones_whose_firm_windows_never_overlap_have_no_next_time(self) -> None:
        policy = FirmPolicy(channel_windows={Channel.CALL: TimeWindow(time(9, 0), time(12, 0))})
        zones = ("Europe/London", "Asia/Tokyo")
        decision = decide(request(ldn(2026, 1, 14, 10), zones=zones), [], [policy])
        assert not decision.allowed
        assert decision.next_allowed is None

    @pytest.mark.parametrize(
        "kwargs",
        [{"max_attempts_per_day": 0}, {"min_spacing": timedelta(0)}, {"max_contacts": 0}, {"contacts_window_days": 0}],
    )
    def test_impossible_limits_are_refused(self, kwargs: dict[str, object]) -> None:
        with pytest.raises(InvalidFirmPolicy, match="firm policy"):
            FirmPolicy(**kwargs)  # type: ignore[arg-type]

    def test_time_windows_must_end_after_they_start(self) -> None:
        with pytest.raises(ValueError, match="time window"):
            TimeWindow(time(21, 0), time(8, 0))

    def test_no_packs_means_no_rule_to_break(self) -> None:
        assert decide(request(ldn(2026, 1, 14, 3)), [], []).allowed
