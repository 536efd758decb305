from django.apps import AppConfig


class StrategiesConfig(AppConfig):
    name = "recoup.strategies"
    label = "strategies"
    verbose_name = "Strategies and the daily run"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from recoup.platform.jobs import register_task
        from recoup.strategies.run import RUN_TASK, run_task

        register_task(RUN_TASK, run_task)
