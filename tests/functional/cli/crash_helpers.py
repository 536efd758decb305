"""Shared by the SIGKILL import tests: a database of the test's own (PostgreSQL when the suite runs on
it, else a SQLite file), `recoup` run as a real subprocess and killed when it prints a given line, the
whole database as sorted rows to compare, and a copy of the database to import into cleanly."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

RECOUP = str(Path(sys.executable).with_name("recoup"))
CLEAN_SUFFIX = "_clean"
RUN_TIME = "<set by the run>"

Dump = dict[str, list[tuple[Any, ...]]]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    """A database of the test's own: PostgreSQL when the suite runs on it, else a SQLite file.

    `clean_copy` of it is dropped with it."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'crash.sqlite3'}"
        return
    admin = url.rsplit("/", 1)[0] + "/postgres"
    name = f"recoup_crash_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            connection.execute(f"DROP DATABASE IF EXISTS {name}{CLEAN_SUFFIX} WITH (FORCE)")


def recoup_env(database: str, data_dir: Path) -> dict[str, str]:
    """The environment for `recoup` subprocesses on `database`: nothing of the test process's own settings."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "RECOUP_", "DJANGO_"))}
    return {**clean, "DATABASE_URL": database, "RECOUP_DATA_DIR": str(data_dir)}


def recoup(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run `recoup ARGS` to completion; fails the test with its output if it fails."""
    done = subprocess.run([RECOUP, *args], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"recoup {' '.join(args)}: {done.stdout}{done.stderr}"
    return done


def kill_when(env: dict[str, str], args: list[str], marker: str) -> None:
    """Start `recoup ARGS` and SIGKILL it as soon as a line of its stderr contains `marker`."""
    process = subprocess.Popen([RECOUP, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    seen: list[str] = []
    for line in process.stderr:
        seen.append(line)
        if marker in line:  # what comes before it has been written, inside the import's transaction
            os.kill(process.pid, signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, f"never saw {marker!r}; it ended with: {''.join(seen)[-2000:]}"


def _tables(connection: Any, postgres: bool) -> list[str]:
    if postgres:
        sql = (
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    return [row[0] for row in connection.execute(sql).fetchall()]


def _timestamp_columns(connection: Any, postgres: bool, table: str) -> set[int]:
    """Positions (in SELECT * order) of the table's date-time columns."""
    if postgres:
        rows = connection.execute(
            "SELECT ordinal_position, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = %s",
            [table],
        ).fetchall()
        return {int(position) - 1 for position, kind in rows if str(kind).startswith("timestamp")}
    rows = connection.execute(f'PRAGMA table_info("{table}")').fetchall()
    return {int(row[0]) for row in rows if str(row[2]).lower() in {"datetime", "timestamp"}}


def dump(url: str, *, run_since: datetime | None = None) -> Dump:
    """Every row of every table, sorted: the database's whole content (sequences aside).

    With `run_since`, a date-time at or after it is replaced by a marker: it is when an import ran
    (its `now`), which two runs of the same import cannot share.
    """
    postgres = not url.startswith("sqlite")
    connection: Any = psycopg.connect(url) if postgres else sqlite3.connect(url.removeprefix("sqlite:///"))
    since: Any = run_since
    if run_since is not None and not postgres:
        since = run_since.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")  # Django's SQLite text form, in UTC
    try:
        content: Dump = {}
        for table in _tables(connection, postgres):
            rows = connection.execute(f'SELECT * FROM "{table}"').fetchall()  # noqa: S608  (names from the schema)
            masked = _timestamp_columns(connection, postgres, table) if run_since is not None else set()
            if masked:
                rows = [
                    tuple(
                        RUN_TIME if i in masked and value is not None and value >= since else value
                        for i, value in enumerate(row)
                    )
                    for row in rows
                ]
            content[table] = sorted((tuple(row) for row in rows), key=repr)
        return content
    finally:
        connection.close()


def differences(first: Dump, second: Dump, limit: int = 5) -> dict[str, Any]:
    """What differs between two dumps, table by table (a few rows each): for a readable failure."""
    found: dict[str, Any] = {}
    for table in sorted(set(first) | set(second)):
        a, b = first.get(table, []), second.get(table, [])
        if a != b:
            only_a, only_b = Counter(a), Counter(b)
            only_a.subtract(b)
            only_b.subtract(a)
            found[table] = {
                "rows": (len(a), len(b)),
                "only_first": sorted((row for row, n in only_a.items() if n > 0), key=repr)[:limit],
                "only_second": sorted((row for row, n in only_b.items() if n > 0), key=repr)[:limit],
            }
    return found


def clean_copy(url: str) -> str:
    """A copy of the database as it is now (nothing may be connected to it): the same start for a clean run."""
    if url.startswith("sqlite"):
        source = Path(url.removeprefix("sqlite:///"))
        target = source.with_name(source.stem + CLEAN_SUFFIX + source.suffix)
        with closing(sqlite3.connect(source)) as original, closing(sqlite3.connect(target)) as copy:
            original.backup(copy)  # consistent whatever the journal mode
        return f"sqlite:///{target}"
    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}{CLEAN_SUFFIX} TEMPLATE {name}")
    return f"{base}/{name}{CLEAN_SUFFIX}"


def align_sequences(source: str, target: str) -> None:
    """PostgreSQL: set the target's id sequences where the source's are (call it between the kill and
    the rerun). A rolled-back transaction does not give back the ids it drew, so after it the same rows
    get other ids unless the clean copy starts counting where the killed run left off. (SQLite's
    counters roll back with the rest.)"""
    if source.startswith("sqlite"):
        return
    with psycopg.connect(source) as connection:
        positions = connection.execute(
            "SELECT schemaname, sequencename, last_value FROM pg_sequences WHERE last_value IS NOT NULL"
        ).fetchall()
    with psycopg.connect(target, autocommit=True) as connection:
        for schema, sequence, last_value in positions:
            connection.execute("SELECT setval(%s, %s)", [f'"{schema}"."{sequence}"', last_value])
