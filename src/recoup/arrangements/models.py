"""Payment plans, promises to pay and settlements, each a schedule of amounts due, and what became
of each amount as payments arrived.

An arrangement is never deleted or rewritten: a re-plan replaces it with a new one that points back
at it, so the history of earlier plans stays; a cancelled or broken one keeps its schedule and
outcomes as evidence.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from recoup.accounts.models import Account, ChargeFreeze


class Arrangement(models.Model):
    class Kind(models.TextChoices):
        PLAN = "plan", "Payment plan"
        PROMISE = "promise", "Promise to pay"
        SETTLEMENT = "settlement", "Settlement"

    class State(models.TextChoices):
        PENDING_APPROVAL = "pending_approval", "Waiting for approval"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        BROKEN = "broken", "Broken"
        CANCELLED = "cancelled", "Cancelled"
        REPLACED = "replaced", "Replaced by a new plan"

    class TakenBy(models.TextChoices):
        OFFICER = "officer", "An officer"
        DEBTOR = "debtor", "The debtor (self-service)"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="arrangements")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    state = models.CharField(max_length=20, choices=State.choices)
    currency = models.CharField(max_length=3)
    total_minor = models.BigIntegerField(help_text="What the schedule adds up to.")
    balance_minor = models.BigIntegerField(help_text="What the account owed when it was agreed.")
    frequency = models.CharField(max_length=12, blank=True)
    channel = models.CharField(max_length=10, blank=True, help_text="How it was agreed: call, sms, email, letter...")
    taken_by = models.CharField(max_length=10, choices=TakenBy.choices, default=TakenBy.OFFICER)
    tolerance_minor = models.BigIntegerField(default=0)
    tolerance_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    grace_days = models.PositiveIntegerField(default=0)
    misses_allowed = models.PositiveIntegerField(default=0)
    freeze_charges = models.BooleanField(default=False, help_text="Interest and fees frozen while it is kept.")
    freeze = models.OneToOneField(
        ChargeFreeze, null=True, blank=True, on_delete=models.PROTECT, related_name="arrangement"
    )
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by")
    approval_reason = models.TextField(blank=True, help_text="Why it is outside policy or authority.")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)

    class Meta:
        db_table = "arrangements_arrangement"
        indexes = [
            models.Index(fields=["account", "state"], name="arrangement_account_idx"),
            models.Index(fields=["state", "kind"], name="arrangement_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total_minor__gt=0), name="arrangement_total_positive"),
            # One open arrangement per account, so the same money is never counted for two of them.
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(state__in=["active", "pending_approval"]),
                name="arrangement_one_open_per_account",
            ),
        ]
        permissions = [("approve_arrangement", "Can approve a plan or settlement outside policy or authority")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} on account {self.account_id} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.ACTIVE, self.State.PENDING_APPROVAL)


class Due(models.Model):
    """One instalment of a plan or settlement, or one promised amount, and what became of it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Not yet due"
        DUE = "due", "Due (in grace)"
        KEPT = "kept", "Kept"
        PARTLY_KEPT = "partly_kept", "Partly kept"
        BROKEN = "broken", "Broken"

    arrangement = models.ForeignKey(Arrangement, on_delete=models.PROTECT, related_name="dues")
    number = models.PositiveIntegerField()
    due_date = models.DateField()
    amount_minor = models.BigIntegerField()
    down_payment = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    paid_minor = models.BigIntegerField(default=0)
    paid_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "arrangements_due"
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "number"], name="due_number_unique"),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="due_amount_positive"),
        ]
        indexes = [models.Index(fields=["due_date", "status"], name="due_date_status_idx")]

    def __str__(self) -> str:
        return f"due {self.number} of arrangement {self.arrangement_id} on {self.due_date}"


class Affordability(models.Model):
    """An income and expenditure statement (SFS categories) and what it shows the debtor can afford.

    Kept as recorded, never changed: a new statement is a new row, so the one a plan relied on stays.
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="affordability_statements")
    adults = models.PositiveSmallIntegerField()
    children = models.PositiveSmallIntegerField(default=0)
    vehicles = models.PositiveSmallIntegerField(default=0)
    currency = models.CharField(max_length=3)
    amounts = models.JSONField(help_text="Monthly amounts in minor units by SFS category key.")
    debt_share = models.DecimalField(
        max_digits=5, decimal_places=4, help_text="This debt's share of the non-priority debts."
    )
    frequency = models.CharField(max_length=12)
    income_minor = models.BigIntegerField()
    disposable_minor = models.BigIntegerField(help_text="Monthly, after costs and priority debts; may be negative.")
    suggested_minor = models.BigIntegerField(null=True, blank=True, help_text="At the frequency; empty: nothing.")
    over_guideline = models.JSONField(default=list, help_text="Spending above a guideline, with the reason given.")
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        db_table = "arrangements_affordability"
        indexes = [models.Index(fields=["account", "created_at"], name="affordability_account_idx")]

    def __str__(self) -> str:
        return f"income and expenditure {self.pk} of account {self.account_id}"
