"""The money history of the demo accounts, as NumPy columns: what each owes and what happened to it.

Pure NumPy, no Django and no I/O. `build_history` turns the accounts of one chunk into open items,
ledger transactions with their entries, payments (a few returned), adjustments and write-downs, and
the balances they leave; `generator.py` gives the rows ids and writes them. Rows refer to each other
by position in these arrays (an entry's transaction is an index into the transactions).

Every transaction balances by construction: the lines are those of `core.postings` (charge,
payment, reversal, adjustment and write-down lines), in the same order. Item balances and the
accounts' balance columns are the sums of the entries, so `recoup ledger verify` holds.

Payments are spread by the default waterfall (`core.allocation.DEFAULT_COMPONENT_ORDER`: costs,
fees, interest, principal; oldest item first within each), vectorised: an account's events
(payments, returns, adjustments, write-downs) are taken in date order, and round r processes the
r-th event of every account at once over a dense accounts-by-items matrix of balances. An item
only takes part in an event on or after the day it was charged.

All amounts are int64 minor units; log-normal draws are converted to whole minor units explicitly.
The figures come from `calibration.py` and are explained in docs/demo-data.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from recoup.core.allocation import DEFAULT_COMPONENT_ORDER
from recoup.core.ledger import Book, Component, TransactionType
from recoup.core.money import minor_units
from recoup.demo import calibration as cal

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.str_]

SECONDS_PER_DAY = 86_400

COMPONENTS: tuple[Component, ...] = (Component.PRINCIPAL, Component.INTEREST, Component.FEES, Component.COSTS)
PRINCIPAL, INTEREST, FEES, COSTS = range(4)
# Position of each component (by code) in the creditor's default waterfall.
_WATERFALL_RANK = np.asarray([DEFAULT_COMPONENT_ORDER.index(c) for c in COMPONENTS], dtype=np.int64)

ITEM_KINDS: tuple[str, ...] = ("placement", "invoice", "interest", "fee", "cost")
KIND_PLACEMENT, KIND_INVOICE, KIND_INTEREST, KIND_FEE, KIND_COST = range(5)

TRANSACTION_TYPES: tuple[TransactionType, ...] = (
    TransactionType.CHARGE,
    TransactionType.COST,
    TransactionType.PAYMENT,
    TransactionType.PAYMENT_REVERSAL,
    TransactionType.ADJUSTMENT,
    TransactionType.SETTLEMENT_WRITE_DOWN,
    TransactionType.WRITE_OFF,
)
T_CHARGE, T_COST, T_PAYMENT, T_REVERSAL, T_ADJUSTMENT, T_SETTLEMENT, T_WRITE_OFF = range(7)

BOOKS: tuple[Book, ...] = (
    Book.RECEIVABLE,
    Book.REVENUE,
    Book.CASH,
    Book.CREDIT_BALANCE,
    Book.WRITE_DOWN,
    Book.ADJUSTMENT,
)
B_RECEIVABLE, B_REVENUE, B_CASH, B_CREDIT, B_WRITE_DOWN, B_ADJUSTMENT = range(6)

METHODS: tuple[str, ...] = ("card", "bank_transfer", "direct_debit", "cheque", "cash")
_METHOD_CODE = {name: code for code, name in enumerate(METHODS)}

MEMOS: tuple[str, ...] = (
    "",
    "Balance placed for collection",
    "Court and solicitor costs",
    "Tracing costs",
    "Late fees waived (goodwill)",
    "Interest recalculated",
    "Balance corrected to the creditor's statement",
    "Costs not recoverable",
    "Settlement agreed: the rest written down",
    "Written off: not economic to pursue",
    # Returned payments, by method (METHODS order).
    "Card payment charged back",
    "Payment recalled by the sending bank",
    "Direct debit returned: insufficient funds",
    "Cheque returned unpaid",
    "Cash payment reversed",
)
(
    M_NONE,
    M_PLACED,
    M_LEGAL_COSTS,
    M_TRACING,
    M_FEES_WAIVED,
    M_INTEREST,
    M_CORRECTED,
    M_COSTS_REMOVED,
    M_SETTLEMENT,
    M_WRITE_OFF,
    M_RETURN_FIRST,
) = range(11)
_ADJUSTMENT_MEMO = np.asarray([M_CORRECTED, M_INTEREST, M_FEES_WAIVED, M_COSTS_REMOVED], dtype=np.int64)

CLOSED_STATUSES = ("paid", "settled", "written_off")

# Kinds of event, and their order on the same day.
_PAY_PART, _PAY_FULL, _PAY_SETTLE, _WRITE_DOWN_SETTLE, _WRITE_OFF, _REVERSE, _ADJUST = range(7)
_SAME_DAY_ORDER = np.asarray([1, 1, 1, 3, 3, 2, 0], dtype=np.int64)
_EVENT_TYPE = np.asarray([T_PAYMENT, T_PAYMENT, T_PAYMENT, T_SETTLEMENT, T_WRITE_OFF, T_REVERSAL, T_ADJUSTMENT])
_NOT_DUE = np.iinfo(np.int64).max


@dataclass(frozen=True)
class AccountFacts:
    """What the money history of a chunk of accounts (one creditor) is drawn from."""

    currency: str
    country: str
    third_party: bool
    products: StrArray
    statuses: StrArray
    dpd: IntArray
    first_delinquency_day: IntArray
    placed_second: IntArray
    charge_off_day: IntArray
    """-1 where the account is not charged off."""
    changed_second: IntArray
    """When the status last changed (a plan agreed, a payment in full, legal action)."""
    first_index: int
    """Index of the chunk's first account within its creditor (numbers its invoices)."""
    as_of_day: int
    now_second: int


@dataclass(frozen=True)
class History:
    """The rows of one chunk's money history; references between rows are array positions."""

    item_account: IntArray
    item_kind: IntArray
    item_component: IntArray
    item_reference: list[str]
    item_due_day: IntArray
    item_original: IntArray
    item_balance: IntArray
    item_created_second: IntArray

    txn_account: IntArray
    txn_type: IntArray
    txn_amount: IntArray
    txn_day: IntArray
    txn_posted_second: IntArray
    txn_reverses: IntArray
    """Position of the transaction this one reverses, -1 for none."""
    txn_memo: IntArray

    entry_txn: IntArray
    entry_account: IntArray
    entry_item: IntArray
    """Position of the entry's open item, -1 for none."""
    entry_book: IntArray
    entry_component: IntArray
    """Component code, -1 for none."""
    entry_amount: IntArray
    entry_day: IntArray

    payment_account: IntArray
    payment_amount: IntArray
    payment_received_second: IntArray
    payment_method: IntArray
    payment_txn: IntArray
    payment_reversal_txn: IntArray
    """Position of the reversing transaction, -1 when the payment stands."""
    payment_reversal_memo: IntArray

    balances: IntArray
    """Accounts by component (COMPONENTS order): what each account owes now."""
    oldest_unpaid_day: IntArray
    """Due date of each account's oldest item still owing, -1 when it owes nothing."""
    credit_balance: IntArray
    itemization_day: IntArray
    itemization_amount: IntArray
    statuses: StrArray
    changed_second: IntArray
    plans: DrawnPlans
    """The payment plans behind the instalments of the accounts in arrangement (not court orders)."""


@dataclass(frozen=True)
class DrawnPlans:
    """One payment plan per account drawn in arrangement, as `_plans` drew it; days since 1970-01-01.

    The instalments paid are those of the plan (7% missed, some returned): the n-th (from 0) falls
    due on `first_day + n * cadence_days`; `planned_count` instalments of `instalment` minor units
    were planned from the placed balance (the last ones not due yet). `owed_when_agreed` is what the
    ledger showed on the agreed day (receivable entries dated up to it).
    """

    account: IntArray
    """Position of the account in the chunk (its final status may have become "paid")."""
    agreed_day: IntArray
    first_day: IntArray
    cadence_days: IntArray
    planned_count: IntArray
    instalment: IntArray
    placed_total: IntArray
    owed_when_agreed: IntArray


@dataclass
class _PlanParts:
    """Collects what `_plans` drew for arrangements (court orders are not recorded)."""

    parts: list[tuple[IntArray, IntArray, IntArray, IntArray, IntArray, IntArray, IntArray]]

    def joined(self, position: int) -> IntArray:
        if not self.parts:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([np.asarray(part[position], dtype=np.int64) for part in self.parts])

    def plans(self, owed_when_agreed: IntArray) -> DrawnPlans:
        joined = self.joined
        return DrawnPlans(
            account=joined(0),
            agreed_day=joined(1),
            first_day=joined(2),
            cadence_days=joined(3),
            planned_count=joined(4),
            instalment=joined(5),
            placed_total=joined(6),
            owed_when_agreed=owed_when_agreed,
        )


# --- items -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Items:
    account: IntArray
    kind: IntArray
    component: IntArray
    due_day: IntArray
    day: IntArray
    """The day the item is charged (its charge transaction's effective date)."""
    amount: IntArray
    in_placement: BoolArray
    """Charged in the account's placement transaction (else in a transaction of its own)."""
    invoice_number: IntArray
    """-1 for items without an invoice number."""


class _ItemParts:
    """Collects items by group (all of one kind and component), then joins them into columns."""

    def __init__(self) -> None:
        self.groups: list[tuple[IntArray, int, int, IntArray, IntArray, IntArray, bool, IntArray]] = []

    def __call__(
        self,
        accounts: IntArray,
        kind: int,
        component: int,
        due: IntArray,
        day: IntArray,
        amount: IntArray,
        in_placement: bool,
        invoice: IntArray | None = None,
    ) -> None:
        """Add the items of `accounts` with a positive amount."""
        keep = amount > 0
        number = np.full(len(accounts), -1, dtype=np.int64) if invoice is None else invoice
        self.groups.append(
            (accounts[keep], kind, component, due[keep], day[keep], amount[keep], in_placement, number[keep])
        )

    def items(self) -> _Items:
        def joined(position: int) -> IntArray:
            return np.concatenate([np.asarray(group[position], dtype=np.int64) for group in self.groups])

        def repeated(position: int) -> IntArray:
            return np.concatenate([np.full(len(group[0]), group[position], dtype=np.int64) for group in self.groups])

        return _Items(
            account=joined(0),
            kind=repeated(1),
            component=repeated(2),
            due_day=joined(3),
            day=joined(4),
            amount=joined(5),
            in_placement=np.concatenate([np.full(len(g[0]), g[6], dtype=np.bool_) for g in self.groups]),
            invoice_number=joined(7),
        )


def _lognormal_minor(rng: np.random.Generator, shape: cal.BalanceShape, n: int, unit: int) -> IntArray:
    """Log-normal amounts in whole minor units (`unit` minor units per currency unit)."""
    major = np.clip(rng.lognormal(np.log(shape.median), shape.sigma, n), shape.low, shape.high)
    return np.rint(major * unit).astype(np.int64)


def _whole_units(rng: np.random.Generator, median: int, sigma: float, n: int, unit: int) -> IntArray:
    """Log-normal amounts rounded to whole currency units, at least one unit."""
    major = np.maximum(np.rint(rng.lognormal(np.log(median), sigma, n)), 1)
    return major.astype(np.int64) * unit


def _charge_off_after(country: str, products: StrArray) -> IntArray:
    """Days past due at which each account's product charges off (a large number where it never does)."""
    days = np.full(len(products), 10**6, dtype=np.int64)
    for (place, product), after in cal.CHARGE_OFF_DAYS.items():
        if place == country:
            days[products == product] = after
    return days


def _draw_items(
    rng: np.random.Generator,
    facts: AccountFacts,
    *,
    placed_day: IntArray,
    changed_day: IntArray,
    last_item_day: IntArray,
    unit: int,
) -> _Items:
    n = len(facts.products)
    products = facts.products
    currency = facts.currency
    index = np.arange(n, dtype=np.int64)
    add = _ItemParts()

    consumer = products != "b2b_invoice"
    principal = np.zeros(n, dtype=np.int64)
    for product in sorted(set(products[consumer].tolist())):
        mask = products == product
        principal[mask] = _lognormal_minor(rng, cal.PRINCIPAL_SHAPES[(product, currency)], int(mask.sum()), unit)
    cons = index[consumer]
    add(cons, KIND_PLACEMENT, PRINCIPAL, facts.first_delinquency_day[cons], placed_day[cons], principal[cons], True)

    # Interest: the contract rate on the principal for the days in arrears, up to charge-off.
    accrued_days = np.minimum(facts.dpd, _charge_off_after(facts.country, products))
    interest = np.zeros(n, dtype=np.int64)
    for product in ("credit_card", "personal_loan"):
        mask = products == product
        if not mask.any():
            continue
        low, high = cal.INTEREST_APR_BP[product]
        apr = rng.integers(low, high + 1, n)
        days = accrued_days + (cal.CARD_INTEREST_EXTRA_DAYS if product == "credit_card" else 0)
        charged = mask & (rng.random(n) < cal.INTEREST_SHARE[product])
        interest = np.where(charged, principal * apr * days // (10_000 * 365), interest)
    add(index, KIND_PLACEMENT, INTEREST, facts.first_delinquency_day, placed_day, interest, True)

    # Fees: late fees per missed cycle (cards, loans), a fee on some utility and other debts.
    cycles = np.minimum(accrued_days // 30 + 1, cal.MAX_FEE_CYCLES)
    fees = np.zeros(n, dtype=np.int64)
    fees = np.where(
        products == "credit_card",
        cal.CARD_LATE_FEE_FIRST_MINOR + cal.CARD_LATE_FEE_LATER_MINOR * (cycles - 1),
        fees,
    )
    if currency in cal.LOAN_LATE_FEE_MINOR:
        loan_fee = (rng.random(n) < cal.LOAN_LATE_FEE_SHARE) & (products == "personal_loan")
        fees = np.where(loan_fee, cal.LOAN_LATE_FEE_MINOR[currency] * cycles, fees)
    if currency in cal.UTILITY_FEE_MEDIAN:
        utility_fee = (rng.random(n) < cal.UTILITY_FEE_SHARE) & (products == "utility")
        amounts = _whole_units(rng, cal.UTILITY_FEE_MEDIAN[currency], 0.4, n, unit)
        fees = np.where(utility_fee, amounts, fees)
    other_fee = (rng.random(n) < cal.OTHER_FEE_SHARE) & (products == "other")
    fees = np.where(other_fee, _whole_units(rng, cal.OTHER_FEE_MEDIAN, 0.4, n, unit), fees)
    add(index, KIND_PLACEMENT, FEES, facts.first_delinquency_day, placed_day, fees, True)

    b2b = index[~consumer]
    if len(b2b):
        _add_invoices(rng, facts, add, b2b=b2b, placed_day=placed_day, last_item_day=last_item_day, unit=unit)

    # Costs: court and solicitor costs when the account went to legal; tracing costs on a few.
    legal = facts.statuses == "legal"
    legal_costs = np.where(
        legal,
        _whole_units(rng, cal.LEGAL_COSTS_MEDIAN.get(currency, 300), cal.LEGAL_COSTS_SIGMA, n, unit),
        0,
    )
    legal_day = np.clip(changed_day, placed_day, facts.as_of_day)
    add(index, KIND_COST, COSTS, legal_day, legal_day, legal_costs, False)
    traced = (rng.random(n) < cal.TRACING_COST_SHARE) & ~legal & (products != "medical")
    tracing_day = placed_day + (rng.random(n) * (last_item_day - placed_day + 1)).astype(np.int64)
    tracing = np.where(traced, _whole_units(rng, cal.TRACING_COST_MEDIAN, 0.3, n, unit), 0)
    add(index, KIND_COST, COSTS, tracing_day, tracing_day, tracing, False)

    items = add.items()
    # B2B invoices charged after placement have a transaction of their own.
    later = items.kind == KIND_INVOICE
    items.in_placement[later] = items.day[later] <= placed_day[items.account[later]]
    items.day[items.in_placement] = placed_day[items.account[items.in_placement]]
    # Waterfall order within each account: by component (costs first), then oldest due first.
    order = np.lexsort((np.arange(len(items.account)), items.due_day, _WATERFALL_RANK[items.component], items.account))
    return _Items(
        account=items.account[order],
        kind=items.kind[order],
        component=items.component[order],
        due_day=items.due_day[order],
        day=items.day[order],
        amount=items.amount[order],
        in_placement=items.in_placement[order],
        invoice_number=items.invoice_number[order],
    )


def _add_invoices(
    rng: np.random.Generator,
    facts: AccountFacts,
    add: _ItemParts,
    *,
    b2b: IntArray,
    placed_day: IntArray,
    last_item_day: IntArray,
    unit: int,
) -> None:
    """Several invoices per B2B account, each with its own due date and number; and claims on them."""
    m = len(b2b)
    width = cal.B2B_MAX_INVOICES
    wanted = np.minimum(2 + rng.poisson(cal.B2B_INVOICES_EXTRA_MEAN, m), width)
    low, high = cal.B2B_INVOICE_GAP_DAYS
    gaps = rng.integers(low, high + 1, (m, width))
    gaps[:, 0] = 0
    due = facts.first_delinquency_day[b2b][:, None] + np.cumsum(gaps, axis=1)
    issued = due - cal.B2B_TERMS_DAYS
    column = np.arange(width, dtype=np.int64)[None, :]
    # The oldest unpaid invoice fell due on the first delinquency date; later ones follow, and an
    # invoice exists only once issued (by the business date, or the day a closed account closed).
    keep = (column < wanted[:, None]) & (issued <= last_item_day[b2b][:, None])
    shape = cal.PRINCIPAL_SHAPES[("b2b_invoice", facts.currency)]
    amount = _lognormal_minor(rng, shape, m * width, unit).reshape(m, width)
    rows, cols = np.nonzero(keep)
    accounts = b2b[rows]
    number = (facts.first_index + accounts) * 16 + cols
    add(accounts, KIND_INVOICE, PRINCIPAL, due[rows, cols], issued[rows, cols], amount[rows, cols], False, number)

    # Claims made at placement on the invoices then overdue: fixed compensation and statutory interest.
    placed = placed_day[b2b][:, None]
    overdue = keep & (due < placed)
    tiers = np.zeros((m, width), dtype=np.int64)
    for ceiling, compensation in reversed(cal.B2B_COMPENSATION_MINOR):
        tiers = np.where(amount < ceiling, compensation, tiers)
    claimed = rng.random(m) < cal.B2B_COMPENSATION_SHARE
    compensation_total = np.where(claimed, (tiers * overdue).sum(axis=1), 0)
    rate = cal.INTEREST_APR_BP["b2b_invoice"][0]
    interest = (amount * rate * np.maximum(placed - due, 0) // (10_000 * 365) * overdue).sum(axis=1)
    interest = np.where(rng.random(m) < cal.INTEREST_SHARE["b2b_invoice"], interest, 0)
    day = placed_day[b2b]
    add(b2b, KIND_FEE, FEES, day, day, compensation_total, True)
    add(b2b, KIND_INTEREST, INTEREST, day, day, interest, True)


# --- events ----------------------------------------------------------------------------------


@dataclass
class _Events:
    account: list[IntArray]
    day: list[IntArray]
    kind: list[IntArray]
    planned: list[IntArray]
    """Payments: the amount planned; settlements: the share in basis points; adjustments: the amount."""
    slot: list[IntArray]
    """Adjustments: the item's slot; reversals: the position of the reversed payment."""
    sign: list[IntArray]
    """Adjustments: +1 raises the item, -1 lowers it."""
    method: list[IntArray]
    memo: list[IntArray]

    def add(
        self,
        account: IntArray,
        day: IntArray,
        kind: int,
        *,
        planned: IntArray | None = None,
        slot: IntArray | None = None,
        sign: IntArray | None = None,
        method: IntArray | None = None,
        memo: IntArray | int = M_NONE,
    ) -> None:
        size = len(account)

        def filled(values: IntArray | None, default: int) -> IntArray:
            return np.full(size, default, dtype=np.int64) if values is None else values.astype(np.int64)

        self.account.append(account.astype(np.int64))
        self.day.append(day.astype(np.int64))
        self.kind.append(np.full(size, kind, dtype=np.int64))
        self.planned.append(filled(planned, 0))
        self.slot.append(filled(slot, -1))
        self.sign.append(filled(sign, 0))
        self.method.append(filled(method, -1))
        self.memo.append(np.broadcast_to(np.asarray(memo, dtype=np.int64), (size,)).copy())

    def column(self, name: str) -> IntArray:
        values: list[IntArray] = getattr(self, name)
        return np.concatenate(values) if values else np.zeros(0, dtype=np.int64)


def _choose(rng: np.random.Generator, table: tuple[tuple[str, float], ...], n: int) -> IntArray:
    """Method codes drawn from a (name, weight) table."""
    codes = np.asarray([_METHOD_CODE[name] for name, _ in table], dtype=np.int64)
    weights = np.asarray([weight for _, weight in table], dtype=np.float64)
    return codes[rng.choice(len(codes), size=n, p=weights / weights.sum())]


def _round_payment(amount: IntArray, unit: int) -> IntArray:
    """Debtors pay round sums: whole currency units from ten units up; never less than one minor unit."""
    return np.maximum(np.where(amount >= 10 * unit, amount // unit * unit, amount), 1)


def _part_payments(
    rng: np.random.Generator,
    events: _Events,
    *,
    accounts: IntArray,
    low: IntArray,
    high: IntArray,
    placed_total: IntArray,
    methods: tuple[tuple[str, float], ...],
    unit: int,
) -> None:
    """Ad hoc part payments by `accounts`, on days between `low` and `high` (inclusive, per account)."""
    span = high - low + 1
    accounts, low, span = accounts[span > 0], low[span > 0], span[span > 0]
    rate = np.minimum(span / 60, 6) * cal.PART_PAYMENTS_PER_60_DAYS
    count = np.minimum(np.minimum(1 + rng.poisson(rate), cal.PART_PAYMENTS_MAX), span)
    owner = np.repeat(accounts, count)
    day = np.repeat(low, count) + (rng.random(len(owner)) * np.repeat(span, count)).astype(np.int64)
    # The fraction of the placed balance, drawn log-normal and kept in basis points (integers).
    fraction_bp = np.rint(
        10_000
        * np.clip(
            rng.lognormal(np.log(cal.PART_PAYMENT_MEDIAN_FRACTION), cal.PART_PAYMENT_SIGMA, len(owner)), 0.005, 0.6
        )
    ).astype(np.int64)
    planned = _round_payment(placed_total[owner] * fraction_bp // 10_000, unit)
    events.add(owner, day, _PAY_PART, planned=planned, method=_choose(rng, methods, len(owner)))


def _plans(
    rng: np.random.Generator,
    events: _Events,
    *,
    accounts: IntArray,
    agreed: IntArray,
    last_day: int,
    placed_total: IntArray,
    methods: tuple[tuple[str, float], ...],
    unit: int,
    court_order: bool,
    drawn: _PlanParts | None = None,
) -> None:
    """Instalments of arrangements (or court orders) agreed on `agreed`, up to `last_day`.

    For arrangements, the plan drawn for each account is added to `drawn` (no draw of its own).
    """
    m = len(accounts)
    total = placed_total[accounts]
    first = agreed + rng.integers(1, 15, m)
    if court_order:
        cadence = np.full(m, 30, dtype=np.int64)
    else:
        options = np.asarray([days for days, _ in cal.PLAN_CADENCES], dtype=np.int64)
        weights = np.asarray([share for _, share in cal.PLAN_CADENCES], dtype=np.float64)
        cadence = options[rng.choice(len(options), size=m, p=weights / weights.sum())]
    count = np.where(first <= last_day, (last_day - first) // cadence + 1, 0)
    surplus = np.maximum(count - cal.PLAN_MAX_INSTALMENTS, 0)
    first = first + surplus * cadence
    count = count - surplus
    if court_order:
        low, high = cal.LEGAL_ORDER_FRACTION_BP
        instalment = total * rng.integers(low, high + 1, m) // 10_000
        planned_count = count
    else:
        months = rng.integers(cal.PLAN_MONTHS[0], cal.PLAN_MONTHS[1] + 1, m)
        planned_count = np.maximum(months * 30 // cadence, count + 2)
        instalment = -(-total // planned_count)
        instalment = np.where(instalment >= 10 * unit, -(-instalment // unit) * unit, instalment)
    instalment = np.maximum(instalment, 1)
    if drawn is not None and not court_order:
        drawn.parts.append((accounts, agreed, first, cadence, planned_count, instalment, total))
    method = _choose(rng, methods, m)
    owner = np.repeat(np.arange(m, dtype=np.int64), count)
    number = np.arange(len(owner), dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
    day = first[owner] + number * cadence[owner]
    paid = rng.random(len(owner)) >= cal.PLAN_MISSED_SHARE
    owner = owner[paid]
    events.add(accounts[owner], day[paid], _PAY_PART, planned=instalment[owner], method=method[owner])


def _draw_events(
    rng: np.random.Generator,
    facts: AccountFacts,
    items: _Items,
    *,
    statuses: StrArray,
    placed_day: IntArray,
    changed_day: IntArray,
    final_day: IntArray,
    placed_total: IntArray,
    slot: IntArray,
    unit: int,
    drawn: _PlanParts,
) -> _Events:
    n = len(statuses)
    as_of = facts.as_of_day
    first_pay = placed_day + 1
    last_pay = as_of - 1
    index = np.arange(n, dtype=np.int64)
    events = _Events([], [], [], [], [], [], [], [])
    region = "B2B" if (facts.products == "b2b_invoice").all() else facts.country
    methods = cal.PAYMENT_METHODS[region]
    plan_methods = cal.PLAN_METHODS[region]

    # Ad hoc payers among the open accounts: how likely depends on the stage and the status.
    if facts.third_party:
        days_placed = np.maximum(as_of - placed_day, 0)
        at_placement = facts.dpd - days_placed
        share = (
            cal.AGENCY_PAYERS
            * (1 - np.exp(-days_placed / cal.AGENCY_PAYERS_RAMP_DAYS))
            * np.exp(-np.maximum(at_placement - 120, 0) / cal.AGENCY_AGE_DECAY_DAYS)
        )
    else:
        share = np.where(
            facts.charge_off_day >= 0,
            cal.FIRST_PARTY_CHARGED_OFF_PAYERS,
            np.where(facts.dpd < 90, cal.FIRST_PARTY_EARLY_PAYERS, cal.FIRST_PARTY_LATE_PAYERS),
        )
    factor = np.zeros(n, dtype=np.float64)
    for status, value in cal.PAYER_FACTOR_BY_STATUS.items():
        factor[statuses == status] = value
    court_order = (statuses == "legal") & (rng.random(n) < cal.LEGAL_ORDER_SHARE)
    payers = (rng.random(n) < share * factor) & ~court_order
    _part_payments(
        rng,
        events,
        accounts=index[payers],
        low=first_pay[payers],
        high=np.full(int(payers.sum()), last_pay, dtype=np.int64),
        methods=methods,
        placed_total=placed_total,
        unit=unit,
    )
    # Arrangements and court orders: regular instalments from the day agreed.
    for mask, by_court in ((statuses == "in_arrangement", False), (court_order, True)):
        _plans(
            rng,
            events,
            accounts=index[mask],
            agreed=np.clip(changed_day[mask], placed_day[mask], last_pay),
            last_day=last_pay,
            methods=plan_methods,
            court_order=by_court,
            placed_total=placed_total,
            unit=unit,
            drawn=drawn,
        )

    # Paid, settled and written-off accounts: maybe part payments first, then the closing event.
    closing = np.isin(statuses, CLOSED_STATUSES)
    prior_share = np.where(
        statuses == "written_off", cal.WRITTEN_OFF_PRIOR_PAYMENTS_SHARE, cal.PRIOR_PART_PAYMENTS_SHARE
    )
    prior = closing & (rng.random(n) < prior_share)
    _part_payments(
        rng,
        events,
        accounts=index[prior],
        low=first_pay[prior],
        high=final_day[prior] - 1,
        methods=methods,
        placed_total=placed_total,
        unit=unit,
    )
    paid = index[statuses == "paid"]
    extra = np.where(
        rng.random(len(paid)) < cal.OVERPAYMENT_SHARE, rng.integers(1, cal.OVERPAYMENT_MAX_MINOR + 1, len(paid)), 0
    )
    events.add(paid, final_day[paid], _PAY_FULL, planned=extra, method=_choose(rng, methods, len(paid)))
    settled = index[statuses == "settled"]
    low, high = cal.SETTLEMENT_SHARE_BP
    events.add(
        settled,
        final_day[settled],
        _PAY_SETTLE,
        planned=rng.integers(low, high + 1, len(settled)),
        method=_choose(rng, methods, len(settled)),
    )
    events.add(settled, final_day[settled], _WRITE_DOWN_SETTLE, memo=M_SETTLEMENT)
    written_off = index[statuses == "written_off"]
    events.add(written_off, final_day[written_off], _WRITE_OFF, memo=M_WRITE_OFF)

    # Returned payments: a share of the part payments by method, known a few days later. On a
    # closed account the return comes before the closing event.
    account = events.column("account")
    kind = events.column("kind")
    method = events.column("method")
    day = events.column("day")
    return_share = np.asarray([cal.RETURN_SHARE_BY_METHOD[name] for name in METHODS], dtype=np.float64)
    delay_low = np.asarray([cal.RETURN_DELAY_DAYS[name][0] for name in METHODS], dtype=np.int64)
    delay_high = np.asarray([cal.RETURN_DELAY_DAYS[name][1] for name in METHODS], dtype=np.int64)
    candidate = kind == _PAY_PART
    safe_method = np.where(candidate, method, 0)
    delay = delay_low[safe_method] + (rng.random(len(kind)) * (delay_high - delay_low + 1)[safe_method]).astype(
        np.int64
    )
    returned_day = day + delay
    closes_later = closing[account] & (returned_day >= final_day[account])
    returned = candidate & (rng.random(len(kind)) < return_share[safe_method]) & (returned_day <= as_of) & ~closes_later
    target = np.flatnonzero(returned).astype(np.int64)
    events.add(account[target], returned_day[target], _REVERSE, slot=target, memo=M_RETURN_FIRST + method[target])

    # Adjustments on a few open accounts: one of the account's items, lowered or raised some day
    # after it was charged.
    adjusted = ~closing & (rng.random(n) < cal.ADJUSTMENT_SHARE)
    pick = np.where(adjusted[items.account], rng.random(len(items.account)), -1.0)
    order = np.lexsort((pick, items.account))
    sorted_accounts = items.account[order]
    last = np.flatnonzero(np.append(sorted_accounts[1:] != sorted_accounts[:-1], True))
    chosen = order[last]
    chosen = chosen[pick[chosen] >= 0]
    owner = items.account[chosen]
    component = items.component[chosen]
    original = items.amount[chosen]
    # A fee waived or a cost found not recoverable, in full; interest recalculated (10-40% off);
    # principal corrected (1-5%, up in three cases out of ten).
    share_bp = np.where(
        component == INTEREST, rng.integers(1_000, 4_001, len(chosen)), rng.integers(100, 501, len(chosen))
    )
    full = (component == FEES) | (component == COSTS)
    amount = np.maximum(np.where(full, original, original * share_bp // 10_000), 1)
    sign = np.where((component == PRINCIPAL) & (rng.random(len(chosen)) < 0.3), 1, -1)
    charged = items.day[chosen]
    adjust_day = charged + (rng.random(len(chosen)) * (as_of - charged + 1)).astype(np.int64)
    events.add(
        owner,
        adjust_day,
        _ADJUST,
        planned=amount,
        slot=slot[chosen],
        sign=sign,
        memo=_ADJUSTMENT_MEMO[component],
    )
    return events


# --- the history -----------------------------------------------------------------------------


def build_history(rng: np.random.Generator, facts: AccountFacts) -> History:
    """The money history of one chunk of accounts: items, transactions, entries, payments, balances."""
    n = len(facts.products)
    unit = 10 ** minor_units(facts.currency)
    as_of = facts.as_of_day
    placed_day = facts.placed_second // SECONDS_PER_DAY
    statuses = facts.statuses.copy()
    # Paid and settled accounts need a day to have paid on (after placement, before the business date).
    no_time = np.isin(statuses, ("paid", "settled")) & (placed_day + 1 > as_of - 1)
    statuses[no_time] = "active"
    facts = replace(facts, changed_second=np.where(no_time, facts.placed_second, facts.changed_second))
    changed_day = facts.changed_second // SECONDS_PER_DAY
    closing = np.isin(statuses, CLOSED_STATUSES)
    final_day = np.where(
        statuses == "written_off",
        np.clip(changed_day, placed_day, as_of),
        np.clip(changed_day, placed_day + 1, as_of - 1),
    )
    last_item_day = np.where(closing, final_day, as_of)

    items = _draw_items(
        rng, facts, placed_day=placed_day, changed_day=changed_day, last_item_day=last_item_day, unit=unit
    )
    count = np.bincount(items.account, minlength=n).astype(np.int64)
    start = np.cumsum(count) - count
    slot = np.arange(len(items.account), dtype=np.int64) - start[items.account]
    width = int(count.max()) if n else 0
    due_from = np.full((n, width), _NOT_DUE, dtype=np.int64)
    due_from[items.account, slot] = items.day
    balance = np.zeros((n, width), dtype=np.int64)
    balance[items.account, slot] = items.amount
    component_of = np.full((n, width), -1, dtype=np.int64)
    component_of[items.account, slot] = items.component
    placed_total = np.zeros(n, dtype=np.int64)
    np.add.at(placed_total, items.account[items.in_placement], items.amount[items.in_placement])

    drawn = _PlanParts([])
    events = _draw_events(
        rng,
        facts,
        items,
        statuses=statuses,
        placed_day=placed_day,
        changed_day=changed_day,
        final_day=final_day,
        placed_total=placed_total,
        slot=slot,
        unit=unit,
        drawn=drawn,
    )
    ev_account = events.column("account")
    ev_day = events.column("day")
    ev_kind = events.column("kind")
    sequence = np.arange(len(ev_account), dtype=np.int64)
    order = np.lexsort((sequence, _SAME_DAY_ORDER[ev_kind], ev_day, ev_account))
    position = np.empty_like(order)
    position[order] = np.arange(len(order), dtype=np.int64)
    ev_account, ev_day, ev_kind = ev_account[order], ev_day[order], ev_kind[order]
    ev_planned = events.column("planned")[order]
    ev_slot = events.column("slot")[order]
    ev_sign = events.column("sign")[order]
    ev_method = events.column("method")[order]
    ev_memo = events.column("memo")[order]
    # A reversal names the payment it returns by its position before sorting.
    reversing = ev_kind == _REVERSE
    ev_slot[reversing] = position[ev_slot[reversing]]

    simulated = _simulate(
        balance=balance,
        due_from=due_from,
        account=ev_account,
        day=ev_day,
        kind=ev_kind,
        planned=ev_planned,
        slot=ev_slot,
        sign=ev_sign,
        unit=unit,
    )
    return _assemble(
        rng,
        facts,
        items=items,
        slot=slot,
        component_of=component_of,
        final_balance=balance,
        placed_day=placed_day,
        placed_total=placed_total,
        statuses=statuses,
        closing=closing,
        drawn=drawn,
        events=_SortedEvents(
            account=ev_account,
            day=ev_day,
            kind=ev_kind,
            target=np.where(reversing, ev_slot, -1),
            method=ev_method,
            memo=ev_memo,
            kept=simulated.kept,
            amount=simulated.amount,
            parts=simulated.parts,
            over=simulated.over,
        ),
    )


@dataclass(frozen=True)
class _Simulated:
    kept: BoolArray
    amount: IntArray
    parts: IntArray
    """Events by item slot: how much each event took off each item (negative: put back)."""
    over: IntArray
    """What each event added to the credit balance (negative: took off it)."""


def _simulate(
    *,
    balance: IntArray,
    due_from: IntArray,
    account: IntArray,
    day: IntArray,
    kind: IntArray,
    planned: IntArray,
    slot: IntArray,
    sign: IntArray,
    unit: int,
) -> _Simulated:
    """Apply the events to the item balances in date order; `balance` ends as the final balances."""
    count = len(account)
    width = balance.shape[1]
    kept = np.zeros(count, dtype=np.bool_)
    amount = np.zeros(count, dtype=np.int64)
    over = np.zeros(count, dtype=np.int64)
    parts = np.zeros((count, width), dtype=np.int64)
    if count == 0:
        return _Simulated(kept, amount, parts, over)
    first = np.flatnonzero(np.concatenate([[True], account[1:] != account[:-1]]))
    run = np.diff(np.append(first, count))
    rank = np.arange(count, dtype=np.int64) - np.repeat(first, run)
    rows = np.arange(width, dtype=np.int64)[None, :]
    for round_number in range(int(rank.max()) + 1):
        sel = np.flatnonzero(rank == round_number)
        who = account[sel]
        what = kind[sel]
        current = balance[who]
        owing = np.where(due_from[who] <= day[sel][:, None], current, 0)
        owed = owing.sum(axis=1)
        take = np.zeros_like(current)
        value = np.zeros(len(sel), dtype=np.int64)
        credit = np.zeros(len(sel), dtype=np.int64)

        # Payments: part payments pay what is planned (at most what is owed); a payment in full pays
        # everything (and any overpayment goes to the credit balance); a settlement a share of it.
        paying = (what == _PAY_PART) | (what == _PAY_FULL) | (what == _PAY_SETTLE)
        settle = np.maximum(owed * planned[sel] // 10_000, np.minimum(owed, 1))
        settle = np.where(settle >= 10 * unit, settle // unit * unit, settle)
        value = np.select(
            [what == _PAY_PART, what == _PAY_FULL, what == _PAY_SETTLE],
            [np.minimum(planned[sel], owed), owed + np.where(owed > 0, planned[sel], 0), settle],
            default=0,
        )
        allocated = np.minimum(value, owed)
        before = np.cumsum(owing, axis=1) - owing
        waterfall = np.clip(allocated[:, None] - before, 0, owing)
        take = np.where(paying[:, None], waterfall, take)
        credit = np.where(paying, value - allocated, credit)

        # Write-downs: everything still owed.
        writing = (what == _WRITE_DOWN_SETTLE) | (what == _WRITE_OFF)
        take = np.where(writing[:, None], owing, take)
        value = np.where(writing, owed, value)

        # Returns: the exact mirror of the payment returned (if it was made).
        returning = what == _REVERSE
        target = np.where(returning, slot[sel], 0)
        take = np.where(returning[:, None], -parts[target], take)
        value = np.where(returning, np.where(kept[target], amount[target], 0), value)
        credit = np.where(returning, -over[target], credit)

        # Adjustments: one item, lowered (at most to zero) or raised.
        adjusting = (what == _ADJUST) & (slot[sel] >= 0)
        item = np.where(adjusting, slot[sel], 0)
        item_owing = current[np.arange(len(sel)), item]
        lowered = np.minimum(planned[sel], item_owing)
        change = np.where(sign[sel] > 0, -planned[sel], lowered)
        change = np.where(adjusting & (due_from[who, item] <= day[sel]), change, 0)
        take = np.where(adjusting[:, None] & (rows == item[:, None]), change[:, None], take)
        value = np.where(adjusting, np.abs(change), value)

        keep = value > 0
        take[~keep] = 0
        credit[~keep] = 0
        balance[who] = current - take
        kept[sel] = keep
        amount[sel] = np.where(keep, value, 0)
        parts[sel] = take
        over[sel] = credit
    return _Simulated(kept, amount, parts, over)


@dataclass(frozen=True)
class _SortedEvents:
    account: IntArray
    day: IntArray
    kind: IntArray
    target: IntArray
    method: IntArray
    memo: IntArray
    kept: BoolArray
    amount: IntArray
    parts: IntArray
    over: IntArray


def _assemble(
    rng: np.random.Generator,
    facts: AccountFacts,
    *,
    items: _Items,
    slot: IntArray,
    component_of: IntArray,
    final_balance: IntArray,
    placed_day: IntArray,
    placed_total: IntArray,
    statuses: StrArray,
    closing: BoolArray,
    drawn: _PlanParts,
    events: _SortedEvents,
) -> History:
    n = len(placed_day)
    as_of = facts.as_of_day
    now = facts.now_second
    width = final_balance.shape[1]
    hours = cal.PAYMENT_HOURS_UTC[facts.country]

    # Transactions: one placement per account, one per item charged later, one per event kept.
    later = np.flatnonzero(~items.in_placement)
    kept = np.flatnonzero(events.kept)
    ev_kind = events.kind[kept]
    txn_account = np.concatenate([np.arange(n, dtype=np.int64), items.account[later], events.account[kept]])
    txn_day = np.concatenate([placed_day, items.day[later], events.day[kept]])
    phase = np.concatenate(
        [np.zeros(n, dtype=np.int64), np.ones(len(later), dtype=np.int64), np.full(len(kept), 2, dtype=np.int64)]
    )
    sequence = np.concatenate([np.zeros(n, dtype=np.int64), later, kept])
    order = np.lexsort((sequence, phase, txn_day, txn_account))
    txn_position = np.empty_like(order)
    txn_position[order] = np.arange(len(order), dtype=np.int64)
    placement_txn = txn_position[:n]
    later_txn = txn_position[n : n + len(later)]
    event_txn = np.full(len(events.kind), -1, dtype=np.int64)
    event_txn[kept] = txn_position[n + len(later) :]

    later_type = np.where(items.kind[later] == KIND_COST, T_COST, T_CHARGE)
    later_memo = np.where(
        items.kind[later] == KIND_COST,
        np.where(statuses[items.account[later]] == "legal", M_LEGAL_COSTS, M_TRACING),
        M_NONE,
    )
    # Payments arrive in the country's business hours; other events are posted at noon UTC.
    arrival = rng.integers(0, hours[1] * 3_600, len(kept))
    ev_second = np.where(
        _EVENT_TYPE[ev_kind] == T_PAYMENT,
        events.day[kept] * SECONDS_PER_DAY + hours[0] * 3_600 + arrival,
        events.day[kept] * SECONDS_PER_DAY + 12 * 3_600,
    )
    ev_second = np.minimum(ev_second, now)
    later_second = np.minimum(items.day[later] * SECONDS_PER_DAY + 9 * 3_600, now)
    txn_type = np.concatenate([np.full(n, T_CHARGE, dtype=np.int64), later_type, _EVENT_TYPE[ev_kind]])[order]
    txn_amount = np.concatenate([placed_total, items.amount[later], events.amount[kept]])[order]
    txn_posted = np.concatenate([facts.placed_second, later_second, ev_second])[order]
    reverses = np.where(events.target[kept] >= 0, event_txn[np.maximum(events.target[kept], 0)], -1)
    txn_reverses = np.concatenate([np.full(n + len(later), -1, dtype=np.int64), reverses])[order]
    txn_memo = np.concatenate([np.full(n, M_PLACED, dtype=np.int64), later_memo, events.memo[kept]])[order]
    txn_account = txn_account[order]
    txn_day = txn_day[order]

    # Entries, keyed by (transaction, line) so they come out in the order `core.postings` builds them.
    item_index = np.arange(len(items.account), dtype=np.int64)
    item_at = np.full((n, width), -1, dtype=np.int64)
    item_at[items.account, slot] = item_index
    item_txn = np.where(items.in_placement, placement_txn[items.account], 0)
    item_txn[later] = later_txn
    key: list[IntArray] = []
    e_item: list[IntArray] = []
    e_book: list[IntArray] = []
    e_component: list[IntArray] = []
    e_amount: list[IntArray] = []
    e_txn: list[IntArray] = []
    line_width = 2 * width + 2

    def lines(txn: IntArray, line: IntArray, item: IntArray, book: int, component: IntArray, amount: IntArray) -> None:
        e_txn.append(txn)
        key.append(txn * line_width + line)
        e_item.append(item)
        e_book.append(np.full(len(txn), book, dtype=np.int64))
        e_component.append(component)
        e_amount.append(amount)

    # Charges (charge_lines): receivable up on the item, revenue down, per item.
    item_line = np.where(items.in_placement, 2 * slot, 0)
    lines(item_txn, item_line, item_index, B_RECEIVABLE, items.component, items.amount)
    lines(
        item_txn, item_line + 1, np.full(len(item_index), -1, dtype=np.int64), B_REVENUE, items.component, -items.amount
    )

    none = np.full(len(kept), -1, dtype=np.int64)
    txn_of_kept = event_txn[kept]
    parts = events.parts[kept]
    payment_like = (ev_kind == _PAY_PART) | (ev_kind == _PAY_FULL) | (ev_kind == _PAY_SETTLE) | (ev_kind == _REVERSE)
    # Payments and their reversals (payment_lines, reversal_lines): cash, the items in waterfall
    # order, any credit balance.
    cash = np.where(ev_kind == _REVERSE, -events.amount[kept], events.amount[kept])
    pay = np.flatnonzero(payment_like)
    lines(txn_of_kept[pay], np.zeros(len(pay), dtype=np.int64), none[pay], B_CASH, none[pay], cash[pay])
    row, col = np.nonzero(parts[pay])
    event_row = pay[row]
    account_of_row = events.account[kept][event_row]
    lines(
        txn_of_kept[event_row],
        1 + col,
        item_at[account_of_row, col],
        B_RECEIVABLE,
        component_of[account_of_row, col],
        -parts[event_row, col],
    )
    over = events.over[kept]
    credited = pay[over[pay] != 0]
    lines(
        txn_of_kept[credited],
        np.full(len(credited), 1 + width, dtype=np.int64),
        none[credited],
        B_CREDIT,
        none[credited],
        -over[credited],
    )
    # Write-downs (write_down_lines): per item, receivable down and the write-down book up.
    writing = np.flatnonzero((ev_kind == _WRITE_DOWN_SETTLE) | (ev_kind == _WRITE_OFF))
    row, col = np.nonzero(parts[writing])
    event_row = writing[row]
    account_of_row = events.account[kept][event_row]
    written = parts[event_row, col]
    component = component_of[account_of_row, col]
    lines(txn_of_kept[event_row], 2 * col, item_at[account_of_row, col], B_RECEIVABLE, component, -written)
    lines(txn_of_kept[event_row], 2 * col + 1, np.full(len(col), -1, dtype=np.int64), B_WRITE_DOWN, component, written)
    # Adjustments (adjustment_lines): the item up or down, the adjustment book the other way.
    adjusting = np.flatnonzero(ev_kind == _ADJUST)
    row, col = np.nonzero(parts[adjusting])
    event_row = adjusting[row]
    account_of_row = events.account[kept][event_row]
    change = -parts[event_row, col]
    component = component_of[account_of_row, col]
    zero = np.zeros(len(col), dtype=np.int64)
    lines(txn_of_kept[event_row], zero, item_at[account_of_row, col], B_RECEIVABLE, component, change)
    lines(txn_of_kept[event_row], zero + 1, np.full(len(col), -1, dtype=np.int64), B_ADJUSTMENT, component, -change)

    entry_order = np.argsort(np.concatenate(key), kind="stable")
    entry_txn = np.concatenate(e_txn)[entry_order]
    entry_amount = np.concatenate(e_amount)[entry_order]
    entry_book = np.concatenate(e_book)[entry_order]
    entry_item = np.concatenate(e_item)[entry_order]
    entry_account = txn_account[entry_txn]
    entry_day = txn_day[entry_txn]

    # Payments: one row per payment kept, in transaction order, with its reversal if returned.
    paying = np.flatnonzero((ev_kind == _PAY_PART) | (ev_kind == _PAY_FULL) | (ev_kind == _PAY_SETTLE))
    paying = paying[np.argsort(txn_of_kept[paying], kind="stable")]
    reversal_of = np.full(len(events.kind), -1, dtype=np.int64)
    returns = kept[ev_kind == _REVERSE]
    reversal_of[events.target[returns]] = event_txn[returns]
    payment_event = kept[paying]

    # Balances, by component, and the credit balance.
    balances = np.zeros((n, len(COMPONENTS)), dtype=np.int64)
    for code in range(len(COMPONENTS)):
        balances[:, code] = np.where(component_of == code, final_balance, 0).sum(axis=1)
    credit_balance = np.zeros(n, dtype=np.int64)
    np.add.at(credit_balance, events.account[kept], over)
    item_balance = final_balance[items.account, slot]
    oldest_unpaid = np.full(n, _NOT_DUE, dtype=np.int64)
    owing_items = item_balance > 0
    np.minimum.at(oldest_unpaid, items.account[owing_items], items.due_day[owing_items])

    # Statuses agree with the balance: an open account that owes nothing has been paid. The status
    # changed when the last money moved, if that was later than drawn.
    owed = balances.sum(axis=1)
    statuses = statuses.copy()
    statuses[(owed == 0) & ~closing] = "paid"
    last_second = np.zeros(n, dtype=np.int64)
    np.maximum.at(last_second, events.account[kept], ev_second)
    changed = np.where(
        np.isin(statuses, CLOSED_STATUSES), np.maximum(facts.changed_second, last_second), facts.changed_second
    )
    changed = np.minimum(changed, now)

    # Itemization: as at charge-off for charged-off debt, else at placement; the balance then from
    # the ledger (the placed balance when the debt was charged off before it was placed).
    itemization_day = np.where(facts.charge_off_day >= 0, facts.charge_off_day, placed_day)
    stated_to = np.maximum(itemization_day, placed_day)
    receivable = (entry_book == B_RECEIVABLE) & (entry_day <= stated_to[entry_account])
    itemization_amount = np.zeros(n, dtype=np.int64)
    np.add.at(itemization_amount, entry_account[receivable], entry_amount[receivable])

    # What each account in arrangement owed on the day its plan was agreed, from the ledger.
    plan_account = drawn.joined(0)
    agreed_on = np.full(n, -1, dtype=np.int64)
    agreed_on[plan_account] = drawn.joined(1)
    before_plan = (entry_book == B_RECEIVABLE) & (entry_day <= agreed_on[entry_account])
    owed_then = np.zeros(n, dtype=np.int64)
    np.add.at(owed_then, entry_account[before_plan], entry_amount[before_plan])

    invoice_numbers = items.invoice_number.tolist()
    references = ["" if number < 0 else f"SI-{10_000_000 + number:08d}" for number in invoice_numbers]
    item_created = np.where(
        items.in_placement, facts.placed_second[items.account], np.minimum(items.day * SECONDS_PER_DAY + 9 * 3_600, now)
    )
    assert (txn_day <= as_of).all()
    return History(
        item_account=items.account,
        item_kind=items.kind,
        item_component=items.component,
        item_reference=references,
        item_due_day=items.due_day,
        item_original=items.amount,
        item_balance=item_balance,
        item_created_second=item_created,
        txn_account=txn_account,
        txn_type=txn_type,
        txn_amount=txn_amount,
        txn_day=txn_day,
        txn_posted_second=txn_posted,
        txn_reverses=txn_reverses,
        txn_memo=txn_memo,
        entry_txn=entry_txn,
        entry_account=entry_account,
        entry_item=entry_item,
        entry_book=entry_book,
        entry_component=np.concatenate(e_component)[entry_order],
        entry_amount=entry_amount,
        entry_day=entry_day,
        payment_account=events.account[payment_event],
        payment_amount=events.amount[payment_event],
        payment_received_second=ev_second[paying],
        payment_method=events.method[payment_event],
        payment_txn=event_txn[payment_event],
        payment_reversal_txn=reversal_of[payment_event],
        payment_reversal_memo=np.where(
            reversal_of[payment_event] >= 0, M_RETURN_FIRST + events.method[payment_event], M_NONE
        ),
        balances=balances,
        oldest_unpaid_day=np.where(oldest_unpaid == _NOT_DUE, -1, oldest_unpaid),
        credit_balance=credit_balance,
        itemization_day=itemization_day,
        itemization_amount=itemization_amount,
        statuses=statuses,
        changed_second=changed,
        plans=drawn.plans(owed_then[plan_account]),
    )
