"""My queue: the officer's accounts in the order to work them, with the reason, and "Next account"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from recoup.users.models import User
from recoup.workspace.queue import claim_next, queue_for


@login_required
@permission_required("compliance.add_contact", raise_exception=True)
def my_queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    entries = queue_for(user, now=timezone.now())
    return render(request, "web/queue.html", {"entries": entries})


@login_required
@permission_required("compliance.add_contact", raise_exception=True)
@require_POST
def next_account(request: HttpRequest) -> HttpResponse:
    """Open the highest account nobody else is working, leased to this officer for 15 minutes."""
    user = request.user
    assert isinstance(user, User)
    entry = claim_next(user, now=timezone.now())
    if entry is None:
        messages.info(request, "Nothing left to work: every account in your queue is being worked or done.")
        return redirect("queue")
    messages.success(request, f"Working {entry.reference}: {entry.reason}.")
    return redirect("account", account_id=entry.account_id)
