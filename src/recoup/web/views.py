"""Staff UI views: parse the request, call selectors, render a page (or an htmx partial of it)."""

from __future__ import annotations

import csv
import logging
import platform
from dataclasses import dataclass
from datetime import date
from typing import Any

import django
from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from recoup.accounts import selectors as account_selectors
from recoup.accounts.ledger_selectors import aging_report
from recoup.audit.selectors import event_log, recent_events
from recoup.core import contact_rules
from recoup.parties.selectors import creditor_by_id, creditor_choices
from recoup.users import selectors as user_selectors
from recoup.users.models import User
from recoup.users.roles import ROLE_LABELS, Role
from recoup.web.forms import AccountFilterForm, AgingForm
from recoup.workspace.visibility import visible_accounts

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
WORKLIST_SIZE = 50
# The audit selector hands out the newest events up to a limit; the log pages through this many.


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind `login_required`: its user is a signed-in staff User."""

    user: User


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 {"status": "ok"} when the database answers, 503 {"status": "unavailable"} when it does not.

    Open to anyone (a load balancer), so it says nothing more: not the database, not its vendor, not
    the error (that goes to the log). Staff see the system's details on the administrator's home."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.error("health check failed", extra={"error": str(exc)})
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@dataclass(frozen=True)
class SystemFact:
    """One line of the administrator's system panel."""

    label: str
    value: str
    ok: bool | None = None


def _system_facts() -> list[SystemFact]:
    broker_set = bool(getattr(settings, "CELERY_BROKER_URL", None))
    return [
        SystemFact("Database", connection.vendor),
        SystemFact(
            "Background work",
            "Celery broker configured" if broker_set else "In-process (no CELERY_BROKER_URL set)",
            broker_set,
        ),
        SystemFact("Debug mode", "On" if settings.DEBUG else "Off", not settings.DEBUG),
        SystemFact("Django", django.get_version()),
        SystemFact("Python", platform.python_version()),
    ]


def _home_context(user: User, role: Role | None, as_of: date) -> tuple[str, dict[str, Any]]:
    """The home section template for the role and the data it shows."""
    if role is Role.OFFICER:
        counts = account_selectors.status_counts(assigned_officer=user)
        open_counts = [c for c in counts if c.status in contact_rules.OPEN_STATUSES]
        return "web/home/officer.html", {
            "open_counts": open_counts,
            "open_total": sum(c.count for c in open_counts),
            "resolved_total": sum(c.count for c in counts) - sum(c.count for c in open_counts),
            "worklist": account_selectors.officer_worklist(officer=user, as_of=as_of, limit=WORKLIST_SIZE),
            "worklist_size": WORKLIST_SIZE,
        }
    if role is Role.TEAM_LEAD:
        teams = user_selectors.teams_of_lead(user=user)
        workloads = account_selectors.officer_workloads(team_ids=[team.pk for team in teams])
        return "web/home/team_lead.html", {
            "teams": teams,
            "workloads": workloads,
            "totals": {
                "open": sum(w.open_count for w in workloads),
                "in_arrangement": sum(w.in_arrangement_count for w in workloads),
                "escalated": sum(w.escalated_count for w in workloads),
                "closed": sum(w.closed_count for w in workloads),
                "total": sum(w.total for w in workloads),
            },
        }
    if role is Role.MANAGER:
        from recoup.workspace.figures import collection_figures, portfolio_by_bucket

        return "web/home/manager.html", {
            "portfolio": account_selectors.portfolio_by_creditor(),
            "collections": collection_figures(today=as_of),
            "aging": portfolio_by_bucket(today=as_of),
        }
    if role is Role.LEGAL:
        return "web/home/legal.html", {
            "status_counts": account_selectors.status_counts(statuses=account_selectors.ESCALATED_STATUSES),
            "escalated": account_selectors.escalated_accounts(as_of=as_of, limit=WORKLIST_SIZE),
            "worklist_size": WORKLIST_SIZE,
        }
    if role is Role.ADMIN:
        return "web/home/admin.html", {
            "role_counts": user_selectors.user_counts_by_role(),
            "active_users": user_selectors.active_user_count(),
            "teams": user_selectors.teams_overview(),
            "system_facts": _system_facts(),
        }
    if role is Role.AUDITOR:
        return "web/home/auditor.html", {"events": list(recent_events(limit=25))}
    return "web/home/no_role.html", {}


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in user's start page: the work and figures that matter to their role."""
    user = request.user
    role = user.role
    as_of = timezone.localdate()
    section, data = _home_context(user, role, as_of)
    context = {
        "role": role,
        "role_label": ROLE_LABELS[role] if role else "No role",
        "as_of": as_of,
        "section_template": section,
        **data,
    }
    if user.has_perm("compliance.change_holdliftrequest"):
        from recoup.compliance.lift_requests import pending_requests

        context["lift_requests"] = list(pending_requests(visible_accounts(user))[:50])
    return render(request, "web/home.html", context)


def _scope(user: User, sees_all: bool) -> str:
    """What the accounts list holds for this user, in words (see workspace.visibility)."""
    if sees_all:
        return "All accounts placed for collection."
    if user.role is Role.LEGAL:
        return "Accounts escalated to legal, and any assigned to you."
    if user.team_id:
        return "The accounts assigned to you and to your team."
    return "The accounts assigned to you."


def _page_number(request: HttpRequest) -> str:
    return request.GET.get("page", "1")


@login_required
@permission_required("accounts.view_account", raise_exception=True)
@vary_on_headers("HX-Request")
def account_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Accounts the user may see, searched and filtered, 50 a page; htmx requests get only the table."""
    user = request.user
    visible = visible_accounts(user)
    sees_all = visible is None
    form = AccountFilterForm(
        request.GET or None,
        creditor_choices=creditor_choices(),
        status_choices=account_selectors.status_choices(),
    )
    filters = form.filters() if form.is_bound else {}
    accounts = account_selectors.search_accounts(visible=visible, **filters)
    search_error = form.search_error
    if search_error:
        accounts = accounts.none()  # a search we cannot run shows nothing, never every account
    page = Paginator(accounts, PAGE_SIZE).get_page(_page_number(request))
    as_of = timezone.localdate()
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": account_selectors.account_rows(accounts=page.object_list, as_of=as_of),
        "as_of": as_of,
        "sees_all": sees_all,
        "scope": _scope(user, sees_all),
        "filtered": any(filters.values()) if filters else False,
        "search_error": search_error,
        "query_string": query.urlencode(),
    }
    htmx = getattr(request, "htmx", None)
    template = "web/accounts.html"
    if htmx and not htmx.boosted and not htmx.history_restore_request:
        template = "web/accounts.html#results"
    return render(request, template, context)


@login_required
@permission_required("parties.view_creditor", raise_exception=True)
def creditor_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Creditors by name with their accounts per status, 50 a page."""
    page = Paginator(account_selectors.creditor_summaries(), PAGE_SIZE).get_page(_page_number(request))
    context = {
        "page": page,
        "rows": account_selectors.creditor_summary_rows(creditors=page.object_list),
        "statuses": account_selectors.status_choices(),
        "open_statuses": contact_rules.OPEN_STATUSES,
        "closed_count": len(contact_rules.CLOSED_STATUSES),
        "query_string": "",
    }
    return render(request, "web/creditors.html", context)


@login_required
@permission_required("audit.view_auditevent", raise_exception=True)
def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The audit log, newest first, 50 events a page."""
    page = Paginator(event_log(), PAGE_SIZE).get_page(_page_number(request))
    return render(
        request,
        "web/audit_log.html",
        {"page": page, "query_string": ""},
    )


@login_required
@permission_required("accounts.view_aging_report", raise_exception=True)
def aging(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The aging report by creditor, currency and bucket, as of a chosen date; ?format=csv downloads it."""
    today = timezone.localdate()
    form = AgingForm(request.GET or None, creditor_choices=creditor_choices(), today=today)
    as_of = today
    creditor = None
    if form.is_bound and form.is_valid():
        as_of = form.cleaned_data["as_of"] or today
        if form.cleaned_data["creditor"] is not None:
            creditor = creditor_by_id(form.cleaned_data["creditor"])
    report = None
    if not form.is_bound or form.is_valid():
        report = aging_report(as_of=as_of, today=today, creditor=creditor)
    if report is not None and request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="aging-{as_of.isoformat()}.csv"'
        writer = csv.writer(response)
        writer.writerow(["creditor", "creditor_name", "currency", "bucket", "accounts", "items", "balance"])
        for row in report.rows:
            writer.writerow(
                [
                    row.creditor_code,
                    row.creditor_name,
                    row.currency,
                    row.bucket,
                    row.accounts,
                    row.items,
                    row.balance.amount,
                ]
            )
        return response
    groups = []
    if report is not None:
        totals = report.totals()
        for key, (accounts, items, balance) in totals.items():
            rows = [r for r in report.rows if (r.creditor_code, r.currency) == key]
            groups.append(
                {
                    "name": rows[0].creditor_name,
                    "code": key[0],
                    "currency": key[1],
                    "rows": rows,
                    "accounts": accounts,
                    "items": items,
                    "balance": balance,
                }
            )
    return render(
        request,
        "web/aging.html",
        {"form": form, "report": report, "groups": groups, "as_of": as_of, "csv_query": _csv_query(request)},
    )


def _csv_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query["format"] = "csv"
    return query.urlencode()
