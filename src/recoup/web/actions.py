"""What the account's small action forms share: find the account the user may see, run the service,
and come back to the page with a message (the service's words on failure, naming the field)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from recoup.accounts.models import Account
from recoup.core.money import MoneyError
from recoup.parties.models import Debtor
from recoup.users.models import User
from recoup.workspace.visibility import may_see


def account_for(request: HttpRequest, account_id: int) -> tuple[Account, User]:
    """The account, if this user may see it (404 otherwise, so its existence is not given away)."""
    account = Account.objects.select_related("creditor").filter(pk=account_id).first()
    user = request.user
    assert isinstance(user, User)
    if account is None or not may_see(user, account):
        raise Http404("No such account")
    return account, user


def run_action(
    request: HttpRequest,
    account: Account,
    action: Callable[[], str],
    *,
    refused: tuple[type[Exception], ...],
    back_to: str,
    form: forms.Form | None = None,
) -> HttpResponse:
    """Run `action`; its return value is the success message, a refusal's text the error message.

    An amount that cannot be money in the account's currency (MoneyError) is always a refusal. On a
    refusal what was typed into `form` is kept, so the page draws the form again as it was sent."""
    refusals: tuple[type[Exception], ...] = (*refused, MoneyError)
    try:
        done = action()
    except refusals as exc:
        messages.error(request, str(exc))
        if form is not None:
            keep_values(request, form)
    else:
        messages.success(request, done)
    return redirect(back_to, account_id=account.pk)


def form_error(request: HttpRequest, account: Account, form: forms.Form, *, back_to: str) -> HttpResponse:
    """Back to the page with the form's first error, naming the field by its label; what was typed is kept.

    The page finds the typed values with `take_kept(request)` and draws the form with them.
    """
    field, errors = next(iter(form.errors.items()))
    label = form.fields[field].label if field in form.fields and form.fields[field].label else field
    messages.error(request, f"{label}: {errors[0]}" if field != "__all__" else str(errors[0]))
    keep_values(request, form)
    return redirect(back_to, account_id=account.pk)


_KEPT = "recoup.kept_form"


def keep_values(request: HttpRequest, form: forms.Form) -> None:
    """Remember what was typed into a refused form, for the next page drawn (once)."""
    typed = {
        name: request.POST.getlist(name) if len(request.POST.getlist(name)) > 1 else request.POST.get(name, "")
        for name in form.fields
        if name in request.POST and name != "idempotency_key"
    }
    request.session[_KEPT] = {"form": type(form).__name__, "data": typed}


def take_kept(request: HttpRequest) -> tuple[str, dict[str, object]] | None:
    """The refused form's class name and what was typed into it, once (the next page drawn forgets it)."""
    kept = request.session.pop(_KEPT, None)
    if not isinstance(kept, dict) or not isinstance(kept.get("data"), dict):
        return None
    return str(kept.get("form", "")), kept["data"]


def debtor_zone(debtor: Debtor | None) -> tzinfo:
    """The debtor's time zone (what "their time" means on the page), else the site's."""
    if debtor is not None and debtor.time_zone:
        return ZoneInfo(debtor.time_zone)
    return timezone.get_current_timezone()
