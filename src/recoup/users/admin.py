"""Staff users and teams in the Django admin, for administrators.

Only a superuser sees or grants superuser status and per-user permissions: an administrator gives
people a role (a group), and may not edit a superuser's record (their password included). Every save
is audited, with a changed password recorded as changed and never its hash.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils import timezone

from recoup.audit.admin_mixins import AuditedAdmin
from recoup.audit.events import Event
from recoup.audit.services import record_event
from recoup.users.models import Team, User

_SUPERUSER_ONLY_FIELDS = ("is_superuser", "user_permissions")


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "first_name", "last_name", "email", "team", "is_active")
    list_filter = ("groups", "team", "is_active")
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("Team", {"fields": ("team",)}))

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if getattr(request.user, "is_superuser", False):
            return fieldsets
        return tuple(
            (name, {**options, "fields": tuple(f for f in options["fields"] if f not in _SUPERUSER_ONLY_FIELDS)})
            for name, options in fieldsets
        )

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            if user is not None:
                record_event(
                    event=Event.USER_PASSWORD_CHANGED,
                    subject_id=user.pk,
                    occurred_at=timezone.now(),
                    actor=request.user,
                    after={"password": "(changed)"},
                )
        return response

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not getattr(request.user, "is_superuser", False):
            return False
        return bool(super().has_change_permission(request, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not getattr(request.user, "is_superuser", False):
            return False
        return bool(super().has_delete_permission(request, obj))


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ("name", "lead")
    search_fields = ("name",)
