"""Set-based writes: COPY on PostgreSQL, batched executemany on SQLite.

Used where thousands to millions of rows are written at once (demo data, imports, the daily run).
Callers allocate primary keys with `allocate_ids` so related rows can be written in the same pass.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model

SQLITE_BATCH = 5_000
SMALL_BATCH = 50


RANGE_RESERVATION_THRESHOLD = 5_000


def param_marks(count: int) -> str:
    """ "%s, %s, ..." for `count` query parameters (an IN list or a VALUES row)."""
    return ", ".join(["%s"] * count)


def in_values(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """A WHERE condition "column is one of values", and its parameters.

    PostgreSQL takes the values as one array parameter (`= ANY(%s)`): the statement stays short and
    the driver does not have to scan thousands of parameter markers. SQLite gets an IN list; keep the
    values to a few thousand per statement there.
    """
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({param_marks(len(values))})", list(values)


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
    if not ids_in_one_statement(requests):
        return [allocate_ids(model, count) for model, count in requests]
    sql, params = ids_statement(requests)
    if not sql:
        return [[] for _ in requests]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return ids_from_rows(requests, cursor.fetchall())


def ids_in_one_statement(requests: Sequence[tuple[type[Model], int]]) -> bool:
    """Whether ids_statement can reserve these keys (PostgreSQL, none of them a large range)."""
    return connection.vendor == "postgresql" and all(count < RANGE_RESERVATION_THRESHOLD for _, count in requests)


def ids_statement(requests: Sequence[tuple[type[Model], int]]) -> tuple[str, list[Any]]:
    """PostgreSQL: one SELECT drawing the keys for each (model, count); read it with ids_from_rows.

    For callers that send it in the same round trip as other statements (see ids_in_one_statement).
    """
    parts: list[str] = []
    params: list[Any] = []
    for index, (model, count) in enumerate(requests):
        if count > 0:
            parts.append(f"SELECT {index}, nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)")  # noqa: S608
            params += [model._meta.db_table, model._meta.pk.column, count]
    return " UNION ALL ".join(parts), params


def ids_from_rows(requests: Sequence[tuple[type[Model], int]], rows: Iterable[Sequence[Any]]) -> list[list[int]]:
    found: list[list[int]] = [[] for _ in requests]
    for index, value in rows:
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
                    cursor.execute(*_insert_statement(table, columns, rows))
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


def _copy_cell(value: Any) -> str:
    if value is None:
        return "\\N"
    if type(value) is str:
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    if type(value) is datetime and value.tzinfo is not None:
        return value.isoformat()
    if type(value) is bool:
        return "t" if value else "f"
    if type(value) is int or type(value) is date:
        return str(value)
    raise TypeError(f"cannot copy a {type(value).__name__} value: {value!r}")


def copy_text(rows: Iterable[Sequence[Any]]) -> str:
    """Rows in PostgreSQL's COPY text format (tab-separated, \\N for NULL, backslash escapes).

    For rows of ints, strings, dates, aware datetimes, booleans and None, the types the ledger
    writes; anything else is refused rather than guessed at. Pure Python, so it can run in a
    background thread (see produced_in_background); psycopg's own row formatting needs the connection.
    """
    return "".join("\t".join(map(_copy_cell, row)) + "\n" for row in rows)


def copy_text_into(table: str, columns: Sequence[str], text: str) -> None:
    """PostgreSQL: COPY text made by copy_text into `table`."""
    if not text:
        return
    quoted = ", ".join(f'"{c}"' for c in columns)
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy,
    ):
        copy.write(text)


@contextlib.contextmanager
def foreign_keys_checked_per_statement() -> Iterator[None]:
    """PostgreSQL: check deferred foreign keys at the end of each statement inside the block.

    Django declares foreign keys DEFERRABLE INITIALLY DEFERRED, so a large write normally checks
    them all at commit, with nothing else to do meanwhile. Checked per statement, the checks of one
    COPY run while a background thread prepares the next. Every row is checked either way; pending
    checks from before the block run when it starts. On SQLite it does nothing.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    # Only on success: after an error the transaction is aborted and will roll back, which ends the
    # setting anyway (it lasts for the transaction).
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


Item = TypeVar("Item")
Result = TypeVar("Result")


def produced_in_background(
    items: Iterator[Item], transform: Callable[[Item], Result], *, ahead: int = 2
) -> Iterator[Result]:
    """Yield transform(item) for each item, computed by a background thread up to `ahead` items early.

    For pipelines where this thread waits on the database while the next piece is prepared in pure
    Python (the database driver releases the GIL while it waits). The producer must not touch the
    database connection. An error in the producer is raised here; if the consumer stops early, the
    producer is told to stop and is joined.
    """
    handoff: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def put(message: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                handoff.put(message, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(("item", transform(item))):
                    return
            put(("done", None))
        except BaseException as exc:  # handed to the consumer, which raises it
            put(("error", exc))

    worker = threading.Thread(target=produce, name="recoup-bulk-producer", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = handoff.get()
            if kind == "done":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        worker.join()


UPDATE_VALUES_LIMIT = 200


def _add_parts(columns: Sequence[str], assign: Mapping[str, str]) -> tuple[str, str, list[str]]:
    """Column list, SET clause and SQL types (id first) of an additive update."""
    everything = [*columns, *assign]
    names = ", ".join(f'"{c}"' for c in everything)
    sets = ", ".join(
        [f'"{c}" = t."{c}" + d."{c}"' for c in columns] + [f'"{c}" = d."{c}"' for c in assign],
    )
    return names, sets, ["bigint"] * (len(columns) + 1) + list(assign.values())


def bulk_add(
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    assign: Mapping[str, str] | None = None,
) -> int:
    """Add deltas to numeric columns by primary key: each row is (id, delta for each column).

    `assign` names further columns (with their SQL types) that are set to a value rather than added
    to; their values follow the deltas in each row. PostgreSQL: a few rows in one
    UPDATE ... FROM (VALUES ...); many rows copied into a temporary table (dropped at commit) and
    applied in one UPDATE ... FROM. SQLite: executemany. Callers pass rows sorted by id, the lock order.
    """
    rows = list(rows)
    if not rows:
        return 0
    assign = assign or {}
    names, sets, types = _add_parts(columns, assign)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) <= UPDATE_VALUES_LIMIT:
            sql, params = _add_statement(table, columns, rows, assign)
            cursor.execute(sql, params)
            return len(rows)
        if connection.vendor == "postgresql":
            temp = f"delta_{table}"
            definitions = ", ".join(f'"{c}" {t}' for c, t in zip(["id", *columns, *assign], types, strict=True))
            cursor.execute(f'DROP TABLE IF EXISTS "{temp}"')
            cursor.execute(f'CREATE TEMP TABLE "{temp}" ({definitions}) ON COMMIT DROP')
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f'COPY "{temp}" (id, {names}) FROM STDIN') as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f'UPDATE "{table}" AS t SET {sets} FROM "{temp}" AS d WHERE t.id = d.id')  # noqa: S608
            cursor.execute(f'DROP TABLE "{temp}"')
            return len(rows)
        plain_sets = ", ".join([f'"{c}" = "{c}" + %s' for c in columns] + [f'"{c}" = %s' for c in assign])
        sql = f'UPDATE "{table}" SET {plain_sets} WHERE id = %s'  # noqa: S608
        cursor.executemany(sql, [(*row[1:], row[0]) for row in rows])
    return len(rows)


def _add_statement(
    table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], assign: Mapping[str, str]
) -> tuple[str, list[Any]]:
    """PostgreSQL: one UPDATE ... FROM (VALUES ...) adding the deltas in `rows` (see bulk_add)."""
    names, sets, types = _add_parts(columns, assign)
    row_sql = "(" + ", ".join(f"%s::{t}" for t in types) + ")"
    values = ", ".join([row_sql] * len(rows))
    sql = f'UPDATE "{table}" AS t SET {sets} FROM (VALUES {values}) AS d(id, {names}) WHERE t.id = d.id'  # noqa: S608
    return sql, [value for row in rows for value in row]


def _insert_statement(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> tuple[str, list[Any]]:
    """One multi-row INSERT ... VALUES for a handful of rows."""
    quoted = ", ".join(f'"{c}"' for c in columns)
    row_sql = f"({param_marks(len(columns))})"
    values = ", ".join([row_sql] * len(rows))
    return f'INSERT INTO "{table}" ({quoted}) VALUES {values}', [v for row in rows for v in row]  # noqa: S608


SMALL_WRITE_ROWS = 200


@dataclass
class _Step:
    table: str
    columns: Sequence[str]
    rows: list[Sequence[Any]]
    assign: Mapping[str, str] | None = None  # None: an insert; a mapping: an additive update


@dataclass
class BulkWrite:
    """Inserts and additive updates collected, then written with as few round trips as possible.

    A small write on PostgreSQL (a payment or two) goes as one statement of data-modifying CTEs, so
    posting one payment costs one round trip to write instead of one per table; anything larger
    goes table by table through bulk_insert (COPY) and bulk_add. The steps run in the order given;
    inside one statement PostgreSQL runs them all on the same snapshot, so an update must not depend
    on a row inserted by the same write (deferred foreign-key checks are fine: they run at commit).
    """

    steps: list[_Step] = field(default_factory=list)

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        self.steps.append(_Step(table, columns, list(rows)))

    def add(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        assign: Mapping[str, str] | None = None,
    ) -> None:
        self.steps.append(_Step(table, columns, list(rows), dict(assign or {})))

    def execute(self) -> None:
        steps = [step for step in self.steps if step.rows]
        self.steps = []
        if connection.vendor == "postgresql" and sum(len(step.rows) for step in steps) <= SMALL_WRITE_ROWS:
            parts: list[str] = []
            params: list[Any] = []
            for number, step in enumerate(steps):
                if step.assign is None:
                    sql, values = _insert_statement(step.table, step.columns, step.rows)
                else:
                    sql, values = _add_statement(step.table, step.columns, step.rows, step.assign)
                parts.append(f"w{number} AS ({sql})")
                params += values
            if parts:
                with connection.cursor() as cursor:
                    cursor.execute("WITH " + ", ".join(parts) + " SELECT 1", params)
            return
        for step in steps:
            if step.assign is None:
                bulk_insert(step.table, step.columns, step.rows)
            else:
                bulk_add(step.table, step.columns, step.rows, assign=step.assign)


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
