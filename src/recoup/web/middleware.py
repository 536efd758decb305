"""Security headers Django 5.2 does not set itself, and requests no form or filter should ever carry."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy from settings: no inline script, nothing from other origins."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy: str = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class RefuseNulBytesMiddleware:
    """Answer 400 to a request whose address, query or form fields hold a NUL byte.

    No field in Recoup may hold one, PostgreSQL cannot store one in text, and a filter containing one
    would otherwise fail deep in the database driver. Uploaded files are not looked at here: their
    readers refuse binary content with their own message.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _holds_nul(request):
            html = render_to_string(
                "400.html",
                {"reason": "The address or a form field held a character no field may contain (a NUL byte)."},
                request=request,
            )
            return HttpResponse(html, status=400)
        return self.get_response(request)


def _holds_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    for values in request.GET.lists():
        if any("\x00" in v for v in values[1]) or "\x00" in values[0]:
            return True
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        for key, items in request.POST.lists():
            if "\x00" in key or any("\x00" in v for v in items):
                return True
    return False
