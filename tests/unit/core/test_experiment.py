"""Champion/challenger statistics: recovery rates, promise-kept rates, intervals and verdicts per treatment path."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from recoup.core.experiment import (
    AssignmentOutcome,
    Finding,
    InvalidComparison,
    InvalidOutcome,
    PathComparison,
    compare_paths,
)
from recoup.core.money import MoneyError


def outcome(
    path: str = "champion",
    *,
    balance: int = 10_000,
    collected: int = 0,
    promises: int = 0,
    kept: int = 0,
    cost: int = 0,
) -> AssignmentOutcome:
    return AssignmentOutcome(
        path=path,
        balance_minor=balance,
        collected_minor=collected,
        promises=promises,
        promises_kept=kept,
        cost_minor=cost,
    )


def by_path(results: list[PathComparison]) -> dict[str, PathComparison]:
    return {result.path: result for result in results}


def spread_path(path: str, *, collected: tuple[int, ...], accounts: int = 60) -> list[AssignmentOutcome]:
    """`accounts` accounts owing 100.00 each, collecting the given amounts in turn."""
    return [outcome(path, collected=collected[i % len(collected)]) for i in range(accounts)]


class TestComparePaths:
    def test_a_path_that_collects_clearly_more_is_reported_better(self) -> None:
        rows = spread_path("champion", collected=(0, 2_000, 4_000)) + spread_path(
            "letter-first", collected=(5_000, 7_000, 9_000)
        )

        results = by_path(compare_paths(outcomes=rows, currency="USD", champion="champion"))

        challenger = results["letter-first"].recovery_vs_champion
        assert challenger is not None
        assert challenger.champion == "champion"
        assert challenger.finding is Finding.BETTER
        assert challenger.verdict == "better (95% CI excludes 0)"
        assert challenger.difference == Decimal("0.5000")
        assert results["champion"].recovery_vs_champion is None

    def test_a_path_that_collects_clearly_less_is_reported_worse(self) -> None:
        rows = spread_path("champion", collected=(5_000, 7_000, 9_000)) + spread_path(
            "sms-only", collected=(0, 2_000, 4_000)
        )

        comparison = by_path(compare_paths(outcomes=rows, currency="USD", champion="champion"))["sms-only"]

        assert comparison.recovery_vs_champion is not None
        assert comparison.recovery_vs_champion.finding is Finding.WORSE
        assert comparison.recovery_vs_champion.verdict == "worse (95% CI excludes 0)"

    def test_identical_paths_show_no_clear_difference(self) -> None:
        rows = spread_path("a", collected=(0, 3_000, 9_000)) + spread_path("b", collected=(0, 3_000, 9_000))

        comparison = by_path(compare_paths(outcomes=rows, currency="USD"))["b"]

        assert comparison.recovery_vs_champion is not None
        assert comparison.recovery_vs_champion.finding is Finding.NO_CLEAR_DIFFERENCE
        assert comparison.recovery_vs_champion.verdict.startswith("no clear difference yet")
        assert comparison.recovery_vs_champion.difference == Decimal("0.0000")

    def test_a_small_gap_on_few_accounts_is_not_called_a_winner(self) -> None:
        rows = spread_path("a", collected=(0, 9_000), accounts=6) + spread_path(
            "b", collected=(1_000, 9_000), accounts=6
        )

        comparison = by_path(compare_paths(outcomes=rows, currency="USD"))["b"]

        assert comparison.recovery_vs_champion is not None
        assert comparison.recovery_vs_champion.finding is Finding.NO_CLEAR_DIFFERENCE

    def test_the_champion_is_the_first_path_by_name_unless_named(self) -> None:
        rows = spread_path("b", collected=(0, 9_000)) + spread_path("a", collected=(0, 9_000))

        results = compare_paths(outcomes=rows, currency="USD")

        assert [result.path for result in results] == ["a", "b"]
        assert results[0].recovery_vs_champion is None
        assert results[1].recovery_vs_champion is not None
        assert results[1].recovery_vs_champion.champion == "a"

    def test_the_verdict_names_the_confidence_level(self) -> None:
        rows = spread_path("a", collected=(0, 2_000, 4_000)) + spread_path("b", collected=(5_000, 7_000, 9_000))

        comparison = by_path(compare_paths(outcomes=rows, currency="USD", confidence=0.99))["b"]

        assert comparison.recovery_vs_champion is not None
        assert comparison.recovery_vs_champion.verdict == "better (99% CI excludes 0)"

    def test_a_higher_confidence_gives_a_wider_interval(self) -> None:
        rows = spread_path("a", collected=(0, 2_000, 4_000), accounts=30)

        narrow = compare_paths(outcomes=rows, currency="USD", confidence=0.80)[0].recovery_interval
        wide = compare_paths(outcomes=rows, currency="USD", confidence=0.99)[0].recovery_interval

        assert narrow is not None
        assert wide is not None
        assert wide.low < narrow.low
        assert wide.high > narrow.high

    def test_totals_are_amounts_in_the_currency_and_recovery_is_a_ratio_of_sums(self) -> None:
        rows = [
            outcome("a", balance=10_000, collected=10_000, cost=150),
            outcome("a", balance=90_000, collected=0, cost=250),
        ]

        result = compare_paths(outcomes=rows, currency="USD")[0]

        assert result.accounts == 2
        assert result.balance == Decimal("1000.00")
        assert result.collected == Decimal("100.00")
        assert result.cost == Decimal("4.00")
        # 100 / 1000, not the mean of 1.0 and 0.0.
        assert result.recovery_rate == Decimal("0.1000")
        assert result.collected_per_account == Decimal("50.00")
        assert result.cost_per_unit_collected == Decimal("0.0400")

    def test_amounts_follow_the_currency_minor_unit(self) -> None:
        rows = [outcome("a", balance=1_000, collected=333), outcome("a", balance=1_000, collected=334)]

        result = compare_paths(outcomes=rows, currency="JPY")[0]

        assert result.balance == Decimal(2_000)
        assert result.collected_per_account == Decimal(334)  # 333.5 rounded half-even
        assert result.recovery_rate == Decimal("0.3335")

    def test_the_recovery_interval_matches_the_delta_method(self) -> None:
        pairs = [(10_000, 2_000), (20_000, 0), (5_000, 5_000), (15_000, 3_000)]
        rows = [outcome("a", balance=b, collected=c) for b, c in pairs]

        result = compare_paths(outcomes=rows, currency="USD")[0]

        # The same estimator written out in floats, independently of the module's exact arithmetic.
        n = len(pairs)
        total_balance = sum(b for b, _ in pairs)
        rate = sum(c for _, c in pairs) / total_balance
        residual_squares = sum((c - rate * b) ** 2 for b, c in pairs)
        standard_error = math.sqrt(n / (n - 1) * residual_squares) / total_balance
        assert result.recovery_interval is not None
        assert float(result.recovery_interval.low) == pytest.approx(
            max(0.0, rate - 1.959964 * standard_error), abs=1e-4
        )
        assert float(result.recovery_interval.high) == pytest.approx(rate + 1.959964 * standard_error, abs=1e-4)

    def test_the_recovery_interval_never_goes_below_zero(self) -> None:
        rows = [outcome("a", collected=0), outcome("a", collected=0), outcome("a", collected=10_000)]

        result = compare_paths(outcomes=rows, currency="USD")[0]

        assert result.recovery_interval is not None
        assert result.recovery_interval.low == Decimal("0.0000")

    def test_collected_per_account_has_a_normal_interval_around_the_mean(self) -> None:
        rows = [outcome("a", collected=c) for c in (1_000, 2_000, 3_000, 4_000)]

        result = compare_paths(outcomes=rows, currency="USD")[0]

        # Mean 25.00, sample SD 12.91, SE 6.455, margin 1.96 x 6.455 = 12.65.
        assert result.collected_per_account == Decimal("25.00")
        assert result.collected_per_account_interval is not None
        assert result.collected_per_account_interval.low == Decimal("12.35")
        assert result.collected_per_account_interval.high == Decimal("37.65")

    def test_a_path_that_collected_nothing_has_no_cost_per_unit_collected(self) -> None:
        rows = [outcome("a", collected=0, cost=500), outcome("a", collected=0, cost=200)]

        result = compare_paths(outcomes=rows, currency="USD")[0]

        assert result.cost_per_unit_collected is None
        assert result.recovery_rate == Decimal("0.0000")

    def test_a_path_with_one_account_has_no_intervals_and_too_few_accounts(self) -> None:
        rows = [*spread_path("a", collected=(0, 5_000)), outcome("b", collected=5_000)]

        result = by_path(compare_paths(outcomes=rows, currency="USD"))["b"]

        assert result.recovery_rate == Decimal("0.5000")
        assert result.recovery_interval is None
        assert result.collected_per_account_interval is None
        assert result.recovery_vs_champion is not None
        assert result.recovery_vs_champion.finding is Finding.TOO_FEW_ACCOUNTS
        assert result.recovery_vs_champion.verdict.startswith("too few accounts")
        assert result.recovery_vs_champion.interval is None

    def test_a_named_path_with_no_accounts_is_reported_empty(self) -> None:
        rows = spread_path("champion", collected=(0, 5_000))

        result = by_path(compare_paths(outcomes=rows, currency="USD", paths=["champion", "new-letter"]))["new-letter"]

        assert result.accounts == 0
        assert result.balance == Decimal(0)
        assert result.recovery_rate is None
        assert result.collected_per_account is None
        assert result.promise_kept_rate is None
        assert result.cost_per_unit_collected is None
        assert result.recovery_vs_champion is not None
        assert result.recovery_vs_champion.finding is Finding.TOO_FEW_ACCOUNTS

    def test_a_path_with_no_balance_has_no_recovery_rate(self) -> None:
        rows = [*spread_path("a", collected=(0, 5_000)), outcome("b", balance=0), outcome("b", balance=0)]

        result = by_path(compare_paths(outcomes=rows, currency="USD"))["b"]

        assert result.recovery_rate is None
        assert result.recovery_interval is None
        assert result.recovery_vs_champion is not None
        assert result.recovery_vs_champion.finding is Finding.NO_BALANCE

    def test_no_outcomes_give_no_comparisons(self) -> None:
        assert compare_paths(outcomes=[], currency="USD") == []

    def test_an_unknown_champion_is_refused(self) -> None:
        with pytest.raises(InvalidComparison, match="champion: 'c' is not one of the paths"):
            compare_paths(outcomes=[outcome("a"), outcome("b")], currency="USD", champion="c")

    @pytest.mark.parametrize("confidence", [0.0, 1.0, 1.5, -0.1, math.nan])
    def test_a_confidence_outside_zero_and_one_is_refused(self, confidence: float) -> None:
        with pytest.raises(InvalidComparison, match="confidence:"):
            compare_paths(outcomes=[outcome()], currency="USD", confidence=confidence)

    def test_an_unknown_currency_is_refused(self) -> None:
        with pytest.raises(MoneyError, match="currency: 'XYZ'"):
            compare_paths(outcomes=[outcome()], currency="XYZ")


class TestRefusingBadOutcomes:
    @pytest.mark.parametrize(
        ("field", "row"),
        [
            ("balance_minor", outcome(balance=-1)),
            ("collected_minor", outcome(collected=-100)),
            ("promises", outcome(promises=-1)),
            ("promises_kept", outcome(kept=-1)),
            ("cost_minor", outcome(cost=-5)),
        ],
    )
    def test_a_negative_amount_is_refused_naming_the_row_and_field(self, field: str, row: AssignmentOutcome) -> None:
        with pytest.raises(InvalidOutcome, match=rf"outcomes\[1\]\.{field}: -\d+ is negative"):
            compare_paths(outcomes=[outcome(), row], currency="USD")

    def test_more_promises_kept_than_made_is_refused(self) -> None:
        with pytest.raises(InvalidOutcome, match=r"outcomes\[0\]\.promises_kept: 3 kept is more than the 2 promises"):
            compare_paths(outcomes=[outcome(promises=2, kept=3)], currency="USD")

    def test_a_fractional_amount_is_refused(self) -> None:
        row = outcome(collected=12.5)  # type: ignore[arg-type]

        with pytest.raises(InvalidOutcome, match=r"outcomes\[0\]\.collected_minor: 12.5 is not a whole number"):
            compare_paths(outcomes=[row], currency="USD")

    def test_an_invalid_outcome_is_a_value_error(self) -> None:
        with pytest.raises(ValueError, match="balance_minor"):
            compare_paths(outcomes=[outcome(balance=-1)], currency="USD")


class TestPromiseKeptRate:
    def test_no_promises_give_no_rate(self) -> None:
        result = compare_paths(outcomes=[outcome(), outcome()], currency="USD")[0]

        assert result.promise_kept_rate is None
        assert result.promise_kept_interval is None

    def test_the_rate_has_a_wilson_interval(self) -> None:
        rows = [outcome(promises=5, kept=4), outcome(promises=5, kept=4)]

        result = compare_paths(outcomes=rows, currency="USD")[0]

        # 8 of 10 kept: the Wilson 95% interval is 0.4902 to 0.9433.
        assert result.promises == 10
        assert result.promises_kept == 8
        assert result.promise_kept_rate == Decimal("0.8000")
        assert result.promise_kept_interval is not None
        assert result.promise_kept_interval.low == Decimal("0.4902")
        assert result.promise_kept_interval.high == Decimal("0.9433")

    @given(
        st.lists(
            st.integers(min_value=0, max_value=50).flatmap(
                lambda made: st.tuples(st.just(made), st.integers(min_value=0, max_value=made))
            ),
            min_size=1,
            max_size=30,
        ),
        st.sampled_from([0.8, 0.9, 0.95, 0.99, 0.999]),
    )
    def test_the_wilson_interval_contains_the_rate_and_stays_within_zero_and_one(
        self, promises: list[tuple[int, int]], confidence: float
    ) -> None:
        assume(sum(made for made, _ in promises) > 0)
        rows = [outcome(promises=made, kept=kept) for made, kept in promises]

        result = compare_paths(outcomes=rows, currency="USD", confidence=confidence)[0]

        assert result.promise_kept_rate is not None
        assert result.promise_kept_interval is not None
        assert Decimal(0) <= result.promise_kept_interval.low <= result.promise_kept_interval.high <= Decimal(1)
        assert result.promise_kept_interval.contains(result.promise_kept_rate)


class TestRecoveryInterval:
    @given(
        st.lists(
            st.tuples(st.integers(min_value=0, max_value=10**10), st.integers(min_value=0, max_value=10**10)),
            min_size=2,
            max_size=40,
        ),
        st.sampled_from([0.8, 0.9, 0.95, 0.99]),
    )
    def test_the_interval_contains_the_point_estimate_and_is_never_negative(
        self, accounts: list[tuple[int, int]], confidence: float
    ) -> None:
        assume(sum(balance for balance, _ in accounts) > 0)
        rows = [outcome(balance=balance, collected=collected) for balance, collected in accounts]

        result = compare_paths(outcomes=rows, currency="USD", confidence=confidence)[0]

        assert result.recovery_rate is not None
        assert result.recovery_interval is not None
        assert result.recovery_interval.low >= 0
        assert result.recovery_interval.contains(result.recovery_rate)

    @given(
        st.lists(
            st.tuples(st.integers(min_value=1, max_value=10**8), st.integers(min_value=0, max_value=10**8)),
            min_size=2,
            max_size=30,
        )
    )
    def test_the_result_does_not_depend_on_the_order_of_rows(self, accounts: list[tuple[int, int]]) -> None:
        rows = [outcome(balance=balance, collected=collected) for balance, collected in accounts]

        forwards = compare_paths(outcomes=rows, currency="USD")
        backwards = compare_paths(outcomes=rows[::-1], currency="USD")

        assert forwards == backwards
