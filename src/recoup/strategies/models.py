"""Collection strategies (versioned), where each account stands in them, and what each daily run did.

The daily run writes Assignment and Action rows set-based, so they are the record of what the run
decided for each account (an audit event per account per day would double the run's writes); the run
itself, publishing a strategy and every action that changes an account write audit events.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from recoup.accounts.models import Account


class StrategyVersion(models.Model):
    """One version of the collection strategy. Drafts are edited; publishing makes a version the one the
    daily run follows (the previous one retires); a published version never changes."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "In use"
        RETIRED = "retired", "Retired"

    number = models.PositiveIntegerField(unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    definition_text = models.TextField(
        help_text="Segments, paths and seed as JSON text, in the shape of the YAML export. Text, not a JSON "
        "column, because the order of a segment's paths decides the split and PostgreSQL's jsonb sorts keys."
    )
    note = models.TextField(blank=True, help_text="What changed in this version and why.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "strategies_version"
        constraints = [
            models.UniqueConstraint(fields=["state"], condition=Q(state="active"), name="one_active_strategy"),
            models.UniqueConstraint(fields=["state"], condition=Q(state="draft"), name="one_draft_strategy"),
        ]

    def __str__(self) -> str:
        return f"strategy v{self.number} ({self.get_state_display().lower()})"

    @property
    def definition(self) -> Any:
        return json.loads(self.definition_text) if self.definition_text else None

    @definition.setter
    def definition(self, value: Any) -> None:
        self.definition_text = json.dumps(value, ensure_ascii=False)


class Assignment(models.Model):
    """An account's place in a segment and a treatment path, from the day it entered until it left.
    `slot` (0-99) is the stable random number that chose the path among the segment's splits."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", db_index=False)
    segment = models.CharField(max_length=40)
    path = models.CharField(max_length=40)
    slot = models.SmallIntegerField()
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    # No database constraint or index: every row the run writes takes the run's own version, and
    # versions are never deleted (PROTECT is kept by the ORM). See "Constraints the run leaves out".
    version = models.ForeignKey(
        StrategyVersion, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    currency = models.CharField(max_length=3)
    balance_minor = models.BigIntegerField(help_text="What the account owed when it entered the path.")

    class Meta:
        db_table = "strategies_assignment"
        constraints = [
            models.UniqueConstraint(fields=["account"], condition=Q(ended_on__isnull=True), name="one_open_assignment"),
        ]
        indexes = [
            models.Index(fields=["account", "started_on"], name="assignment_account_idx"),
            models.Index(fields=["segment", "path"], name="assignment_path_idx"),
        ]

    def __str__(self) -> str:
        return f"account {self.account_id} in {self.segment}/{self.path} from {self.started_on}"


class Run(models.Model):
    """The daily run for one business date: at most one per date, resumable stage by stage."""

    class State(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Stopped with an error"

    run_date = models.DateField(unique=True)
    version = models.ForeignKey(StrategyVersion, on_delete=models.PROTECT, related_name="runs")
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    trigger = models.CharField(max_length=20, help_text="command, schedule, manager or simulator")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    stages = models.JSONField(default=list, help_text="Each finished stage: name, seconds, counts.")
    report = models.JSONField(default=dict, help_text="Counts per segment, actions by type, blocked by reason.")
    error = models.TextField(blank=True)

    class Meta:
        db_table = "strategies_run"

    def __str__(self) -> str:
        return f"daily run {self.run_date} ({self.get_state_display().lower()})"

    def stage_done(self, name: str) -> bool:
        return any(stage["name"] == name for stage in self.stages)


class Action(models.Model):
    """One step of a path, due for one account on one run date, and what became of it."""

    class State(models.TextChoices):
        PLANNED = "planned", "Planned"
        DONE = "done", "Done"
        QUEUED = "queued", "Waiting for an officer"
        DEFERRED = "deferred", "Deferred to the next allowed time"
        BLOCKED = "blocked", "Blocked"
        SKIPPED = "skipped", "Skipped"

    # Constraints the run leaves out: the daily run writes an action per account per step, a million
    # on a first day, and each foreign key is a check per row at commit. The database keeps the chain
    # that matters (action -> assignment -> account); `account` repeats the assignment's account (for
    # the queue's index) and `run` is the run that wrote it, both set by the same INSERT ... SELECT
    # and never deleted (PROTECT is kept by the ORM). docs/performance.md has the figures.
    run = models.ForeignKey(Run, on_delete=models.PROTECT, related_name="actions", db_constraint=False)
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="actions", db_index=False)
    step_key = models.CharField(max_length=60, help_text="The step's day (or event) and action, e.g. 5:sms.")
    kind = models.CharField(max_length=20)
    template = models.CharField(max_length=60, blank=True)
    priority = models.SmallIntegerField(default=0)
    amount_minor = models.BigIntegerField(null=True, blank=True)
    status_to = models.CharField(max_length=20, blank=True)
    state = models.CharField(max_length=10, choices=State.choices)
    rule = models.CharField(max_length=30, blank=True, help_text="The rule that blocked or deferred it.")
    reason = models.TextField(blank=True)
    message_id = models.BigIntegerField(null=True, blank=True, help_text="The outbox message it made.")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "strategies_action"
        constraints = [
            models.UniqueConstraint(fields=["assignment", "step_key"], name="one_action_per_step"),
        ]
        # No index holds the state: the screen and execute stages change the state of most of a day's
        # actions, and with no indexed column changed (and room left on each page, see migration 0002)
        # PostgreSQL updates them in place (HOT) instead of writing every index again.
        indexes = [
            models.Index(fields=["account", "run"], name="action_account_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for account {self.account_id} ({self.state})"


class AccountFact(models.Model):
    """What the latest run read about each workable account, and the segment and path it chose: the
    run's working table (one row per account, replaced by each run), kept for the report and the queue."""

    # A working table the run rewrites for every account each day: no foreign-key check per row.
    account = models.OneToOneField(
        Account, on_delete=models.CASCADE, primary_key=True, related_name="+", db_constraint=False
    )
    run_date = models.DateField()
    dpd = models.IntegerField()
    balance_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    segment = models.CharField(max_length=40)
    path = models.CharField(max_length=40)
    slot = models.SmallIntegerField()

    class Meta:
        db_table = "strategies_account_fact"

    def __str__(self) -> str:
        return f"account {self.account_id} on {self.run_date}: {self.segment}/{self.path}"


class RunSchedule(models.Model):
    """When the daily run starts by itself (one row). The embedded default checks it every minute in
    the web process; with a broker, Celery beat does."""

    enabled = models.BooleanField(default=False)
    time_of_day = models.TimeField(help_text="Local time in the schedule's time zone.")
    time_zone = models.CharField(max_length=64, default="UTC")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "strategies_run_schedule"

    def __str__(self) -> str:
        state = "on" if self.enabled else "off"
        return f"daily run at {self.time_of_day:%H:%M} {self.time_zone} ({state})"


class RunChunk(models.Model):
    """One range of account ids through one stage of a run: done (with its counts) or not, so a resumed
    run, or a worker handed a chunk twice, skips what is done."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="chunks")
    stage = models.CharField(max_length=20)
    low = models.BigIntegerField()
    high = models.BigIntegerField()
    done_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict)
    worker = models.CharField(max_length=200, blank=True, help_text="The process that did it (host:pid).")
    error = models.TextField(blank=True)

    class Meta:
        db_table = "strategies_run_chunk"
        constraints = [models.UniqueConstraint(fields=["run", "stage", "low"], name="one_chunk_per_range")]

    def __str__(self) -> str:
        return f"{self.stage} {self.low}-{self.high} of run {self.run_id}"
