"""An account's timeline: everything that happened to it, newest first, from the audit log (one
indexed query per page), filterable by kind, plus notes officers add."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from recoup.audit.models import AuditEvent
from recoup.audit.services import record_event
from recoup.web.actions import account_for, form_error, run_action
from recoup.workspace.calls import OUTCOMES

# Kinds of event an officer filters by, as event-name prefixes.
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "contacts": (
        "Calls and messages",
        ("compliance.contact.", "workspace.call.", "compliance.call_consent.", "communications.message."),
    ),
    "money": ("Money", ("accounts.transaction.", "accounts.payment.", "accounts.balance.", "imports.invoice.")),
    "arrangements": ("Plans and promises", ("arrangement.",)),
    "holds": (
        "Holds and legal",
        (
            "compliance.hold.",
            "compliance.hardship.",
            "compliance.notice.",
            "compliance.legal_referral.",
            "compliance.forbearance.",
            "account.charges.",
        ),
    ),
    "status": ("Status and details", ("accounts.account.", "imports.account.", "imports.party.")),
    "notes": ("Notes", ("workspace.note.",)),
}
HIDDEN = ("compliance.contact.decided",)  # every gate answer is in the contact ledger; the timeline shows what happened


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
PHRASES: dict[str, Any] = {
    "arrangement.promise.created": lambda a: f"Promise to pay {_dues(a) or a.get('total', '')}",
    "arrangement.plan.created": lambda a: f"Payment plan agreed: {a.get('total', '')} in {_dues(a)}",
    "arrangement.settlement.created": lambda a: f"Settlement agreed: {a.get('total', '')}, {_dues(a)}",
    "arrangement.completed": lambda a: "Arrangement completed: every payment kept",
    "arrangement.replaced": lambda a: "Arrangement replaced by a new one",
    "arrangement.broken": lambda a: "Arrangement broken" + (f": {a['reason']}" if a.get("reason") else ""),
    "arrangement.cancelled": lambda a: "Arrangement cancelled" + (f": {a['reason']}" if a.get("reason") else ""),
    "workspace.call.logged": _call_outcome,
    "communications.message.queued": lambda a: (
        f"Email written to {a.get('to', '')}: “{a.get('subject', '')}” "
        f"({a.get('template', '')}, {str(a.get('status', '')).replace('queued', 'in the outbox')})"
    ),
    "communications.message.sent": lambda a: f"Email sent to {a.get('to', '')}: “{a.get('subject', '')}”",
    "workspace.note.added": lambda a: f"Note: {a.get('text', '')}",
    "workspace.account.claimed": lambda a: f"Opened from the queue ({a.get('reason', '')})",
    "accounts.payment.recorded": lambda a: (
        f"Payment received: {a.get('amount', '')}"
        + (f" by {str(a['method']).replace('_', ' ')}" if a.get("method") else "")
    ),
    "accounts.account.status_changed": lambda a: (
        f"Status now {str(a.get('status', '')).replace('_', ' ')}" + (f" ({a['reason']})" if a.get("reason") else "")
    ),
    "compliance.hold.placed": lambda a: (
        f"{str(a.get('kind', '')).replace('_', ' ').capitalize()} hold placed"
        + (f": {a['reason']}" if a.get("reason") else "")
    ),
}


def _describe(event: AuditEvent) -> str:
    """A line a collector reads: the event in words, with the details that matter."""
    after: dict[str, Any] = event.after if isinstance(event.after, dict) else {}
    phrase = PHRASES.get(event.name)
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
    events = AuditEvent.objects.filter(account_id=account.pk).exclude(name__in=HIDDEN)
    if kind in KINDS:
        condition = Q()
        for prefix in KINDS[kind][1]:
            condition |= Q(name__startswith=prefix)
        events = events.filter(condition)
    page = Paginator(events.order_by("-occurred_at", "-id"), 50).get_page(request.GET.get("page", "1"))
    return render(
        request,
        "web/timeline.html",
        {
            "account": account,
            "rows": [(event, _describe(event)) for event in page],
            "page": page,
            "kinds": [(key, label) for key, (label, _prefixes) in KINDS.items()],
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
            name="workspace.note.added",
            subject_type="account",
            subject_id=account.pk,
            account_id=account.pk,
            occurred_at=timezone.now(),
            actor=user,
            after={"text": text},
        )
        return "Note added."

    return run_action(request, account, action, refused=(ValueError,), back_to="account-timeline")
