from typing import Any

from django.apps import AppConfig


class ArrangementsConfig(AppConfig):
    name = "recoup.arrangements"
    label = "arrangements"
    verbose_name = "Arrangements"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from recoup.accounts.signals import payments_changed

        payments_changed.connect(_monitor_after_payments, dispatch_uid="recoup.arrangements.monitor")


def _monitor_after_payments(sender: Any, account_ids: list[int], now: Any, **kwargs: Any) -> None:
    from recoup.arrangements.services import monitor_after_payments

    monitor_after_payments(account_ids=account_ids, now=now)
