"""The Django project: settings, URL root, WSGI and Celery entry points."""
