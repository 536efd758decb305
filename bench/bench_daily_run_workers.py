"""The daily run on 1, 2 and 4 Celery worker processes (Redis broker) against the run in one process,
on the same portfolio: the time of each, and whether each gives exactly the in-process actions.

    python bench/bench_daily_run_workers.py --accounts 200000 --workers 1 2 4

PostgreSQL only (the workers are separate processes on a shared database). Each run (in one process,
then on 1, 2 and 4 workers) gets its own copy of the freshly loaded database (CREATE DATABASE ...
TEMPLATE), so each is the same first day on the same state. Worker processes are started with the same
environment as this script and killed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from bench_daily_run import BENCH_STRATEGY, vacuum_analyze
from ledger_portfolio import NOW, PG_ADMIN, fresh_database, make_portfolio

CELERY = str(Path(sys.executable).with_name("celery"))


def outcome() -> list[tuple[object, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.account_id, a.step_key, a.kind, a.state, a.rule, s.segment, s.path FROM strategies_action a "
            "JOIN strategies_assignment s ON s.id = a.assignment_id ORDER BY a.account_id, a.step_key"
        )
        return list(cursor.fetchall())


@contextlib.contextmanager
def copy_of(template: str) -> Iterator[str]:
    """A new database copied from `template` (the loaded portfolio), which this process and the workers
    use until it is dropped: every configuration starts from the same freshly loaded state."""
    from django.db import connections

    connections.close_all()
    name = f"{template}_c{random.randint(0, 10**6)}"
    subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {name} TEMPLATE {template}"], check=True)
    connections["default"].settings_dict["NAME"] = name
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        connections.close_all()
        connections["default"].settings_dict["NAME"] = template
        subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=25_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    broker = f"redis://127.0.0.1:6379/{random.randint(8, 15)}"
    rows: list[tuple[str, float, str]] = []
    with fresh_database("postgresql"):
        from django.conf import settings

        from recoup.communications.starter import create_starter_templates
        from recoup.strategies.fanout import chunk_workers, run_on_workers
        from recoup.strategies.services import publish, run_daily, save_draft

        make_portfolio(accounts=args.accounts, items_per_account=3)
        create_starter_templates(now=NOW)
        publish(version=save_draft(definition=BENCH_STRATEGY, note="bench", now=NOW, actor=None), now=NOW, actor=None)
        vacuum_analyze()
        from django.db import connections

        template = connections["default"].settings_dict["NAME"]
        with copy_of(template):
            started = time.perf_counter()
            first = run_daily(as_of=NOW.date(), now=NOW, chunk=args.chunk)
            one_process = time.perf_counter() - started
            expected = outcome()
        stages = ", ".join(f"{stage['name']} {stage['seconds']:.1f}" for stage in first.stages)
        rows.append(("in one process", one_process, f"{len(expected):,} actions; {stages}"))
        print(f"in one process: {one_process:.1f} s", file=sys.stderr)
        settings.CELERY_BROKER_URL = broker
        from recoup.platform.celery_app import app

        app.conf.broker_url = broker
        for count in args.workers:
            with copy_of(template) as url:
                env = {**os.environ, "CELERY_BROKER_URL": broker, "DATABASE_URL": url}
                worker = subprocess.Popen(
                    [CELERY, "-A", "recoup.platform.celery_app", "worker", "--concurrency", str(count), "--pool",
                     "prefork", "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
                    env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                )  # fmt: skip
                try:
                    time.sleep(3)  # the worker connects to the broker
                    started = time.perf_counter()
                    run = run_on_workers(as_of=NOW.date(), now=NOW, chunk=args.chunk)
                    seconds = time.perf_counter() - started
                finally:
                    os.killpg(worker.pid, signal.SIGKILL)
                    worker.wait()
                same = outcome() == expected
                by = chunk_workers(run)
            stages = ", ".join(f"{stage['name']} {stage['seconds']:.1f}" for stage in run.stages)
            note = f"same actions as one process: {'yes' if same else 'NO'}; ranges by {len(by)} processes; {stages}"
            rows.append((f"{count} worker process{'es' if count > 1 else ''} (+ the coordinator)", seconds, note))
            print(f"{count} workers: {seconds:.1f} s, {note}", file=sys.stderr)
    print(f"\nPostgreSQL, {args.accounts:,} accounts, ranges of {args.chunk:,}, broker {broker}")
    print(f"{'Run':<42} {'Seconds':>8}  Notes")
    for what, seconds, note in rows:
        print(f"{what:<42} {seconds:8.1f}  {note}")


if __name__ == "__main__":
    main()
