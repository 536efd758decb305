"""Calibration of the demo portfolio: how late accounts are, when they were placed, their status,
what they owe and who pays how much.

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
# With the generated balances (later buckets owe more interest and fees) 3.7% gives the published
# rates by balance: 3.4% of balances 30+ days past due, 1.6% 60+, 4.2% charged off a year.
CARD_MONTHLY_ENTRY_RATE = 0.037

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


# --- Balances ----------------------------------------------------------------------------------
# What a placed account owes, by component, in whole units of the account's currency. Balances are
# log-normal (PRODUCT.md: instalment loans with a median about $13k, card and utility debts with a
# median under $1k); the median and the spread (sigma of the log) are per product and currency, and
# draws are clipped to a plausible range. Interest, fees and costs follow from the product's terms.


@dataclass(frozen=True)
class BalanceShape:
    """A log-normal balance: median and clip range in whole currency units, sigma of the log."""

    median: int
    sigma: float
    low: int
    high: int


PRINCIPAL_SHAPES: dict[tuple[str, str], BalanceShape] = {
    # Card principal (what was spent); with interest and late fees the median balance is about $850.
    ("credit_card", "USD"): BalanceShape(760, 1.0, 50, 25_000),
    # Personal (instalment) loans: outstanding principal at default, median about $12.5k, so the
    # balance with arrears interest is about $13k; GBP at about $1.25 a pound.
    ("personal_loan", "USD"): BalanceShape(12_500, 0.6, 1_000, 60_000),
    ("personal_loan", "GBP"): BalanceShape(10_000, 0.6, 1_000, 50_000),
    # Energy, water and telecom arrears and final bills.
    ("utility", "USD"): BalanceShape(330, 0.9, 20, 5_000),
    ("utility", "AUD"): BalanceShape(520, 0.9, 30, 8_000),
    # Self-pay balances after insurance: skewed, a few very large.
    ("medical", "USD"): BalanceShape(620, 1.1, 25, 50_000),
    ("other", "USD"): BalanceShape(900, 1.0, 50, 20_000),
    # One B2B invoice (an account has several).
    ("b2b_invoice", "GBP"): BalanceShape(1_400, 1.1, 50, 120_000),
}

# Annual interest rates in basis points (low, high), drawn per account. Cards: purchase or penalty
# APR; loans: the contract rate, charged on arrears until charge-off (US) or default (UK: 70% of
# lenders keep charging). B2B: statutory interest (Late Payment of Commercial Debts Act, 8% over a
# base rate of about 4.5%), claimed on 25% of accounts.
INTEREST_APR_BP: dict[str, tuple[int, int]] = {
    "credit_card": (1_999, 2_999),
    "personal_loan": (900, 2_400),
    "b2b_invoice": (1_250, 1_250),
}
INTEREST_SHARE: dict[str, float] = {"credit_card": 1.0, "personal_loan": 0.7, "b2b_invoice": 0.25}
# Cards bill one month of interest before the first missed payment.
CARD_INTEREST_EXTRA_DAYS = 30

# Late fees per missed monthly cycle (minor units): cards $30 for the first, $41 after (the US safe
# harbour amounts); loans $35 or £15 per missed payment on 75% of accounts. At most six cycles.
CARD_LATE_FEE_FIRST_MINOR = 3_000
CARD_LATE_FEE_LATER_MINOR = 4_100
LOAN_LATE_FEE_MINOR: dict[str, int] = {"USD": 3_500, "GBP": 1_500}
LOAN_LATE_FEE_SHARE = 0.75
MAX_FEE_CYCLES = 6
# Utility and telecom: a late payment or termination fee on some accounts (median, whole units).
UTILITY_FEE_SHARE = 0.35
UTILITY_FEE_MEDIAN: dict[str, int] = {"USD": 45, "AUD": 15}
OTHER_FEE_SHARE = 0.25
OTHER_FEE_MEDIAN = 35
# B2B: fixed compensation per overdue invoice (UK Late Payment Act): £40 under £1,000, £70 under
# £10,000, £100 above; claimed on 35% of accounts.
B2B_COMPENSATION_SHARE = 0.35
B2B_COMPENSATION_MINOR: tuple[tuple[int, int], ...] = ((100_000, 4_000), (1_000_000, 7_000), (2**62, 10_000))
# B2B invoices: 2 + Poisson(2.5) per account (at most 12), due 7-31 days apart, on 30-day terms.
B2B_INVOICES_EXTRA_MEAN = 2.5
B2B_MAX_INVOICES = 12
B2B_INVOICE_GAP_DAYS = (7, 31)
B2B_TERMS_DAYS = 30

# Costs: court and solicitor costs on every account in legal (median, whole units), and a small
# tracing cost on 3% of other accounts (not medical: US agencies may not add it).
LEGAL_COSTS_MEDIAN: dict[str, int] = {"USD": 320, "GBP": 280, "AUD": 300}
LEGAL_COSTS_SIGMA = 0.5
TRACING_COST_SHARE = 0.03
TRACING_COST_MEDIAN = 15


# --- Payments ----------------------------------------------------------------------------------
# Who pays, how often and how much. Shares are of accounts; fractions are of the placed balance.
# Agencies collect about 12-22% of placed balances in 12 months, decaying with the age of the debt
# (PRODUCT.md): the share of agency accounts paying something grows with the months since placement
# (1 - exp(-t / 120 days)) and falls with how old the debt was when placed; paid, settled and
# arrangement accounts add the rest. The documentation gives the resulting curve.

# Share of accounts making ad hoc (part) payments, by segment, for active accounts.
FIRST_PARTY_EARLY_PAYERS = 0.32
"""Under 90 days past due: part payments towards the arrears."""
FIRST_PARTY_LATE_PAYERS = 0.18
FIRST_PARTY_CHARGED_OFF_PAYERS = 0.12
AGENCY_PAYERS = 0.36
AGENCY_PAYERS_RAMP_DAYS = 120
AGENCY_AGE_DECAY_DAYS = 700
"""The agency payer share falls by a factor e for every 700 days the debt was past due beyond 120."""
# How the other statuses compare with active accounts (legal accounts mostly pay by court order).
PAYER_FACTOR_BY_STATUS: dict[str, float] = {
    "active": 1.0,
    "on_hold": 0.5,
    "disputed": 0.3,
    "recalled": 0.6,
    "closed": 0.6,
    "legal": 0.3,
}
# Ad hoc payments per payer: 1 + Poisson(0.5 per two months in collections, at most 3), at most 12;
# each a log-normal fraction of the placed balance (median 9%), whole currency units from 10 up.
PART_PAYMENTS_PER_60_DAYS = 0.5
PART_PAYMENTS_MAX = 12
PART_PAYMENT_MEDIAN_FRACTION = 0.09
PART_PAYMENT_SIGMA = 0.8
# Paid and settled accounts: some paid in parts before the final payment; settlements are 35-80%
# of what was owed, the rest written down; a few payers overpay and leave a credit balance.
PRIOR_PART_PAYMENTS_SHARE = 0.3
SETTLEMENT_SHARE_BP = (3_500, 8_000)
OVERPAYMENT_SHARE = 0.03
OVERPAYMENT_MAX_MINOR = 2_000
WRITTEN_OFF_PRIOR_PAYMENTS_SHARE = 0.15
# Arrangements: instalments every month (70%), fortnight (22%) or week (8%) from the day the plan
# was agreed, over 6-36 months in all; 7% of instalments are missed. At most 36 are on record.
PLAN_CADENCES: tuple[tuple[int, float], ...] = ((30, 0.70), (14, 0.22), (7, 0.08))
PLAN_MONTHS = (6, 36)
PLAN_MISSED_SHARE = 0.07
PLAN_MAX_INSTALMENTS = 36
# Accounts in legal pay by court order (attachment of earnings, garnishment) in 35% of cases:
# monthly, 4-8% of the placed balance.
LEGAL_ORDER_SHARE = 0.35
LEGAL_ORDER_FRACTION_BP = (400, 800)
# Returned payments, by method: bounced cheques, returned direct debits, card chargebacks; and
# the delay (days, low-high) before the return is known.
RETURN_SHARE_BY_METHOD: dict[str, float] = {
    "cheque": 0.04,
    "direct_debit": 0.03,
    "card": 0.01,
    "bank_transfer": 0.003,
    "cash": 0.0,
}
RETURN_DELAY_DAYS: dict[str, tuple[int, int]] = {
    "cheque": (5, 10),
    "direct_debit": (3, 5),
    "card": (10, 60),
    "bank_transfer": (1, 5),
    "cash": (1, 1),
}
# Adjustments (a waived fee, recalculated interest, a corrected balance) on 1.5% of open accounts.
ADJUSTMENT_SHARE = 0.015
# How debtors pay, by country (ad hoc payments; plans use direct debit where there is one).
PAYMENT_METHODS: dict[str, tuple[tuple[str, float], ...]] = {
    "US": (("card", 0.50), ("bank_transfer", 0.32), ("cheque", 0.12), ("cash", 0.06)),
    "AU": (("bank_transfer", 0.50), ("card", 0.38), ("direct_debit", 0.08), ("cash", 0.04)),
    "GB": (("bank_transfer", 0.45), ("card", 0.35), ("direct_debit", 0.20)),
    "B2B": (("bank_transfer", 0.88), ("cheque", 0.07), ("card", 0.05)),
}
PLAN_METHODS: dict[str, tuple[tuple[str, float], ...]] = {
    "US": (("card", 0.55), ("bank_transfer", 0.45)),
    "AU": (("direct_debit", 0.75), ("card", 0.25)),
    "GB": (("direct_debit", 0.85), ("card", 0.15)),
    "B2B": (("bank_transfer", 0.9), ("direct_debit", 0.1)),
}
# The hours (UTC, start and length) in which payments arrive: local business hours of the country.
PAYMENT_HOURS_UTC: dict[str, tuple[int, int]] = {"US": (13, 10), "GB": (8, 11), "AU": (0, 9)}
