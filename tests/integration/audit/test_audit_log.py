"""The audit log is append-only, in the model layer everywhere and in the database on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from recoup.audit.events import BadEvent, Event
from recoup.audit.models import AuditEvent, AuditLogIsAppendOnly
from recoup.audit.services import author_of, event_row, record_event, record_events

pytestmark = pytest.mark.django_db


NORTHWIND = {"code": "NW", "name": "Northwind", "country": "US", "currency": "USD"}


def an_event() -> AuditEvent:
    return record_event(
        event=Event.CREDITOR_CREATED,
        subject_id=7,
        occurred_at=timezone.now(),
        actor=None,
        after=NORTHWIND,
    )


class TestAuditEvents:
    def test_records_who_what_and_the_values(self) -> None:
        event = an_event()
        stored = AuditEvent.objects.get(pk=event.pk)
        assert stored.actor_label == "system"
        assert stored.after == NORTHWIND
        assert "parties.creditor.created" in str(stored)

    def test_cannot_be_changed_through_the_model(self) -> None:
        event = an_event()
        event.name = "something.else"
        with pytest.raises(AuditLogIsAppendOnly):
            event.save()
        assert AuditEvent.objects.get(pk=event.pk).name == "parties.creditor.created"

    def test_cannot_be_deleted_through_the_model(self) -> None:
        event = an_event()
        with pytest.raises(AuditLogIsAppendOnly):
            event.delete()
        assert AuditEvent.objects.filter(pk=event.pk).exists()

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="database trigger is PostgreSQL only")
    def test_postgresql_refuses_raw_updates_and_deletes(self) -> None:
        event = an_event()
        for sql in (
            "UPDATE audit_event SET name = 'x' WHERE id = %s",
            "DELETE FROM audit_event WHERE id = %s",
        ):
            with (
                pytest.raises(DatabaseError, match="append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql, [event.pk])
        assert AuditEvent.objects.get(pk=event.pk).name == "parties.creditor.created"

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="database trigger is PostgreSQL only")
    def test_postgresql_refuses_truncate(self) -> None:
        event = an_event()
        # CASCADE from the users table reaches the audit log through the actor column.
        for sql in ("TRUNCATE audit_event", "TRUNCATE audit_event CASCADE", "TRUNCATE users_user CASCADE"):
            with (
                pytest.raises(DatabaseError, match="audit_event is append-only: TRUNCATE refused"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no checks pending from the test's inserts
                cursor.execute(sql)
        assert AuditEvent.objects.filter(pk=event.pk).exists()


class TestOnlyRegisteredEventsAreWritten:
    def test_a_name_that_is_not_registered_is_refused_by_the_model(self) -> None:
        with pytest.raises(BadEvent, match="not a registered event name"):
            AuditEvent.objects.create(
                name="accounts.payment.vanished",
                occurred_at=timezone.now(),
                actor_label="system",
                subject_type="payment",
                subject_id=1,
            )
        assert not AuditEvent.objects.exists()

    def test_a_former_name_is_read_but_never_written_again(self) -> None:
        with pytest.raises(BadEvent):
            AuditEvent.objects.create(
                name="arrangement.plan.created",
                occurred_at=timezone.now(),
                actor_label="system",
                subject_type="arrangement",
                subject_id=1,
            )

    def test_values_that_do_not_match_the_event_are_refused_and_nothing_is_written(self) -> None:
        with pytest.raises(BadEvent, match=r"after is missing \['code', 'country', 'currency'\]"):
            record_event(
                event=Event.CREDITOR_CREATED, subject_id=7, occurred_at=timezone.now(), actor=None, after={"name": "N"}
            )
        assert not AuditEvent.objects.exists()

    def test_the_subject_is_the_events_own_unless_the_event_leaves_it_to_the_writer(self) -> None:
        now = timezone.now()
        with pytest.raises(BadEvent, match="is about a creditor, not a debtor"):
            record_event(
                event=Event.CREDITOR_CREATED,
                subject_type="debtor",
                subject_id=7,
                occurred_at=now,
                actor=None,
                after=NORTHWIND,
            )
        with pytest.raises(BadEvent, match="say what the event is about"):
            record_event(event=Event.ADMIN_CHANGED, subject_id=7, occurred_at=now, actor=None, after={"name": "N"})
        edited = record_event(
            event=Event.ADMIN_CHANGED,
            subject_type="team",
            subject_id=7,
            occurred_at=now,
            actor=None,
            after={"name": "N"},
        )
        assert (edited.name, edited.subject_type) == ("admin.record.changed", "team")

    def test_many_events_are_written_in_one_set_based_write_and_read_back_as_written(self) -> None:
        now = timezone.now()
        by = author_of(None)
        rows = [
            event_row(
                Event.NOTE_ADDED, subject_id=pk, account_id=pk, occurred_at=now, by=by, after={"text": f"note {pk}"}
            )
            for pk in range(1, 1201)
        ]
        assert record_events(rows) == 1200
        stored = list(
            AuditEvent.objects.order_by("subject_id").values_list("name", "subject_type", "account_id", "after")
        )
        assert len(stored) == 1200
        assert stored[0] == ("workspace.note.added", "account", 1, {"text": "note 1"})
        assert stored[-1][3] == {"text": "note 1200"}
        assert AuditEvent.objects.filter(actor_label="system", actor__isnull=True).count() == 1200
