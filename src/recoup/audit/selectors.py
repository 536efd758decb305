"""Reading the audit log."""

from __future__ import annotations

from django.db.models import QuerySet

from recoup.audit.models import AuditEvent


def recent_events(*, limit: int = 50) -> QuerySet[AuditEvent]:
    """The newest events first, with their actors, for the audit log page."""
    return AuditEvent.objects.select_related("actor").order_by("-occurred_at", "-id")[:limit]


def event_log() -> QuerySet[AuditEvent]:
    """Every event, newest first, with its actor: for a paginated audit log."""
    return AuditEvent.objects.select_related("actor").order_by("-occurred_at", "-id")
