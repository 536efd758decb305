"""Calibration of the demo portfolio: how late accounts are, when they were placed, their status.

Pure NumPy, no Django. The figures come from PRODUCT.md ("Realistic synthetic data") and are
explained in docs/demo-data.md; change them here and the document together.

Delinquency of first-party card and loan books is a monthly roll-rate chain: of the accounts in one
30-day bucket this month, a share rolls to the next bucket next month, the rest cure (or pay).
The stock of accounts in each bucket is then proportional to the product of the roll rates up to it,
which is what a collections queue holds on any given day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]

# Monthly roll rates for first-party cards: 1-29 -> 30-59, 30-59 -> 60-89, ..., 150-179 -> charge-off.
# 55% of early delinquencies cure by themselves (published: 40-60%); one in four 30-day accounts rolls
# to 60 days (published: about one in five); from 60 days on delinquency is sticky (82-94% roll on).
CARD_ROLL_RATES: tuple[float, ...] = (0.45, 0.25, 0.82, 0.90, 0.92, 0.94)
# Personal loans cure less often once missed (the instalment is larger than a card minimum).
LOAN_ROLL_RATES: tuple[float, ...] = (0.50, 0.40, 0.80, 0.88, 0.92, 0.94)
# Share of the book entering 1-29 days past due each month, used only to state the implied book
# rates in the documentation (the generator holds the delinquent accounts, not the whole book).
CARD_MONTHLY_ENTRY_RATE = 0.042

# Accounts already charged off that the first-party recoveries team still works.
CARD_RECOVERIES_SHARE = 0.20
LOAN_RECOVERIES_SHARE = 0.25
RECOVERIES_MEAN_DAYS_AFTER_CHARGE_OFF = 300
RECOVERIES_MAX_DAYS_AFTER_CHARGE_OFF = 1460

# Days past due at which a product charges off, by (country, product type). US regulators require
# open-end credit (cards) to charge off at 180 days and closed-end loans at 120; UK lenders default
# and terminate a loan agreement after a few missed payments, written off here at 180 days.
CHARGE_OFF_DAYS: dict[tuple[str, str], int] = {
    ("US", "credit_card"): 180,
    ("US", "personal_loan"): 120,
    ("GB", "personal_loan"): 180,
}

# Days past due when a third-party agency receives an account, by product (low, high), and how long
# ago placements arrived (exponential mean, cap): agencies work an account for a year or two.
AGENCY_DPD_AT_PLACEMENT: dict[str, tuple[int, int]] = {
    "medical": (120, 365),
    "utility": (90, 270),
    "credit_card": (181, 540),
    "personal_loan": (150, 540),
    "other": (90, 365),
}
AGENCY_PLACEMENT_AGE_MEAN_DAYS = 180
AGENCY_PLACEMENT_AGE_MAX_DAYS = 730

STATUSES: tuple[str, ...] = (
    "active",
    "in_arrangement",
    "on_hold",
    "disputed",
    "legal",
    "settled",
    "paid",
    "written_off",
    "recalled",
    "closed",
)

# Status mix per portfolio (per mille, in STATUSES order). Most accounts are active; plans are the
# next largest group; hospitals and utilities put hardship cases on hold; disputes are more common
# on B2B invoices and on agency placements; only agencies have accounts recalled by the client.
STATUS_MIX: dict[str, tuple[int, ...]] = {
    "credit_card": (740, 120, 20, 20, 20, 20, 40, 10, 0, 10),
    "personal_loan": (720, 140, 20, 20, 30, 20, 30, 10, 0, 10),
    "utility": (740, 140, 40, 10, 0, 10, 50, 0, 0, 10),
    "medical": (720, 150, 30, 30, 0, 10, 50, 0, 0, 10),
    "b2b_invoice": (700, 120, 30, 60, 40, 20, 20, 0, 0, 10),
    "agency": (700, 120, 20, 50, 20, 30, 20, 0, 30, 10),
}
LEGAL_MIN_DPD = 90
WRITE_OFF_MIN_DPD = 180


@dataclass(frozen=True)
class BookRates:
    """Delinquency of the whole book implied by a roll-rate chain and a monthly entry rate."""

    thirty_plus: float
    """Share of accounts 30 or more days past due."""
    sixty_plus: float
    annual_charge_off: float
    """Share of accounts charged off in a year (by count)."""
    early_cure: float
    """Share of accounts entering 1-29 days past due that cure without rolling on."""


def bucket_shares(roll_rates: Sequence[float]) -> npt.NDArray[np.float64]:
    """Share of delinquent (not yet charged-off) accounts in each 30-day bucket, from roll rates."""
    stock = np.cumprod([1.0, *roll_rates[:-1]])
    return np.asarray(stock / stock.sum(), dtype=np.float64)


def implied_book_rates(roll_rates: Sequence[float], monthly_entry_rate: float) -> BookRates:
    """The book-level rates a roll-rate chain implies when `monthly_entry_rate` of the book enters 1-29."""
    stock = np.cumprod([1.0, *roll_rates[:-1]]) * monthly_entry_rate
    charge_off_per_month = stock[-1] * roll_rates[-1]
    return BookRates(
        thirty_plus=float(stock[1:].sum()),
        sixty_plus=float(stock[2:].sum()),
        annual_charge_off=float(12 * charge_off_per_month),
        early_cure=1.0 - roll_rates[0],
    )


def _chain_dpd(
    rng: np.random.Generator, n: int, roll_rates: Sequence[float], recoveries_share: float, charge_off: int
) -> IntArray:
    # One 30-day bucket per month until charge-off: six for cards, four for US loans.
    shares = bucket_shares(roll_rates[: charge_off // 30])
    bucket = rng.choice(len(shares), size=n, p=shares)
    dpd = bucket * 30 + rng.integers(0, 30, n)
    recovered = rng.random(n) < recoveries_share
    after = np.minimum(
        rng.exponential(RECOVERIES_MEAN_DAYS_AFTER_CHARGE_OFF, n).astype(np.int64),
        RECOVERIES_MAX_DAYS_AFTER_CHARGE_OFF,
    )
    dpd = np.where(recovered, charge_off + after, dpd)
    return np.maximum(dpd, 1)


def first_party_days_past_due(
    rng: np.random.Generator, *, product: str, country: str, n: int
) -> tuple[IntArray, IntArray]:
    """Days past due today and days from first delinquency to placement, for a first-party queue."""
    if product == "credit_card":
        dpd = _chain_dpd(rng, n, CARD_ROLL_RATES, CARD_RECOVERIES_SHARE, CHARGE_OFF_DAYS[(country, product)])
        delay = rng.integers(1, 6, n)
    elif product == "personal_loan":
        dpd = _chain_dpd(rng, n, LOAN_ROLL_RATES, LOAN_RECOVERIES_SHARE, CHARGE_OFF_DAYS[(country, product)])
        delay = rng.integers(1, 6, n)
    elif product == "utility":
        # Most overdue bills are weeks late; final bills of closed accounts (moved out or
        # disconnected) linger for months.
        final_bill = rng.random(n) < 0.3
        dpd = np.where(
            final_bill,
            rng.integers(90, 721, n),
            14 + rng.exponential(30, n).astype(np.int64),
        )
        delay = rng.integers(14, 29, n)
    elif product == "medical":
        # Self-pay balances after insurance: statements for about four months, then bad debt.
        bad_debt = rng.random(n) < 0.15
        dpd = np.where(
            bad_debt,
            rng.integers(180, 541, n),
            np.minimum(1 + rng.exponential(55, n).astype(np.int64), 179),
        )
        delay = rng.integers(0, 11, n)
    elif product == "b2b_invoice":
        dpd = np.clip(rng.lognormal(np.log(40), 0.8, n).astype(np.int64), 1, 720)
        delay = rng.integers(7, 31, n)
    else:
        dpd = rng.integers(30, 366, n)
        delay = rng.integers(1, 15, n)
    dpd = dpd.astype(np.int64)
    return dpd, np.minimum(delay.astype(np.int64), dpd)


def agency_days_past_due(
    rng: np.random.Generator, *, products: npt.NDArray[np.str_], n: int
) -> tuple[IntArray, IntArray]:
    """Days past due today and days since placement, for accounts placed with a third-party agency."""
    low = np.zeros(n, dtype=np.int64)
    high = np.zeros(n, dtype=np.int64)
    for product, (lo, hi) in AGENCY_DPD_AT_PLACEMENT.items():
        mask = products == product
        low[mask] = lo
        high[mask] = hi
    at_placement = low + (rng.random(n) * (high - low + 1)).astype(np.int64)
    age = np.minimum(rng.exponential(AGENCY_PLACEMENT_AGE_MEAN_DAYS, n).astype(np.int64), AGENCY_PLACEMENT_AGE_MAX_DAYS)
    return at_placement + age, age


def days_before_delinquency_opened(rng: np.random.Generator, *, products: npt.NDArray[np.str_]) -> IntArray:
    """How long each account had been open when it first went delinquent, by product."""
    n = len(products)
    days = np.zeros(n, dtype=np.int64)
    shapes: dict[str, IntArray] = {
        # Cards: opened months to decades before; median about four years.
        "credit_card": np.clip(rng.lognormal(np.log(1460), 0.8, n), 120, 9000).astype(np.int64),
        # Loans go bad early in their term.
        "personal_loan": np.minimum(60 + rng.exponential(420, n), 1800).astype(np.int64),
        "utility": np.minimum(60 + rng.exponential(900, n), 7000).astype(np.int64),
        # Medical: the date of service; the first statement falls due one to four months later.
        "medical": rng.integers(30, 121, n),
        # B2B: the customer relationship began long before the oldest unpaid invoice.
        "b2b_invoice": np.minimum(90 + rng.exponential(1000, n), 6000).astype(np.int64),
        "other": rng.integers(30, 721, n),
    }
    for product, values in shapes.items():
        mask = products == product
        days[mask] = values[mask]
    return days


def statuses(
    rng: np.random.Generator, *, mix: str, dpd: IntArray, charged_off: npt.NDArray[np.bool_]
) -> npt.NDArray[np.str_]:
    """Account statuses drawn from a portfolio's mix, kept consistent with how late each account is."""
    weights = np.asarray(STATUS_MIX[mix], dtype=np.float64)
    drawn = np.asarray(STATUSES)[rng.choice(len(STATUSES), size=len(dpd), p=weights / weights.sum())]
    # Lawyers are instructed only on seriously late accounts; only charged-off debt is written off.
    drawn[(drawn == "legal") & (dpd < LEGAL_MIN_DPD)] = "active"
    drawn[(drawn == "written_off") & ~(charged_off | (dpd >= WRITE_OFF_MIN_DPD))] = "active"
    return drawn
