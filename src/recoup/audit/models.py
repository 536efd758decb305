"""Audit events: one row per state change, never updated or deleted."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from recoup.audit.events import BadEvent, Event

CURRENT_NAMES = frozenset(event.text for event in Event)


class AuditLogIsAppendOnly(Exception):
    """Audit events cannot be changed or removed once written."""


class AuditEvent(models.Model):
    """One thing that happened, named by a member of `recoup.audit.events.Event`, with before and after values.

    The account timeline and every compliance proof are built from these rows, so they are
    append-only: the model refuses updates and deletes, and on PostgreSQL a trigger does too.
    """

    name = models.CharField(max_length=100)
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, help_text="Who acted, kept as text: a user or 'system'.")
    subject_type = models.CharField(max_length=50)
    subject_id = models.BigIntegerField()
    account_id = models.BigIntegerField(null=True, blank=True, help_text="The account, for its timeline.")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        db_table = "audit_event"
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "occurred_at"], name="audit_subject_idx"),
            models.Index(fields=["account_id", "occurred_at"], name="audit_account_idx"),
            models.Index(fields=["occurred_at", "id"], name="audit_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.subject_type} {self.subject_id} at {self.occurred_at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AuditLogIsAppendOnly(f"audit event {self.pk} cannot be changed")
        if self.name not in CURRENT_NAMES:
            raise BadEvent(f"{self.name!r}: not a registered event name (recoup.audit.events)")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly(f"audit event {self.pk} cannot be deleted")
