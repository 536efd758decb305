"""The Celery application, used only when CELERY_BROKER_URL is set.

Workers start with `celery -A recoup.platform.celery_app worker`, the schedule below with
`celery -A recoup.platform.celery_app beat`. The tasks live in the `tasks` module of each app that has
background work (`recoup.imports`, `recoup.communications`, `recoup.strategies`), found by autodiscovery.
Besides the beat, code starts them by name: `recoup.platform.jobs.start_in_background` (an upload, the daily run started
from the Strategy page) and `recoup.strategies.fanout` (the ranges of a run spread over workers).
Without a broker none of this runs: `recoup serve` runs the outbox and the run's schedule in a thread
(`recoup.cli.serving.start_embedded_clock`).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recoup.project.settings")

app = Celery("recoup")
app.config_from_object("django.conf:settings", namespace="CELERY")
# A task is acknowledged only after it ran, so a worker that dies mid-task hands it back.
app.conf.task_acks_late = True
app.conf.worker_prefetch_multiplier = 1
# Each app that has background work keeps its Celery tasks in a `tasks` module.
app.autodiscover_tasks(["recoup.imports", "recoup.communications", "recoup.strategies"])
# `celery -A recoup.platform.celery_app beat` runs the outbox every minute (each run sends what is due).
app.conf.beat_schedule = {
    "deliver-messages": {"task": "recoup.communications.deliver", "schedule": 60.0},
    # Starts the daily run when the schedule set on the Strategy page says it is due (idempotent per date).
    "daily-run-schedule": {"task": "recoup.strategies.schedule_tick", "schedule": 300.0},
}
