from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from recoup.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ("occurred_at", "name", "actor_label", "subject_type", "subject_id")
    list_filter = ("name", "subject_type")
    search_fields = ("name", "actor_label")
    ordering = ("-occurred_at", "-id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
