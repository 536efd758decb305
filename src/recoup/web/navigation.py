"""Which pages the navigation shows to whom."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from recoup.web.admin_site import is_administrator


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def navigation_for(request: HttpRequest) -> list[NavItem]:
    """The pages the signed-in user may open, in menu order, with the current one marked active."""
    user = request.user
    if not user.is_authenticated:
        return []
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match else ""
    current = {
        "message": "outbox",
        "strategy-edit": "strategy",
        "run-report": "strategy",
        "strategy-experiments": "strategy",
    }.get(current, current)
    entries: list[tuple[str, str]] = [("Home", "home")]
    if user.has_perm("compliance.add_contact"):
        entries.append(("My queue", "queue"))
    if user.has_perm("accounts.view_account"):
        entries.append(("Accounts", "accounts"))
    if user.has_perm("users.view_user"):
        entries.append(("Team", "team"))
    if user.has_perm("parties.view_creditor"):
        entries.append(("Creditors", "creditors"))
    if user.has_perm("accounts.view_aging_report"):
        entries.append(("Aging", "aging"))
    if user.has_perm("communications.view_message"):
        entries.append(("Outbox", "outbox"))
    if user.has_perm("communications.add_template"):
        entries.append(("Templates", "templates"))
    if user.has_perm("strategies.view_strategyversion"):
        entries.append(("Strategy", "strategy"))
    if user.has_perm("imports.view_importjob"):
        entries.append(("Imports", "imports"))
    if user.has_perm("imports.view_bankline"):
        entries.append(("Unmatched payments", "unmatched-payments"))
    if user.has_perm("accounts.export_data"):
        entries.append(("Exports", "exports"))
    if user.has_perm("audit.view_auditevent"):
        entries.append(("Audit log", "audit-log"))
    items = [NavItem(label, reverse(name), current == name) for label, name in entries]
    if is_administrator(request):
        items.append(NavItem("Administration", reverse("admin:index"), False))
    return items
