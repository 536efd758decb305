from django.apps import AppConfig


class CommunicationsConfig(AppConfig):
    name = "recoup.communications"
    label = "communications"
    verbose_name = "Communications"
    default_auto_field = "django.db.models.BigAutoField"
