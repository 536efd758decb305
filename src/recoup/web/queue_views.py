"""My queue: the officer's accounts in the order to work them, with the reason, filters and saved
views, and "Next account"."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from recoup.accounts.selectors import status_choices
from recoup.core.contact_rules import OPEN_STATUSES
from recoup.parties.selectors import creditor_choices
from recoup.users.models import User
from recoup.web.forms import QueueFilterForm
from recoup.workspace.models import SavedView
from recoup.workspace.queue import (
    BUCKETS,
    FILTER_KEYS,
    NO_FILTERS,
    PAGE_SIZE,
    InvalidFilter,
    NothingAllowedNow,
    QueueEntry,
    QueueFilters,
    QueueSequence,
    claim_next,
    delete_view,
    queue_rates,
    save_view,
)

STATUS_CHOICES = [(value, label) for value, label in status_choices() if value in OPEN_STATUSES]


def _form(data: QueryDict | None) -> QueueFilterForm:
    return QueueFilterForm(
        data,
        creditor_choices=creditor_choices(),
        bucket_labels=list(BUCKETS),
        status_choices=STATUS_CHOICES,
    )


def _filter_params(data: QueryDict) -> dict[str, str]:
    return {key: str(data.get(key, "")).strip() for key in FILTER_KEYS if str(data.get(key, "")).strip()}


def _queue_url(params: dict[str, str]) -> str:
    url = reverse("queue")
    return f"{url}?{urlencode(params)}" if params else url


@login_required
@permission_required("compliance.add_contact", raise_exception=True)
def my_queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    params = _filter_params(request.GET)
    form = _form(request.GET if params else None)
    filters = form.filters()
    entries: Any = QueueSequence(user, now=timezone.now(), filters=filters)  # count() and slices, as Paginator reads
    page: Page[QueueEntry] = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page", "1"))
    views = list(SavedView.objects.filter(owner=user).order_by("name"))
    current = next((view for view in views if view.filters == filters.to_query()), None) if filters.active else None
    context = {
        "entries": page.object_list,
        "page": page,
        "query_string": urlencode(filters.to_query()),
        "reporting_currency": queue_rates()[0],
        "form": form,
        "filters": filters,
        "filter_params": filters.to_query(),
        "views": [(view, _queue_url(view.filters)) for view in views],
        "current_view": current,
    }
    htmx = getattr(request, "htmx", None)
    template = "web/queue.html"
    if htmx and not htmx.boosted and not htmx.history_restore_request:
        template = "web/queue.html#results"
    return render(request, template, context)


@login_required
@permission_required("compliance.add_contact", raise_exception=True)
@require_POST
def next_account(request: HttpRequest) -> HttpResponse:
    """Open the highest account nobody else is working (within the queue's filters, if any), leased
    to this officer for 15 minutes."""
    user = request.user
    assert isinstance(user, User)
    params = _filter_params(request.POST)
    try:
        filters = QueueFilters.from_query(params)
    except InvalidFilter as exc:
        messages.error(request, f"Filters not applied: {exc}.")
        filters = NO_FILTERS
    try:
        entry = claim_next(user, now=timezone.now(), filters=filters)
    except NothingAllowedNow as exc:
        messages.warning(request, f"No account to hand out right now: {exc}.")
        return redirect(_queue_url(filters.to_query()))
    if entry is None:
        scope = "in this view" if filters.active else "in your queue"
        messages.info(request, f"Nothing left to work: every account {scope} is being worked or done.")
        return redirect(_queue_url(filters.to_query()))
    allowed = ", ".join(entry.details.get("allowed_channels", []))
    messages.success(request, f"Working {entry.reference}: {entry.reason}. Allowed now: {allowed}.")
    return redirect("account", account_id=entry.account_id)


@login_required
@permission_required("compliance.add_contact", raise_exception=True)
@require_POST
def save_queue_view(request: HttpRequest) -> HttpResponse:
    """Save the queue's current filters under a name (the officer's own; the same name replaces)."""
    user = request.user
    assert isinstance(user, User)
    params = _filter_params(request.POST)
    try:
        filters = QueueFilters.from_query(params)
        view = save_view(user, name=request.POST.get("name", ""), filters=filters, now=timezone.now())
    except InvalidFilter as exc:
        messages.error(request, f"View not saved: {exc}.")
        return redirect(_queue_url(params))
    messages.success(request, f"Saved the view “{view.name}”.")
    return redirect(_queue_url(view.filters))


@login_required
@permission_required("compliance.add_contact", raise_exception=True)
@require_POST
def delete_queue_view(request: HttpRequest, view_id: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if delete_view(user, view_id=view_id, now=timezone.now()):
        messages.success(request, "View deleted.")
    else:
        messages.error(request, "No such view of yours.")
    return redirect("queue")
