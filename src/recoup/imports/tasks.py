"""Celery tasks of the imports app (found by the worker's autodiscovery; names match recoup.platform.jobs)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from recoup.imports.uploads import TASK, run_upload


@shared_task(name=TASK)
def run_upload_task(**kwargs: Any) -> None:
    run_upload(**kwargs)
