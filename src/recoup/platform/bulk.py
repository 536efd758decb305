"""Set-based writes: COPY on PostgreSQL, batched executemany on SQLite.

Used where thousands to millions of rows are written at once (demo data, imports, the daily run).
Callers allocate primary keys with `allocate_ids` so related rows can be written in the same pass.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

SQLITE_BATCH = 5_000
SMALL_BATCH = 50


RANGE_RESERVATION_THRESHOLD = 5_000


def param_marks(count: int) -> str:
    """ "%s, %s, ..." for `count` query parameters (an IN list or a VALUES row)."""
    return ", ".join(["%s"] * count)


def allocate_ids(model: type[Model], count: int) -> list[int]:
    """Reserve `count` new primary keys for `model` and return them in ascending order.

    Must run inside the transaction that writes the rows. On SQLite the write lock taken at the
    start of the transaction (transaction_mode IMMEDIATE) makes max(id) safe to extend. On
    PostgreSQL the keys come from the table's identity sequence, so concurrent writers never
    collide: a few keys one `nextval` each; many keys as one contiguous range, reserved in a short
    transaction of its own (see `_reserve_range`).
    """
    if count <= 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    if connection.vendor == "postgresql" and count >= RANGE_RESERVATION_THRESHOLD:
        start = _reserve_range(table, pk, count)
        if start is not None:
            return list(range(start, start + count))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')  # noqa: S608
        start = int(cursor.fetchone()[0]) + 1
        return list(range(start, start + count))


def _reserve_range(table: str, pk: str, count: int) -> int | None:
    """Take `count` consecutive values from the table's sequence; return the first, or None.

    Runs on a second, autocommit connection so the sequence is locked for milliseconds, not for the
    caller's whole transaction. `ALTER SEQUENCE` blocks every concurrent nextval until that short
    transaction commits, so no other writer can take a value inside the range. If the caller's
    transaction later rolls back, the range is simply unused (sequences have gaps anyway).

    The lock waits for open transactions that already drew from the sequence, including the
    caller's own; after a short lock timeout it gives up and returns None, and the caller draws the
    keys one `nextval` each instead (slower, never stuck).
    """
    import psycopg

    params = connection.get_connection_params()
    try:
        with psycopg.connect(**params, autocommit=True) as side, side.transaction(), side.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '1s'")
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
            sequence = cursor.fetchone()[0]  # type: ignore[index]
            cursor.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY 1")  # takes the lock
            cursor.execute("SELECT nextval(%s)", [sequence])
            first = int(cursor.fetchone()[0])  # type: ignore[index]
            cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    except psycopg.errors.LockNotAvailable:
        return None
    return first


def allocate_ids_for(requests: Sequence[tuple[type[Model], int]]) -> list[list[int]]:
    """Reserve keys for several tables in one round trip; returns one ascending list per request."""
    if connection.vendor != "postgresql" or any(count >= RANGE_RESERVATION_THRESHOLD for _, count in requests):
        return [allocate_ids(model, count) for model, count in requests]
    parts: list[str] = []
    params: list[Any] = []
    for index, (model, count) in enumerate(requests):
        if count > 0:
            parts.append(f"SELECT {index}, nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)")  # noqa: S608
            params += [model._meta.db_table, model._meta.pk.column, count]
    found: list[list[int]] = [[] for _ in requests]
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for index, value in cursor.fetchall():
                found[index].append(value)
    return [sorted(ids) for ids in found]


def bulk_insert(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert rows (tuples in `columns` order) into `table`; return how many were written.

    PostgreSQL uses COPY, except for a handful of rows where one multi-row INSERT is cheaper;
    SQLite uses executemany in batches.
    """
    quoted = ", ".join(f'"{c}"' for c in columns)
    marks = param_marks(len(columns))
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if isinstance(rows, list | tuple) and len(rows) <= SMALL_BATCH:
                if rows:
                    values = ", ".join(f"({marks})" for _ in rows)
                    params = [value for row in rows for value in row]
                    cursor.execute(f'INSERT INTO "{table}" ({quoted}) VALUES {values}', params)  # noqa: S608
                return len(rows)
            raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
            # wrap_database_errors turns psycopg's errors into django.db's (IntegrityError, ...).
            with connection.wrap_database_errors, raw.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
            return written
        sql = f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})'  # noqa: S608
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= SQLITE_BATCH:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


UPDATE_VALUES_LIMIT = 200


def bulk_add(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Add deltas to numeric columns by primary key: each row is (id, delta for each column).

    PostgreSQL: a few rows in one UPDATE ... FROM (VALUES ...); many rows copied into a temporary
    table (dropped at commit) and applied in one UPDATE ... FROM. SQLite: executemany.
    Callers pass rows sorted by id, the lock order.
    """
    rows = list(rows)
    if not rows:
        return 0
    names = ", ".join(f'"{c}"' for c in columns)
    sets = ", ".join(f'"{c}" = t."{c}" + d."{c}"' for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) <= UPDATE_VALUES_LIMIT:
            row_sql = "(" + ", ".join(["%s::bigint"] * (len(columns) + 1)) + ")"
            values = ", ".join([row_sql] * len(rows))
            cursor.execute(
                f'UPDATE "{table}" AS t SET {sets} FROM (VALUES {values}) AS d(id, {names}) '  # noqa: S608
                "WHERE t.id = d.id",
                [value for row in rows for value in row],
            )
            return len(rows)
        if connection.vendor == "postgresql":
            temp = f"delta_{table}"
            definitions = ", ".join(f'"{c}" bigint' for c in columns)
            cursor.execute(f'DROP TABLE IF EXISTS "{temp}"')
            cursor.execute(f'CREATE TEMP TABLE "{temp}" (id bigint, {definitions}) ON COMMIT DROP')
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f'COPY "{temp}" (id, {names}) FROM STDIN') as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f'UPDATE "{table}" AS t SET {sets} FROM "{temp}" AS d WHERE t.id = d.id')  # noqa: S608
            cursor.execute(f'DROP TABLE "{temp}"')
            return len(rows)
        plain_sets = ", ".join(f'"{c}" = "{c}" + %s' for c in columns)
        sql = f'UPDATE "{table}" SET {plain_sets} WHERE id = %s'  # noqa: S608
        cursor.executemany(sql, [(*row[1:], row[0]) for row in rows])
    return len(rows)


@contextlib.contextmanager
def foreign_keys_checked_after_load(tables: Sequence[str]) -> Iterator[None]:
    """Check the tables' foreign keys once, set-based, after a bulk load instead of row by row.

    PostgreSQL checks a foreign key with one lookup per inserted row, which dominates loading
    millions of rows. Inside the caller's transaction this drops the tables' foreign-key
    constraints, lets the load run, then adds them back and validates each with a single join
    (PostgreSQL's advice for populating a database). If anything fails the transaction rolls back
    and the constraints are as they were. The tables are locked against other sessions until
    commit, so this is for loading an installation (demo data, benchmarks), not for live traffic.
    On SQLite it does nothing.
    """
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("foreign_keys_checked_after_load must run inside transaction.atomic()")
    # Rows written earlier in this transaction leave deferred checks pending, and PostgreSQL will not
    # alter a table with pending trigger events: run those checks now.
    connection.check_constraints()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
            [list(tables)],
        )
        constraints = cursor.fetchall()
        for table, name, _ in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    yield
    with connection.cursor() as cursor:
        for table, name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition} NOT VALID')
            cursor.execute(f'ALTER TABLE {table} VALIDATE CONSTRAINT "{name}"')
