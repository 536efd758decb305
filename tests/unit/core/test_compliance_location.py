"""Where the person may be (US-01, AU-01): what indicates a location, and the firm's choice when nothing does."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from recoup.core.compliance import (
    Australia,
    Channel,
    ContactRequest,
    FirmPolicy,
    TimeWindow,
    UnknownLocation,
    UsFederal,
    Whereabouts,
    decide,
    number_place,
)

BLOCK = UnknownLocation.BLOCK
WIDEST = UnknownLocation.WIDEST_OVERLAP
TOLL_FREE = "+18005550100"
AU_MOBILE = "+61412345678"  # Australian mobiles have no area
UK_MOBILE = "+447400123456"
MANHATTAN = "+12125550100"
ALASKA = "+19075550100"
NY = ZoneInfo("America/New_York")


def at_ny(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, 10, hour, minute, tzinfo=NY)


def request(zones: tuple[str, ...], channel: Channel = Channel.CALL, at: datetime | None = None) -> ContactRequest:
    return ContactRequest(channel, at or at_ny(12), "p1", "d1", time_zones=zones)


class TestWhatIndicatesALocation:
    def test_a_toll_free_number_lists_the_whole_country_and_places_nobody(self) -> None:
        place = number_place(TOLL_FREE)
        assert not place.located
        assert len(place.zones) == 42
        assert {"America/Adak", "Pacific/Guam", "America/New_York"} <= set(place.zones)

    @pytest.mark.parametrize("number", [AU_MOBILE, UK_MOBILE])
    def test_a_mobile_without_an_area_places_nobody(self, number: str) -> None:
        place = number_place(number)
        assert not place.located
        assert len(place.zones) > 1  # the country's list, not an area's

    def test_a_geographic_landline_places_the_person_in_its_area(self) -> None:
        assert number_place(MANHATTAN).located
        assert number_place(MANHATTAN).zones == ("America/New_York",)
        alaska = number_place(ALASKA)
        assert alaska.located
        assert alaska.zones == ("America/Adak", "America/Anchorage")

    @pytest.mark.parametrize("number", ["not a number", "+17005550100"])
    def test_a_number_the_library_cannot_place_gives_no_zone(self, number: str) -> None:
        assert number_place(number).zones == ()
        assert not number_place(number).located

    def test_the_debtors_own_zone_indicates_a_location(self) -> None:
        assert Whereabouts.of(time_zone="America/Chicago").indicates_location
        assert not Whereabouts.of(time_zone=" ").indicates_location
        assert not Whereabouts.of(time_zone="", numbers=[TOLL_FREE, AU_MOBILE]).indicates_location
        assert Whereabouts.of(time_zone="", numbers=[TOLL_FREE, MANHATTAN]).indicates_location


class TestNothingIndicatesALocation:
    def test_toll_free_only_blocks_under_the_default_policy_and_no_time_cures_it(self) -> None:
        zones = Whereabouts.of(time_zone="", numbers=[TOLL_FREE]).time_zones(BLOCK)
        assert zones == ()
        decision = decide(request(zones), [], [UsFederal()])
        assert not decision.allowed
        assert decision.next_allowed is None
        assert [r.rule for r in decision.reasons] == ["US-01"]
        assert decision.reasons[0].text.startswith(
            "No location known for this debtor: add an address or a time zone before calling."
        )

    def test_a_mobile_without_an_area_blocks_texts_and_emails_too_but_not_letters(self) -> None:
        zones = Whereabouts.of(time_zone="", numbers=[UK_MOBILE]).time_zones(BLOCK)
        assert zones == ()
        for channel, verb in ((Channel.SMS, "texting"), (Channel.EMAIL, "emailing"), (Channel.VISIT, "visiting")):
            decision = decide(request(zones, channel), [], [UsFederal()])
            assert not decision.allowed
            assert decision.next_allowed is None
            assert f"before {verb}." in decision.reasons[0].text
        assert decide(request(zones, Channel.LETTER), [], [UsFederal()]).allowed  # a letter is not timed

    def test_the_australian_and_firm_hours_say_the_same(self) -> None:
        firm = FirmPolicy(channel_windows={Channel.CALL: TimeWindow(time(9, 0), time(19, 0))})
        decision = decide(request(()), [], [Australia(), firm])
        assert [r.rule for r in decision.reasons] == ["AU-01", "FIRM-HOURS"]
        assert all(r.text.startswith("No location known for this debtor") for r in decision.reasons)
        assert decision.next_allowed is None

    def test_widest_overlap_keeps_the_country_wide_zones_and_calls_where_they_all_overlap(self) -> None:
        zones = Whereabouts.of(time_zone="", numbers=[TOLL_FREE]).time_zones(WIDEST)
        assert zones == number_place(TOLL_FREE).zones
        noon_in_new_york = decide(request(zones), [], [UsFederal()])
        assert not noon_in_new_york.allowed  # 06:00 on Adak
        assert noon_in_new_york.next_allowed is not None
        later = decide(request(zones, at=noon_in_new_york.next_allowed), [], [UsFederal()])
        assert later.allowed

    def test_nothing_at_all_gives_no_zone_under_either_policy(self) -> None:
        assert Whereabouts.of(time_zone="", numbers=["not a number"]).time_zones(WIDEST) == ()
        assert Whereabouts.of(time_zone="").time_zones(BLOCK) == ()


class TestSomethingIndicatesALocation:
    @pytest.mark.parametrize("policy", list(UnknownLocation))
    def test_a_geographic_landline_gives_its_zone_under_either_policy(self, policy: UnknownLocation) -> None:
        zones = Whereabouts.of(time_zone="", numbers=[MANHATTAN, TOLL_FREE]).time_zones(policy)
        assert zones[0] == "America/New_York"
        assert set(zones) == set(number_place(TOLL_FREE).zones)  # today's behaviour: the toll-free list is kept

    @pytest.mark.parametrize("policy", list(UnknownLocation))
    def test_an_address_zone_keeps_todays_zones(self, policy: UnknownLocation) -> None:
        where = Whereabouts.of(time_zone="America/Chicago", numbers=[MANHATTAN])
        assert where.time_zones(policy) == ("America/Chicago", "America/New_York")
        assert Whereabouts.of(time_zone="America/Chicago").time_zones(policy) == ("America/Chicago",)
        with_toll_free = Whereabouts.of(time_zone="America/Chicago", numbers=[TOLL_FREE]).time_zones(policy)
        assert with_toll_free[0] == "America/Chicago"
        assert len(with_toll_free) == 42

    def test_the_zones_are_only_ever_ones_something_on_record_names(self) -> None:
        for numbers in ([], [TOLL_FREE], [AU_MOBILE, MANHATTAN], [ALASKA]):
            for time_zone in ("", "America/Denver"):
                where = Whereabouts.of(time_zone=time_zone, numbers=numbers)
                named = {time_zone} | {zone for n in where.numbers for zone in n.zones}
                for policy in UnknownLocation:
                    assert set(where.time_zones(policy)) <= named
