"""The daily run's schedule: the time and time zone it starts at (set on the Strategy page), which
business date is due now, and the tick (Celery beat, or the embedded clock of `recoup serve`) that
starts the run when it is due."""

from __future__ import annotations

import logging
from datetime import date, datetime
from datetime import time as clock_time
from zoneinfo import ZoneInfo

from django.db import transaction

from recoup.audit.events import Event
from recoup.audit.services import record_event
from recoup.strategies.models import Run, RunSchedule
from recoup.strategies.run import UnableToRun, runner
from recoup.strategies.versions import Actor, _user

logger = logging.getLogger(__name__)


def schedule() -> RunSchedule | None:
    return RunSchedule.objects.order_by("pk").first()


def set_schedule(*, enabled: bool, time_of_day: clock_time, time_zone: str, now: datetime, actor: Actor) -> RunSchedule:
    try:
        ZoneInfo(time_zone)
    except (KeyError, ValueError):
        raise UnableToRun(f"time_zone: {time_zone!r} is not an IANA time zone such as America/New_York") from None
    with transaction.atomic():
        current = RunSchedule.objects.select_for_update().order_by("pk").first()
        before = (
            {"enabled": current.enabled, "time": current.time_of_day.isoformat(), "zone": current.time_zone}
            if current
            else None
        )
        current = current or RunSchedule(time_of_day=time_of_day)
        current.enabled = enabled
        current.time_of_day = time_of_day
        current.time_zone = time_zone
        current.updated_by = _user(actor)
        current.updated_at = now
        current.save()
        record_event(
            event=Event.SCHEDULE_CHANGED,
            subject_id=current.pk,
            occurred_at=now,
            actor=actor,
            before=before,
            after={"enabled": enabled, "time": time_of_day.isoformat(), "zone": time_zone},
        )
    return current


def due_run_date(now: datetime) -> date | None:
    """The business date whose scheduled run should start now, or None (off, too early, or done)."""
    plan = schedule()
    if plan is None or not plan.enabled:
        return None
    local = now.astimezone(ZoneInfo(plan.time_zone))
    if local.time() < plan.time_of_day:
        return None
    if Run.objects.filter(run_date=local.date(), state=Run.State.FINISHED).exists():
        return None
    return local.date()


def run_if_due(*, now: datetime) -> Run | None:
    """Start (or carry on) today's run if the schedule says so; the beat and the embedded clock call this."""
    run_date = due_run_date(now)
    if run_date is None:
        return None
    return runner()(as_of=run_date, now=now, trigger="schedule")


def schedule_tick(*, now: datetime | None = None) -> None:
    """Called every few minutes (Celery beat, or the embedded clock in `recoup serve`): starts the run
    when the schedule says it is due."""
    from django.utils import timezone

    try:
        run_if_due(now=now or timezone.now())
    except UnableToRun:
        logger.exception("the scheduled daily run could not start")
