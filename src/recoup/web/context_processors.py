"""Template context shared by every page: the navigation for the signed-in user's role."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from recoup.web.navigation import navigation_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {"nav_items": navigation_for(request)}
