"""URL root: the staff UI, the health check and the administrators' Django admin."""

from django.contrib import admin
from django.urls import include, path

from recoup.web.admin_site import restrict_admin_to_administrators

restrict_admin_to_administrators(admin.site)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("recoup.web.urls")),
]
