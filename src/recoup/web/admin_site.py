"""Django admin is for administrators only: members of the admin role or superusers."""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.http import HttpRequest

from recoup.users.roles import Role


def is_administrator(request: HttpRequest) -> bool:
    user = request.user
    if not (user.is_active and user.is_authenticated):
        return False
    if user.is_superuser:
        return True
    return bool(user.is_staff and user.groups.filter(name=Role.ADMIN.value).exists())


def restrict_admin_to_administrators(site: AdminSite) -> None:
    """Replace the site's permission check so staff flags alone do not open /admin/."""
    site.site_header = "Recoup administration"
    site.site_title = "Recoup admin"
    site.index_title = "Settings, users and reference data"
    site.has_permission = is_administrator  # type: ignore[method-assign]
