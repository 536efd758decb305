"""Celery task of the communications app: the delivery worker (found by the worker's autodiscovery)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from recoup.communications.services import deliver_due


@shared_task(name="recoup.communications.deliver")
def deliver_messages() -> dict[str, int]:
    """Send what is due now; scheduled every minute by the beat (see docs/communications.md)."""
    run = deliver_due(now=timezone.now())
    return {"sent": run.sent, "deferred": run.deferred, "blocked": run.blocked, "failed": run.failed}
