"""An account's timeline: everything that happened to it, newest first, from the audit log (one
indexed query per page), filterable by kind, plus notes officers add."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from recoup.audit.events import HIDDEN_NAMES, Event, Section, event_for, names_in
from recoup.audit.models import AuditEvent
from recoup.audit.services import record_event
from recoup.web.actions import account_for, form_error, run_action
from recoup.workspace.calls import OUTCOMES

# The sections an officer filters by, and the events in each, come from the event registry.
KINDS: dict[str, Section] = {section.key: section for section in Section}


class NoteForm(forms.Form):
    text = forms.CharField(label="Note", max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


def _dues(after: dict[str, Any]) -> str:
    """ "200.00 USD on 8 Dec 2026", or "6 payments from 1 Jan 2027" for a schedule."""
    dues = after.get("dues") or []
    try:
        dated = [(date.fromisoformat(str(on)), amount) for on, amount in dues]
    except (TypeError, ValueError):
        return ""
    if len(dated) == 1:
        return f"{dated[0][1]} on {dated[0][0]:%-d %b %Y}"
    if dated:
        return f"{len(dated)} payments from {dated[0][0]:%-d %b %Y}"
    return ""


def _call_outcome(after: dict[str, Any]) -> str:
    outcome = OUTCOMES.get(str(after.get("outcome", "")))
    label = outcome.label if outcome else str(after.get("outcome", ""))
    note = str(after.get("note") or "").strip()
    return f"Call: {label.lower()}" + (f". “{note}”" if note else "")


# The events an officer reads most, in their words; others fall back to the event's name and details.
PHRASES: dict[Event, Any] = {
    Event.PROMISE_CREATED: lambda a: f"Promise to pay {_dues(a) or a.get('total', '')}",
    Event.PLAN_CREATED: lambda a: f"Payment plan agreed: {a.get('total', '')} in {_dues(a)}",
    Event.SETTLEMENT_CREATED: lambda a: f"Settlement agreed: {a.get('total', '')}, {_dues(a)}",
    Event.ARRANGEMENT_COMPLETED: lambda a: "Arrangement completed: every payment kept",
    Event.ARRANGEMENT_REPLACED: lambda a: "Arrangement replaced by a new one",
    Event.ARRANGEMENT_BROKEN: lambda a: "Arrangement broken" + (f": {a['reason']}" if a.get("reason") else ""),
    Event.ARRANGEMENT_CANCELLED: lambda a: "Arrangement cancelled" + (f": {a['reason']}" if a.get("reason") else ""),
    Event.CALL_LOGGED: _call_outcome,
    Event.MESSAGE_QUEUED: lambda a: (
        f"Email written to {a.get('to', '')}: “{a.get('subject', '')}” "
        f"({a.get('template', '')}, {str(a.get('status', '')).replace('queued', 'in the outbox')})"
    ),
    Event.MESSAGE_SENT: lambda a: f"Email sent to {a.get('to', '')}: “{a.get('subject', '')}”",
    Event.NOTE_ADDED: lambda a: f"Note: {a.get('text', '')}",
    Event.ACCOUNT_CLAIMED: lambda a: f"Opened from the queue ({a.get('reason', '')})",
    Event.PAYMENT_RECORDED: lambda a: (
        f"Payment received: {a.get('amount', '')}"
        + (f" by {str(a['method']).replace('_', ' ')}" if a.get("method") else "")
    ),
    Event.ACCOUNT_STATUS_CHANGED: lambda a: (
        f"Status now {str(a.get('status', '')).replace('_', ' ')}" + (f" ({a['reason']})" if a.get("reason") else "")
    ),
    Event.HOLD_PLACED: lambda a: (
        f"{str(a.get('kind', '')).replace('_', ' ').capitalize()} hold placed"
        + (f": {a['reason']}" if a.get("reason") else "")
    ),
    Event.DISPUTE_OPENED: lambda a: (
        f"{str(a.get('kind', '')).capitalize()} received by {str(a.get('channel', '')).replace('_', ' ')} on "
        f"{a.get('received_on', '')}: {str(a.get('reason') or a.get('category') or '').replace('_', ' ')}"
        + (f" ({a['text']})" if a.get("text") else "")
        + (f"; rules {', '.join(a['rules'])}" if a.get("rules") else "")
        + ("; verification hold placed" if a.get("hold") else "")
    ),
    Event.DISPUTE_ADVANCED: lambda a: (
        f"Dispute now {str(a.get('state', '')).replace('_', ' ')}"
        + (f" ({str(a['outcome']).replace('_', ' ')})" if a.get("outcome") else "")
        + (f": {a['note']}" if a.get("note") else "")
        + ("; verification hold lifted" if a.get("hold_lifted") else "")
    ),
}


def _describe(event: AuditEvent) -> str:
    """A line a collector reads: the event in words, with the details that matter."""
    after: dict[str, Any] = event.after if isinstance(event.after, dict) else {}
    registered = event_for(event.name)
    phrase = PHRASES.get(registered) if registered is not None else None
    if phrase is not None:
        return str(phrase(after))
    words = event.name.replace("_", " ").replace(".", " · ")
    detail = []
    for key in ("outcome", "kind", "reason", "note", "amount", "total", "state", "text", "to_status", "channel"):
        value = after.get(key)
        if value not in (None, "", [], {}):
            detail.append(f"{key.replace('_', ' ')}: {value}")
    return words + (f" ({'; '.join(str(d) for d in detail)})" if detail else "")


@login_required
@permission_required("accounts.view_account", raise_exception=True)
def account_timeline(request: HttpRequest, account_id: int) -> HttpResponse:
    account, user = account_for(request, account_id)
    kind = request.GET.get("kind", "")
    events = AuditEvent.objects.filter(account_id=account.pk).exclude(name__in=HIDDEN_NAMES)
    if kind in KINDS:
        events = events.filter(name__in=names_in(KINDS[kind]))
    page = Paginator(events.order_by("-occurred_at", "-id"), 50).get_page(request.GET.get("page", "1"))
    return render(
        request,
        "web/timeline.html",
        {
            "account": account,
            "rows": [(event, _describe(event)) for event in page],
            "page": page,
            "kinds": [(key, section.label) for key, section in KINDS.items()],
            "kind": kind,
            "query_string": f"kind={kind}" if kind in KINDS else "",
            "note_form": NoteForm(),
            "may_note": user.has_perm("compliance.add_contact"),
        },
    )


@login_required
@permission_required("compliance.add_contact", raise_exception=True)
@require_POST
def add_note(request: HttpRequest, account_id: int) -> HttpResponse:
    account, user = account_for(request, account_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return form_error(request, account, form, back_to="account-timeline")
    text = form.cleaned_data["text"].strip()

    def action() -> str:
        record_event(
            event=Event.NOTE_ADDED,
            subject_id=account.pk,
            account_id=account.pk,
            occurred_at=timezone.now(),
            actor=user,
            after={"text": text},
        )
        return "Note added."

    return run_action(request, account, action, refused=(ValueError,), back_to="account-timeline")
