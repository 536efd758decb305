"""Logging a call from the account page: the gate decides, the outcome and its follow-up are recorded."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from recoup.accounts.models import Account
from recoup.accounts.selectors import primary_debtor
from recoup.compliance.services import UnableToContact
from recoup.core.contact_rules import OPEN_STATUSES
from recoup.core.money import Money, MoneyError
from recoup.parties.models import Debtor
from recoup.users.models import User
from recoup.web.actions import account_for, debtor_zone, form_error, run_action
from recoup.web.forms import MoneyAmountField
from recoup.workspace.calls import OUTCOMES, FollowUp, log_call
from recoup.workspace.visibility import may_see


class CallForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=[(key, o.label) for key, o in OUTCOMES.items()])
    note = forms.CharField(label="Note", required=False, max_length=2000)
    promise_amount = MoneyAmountField(label="Promised amount", required=False)
    promise_on = forms.DateField(
        label="Promised for", required=False, input_formats=["%Y-%m-%d"], widget=forms.DateInput(attrs={"type": "date"})
    )
    callback_on = forms.DateField(
        label="Call back on", required=False, input_formats=["%Y-%m-%d"], widget=forms.DateInput(attrs={"type": "date"})
    )
    callback_time = forms.TimeField(
        label="at (their time)", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    override_reason = forms.CharField(
        label="Override reason", required=False, max_length=1000, help_text="Only with the override permission."
    )
    also_about = forms.TypedMultipleChoiceField(
        label="Also about",
        required=False,
        coerce=int,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        help_text="The person's other debts the call was about: it counts toward each (US-08).",
    )


def other_debts(account: Account, user: User, debtor: Debtor | None = None) -> list[Account]:
    """The primary debtor's other open debts that `user` may see: what a call can also be about.
    Pass the primary `debtor` when it is already loaded."""
    debtor = debtor or primary_debtor(account)
    if debtor is None:
        return []
    found = (
        Account.objects.filter(account_debtors__debtor=debtor, status__in=OPEN_STATUSES)
        .exclude(pk=account.pk)
        .select_related("creditor")
        .order_by("reference", "id")
    )
    return [other for other in found if may_see(user, other)]


def debt_choices(debts: list[Account]) -> list[tuple[int, str]]:
    return [(debt.pk, f"{debt.reference} ({debt.creditor.name}, {debt.balance})") for debt in debts]


def _now() -> datetime:
    """The moment a call logged from the page was made: now (a seam for tests to fix the hour)."""
    return timezone.now()


@login_required
@permission_required("compliance.add_contact", raise_exception=True)
@require_POST
def log_account_call(request: HttpRequest, account_id: int) -> HttpResponse:
    """Log a call just made (the time is now); blocked calls are refused with the rules that block them."""
    account, user = account_for(request, account_id)
    form = CallForm(request.POST)
    debts = other_debts(account, user)
    form.fields["also_about"].choices = debt_choices(debts)  # type: ignore[attr-defined]
    if not form.is_valid():
        return form_error(request, account, form, back_to="account")
    data = form.cleaned_data
    zone = debtor_zone(primary_debtor(account))
    callback_at = None
    if data["callback_on"]:
        callback_at = datetime.combine(data["callback_on"], data["callback_time"] or time(12, 0), tzinfo=zone)
    now = _now()

    def action() -> str:
        try:
            amount = Money.of(data["promise_amount"], account.currency) if data["promise_amount"] else None
        except MoneyError as exc:
            raise UnableToContact(
                f"{form.fields['promise_amount'].label}: {str(exc).removeprefix('amount: ')}"
            ) from None
        log_call(
            account=account,
            outcome=data["outcome"],
            at=now,
            now=now,
            actor=user,
            note=data["note"],
            override_reason=data["override_reason"],
            also_about=[debt for debt in debts if debt.pk in set(data["also_about"])],
            follow_up=FollowUp(promise_amount=amount, promise_on=data["promise_on"], callback_at=callback_at),
        )
        if data["outcome"] == "plan":
            return (
                "Call logged: payment plan agreed. Set the plan up here; check what they can afford under "
                "Income and expenditure first if the plan is outside the creditor's policy."
            )
        about = [debt.reference for debt in debts if debt.pk in set(data["also_about"])]
        also = f" It counts toward {', '.join(about)} as well." if about else ""
        return f"Call logged: {OUTCOMES[data['outcome']].label.lower()}.{also}"

    # A plan agreed on the call is set up next, on the plans page (schedule, affordability, approval).
    back_to = "account-arrangements" if data["outcome"] == "plan" else "account"
    return run_action(request, account, action, refused=(UnableToContact,), back_to=back_to, form=form)
