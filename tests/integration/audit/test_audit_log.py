"""The audit log is append-only, in the model layer everywhere and in the database on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from recoup.audit.models import AuditEvent, AuditLogIsAppendOnly
from recoup.audit.services import record_event

pytestmark = pytest.mark.django_db


def an_event() -> AuditEvent:
    return record_event(
        name="parties.creditor.created",
        subject_type="creditor",
        subject_id=7,
        occurred_at=timezone.now(),
        actor=None,
        after={"name": "Northwind"},
    )


class TestAuditEvents:
    def test_records_who_what_and_the_values(self) -> None:
        event = an_event()
        stored = AuditEvent.objects.get(pk=event.pk)
        assert stored.actor_label == "system"
        assert stored.after == {"name": "Northwind"}
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
