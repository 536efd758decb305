"""The clocks a dispute or complaint starts, worked by hand from the rules (weekends, bank holidays,
Christmas, Scotland's St Andrew's Day, a dispute received late on a Friday), whether it stops
collection, and the states it may move through."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recoup.core.business_dates import date_in
from recoup.core.compliance.calendars import add_business_days, is_business_day, uk_bank_holidays
from recoup.core.disputes.clocks import DisputeFacts, applicable_rules, collection_stop, dispute_clocks
from recoup.core.disputes.model import OUTCOMES, TRANSITIONS, Channel, Kind, Outcome, Reason, State, transition_problem


def facts(country: str, received_on: date, **fields: object) -> DisputeFacts:
    values: dict[str, object] = {
        "kind": Kind.DISPUTE,
        "country": country,
        "region": "",
        "channel": Channel.LETTER,
        "reason": Reason.WRONG_AMOUNT,
        "received_on": received_on,
    }
    values.update(fields)
    return DisputeFacts(**values)  # type: ignore[arg-type]


def due(clocks: tuple, rule: str, starting: str) -> date:  # type: ignore[type-arg]
    return next(c.due_on for c in clocks if c.rule == rule and c.what.startswith(starting))


class TestUnitedKingdom:
    def test_a_complaint_received_at_2330_on_a_friday_in_london_is_received_that_friday(self) -> None:
        received_at = datetime(2026, 12, 18, 23, 30, tzinfo=UTC)  # 23:30 GMT, Friday 18 December
        received_on = date_in(received_at, "Europe/London")
        assert received_on == date(2026, 12, 18)
        clocks = dispute_clocks(facts("GB", received_on, region="ENG"))
        # Monday 21, Tuesday 22, Wednesday 23: the third business day after the Friday.
        assert due(clocks, "UK-13", "resolve it with a summary") == date(2026, 12, 23)
        assert due(clocks, "UK-13", "send the final response") == date(2027, 2, 12)  # eight weeks
        escalate = next(c.escalate_on for c in clocks if c.what.startswith("send the final"))
        assert escalate == date(2027, 1, 29)

    def test_christmas_and_the_boxing_day_substitute_are_not_business_days(self) -> None:
        clocks = dispute_clocks(facts("GB", date(2026, 12, 23), region="ENG"))
        # Thu 24 (1); Fri 25 Christmas; weekend; Mon 28 Boxing Day's substitute; Tue 29 (2); Wed 30 (3).
        assert due(clocks, "UK-13", "resolve") == date(2026, 12, 30)

    def test_st_andrews_day_counts_in_scotland_only(self) -> None:
        friday = date(2026, 11, 27)
        assert due(dispute_clocks(facts("GB", friday, region="SCT")), "UK-13", "resolve") == date(2026, 12, 3)
        assert due(dispute_clocks(facts("GB", friday, region="ENG")), "UK-13", "resolve") == date(2026, 12, 2)

    def test_the_clock_is_met_by_an_acknowledgement_or_an_answer(self) -> None:
        clocks = dispute_clocks(facts("GB", date(2026, 12, 1)), acknowledged_on=date(2026, 12, 2))
        assert [c.met_on for c in clocks] == [date(2026, 12, 2), None]
        answered = dispute_clocks(facts("GB", date(2026, 12, 1)), answered_on=date(2026, 12, 3))
        assert [c.met_on for c in answered] == [date(2026, 12, 3), date(2026, 12, 3)]

    def test_a_dispute_about_liability_suspends_recovery_and_one_about_service_does_not(self) -> None:
        stop = collection_stop(facts("GB", date(2026, 12, 1), reason=Reason.NOT_MY_DEBT))
        assert stop is not None
        assert stop.rule == "UK-05"
        assert collection_stop(facts("GB", date(2026, 12, 1), reason=Reason.POOR_SERVICE)) is None
        assert applicable_rules(facts("GB", date(2026, 12, 1), reason=Reason.NOT_MY_DEBT)) == ("UK-05", "UK-13")

    def test_the_2022_and_2023_one_off_bank_holidays_are_known(self) -> None:
        assert date(2022, 9, 19) in uk_bank_holidays(2022)
        assert date(2023, 5, 8) in uk_bank_holidays(2023)
        assert date(2022, 5, 30) not in uk_bank_holidays(2022)  # the spring holiday moved to 2 June
        assert date(2022, 6, 2) in uk_bank_holidays(2022)


class TestAustralia:
    def test_a_complaint_received_at_2330_on_a_friday_in_sydney_is_acknowledged_by_monday(self) -> None:
        received_at = datetime(2026, 12, 4, 23, 30, tzinfo=ZoneInfo("Australia/Sydney"))
        assert received_at.astimezone(UTC).date() == date(2026, 12, 4)  # 12:30 UTC, the same Friday
        received_on = date_in(received_at, "Australia/Sydney")
        clocks = dispute_clocks(facts("AU", received_on, region="NSW", kind=Kind.COMPLAINT, reason=None))
        assert due(clocks, "AU-10", "acknowledge") == date(2026, 12, 7)
        assert due(clocks, "AU-10", "send the internal") == date(2027, 1, 3)  # 30 calendar days

    def test_over_christmas_the_acknowledgement_waits_for_the_next_business_day(self) -> None:
        clocks = dispute_clocks(facts("AU", date(2026, 12, 24)))
        # Fri 25 Christmas, the weekend (Sat 26 Boxing Day), Mon 28 Boxing Day's substitute: Tuesday 29.
        assert due(clocks, "AU-10", "acknowledge") == date(2026, 12, 29)

    def test_a_hardship_or_default_notice_complaint_is_answered_in_21_days(self) -> None:
        clocks = dispute_clocks(facts("AU", date(2026, 12, 1), hardship_or_default=True))
        assert due(clocks, "AU-10", "send the internal") == date(2026, 12, 22)

    def test_a_liability_dispute_suspends_collection(self) -> None:
        stop = collection_stop(facts("AU", date(2026, 12, 1), reason=Reason.ALREADY_PAID))
        assert stop is not None
        assert stop.rule == "AU-04"
        assert collection_stop(facts("AU", date(2026, 12, 1), kind=Kind.COMPLAINT, reason=None)) is None


class TestUnitedStates:
    def test_a_written_dispute_within_the_validation_period_stops_collection(self) -> None:
        inside = facts("US", date(2026, 12, 10), validation_ends=date(2026, 12, 31))
        stop = collection_stop(inside)
        assert stop is not None
        assert stop.rule == "US-15"
        assert "until verification is sent" in stop.text

    def test_the_last_day_of_the_validation_period_is_inside_it(self) -> None:
        assert collection_stop(facts("US", date(2026, 12, 31), validation_ends=date(2026, 12, 31))) is not None
        assert collection_stop(facts("US", date(2027, 1, 1), validation_ends=date(2026, 12, 31))) is None

    def test_a_dispute_received_at_2330_on_friday_in_los_angeles_is_judged_on_friday(self) -> None:
        received_at = datetime(2027, 1, 1, 7, 30, tzinfo=UTC)  # Thursday 31 December, 23:30 in Los Angeles
        received_on = date_in(received_at, "America/Los_Angeles")
        assert received_on == date(2026, 12, 31)
        assert collection_stop(facts("US", received_on, validation_ends=date(2026, 12, 31))) is not None

    def test_an_oral_dispute_does_not_stop_collection_but_is_still_a_dispute(self) -> None:
        oral = facts("US", date(2026, 12, 10), channel=Channel.PHONE, validation_ends=date(2026, 12, 31))
        assert collection_stop(oral) is None
        assert applicable_rules(oral) == ("US-15",)  # the "disputed" flag in credit reporting

    def test_a_written_dispute_before_any_validation_notice_stops_collection_too(self) -> None:
        stop = collection_stop(facts("US", date(2026, 12, 10)))
        assert stop is not None
        assert "before any validation notice" in stop.text

    def test_a_duplicative_dispute_may_be_answered_with_the_duplicative_notice(self) -> None:
        stop = collection_stop(facts("US", date(2026, 12, 10), validation_ends=date(2026, 12, 31), duplicative=True))
        assert stop is not None
        assert "duplicative notice" in stop.text

    def test_a_direct_credit_report_dispute_is_answered_within_30_days(self) -> None:
        clocks = dispute_clocks(facts("US", date(2026, 12, 4), about_credit_report=True))
        assert [(c.rule, c.due_on, c.escalate_on) for c in clocks] == [("US-25", date(2027, 1, 3), date(2026, 12, 29))]
        assert dispute_clocks(facts("US", date(2026, 12, 4))) == ()

    def test_a_complaint_about_conduct_never_stops_collection(self) -> None:
        complaint = facts(
            "US", date(2026, 12, 10), kind=Kind.COMPLAINT, reason=None, validation_ends=date(2026, 12, 31)
        )
        assert collection_stop(complaint) is None


class TestStates:
    def test_every_allowed_move_is_accepted_with_its_outcome_and_every_other_is_refused(self) -> None:
        for kind in Kind:
            for current in State:
                for to in State:
                    outcome = min(OUTCOMES[kind]) if to is State.ANSWERED else None
                    problem = transition_problem(kind, current, to, outcome)
                    assert (problem == "") == (to in TRANSITIONS[current]), (kind, current, to, problem)

    def test_closed_is_final_and_the_error_says_so(self) -> None:
        assert "nothing: it is closed" in transition_problem(Kind.DISPUTE, State.CLOSED, State.RECEIVED, None)

    def test_an_answer_needs_an_outcome_of_its_kind(self) -> None:
        assert transition_problem(Kind.DISPUTE, State.INVESTIGATING, State.ANSWERED, None).startswith("outcome:")
        assert "not an outcome of a complaint" in transition_problem(
            Kind.COMPLAINT, State.RECEIVED, State.ANSWERED, Outcome.VERIFIED
        )
        assert "only an answer" in transition_problem(Kind.DISPUTE, State.RECEIVED, State.WITHDRAWN, Outcome.UPHELD)


PLACES = [("US", ""), ("GB", "ENG"), ("GB", "SCT"), ("GB", "NIR"), ("AU", "NSW")]


@pytest.mark.parametrize(("country", "region"), PLACES)
@given(start=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)), count=st.integers(0, 40))
def test_adding_business_days_lands_on_one_after_exactly_that_many(
    country: str, region: str, start: date, count: int
) -> None:
    end = add_business_days(start, count, country, region)
    assert end >= start
    days = [start + timedelta(days=n) for n in range(1, (end - start).days + 1)]
    assert sum(is_business_day(day, country, region) for day in days) == count
    if count:
        assert is_business_day(end, country, region)
