"""Set-based writes: COPY on PostgreSQL, batched executemany on SQLite.

Used where thousands to millions of rows are written at once (demo data, imports, the daily run).
Callers allocate primary keys with `allocate_ids` so related rows can be written in the same pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

SQLITE_BATCH = 5_000
SMALL_BATCH = 50


def allocate_ids(model: type[Model], count: int) -> list[int]:
    """Reserve `count` new primary keys for `model` and return them in ascending order.

    Must run inside the transaction that writes the rows. On PostgreSQL the keys come from the
    table's identity sequence, so concurrent writers never collide; on SQLite the write lock taken
    at the start of the transaction (transaction_mode IMMEDIATE) makes max(id) safe to extend.
    """
    if count <= 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
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


def bulk_insert(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert rows (tuples in `columns` order) into `table`; return how many were written.

    PostgreSQL uses COPY, except for a handful of rows where one multi-row INSERT is cheaper;
    SQLite uses executemany in batches.
    """
    quoted = ", ".join(f'"{c}"' for c in columns)
    placeholders = ", ".join("%s" for _ in columns)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if isinstance(rows, list | tuple) and len(rows) <= SMALL_BATCH:
                if rows:
                    values = ", ".join(f"({placeholders})" for _ in rows)
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
        sql = f'INSERT INTO "{table}" ({quoted}) VALUES ({placeholders})'  # noqa: S608
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


def bulk_add(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Add deltas to numeric columns by primary key: each row is (id, delta for each column).

    On PostgreSQL the deltas are copied into a temporary table and applied in one UPDATE ... FROM;
    on SQLite with executemany. Returns the number of rows given.
    """
    rows = list(rows)
    if not rows:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            temp = f"delta_{table}"
            defs = ", ".join(f'"{c}" bigint' for c in columns)
            cursor.execute(f'CREATE TEMP TABLE IF NOT EXISTS "{temp}" (id bigint, {defs}) ON COMMIT DELETE ROWS')
            cursor.execute(f'TRUNCATE "{temp}"')
            quoted = ", ".join(f'"{c}"' for c in columns)
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f'COPY "{temp}" (id, {quoted}) FROM STDIN') as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            sets = ", ".join(f'"{c}" = t."{c}" + d."{c}"' for c in columns)
            cursor.execute(f'UPDATE "{table}" AS t SET {sets} FROM "{temp}" AS d WHERE t.id = d.id')  # noqa: S608
            return len(rows)
        sets = ", ".join(f'"{c}" = "{c}" + %s' for c in columns)
        sql = f'UPDATE "{table}" SET {sets} WHERE id = %s'  # noqa: S608
        cursor.executemany(sql, [(*row[1:], row[0]) for row in rows])
    return len(rows)
