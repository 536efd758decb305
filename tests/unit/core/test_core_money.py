"""Money is exact: no float, no mixed currencies, splits that sum to the cent."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recoup.core.money import Money, MoneyError, entered_amount, total

CURRENCIES = st.sampled_from(["USD", "GBP", "AUD", "JPY", "BHD"])


@st.composite
def money(draw: st.DrawFn, currency: str | None = None) -> Money:
    code = currency or draw(CURRENCIES)
    return Money.from_minor(draw(st.integers(min_value=-(10**12), max_value=10**12)), code)


class TestMoney:
    def test_refuses_floats(self) -> None:
        with pytest.raises(MoneyError, match="floats are not accepted"):
            Money.of(0.1, "USD")  # type: ignore[arg-type]

    def test_refuses_unknown_currencies(self) -> None:
        with pytest.raises(MoneyError, match="currency: 'XYZ' is not an ISO 4217"):
            Money.of("1.00", "XYZ")

    def test_refuses_more_places_than_the_currency_has(self) -> None:
        with pytest.raises(MoneyError, match="more decimal places than JPY allows"):
            Money.of("10.5", "JPY")

    @pytest.mark.parametrize("value", ["1e30", "-1e30", "1E+999999", "10" * 30, "1000000000000000"])
    def test_refuses_amounts_beyond_the_limit_with_a_money_error(self, value: str) -> None:
        with pytest.raises(MoneyError, match="amount: .* is too large"):
            Money.of(value, "USD")

    @given(st.decimals(allow_nan=True, allow_infinity=True), CURRENCIES)
    def test_any_decimal_is_money_or_a_money_error(self, value: Decimal, currency: str) -> None:
        try:
            money = Money.rounded(value, currency, rounding=ROUND_HALF_EVEN)
        except MoneyError:
            return
        assert Money.from_minor(money.minor, currency) == money

    @given(st.text(max_size=60), CURRENCIES)
    def test_entered_text_is_money_or_a_money_error(self, text: str, currency: str) -> None:
        try:
            money = entered_amount(text, currency)
        except MoneyError as exc:
            refusal = str(exc)
        else:
            assert abs(money.amount) <= Decimal("999999999999.99")
            return
        assert refusal.startswith("amount: ")

    def test_entered_amounts_are_bounded_and_read_thousands_separators(self) -> None:
        assert entered_amount(" 1,250.50 ", "USD") == Money.of("1250.50", "USD")
        with pytest.raises(MoneyError, match="at most 999,999,999,999.99"):
            entered_amount("1000000000000", "USD")
        with pytest.raises(MoneyError, match="is not a number"):
            entered_amount("12\x0034", "USD")

    def test_refuses_mixing_currencies(self) -> None:
        with pytest.raises(MoneyError, match="cannot combine USD with GBP"):
            Money.of("1.00", "USD") + Money.of("1.00", "GBP")

    def test_rounding_names_its_mode(self) -> None:
        assert Money.rounded("2.345", "USD", rounding=ROUND_HALF_EVEN) == Money.of("2.34", "USD")
        assert Money.rounded("2.345", "USD", rounding=ROUND_HALF_UP) == Money.of("2.35", "USD")

    def test_shows_grouping_and_code(self) -> None:
        assert str(Money.of("1234567.5", "USD")) == "1,234,567.50 USD"
        assert str(Money.of("1500", "JPY")) == "1,500 JPY"

    @given(money(), st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12))
    def test_split_always_sums_exactly(self, amount: Money, weights: list[int]) -> None:
        if sum(weights) == 0:
            weights = [*weights[:-1], 1]
        parts = amount.split(weights)
        assert total(parts, amount.currency) == amount
        assert len(parts) == len(weights)

    @given(money("USD"), st.integers(min_value=1, max_value=60))
    def test_equal_split_parts_differ_by_at_most_the_remainder(self, amount: Money, count: int) -> None:
        parts = amount.split([1] * count, remainder_to=0)
        rest = {p.minor for p in parts[1:]}
        assert len(rest) <= 1
        assert abs(parts[0].minor) - abs(min(rest, default=parts[0].minor, key=abs)) < count

    @given(money("GBP"), money("GBP"))
    def test_addition_and_subtraction_round_trip(self, a: Money, b: Money) -> None:
        assert (a + b) - b == a
        negated = -a
        assert -negated == a

    def test_amounts_compare_by_value(self) -> None:
        assert Money.of("1.10", "USD") == Money.of(Decimal("1.1"), "USD")
        assert Money.of("0.99", "USD") < Money.of("1", "USD")


@given(st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1), CURRENCIES)
def test_format_minor_reads_exactly_like_money(minor: int, currency: str) -> None:
    from recoup.core.money import format_minor

    assert format_minor(minor, currency) == str(Money.from_minor(minor, currency))
