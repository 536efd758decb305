"""Allocation follows the creditor's waterfall and never loses or invents a cent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recoup.core.allocation import (
    AllocationMethod,
    AllocationPolicy,
    InvalidAllocationPolicy,
    OpenBalance,
    allocate,
)
from recoup.core.ledger import Component
from recoup.core.money import Money, MoneyError

START = date(2025, 1, 1)


def usd(value: str) -> Money:
    return Money.of(value, "USD")


BALANCES = [
    OpenBalance(1, Component.PRINCIPAL, date(2025, 1, 1), usd("500.00")),
    OpenBalance(2, Component.INTEREST, date(2025, 2, 1), usd("40.00")),
    OpenBalance(3, Component.FEES, date(2025, 3, 1), usd("25.00")),
    OpenBalance(4, Component.COSTS, date(2025, 4, 1), usd("10.00")),
]


class TestWaterfall:
    def test_pays_costs_then_fees_then_interest_then_principal_by_default(self) -> None:
        result = allocate(usd("80.00"), BALANCES, AllocationPolicy())
        assert [(a.component, a.amount) for a in result.allocations] == [
            (Component.COSTS, usd("10.00")),
            (Component.FEES, usd("25.00")),
            (Component.INTEREST, usd("40.00")),
            (Component.PRINCIPAL, usd("5.00")),
        ]
        assert result.overpayment.is_zero

    def test_oldest_first_pays_the_oldest_item_whatever_its_component(self) -> None:
        policy = AllocationPolicy(method=AllocationMethod.OLDEST_FIRST)
        result = allocate(usd("520.00"), BALANCES, policy)
        assert [(a.item_id, a.amount) for a in result.allocations] == [(1, usd("500.00")), (2, usd("20.00"))]

    def test_an_overpayment_is_kept_not_dropped(self) -> None:
        result = allocate(usd("600.00"), BALANCES, AllocationPolicy())
        assert result.overpayment == usd("25.00")
        assert result.allocated == usd("575.00")

    def test_refuses_zero_and_negative_amounts(self) -> None:
        with pytest.raises(MoneyError, match="amount: must be more than zero"):
            allocate(usd("0.00"), BALANCES, AllocationPolicy())

    def test_refuses_a_payment_in_another_currency(self) -> None:
        with pytest.raises(MoneyError, match="currency: item 1 is in USD, the payment in GBP"):
            allocate(Money.of("5.00", "GBP"), BALANCES, AllocationPolicy())

    def test_a_policy_must_name_every_component_once(self) -> None:
        with pytest.raises(InvalidAllocationPolicy, match="component_order"):
            AllocationPolicy(component_order=(Component.FEES, Component.PRINCIPAL))
        with pytest.raises(InvalidAllocationPolicy, match="method: 'lifo'"):
            AllocationPolicy.from_dict({"method": "lifo"})

    def test_round_trips_through_its_stored_form(self) -> None:
        policy = AllocationPolicy(method=AllocationMethod.OLDEST_FIRST)
        assert AllocationPolicy.from_dict(policy.to_dict()) == policy


@st.composite
def open_balances(draw: st.DrawFn) -> list[OpenBalance]:
    count = draw(st.integers(min_value=0, max_value=15))
    return [
        OpenBalance(
            item_id=index,
            component=draw(st.sampled_from(list(Component))),
            due_date=START + timedelta(days=draw(st.integers(min_value=0, max_value=900))),
            balance=Money.from_minor(draw(st.integers(min_value=-500, max_value=10**7)), "USD"),
        )
        for index in range(count)
    ]


@given(
    st.integers(min_value=1, max_value=10**8),
    open_balances(),
    st.sampled_from(list(AllocationMethod)),
    st.permutations(list(Component)),
)
def test_allocation_sums_exactly_and_never_overpays_an_item(
    minor: int, balances: list[OpenBalance], method: AllocationMethod, order: list[Component]
) -> None:
    amount = Money.from_minor(minor, "USD")
    result = allocate(amount, balances, AllocationPolicy(method=method, component_order=tuple(order)))
    by_item = {b.item_id: b for b in balances}
    assert result.allocated + result.overpayment == amount
    assert not result.overpayment.is_negative
    for allocation in result.allocations:
        assert allocation.amount.is_positive
        assert allocation.amount <= by_item[allocation.item_id].balance
    owed = sum((b.balance.minor for b in balances if b.balance.is_positive), 0)
    if result.overpayment.is_positive:
        assert result.allocated.minor == owed
