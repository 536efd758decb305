"""The account page's legal clocks: notices sent, hardship notices and their steps, and the person's
consent to be called. Each action posts a small form, goes through the compliance services (which
validate and audit), and comes back to the account page with a message naming any bad field."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from recoup.accounts.models import Account, AccountDebtor, Payment
from recoup.accounts.postings import UnableToReversePayment
from recoup.compliance.deadlines import (
    account_deadlines,
    credit_reporting_gate,
    decide_hardship,
    enforcement_gate,
    hardship_information_received,
    hardship_information_requested,
    mark_notice_undeliverable,
    record_call_consent,
    record_forbearance,
    record_hardship_notice,
    record_notice,
)
from recoup.compliance.extinguished import return_payment
from recoup.compliance.models import Forbearance, HardshipNotice, Notice
from recoup.compliance.services import UnableToCloseExtinguished, UnableToContact, close_extinguished
from recoup.core.money import Money
from recoup.web.actions import account_for, form_error, run_action

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class NoticeForm(forms.Form):
    kind = forms.ChoiceField(label="Notice", choices=Notice.Kind.choices)
    sent_on = forms.DateField(label="Sent on", input_formats=["%Y-%m-%d"], widget=DATE_INPUT)
    channel = forms.ChoiceField(label="By", choices=[("letter", "Letter"), ("email", "Email"), ("sms", "SMS")])
    remedy_days = forms.IntegerField(
        label="Days to remedy", required=False, min_value=1, max_value=365, help_text="Default notices."
    )
    reference = forms.CharField(label="Reference", required=False, max_length=100, help_text="Batch or tracking.")


class HardshipForm(forms.Form):
    received_on = forms.DateField(label="Received on", input_formats=["%Y-%m-%d"], widget=DATE_INPUT)
    how = forms.ChoiceField(label="How", choices=HardshipNotice.How.choices)
    summary = forms.CharField(label="What they said", max_length=2000)


class HardshipStepForm(forms.Form):
    step = forms.ChoiceField(
        choices=[("requested", "Information asked for"), ("received", "Information received"), ("decided", "Decided")]
    )
    on = forms.DateField(label="On", input_formats=["%Y-%m-%d"], widget=DATE_INPUT)
    decision = forms.ChoiceField(
        label="Decision",
        required=False,
        choices=[("", "—"), ("agreed", "Agreed a change"), ("refused", "Refused")],
    )
    note = forms.CharField(label="Decision note", required=False, max_length=2000)


class ForbearanceForm(forms.Form):
    option = forms.ChoiceField(label="Option", choices=Forbearance.Option.choices)
    outcome = forms.ChoiceField(label="Outcome", choices=Forbearance.Outcome.choices)
    starts_on = forms.DateField(label="From", input_formats=["%Y-%m-%d"], widget=DATE_INPUT)
    ends_on = forms.DateField(
        label="Until", required=False, input_formats=["%Y-%m-%d"], widget=DATE_INPUT, help_text="Empty: until reviewed."
    )
    reason = forms.CharField(label="Circumstances or reasons", max_length=2000)


class CallConsentForm(forms.Form):
    hours = forms.IntegerField(
        label="For how long (hours)", min_value=1, max_value=168, initial=24, help_text="At most 7 days (168 hours)."
    )
    note = forms.CharField(label="What they said", max_length=1000)


def legal_context(account: Account, today: date) -> dict[str, Any]:
    """What the account page shows about the legal clocks, notices and gates."""
    deadlines = account_deadlines(account)
    return {
        "deadlines": [(d, d.state(today).value) for d in deadlines],
        "notices": Notice.objects.filter(account=account).order_by("-sent_on", "-id"),
        "hardship_notices": HardshipNotice.objects.filter(account=account).order_by("-received_on", "-id"),
        "credit_gate": credit_reporting_gate(account, today),
        "enforcement": enforcement_gate(account, today),
        # Own id prefixes: the hold and wish forms on the same page have fields of the same names.
        "notice_form": NoticeForm(initial={"sent_on": today}, auto_id="notice-%s"),
        "hardship_form": HardshipForm(initial={"received_on": today}, auto_id="hardship-%s"),
        "consent_form": CallConsentForm(auto_id="consent-%s"),
        "forbearances": Forbearance.objects.filter(account=account).order_by("-starts_on", "-id"),
        "forbearance_form": ForbearanceForm(initial={"starts_on": today}, auto_id="forbearance-%s"),
    }


@login_required
@permission_required("compliance.add_notice", raise_exception=True)
@require_POST
def add_notice(request: HttpRequest, account_id: int) -> HttpResponse:
    account, user = account_for(request, account_id)
    form = NoticeForm(request.POST)
    if not form.is_valid():
        return form_error(request, account, form, back_to="account")
    data = form.cleaned_data

    def action() -> str:
        notice = record_notice(
            account=account,
            kind=data["kind"],
            sent_on=data["sent_on"],
            channel=data["channel"],
            remedy_days=data["remedy_days"],
            reference=data["reference"],
            now=timezone.now(),
            actor=user,
        )
        return f"Recorded the {notice.get_kind_display().lower()} sent {notice.sent_on:%d %b %Y}."

    return run_action(request, account, action, refused=(UnableToContact,), back_to="account")


@login_required
@permission_required("compliance.change_notice", raise_exception=True)
@require_POST
def notice_undeliverable(request: HttpRequest, account_id: int, notice_id: int) -> HttpResponse:
    account, user = account_for(request, account_id)
    notice = Notice.objects.filter(pk=notice_id, account=account).first()
    if notice is None:
        raise Http404("No such notice")

    def action() -> str:
        mark_notice_undeliverable(notice=notice, on=timezone.localdate(), now=timezone.now(), actor=user)
        return "Marked as returned undeliverable."

    return run_action(request, account, action, refused=(UnableToContact,), back_to="account")


@login_required
@permission_required("compliance.add_hardshipnotice", raise_exception=True)
@require_POST
def add_hardship(request: HttpRequest, account_id: int) -> HttpResponse:
    account, user = account_for(request, account_id)
    form = HardshipForm(request.POST)
    if not form.is_valid():
        return form_error(request, account, form, back_to="account")
    data = form.cleaned_data

    def action() -> str:
        record_hardship_notice(
            account=account,
            received_on=data["received_on"],
            how=data["how"],
            summary=data["summary"],
            now=timezone.now(),
            actor=user,
        )
        return "Recorded the hardship notice; its clocks are running."

    return run_action(request, account, action, refused=(UnableToContact,), back_to="account")


@login_required
@permission_required("compliance.change_hardshipnotice", raise_exception=True)
@require_POST
def hardship_step(request: HttpRequest, account_id: int, notice_id: int) -> HttpResponse:
    account, user = account_for(request, account_id)
    notice = HardshipNotice.objects.filter(pk=notice_id, account=account).first()
    if notice is None:
        raise Http404("No such hardship notice")
    form = HardshipStepForm(request.POST)
    if not form.is_valid():
        return form_error(request, account, form, back_to="account")
    data = form.cleaned_data
    now = timezone.now()

    def action() -> str:
        if data["step"] == "requested":
            hardship_information_requested(notice=notice, on=data["on"], now=now, actor=user)
            return "Recorded that information was asked for."
        if data["step"] == "received":
            hardship_information_received(notice=notice, on=data["on"], now=now, actor=user)
            return "Recorded that the information arrived."
        decide_hardship(notice=notice, decision=data["decision"], on=data["on"], note=data["note"], now=now, actor=user)
        return f"Recorded the decision: {data['decision']}."

    return run_action(request, account, action, refused=(UnableToContact,), back_to="account")


@login_required
@permission_required("compliance.add_callconsent", raise_exception=True)
@require_POST
def add_call_consent(request: HttpRequest, account_id: int) -> HttpResponse:
    account, user = account_for(request, account_id)
    form = CallConsentForm(request.POST)
    if not form.is_valid():
        return form_error(request, account, form, back_to="account")
    primary = AccountDebtor.objects.filter(account=account, role=AccountDebtor.Role.PRIMARY).first()
    if primary is None:
        messages.error(request, "debtor: the account has no primary debtor")
        return redirect("account", account_id=account.pk)
    now = timezone.now()
    until = now + timedelta(hours=form.cleaned_data["hours"])

    def action() -> str:
        record_call_consent(
            account=account,
            debtor=primary.debtor,
            given_at=now,
            ends_at=until,
            note=form.cleaned_data["note"],
            now=now,
            actor=user,
        )
        local = timezone.localtime(until)
        return f"Recorded their consent to be called until {local:%a %d %b %H:%M}."

    return run_action(request, account, action, refused=(UnableToContact,), back_to="account")


@login_required
@permission_required("compliance.add_forbearance", raise_exception=True)
@require_POST
def add_forbearance(request: HttpRequest, account_id: int) -> HttpResponse:
    account, user = account_for(request, account_id)
    form = ForbearanceForm(request.POST)
    if not form.is_valid():
        return form_error(request, account, form, back_to="account")
    data = form.cleaned_data

    def action() -> str:
        forbearance = record_forbearance(
            account=account,
            option=data["option"],
            outcome=data["outcome"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            reason=data["reason"],
            now=timezone.now(),
            actor=user,
        )
        frozen = "; interest and charges are frozen for the period" if forbearance.freeze_id else ""
        option, outcome = forbearance.get_option_display().lower(), forbearance.get_outcome_display().lower()
        return f"Recorded: {option}, {outcome}{frozen}."

    return run_action(request, account, action, refused=(UnableToContact,), back_to="account")


class CloseExtinguishedForm(forms.Form):
    note = forms.CharField(label="Note", required=False, max_length=500)


@login_required
@permission_required("accounts.change_account", raise_exception=True)
@require_POST
def close_extinguished_account(request: HttpRequest, account_id: int) -> HttpResponse:
    """Close the account of an extinguished debt (UK-06, AU-05), with the reason kept on the account."""
    account, user = account_for(request, account_id)
    form = CloseExtinguishedForm(request.POST)
    if not form.is_valid():
        return form_error(request, account, form, back_to="account")

    def action() -> str:
        closed = close_extinguished(account=account, now=timezone.now(), actor=user, note=form.cleaned_data["note"])
        return f"Closed account {closed.reference}: the debt is extinguished."

    return run_action(request, account, action, refused=(UnableToCloseExtinguished,), back_to="account")


@login_required
@permission_required("accounts.change_account", raise_exception=True)
@require_POST
def return_extinguished_payment(request: HttpRequest, account_id: int, payment_id: int) -> HttpResponse:
    """Return a payment made after the debt was extinguished (UK-06, AU-05): a reversal naming the rule
    and the day; once."""
    account, user = account_for(request, account_id)
    payment = Payment.objects.filter(pk=payment_id, account=account).select_related("account").first()
    if payment is None:
        raise Http404("No such payment on this account")
    paid = Money.from_minor(payment.amount_minor, payment.currency)

    def action() -> str:
        try:
            return_payment(payment=payment, now=timezone.now(), actor=user)
        except UnableToReversePayment as exc:
            if "already reversed" in str(exc):
                raise UnableToReversePayment(
                    f"Payment {payment.pk} of {paid} was already returned or reversed; nothing was reversed twice."
                ) from None
            raise
        return f"Payment {payment.pk} of {paid} returned: reversed as paid after the debt was extinguished."

    return run_action(request, account, action, refused=(UnableToReversePayment,), back_to="account")
