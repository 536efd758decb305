"""Writing audit events: the only way into the log. Called by every service that changes state, inside
its transaction.

One event: `record_event(event=Event.X, ...)`. Many at once: build each row with `event_row` and write
them with `record_events` (COPY on PostgreSQL); a writer that streams several tables in one pass (the
payment engine) puts the rows `event_row` made into its own COPY of `AUDIT_TABLE`. Either way the
name comes from `recoup.audit.events` and the values are checked against the event's declared type.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, NewType

from recoup.audit.events import BadEvent, Event, check_values
from recoup.audit.models import AuditEvent
from recoup.platform.bulk import bulk_insert

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    Actor = AbstractBaseUser | AnonymousUser | None

AUDIT_TABLE = AuditEvent._meta.db_table
AUDIT_COLUMNS = (
    "name",
    "occurred_at",
    "actor_id",
    "actor_label",
    "subject_type",
    "subject_id",
    "account_id",
    "before",
    "after",
)
EventRow = NewType("EventRow", tuple[Any, ...])


def actor_label_for(actor: Actor) -> str:
    if actor is None or not actor.is_authenticated:
        return "system"
    return str(actor.get_username())


@dataclass(frozen=True)
class Author:
    """Who acted, as the log stores it: the user's id (none for the system) and a label kept as text."""

    id: int | None
    label: str


def author_of(actor: Actor) -> Author:
    if actor is None or not actor.is_authenticated:
        return Author(None, "system")
    return Author(actor.pk, actor_label_for(actor))


def _subject_type(event: Event, subject_type: str | None) -> str:
    declared = event.spec.subject
    if declared is None:
        if not subject_type:
            raise BadEvent(f"{event.text}: say what the event is about (subject_type)")
        return subject_type
    if subject_type not in (None, declared):
        raise BadEvent(f"{event.text}: is about a {declared}, not a {subject_type}")
    return declared


def _checked(event: Event, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> None:
    if not isinstance(event, Event):
        raise BadEvent(f"{event!r}: not a registered event (recoup.audit.events.Event)")
    check_values(event, "before", before)
    check_values(event, "after", after)


def record_event(
    *,
    event: Event,
    subject_id: int,
    occurred_at: datetime,
    actor: Actor,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    account_id: int | None = None,
    subject_type: str | None = None,
) -> AuditEvent:
    """Append one audit event; the caller's transaction makes it atomic with the change."""
    _checked(event, before, after)
    author = author_of(actor)
    return AuditEvent.objects.create(
        name=event.text,
        occurred_at=occurred_at,
        actor_id=author.id,
        actor_label=author.label,
        subject_type=_subject_type(event, subject_type),
        subject_id=subject_id,
        account_id=account_id,
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
    )


def event_row(
    event: Event,
    *,
    subject_id: int,
    occurred_at: datetime,
    by: Author,
    account_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    subject_type: str | None = None,
) -> EventRow:
    """One event as a row of `AUDIT_TABLE` in `AUDIT_COLUMNS` order, checked, for a set-based write."""
    _checked(event, before, after)
    return EventRow(
        (
            event.text,
            occurred_at,
            by.id,
            by.label,
            _subject_type(event, subject_type),
            subject_id,
            account_id,
            json.dumps(before) if before is not None else None,
            json.dumps(after) if after is not None else None,
        )
    )


def record_events(rows: Iterable[EventRow]) -> int:
    """Append many events made by `event_row` in one set-based write (COPY on PostgreSQL)."""
    return bulk_insert(AUDIT_TABLE, AUDIT_COLUMNS, rows)
