from typing import Any

from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "recoup.compliance"
    label = "compliance"
    verbose_name = "Compliance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from recoup.accounts.signals import charge_requested

        charge_requested.connect(_refuse_charge_if_extinguished, dispatch_uid="recoup.compliance.extinguished")


def _refuse_charge_if_extinguished(sender: Any, account: Any, component: Any, on: Any, **kwargs: Any) -> None:
    """No interest, fee or cost on an extinguished debt (UK-06, AU-05): `post_charge` asks before writing."""
    from recoup.compliance.services import refuse_charge_if_extinguished

    refuse_charge_if_extinguished(account=account, component=component, on=on)
