"""The daily run split over Celery workers (used when CELERY_BROKER_URL is set).

This process coordinates: it starts (or resumes) the run, and for each stage that works on ranges of
account ids it sends one task per range not yet done and waits until every range is recorded done in
`strategies_run_chunk`. The stages that work on the whole portfolio at once (arrangement monitoring,
the report) run here. Workers acknowledge a task only after it ran, so a range whose worker died is
handed to another worker; a range done twice changes nothing the second time (see run.do_chunk).
The database, not the result backend, is the record of what is done, so the coordinator can itself be
stopped and started again.
"""

from __future__ import annotations

import time
from datetime import date, datetime

from recoup.strategies.context import RunContext
from recoup.strategies.models import Run, RunChunk
from recoup.strategies.run import (
    CHUNK,
    Progress,
    UnableToRun,
    context_for,
    do_chunk,
    id_ranges,
    run_stages,
    start_run,
)
from recoup.strategies.versions import Actor

RANGE_TASK = "recoup.strategies.run_range"


class RunStalled(UnableToRun):
    """Ranges of a stage were not done in time, or a worker reported an error on one."""


def run_range_task(
    *,
    run_id: int,
    stage: str,
    low: int,
    high: int,
    now: str,
    creditor_ids: dict[str, int] | None = None,
    currencies: list[str] | None = None,
) -> bool:
    """What a worker does with one range (the Celery task calls this), with the creditors and currencies
    the coordinator sent (a task sent without them, by an earlier version, looks them up)."""
    run = Run.objects.select_related("version").get(pk=run_id)
    context = context_for(run, datetime.fromisoformat(now), creditor_ids=creditor_ids, currencies=currencies)
    return do_chunk(context, stage, low, high)


def run_on_workers(
    *,
    as_of: date,
    now: datetime,
    actor: Actor = None,
    trigger: str = "command",
    progress: Progress | None = None,
    chunk: int = CHUNK,
    timeout: float = 3600.0,
    poll: float = 0.2,
) -> Run:
    """Run (or finish) the daily run for a date with the ranged stages fanned out to Celery workers."""
    from recoup.platform.celery_app import app

    run, _created = start_run(as_of=as_of, now=now, actor=actor, trigger=trigger)
    if run.state == Run.State.FINISHED:
        return run
    context = context_for(run, now)
    ranges = id_ranges(chunk)

    def on_workers(stage: str) -> None:
        done = set(RunChunk.objects.filter(run=run, stage=stage, done_at__isnull=False).values_list("low", flat=True))
        for low, high in ranges:
            if low not in done:
                app.send_task(
                    RANGE_TASK,
                    kwargs={
                        "run_id": run.pk,
                        "stage": stage,
                        "low": low,
                        "high": high,
                        "now": now.isoformat(),
                        "creditor_ids": context.creditor_ids,
                        "currencies": list(context.currencies),
                    },
                )
        _wait(context, stage, ranges, timeout=timeout, poll=poll, progress=progress)

    return run_stages(context, on_workers, progress=progress)


def _wait(
    context: RunContext,
    stage: str,
    ranges: list[tuple[int, int]],
    *,
    timeout: float,
    poll: float,
    progress: Progress | None,
) -> None:
    """Wait until every range of the stage is done. The coordinator does not only wait: it takes ranges
    from the end of the list while the workers take them from the front, so a run started on a worker
    (the schedule, or the Strategy page) finishes even when that worker is the only one. A range done by
    both is done once (run.do_chunk)."""
    run = context.run
    total = len(ranges)
    deadline = time.monotonic() + timeout
    from_end = list(reversed(ranges))
    while True:
        chunks = RunChunk.objects.filter(run=run, stage=stage)
        finished = chunks.filter(done_at__isnull=False).count()
        if progress:
            progress(stage, finished, total)
        if finished >= total:
            return
        failed = chunks.filter(done_at__isnull=True).exclude(error="").values_list("low", "high", "error").first()
        if failed is not None:
            low, high, error = failed
            raise RunStalled(f"accounts {low}-{high}: {error}")
        if time.monotonic() > deadline:
            raise RunStalled(f"{total - finished} of {total} ranges were not done within {timeout:.0f} s")
        done = set(chunks.filter(done_at__isnull=False).values_list("low", flat=True))
        started = set(chunks.values_list("low", flat=True))
        # Help with a range no worker has started yet; wait when all are started.
        helped = False
        while from_end:
            low, high = from_end.pop(0)
            if low not in done and low not in started:
                do_chunk(context, stage, low, high)
                helped = True
                break
        if not helped:
            time.sleep(poll)


def chunk_workers(run: Run) -> dict[str, int]:
    """How many ranges each worker process did (for the report and the scaling benchmark)."""
    found: dict[str, int] = {}
    for worker in RunChunk.objects.filter(run=run, done_at__isnull=False).values_list("worker", flat=True):
        found[worker] = found.get(worker, 0) + 1
    return found
