"""Receivables KPIs as defined in KPIS.md: DSO (standard and countback), CEI and ART.

The database sums the inputs (balances and charges over a period); these functions apply the
published formulas. Each returns None when its denominator is zero rather than inventing a figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

TWO_PLACES = Decimal("0.01")


def _round(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_EVEN)


def dso(*, ending_receivables: Decimal, credit_sales: Decimal, days_in_period: int) -> Decimal | None:
    """Standard DSO: receivables at the end / credit sales in the period x days in the period."""
    if credit_sales <= 0:
        return None
    return _round(ending_receivables / credit_sales * days_in_period)


@dataclass(frozen=True)
class PeriodSales:
    """Credit sales in one month (or other period) and how many days it had."""

    days: int
    credit_sales: Decimal


def countback_dso(*, ending_receivables: Decimal, periods_newest_first: Sequence[PeriodSales]) -> Decimal | None:
    """Countback DSO: walk back through monthly sales until the receivables are used up.

    Each whole month whose sales the remaining receivables cover adds its days; the month that
    exhausts them adds the covered fraction of its days. If the receivables outlast every month
    given, the result is None (the history is too short to say).
    """
    remaining = ending_receivables
    days = Decimal(0)
    if remaining <= 0:
        return Decimal("0.00")
    for period in periods_newest_first:
        if period.credit_sales <= 0:
            days += period.days
            continue
        if remaining > period.credit_sales:
            remaining -= period.credit_sales
            days += period.days
        else:
            return _round(days + remaining / period.credit_sales * period.days)
    return None


def cei(
    *,
    beginning_receivables: Decimal,
    credit_sales: Decimal,
    ending_total_receivables: Decimal,
    ending_current_receivables: Decimal,
) -> Decimal | None:
    """Collection effectiveness index, in percent:
    (beginning AR + sales - ending total AR) / (beginning AR + sales - ending current AR) x 100.
    """
    collectable = beginning_receivables + credit_sales - ending_current_receivables
    if collectable <= 0:
        return None
    collected = beginning_receivables + credit_sales - ending_total_receivables
    return _round(collected / collectable * 100)


def art(*, credit_sales: Decimal, beginning_receivables: Decimal, ending_receivables: Decimal) -> Decimal | None:
    """Accounts receivable turnover: net credit sales / average receivables."""
    average = (beginning_receivables + ending_receivables) / 2
    if average <= 0:
        return None
    return _round(credit_sales / average)
