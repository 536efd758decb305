"""What an officer's day leaves behind beyond the contact ledger: callbacks promised to debtors."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from recoup.accounts.models import Account
from recoup.parties.models import Debtor


class Callback(models.Model):
    """A call the person asked for at a time (their consent to it is a CallConsent); done or not."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="callbacks")
    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="callbacks")
    at = models.DateTimeField(help_text="When the person asked to be called (an aware time).")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="callbacks"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "workspace_callback"
        indexes = [models.Index(fields=["officer", "done_at", "at"], name="callback_queue_idx")]

    def __str__(self) -> str:
        return f"callback on account {self.account_id} at {self.at}"


class AccountLease(models.Model):
    """An officer working an account now: others skip it in "next account" until the lease runs out."""

    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="lease", primary_key=True)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="leases")
    until = models.DateTimeField()

    class Meta:
        db_table = "workspace_lease"

    def __str__(self) -> str:
        return f"account {self.account_id} worked by {self.officer_id} until {self.until}"


class SavedView(models.Model):
    """An officer's named set of queue filters ("Texas over $5,000, 61-90 days"), theirs alone."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=60)
    filters = models.JSONField(help_text="The queue filters as query parameters (see workspace.queue.QueueFilters).")
    created_at = models.DateTimeField()

    class Meta:
        db_table = "workspace_saved_view"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="saved_view_name_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.owner_id})"
