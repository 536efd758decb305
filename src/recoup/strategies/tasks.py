"""Celery tasks of the strategies app (found by the worker's autodiscovery; names match platform.jobs)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from recoup.strategies.run import RUN_TASK, run_task
from recoup.strategies.schedule import schedule_tick


@shared_task(name=RUN_TASK)
def run_daily_task(**kwargs: Any) -> None:
    run_task(**kwargs)


@shared_task(name="recoup.strategies.schedule_tick")
def schedule_tick_task() -> None:
    """Run by beat every five minutes: starts the daily run when the schedule set in the UI says so."""
    schedule_tick()


@shared_task(name="recoup.strategies.run_range")
def run_range_task(**kwargs: Any) -> bool:
    """One range of account ids through one stage of a run (sent by strategies.fanout.run_on_workers)."""
    from recoup.strategies.fanout import run_range_task as run_range

    return run_range(**kwargs)
