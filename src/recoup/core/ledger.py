"""The vocabulary of the ledger: components, transaction types and the books an entry lands in."""

from __future__ import annotations

from enum import StrEnum


class Component(StrEnum):
    """What part of a debt an amount belongs to."""

    PRINCIPAL = "principal"
    INTEREST = "interest"
    FEES = "fees"
    COSTS = "costs"


class TransactionType(StrEnum):
    CHARGE = "charge"
    INTEREST = "interest"
    FEE = "fee"
    COST = "cost"
    PAYMENT = "payment"
    PAYMENT_REVERSAL = "payment_reversal"
    ADJUSTMENT = "adjustment"
    DISCOUNT = "discount"
    SETTLEMENT_WRITE_DOWN = "settlement_write_down"
    WRITE_OFF = "write_off"
    WRITE_OFF_RECOVERY = "write_off_recovery"
    REFUND = "refund"


class Book(StrEnum):
    """The side of double entry an amount lands in; every transaction's entries sum to zero.

    `receivable` is what the debtor owes (debit positive). `credit_balance` is money the debtor has
    paid beyond what they owe (a liability, credit negative). `cash` is money received or returned.
    `revenue` is the creditor's side of charges, interest, fees and costs. `write_down` takes
    discounts, settlement write-downs and write-offs; `adjustment` takes corrections.
    """

    RECEIVABLE = "receivable"
    CREDIT_BALANCE = "credit_balance"
    CASH = "cash"
    REVENUE = "revenue"
    WRITE_DOWN = "write_down"
    ADJUSTMENT = "adjustment"


CHARGE_TYPES_BY_COMPONENT: dict[Component, TransactionType] = {
    Component.PRINCIPAL: TransactionType.CHARGE,
    Component.INTEREST: TransactionType.INTEREST,
    Component.FEES: TransactionType.FEE,
    Component.COSTS: TransactionType.COST,
}
