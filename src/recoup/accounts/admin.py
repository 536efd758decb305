from django.contrib import admin

from recoup.accounts.models import Account, AccountDebtor


class AccountDebtorInline(admin.TabularInline[AccountDebtor, Account]):
    model = AccountDebtor
    extra = 0
    raw_id_fields = ("debtor",)


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin[Account]):
    list_display = ("reference", "creditor", "product_type", "status", "assigned_officer")
    list_filter = ("status", "product_type", "creditor")
    search_fields = ("reference",)
    raw_id_fields = ("assigned_officer",)
    inlines = [AccountDebtorInline]
    ordering = ("id",)
