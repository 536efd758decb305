"""Start background work after the current transaction commits.

Services call `enqueue_on_commit("recoup.some_task", **kwargs)`. With CELERY_BROKER_URL set the task is
sent to Celery by name; without it the registered function runs in-process after commit, so the
embedded default needs nothing else. Domain apps never import `recoup.jobs` (that would run upward).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

_IN_PROCESS: dict[str, Callable[..., Any]] = {}


class UnableToEnqueue(Exception):
    """No task of that name is known to run in-process."""


def register_task(name: str, func: Callable[..., Any]) -> None:
    """Make `func` runnable by name when no broker is configured (called by recoup.jobs)."""
    _IN_PROCESS[name] = func


def _dispatch(task_name: str, kwargs: dict[str, Any]) -> None:
    if settings.CELERY_BROKER_URL:
        from recoup.platform.celery_app import app

        app.send_task(task_name, kwargs=kwargs)
        return
    try:
        func = _IN_PROCESS[task_name]
    except KeyError:
        raise UnableToEnqueue(f"no task named {task_name!r} is registered") from None
    logger.info("running task in-process", extra={"task": task_name})
    func(**kwargs)


def start_in_background(task_name: str, **kwargs: Any) -> None:
    """Start the named task now without waiting for it: on a Celery worker when a broker is set,
    else in a thread of this process (the embedded default), which closes its database connection
    when done. For long work a person watches, such as an import with a progress bar."""
    if settings.CELERY_BROKER_URL:
        _dispatch(task_name, kwargs)
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


def enqueue_on_commit(task_name: str, **kwargs: Any) -> None:
    """Send (or run) the named task once the surrounding transaction has committed."""
    transaction.on_commit(lambda: _dispatch(task_name, kwargs))
