from django.contrib import admin

from recoup.parties.models import ContactPoint, Creditor, Debtor


@admin.register(Creditor)
class CreditorAdmin(admin.ModelAdmin[Creditor]):
    list_display = ("code", "name", "industry", "collector_type", "country", "default_currency")
    search_fields = ("code", "name")
    ordering = ("name", "id")


class ContactPointInline(admin.TabularInline[ContactPoint, Debtor]):
    model = ContactPoint
    extra = 0


@admin.register(Debtor)
class DebtorAdmin(admin.ModelAdmin[Debtor]):
    list_display = ("id", "kind", "family_name", "given_name", "business_name", "country", "region")
    list_filter = ("kind", "country")
    search_fields = ("family_name", "given_name", "business_name", "postal_code")
    inlines = [ContactPointInline]
    ordering = ("id",)
