"""Deadlines and gates: US-11, AU-06, AU-07, UK-07, US-17/US-18 furnishing and AU-08 default listing."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recoup.core.compliance.model import Reason
from recoup.core.compliance.timers import (
    Deadline,
    DeadlineState,
    Gate,
    au_listing_gate,
    breathing_space_ends,
    enforcement_allowed_from,
    hardship_deadlines,
    obsolete_from,
    us_furnishing_gate,
    validation_notice_deadline,
)

RUNNING = DeadlineState.RUNNING
ESCALATE = DeadlineState.ESCALATE
OVERDUE = DeadlineState.OVERDUE
MET = DeadlineState.MET
ORDER = {RUNNING: 0, ESCALATE: 1, OVERDUE: 2}

DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


def d(text: str) -> date:
    return date.fromisoformat(text)


def states(deadline: Deadline, first: date, last: date) -> list[DeadlineState]:
    return [deadline.state(first + timedelta(days=n)) for n in range((last - first).days + 1)]


class TestDeadlineState:
    def test_without_an_escalation_day_it_runs_until_due_then_is_overdue(self) -> None:
        deadline = Deadline("X-1", "do it", d("2026-03-10"))
        assert deadline.state(d("2026-03-01")) is RUNNING
        assert deadline.state(d("2026-03-10")) is RUNNING
        assert deadline.state(d("2026-03-11")) is OVERDUE

    def test_met_wins_over_every_other_state(self) -> None:
        deadline = Deadline("X-1", "do it", d("2026-03-10"), d("2026-03-08"), met_on=d("2026-03-20"))
        assert [deadline.state(d(day)) for day in ("2026-03-01", "2026-03-08", "2026-04-30")] == [MET, MET, MET]


class TestValidationNotice:
    def test_worked_example(self) -> None:
        deadline = validation_notice_deadline(d("2026-06-01"), None)
        assert deadline == Deadline("US-11", "send the validation notice", d("2026-06-06"), d("2026-06-04"), None)

    @pytest.mark.parametrize(
        ("day", "state"),
        [
            (0, RUNNING),
            (1, RUNNING),
            (2, RUNNING),
            (3, ESCALATE),
            (4, ESCALATE),
            (5, ESCALATE),
            (6, OVERDUE),
            (40, OVERDUE),
        ],
    )
    def test_escalates_on_day_3_and_is_overdue_on_day_6(self, day: int, state: DeadlineState) -> None:
        first = d("2026-06-01")
        assert validation_notice_deadline(first, None).state(first + timedelta(days=day)) is state

    def test_calendar_days_across_a_year_end(self) -> None:
        deadline = validation_notice_deadline(d("2026-12-29"), None)
        assert deadline.escalate_on == d("2027-01-01")
        assert deadline.due_on == d("2027-01-03")
        assert deadline.state(d("2027-01-03")) is ESCALATE
        assert deadline.state(d("2027-01-04")) is OVERDUE

    def test_a_sent_notice_is_met_even_when_late(self) -> None:
        deadline = validation_notice_deadline(d("2026-06-01"), d("2026-06-09"))
        assert deadline.met_on == d("2026-06-09")
        assert deadline.state(d("2026-06-30")) is MET

    @given(first=DAYS, offset=st.integers(min_value=0, max_value=60))
    def test_state_by_day(self, first: date, offset: int) -> None:
        expected = RUNNING if offset < 3 else ESCALATE if offset <= 5 else OVERDUE
        assert validation_notice_deadline(first, None).state(first + timedelta(days=offset)) is expected

    @given(first=DAYS)
    def test_states_never_go_backwards(self, first: date) -> None:
        seen = states(validation_notice_deadline(first, None), first - timedelta(days=3), first + timedelta(days=10))
        assert [ORDER[s] for s in seen] == sorted(ORDER[s] for s in seen)
        assert seen.count(ESCALATE) == 3


class TestHardship:
    def test_no_information_requested(self) -> None:
        ask, decide = hardship_deadlines(
            received_on=d("2026-03-02"), info_requested_on=None, info_received_on=None, decided_on=None
        )
        assert ask == Deadline(
            "AU-06",
            "ask for any information needed to assess the hardship notice",
            d("2026-03-23"),
            d("2026-03-16"),
            None,
        )
        assert decide == Deadline("AU-06", "give the written hardship decision", d("2026-03-23"), d("2026-03-16"), None)
        assert decide.state(d("2026-03-15")) is RUNNING
        assert decide.state(d("2026-03-16")) is ESCALATE
        assert decide.state(d("2026-03-23")) is ESCALATE
        assert decide.state(d("2026-03-24")) is OVERDUE

    def test_information_requested_and_not_answered_gives_28_days_from_the_request(self) -> None:
        ask, reply, decide = hardship_deadlines(
            received_on=d("2026-03-02"), info_requested_on=d("2026-03-10"), info_received_on=None, decided_on=None
        )
        assert ask.met_on == d("2026-03-10")
        assert ask.state(d("2026-03-10")) is MET
        assert reply == Deadline("AU-06", "the debtor's reply to the information request", d("2026-03-31"), None, None)
        assert decide.due_on == d("2026-04-07")
        assert decide.escalate_on == d("2026-03-31")
        assert reply.state(d("2026-04-01")) is OVERDUE
        assert decide.state(d("2026-04-01")) is ESCALATE

    def test_information_received_gives_21_days_from_its_arrival(self) -> None:
        ask, reply, decide = hardship_deadlines(
            received_on=d("2026-03-02"),
            info_requested_on=d("2026-03-10"),
            info_received_on=d("2026-03-20"),
            decided_on=None,
        )
        assert ask.met_on == d("2026-03-10")
        assert reply.met_on == d("2026-03-20")
        assert reply.state(d("2026-05-01")) is MET
        assert decide.due_on == d("2026-04-10")
        assert decide.escalate_on == d("2026-04-03")
        assert decide.state(d("2026-04-11")) is OVERDUE

    def test_a_decision_meets_the_request_clock_and_the_decision_clock(self) -> None:
        ask, decide = hardship_deadlines(
            received_on=d("2026-03-02"), info_requested_on=None, info_received_on=None, decided_on=d("2026-03-12")
        )
        assert ask.met_on == d("2026-03-12")
        assert decide.met_on == d("2026-03-12")
        assert decide.state(d("2026-12-31")) is MET

    def test_the_request_is_due_on_day_21_across_february_of_a_leap_year(self) -> None:
        ask, decide = hardship_deadlines(
            received_on=d("2028-02-15"), info_requested_on=None, info_received_on=None, decided_on=None
        )
        assert ask.due_on == d("2028-03-07")
        assert decide.due_on == d("2028-03-07")

    def test_information_received_without_a_request_is_an_error(self) -> None:
        with pytest.raises(ValueError, match="^info_received_on: information cannot arrive before it was asked for$"):
            hardship_deadlines(
                received_on=d("2026-03-02"), info_requested_on=None, info_received_on=d("2026-03-20"), decided_on=None
            )

    def test_a_request_before_the_notice_is_an_error(self) -> None:
        with pytest.raises(
            ValueError, match=r"^info_requested_on: 2026-03-01 is before the notice was received \(2026-03-02\)$"
        ):
            hardship_deadlines(
                received_on=d("2026-03-02"), info_requested_on=d("2026-03-01"), info_received_on=None, decided_on=None
            )

    def test_a_decision_before_the_notice_is_an_error(self) -> None:
        with pytest.raises(ValueError, match=r"^decided_on: 2026-02-27 is before"):
            hardship_deadlines(
                received_on=d("2026-03-02"), info_requested_on=None, info_received_on=None, decided_on=d("2026-02-27")
            )

    def test_a_request_and_a_decision_on_the_day_of_the_notice_are_fine(self) -> None:
        deadlines = hardship_deadlines(
            received_on=d("2026-03-02"),
            info_requested_on=d("2026-03-02"),
            info_received_on=None,
            decided_on=d("2026-03-02"),
        )
        assert [dl.state(d("2026-03-02")) for dl in deadlines] == [MET, RUNNING, MET]

    def test_information_received_before_the_request_is_an_error(self) -> None:
        with pytest.raises(ValueError, match="info_received_on"):
            hardship_deadlines(
                received_on=d("2026-03-02"),
                info_requested_on=d("2026-03-10"),
                info_received_on=d("2026-03-05"),
                decided_on=None,
            )

    @given(
        received=DAYS,
        request_gap=st.none() | st.integers(min_value=0, max_value=21),
        reply_gap=st.none() | st.integers(min_value=0, max_value=21),
    )
    def test_the_decision_deadline_is_the_one_the_rule_states(
        self, received: date, request_gap: int | None, reply_gap: int | None
    ) -> None:
        requested = None if request_gap is None else received + timedelta(days=request_gap)
        arrived = None if requested is None or reply_gap is None else requested + timedelta(days=reply_gap)
        deadlines = hardship_deadlines(
            received_on=received, info_requested_on=requested, info_received_on=arrived, decided_on=None
        )
        assert all(dl.rule == "AU-06" for dl in deadlines)
        assert deadlines[0].due_on == received + timedelta(days=21)
        assert deadlines[0].met_on == requested
        if requested is None:
            assert len(deadlines) == 2
            expected = received + timedelta(days=21)
        else:
            assert len(deadlines) == 3
            assert deadlines[1].due_on == requested + timedelta(days=21)
            assert deadlines[1].met_on == arrived
            expected = requested + timedelta(days=28) if arrived is None else arrived + timedelta(days=21)
        assert deadlines[-1].due_on == expected
        assert deadlines[-1].escalate_on == expected - timedelta(days=7)

    @given(
        received=DAYS,
        request_gap=st.none() | st.integers(min_value=0, max_value=30),
        reply_gap=st.none() | st.integers(min_value=0, max_value=30),
        decided_gap=st.none() | st.integers(min_value=0, max_value=90),
    )
    def test_states_are_monotonic_in_today(
        self, received: date, request_gap: int | None, reply_gap: int | None, decided_gap: int | None
    ) -> None:
        requested = None if request_gap is None else received + timedelta(days=request_gap)
        arrived = None if requested is None or reply_gap is None else requested + timedelta(days=reply_gap)
        decided = None if decided_gap is None else received + timedelta(days=decided_gap)
        for deadline in hardship_deadlines(
            received_on=received, info_requested_on=requested, info_received_on=arrived, decided_on=decided
        ):
            seen = states(deadline, received, received + timedelta(days=120))
            if deadline.met_on is not None:
                assert set(seen) == {MET}
            else:
                assert [ORDER[s] for s in seen] == sorted(ORDER[s] for s in seen)
                assert seen[-1] is OVERDUE


class TestHardshipRefusalAndBreathingSpace:
    @pytest.mark.parametrize(
        ("refused", "allowed"),
        [("2026-03-02", "2026-03-16"), ("2026-12-25", "2027-01-08"), ("2028-02-20", "2028-03-05")],
    )
    def test_enforcement_waits_14_days_after_a_refusal(self, refused: str, allowed: str) -> None:
        assert enforcement_allowed_from(d(refused)) == d(allowed)

    @pytest.mark.parametrize(
        ("starts", "ends"),
        [
            ("2026-01-01", "2026-03-01"),
            ("2028-01-01", "2028-02-29"),
            ("2026-11-15", "2027-01-13"),
            ("2026-06-10", "2026-08-08"),
        ],
    )
    def test_a_standard_breathing_space_lasts_60_days_including_the_first(self, starts: str, ends: str) -> None:
        assert breathing_space_ends(d(starts)) == d(ends)

    @given(start=DAYS)
    def test_breathing_space_covers_exactly_60_days(self, start: date) -> None:
        end = breathing_space_ends(start)
        assert (end - start).days + 1 == 60


class TestGate:
    REASON_A = Reason("R-1", "a")
    REASON_B = Reason("R-2", "b")

    def test_no_blocks_is_allowed_today(self) -> None:
        assert Gate.of(d("2026-03-02"), []) == Gate(True, (), d("2026-03-02"))

    def test_dated_blocks_wait_for_the_latest(self) -> None:
        gate = Gate.of(d("2026-03-02"), [(self.REASON_A, d("2026-04-01")), (self.REASON_B, d("2026-03-20"))])
        assert gate == Gate(False, (self.REASON_A, self.REASON_B), d("2026-04-01"))

    def test_any_block_that_time_cannot_cure_gives_no_earliest_day(self) -> None:
        gate = Gate.of(d("2026-03-02"), [(self.REASON_A, d("2026-04-01")), (self.REASON_B, None)])
        assert gate == Gate(False, (self.REASON_A, self.REASON_B), None)

    @given(
        today=DAYS,
        waits=st.lists(st.none() | st.integers(min_value=1, max_value=400), min_size=1, max_size=6),
    )
    def test_earliest_is_none_exactly_when_a_block_is_not_curable(self, today: date, waits: list[int | None]) -> None:
        blocks = [
            (Reason(f"R-{n}", "x"), None if w is None else today + timedelta(days=w)) for n, w in enumerate(waits)
        ]
        gate = Gate.of(today, blocks)
        assert gate.allowed is False
        assert [r.rule for r in gate.reasons] == [f"R-{n}" for n in range(len(waits))]
        if None in waits:
            assert gate.earliest is None
        else:
            assert gate.earliest == today + timedelta(days=max(w for w in waits if w is not None))


class TestObsolescence:
    @pytest.mark.parametrize(
        ("dofd", "obsolete"),
        [
            ("2020-01-15", "2027-07-13"),
            ("2023-09-02", "2031-02-28"),  # DOFD + 180 days is 29 February 2024; 2031 has no 29 February
            ("2024-02-29", "2031-08-27"),
            ("2019-07-04", "2026-12-31"),
        ],
    )
    def test_dofd_plus_180_days_plus_7_years(self, dofd: str, obsolete: str) -> None:
        assert obsolete_from(d(dofd)) == d(obsolete)

    @given(dofd=DAYS)
    def test_obsolescence_matches_a_direct_calculation(self, dofd: date) -> None:
        mark = dofd + timedelta(days=180)
        year = mark.year + 7
        if mark.month == 2 and mark.day == 29 and not calendar.isleap(year):
            expected = date(year, 2, 28)
        else:
            expected = date(year, mark.month, mark.day)
        assert obsolete_from(dofd) == expected


def furnish(**changes: Any) -> Gate:
    """A furnishing decision for a debt that is otherwise clean: a conversation was had, DOFD is recent."""
    args: dict[str, Any] = {
        "today": d("2026-06-10"),
        "first_delinquency": d("2025-11-01"),
        "conversation_on": d("2026-05-01"),
        "message_sent_on": None,
        "message_undeliverable": False,
        "disputed": False,
    }
    args.update(changes)
    return us_furnishing_gate(**args)


class TestFurnishingGate:
    def test_after_a_conversation_reporting_is_allowed(self) -> None:
        assert furnish() == Gate(True, (), d("2026-06-10"))

    def test_a_conversation_is_enough_even_with_a_returned_letter(self) -> None:
        gate = furnish(message_sent_on=d("2026-06-09"), message_undeliverable=True)
        assert gate.allowed is True

    def test_nothing_sent_and_nobody_spoken_to_is_blocked_for_good(self) -> None:
        gate = furnish(conversation_on=None)
        assert gate.allowed is False
        assert [r.rule for r in gate.reasons] == ["US-17"]
        assert gate.earliest is None

    @pytest.mark.parametrize(
        ("today", "allowed", "earliest"),
        [
            ("2026-03-02", False, "2026-03-16"),
            ("2026-03-15", False, "2026-03-16"),
            ("2026-03-16", True, "2026-03-16"),
            ("2026-04-30", True, "2026-04-30"),
        ],
    )
    def test_a_letter_waits_14_days(self, today: str, allowed: bool, earliest: str) -> None:
        gate = furnish(today=d(today), conversation_on=None, message_sent_on=d("2026-03-02"))
        assert gate.allowed is allowed
        assert gate.earliest == d(earliest)
        if not allowed:
            assert gate.reasons == (
                Reason(
                    "US-17",
                    "the first letter or message was sent on 2026-03-02; reporting waits 14 days for it to come "
                    "back undeliverable, until 2026-03-16",
                ),
            )

    def test_an_undeliverable_letter_blocks_for_good(self) -> None:
        gate = furnish(
            today=d("2026-06-10"), conversation_on=None, message_sent_on=d("2026-03-02"), message_undeliverable=True
        )
        assert gate == Gate(
            False, (Reason("US-17", "the letter or message about the debt came back undeliverable"),), None
        )

    def test_a_missing_dofd_blocks(self) -> None:
        gate = furnish(first_delinquency=None)
        assert gate == Gate(
            False, (Reason("US-18", "the date of first delinquency is missing; it must be reported"),), None
        )

    def test_an_obsolete_item_is_blocked_from_its_obsolescence_day(self) -> None:
        dofd = d("2019-07-04")  # obsolete from 2026-12-31
        assert furnish(first_delinquency=dofd, today=d("2026-12-30")).allowed is True
        gate = furnish(first_delinquency=dofd, today=d("2026-12-31"))
        assert gate == Gate(
            False,
            (Reason("US-18", "the item is obsolete since 2026-12-31 (DOFD + 180 days + 7 years)"),),
            None,
        )

    def test_a_disputed_debt_is_not_reported(self) -> None:
        gate = furnish(disputed=True)
        assert gate == Gate(
            False,
            (Reason("US-15", "the debt is disputed; it is not reported until the dispute is resolved"),),
            None,
        )

    def test_every_reason_is_given_in_order(self) -> None:
        gate = furnish(first_delinquency=None, conversation_on=None, message_sent_on=d("2026-06-05"), disputed=True)
        assert [r.rule for r in gate.reasons] == ["US-18", "US-17", "US-15"]
        assert gate.earliest is None

    def test_a_letter_wait_alone_has_an_earliest_day_but_a_dispute_removes_it(self) -> None:
        waiting = furnish(conversation_on=None, message_sent_on=d("2026-06-05"))
        assert waiting.earliest == d("2026-06-19")
        assert furnish(conversation_on=None, message_sent_on=d("2026-06-05"), disputed=True).earliest is None

    def test_earliest_is_none_when_the_item_becomes_obsolete_during_the_letter_wait(self) -> None:
        gate = furnish(
            today=d("2026-12-25"),
            first_delinquency=d("2019-07-04"),  # obsolete from 2026-12-31
            conversation_on=None,
            message_sent_on=d("2026-12-24"),
        )
        assert gate.allowed is False
        assert gate.earliest is None

    @given(
        sent=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
        offset=st.integers(min_value=-30, max_value=13),
        undeliverable=st.booleans(),
        disputed=st.booleans(),
    )
    def test_never_allowed_before_the_letter_wait_without_a_conversation(
        self, sent: date, offset: int, undeliverable: bool, disputed: bool
    ) -> None:
        gate = furnish(
            today=sent + timedelta(days=offset),
            conversation_on=None,
            message_sent_on=sent,
            message_undeliverable=undeliverable,
            disputed=disputed,
        )
        assert gate.allowed is False
        assert "US-17" in [r.rule for r in gate.reasons]
        if undeliverable or disputed:
            assert gate.earliest is None
        else:
            assert gate.earliest == sent + timedelta(days=14)

    @given(
        sent=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
        offset=st.integers(min_value=14, max_value=400),
    )
    def test_allowed_from_the_fourteenth_day_when_nothing_else_blocks(self, sent: date, offset: int) -> None:
        today = sent + timedelta(days=offset)
        gate = furnish(today=today, first_delinquency=sent, conversation_on=None, message_sent_on=sent)
        assert gate == Gate(True, (), today)


def listing(**changes: Any) -> Gate:
    """An AU default listing for a debt that meets every condition on 2026-03-15."""
    args: dict[str, Any] = {
        "today": d("2026-03-15"),
        "overdue_since": d("2026-01-05"),
        "overdue_amount": Decimal("150.00"),
        "overdue_notice_on": d("2026-01-20"),
        "intent_notice_on": d("2026-03-01"),  # 40 days later: past the 30-day gap
        "time_barred": False,
        "disputed": False,
    }
    args.update(changes)
    return au_listing_gate(**args)


class TestAuListingGate:
    def test_every_condition_met(self) -> None:
        assert listing() == Gate(True, (), d("2026-03-15"))

    @pytest.mark.parametrize(("amount", "allowed"), [("149.99", False), ("150", True), ("150.00", True), ("0", False)])
    def test_the_amount_must_be_at_least_150_dollars(self, amount: str, allowed: bool) -> None:
        gate = listing(overdue_amount=Decimal(amount))
        assert gate.allowed is allowed
        if not allowed:
            assert gate.reasons == (Reason("AU-08", f"the overdue amount {amount} is under A$150"),)
            assert gate.earliest is None

    @pytest.mark.parametrize(("today", "allowed"), [("2026-03-05", False), ("2026-03-06", True)])
    def test_the_payment_must_be_60_days_overdue(self, today: str, allowed: bool) -> None:
        gate = listing(
            today=d(today),
            overdue_since=d("2026-01-05"),
            overdue_notice_on=d("2026-01-10"),
            intent_notice_on=d("2026-02-10"),
        )
        assert gate.allowed is allowed
        assert gate.earliest == d("2026-03-06")
        if not allowed:
            assert gate.reasons == (
                Reason("AU-08", "the payment is not yet 60 days overdue (it will be on 2026-03-06)"),
            )

    def test_nothing_overdue(self) -> None:
        assert listing(overdue_since=None) == Gate(False, (Reason("AU-08", "nothing is overdue"),), None)

    def test_an_overdue_notice_is_required(self) -> None:
        gate = listing(overdue_notice_on=None)
        assert gate == Gate(
            False, (Reason("AU-08", "no written overdue notice asking for payment has been sent"),), None
        )

    def test_a_notice_of_intention_is_required(self) -> None:
        gate = listing(intent_notice_on=None)
        assert gate == Gate(False, (Reason("AU-08", "no notice of intention to list the default has been sent"),), None)

    def test_the_intent_notice_must_not_come_before_the_overdue_notice(self) -> None:
        gate = listing(overdue_notice_on=d("2026-02-01"), intent_notice_on=d("2026-01-31"))
        text = (
            "the notice of intention (2026-01-31) must come at least 30 days after the overdue notice "
            "(2026-02-01); send it again"
        )
        assert gate == Gate(False, (Reason("AU-08", text),), None)

    @pytest.mark.parametrize(("gap", "allowed"), [(29, False), (30, True)])
    def test_the_intent_notice_comes_at_least_30_days_after_the_overdue_notice(self, gap: int, allowed: bool) -> None:
        gate = listing(overdue_notice_on=d("2026-03-01") - timedelta(days=gap))
        assert gate.allowed is allowed

    @pytest.mark.parametrize(("today", "allowed"), [("2026-03-14", False), ("2026-03-15", True)])
    def test_listing_waits_14_days_after_the_intent_notice(self, today: str, allowed: bool) -> None:
        gate = listing(today=d(today))
        assert gate.allowed is allowed
        assert gate.earliest == d("2026-03-15")
        if not allowed:
            assert gate.reasons == (
                Reason("AU-08", "listing waits 14 days after the notice of intention, until 2026-03-15"),
            )

    def test_time_barred_and_disputed_debts_are_not_listed(self) -> None:
        gate = listing(time_barred=True, disputed=True)
        assert gate == Gate(
            False,
            (
                Reason("AU-05", "the debt is statute-barred"),
                Reason("AU-04", "liability is disputed; listing is suspended"),
            ),
            None,
        )

    def test_two_waits_give_the_later_day(self) -> None:
        gate = listing(today=d("2026-02-20"), overdue_notice_on=d("2026-01-10"), intent_notice_on=d("2026-02-15"))
        assert [r.rule for r in gate.reasons] == ["AU-08", "AU-08"]
        assert gate.earliest == d("2026-03-06")

    def test_a_wait_and_a_dispute_give_no_earliest_day(self) -> None:
        gate = listing(
            today=d("2026-02-20"), overdue_notice_on=d("2026-01-10"), intent_notice_on=d("2026-02-15"), disputed=True
        )
        assert [r.rule for r in gate.reasons] == ["AU-08", "AU-08", "AU-04"]
        assert gate.earliest is None

    def test_the_two_notices_on_the_same_day_do_not_satisfy_the_gap(self) -> None:
        gate = listing(overdue_notice_on=d("2026-03-01"), intent_notice_on=d("2026-03-01"))
        assert gate.allowed is False

    @given(
        today=st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
        overdue_days=st.none() | st.integers(min_value=0, max_value=200),
        cents=st.integers(min_value=0, max_value=100_000),
        overdue_notice_days=st.none() | st.integers(min_value=0, max_value=120),
        intent_days=st.none() | st.integers(min_value=0, max_value=120),
        time_barred=st.booleans(),
        disputed=st.booleans(),
    )
    def test_allowed_exactly_when_every_condition_holds(
        self,
        today: date,
        overdue_days: int | None,
        cents: int,
        overdue_notice_days: int | None,
        intent_days: int | None,
        time_barred: bool,
        disputed: bool,
    ) -> None:
        def ago(days: int | None) -> date | None:
            return None if days is None else today - timedelta(days=days)

        amount = Decimal(cents) / 100
        gate = listing(
            today=today,
            overdue_since=ago(overdue_days),
            overdue_amount=amount,
            overdue_notice_on=ago(overdue_notice_days),
            intent_notice_on=ago(intent_days),
            time_barred=time_barred,
            disputed=disputed,
        )
        expected = (
            overdue_days is not None
            and overdue_days >= 60
            and amount >= 150
            and overdue_notice_days is not None
            and intent_days is not None
            and overdue_notice_days - intent_days >= 30
            and intent_days >= 14
            and not time_barred
            and not disputed
        )
        assert gate.allowed is expected
        if expected:
            assert gate == Gate(True, (), today)
        else:
            assert gate.reasons
            if gate.earliest is not None:
                assert gate.earliest > today
                assert listing(
                    today=gate.earliest,
                    overdue_since=ago(overdue_days),
                    overdue_amount=amount,
                    overdue_notice_on=ago(overdue_notice_days),
                    intent_notice_on=ago(intent_days),
                    time_barred=time_barred,
                    disputed=disputed,
                ).allowed
