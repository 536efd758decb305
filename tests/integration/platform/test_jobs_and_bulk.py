"""Background work starts only after commit; bulk writes reserve keys and write every row."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction

from recoup.parties.models import Creditor
from recoup.platform.bulk import (
    RANGE_RESERVATION_THRESHOLD,
    allocate_ids,
    bulk_insert,
    foreign_keys_checked_after_load,
)
from recoup.platform.jobs import UnableToEnqueue, enqueue_on_commit, register_task


@pytest.mark.django_db(transaction=True)
class TestEnqueueOnCommit:
    def test_runs_in_process_after_the_transaction_commits(self) -> None:
        calls: list[int] = []
        register_task("tests.record", lambda *, value: calls.append(value))
        with transaction.atomic():
            enqueue_on_commit("tests.record", value=1)
            assert calls == []
        assert calls == [1]

    def test_does_nothing_when_the_transaction_rolls_back(self) -> None:
        calls: list[int] = []
        register_task("tests.record", lambda *, value: calls.append(value))
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue_on_commit("tests.record", value=1)
            raise RuntimeError("crash before commit")
        assert calls == []

    def test_an_unknown_task_name_is_an_error_not_silence(self) -> None:
        with pytest.raises(UnableToEnqueue, match="no task named 'tests.absent'"):
            enqueue_on_commit("tests.absent")


@pytest.mark.django_db(transaction=True)
class TestBulkInsert:
    def test_a_large_reservation_is_one_contiguous_range_no_one_else_gets(self) -> None:
        created = datetime(2026, 1, 5, tzinfo=UTC)
        count = RANGE_RESERVATION_THRESHOLD + 10
        columns = [
            "id",
            "code",
            "name",
            "industry",
            "collector_type",
            "default_currency",
            "country",
            "jurisdiction",
            "created_at",
        ]
        with transaction.atomic():
            ids = allocate_ids(Creditor, count)
            assert ids == list(range(ids[0], ids[0] + count))
            bulk_insert(
                "parties_creditor",
                columns,
                [(pk, f"r{pk}", "R", "other", "third_party", "USD", "US", "", created) for pk in ids],
            )
            other = allocate_ids(Creditor, 2)
            assert not set(other) & set(ids)
        later = Creditor.objects.create(
            code="after",
            name="After",
            industry="other",
            collector_type="third_party",
            default_currency="GBP",
            country="GB",
            created_at=created,
        )
        assert later.pk not in ids

    def test_reserved_keys_do_not_collide_with_ordinary_saves(self) -> None:
        created = datetime(2026, 1, 5, tzinfo=UTC)
        Creditor.objects.create(
            code="first",
            name="First",
            industry="bank_card",
            collector_type="first_party",
            default_currency="USD",
            country="US",
            created_at=created,
        )
        with transaction.atomic():
            ids = allocate_ids(Creditor, 3)
            rows = [(pk, f"c{pk}", f"Creditor {pk}", "utility", "first_party", "AUD", "AU", "", created) for pk in ids]
            written = bulk_insert(
                "parties_creditor",
                [
                    "id",
                    "code",
                    "name",
                    "industry",
                    "collector_type",
                    "default_currency",
                    "country",
                    "jurisdiction",
                    "created_at",
                ],
                rows,
            )
        assert written == 3
        later = Creditor.objects.create(
            code="later",
            name="Later",
            industry="other",
            collector_type="third_party",
            default_currency="GBP",
            country="GB",
            created_at=created,
        )
        assert later.pk not in ids
        assert Creditor.objects.count() == 5
        assert sorted(Creditor.objects.filter(pk__in=ids).values_list("default_currency", flat=True)) == [
            "AUD",
            "AUD",
            "AUD",
        ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="foreign keys are checked row by row only on PostgreSQL")
class TestForeignKeysCheckedAfterLoad:
    def constraint_names(self) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = 'accounts_open_item'::regclass"
            )
            return sorted(row[0] for row in cursor.fetchall())

    def test_a_load_that_breaks_a_foreign_key_is_refused_and_the_constraint_stays(self) -> None:
        before = self.constraint_names()
        created = datetime(2026, 1, 5, tzinfo=UTC)
        with (
            pytest.raises(IntegrityError),
            transaction.atomic(),
            foreign_keys_checked_after_load(["accounts_open_item"]),
        ):
            bulk_insert(
                "accounts_open_item",
                [
                    "id",
                    "account_id",
                    "kind",
                    "reference",
                    "component",
                    "due_date",
                    "original_minor",
                    "balance_minor",
                    "created_at",
                ],
                [(1, 424242, "placement", "", "principal", created.date(), 100, 100, created)],
            )
        assert self.constraint_names() == before
        assert before


@pytest.mark.django_db(transaction=True)
def test_a_large_reservation_after_a_small_one_in_the_same_transaction_does_not_hang() -> None:
    """The range lock would wait for our own transaction; it times out and falls back instead."""
    with transaction.atomic():
        small = allocate_ids(Creditor, 2)
        large = allocate_ids(Creditor, RANGE_RESERVATION_THRESHOLD + 1)
    assert len(set(large)) == RANGE_RESERVATION_THRESHOLD + 1
    if connection.vendor == "postgresql":  # on SQLite keys only count once rows are written
        assert not set(small) & set(large)
