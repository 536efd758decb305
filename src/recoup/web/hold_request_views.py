"""Asking from the account page for a hold to be lifted, and a team lead's decision on it (from the
account page or their home page). The rules are in `recoup.compliance.lift_requests`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from recoup.accounts.models import Account, AccountDebtor
from recoup.compliance.lift_requests import decide, request_lift
from recoup.compliance.models import Hold, HoldLiftRequest
from recoup.compliance.services import UnableToContact
from recoup.web.actions import account_for, form_error, run_action


class LiftRequestForm(forms.Form):
    reason = forms.CharField(label="Why lift it", max_length=1000)


class LiftDecisionForm(forms.Form):
    decision = forms.ChoiceField(label="Decision", choices=[("approve", "Approve"), ("decline", "Decline")])
    note = forms.CharField(label="Note", required=False, max_length=1000)


def holds_of(account: Account) -> Q:
    """The holds the account page lists: on the account, or on any of its debtors."""
    return Q(account=account) | Q(debtor__in=AccountDebtor.objects.filter(account=account).values("debtor_id"))


@login_required
@permission_required("compliance.add_holdliftrequest", raise_exception=True)
@require_POST
def request_hold_lift(request: HttpRequest, account_id: int, hold_id: int) -> HttpResponse:
    """Ask a team lead to lift one of the account's holds, with the reason."""
    account, user = account_for(request, account_id)
    hold = Hold.objects.filter(holds_of(account), pk=hold_id).first()
    if hold is None:
        raise Http404("No such hold on this account")
    form = LiftRequestForm(request.POST)
    if not form.is_valid():
        return form_error(request, account, form, back_to="account")

    def action() -> str:
        request_lift(hold=hold, account=account, reason=form.cleaned_data["reason"], now=timezone.now(), actor=user)
        return f"Asked a team lead to lift the {hold.get_kind_display().lower()} hold."

    return run_action(request, account, action, refused=(UnableToContact,), back_to="account")


@login_required
@permission_required("compliance.change_holdliftrequest", raise_exception=True)
@require_POST
def decide_hold_lift(request: HttpRequest, account_id: int, request_id: int) -> HttpResponse:
    """Approve (the hold is lifted) or decline (with a note) a request; back to the page it came from."""
    account, user = account_for(request, account_id)
    asked = HoldLiftRequest.objects.filter(pk=request_id, account=account).select_related("hold").first()
    if asked is None:
        raise Http404("No such lift request on this account")
    form = LiftDecisionForm(request.POST)
    if not form.is_valid():
        return form_error(request, account, form, back_to="account")
    approve = form.cleaned_data["decision"] == "approve"
    kind = asked.hold.get_kind_display().lower()
    try:
        decide(request=asked, approve=approve, note=form.cleaned_data["note"], now=timezone.now(), actor=user)
    except UnableToContact as exc:
        messages.error(request, str(exc))
    else:
        done = "lifted" if approve else "kept: the request was declined"
        messages.success(request, f"The {kind} hold on {account.reference} is {done}.")
    if request.POST.get("back") == "home":
        return redirect("home")
    return redirect("account", account_id=account.pk)
