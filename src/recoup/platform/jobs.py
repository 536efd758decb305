"""Start background work after the current transaction commits.

Services call `enqueue_on_commit("recoup.some_task", **kwargs)`. With CELERY_BROKER_URL set the task is
sent to Celery by name; without it the registered function runs in-process after commit, so the
embedded default needs nothing else. Domain apps never import `recoup.jobs` (that would run upward).
"""

from __future__ import annotations

import logging
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


def enqueue_on_commit(task_name: str, **kwargs: Any) -> None:
    """Send (or run) the named task once the surrounding transaction has committed."""
    transaction.on_commit(lambda: _dispatch(task_name, kwargs))
