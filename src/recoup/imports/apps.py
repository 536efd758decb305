from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "recoup.imports"
    label = "imports"
    verbose_name = "Imports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from recoup.imports.uploads import TASK, run_upload
        from recoup.platform.jobs import register_task

        register_task(TASK, run_upload)
