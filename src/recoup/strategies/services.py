"""Writes for strategies: drafts, YAML import, publishing, the schedule, and the daily run.

The daily run for a business date goes through stages; each stage works through the accounts in
ranges of ids, one transaction per range, so a crash loses at most the range in flight and a second
run of the same date carries on where the first stopped. Every stage is written so that doing a range
twice changes nothing the second time: the facts of a range are replaced, assignments change only where
the segment or path differs, actions are unique per assignment and step, and only planned actions are
screened or carried out. The same range functions run in-process or on Celery workers (`tasks.py`).
"""

from __future__ import annotations

import logging
import os
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from decimal import ROUND_HALF_UP
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Min

from recoup.accounts.models import Account
from recoup.accounts.services import (
    UnableToChangeStatus,
    UnableToPostTransaction,
    change_account_status,
    fee_problem,
    post_charge,
)
from recoup.arrangements.services import monitor
from recoup.audit.models import AuditEvent
from recoup.audit.services import actor_label_for, record_event
from recoup.communications.models import Message, Template
from recoup.communications.services import UnableToSend, queue_message
from recoup.compliance.models import Hold
from recoup.core.account_status import AccountStatus
from recoup.core.contact_rules import BLOCKING_HOLDS, hold_in_force_sql, reachable_sql
from recoup.core.ledger import Component
from recoup.core.money import Money
from recoup.core.strategy import (
    CONTACT_ACTIONS,
    MESSAGE_ACTIONS,
    ActionKind,
    InvalidStrategy,
    Strategy,
    parse_strategy,
    strategy_dict,
)
from recoup.parties.models import Creditor
from recoup.strategies.compiler import facts_sql
from recoup.strategies.models import Action, Assignment, Run, RunChunk, RunSchedule, StrategyVersion

logger = logging.getLogger(__name__)
Actor = AbstractBaseUser | AnonymousUser | None
CHUNK = 50_000
CATCH_UP_DAYS = 7  # a step missed because no run happened is done late for up to a week, then dropped
EXECUTE_BATCH = 500
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


class UnableToSaveStrategy(Exception):
    """A strategy that cannot be saved; the message names each problem by where it is."""


class UnableToRun(Exception):
    """The daily run cannot start (no strategy in use, a bad date, or another run in progress)."""


# ---- strategy versions -------------------------------------------------------------------------


def active_version() -> StrategyVersion | None:
    return StrategyVersion.objects.filter(state=StrategyVersion.State.ACTIVE).first()


def draft_version() -> StrategyVersion | None:
    return StrategyVersion.objects.filter(state=StrategyVersion.State.DRAFT).first()


def strategy_of(version: StrategyVersion) -> Strategy:
    return parse_strategy(version.definition)


def reference_problems(strategy: Strategy) -> list[str]:
    """Creditors and templates a strategy names that do not exist."""
    problems: list[str] = []
    known = set(Creditor.objects.values_list("code", flat=True))
    for index, segment in enumerate(strategy.segments, start=1):
        for code in segment.when.creditors:
            if code not in known:
                problems.append(f"segments[{index}].when.creditors: no creditor has the code {code!r}")
    templates = set(Template.objects.values_list("code", "channel"))
    for name, path in strategy.paths.items():
        for number, step in enumerate(path.steps, start=1):
            if step.action in MESSAGE_ACTIONS and (step.template, step.action.value) not in templates:
                problems.append(
                    f"paths.{name}.steps[{number}].template: "
                    f"no {step.action.value} template has the code {step.template!r}"
                )
    unused = set(strategy.paths) - {p for s in strategy.segments for p, _ in s.paths}
    problems += [f"paths.{name}: no segment uses this path" for name in sorted(unused)]
    return problems


def _checked(definition: Any) -> Strategy:
    try:
        strategy = parse_strategy(definition)
    except InvalidStrategy as error:
        raise UnableToSaveStrategy("; ".join(error.problems)) from None
    problems = reference_problems(strategy)
    if problems:
        raise UnableToSaveStrategy("; ".join(problems))
    return strategy


def save_draft(*, definition: Any, note: str, now: datetime, actor: Actor) -> StrategyVersion:
    """Check a definition and keep it as the draft (a new version number if there was none)."""
    strategy = _checked(definition)
    plain = strategy_dict(strategy)
    with transaction.atomic():
        draft = StrategyVersion.objects.select_for_update().filter(state=StrategyVersion.State.DRAFT).first()
        before = draft.definition if draft else None
        if draft is None:
            number = (StrategyVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
            draft = StrategyVersion(number=number, created_by=_user(actor), created_at=now)
        draft.definition = plain
        draft.note = note.strip()
        draft.updated_at = now
        draft.save()
        record_event(
            name="strategies.version.saved",
            subject_type="strategy_version",
            subject_id=draft.pk,
            occurred_at=now,
            actor=actor,
            before={"definition": before} if before else None,
            after={"number": draft.number, "definition": plain, "note": draft.note},
        )
    return draft


def import_yaml(*, text: str, note: str, now: datetime, actor: Actor) -> StrategyVersion:
    """Read a strategy from YAML text into the draft; a YAML error names its line and column."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise UnableToSaveStrategy(f"{where}{problem}") from None
    except (ValueError, TypeError, RecursionError) as error:  # a value YAML reads but Python cannot hold: 2026-02-30
        raise UnableToSaveStrategy(f"the YAML holds a value that cannot be read ({error})") from None
    return save_draft(definition=data, note=note, now=now, actor=actor)


def export_yaml(version: StrategyVersion) -> str:
    header = f"# Recoup collection strategy, version {version.number} ({version.get_state_display().lower()})\n"
    return header + yaml.safe_dump(version.definition, sort_keys=False, allow_unicode=True)


def draft_from_active(*, now: datetime, actor: Actor) -> StrategyVersion:
    """The draft to edit: the existing one, or a copy of the strategy in use."""
    draft = draft_version()
    if draft is not None:
        return draft
    active = active_version()
    if active is None:
        raise UnableToSaveStrategy("there is no strategy yet: import one from YAML or load the starter strategy")
    return save_draft(definition=active.definition, note="", now=now, actor=actor)


def publish(*, version: StrategyVersion, now: datetime, actor: Actor) -> StrategyVersion:
    """Make a draft the strategy the daily run follows; the one in use before it retires."""
    strategy = _checked(version.definition)
    with transaction.atomic():
        locked = StrategyVersion.objects.select_for_update().get(pk=version.pk)
        if locked.state != StrategyVersion.State.DRAFT:
            raise UnableToSaveStrategy(f"version {locked.number} is {locked.get_state_display().lower()}, not a draft")
        previous = active_version()
        if previous is not None:
            previous.state = StrategyVersion.State.RETIRED
            previous.updated_at = now
            previous.save(update_fields=["state", "updated_at"])
        locked.state = StrategyVersion.State.ACTIVE
        locked.definition = strategy_dict(strategy)
        locked.published_at = now
        locked.published_by = _user(actor)
        locked.updated_at = now
        locked.save()
        record_event(
            name="strategies.version.published",
            subject_type="strategy_version",
            subject_id=locked.pk,
            occurred_at=now,
            actor=actor,
            before={"active": previous.number} if previous else None,
            after={"active": locked.number},
        )
    return locked


def discard_draft(*, now: datetime, actor: Actor) -> None:
    with transaction.atomic():
        draft = StrategyVersion.objects.select_for_update().filter(state=StrategyVersion.State.DRAFT).first()
        if draft is None:
            return
        number = draft.number
        record_event(
            name="strategies.version.discarded",
            subject_type="strategy_version",
            subject_id=draft.pk,
            occurred_at=now,
            actor=actor,
            before={"number": number, "definition": draft.definition},
        )
        draft.delete()


def _user(actor: Actor) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


# ---- schedule ----------------------------------------------------------------------------------


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
            name="strategies.schedule.changed",
            subject_type="run_schedule",
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


def runner() -> Callable[..., Run]:
    """The daily run in this process, or fanned out over Celery workers when a broker is configured."""
    if settings.CELERY_BROKER_URL:
        from recoup.strategies.fanout import run_on_workers

        return run_on_workers
    return run_daily


# ---- the daily run -----------------------------------------------------------------------------


Progress = Callable[[str, int, int], None]  # (stage, ranges done, ranges in all)


def id_ranges(chunk: int = CHUNK) -> list[tuple[int, int]]:
    """The account id ranges the run works through (one transaction, or one worker task, each)."""
    bounds = Account.objects.aggregate(low=Min("id"), high=Max("id"))
    low, high = bounds["low"], bounds["high"]
    if low is None:
        return []
    return [(start, min(start + chunk - 1, high)) for start in range(low, high + 1, chunk)]


@dataclass(frozen=True)
class RunContext:
    run: Run
    strategy: Strategy
    as_of: date
    now: datetime
    creditor_ids: dict[str, int]
    currencies: tuple[str, ...]


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
                name="strategies.run.started",
                subject_type="run",
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
                name="strategies.run.finished",
                subject_type="run",
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


def _execute_sql(sql: str, params: list[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def _reage(low: int, high: int) -> dict[str, int]:
    """Correct the cached oldest-unpaid due date (which days past due and buckets come from) wherever
    it disagrees with the open items: the run's safety net for any write that did not refresh it."""
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    changed = _execute_sql(
        "UPDATE accounts_account SET oldest_unpaid_due_date = m.due FROM ("
        "SELECT a.id AS id, (SELECT MIN(i.due_date) FROM accounts_open_item i "
        "WHERE i.account_id = a.id AND i.balance_minor > 0) AS due FROM accounts_account a "
        "WHERE a.id >= %s AND a.id <= %s) m "
        f"WHERE accounts_account.id = m.id AND accounts_account.id >= %s AND accounts_account.id <= %s "
        f"AND accounts_account.oldest_unpaid_due_date {distinct} m.due",
        [low, high, low, high],
    )
    return {"corrected": changed}


def _segment(context: RunContext, low: int, high: int) -> dict[str, int]:
    _execute_sql("DELETE FROM strategies_account_fact WHERE account_id >= %s AND account_id <= %s", [low, high])
    placed = 0
    for index, compiled in enumerate(
        facts_sql(
            context.strategy,
            as_of=context.as_of,
            now=context.now,
            low=low,
            high=high,
            creditor_ids=context.creditor_ids,
            currencies=context.currencies,
        )
    ):
        count = _execute_sql(compiled.sql, compiled.params)
        placed = count if index == 0 else placed
    ended = _execute_sql(
        "UPDATE strategies_assignment SET ended_on = %s WHERE ended_on IS NULL "
        "AND account_id >= %s AND account_id <= %s AND NOT EXISTS (SELECT 1 FROM strategies_account_fact f "
        "WHERE f.account_id = strategies_assignment.account_id AND f.segment = strategies_assignment.segment "
        "AND f.path = strategies_assignment.path)",
        [context.as_of, low, high],
    )
    entered = _execute_sql(
        "INSERT INTO strategies_assignment (account_id, segment, path, slot, started_on, ended_on, version_id, "
        "currency, balance_minor) SELECT f.account_id, f.segment, f.path, f.slot, %s, NULL, %s, f.currency, "
        "f.balance_minor FROM strategies_account_fact f WHERE f.account_id >= %s AND f.account_id <= %s "
        # The partial unique index of open assignments decides, not a join: a NOT EXISTS here was planned
        # as a nested loop on a freshly emptied table (quadratic on the first range at 1M accounts).
        "ON CONFLICT (account_id) WHERE ended_on IS NULL DO NOTHING",
        [context.as_of, context.run.version_id, low, high],
    )
    return {"accounts": placed, "left_path": ended, "entered_path": entered}


def _days_between(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"({later}::date - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def step_key(step: Any, as_of: date) -> str:
    """How an action names its step: "5:sms" for day 5, "arrangement_broken:call:2026-12-05" for an event
    (an event can come again on another date)."""
    if step.day is not None:
        return f"{step.day}:{step.action.value}"
    return f"{step.event}:{step.action.value}:{as_of.isoformat()}"


def event_rows(strategy: Strategy, as_of: date) -> list[tuple[str, str, str, str, int, str]]:
    """(path, step key, action, template, priority, status) for every event step (arrangement broken)."""
    return [
        (name, step_key(step, as_of), step.action.value, step.template, step.priority, step.status)
        for name, path in strategy.paths.items()
        for step in path.steps
        if step.event is not None
    ]


def step_rows(strategy: Strategy) -> list[tuple[str, str, int, str, str, int, str]]:
    """(path, step key, day, action, template, priority, status) for every day step of every path."""
    rows = []
    for name, path in strategy.paths.items():
        for step in path.steps:
            if step.day is None:
                continue
            rows.append(
                (
                    name,
                    step_key(step, date.min),
                    step.day,
                    step.action.value,
                    step.template,
                    step.priority,
                    step.status,
                )
            )
    return rows


def _actions(context: RunContext, low: int, high: int) -> dict[str, int]:
    rows = step_rows(context.strategy)
    if not rows:
        return {"planned": 0}
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    value_params = [value for row in rows for value in row]
    days = _days_between("%s", "s.started_on")
    due = (
        "SELECT s.id AS assignment_id, s.account_id, st.column2 AS step_key, st.column4 AS kind, "
        "st.column5 AS template, st.column6 AS priority, st.column7 AS status_to, "
        "ROW_NUMBER() OVER (PARTITION BY s.id ORDER BY st.column3 DESC) AS latest "
        f"FROM strategies_assignment s JOIN (SELECT * FROM (VALUES {values}) AS v) st ON st.column1 = s.path "
        f"WHERE s.ended_on IS NULL AND s.account_id >= %s AND s.account_id <= %s "
        f"AND st.column3 <= {days} AND st.column3 > {days} - %s "
        # An assignment that started today has no actions yet: only older ones are looked up. Besides
        # saving the lookups, this keeps PostgreSQL from planning the lookup as an anti-join that scans the
        # action table for every due step, which it chose on the first run (the table nearly empty when
        # planned, then filled by the statement itself and by other workers: minutes per range at 1M).
        "AND (s.started_on = %s OR NOT EXISTS (SELECT 1 FROM strategies_action x "
        "WHERE x.assignment_id = s.id AND x.step_key = st.column2))"
    )
    params = [*value_params, low, high, context.as_of, context.as_of, CATCH_UP_DAYS, context.as_of]
    inserted = _execute_sql(
        "INSERT INTO strategies_action (run_id, account_id, assignment_id, step_key, kind, template, priority, "
        "amount_minor, status_to, state, rule, reason, message_id, decided_at) "
        "SELECT %s, d.account_id, d.assignment_id, d.step_key, d.kind, d.template, d.priority, NULL, d.status_to, "
        "CASE WHEN d.latest = 1 THEN 'planned' ELSE 'skipped' END, '', "
        "CASE WHEN d.latest = 1 THEN '' ELSE 'a later step of the path is due now (no run on its day)' END, "
        f"NULL, NULL FROM ({due}) d",
        [context.run.pk, *params],
    )
    return {"planned": inserted + _event_actions(context, low, high)}


def _event_actions(context: RunContext, low: int, high: int) -> int:
    """Steps on an event: a promised payment or an instalment of the account was missed, as the monitor
    stage marked it on the run's date, for accounts whose path has such a step."""
    rows = event_rows(context.strategy, context.as_of)
    if not rows:
        return 0
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
    day_start = datetime.combine(context.as_of, clock_time(0), tzinfo=UTC)
    return _execute_sql(
        "INSERT INTO strategies_action (run_id, account_id, assignment_id, step_key, kind, template, priority, "
        "amount_minor, status_to, state, rule, reason, message_id, decided_at) "
        "SELECT %s, s.account_id, s.id, st.column2, st.column3, st.column4, st.column5, NULL, st.column6, "
        "'planned', '', '', NULL, NULL "
        f"FROM strategies_assignment s JOIN (SELECT * FROM (VALUES {values}) AS v) st ON st.column1 = s.path "
        "WHERE s.ended_on IS NULL AND s.account_id >= %s AND s.account_id <= %s "
        "AND EXISTS (SELECT 1 FROM arrangements_due d JOIN arrangements_arrangement r ON r.id = d.arrangement_id "
        "WHERE r.account_id = s.account_id AND d.status IN ('broken', 'partly_kept') "
        "AND d.updated_at >= %s AND d.updated_at < %s) "
        "AND NOT EXISTS (SELECT 1 FROM strategies_action x WHERE x.assignment_id = s.id AND x.step_key = st.column2)",
        [context.run.pk, *[v for row in rows for v in row], low, high, day_start, day_start + timedelta(days=1)],
    )


PRIMARY_OF_ACTION = (
    "(SELECT ad.debtor_id FROM accounts_account_debtor ad WHERE ad.account_id = strategies_action.account_id "
    "AND ad.role = 'primary' ORDER BY ad.debtor_id LIMIT 1)"
)
NO_ENDPOINT = {
    ActionKind.EMAIL: "email: no usable email address is on record",
    ActionKind.SMS: "sms: no usable mobile number is on record",
    ActionKind.CALL: "call: no usable phone number is on record",
    ActionKind.LETTER: "letter: no full postal address is on record",
}
"""The reason the screen gives when `core.contact_rules.reachable_sql` finds nothing the action can go to."""


def _rule_by_country_sql() -> str:
    """SQL for the rule a blocking hold names: the row's rule, or the debtor's country's where it differs
    (`HoldRule.by_country`: a dispute is UK-05 in Great Britain, AU-04 in Australia)."""
    cases = []
    for kind, by_country in ((rule.kind, rule.by_country) for rule in BLOCKING_HOLDS if rule.by_country):
        whens = " ".join(f"WHEN '{country}' THEN '{rule}'" for country, rule in sorted(by_country.items()))
        cases.append(
            f"WHEN r.column1 = '{kind}' THEN COALESCE((SELECT CASE d.country {whens} END "
            "FROM accounts_account_debtor ad JOIN parties_debtor d ON d.id = ad.debtor_id "
            "WHERE ad.account_id = strategies_action.account_id AND ad.role = 'primary'), r.column5)"
        )
    return f"CASE {' '.join(cases)} ELSE r.column5 END" if cases else "r.column5"


# Only constants from core.contact_rules.HOLD_RULES (hold kinds, country codes, rule IDs) are in this SQL.
_RULE_BY_COUNTRY_SQL = _rule_by_country_sql()


def hold_screen_rows() -> list[tuple[str, str, str, int, str, str]]:
    """(hold kind, action kind, channel or '', order, rule, reason) for every hold that blocks a contact
    action. A do-not-contact hold blocks only its own channel; where several holds apply, the first
    in the gate's order (core.contact_rules.HOLD_RULES) names the rule."""
    rows = []
    for order, held in enumerate(BLOCKING_HOLDS):
        for action_kind in sorted(CONTACT_ACTIONS):
            channel = action_kind.value if held.per_channel else ""
            reason = f"{held.words} ({Hold.Kind(held.kind).label.lower()} hold)"
            rows.append((held.kind, action_kind.value, channel, order, held.rule, reason))
    return rows


def _screen(context: RunContext, low: int, high: int) -> dict[str, int]:
    """Block, set-based, the planned contacts the gate would refuse whatever the hour: holds on the account
    or its primary debtor, and no number or address to use. What depends on the hour and the contact
    history (calling hours, frequency caps) is decided by the gate when the message is made or the call dialled."""
    rules = hold_screen_rows()
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rules))
    value_params = [value for row in rules for value in row]
    rules_table = f"(SELECT * FROM (VALUES {values}) AS v)"
    active = hold_in_force_sql("h")
    planned = "x.run_id = %s AND x.state = 'planned' AND x.account_id >= %s AND x.account_id <= %s"
    rule_of_hold = f"JOIN {rules_table} r ON r.column1 = h.kind AND r.column2 = x.kind "
    rule_of_hold += "AND (r.column3 = '' OR r.column3 = h.channel) "
    matches = (
        "SELECT x.id AS action_id, r.column4 AS ord FROM strategies_action x "
        "JOIN compliance_hold h ON h.account_id = x.account_id "
        f"{rule_of_hold}"
        f"WHERE {planned} AND {active} "
        "UNION ALL "
        "SELECT x.id, r.column4 FROM strategies_action x "
        "JOIN accounts_account_debtor ad ON ad.account_id = x.account_id AND ad.role = 'primary' "
        "JOIN compliance_hold h ON h.debtor_id = ad.debtor_id "
        f"{rule_of_hold}"
        f"WHERE {planned} AND {active}"
    )
    run_range = [context.run.pk, low, high]
    blocked = _execute_sql(
        f"UPDATE strategies_action SET state = 'blocked', rule = {_RULE_BY_COUNTRY_SQL}, reason = r.column6, "
        "decided_at = %s "
        f"FROM (SELECT m.action_id, MIN(m.ord) AS ord FROM ({matches}) m GROUP BY m.action_id) b, {rules_table} r "
        "WHERE strategies_action.id = b.action_id AND r.column4 = b.ord AND r.column2 = strategies_action.kind "
        "AND strategies_action.state = 'planned'",
        [
            context.now,
            *value_params,
            *run_range,
            context.now,
            context.now,
            *value_params,
            *run_range,
            context.now,
            context.now,
            *value_params,
        ],
    )
    base = (
        "UPDATE strategies_action SET state = 'blocked', rule = %s, reason = %s, decided_at = %s "
        "WHERE run_id = %s AND state = 'planned' AND account_id >= %s AND account_id <= %s AND kind IN ({kinds}) "
        "AND {condition}"
    )
    for action_kind, words in NO_ENDPOINT.items():
        blocked += _execute_sql(
            base.format(kinds="%s", condition=f"NOT {reachable_sql(action_kind.value, PRIMARY_OF_ACTION)}"),
            ["NO-ENDPOINT", words, context.now, context.run.pk, low, high, action_kind.value],
        )
    return {"blocked": blocked}


RULE_ID = re.compile(r"\b([A-Z]{2,}(?:-[A-Z0-9]+)+)\b")


def _rule_of(text: str) -> str:
    """The first rule ID in a refusal ("US-01: ..." or "letter blocked: US-23 ..."); else the field it names."""
    match = RULE_ID.search(text)
    if match:
        return match.group(1)[:30]
    head = text.split(":", 1)[0].split()
    return head[0][:30] if head else "REFUSED"


def _carry_out(context: RunContext, action: Action, account: Account) -> None:
    """Do one planned action, in the caller's transaction, and record what became of it."""
    kind = ActionKind(action.kind)
    now = context.now
    action.decided_at = now
    if kind in MESSAGE_ACTIONS:
        try:
            message = queue_message(
                account=account, template_code=action.template, channel=kind.value, now=now, actor=None
            )
        except UnableToSend as error:
            action.state, action.rule, action.reason = Action.State.BLOCKED, _rule_of(str(error)), str(error)[:2000]
            return
        action.message_id = message.pk
        if message.status == Message.Status.DEFERRED:
            why = message.events.order_by("-id").values_list("detail", flat=True).first() or ""
            action.state = Action.State.DEFERRED
            action.rule = _rule_of(why) if why else ""
            action.reason = f"waits until {message.not_before.isoformat()}: {why}"[:2000]
        else:
            action.state = Action.State.DONE
        return
    step = _step_of(context, action)
    if kind is ActionKind.FEE:
        amount = Money.rounded(step.amount, account.currency, rounding=ROUND_HALF_UP) if step and step.amount else None
        if amount is None:
            action.state, action.rule, action.reason = Action.State.BLOCKED, "FEE-POLICY", "the step has no amount"
            return
        problem = fee_problem(account, amount)
        if problem:
            action.state, action.rule, action.reason = Action.State.BLOCKED, "FEE-POLICY", problem
            return
        try:
            post_charge(
                account=account,
                component=Component.FEES,
                amount=amount,
                due_date=context.as_of,
                now=now,
                actor=None,
                kind="fee",
                memo=f"strategy step {action.step_key}",
            )
        except UnableToPostTransaction as error:
            action.state, action.rule, action.reason = Action.State.BLOCKED, "FEE-POLICY", str(error)
            return
        action.amount_minor = amount.minor
        action.state = Action.State.DONE
        return
    if kind is ActionKind.STATUS:
        try:
            change_account_status(
                account=account,
                to_status=AccountStatus(action.status_to),
                reason=f"strategy step {action.step_key} of path {step_path_name(action)}",
                now=now,
                actor=None,
            )
        except UnableToChangeStatus as error:
            action.state, action.rule, action.reason = Action.State.BLOCKED, "STATUS", str(error)
            return
        action.state = Action.State.DONE
        return
    # Calls, waits and legal reviews were done set-based before this loop (_execute_set_based).
    action.state, action.rule, action.reason = Action.State.BLOCKED, "UNKNOWN", f"no way to do {kind}"


def step_path_name(action: Action) -> str:
    return Assignment.objects.filter(pk=action.assignment_id).values_list("path", flat=True).first() or ""


def _step_of(context: RunContext, action: Action) -> Any:
    path_name = step_path_name(action)
    path = context.strategy.paths.get(path_name)
    if path is None:
        return None
    return next((s for s in path.steps if step_key(s, context.as_of) == action.step_key), None)


def _execute_set_based(context: RunContext, low: int, high: int) -> dict[str, int]:
    """The actions that need no per-account service, in one transaction: calls join the officers' queue,
    waits are done, legal reviews are flagged with one audit event each on the account's timeline."""
    counts: dict[str, int] = {}
    planned = Action.objects.filter(
        run=context.run, state=Action.State.PLANNED, account_id__gte=low, account_id__lte=high
    )
    label = actor_label_for(None)
    with transaction.atomic():
        reviews = list(
            planned.filter(kind=ActionKind.LEGAL_REVIEW).order_by("pk").values_list("pk", "account_id", "step_key")
        )
        for start in range(0, len(reviews), 2_000):
            part = reviews[start : start + 2_000]
            AuditEvent.objects.bulk_create(
                [
                    AuditEvent(
                        name="strategies.legal_review.flagged",
                        occurred_at=context.now,
                        actor_id=None,
                        actor_label=label,
                        subject_type="account",
                        subject_id=account_id,
                        account_id=account_id,
                        after={"step": step_key, "run_date": context.as_of.isoformat(), "action": pk},
                    )
                    for pk, account_id, step_key in part
                ]
            )
            Action.objects.filter(pk__in=[pk for pk, _a, _s in part]).update(
                state=Action.State.QUEUED, decided_at=context.now
            )
        if reviews:
            counts[Action.State.QUEUED] = len(reviews)
        for kind, state in ((ActionKind.CALL, Action.State.QUEUED), (ActionKind.WAIT, Action.State.DONE)):
            changed = planned.filter(kind=kind).update(state=state, decided_at=context.now)
            if changed:
                counts[state] = counts.get(state, 0) + changed
    return counts


def _execute(context: RunContext, low: int, high: int) -> dict[str, int]:
    """Carry out the planned actions of accounts low..high, each in its own transaction with the record
    of what became of it, so a crash leaves each action either done and recorded or still planned."""
    counts = _execute_set_based(context, low, high)
    # The range's planned actions are listed once, through the index on the account, rather than paged
    # with ORDER BY id LIMIT: PostgreSQL plans that by walking the whole table in id order, which costs a
    # scan of every action per range even when (as on most days) nothing is left to do here.
    planned = sorted(
        Action.objects.filter(
            run=context.run, state=Action.State.PLANNED, account_id__gte=low, account_id__lte=high
        ).values_list("pk", flat=True)
    )
    for start in range(0, len(planned), EXECUTE_BATCH):
        batch = list(Action.objects.filter(pk__in=planned[start : start + EXECUTE_BATCH]).order_by("pk"))
        accounts = Account.objects.select_related("creditor").in_bulk([a.account_id for a in batch])
        for action in batch:
            with transaction.atomic():
                locked = Action.objects.select_for_update().get(pk=action.pk)
                if locked.state != Action.State.PLANNED:
                    continue
                _carry_out(context, locked, accounts[locked.account_id])
                locked.save()
            counts[locked.state] = counts.get(locked.state, 0) + 1
    return counts


# ---- the report --------------------------------------------------------------------------------


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def build_report(run: Run) -> dict[str, Any]:
    """Counts per segment and path, actions by type and state, blocked by reason (plain data for JSON)."""
    segments = [
        {"segment": segment, "path": path, "currency": currency, "accounts": count, "balance_minor": int(balance or 0)}
        for segment, path, currency, count, balance in _rows(
            "SELECT segment, path, currency, COUNT(*), SUM(balance_minor) FROM strategies_account_fact "
            "WHERE run_date = %s GROUP BY segment, path, currency ORDER BY segment, path, currency",
            [run.run_date],
        )
    ]
    entered = {
        f"{segment}/{path}/{currency}": count
        for segment, path, currency, count in _rows(
            "SELECT segment, path, currency, COUNT(*) FROM strategies_assignment WHERE started_on = %s "
            "GROUP BY segment, path, currency ORDER BY segment, path, currency",
            [run.run_date],
        )
    }
    actions = [
        {"kind": kind, "state": state, "count": count}
        for kind, state, count in _rows(
            "SELECT kind, state, COUNT(*) FROM strategies_action WHERE run_id = %s GROUP BY kind, state "
            "ORDER BY kind, state",
            [run.pk],
        )
    ]
    blocked = [
        {"rule": rule, "state": state, "count": count}
        for rule, state, count in _rows(
            "SELECT rule, state, COUNT(*) FROM strategies_action "
            "WHERE run_id = %s AND state IN ('blocked', 'deferred') GROUP BY rule, state ORDER BY COUNT(*) DESC, rule",
            [run.pk],
        )
    ]
    return {
        "segments": segments,
        "entered": entered,
        "actions": actions,
        "blocked": blocked,
        "accounts_total": sum(row["accounts"] for row in segments),
        "actions_total": sum(row["count"] for row in actions),
    }


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


def schedule_tick(*, now: datetime | None = None) -> None:
    """Called every few minutes (Celery beat, or the embedded clock in `recoup serve`): starts the run
    when the schedule says it is due."""
    from django.utils import timezone

    try:
        run_if_due(now=now or timezone.now())
    except UnableToRun:
        logger.exception("the scheduled daily run could not start")
