"""Accounts in the Django admin: for looking up, not for changing what the services own.

Balances, status and the dates and amounts the ledger and the compliance gate derive from change
only through the services (payments, adjustments, status changes, holds), each with its audit event;
so here they are read-only, accounts are neither added nor deleted (imports create them), and the
debtors on an account are shown, not edited. `recoup ledger verify` stays green whatever is saved.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from recoup.accounts.models import Account, AccountDebtor
from recoup.audit.admin_mixins import AuditedAdmin

# Fields the services own: money, status and what the ledger or the gate derives from them.
SERVICE_OWNED_ACCOUNT_FIELDS = (
    "creditor",
    "reference",
    "product_type",
    "currency",
    "status",
    "status_changed_at",
    "placed_at",
    "opened_date",
    "first_delinquency_date",
    "charge_off_date",
    "itemization_date",
    "itemization_amount_minor",
    "principal_minor",
    "interest_minor",
    "fees_minor",
    "costs_minor",
    "credit_balance_minor",
    "oldest_unpaid_due_date",
)


class AccountDebtorInline(admin.TabularInline[AccountDebtor, Account]):
    model = AccountDebtor
    extra = 0
    raw_id_fields = ("debtor",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Account)
class AccountAdmin(AuditedAdmin):
    list_display = ("reference", "creditor", "product_type", "status", "assigned_officer")
    list_filter = ("status", "product_type", "creditor")
    search_fields = ("reference",)
    raw_id_fields = ("assigned_officer",)
    readonly_fields = SERVICE_OWNED_ACCOUNT_FIELDS
    inlines = [AccountDebtorInline]
    ordering = ("id",)

    def account_of(self, obj: Any) -> int | None:
        return int(obj.pk)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
