"""Actions an officer takes from the account page besides calls and holds: record a payment taken,
reverse one (their own, recently; team leads any), add a phone or email with where it came from,
stop using a wrong one, and (team leads) reassign."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta, tzinfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from recoup.accounts.dates import ledger_date, legal_date
from recoup.accounts.models import Payment
from recoup.accounts.selectors import primary_debtor
from recoup.accounts.services import UnableToRecordPayment, UnableToReversePayment, record_payment, reverse_payment
from recoup.core.money import Money, MoneyError
from recoup.parties.models import ContactPoint
from recoup.parties.services import UnableToSaveParty, add_contact_point, stop_using_contact_point
from recoup.users.models import User
from recoup.web.actions import account_for, debtor_zone, form_error, keep_values, run_action
from recoup.web.forms import MoneyAmountField
from recoup.workspace.team import UnableToReassign, officers_for, reassign

# Methods an officer records by hand; bank files and direct debits come through imports.
HAND_METHODS = [
    (Payment.Method.CARD.value, "Card (taken by phone)"),
    (Payment.Method.CHEQUE.value, "Cheque"),
    (Payment.Method.CASH.value, "Cash"),
    (Payment.Method.BANK_TRANSFER.value, "Bank transfer"),
    (Payment.Method.OTHER.value, "Other"),
]


class PaymentForm(forms.Form):
    amount = MoneyAmountField(label="Amount")
    received_on = forms.DateField(
        label="Received on", input_formats=["%Y-%m-%d"], widget=forms.DateInput(attrs={"type": "date"})
    )
    method = forms.ChoiceField(label="How", choices=HAND_METHODS)
    reference = forms.CharField(
        label="Reference", required=False, max_length=100, help_text="Card authorisation, cheque number, receipt."
    )
    # Drawn when the page is drawn: sending the same form twice posts the payment once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    @classmethod
    def fresh(cls) -> PaymentForm:
        return cls(auto_id="payment-%s", initial={"idempotency_key": f"page-{uuid.uuid4()}"})


class ReversePaymentForm(forms.Form):
    reason = forms.CharField(label="Why reverse it", max_length=200)


# An officer may take back a payment they recorded themselves for this long (a keying mistake, a
# cheque returned unpaid); after that, or for anyone else's payment, a team lead decides.
OWN_REVERSAL_DAYS = 14


def may_reverse(user: User, payment: Payment, now: datetime) -> bool:
    """Whether `user` may reverse this payment: not reversed yet, and either a lead or manager
    (`accounts.change_account`) or the officer who recorded it, within OWN_REVERSAL_DAYS of recording.
    Reads `payment.transaction` (select it with the payment to avoid a query a row)."""
    if payment.reversal_id is not None:
        return False
    if user.has_perm("accounts.change_account"):
        return True
    return (
        user.has_perm("accounts.add_payment")
        and payment.transaction.actor_id == user.pk
        and now - payment.created_at <= timedelta(days=OWN_REVERSAL_DAYS)
    )


class ContactPointForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=ContactPoint.Kind.choices)
    value = forms.CharField(label="Number or address", max_length=254)
    phone_type = forms.ChoiceField(
        label="Phone type", required=False, choices=[("", "—"), *ContactPoint.PhoneType.choices]
    )
    source = forms.ChoiceField(
        label="Where it came from",
        choices=[(v, label) for v, label in ContactPoint.Source.choices if v != ContactPoint.Source.PLACEMENT],
    )


class StopForm(forms.Form):
    reason = forms.CharField(label="Why not use it", max_length=200)


class AssignForm(forms.Form):
    officer = forms.TypedChoiceField(label="Officer", coerce=int)
    reason = forms.CharField(label="Why", max_length=200)


def officer_choices(user: User) -> list[tuple[int, str]]:
    """The officers this user may give an account to, by name."""
    return [(o.pk, o.get_full_name() or o.username) for o in officers_for(user)]


@login_required
@permission_required("accounts.add_payment", raise_exception=True)
@require_POST
def record_account_payment(request: HttpRequest, account_id: int) -> HttpResponse:
    """Post a payment the officer took or received, allocated by the creditor's waterfall."""
    account, user = account_for(request, account_id)
    form = PaymentForm(request.POST)
    if not form.is_valid():
        return form_error(request, account, form, back_to="account")
    data = form.cleaned_data
    now = timezone.now()
    zone = debtor_zone(primary_debtor(account))
    # Received today: now; an earlier day: noon that day in the debtor's time (the date is what counts).
    # "Today" is the latest of the debtor's date, the office's and the creditor's: near midnight they
    # differ, and a payment received today where the officer or the creditor is must not be refused.
    today = max(now.astimezone(zone).date(), timezone.localdate(now), ledger_date(account, now))
    if data["received_on"] > today:
        messages.error(request, f"{form.fields['received_on'].label}: {data['received_on']} is in the future")
        keep_values(request, form)
        return redirect("account", account_id=account.pk)
    received_at = now if data["received_on"] == today else _noon(data["received_on"], zone)

    def action() -> str:
        try:
            amount = Money.of(data["amount"], account.currency)
        except MoneyError as exc:
            raise UnableToRecordPayment("Amount: " + str(exc).removeprefix("amount: ")) from None
        already = Payment.objects.filter(idempotency_key=data["idempotency_key"]).exists()
        payment = record_payment(
            account=account,
            amount=amount,
            received_at=received_at,
            received_on=data["received_on"],  # the business date is the day the officer gives
            method=data["method"],
            now=now,
            actor=user,
            external_reference=data["reference"].strip(),
            idempotency_key=data["idempotency_key"],
        )
        paid = Money.from_minor(payment.amount_minor, payment.currency)
        if already:
            return f"That payment of {paid} was already recorded; nothing was posted twice."
        return f"Payment of {paid} recorded."

    return run_action(request, account, action, refused=(UnableToRecordPayment,), back_to="account", form=form)


@login_required
@permission_required("accounts.add_payment", raise_exception=True)
@require_POST
def reverse_account_payment(request: HttpRequest, account_id: int, payment_id: int) -> HttpResponse:
    """Reverse a payment on this account (returned, charged back, keyed in error), with the reason; once."""
    account, user = account_for(request, account_id)
    payment = Payment.objects.select_related("transaction", "reversal").filter(pk=payment_id, account=account).first()
    if payment is None:
        raise Http404("No such payment on this account")
    form = ReversePaymentForm(request.POST)
    if not form.is_valid():
        return form_error(request, account, form, back_to="account")
    now = timezone.now()
    paid = Money.from_minor(payment.amount_minor, payment.currency)

    def action() -> str:
        if payment.reversal is not None:
            raise UnableToReversePayment(
                f"Payment {payment.pk} of {paid} was already reversed on {payment.reversal.posted_at:%d %b %Y}; "
                "nothing was reversed twice."
            )
        if not may_reverse(user, payment, now):
            raise UnableToReversePayment(
                f"Payment {payment.pk}: you may reverse only a payment you recorded yourself, within "
                f"{OWN_REVERSAL_DAYS} days of recording it; ask a team lead."
            )
        try:
            reverse_payment(payment=payment, reason=form.cleaned_data["reason"].strip(), now=now, actor=user)
        except UnableToReversePayment as exc:
            if "already reversed" in str(exc):  # reversed by someone else since this page was drawn
                raise UnableToReversePayment(
                    f"Payment {payment.pk} of {paid} was already reversed; nothing was reversed twice."
                ) from None
            raise
        return f"Payment {payment.pk} of {paid} reversed."

    return run_action(request, account, action, refused=(UnableToReversePayment,), back_to="account")


def _noon(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=zone)


@login_required
@permission_required("parties.add_contactpoint", raise_exception=True)
@require_POST
def add_account_contact_point(request: HttpRequest, account_id: int) -> HttpResponse:
    """A new phone or email for the primary debtor, with its provenance (for the gate's US-02/US-06)."""
    account, user = account_for(request, account_id)
    form = ContactPointForm(request.POST)
    if not form.is_valid():
        return form_error(request, account, form, back_to="account")
    data = form.cleaned_data
    primary = primary_debtor(account)

    def action() -> str:
        if primary is None:
            raise UnableToSaveParty("debtor: the account has no primary debtor")
        now = timezone.now()
        point = add_contact_point(
            debtor=primary,
            kind=data["kind"],
            value=data["value"],
            source=data["source"],
            obtained_date=legal_date(account, now),
            now=now,
            actor=user,
            phone_type=data["phone_type"] if data["kind"] == ContactPoint.Kind.PHONE else "",
            is_primary=not ContactPoint.objects.filter(
                debtor=primary, kind=data["kind"], is_primary=True, do_not_contact=False
            ).exists(),
            account_id=account.pk,
        )
        return f"Added {point.value}."

    return run_action(request, account, action, refused=(UnableToSaveParty,), back_to="account", form=form)


@login_required
@permission_required("parties.change_contactpoint", raise_exception=True)
@require_POST
def stop_account_contact_point(request: HttpRequest, account_id: int, point_id: int) -> HttpResponse:
    """Mark one of the account's debtors' numbers or addresses not to be used, with the reason."""
    account, user = account_for(request, account_id)
    point = ContactPoint.objects.filter(pk=point_id, debtor__account_roles__account=account).first()
    if point is None:
        raise Http404("No such number or address on this account")
    form = StopForm(request.POST)
    if not form.is_valid():
        return form_error(request, account, form, back_to="account")

    def action() -> str:
        stopped = stop_using_contact_point(
            point=point, reason=form.cleaned_data["reason"], now=timezone.now(), actor=user, account_id=account.pk
        )
        return f"{stopped.value} will not be used."

    return run_action(request, account, action, refused=(UnableToSaveParty,), back_to="account", form=form)


@login_required
@permission_required("accounts.change_account", raise_exception=True)
@require_POST
def assign_account(request: HttpRequest, account_id: int) -> HttpResponse:
    """Give the account to another officer (a team lead within their teams), with the reason."""
    account, user = account_for(request, account_id)
    form = AssignForm(request.POST)
    officer_field = form.fields["officer"]
    assert isinstance(officer_field, forms.TypedChoiceField)
    officer_field.choices = officer_choices(user)
    if not form.is_valid():
        return form_error(request, account, form, back_to="account")

    def action() -> str:
        preview = reassign(
            lead=user,
            account_ids=[account.pk],
            to_officer_id=form.cleaned_data["officer"],
            reason=form.cleaned_data["reason"],
            now=timezone.now(),
        )
        name = preview.to.get_full_name() or preview.to.username
        return f"Now worked by {name}." if preview.account_ids else f"Already worked by {name}."

    return run_action(request, account, action, refused=(UnableToReassign,), back_to="account", form=form)
