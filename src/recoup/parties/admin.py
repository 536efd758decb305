"""Creditors and debtors in the Django admin.

Administrators keep creditors' reference data and debtors' names and addresses here; each save is
audited. A debtor's contact points carry what the compliance gate decides on (consent, opt-outs,
workplace and disclosure flags), so they are shown here but changed only on the account page,
through the services that record why.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from recoup.audit.admin_mixins import AuditedAdmin
from recoup.parties.models import ContactPoint, Creditor, Debtor


@admin.register(Creditor)
class CreditorAdmin(AuditedAdmin):
    list_display = ("code", "name", "industry", "collector_type", "country", "default_currency")
    search_fields = ("code", "name")
    ordering = ("name", "id")
    readonly_fields = ("created_at",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ContactPointInline(admin.TabularInline[ContactPoint, Debtor]):
    model = ContactPoint
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Debtor)
class DebtorAdmin(AuditedAdmin):
    list_display = ("id", "kind", "family_name", "given_name", "business_name", "country", "region")
    list_filter = ("kind", "country")
    search_fields = ("family_name", "given_name", "business_name", "postal_code")
    readonly_fields = ("created_at",)
    inlines = [ContactPointInline]
    ordering = ("id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
