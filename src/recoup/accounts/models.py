"""Accounts: one debt owed to a creditor, with its debtors by role (first cut)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from recoup.core.ledger import Book, Component, TransactionType
from recoup.core.money import Money
from recoup.parties.models import Creditor, Debtor
from recoup.users.models import Team


class Account(models.Model):
    """One debt placed for collection: a card balance, a loan, a utility bill, invoices."""

    class ProductType(models.TextChoices):
        CREDIT_CARD = "credit_card", "Credit card"
        PERSONAL_LOAN = "personal_loan", "Personal loan"
        UTILITY = "utility", "Utility"
        MEDICAL = "medical", "Medical"
        B2B_INVOICE = "b2b_invoice", "B2B invoices"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        IN_ARRANGEMENT = "in_arrangement", "In arrangement"
        ON_HOLD = "on_hold", "On hold"
        DISPUTED = "disputed", "Disputed"
        LEGAL = "legal", "Legal"
        SETTLED = "settled", "Settled"
        PAID = "paid", "Paid"
        WRITTEN_OFF = "written_off", "Written off"
        RECALLED = "recalled", "Recalled"
        CLOSED = "closed", "Closed"

    class ClosureReason(models.TextChoices):
        NONE = "", "Not closed, or no reason recorded"
        EXTINGUISHED = "extinguished", "Debt extinguished (limitation)"

    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="accounts")
    reference = models.CharField(max_length=64, help_text="The creditor's account reference.")
    original_creditor = models.CharField(max_length=200, blank=True)
    product_type = models.CharField(max_length=20, choices=ProductType.choices)
    currency = models.CharField(max_length=3)
    opened_date = models.DateField()
    first_delinquency_date = models.DateField(null=True, blank=True)
    charge_off_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_changed_at = models.DateTimeField()
    closure_reason = models.CharField(
        max_length=20,
        choices=ClosureReason.choices,
        blank=True,
        default="",
        db_default="",
        help_text="Why a closed account was closed (set with the move to closed; closed is final).",
    )
    assigned_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accounts",
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts")
    placed_at = models.DateTimeField()
    itemization_date = models.DateField(
        null=True, blank=True, help_text="The reference date the itemized balance is stated from."
    )
    itemization_amount_minor = models.BigIntegerField(
        null=True, blank=True, help_text="The balance on the itemization date, in minor units."
    )
    # Cached balances, in minor units, kept in step with the ledger by the posting services and
    # checked against it by `recoup ledger verify`. The ledger entries are the truth.
    principal_minor = models.BigIntegerField(default=0, db_default=0)
    interest_minor = models.BigIntegerField(default=0, db_default=0)
    fees_minor = models.BigIntegerField(default=0, db_default=0)
    costs_minor = models.BigIntegerField(default=0, db_default=0)
    credit_balance_minor = models.BigIntegerField(
        default=0, db_default=0, help_text="Paid beyond what is owed and not yet refunded (positive)."
    )
    oldest_unpaid_due_date = models.DateField(
        null=True, blank=True, help_text="Due date of the oldest item still owing (cached; none when nothing is owed)."
    )
    debtors: models.ManyToManyField[Debtor, AccountDebtor] = models.ManyToManyField(
        Debtor, through="AccountDebtor", related_name="accounts"
    )

    class Meta:
        db_table = "accounts_account"
        permissions = [
            ("view_aging_report", "Can see the aging report and receivables KPIs"),
            ("import_data", "Can import account placements, payments and bank statements"),
            ("match_payments", "Can match, split or reject unmatched bank payments"),
            ("export_data", "Can export accounts, payments and activities"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["creditor", "reference"], name="account_reference_unique"),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="account_currency_iso"),
        ]
        indexes = [
            models.Index(fields=["assigned_officer", "status"], name="account_officer_idx"),
            models.Index(fields=["status", "creditor"], name="account_status_idx"),
            models.Index(fields=["reference"], name="account_reference_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.creditor_id})"

    def money(self, minor: int) -> Money:
        return Money.from_minor(minor, self.currency)

    @property
    def balances(self) -> dict[Component, Money]:
        """Cached balance by component."""
        return {
            Component.PRINCIPAL: self.money(self.principal_minor),
            Component.INTEREST: self.money(self.interest_minor),
            Component.FEES: self.money(self.fees_minor),
            Component.COSTS: self.money(self.costs_minor),
        }

    @property
    def balance(self) -> Money:
        """What the debtor owes in all (cached), before any credit balance."""
        return self.money(self.principal_minor + self.interest_minor + self.fees_minor + self.costs_minor)

    @property
    def credit_balance(self) -> Money:
        return self.money(self.credit_balance_minor)


class AccountDebtor(models.Model):
    """A debtor's role on an account: the primary debtor, a co-debtor or a guarantor."""

    class Role(models.TextChoices):
        PRIMARY = "primary", "Primary debtor"
        CO_DEBTOR = "co_debtor", "Co-debtor"
        GUARANTOR = "guarantor", "Guarantor"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="account_debtors")
    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="account_roles")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        db_table = "accounts_account_debtor"
        constraints = [
            models.UniqueConstraint(fields=["account", "debtor"], name="account_debtor_unique"),
            models.UniqueConstraint(fields=["account"], condition=Q(role="primary"), name="account_one_primary_debtor"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.debtor_id} on account {self.account_id}"


COMPONENT_CHOICES = [(c.value, c.value.title()) for c in Component]
BOOK_CHOICES = [(b.value, b.value.replace("_", " ").title()) for b in Book]
TRANSACTION_TYPE_CHOICES = [(t.value, t.value.replace("_", " ").title()) for t in TransactionType]


class LedgerIsAppendOnly(Exception):
    """Ledger rows are never changed or deleted; corrections are new transactions."""


class AppendOnlyModel(models.Model):
    """Refuses updates and deletes in the model layer (PostgreSQL also refuses them in a trigger)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise LedgerIsAppendOnly(f"{self._meta.label} {self.pk} cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise LedgerIsAppendOnly(f"{self._meta.label} {self.pk} cannot be deleted")


class OpenItem(models.Model):
    """Something owed with its own due date and component: an invoice, an instalment, a charge.

    Consumer debts usually have one item per component (the placed principal, interest, fees);
    B2B accounts have one per invoice, so aging works per invoice. `balance_minor` is a cache of
    the item's receivable entries.
    """

    class Kind(models.TextChoices):
        PLACEMENT = "placement", "Placed balance"
        INVOICE = "invoice", "Invoice"
        INSTALMENT = "instalment", "Instalment"
        CHARGE = "charge", "Charge"
        INTEREST = "interest", "Interest"
        FEE = "fee", "Fee"
        COST = "cost", "Cost"

    # Indexed by open_item_account_idx, which starts with the account.
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="open_items", db_index=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reference = models.CharField(max_length=64, blank=True, help_text="Invoice number or similar.")
    component = models.CharField(max_length=10, choices=COMPONENT_CHOICES)
    due_date = models.DateField()
    original_minor = models.BigIntegerField()
    balance_minor = models.BigIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        db_table = "accounts_open_item"
        indexes = [
            # No index involves balance_minor, so posting updates an item in place (a HOT update in
            # PostgreSQL) without touching any index.
            models.Index(fields=["account", "due_date", "id"], name="open_item_account_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(original_minor__gt=0), name="open_item_original_positive"),
        ]

    def __str__(self) -> str:
        label = self.reference or self.get_kind_display()
        return f"{label} due {self.due_date} on account {self.account_id}"


class LedgerTransaction(AppendOnlyModel):
    """One business event in the ledger; its entries sum to zero."""

    # Indexed by transaction_account_idx, which starts with the account.
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="transactions", db_index=False)
    type = models.CharField(max_length=30, choices=TRANSACTION_TYPE_CHOICES)
    currency = models.CharField(max_length=3)
    amount_minor = models.BigIntegerField(help_text="The event's headline amount (positive).")
    effective_date = models.DateField(help_text="The value date: when it counts for balances and aging.")
    posted_at = models.DateTimeField()
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    memo = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        db_table = "accounts_transaction"
        indexes = [models.Index(fields=["account", "effective_date", "id"], name="transaction_account_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="transaction_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.amount_minor} {self.currency} on account {self.account_id} ({self.pk})"


class LedgerEntry(AppendOnlyModel):
    """One side of a transaction: a signed amount (debit positive) in a book, by component and item."""

    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    open_item = models.ForeignKey(OpenItem, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    book = models.CharField(max_length=20, choices=BOOK_CHOICES)
    component = models.CharField(max_length=10, choices=COMPONENT_CHOICES, blank=True)
    amount_minor = models.BigIntegerField()
    effective_date = models.DateField()

    class Meta:
        db_table = "accounts_entry"
        constraints = [
            models.CheckConstraint(condition=~Q(amount_minor=0), name="entry_amount_not_zero"),
            models.CheckConstraint(
                condition=~Q(book="receivable") | (Q(open_item__isnull=False) & ~Q(component="")),
                name="entry_receivable_has_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.book} {self.component} {self.amount_minor} (transaction {self.transaction_id})"


class Payment(models.Model):
    """Money received from or for a debtor, and the ledger transaction that posted it."""

    class Method(models.TextChoices):
        CARD = "card", "Card"
        BANK_TRANSFER = "bank_transfer", "Bank transfer"
        DIRECT_DEBIT = "direct_debit", "Direct debit"
        CHEQUE = "cheque", "Cheque"
        CASH = "cash", "Cash"
        AGENCY = "agency", "Paid via agency"
        OTHER = "other", "Other"

    # Indexed by payment_account_idx, which starts with the account.
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="payments", db_index=False)
    currency = models.CharField(max_length=3)
    amount_minor = models.BigIntegerField()
    received_at = models.DateTimeField()
    method = models.CharField(max_length=20, choices=Method.choices)
    external_reference = models.CharField(max_length=100, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    transaction = models.OneToOneField(LedgerTransaction, on_delete=models.PROTECT, related_name="payment")
    reversal = models.OneToOneField(
        LedgerTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_payment"
    )
    reversal_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "accounts_payment"
        indexes = [models.Index(fields=["account", "received_at", "id"], name="payment_account_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Payment {self.pk} of {self.amount} on account {self.account_id}"

    @property
    def amount(self) -> Money:
        return Money.from_minor(self.amount_minor, self.currency)

    @property
    def is_reversed(self) -> bool:
        return self.reversal_id is not None


FREEZABLE_COMPONENTS = (Component.INTEREST, Component.FEES, Component.COSTS)


def default_frozen_components() -> list[str]:
    return [c.value for c in FREEZABLE_COMPONENTS]


class ChargeFreeze(models.Model):
    """A period in which interest, fees or costs may not be charged to an account.

    Breathing space (UK-07) and payment plans that freeze interest and fees while kept create these;
    `post_charge` refuses a frozen component's charge dated inside the period. The freeze covers
    `starts_on` to `ends_on` inclusive (`ends_on` None: until ended). Ending it early sets `ended_on`,
    the first day it no longer applies, so it covers `starts_on` up to the day before `ended_on`.
    Principal is never frozen.
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="charge_freezes")
    starts_on = models.DateField(help_text="The first day frozen.")
    ends_on = models.DateField(null=True, blank=True, help_text="The last day frozen; none until ended.")
    components = models.JSONField(
        default=default_frozen_components, help_text="The components frozen: interest, fees and/or costs."
    )
    reason = models.TextField()
    source = models.CharField(max_length=30, help_text="What froze it: breathing_space, payment_plan, officer.")
    source_id = models.CharField(max_length=64, blank=True, help_text="The id of the hold or plan that froze it.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    ended_on = models.DateField(
        null=True, blank=True, help_text="Ended early: the first day the freeze no longer applies."
    )
    end_reason = models.TextField(blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "accounts_charge_freeze"
        indexes = [models.Index(fields=["account", "starts_on"], name="charge_freeze_account_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="charge_freeze_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("starts_on")),
                name="charge_freeze_ended_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Charge freeze {self.pk} on account {self.account_id} from {self.starts_on}"

    @property
    def last_day(self) -> date | None:
        """The last day the freeze covers, after any early end; None while it runs until ended."""
        days = [d for d in (self.ends_on, self.ended_on and self.ended_on - timedelta(days=1)) if d is not None]
        return min(days) if days else None

    def covers(self, on: date, component: str) -> bool:
        last = self.last_day
        return component in self.components and self.starts_on <= on and (last is None or on <= last)
