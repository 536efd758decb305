"""The Celery application; used only when CELERY_BROKER_URL is set.

Workers start with `celery -A recoup.project.celery worker`. Tasks live in `recoup.jobs`.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recoup.project.settings")

app = Celery("recoup")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_acks_late = True
app.conf.worker_prefetch_multiplier = 1
app.autodiscover_tasks(["recoup.jobs"], related_name="tasks")
