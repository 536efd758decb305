"""WSGI entry point used by `recoup serve` and by any WSGI server in production."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recoup.project.settings")

application = get_wsgi_application()
