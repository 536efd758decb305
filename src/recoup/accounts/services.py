"""Writing to accounts and the ledger: the app's public write API, gathered from the modules that
hold each concern.

- `postings.py`: every posting other than a payment, through one `_post` (charges, charge freezes,
  adjustments, write-downs, refunds, write-off recoveries, payment reversals, status changes) and
  the set-based loading of what is owed (`load_open_items`); the ledger tables' column lists;
- `payments.py`: the payment engine (`record_payments`, and `record_payment` as a batch of one),
  with its SQL and its COPY pipeline.

Other apps, the web layer, the CLI, benchmarks and tests import from here; modules of this app
import from the module that holds the name.
"""

from __future__ import annotations

from recoup.accounts.payments import (
    PAYMENT_COLUMNS,
    PaymentBatchResult,
    PaymentProblem,
    PaymentRequest,
    UnableToRecordPayment,
    UnableToRecordPayments,
    record_payment,
    record_payments,
)
from recoup.accounts.postings import (
    ENTRY_COLUMNS,
    TRANSACTION_COLUMNS,
    NewItem,
    OpeningBalance,
    UnableToChangeStatus,
    UnableToFreezeCharges,
    UnableToPostTransaction,
    UnableToReversePayment,
    active_freeze,
    adjust_item,
    allocation_policy_for,
    change_account_status,
    end_charge_freeze,
    fee_problem,
    freeze_charges,
    load_open_items,
    load_opening_items,
    opening_balances,
    post_charge,
    record_write_off_recovery,
    refresh_oldest_unpaid,
    refund_credit_balance,
    reverse_payment,
    write_down,
)
from recoup.core.money import MoneyError

__all__ = [
    "ENTRY_COLUMNS",
    "PAYMENT_COLUMNS",
    "TRANSACTION_COLUMNS",
    "MoneyError",
    "NewItem",
    "OpeningBalance",
    "PaymentBatchResult",
    "PaymentProblem",
    "PaymentRequest",
    "UnableToChangeStatus",
    "UnableToFreezeCharges",
    "UnableToPostTransaction",
    "UnableToRecordPayment",
    "UnableToRecordPayments",
    "UnableToReversePayment",
    "active_freeze",
    "adjust_item",
    "allocation_policy_for",
    "change_account_status",
    "end_charge_freeze",
    "fee_problem",
    "freeze_charges",
    "load_open_items",
    "load_opening_items",
    "opening_balances",
    "post_charge",
    "record_payment",
    "record_payments",
    "record_write_off_recovery",
    "refresh_oldest_unpaid",
    "refund_credit_balance",
    "reverse_payment",
    "write_down",
]
