"""Start named background work: on a Celery worker when a broker is set, else in a thread of this process.

Apps that have background work register each task function by name when Django starts (in their
`AppConfig.ready`: `recoup.imports` registers `recoup.imports.run_upload`, `recoup.strategies`
registers `recoup.strategies.run_daily`) and declare the same names as Celery tasks in their `tasks`
module. Callers then start the work by name with `start_in_background`, so nothing here imports an
app: with CELERY_BROKER_URL set the task is sent to Celery by name, without it the registered function
runs in a thread, so the embedded default needs nothing else.

Nothing here waits for a transaction to commit: start work only once what it reads is committed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

_IN_PROCESS: dict[str, Callable[..., Any]] = {}


class UnableToEnqueue(Exception):
    """No task of that name is known to run in-process."""


def register_task(name: str, func: Callable[..., Any]) -> None:
    """Make `func` runnable by name when no broker is configured (called from the apps' `ready`)."""
    _IN_PROCESS[name] = func


def start_in_background(task_name: str, **kwargs: Any) -> None:
    """Start the named task now without waiting for it: on a Celery worker when a broker is set,
    else in a thread of this process (the embedded default), which closes its database connection
    when done. For long work a person watches, such as an import with a progress bar."""
    if settings.CELERY_BROKER_URL:
        from recoup.platform.celery_app import app

        app.send_task(task_name, kwargs=kwargs)
        return
    try:
        func = _IN_PROCESS[task_name]
    except KeyError:
        raise UnableToEnqueue(f"no task named {task_name!r} is registered") from None

    def run() -> None:
        from django.db import connections

        try:
            func(**kwargs)
        except Exception:
            logger.exception("background task failed", extra={"task": task_name})
        finally:
            connections.close_all()

    threading.Thread(target=run, name=f"recoup-task-{task_name}", daemon=True).start()
