"""What every Django admin page in Recoup shares: each save and delete writes an audit event.

The admin is for administrators' reference data (users, teams, creditors, debtors' names and addresses).
Money, status and anything the compliance gate reads change only through the services, so those
admins mark such fields read-only; what an admin may still change is recorded here with the fields
before and after, in the same transaction as the save.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone

from recoup.audit.events import Event
from recoup.audit.services import record_event


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (date, datetime, Decimal)):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return value


# Recorded as changed, never with their value.
_SECRET_FIELDS = frozenset({"password"})


def _fields_of(obj: models.Model, names: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name in names:
        if name in _SECRET_FIELDS:
            result[name] = "(changed)"
            continue
        try:
            result[name] = _plain(getattr(obj, name))
        except (AttributeError, ValueError):
            continue
    return result


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A ModelAdmin whose every add, change and delete writes `admin.<model>.<added|changed|deleted>`."""

    def account_of(self, obj: Any) -> int | None:
        """The account the row belongs to, so the event shows on that account's timeline."""
        return getattr(obj, "account_id", None)

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool) -> None:
        own = {f.name for f in obj._meta.fields}
        many = {f.name for f in obj._meta.many_to_many}
        changed = [name for name in form.changed_data if name in own]
        changed_many = [name for name in form.changed_data if name in many]
        before: dict[str, Any] | None = None
        if change and obj.pk is not None:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = _fields_of(stored, changed) if stored is not None else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change and not changed and not changed_many:
                return
            after = _fields_of(obj, changed)
            for name in changed_many:
                after[name] = sorted(str(v) for v in form.cleaned_data.get(name) or [])
            record_event(
                event=Event.ADMIN_CHANGED if change else Event.ADMIN_ADDED,
                subject_type=obj._meta.model_name or "",
                subject_id=obj.pk,
                occurred_at=timezone.now(),
                actor=request.user,
                before=before,
                after=after,
                account_id=self.account_of(obj),
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            pk = obj.pk
            snapshot = _fields_of(obj, [f.name for f in obj._meta.fields])
            super().delete_model(request, obj)
            record_event(
                event=Event.ADMIN_DELETED,
                subject_type=obj._meta.model_name or "",
                subject_id=pk,
                occurred_at=timezone.now(),
                actor=request.user,
                before=snapshot,
            )

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)
