from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from recoup.users.models import Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "first_name", "last_name", "email", "team", "is_active")
    list_filter = ("groups", "team", "is_active")
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("Team", {"fields": ("team",)}))


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ("name", "lead")
    search_fields = ("name",)
