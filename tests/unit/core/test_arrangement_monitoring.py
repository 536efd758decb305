"""Instalments and promised amounts are classified against the payments received, oldest first."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recoup.core.arrangements.monitoring import (
    Due,
    KeptRates,
    Outcome,
    PlanState,
    Received,
    Status,
    Tolerance,
    classify,
    kept_rates,
    plan_state,
)
from recoup.core.money import Money

NO_TOLERANCE = Tolerance()


def usd(value: str) -> Money:
    return Money.of(value, "USD")


def monthly(*amounts: str, first: date = date(2024, 1, 10)) -> list[Due]:
    """Instalments on the 10th of successive months."""
    return [
        Due(number=n, due_date=date(first.year, first.month + n - 1, first.day), amount=usd(a))
        for n, a in enumerate(amounts, start=1)
    ]


def paid(on: date, value: str) -> Received:
    return Received(on=on, amount=usd(value))


def statuses(outcomes: tuple[Outcome, ...]) -> list[Status]:
    return [outcome.status for outcome in outcomes]


class TestOneInstalment:
    def test_paid_on_the_due_date_is_kept(self) -> None:
        [outcome] = classify(
            monthly("100"), [paid(date(2024, 1, 10), "100")], tolerance=NO_TOLERANCE, as_of=date(2024, 1, 31)
        )
        assert outcome.status is Status.KEPT
        assert outcome.paid == usd("100")
        assert outcome.paid_on == date(2024, 1, 10)

    def test_paid_late_but_within_grace_is_kept(self) -> None:
        [outcome] = classify(
            monthly("100"),
            [paid(date(2024, 1, 13), "100")],
            tolerance=Tolerance(grace_days=3),
            as_of=date(2024, 1, 31),
        )
        assert outcome.status is Status.KEPT
        assert outcome.paid_on == date(2024, 1, 13)

    def test_paid_in_full_only_after_grace_is_broken_though_the_money_counts(self) -> None:
        [outcome] = classify(
            monthly("100"),
            [paid(date(2024, 1, 14), "100")],
            tolerance=Tolerance(grace_days=3),
            as_of=date(2024, 1, 31),
        )
        assert outcome.status is Status.BROKEN
        assert outcome.paid == usd("100")
        assert outcome.paid_on == date(2024, 1, 14)

    def test_part_on_time_and_the_rest_after_grace_is_partly_kept(self) -> None:
        [outcome] = classify(
            monthly("100"),
            [paid(date(2024, 1, 12), "40"), paid(date(2024, 1, 20), "60")],
            tolerance=Tolerance(grace_days=3),
            as_of=date(2024, 1, 31),
        )
        assert outcome.status is Status.PARTLY_KEPT
        assert outcome.paid == usd("100")
        assert outcome.paid_on == date(2024, 1, 20)

    def test_late_money_does_not_change_a_status_already_decided(self) -> None:
        dues = monthly("100")
        tolerance = Tolerance(grace_days=3)
        payments = [paid(date(2024, 1, 20), "100")]
        before = classify(dues, payments, tolerance=tolerance, as_of=date(2024, 1, 19))
        after = classify(dues, payments, tolerance=tolerance, as_of=date(2024, 1, 20))
        assert statuses(before) == statuses(after) == [Status.BROKEN]
        assert before[0].paid == usd("0")
        assert after[0].paid == usd("100")

    @pytest.mark.parametrize(
        ("tolerance", "payment", "expected"),
        [
            (Tolerance(amount=usd("5")), "95", Status.KEPT),
            (Tolerance(amount=usd("5")), "94.99", Status.PARTLY_KEPT),
            (Tolerance(percent=Decimal(10)), "90", Status.KEPT),
            (Tolerance(percent=Decimal(10)), "89.99", Status.PARTLY_KEPT),
            # The larger of the two applies: 5% of 100 is more than 2.
            (Tolerance(amount=usd("2"), percent=Decimal(5)), "95", Status.KEPT),
            (Tolerance(amount=usd("2"), percent=Decimal(5)), "94.99", Status.PARTLY_KEPT),
            (Tolerance(amount=usd("8"), percent=Decimal(5)), "92", Status.KEPT),
            (NO_TOLERANCE, "99.99", Status.PARTLY_KEPT),
        ],
    )
    def test_a_shortfall_within_tolerance_is_kept_and_beyond_it_partly_kept(
        self, tolerance: Tolerance, payment: str, expected: Status
    ) -> None:
        [outcome] = classify(
            monthly("100"), [paid(date(2024, 1, 10), payment)], tolerance=tolerance, as_of=date(2024, 2, 1)
        )
        assert outcome.status is expected
        assert outcome.paid == usd(payment)
        assert outcome.paid_on == date(2024, 1, 10)

    def test_percent_tolerance_rounds_down_to_the_cent(self) -> None:
        # 10% of 33.39 is 3.339, so the most it may be short is 3.33 (not 3.34): 30.06 must be paid.
        tolerance = Tolerance(percent=Decimal(10))
        kept = classify(
            monthly("33.39"), [paid(date(2024, 1, 10), "30.06")], tolerance=tolerance, as_of=date(2024, 2, 1)
        )
        short = classify(
            monthly("33.39"), [paid(date(2024, 1, 10), "30.05")], tolerance=tolerance, as_of=date(2024, 2, 1)
        )
        assert statuses(kept) == [Status.KEPT]
        assert statuses(short) == [Status.PARTLY_KEPT]

    def test_a_tolerance_as_large_as_the_instalment_does_not_keep_an_unpaid_one(self) -> None:
        [outcome] = classify(monthly("100"), [], tolerance=Tolerance(amount=usd("100")), as_of=date(2024, 2, 1))
        assert outcome.status is Status.BROKEN

    def test_nothing_paid_is_due_within_grace_and_broken_after(self) -> None:
        dues = monthly("100")
        tolerance = Tolerance(grace_days=5)
        on_the_day = classify(dues, [], tolerance=tolerance, as_of=date(2024, 1, 10))
        last_day_of_grace = classify(dues, [], tolerance=tolerance, as_of=date(2024, 1, 15))
        after = classify(dues, [], tolerance=tolerance, as_of=date(2024, 1, 16))
        assert statuses(on_the_day) == statuses(last_day_of_grace) == [Status.DUE]
        assert statuses(after) == [Status.BROKEN]
        assert after[0].paid == usd("0")
        assert after[0].paid_on is None

    def test_not_yet_due_is_pending_even_if_already_paid(self) -> None:
        dues = monthly("100")
        unpaid = classify(dues, [], tolerance=NO_TOLERANCE, as_of=date(2024, 1, 9))
        prepaid = classify(dues, [paid(date(2024, 1, 2), "100")], tolerance=NO_TOLERANCE, as_of=date(2024, 1, 9))
        assert statuses(unpaid) == statuses(prepaid) == [Status.PENDING]
        assert prepaid[0].paid == usd("100")
        assert prepaid[0].paid_on == date(2024, 1, 2)

    def test_payments_after_as_of_are_ignored(self) -> None:
        [outcome] = classify(
            monthly("100"),
            [paid(date(2024, 1, 10), "30"), paid(date(2024, 1, 12), "70")],
            tolerance=Tolerance(grace_days=5),
            as_of=date(2024, 1, 11),
        )
        assert outcome.status is Status.DUE
        assert outcome.paid == usd("30")
        assert outcome.paid_on == date(2024, 1, 10)


class TestSeveralInstalments:
    def test_one_payment_covering_two_instalments_keeps_both(self) -> None:
        outcomes = classify(
            monthly("100", "100", "100"),
            [paid(date(2024, 1, 10), "200")],
            tolerance=NO_TOLERANCE,
            as_of=date(2024, 3, 31),
        )
        assert statuses(outcomes) == [Status.KEPT, Status.KEPT, Status.BROKEN]
        assert [o.paid for o in outcomes] == [usd("100"), usd("100"), usd("0")]
        assert [o.paid_on for o in outcomes] == [date(2024, 1, 10), date(2024, 1, 10), None]

    def test_money_paid_before_the_first_due_date_counts_towards_the_earliest(self) -> None:
        outcomes = classify(
            monthly("100", "100"),
            [paid(date(2023, 12, 20), "150")],
            tolerance=NO_TOLERANCE,
            as_of=date(2024, 2, 29),
        )
        assert statuses(outcomes) == [Status.KEPT, Status.PARTLY_KEPT]
        assert [o.paid for o in outcomes] == [usd("100"), usd("50")]

    def test_late_money_pays_the_oldest_instalment_first(self) -> None:
        # January is missed; the 100 paid in February clears January (late) and leaves February unpaid.
        outcomes = classify(
            monthly("100", "100"),
            [paid(date(2024, 2, 10), "100")],
            tolerance=NO_TOLERANCE,
            as_of=date(2024, 2, 29),
        )
        assert statuses(outcomes) == [Status.BROKEN, Status.BROKEN]
        assert [o.paid for o in outcomes] == [usd("100"), usd("0")]

    def test_a_tolerated_shortfall_is_not_taken_out_of_the_next_payment(self) -> None:
        outcomes = classify(
            monthly("100", "100", "100"),
            [paid(date(2024, month, 10), "99") for month in (1, 2, 3)],
            tolerance=Tolerance(amount=usd("1")),
            as_of=date(2024, 3, 31),
        )
        assert statuses(outcomes) == [Status.KEPT, Status.KEPT, Status.KEPT]
        assert [o.paid for o in outcomes] == [usd("99"), usd("99"), usd("99")]
        assert [o.paid_on for o in outcomes] == [date(2024, 1, 10), date(2024, 2, 10), date(2024, 3, 10)]

    def test_money_left_once_all_are_satisfied_makes_up_the_shortfalls_oldest_first(self) -> None:
        outcomes = classify(
            monthly("100", "100"),
            [paid(date(2024, 1, 10), "95"), paid(date(2024, 2, 10), "95"), paid(date(2024, 3, 1), "7")],
            tolerance=Tolerance(amount=usd("5")),
            as_of=date(2024, 3, 31),
        )
        assert statuses(outcomes) == [Status.KEPT, Status.KEPT]
        assert [o.paid for o in outcomes] == [usd("100"), usd("97")]
        # Still the day each became satisfied, not the day the shortfall was made up.
        assert [o.paid_on for o in outcomes] == [date(2024, 1, 10), date(2024, 2, 10)]

    def test_a_payment_goes_to_the_next_unsatisfied_instalment_before_a_tolerated_shortfall(self) -> None:
        # January is satisfied at 95; the 100 paid early in January goes on to February.
        outcomes = classify(
            monthly("100", "100"),
            [paid(date(2024, 1, 10), "95"), paid(date(2024, 1, 20), "100")],
            tolerance=Tolerance(amount=usd("5")),
            as_of=date(2024, 1, 31),
        )
        assert statuses(outcomes) == [Status.KEPT, Status.PENDING]
        assert [o.paid for o in outcomes] == [usd("95"), usd("100")]

    def test_payments_on_the_same_day_are_applied_as_one_sum(self) -> None:
        outcomes = classify(
            monthly("100", "100"),
            [paid(date(2024, 1, 10), "60"), paid(date(2024, 1, 10), "90")],
            tolerance=NO_TOLERANCE,
            as_of=date(2024, 2, 29),
        )
        assert statuses(outcomes) == [Status.KEPT, Status.PARTLY_KEPT]
        assert [o.paid for o in outcomes] == [usd("100"), usd("50")]

    def test_outcomes_come_back_in_due_order(self) -> None:
        dues = monthly("10", "20", "30")
        outcomes = classify(list(reversed(dues)), [], tolerance=NO_TOLERANCE, as_of=date(2024, 1, 1))
        assert [o.due for o in outcomes] == dues

    def test_no_instalments_give_no_outcomes(self) -> None:
        assert classify([], [paid(date(2024, 1, 1), "5")], tolerance=NO_TOLERANCE, as_of=date(2024, 2, 1)) == ()


class TestRefusals:
    def test_a_payment_in_another_currency_is_refused_naming_it(self) -> None:
        payments = [paid(date(2024, 1, 1), "5"), Received(on=date(2024, 1, 2), amount=Money.of("5", "GBP"))]
        with pytest.raises(ValueError, match=r"payments\[1\]\.amount: currency GBP"):
            classify(monthly("100"), payments, tolerance=NO_TOLERANCE, as_of=date(2024, 2, 1))

    def test_a_tolerance_in_another_currency_is_refused_naming_it(self) -> None:
        with pytest.raises(ValueError, match=r"tolerance\.amount: currency EUR"):
            classify(monthly("100"), [], tolerance=Tolerance(amount=Money.of("1", "EUR")), as_of=date(2024, 2, 1))

    def test_instalments_in_two_currencies_are_refused_naming_the_odd_one(self) -> None:
        dues = [*monthly("100"), Due(number=2, due_date=date(2024, 2, 10), amount=Money.of("100", "JPY"))]
        with pytest.raises(ValueError, match=r"dues\[1\]\.amount: currency JPY"):
            classify(dues, [], tolerance=NO_TOLERANCE, as_of=date(2024, 2, 1))

    def test_outcomes_in_two_currencies_are_refused_when_summarised(self) -> None:
        usd_outcomes = classify(monthly("100"), [], tolerance=NO_TOLERANCE, as_of=date(2024, 2, 1))
        gbp_due = Due(number=2, due_date=date(2024, 1, 10), amount=Money.of("100", "GBP"))
        gbp = Outcome(due=gbp_due, status=Status.BROKEN, paid=Money.zero("GBP"), paid_on=None)
        with pytest.raises(ValueError, match=r"outcomes\[1\]\.due\.amount: currency GBP"):
            kept_rates((*usd_outcomes, gbp))
        with pytest.raises(ValueError, match=r"outcomes\[1\]\.due\.amount: currency GBP"):
            plan_state((*usd_outcomes, gbp), misses_allowed=0)

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"amount": usd("-1")}, "tolerance.amount"),
            ({"percent": Decimal(101)}, "tolerance.percent"),
            ({"percent": Decimal(-1)}, "tolerance.percent"),
            ({"percent": 5.0}, "tolerance.percent"),
            ({"grace_days": -1}, "tolerance.grace_days"),
        ],
    )
    def test_a_nonsense_tolerance_is_refused_naming_the_field(self, kwargs: dict[str, object], field: str) -> None:
        with pytest.raises(ValueError, match=field):
            Tolerance(**kwargs)  # type: ignore[arg-type]

    def test_duplicate_numbers_and_non_positive_amounts_are_refused(self) -> None:
        twice = [*monthly("100"), Due(number=1, due_date=date(2024, 2, 10), amount=usd("5"))]
        with pytest.raises(ValueError, match=r"dues\.number"):
            classify(twice, [], tolerance=NO_TOLERANCE, as_of=date(2024, 2, 1))
        with pytest.raises(ValueError, match=r"dues\[0\]\.amount: must be positive"):
            classify(monthly("0"), [], tolerance=NO_TOLERANCE, as_of=date(2024, 2, 1))
        with pytest.raises(ValueError, match=r"payments\[0\]\.amount: must be positive"):
            classify(monthly("1"), [paid(date(2024, 1, 1), "-1")], tolerance=NO_TOLERANCE, as_of=date(2024, 2, 1))


FOUR = monthly("100", "100", "100", "100")


class TestPlanState:
    @pytest.mark.parametrize(
        ("payments", "misses_allowed", "expected"),
        [
            # January and February kept, March missed, April not yet due.
            ([("2024-01-10", "100"), ("2024-02-10", "100")], 0, PlanState.BROKEN),
            ([("2024-01-10", "100"), ("2024-02-10", "100")], 1, PlanState.ACTIVE),
            ([("2024-01-10", "100"), ("2024-02-10", "100")], 2, PlanState.ACTIVE),
            # January kept, February and March missed.
            ([("2024-01-10", "100")], 0, PlanState.BROKEN),
            ([("2024-01-10", "100")], 1, PlanState.BROKEN),
            ([("2024-01-10", "100")], 2, PlanState.ACTIVE),
            # A partly kept instalment counts as a miss too.
            ([("2024-01-10", "100"), ("2024-02-10", "100"), ("2024-03-10", "50")], 0, PlanState.BROKEN),
            ([("2024-01-10", "100"), ("2024-02-10", "100"), ("2024-03-10", "50")], 1, PlanState.ACTIVE),
        ],
    )
    def test_misses_beyond_those_allowed_break_the_plan(
        self, payments: list[tuple[str, str]], misses_allowed: int, expected: PlanState
    ) -> None:
        received = [paid(date.fromisoformat(on), value) for on, value in payments]
        outcomes = classify(FOUR, received, tolerance=NO_TOLERANCE, as_of=date(2024, 3, 31))
        assert plan_state(outcomes, misses_allowed=misses_allowed) is expected

    def test_a_plan_moves_from_active_to_broken_as_misses_add_up(self) -> None:
        received = [paid(date(2024, 1, 10), "100")]
        states = [
            plan_state(classify(FOUR, received, tolerance=NO_TOLERANCE, as_of=as_of), misses_allowed=1)
            for as_of in (date(2024, 1, 10), date(2024, 2, 11), date(2024, 3, 10), date(2024, 3, 11))
        ]
        assert states == [PlanState.ACTIVE, PlanState.ACTIVE, PlanState.ACTIVE, PlanState.BROKEN]

    def test_every_instalment_kept_completes_it(self) -> None:
        received = [paid(date(2024, month, 10), "100") for month in range(1, 5)]
        before_the_last = classify(FOUR, received, tolerance=NO_TOLERANCE, as_of=date(2024, 3, 31))
        after_the_last = classify(FOUR, received, tolerance=NO_TOLERANCE, as_of=date(2024, 4, 10))
        assert plan_state(before_the_last, misses_allowed=0) is PlanState.ACTIVE
        assert plan_state(after_the_last, misses_allowed=0) is PlanState.COMPLETED

    def test_kept_within_tolerance_completes_it_though_short(self) -> None:
        received = [paid(date(2024, month, 10), "99") for month in range(1, 5)]
        outcomes = classify(FOUR, received, tolerance=Tolerance(amount=usd("1")), as_of=date(2024, 4, 30))
        assert statuses(outcomes) == [Status.KEPT] * 4
        assert plan_state(outcomes, misses_allowed=0) is PlanState.COMPLETED

    def test_paying_the_whole_total_completes_it_despite_misses(self) -> None:
        late = classify(FOUR, [paid(date(2024, 3, 20), "400")], tolerance=NO_TOLERANCE, as_of=date(2024, 3, 31))
        short = classify(FOUR, [paid(date(2024, 3, 20), "399.99")], tolerance=NO_TOLERANCE, as_of=date(2024, 3, 31))
        assert statuses(late) == [Status.BROKEN, Status.BROKEN, Status.BROKEN, Status.PENDING]
        assert plan_state(late, misses_allowed=0) is PlanState.COMPLETED
        assert plan_state(short, misses_allowed=0) is PlanState.BROKEN

    def test_instalments_in_grace_are_not_misses(self) -> None:
        outcomes = classify(FOUR, [], tolerance=Tolerance(grace_days=3), as_of=date(2024, 1, 12))
        assert statuses(outcomes)[0] is Status.DUE
        assert plan_state(outcomes, misses_allowed=0) is PlanState.ACTIVE


class TestKeptRates:
    def test_by_count_and_by_amount_over_what_fell_due(self) -> None:
        dues = monthly("100", "300", "200", "400", "500")
        received = [paid(date(2024, 1, 10), "100"), paid(date(2024, 2, 12), "50")]
        outcomes = classify(dues, received, tolerance=Tolerance(grace_days=5), as_of=date(2024, 4, 12))
        assert statuses(outcomes) == [Status.KEPT, Status.PARTLY_KEPT, Status.BROKEN, Status.DUE, Status.PENDING]
        assert kept_rates(outcomes) == KeptRates(
            kept_count=1,
            fell_due_count=3,
            kept_amount=usd("100"),
            fell_due_amount=usd("600"),
            by_count=Decimal("33.33"),
            by_amount=Decimal("16.67"),
        )

    def test_all_kept_is_a_hundred_percent(self) -> None:
        received = [paid(date(2024, 1, 10), "100"), paid(date(2024, 2, 10), "100")]
        rates = kept_rates(classify(FOUR, received, tolerance=NO_TOLERANCE, as_of=date(2024, 2, 28)))
        assert (rates.by_count, rates.by_amount) == (Decimal("100.00"), Decimal("100.00"))
        assert (rates.kept_count, rates.fell_due_count) == (2, 2)

    def test_nothing_fell_due_gives_no_rate(self) -> None:
        outcomes = classify(FOUR, [], tolerance=Tolerance(grace_days=5), as_of=date(2024, 1, 12))
        assert kept_rates(outcomes) == KeptRates(0, 0, None, None, None, None)
        assert kept_rates(()) == KeptRates(0, 0, None, None, None, None)


# Properties over any schedule and any payments in one currency.

START = date(2024, 1, 1)


@st.composite
def schedules(draw: st.DrawFn) -> list[Due]:
    amounts = draw(st.lists(st.integers(min_value=1, max_value=50_000), min_size=1, max_size=8))
    offsets = draw(st.lists(st.integers(min_value=0, max_value=200), min_size=len(amounts), max_size=len(amounts)))
    return [
        Due(number=n, due_date=START + timedelta(days=offset), amount=Money.from_minor(minor, "USD"))
        for n, (minor, offset) in enumerate(zip(amounts, offsets, strict=True), start=1)
    ]


def payment() -> st.SearchStrategy[Received]:
    return st.builds(
        Received,
        on=st.integers(min_value=-30, max_value=240).map(lambda offset: START + timedelta(days=offset)),
        amount=st.integers(min_value=1, max_value=80_000).map(lambda minor: Money.from_minor(minor, "USD")),
    )


tolerances = st.builds(
    Tolerance,
    amount=st.none() | st.integers(min_value=0, max_value=2_000).map(lambda minor: Money.from_minor(minor, "USD")),
    percent=st.integers(min_value=0, max_value=2_000).map(lambda hundredths: Decimal(hundredths) / 100),
    grace_days=st.integers(min_value=0, max_value=10),
)
as_of_dates = st.integers(min_value=-10, max_value=260).map(lambda offset: START + timedelta(days=offset))
payment_lists = st.lists(payment(), max_size=10)


def minor_sum(amounts: list[Money]) -> int:
    return sum(amount.minor for amount in amounts)


class TestProperties:
    @given(schedules(), payment_lists, tolerances, as_of_dates)
    def test_money_is_never_counted_twice_and_overpayments_flow_on(
        self, dues: list[Due], payments: list[Received], tolerance: Tolerance, as_of: date
    ) -> None:
        outcomes = classify(dues, payments, tolerance=tolerance, as_of=as_of)
        counted = minor_sum([p.amount for p in payments if p.on <= as_of])
        applied = minor_sum([o.paid for o in outcomes])
        assert applied <= minor_sum([p.amount for p in payments])
        assert all(o.paid <= o.due.amount for o in outcomes)
        # Nothing is left unapplied while any instalment is still owed something.
        assert applied == min(counted, minor_sum([d.amount for d in dues]))
        assert all((o.paid_on is None) == o.paid.is_zero for o in outcomes)
        assert all(o.paid_on is None or o.paid_on <= as_of for o in outcomes)

    @given(schedules(), payment_lists, tolerances, as_of_dates, st.randoms(use_true_random=False))
    def test_the_order_of_the_payments_list_does_not_matter(
        self, dues: list[Due], payments: list[Received], tolerance: Tolerance, as_of: date, rng: random.Random
    ) -> None:
        shuffled = list(payments)
        rng.shuffle(shuffled)
        assert classify(dues, shuffled, tolerance=tolerance, as_of=as_of) == classify(
            dues, payments, tolerance=tolerance, as_of=as_of
        )

    @given(schedules(), payment_lists, payment(), tolerances, as_of_dates)
    def test_another_payment_never_unkeeps_an_instalment(
        self, dues: list[Due], payments: list[Received], extra: Received, tolerance: Tolerance, as_of: date
    ) -> None:
        before = classify(dues, payments, tolerance=tolerance, as_of=as_of)
        after = classify(dues, [*payments, extra], tolerance=tolerance, as_of=as_of)
        for old, new in zip(before, after, strict=True):
            if old.status is Status.KEPT:
                assert new.status is Status.KEPT
        assert minor_sum([o.paid for o in after]) >= minor_sum([o.paid for o in before])

    @given(schedules(), payment_lists, tolerances, as_of_dates, st.integers(min_value=1, max_value=120))
    def test_a_later_as_of_never_unkeeps_an_instalment_nor_changes_a_decided_one(
        self, dues: list[Due], payments: list[Received], tolerance: Tolerance, as_of: date, days: int
    ) -> None:
        earlier = classify(dues, payments, tolerance=tolerance, as_of=as_of)
        later = classify(dues, payments, tolerance=tolerance, as_of=as_of + timedelta(days=days))
        for old, new in zip(earlier, later, strict=True):
            if old.status is Status.KEPT:
                assert new.status is Status.KEPT
            if old.due.due_date + timedelta(days=tolerance.grace_days) < as_of:
                assert new.status is old.status

    @given(schedules(), payment_lists, tolerances, as_of_dates)
    def test_exactly_the_instalments_due_after_as_of_are_pending(
        self, dues: list[Due], payments: list[Received], tolerance: Tolerance, as_of: date
    ) -> None:
        outcomes = classify(dues, payments, tolerance=tolerance, as_of=as_of)
        assert sorted(o.due.number for o in outcomes) == sorted(d.number for d in dues)
        for outcome in outcomes:
            assert (outcome.status is Status.PENDING) == (outcome.due.due_date > as_of)
            if outcome.status is Status.DUE:
                assert as_of <= outcome.due.due_date + timedelta(days=tolerance.grace_days)

    @given(schedules(), payment_lists, tolerances, as_of_dates)
    def test_kept_rates_agree_with_the_outcomes(
        self, dues: list[Due], payments: list[Received], tolerance: Tolerance, as_of: date
    ) -> None:
        outcomes = classify(dues, payments, tolerance=tolerance, as_of=as_of)
        rates = kept_rates(outcomes)
        fell_due = [o for o in outcomes if o.status not in (Status.PENDING, Status.DUE)]
        assert rates.fell_due_count == len(fell_due)
        assert rates.kept_count == sum(1 for o in fell_due if o.status is Status.KEPT)
        if fell_due:
            assert rates.by_count is not None
            assert rates.by_amount is not None
            assert Decimal(0) <= rates.by_count <= Decimal(100)
            assert Decimal(0) <= rates.by_amount <= Decimal(100)
        else:
            assert rates.by_count is None
            assert rates.by_amount is None
