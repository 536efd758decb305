from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "recoup.workspace"
    label = "workspace"
    verbose_name = "Officer workspace"
    default_auto_field = "django.db.models.BigAutoField"
