"""Accounts: one debt owed to a creditor, with its debtors by role (first cut)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

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
    assigned_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accounts",
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts")
    placed_at = models.DateTimeField()
    debtors: models.ManyToManyField[Debtor, AccountDebtor] = models.ManyToManyField(
        Debtor, through="AccountDebtor", related_name="accounts"
    )

    class Meta:
        db_table = "accounts_account"
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
            models.UniqueConstraint(
                fields=["account"], condition=Q(role="primary"), name="account_one_primary_debtor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.debtor_id} on account {self.account_id}"
