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

from recoup.accounts.models import Account, AccountDebtor
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
) -> HttpResponse:
    """Run `action`; its return value is the success message, a refusal's text the error message."""
    try:
        done = action()
    except refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect(back_to, account_id=account.pk)


def form_error(request: HttpRequest, account: Account, form: forms.Form, *, back_to: str) -> HttpResponse:
    """Back to the page with the form's first error, naming the field."""
    field, errors = next(iter(form.errors.items()))
    messages.error(request, f"{field}: {errors[0]}")
    return redirect(back_to, account_id=account.pk)


def primary_debtor(account: Account) -> Debtor | None:
    """The account's primary debtor, if it has one."""
    role = AccountDebtor.objects.filter(account=account, role=AccountDebtor.Role.PRIMARY).select_related("debtor")
    first = role.first()
    return first.debtor if first is not None else None


def debtor_zone(debtor: Debtor | None) -> tzinfo:
    """The debtor's time zone (what "their time" means on the page), else the site's."""
    if debtor is not None and debtor.time_zone:
        return ZoneInfo(debtor.time_zone)
    return timezone.get_current_timezone()
