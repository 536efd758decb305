"""What `recoup serve` sets up besides the web server, so that a fresh install works out of the box.

- Links in messages (unsubscribe) point at this server when RECOUP_PUBLIC_URL is not set.
- On a demo database with no collector identity set, letters come from a fictitious demo collector.
- Without a Celery broker there is no worker or beat: a thread in the server does their work every
  minute (sends what is due in the outbox, starts the daily run on its schedule).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

# Who the demo's letters are from when the operator has not said: a fictitious firm, like the demo's debtors.
DEMO_COLLECTOR = ("Recoup Demo Collections", "PO Box 2026|Springfield IL 62701|United States")

log = logging.getLogger("recoup.clock")


def prepare_to_serve(settings: Any, *, host: str, port: int, environ: Mapping[str, str], demo: bool) -> list[str]:
    """Fill in what a fresh install has not set; the lines say what was chosen (printed at start-up)."""
    lines = []
    if not environ.get("RECOUP_PUBLIC_URL", "").strip():
        settings.PUBLIC_URL = f"http://{host}:{port}"
    if demo and not settings.COLLECTOR_NAME and not settings.COLLECTOR_ADDRESS:
        settings.COLLECTOR_NAME, settings.COLLECTOR_ADDRESS = DEMO_COLLECTOR
        lines.append(
            f"Letters are sent from the demo collector, {DEMO_COLLECTOR[0]} "
            "(set RECOUP_COLLECTOR_NAME and RECOUP_COLLECTOR_ADDRESS for your own)."
        )
    if not settings.CELERY_BROKER_URL:
        lines.append(
            "No Celery broker is set, so this server itself sends the outbox every minute "
            f"({mail_destination(settings)}) and starts the daily run on its schedule."
        )
    lines.append(f"Links in messages point at {settings.PUBLIC_URL} (RECOUP_PUBLIC_URL).")
    return lines


def mail_destination(settings: Any) -> str:
    if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        return f"email is written to files in {settings.EMAIL_FILE_PATH}, as no mail server is set"
    return f"email goes to {settings.EMAIL_HOST}:{settings.EMAIL_PORT}"


def clock_minute(now: datetime) -> dict[str, str]:
    """One minute of the embedded clock: the daily run if its schedule says so, then the outbox.
    A job that fails is logged and the next one still runs; returns what each job did."""
    from recoup.communications.services import deliver_due
    from recoup.strategies.services import schedule_tick

    jobs: dict[str, Callable[[], object]] = {
        "daily run": lambda: schedule_tick(now=now),
        "outbox": lambda: deliver_due(now=now),
    }
    done: dict[str, str] = {}
    for name, job in jobs.items():
        try:
            done[name] = repr(job())
        except Exception:  # one failed minute must not stop the clock; the log has the traceback
            log.exception("the embedded clock's %s failed; it runs again in a minute", name)
            done[name] = "failed"
    return done


def start_embedded_clock() -> None:
    """Start the thread that runs `clock_minute` now and every minute after, for as long as the server runs."""
    from django.db import connections
    from django.utils import timezone

    from recoup.platform.embedded import EmbeddedClock

    def tick() -> None:
        while True:
            clock_minute(timezone.now())
            # The thread's connections are its own: close them between minutes, so a broken one is not reused.
            connections.close_all()
            time.sleep(60)

    threading.Thread(target=tick, name="recoup-clock", daemon=True).start()
    EmbeddedClock.started_at = timezone.now()
