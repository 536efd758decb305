"""Building balanced ledger lines for each kind of transaction, in integer minor units.

A line is (book, component, item id, signed amount): debit positive, credit negative. Every builder
returns lines that sum to zero; `check_balanced` is the guard the writers call before storing.
The integer path (`allocate_minor`) is what the batch posting uses for speed; `allocation.allocate`
gives the same answer in Money.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from recoup.core.allocation import AllocationMethod, AllocationPolicy
from recoup.core.ledger import Book, Component


class UnbalancedTransaction(ValueError):
    """A transaction's lines do not sum to zero; nothing may be written."""


@dataclass(frozen=True, slots=True)
class Line:
    book: Book
    component: Component | None
    item_id: int | None
    amount_minor: int


@dataclass(frozen=True, slots=True)
class ItemBalance:
    item_id: int
    component: Component
    due_date: date
    balance_minor: int


def check_balanced(lines: Sequence[Line]) -> None:
    total = sum(line.amount_minor for line in lines)
    if total != 0:
        raise UnbalancedTransaction(f"lines sum to {total}, not zero")
    for line in lines:
        if line.amount_minor == 0:
            raise UnbalancedTransaction("a line has a zero amount")
        if line.book is Book.RECEIVABLE and (line.item_id is None or line.component is None):
            raise UnbalancedTransaction("a receivable line needs an item and a component")


def payment_order(balances: Iterable[ItemBalance], policy: AllocationPolicy) -> list[ItemBalance]:
    rank = {component: index for index, component in enumerate(policy.component_order)}
    if policy.method is AllocationMethod.OLDEST_FIRST:
        return sorted(balances, key=lambda b: (b.due_date, rank[b.component], b.item_id))
    return sorted(balances, key=lambda b: (rank[b.component], b.due_date, b.item_id))


def allocate_minor(
    amount_minor: int, balances: Iterable[ItemBalance], policy: AllocationPolicy
) -> tuple[list[tuple[ItemBalance, int]], int]:
    """Spread a positive amount over item balances by the policy; return (paid per item, left over)."""
    if amount_minor <= 0:
        raise ValueError("amount: must be more than zero")
    remaining = amount_minor
    paid: list[tuple[ItemBalance, int]] = []
    for balance in payment_order(balances, policy):
        if remaining == 0:
            break
        if balance.balance_minor <= 0:
            continue
        part = min(remaining, balance.balance_minor)
        paid.append((balance, part))
        remaining -= part
    return paid, remaining


def payment_lines(amount_minor: int, paid: Sequence[tuple[ItemBalance, int]], overpayment_minor: int) -> list[Line]:
    """Cash in; each item's receivable down by what it was paid; any excess held as a credit balance."""
    lines = [Line(Book.CASH, None, None, amount_minor)]
    lines.extend(Line(Book.RECEIVABLE, item.component, item.item_id, -part) for item, part in paid)
    if overpayment_minor:
        lines.append(Line(Book.CREDIT_BALANCE, None, None, -overpayment_minor))
    return lines


def charge_lines(item_id: int, component: Component, amount_minor: int) -> list[Line]:
    """A new amount owed (principal, interest, fee or cost) on an item, against revenue."""
    return [
        Line(Book.RECEIVABLE, component, item_id, amount_minor),
        Line(Book.REVENUE, component, None, -amount_minor),
    ]


def adjustment_lines(item_id: int, component: Component, signed_minor: int) -> list[Line]:
    """Raise (positive) or lower (negative) what is owed on an item, against the adjustment book."""
    return [
        Line(Book.RECEIVABLE, component, item_id, signed_minor),
        Line(Book.ADJUSTMENT, component, None, -signed_minor),
    ]


def write_down_lines(paid: Sequence[tuple[ItemBalance, int]]) -> list[Line]:
    """Discounts, settlement write-downs and write-offs: receivable down, write-down book up."""
    lines: list[Line] = []
    for item, part in paid:
        lines.append(Line(Book.RECEIVABLE, item.component, item.item_id, -part))
        lines.append(Line(Book.WRITE_DOWN, item.component, None, part))
    return lines


def refund_lines(amount_minor: int) -> list[Line]:
    """Return a credit balance to the debtor."""
    return [Line(Book.CREDIT_BALANCE, None, None, amount_minor), Line(Book.CASH, None, None, -amount_minor)]


def recovery_lines(amount_minor: int) -> list[Line]:
    """Money received on a written-off account: cash in, the write-down reduced."""
    return [Line(Book.CASH, None, None, amount_minor), Line(Book.WRITE_DOWN, None, None, -amount_minor)]


def reversal_lines(original: Sequence[Line]) -> list[Line]:
    """The exact mirror of a transaction's lines: every balance returns to where it was."""
    return [Line(line.book, line.component, line.item_id, -line.amount_minor) for line in original]
