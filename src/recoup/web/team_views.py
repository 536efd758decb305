"""The team lead's page: workloads, untouched accounts, and reassigning with a preview."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from recoup.users.models import User
from recoup.workspace.team import (
    UnableToReassign,
    officers_for,
    preview_reassign,
    reassign,
    untouched_accounts,
    workloads,
)


def _ids(values: list[str]) -> list[int]:
    return sorted({int(v) for v in values if v.isdigit()})


@login_required
@permission_required("users.view_user", raise_exception=True)
def team_page(request: HttpRequest) -> HttpResponse:
    """GET: the team's workloads and untouched accounts. POST: preview a reassignment, then confirm it."""
    user = request.user
    assert isinstance(user, User)
    now = timezone.now()
    try:
        days = max(1, min(int(request.GET.get("days", "14")), 365))
    except ValueError:
        days = 14
    officers = officers_for(user)
    preview = None
    if request.method == "POST":
        if not user.has_perm("accounts.change_account"):
            raise PermissionDenied
        chosen = _ids(request.POST.getlist("account"))
        to = request.POST.get("to", "")
        try:
            if request.POST.get("confirm") == "1":
                done = reassign(
                    lead=user,
                    account_ids=chosen,
                    to_officer_id=int(to) if to.isdigit() else 0,
                    reason=request.POST.get("reason", ""),
                    now=now,
                )
                messages.success(request, f"Moved {len(done.account_ids)} account(s) to {done.to.username}.")
                return redirect("team")
            preview = preview_reassign(lead=user, account_ids=chosen, to_officer_id=int(to) if to.isdigit() else 0)
        except UnableToReassign as exc:
            messages.error(request, str(exc))
            return redirect("team")
    return render(
        request,
        "web/team.html",
        {
            "workloads": workloads(officers, now=now, untouched_days=days),
            "untouched": untouched_accounts(officers, now=now, days=days),
            "officers": officers,
            "days": days,
            "preview": preview,
            "reason": request.POST.get("reason", "") if request.method == "POST" else "",
            "may_reassign": user.has_perm("accounts.change_account"),
        },
    )
