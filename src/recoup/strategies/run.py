"""The daily run's coordinator: starting (or carrying on) the run for a business date, its stages in
order, each ranged stage's ranges of account ids, recording what each range and stage did, the
stages that work on the whole portfolio at once (arrangement monitoring, the report), the dry run,
and the run as a background task.

The daily run for a business date goes through stages; each stage works through the accounts in
ranges of ids, one transaction per range, so a crash loses at most the range in flight and a second
run of the same date carries on where the first stopped. Every stage is written so that doing a range
twice changes nothing the second time: the facts of a range are replaced, assignments change only where
the segment or path differs, actions are unique per assignment and step, and only planned actions are
screened or carried out. The same range functions run in-process or on Celery workers (`tasks.py`,
`fanout.py`). The SQL of each ranged stage is in its module of `strategies.stages`; the report's in
`strategies.report`.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Min

from recoup.accounts.models import Account
from recoup.arrangements.services import monitor
from recoup.audit.events import Event
from recoup.audit.services import record_event
from recoup.parties.models import Creditor
from recoup.strategies.context import RunContext
from recoup.strategies.models import Run, RunChunk, StrategyVersion
from recoup.strategies.report import build_report
from recoup.strategies.stages.actions import _actions
from recoup.strategies.stages.execute import _execute
from recoup.strategies.stages.reage import _reage
from recoup.strategies.stages.screen import _screen
from recoup.strategies.stages.segment import _segment
from recoup.strategies.versions import Actor, _user, active_version, strategy_of

logger = logging.getLogger(__name__)
CHUNK = 50_000
STAGES = ("reage", "monitor", "segment", "actions", "screen", "execute", "report")
RANGED_STAGES = frozenset({"reage", "segment", "actions", "screen", "execute"})
# The tables a stage fills for the whole portfolio, whose statistics the later stages are planned on.
FILLED_BY_STAGE = {
    "segment": ("strategies_account_fact", "strategies_assignment"),
    "actions": ("strategies_action",),
}
STAGE_LABELS = {
    "reage": "Re-age balances and buckets",
    "monitor": "Monitor arrangements",
    "segment": "Segment accounts and assign paths",
    "actions": "Generate the day's actions",
    "screen": "Screen actions through the compliance gate",
    "execute": "Carry out actions",
    "report": "Write the run report",
}


class UnableToRun(Exception):
    """The daily run cannot start (no strategy in use, a bad date, or another run in progress)."""


def runner() -> Callable[..., Run]:
    """The daily run in this process, or fanned out over Celery workers when a broker is configured."""
    if settings.CELERY_BROKER_URL:
        from recoup.strategies.fanout import run_on_workers

        return run_on_workers
    return run_daily


Progress = Callable[[str, int, int], None]  # (stage, ranges done, ranges in all)


def id_ranges(chunk: int = CHUNK) -> list[tuple[int, int]]:
    """The account id ranges the run works through (one transaction, or one worker task, each)."""
    bounds = Account.objects.aggregate(low=Min("id"), high=Max("id"))
    low, high = bounds["low"], bounds["high"]
    if low is None:
        return []
    return [(start, min(start + chunk - 1, high)) for start in range(low, high + 1, chunk)]


def context_for(
    run: Run, now: datetime, *, creditor_ids: dict[str, int] | None = None, currencies: list[str] | None = None
) -> RunContext:
    """What every range of a run decides with. A worker passes the creditors and currencies the
    coordinator sent, so it does not look them up again (the currencies read every account)."""
    if creditor_ids is None:
        creditor_ids = dict(Creditor.objects.values_list("code", "id"))
    if currencies is None:
        currencies = sorted(set(Account.objects.values_list("currency", flat=True).distinct()))
    return RunContext(
        run=run,
        strategy=strategy_of(run.version),
        as_of=run.run_date,
        now=now,
        creditor_ids=dict(creditor_ids),
        currencies=tuple(currencies),
    )


def start_run(
    *, as_of: date, now: datetime, actor: Actor = None, trigger: str = "command", version: StrategyVersion | None = None
) -> tuple[Run, bool]:
    """The run for a date: a new one, or the unfinished one to carry on. Returns (run, created).
    `version` is for dry runs of a draft; real runs follow the version in use."""
    existing = Run.objects.filter(run_date=as_of).select_related("version").first()
    if existing is not None:
        return existing, False
    version = version or active_version()
    if version is None:
        raise UnableToRun("no strategy is in use: publish one first (Strategy page, or recoup strategy import)")
    later = Run.objects.filter(run_date__gt=as_of).order_by("run_date").first()
    if later is not None:
        raise UnableToRun(f"as_of: the run for {later.run_date} has already happened; runs go forward in date order")
    try:
        with transaction.atomic():
            run = Run.objects.create(
                run_date=as_of, version=version, trigger=trigger, started_by=_user(actor), started_at=now
            )
            record_event(
                event=Event.RUN_STARTED,
                subject_id=run.pk,
                occurred_at=now,
                actor=actor,
                after={"run_date": as_of.isoformat(), "version": version.number, "trigger": trigger},
            )
    except IntegrityError:
        return Run.objects.select_related("version").get(run_date=as_of), False
    return run, True


def run_daily(
    *,
    as_of: date,
    now: datetime,
    actor: Actor = None,
    trigger: str = "command",
    progress: Progress | None = None,
    chunk: int = CHUNK,
    stop_after: str | None = None,
    version: StrategyVersion | None = None,
) -> Run:
    """Run (or finish) the daily run for a business date in this process. A finished date is left as it is."""
    run, _created = start_run(as_of=as_of, now=now, actor=actor, trigger=trigger, version=version)
    if run.state == Run.State.FINISHED:
        return run
    context = context_for(run, now)
    ranges = id_ranges(chunk)

    def in_this_process(stage: str) -> None:
        for done, (low, high) in enumerate(ranges, start=1):
            do_chunk(context, stage, low, high)
            if progress:
                progress(stage, done, len(ranges))

    return run_stages(context, in_this_process, progress=progress, stop_after=stop_after)


RangedStage = Callable[[str], None]  # does every range of one stage (here, or on workers)


def run_stages(
    context: RunContext, ranged: RangedStage, *, progress: Progress | None = None, stop_after: str | None = None
) -> Run:
    """The stages not done yet, in order: `ranged` does the stages that work on ranges of accounts (in
    this process, or on Celery workers), the others run here. A failure marks the run, names the stage
    and is raised; the run carries on from there when started again."""
    run = context.run
    for stage in STAGES:
        if run.stage_done(stage):
            continue
        started = time.perf_counter()
        try:
            if stage in RANGED_STAGES:
                ranged(stage)
                counts = chunk_counts(run, stage)
            else:
                counts = run_whole_stage(context, stage)
                if progress:
                    progress(stage, 1, 1)
        except Exception as error:
            Run.objects.filter(pk=run.pk).update(state=Run.State.FAILED, error=f"{stage}: {error}")
            raise
        refresh_statistics(stage)
        finish_stage(run, stage, time.perf_counter() - started, counts, context.now)
        if stop_after == stage:
            break
    run.refresh_from_db()
    return run


def refresh_statistics(stage: str) -> None:
    """After a stage has filled tables for the whole portfolio, have PostgreSQL sample them again, so the
    next stages are planned on what the tables hold now. Without it, the first run after installation
    (or after a day with few changes) is planned on statistics of nearly empty tables: the next stage
    then expects a handful of rows per range where there are tens of thousands, and picks plans whose
    cost grows with the square of the range. ANALYZE reads a sample (about 30,000 rows), so this costs
    well under a second at 1M accounts. SQLite's planner works from its indexes and needs no such step."""
    tables = FILLED_BY_STAGE.get(stage)
    if not tables or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(tables)}")


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def do_chunk(context: RunContext, stage: str, low: int, high: int) -> bool:
    """Do one range of one stage unless it is done already (a resumed run, or a chunk handed to a second
    worker after the first died). The set-based stages record the chunk in their own transaction; the
    execute stage records it after its per-action transactions. Returns False if it was done before."""
    chunk, _ = RunChunk.objects.get_or_create(run=context.run, stage=stage, low=low, defaults={"high": high})
    if chunk.done_at is not None:
        return False
    try:
        if stage == "execute":
            counts = run_range(context, stage, low, high)
            RunChunk.objects.filter(pk=chunk.pk).update(
                done_at=context.now, counts=counts, worker=_worker_name(), error=""
            )
            return True
        with transaction.atomic():
            if RunChunk.objects.select_for_update().filter(pk=chunk.pk, done_at__isnull=False).exists():
                return False
            counts = run_range(context, stage, low, high)
            RunChunk.objects.filter(pk=chunk.pk).update(
                done_at=context.now, counts=counts, worker=_worker_name(), error=""
            )
    except Exception as error:
        RunChunk.objects.filter(pk=chunk.pk).update(error=f"{type(error).__name__}: {error}"[:2000])
        raise
    return True


def chunk_counts(run: Run, stage: str) -> dict[str, int]:
    """A stage's counts: the sum over its chunks (including those done before a resume)."""
    counts: dict[str, int] = {}
    for item in RunChunk.objects.filter(run=run, stage=stage, done_at__isnull=False).values_list("counts", flat=True):
        for key, value in item.items():
            counts[key] = counts.get(key, 0) + int(value)
    return counts


def finish_stage(run: Run, stage: str, seconds: float, counts: dict[str, int], now: datetime) -> None:
    """Record a stage as done (and the run as finished after the last one)."""
    with transaction.atomic():
        locked = Run.objects.select_for_update().get(pk=run.pk)
        if not locked.stage_done(stage):
            locked.stages = [*locked.stages, {"name": stage, "seconds": round(seconds, 3), "counts": counts}]
        locked.error = ""
        if stage == STAGES[-1]:
            locked.state = Run.State.FINISHED
            locked.finished_at = now
            record_event(
                event=Event.RUN_FINISHED,
                subject_id=locked.pk,
                occurred_at=now,
                actor=None,
                after={"run_date": locked.run_date.isoformat(), "actions": locked.report.get("actions_total", 0)},
            )
        elif locked.state == Run.State.FAILED:
            locked.state = Run.State.RUNNING
        locked.save()
    run.refresh_from_db()


def run_range(context: RunContext, stage: str, low: int, high: int) -> dict[str, int]:
    """Do one stage for the accounts with ids low..high, in one transaction."""
    with transaction.atomic():
        if stage == "reage":
            return _reage(low, high)
        if stage == "segment":
            return _segment(context, low, high)
        if stage == "actions":
            return _actions(context, low, high)
        if stage == "screen":
            return _screen(context, low, high)
    if stage == "execute":
        return _execute(context, low, high)
    raise UnableToRun(f"stage: {stage!r} is not a stage of the run")


def run_whole_stage(context: RunContext, stage: str) -> dict[str, int]:
    if stage == "monitor":
        result = monitor(as_of=context.as_of, now=context.now)
        return {"arrangements": result.arrangements, "kept": result.kept, "broken": result.broken}
    if stage == "report":
        report = build_report(context.run)
        Run.objects.filter(pk=context.run.pk).update(report=report)
        context.run.report = report
        return {"actions": report["actions_total"]}
    raise UnableToRun(f"stage: {stage!r} is not a stage of the run")


def dry_run(*, as_of: date, now: datetime, version: StrategyVersion | None = None) -> dict[str, Any]:
    """What the run for `as_of` would do with the version in use (or with `version`, a draft), keeping
    nothing: the stages up to the gate's screen run in a transaction that is rolled back. Returns the
    report, with each stage's time."""
    if version is None and Run.objects.filter(run_date=as_of, state=Run.State.FINISHED).exists():
        run = Run.objects.get(run_date=as_of)
        return {**run.report, "stages": run.stages, "already_ran": True}
    with transaction.atomic():
        if version is not None and Run.objects.filter(run_date__gte=as_of).exists():
            raise UnableToRun(f"as_of: the run for {as_of} or later has started; a draft is tried on a later date")
        run = run_daily(as_of=as_of, now=now, trigger="dry-run", stop_after="screen", version=version)
        report = build_report(run)
        report["stages"] = run.stages
        report["already_ran"] = False
        transaction.set_rollback(True)
    return report


def stage_label(name: str) -> str:
    return STAGE_LABELS.get(name, name)


RUN_TASK = "recoup.strategies.run_daily"


def run_task(*, as_of: str, now: str, actor_id: int | None = None, trigger: str = "manager") -> None:
    """The daily run as a background task (started from the Strategy page, or by Celery beat)."""
    from recoup.users.models import User

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    try:
        runner()(as_of=date.fromisoformat(as_of), now=datetime.fromisoformat(now), actor=actor, trigger=trigger)
    except UnableToRun:
        logger.exception("the daily run could not start", extra={"as_of": as_of})
