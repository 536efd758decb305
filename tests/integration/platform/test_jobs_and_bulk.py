"""Background work starts by name; bulk writes reserve keys and write every row."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from factories import AccountFactory
from ledger_helpers import owing
from recoup.parties.models import Creditor
from recoup.platform.bulk import (
    RANGE_RESERVATION_THRESHOLD,
    BulkWrite,
    allocate_ids,
    bulk_insert,
    copy_text,
    copy_text_into,
    foreign_keys_checked_after_load,
    foreign_keys_checked_per_statement,
    produced_in_background,
)
from recoup.platform.jobs import UnableToEnqueue, register_task, start_in_background


class TestStartInBackground:
    def test_without_a_broker_the_registered_function_runs_in_a_thread_of_this_process(self, settings: Any) -> None:
        settings.CELERY_BROKER_URL = None
        ran: list[tuple[int, str]] = []
        done = threading.Event()

        def record(*, value: int) -> None:
            ran.append((value, threading.current_thread().name))
            done.set()

        register_task("tests.record", record)
        start_in_background("tests.record", value=1)
        assert done.wait(timeout=10)
        assert ran == [(1, "recoup-task-tests.record")]

    def test_an_unknown_task_name_is_an_error_not_silence(self, settings: Any) -> None:
        settings.CELERY_BROKER_URL = None
        with pytest.raises(UnableToEnqueue, match="no task named 'tests.absent'"):
            start_in_background("tests.absent")


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


CREDITOR_COLUMNS = [
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


@pytest.mark.django_db(transaction=True)
class TestBulkWrite:
    def test_inserts_and_additions_land_together(self) -> None:
        created = datetime(2026, 1, 5, tzinfo=UTC)
        with transaction.atomic():
            ids = allocate_ids(Creditor, 2)
            write = BulkWrite()
            write.insert(
                "parties_creditor",
                CREDITOR_COLUMNS,
                [(pk, f"w{pk}", f"Written {pk}", "utility", "first_party", "EUR", "IE", "", created) for pk in ids],
            )
            write.execute()
        account = owing(AccountFactory(creditor=Creditor.objects.get(pk=ids[0])), principal="10.00")
        item = account.open_items.get()
        with transaction.atomic():
            write = BulkWrite()
            write.add("accounts_open_item", ["balance_minor"], [(item.pk, -250)])
            write.add(
                "accounts_account",
                ["principal_minor"],
                [(account.pk, -250, date(2026, 2, 1))],
                assign={"oldest_unpaid_due_date": "date"},
            )
            write.execute()
        item.refresh_from_db()
        account.refresh_from_db()
        assert item.balance_minor == 750
        assert (account.principal_minor, account.oldest_unpaid_due_date) == (750, date(2026, 2, 1))
        assert set(Creditor.objects.filter(pk__in=ids).values_list("code", flat=True)) == {f"w{pk}" for pk in ids}


class TestCopyText:
    def test_escapes_what_copy_would_misread_and_marks_null(self) -> None:
        at = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
        text = copy_text(
            [(1, "tab\there", None, date(2026, 1, 5), at, True), (2, "back\\slash\nnew\rline", "", 0, 0, 0)]
        )
        assert text == (
            "1\ttab\\there\t\\N\t2026-01-05\t2026-01-05T09:30:00+00:00\tt\n2\tback\\\\slash\\nnew\\rline\t\t0\t0\t0\n"
        )

    def test_refuses_values_it_would_have_to_guess_at(self) -> None:
        with pytest.raises(TypeError, match="cannot copy a datetime"):
            copy_text([(datetime(2026, 1, 5, 9, 30),)])  # no time zone  # noqa: DTZ001
        with pytest.raises(TypeError, match="cannot copy a float"):
            copy_text([(0.1,)])


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY text is PostgreSQL's format")
def test_copy_text_reads_back_exactly_what_was_written() -> None:
    created = datetime(2026, 1, 5, tzinfo=UTC)
    awkward = "Tab\there, back\\slash,\nnewline and \\N"
    with transaction.atomic():
        ids = allocate_ids(Creditor, 2)
        rows = [(ids[0], "odd", awkward, "utility", "first_party", "EUR", "IE", "", created)]
        rows.append((ids[1], "plain", "Plain", "utility", "first_party", "EUR", "IE", "", created))
        copy_text_into("parties_creditor", CREDITOR_COLUMNS, copy_text(rows))
    assert Creditor.objects.get(pk=ids[0]).name == awkward
    assert Creditor.objects.get(pk=ids[1]).jurisdiction == ""


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="deferred foreign keys are a PostgreSQL feature here")
def test_foreign_keys_checked_per_statement_refuse_the_statement_itself() -> None:
    created = datetime(2026, 1, 5, tzinfo=UTC)
    row = (1, 424242, "placement", "", "principal", created.date(), 100, 100, created)
    columns = ["id", "account_id", "kind", "reference", "component", "due_date", "original_minor", "balance_minor"]
    with pytest.raises(IntegrityError), transaction.atomic(), foreign_keys_checked_per_statement():
        copy_text_into("accounts_open_item", [*columns, "created_at"], copy_text([row]))
        pytest.fail("the COPY itself should have been refused")


class TestProducedInBackground:
    def test_yields_every_item_transformed_in_order(self) -> None:
        assert list(produced_in_background(iter(range(50)), lambda n: n * n, ahead=3)) == [n * n for n in range(50)]

    def test_an_error_in_the_producer_is_raised_to_the_consumer(self) -> None:
        def items() -> Iterator[int]:
            yield 1
            raise ValueError("row 2: amount: not a number")

        seen: list[int] = []
        with pytest.raises(ValueError, match="row 2: amount"):
            for value in produced_in_background(items(), lambda n: n):
                seen.append(value)
        assert seen == [1]

    def test_a_consumer_that_stops_early_stops_the_producer(self) -> None:
        made: list[int] = []

        def items() -> Iterator[int]:
            for n in range(1_000):
                made.append(n)
                yield n

        for value in produced_in_background(items(), lambda n: n, ahead=1):
            if value == 2:
                break
        assert len(made) < 10
        assert not [t for t in threading.enumerate() if t.name == "recoup-bulk-producer"]
