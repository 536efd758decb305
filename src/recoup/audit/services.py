"""Writing audit events. Called by every service that changes state, inside its transaction."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from recoup.audit.models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def actor_label_for(actor: AbstractBaseUser | AnonymousUser | None) -> str:
    if actor is None or not actor.is_authenticated:
        return "system"
    return str(actor.get_username())


def record_event(
    *,
    name: str,
    subject_type: str,
    subject_id: int,
    occurred_at: datetime,
    actor: AbstractBaseUser | AnonymousUser | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    account_id: int | None = None,
) -> AuditEvent:
    """Append one audit event; the caller's transaction makes it atomic with the change."""
    actor_obj = actor if actor is not None and actor.is_authenticated else None
    actor_id = actor_obj.pk if actor_obj is not None else None
    return AuditEvent.objects.create(
        name=name,
        occurred_at=occurred_at,
        actor_id=actor_id,
        actor_label=actor_label_for(actor),
        subject_type=subject_type,
        subject_id=subject_id,
        account_id=account_id,
        before=before,
        after=after,
    )
