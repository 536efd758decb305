"""Allocation waterfalls: how a payment is spread over what a debtor owes.

A creditor chooses a policy. `component_order` pays components in a stated order (for example costs,
then fees, then interest, then principal), oldest item first within each component. `oldest_first`
pays the oldest item first whatever its component, with the component order breaking ties. Whatever
is left after every item is paid is an overpayment, kept as a credit balance, never dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from recoup.core.ledger import Component
from recoup.core.money import Money, MoneyError


class AllocationMethod(StrEnum):
    COMPONENT_ORDER = "component_order"
    OLDEST_FIRST = "oldest_first"


DEFAULT_COMPONENT_ORDER: tuple[Component, ...] = (
    Component.COSTS,
    Component.FEES,
    Component.INTEREST,
    Component.PRINCIPAL,
)


class InvalidAllocationPolicy(ValueError):
    """The policy names an unknown method or does not list every component once."""


@dataclass(frozen=True)
class AllocationPolicy:
    method: AllocationMethod = AllocationMethod.COMPONENT_ORDER
    component_order: tuple[Component, ...] = DEFAULT_COMPONENT_ORDER

    def __post_init__(self) -> None:
        if sorted(self.component_order) != sorted(Component):
            raise InvalidAllocationPolicy("component_order: must list principal, interest, fees and costs once each")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AllocationPolicy:
        """Read a policy stored as JSON: {"method": ..., "component_order": [...]}."""
        try:
            method = AllocationMethod(data.get("method", AllocationMethod.COMPONENT_ORDER))
        except ValueError:
            raise InvalidAllocationPolicy(f"method: '{data.get('method')}' is not a known method") from None
        try:
            order = tuple(Component(c) for c in data.get("component_order", DEFAULT_COMPONENT_ORDER))
        except ValueError as exc:
            raise InvalidAllocationPolicy(f"component_order: {exc}") from None
        return cls(method=method, component_order=order)

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method.value, "component_order": [c.value for c in self.component_order]}

    def describe(self) -> str:
        order = ", then ".join(c.value for c in self.component_order)
        if self.method is AllocationMethod.OLDEST_FIRST:
            return f"oldest item first; on the same due date {order}"
        return f"{order}; oldest item first within each"


@dataclass(frozen=True)
class OpenBalance:
    """What is owed on one open item (a single component) now."""

    item_id: int
    component: Component
    due_date: date
    balance: Money


@dataclass(frozen=True)
class Allocation:
    item_id: int
    component: Component
    amount: Money


@dataclass(frozen=True)
class AllocationResult:
    allocations: tuple[Allocation, ...]
    overpayment: Money

    @property
    def allocated(self) -> Money:
        currency = self.overpayment.currency
        result = Money.zero(currency)
        for allocation in self.allocations:
            result = result + allocation.amount
        return result


def allocate(amount: Money, balances: Sequence[OpenBalance], policy: AllocationPolicy) -> AllocationResult:
    """Spread a positive payment over the open balances by the policy.

    Never pays an item beyond its balance; items with nothing owed are passed over; what is left is
    the overpayment. The allocations and the overpayment always sum exactly to `amount`.
    """
    from recoup.core.postings import ItemBalance, allocate_minor

    if not amount.is_positive:
        raise MoneyError(f"amount: must be more than zero, not {amount}")
    for open_balance in balances:
        if open_balance.balance.currency != amount.currency:
            raise MoneyError(
                f"currency: item {open_balance.item_id} is in {open_balance.balance.currency}, "
                f"the payment in {amount.currency}"
            )
    paid, left = allocate_minor(
        amount.minor,
        [ItemBalance(b.item_id, b.component, b.due_date, b.balance.minor) for b in balances],
        policy,
    )
    allocations = tuple(
        Allocation(item.item_id, item.component, Money.from_minor(part, amount.currency)) for item, part in paid
    )
    return AllocationResult(allocations, Money.from_minor(left, amount.currency))
