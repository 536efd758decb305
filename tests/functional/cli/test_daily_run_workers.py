"""The daily run fanned out over real Celery workers on Redis gives exactly the actions of the run in one
process, even when the worker is killed (SIGKILL) half-way and the run is started again. Real
subprocesses, a real broker, two databases of the test's own built from the same demo seed."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis

RECOUP = str(Path(sys.executable).with_name("recoup"))
CELERY = str(Path(sys.executable).with_name("celery"))
ACCOUNTS = 400
CHUNK = 100


def _query(url: str, sql: str) -> list[tuple[Any, ...]]:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            return list(connection.execute(sql).fetchall())
    with psycopg.connect(url) as connection:
        cursor = connection.execute(sql)
        return [tuple(row) for row in cursor.fetchall()] if cursor.description else []


@pytest.fixture
def databases(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two databases: PostgreSQL ones when the suite runs on it, else SQLite files."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'one.sqlite3'}", f"sqlite:///{tmp_path / 'workers.sqlite3'}"
        return
    admin = url.rsplit("/", 1)[0] + "/postgres"
    names = [f"recoup_run_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    with psycopg.connect(admin, autocommit=True) as connection:
        for name in names:
            connection.execute(f"CREATE DATABASE {name}")
    try:
        yield url.rsplit("/", 1)[0] + "/" + names[0], url.rsplit("/", 1)[0] + "/" + names[1]
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            for name in names:
                connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def broker() -> Iterator[str]:
    """A Redis database of the test's own (flushed before and after)."""
    number = random.randint(8, 15)
    client = redis.Redis(host="127.0.0.1", port=6379, db=number)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
    client.flushdb()
    yield f"redis://127.0.0.1:6379/{number}"
    client.flushdb()


def _env(url: str, data_dir: Path, broker: str = "") -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "RECOUP_", "DJANGO_", "CELERY_"))}
    env = {
        **clean,
        "DATABASE_URL": url,
        "RECOUP_DATA_DIR": str(data_dir),
        "RECOUP_COLLECTOR_NAME": "Summit Recovery Partners",
        "RECOUP_COLLECTOR_ADDRESS": "PO Box 4410|Denver CO 80201",
    }
    if broker:
        env["CELERY_BROKER_URL"] = broker
    return env


def _prepare(url: str, data_dir: Path) -> None:
    data_dir.mkdir()
    env = _env(url, data_dir)
    for args in (["migrate"], ["demo-data", "--accounts", str(ACCOUNTS)]):
        subprocess.run([RECOUP, *args], env=env, check=True, capture_output=True, text=True, timeout=300)


def _worker(env: dict[str, str], name: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [CELERY, "-A", "recoup.platform.celery_app", "worker", "--concurrency", "1", "--pool", "prefork",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel", "WARNING", "-n", f"{name}@%h"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip


def _kill(process: subprocess.Popen[str]) -> None:
    """SIGKILL the process and every child (a Celery worker's pool), as a machine failure would."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def _outcome(url: str) -> dict[str, Any]:
    return {
        "assignments": sorted(
            _query(url, "SELECT account_id, segment, path, slot, started_on FROM strategies_assignment")
        ),
        "actions": sorted(
            _query(url, "SELECT account_id, step_key, kind, state, rule, message_id IS NULL FROM strategies_action")
        ),
        "messages": sorted(_query(url, "SELECT account_id, channel, status, to_address FROM communications_message")),
        "run": _query(url, "SELECT state FROM strategies_run"),
    }


def test_workers_killed_half_way_give_the_same_run_as_one_process(
    databases: tuple[str, str], broker: str, tmp_path: Path
) -> None:
    one, workers = databases
    for url, folder in ((one, "one"), (workers, "workers")):
        _prepare(url, tmp_path / folder)
    as_of = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()  # not today: the run acts at 06:00 UTC
    run = [RECOUP, "run", "--as-of", as_of, "--chunk", str(CHUNK)]

    in_process = subprocess.run(run, env=_env(one, tmp_path / "one"), capture_output=True, text=True, timeout=600)
    assert in_process.returncode == 0, in_process.stderr
    expected = _outcome(one)
    assert expected["run"] == [("finished",)]
    assert len(expected["actions"]) > 50
    assert any(row[5] is False or row[5] == 0 for row in expected["actions"])  # messages were made

    env = _env(workers, tmp_path / "workers", broker)
    first = _worker(env, "first")
    coordinator = subprocess.Popen(run, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            done = _query(
                workers, "SELECT COUNT(*) FROM strategies_run_chunk WHERE stage = 'execute' AND done_at IS NOT NULL"
            )
            if done and done[0][0] >= 1:
                break
            assert coordinator.poll() is None, coordinator.communicate()
            time.sleep(0.05)
        else:
            pytest.fail("the workers did not reach the execute stage")
    finally:
        _kill(first)  # mid-run: some ranges of the last stage done, others not
        coordinator.kill()
        coordinator.wait(timeout=30)
    assert _query(workers, "SELECT state FROM strategies_run") != [("finished",)]

    second = _worker(env, "second")
    try:
        resumed = subprocess.run(run, env=env, capture_output=True, text=True, timeout=600)
    finally:
        _kill(second)
    assert resumed.returncode == 0, resumed.stderr
    assert "finished" in resumed.stdout
    assert _outcome(workers) == expected
    # Ranges were done by the killed worker's process and by the second worker's: the run was shared.
    processes = {
        row[0] for row in _query(workers, "SELECT DISTINCT worker FROM strategies_run_chunk WHERE worker <> ''")
    }
    assert len(processes) >= 2, processes
