"""One account's page: who owes what, how late, the latest transactions, the holds, and whether the
debtor may be contacted now on each channel (the compliance gate's answer, with its reasons)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from recoup.accounts.ledger_selectors import account_statement
from recoup.accounts.models import Account, AccountDebtor, Payment
from recoup.arrangements.models import Arrangement, Due
from recoup.communications.models import Message
from recoup.communications.services import template_choices
from recoup.compliance.extinguished import paid_after_extinction
from recoup.compliance.models import ContactWish, Hold
from recoup.compliance.services import (
    UnableToContact,
    evaluate,
    lift_hold,
    limitation_for,
    place_hold,
    record_wish,
    withdraw_wish,
)
from recoup.core.compliance import Channel, Reason
from recoup.core.compliance.limitation import EXTINCTION_NAMES, EXTINGUISHED_STILL_ALLOWED
from recoup.core.contact_rules import still_allowed
from recoup.core.money import Money
from recoup.parties.models import Debtor
from recoup.users.models import User
from recoup.web.account_action_views import (
    AssignForm,
    ContactPointForm,
    PaymentForm,
    StopForm,
    may_reverse,
    officer_choices,
)
from recoup.web.account_summary import DueNow, next_step
from recoup.web.actions import form_error, keep_values, take_kept
from recoup.web.call_views import debt_choices, other_debts
from recoup.web.templatetags.recoup_ui import money
from recoup.workspace.visibility import may_see

CHANNELS = [Channel.CALL, Channel.SMS, Channel.EMAIL, Channel.LETTER]
CHANNEL_WORDS = {"email": "email", "sms": "text", "letter": "letter"}


@dataclass(frozen=True)
class ChannelAnswer:
    channel: str
    allowed: bool
    reasons: tuple[Reason, ...]
    warnings: tuple[Reason, ...]
    next_allowed_local: str
    allowances: tuple[str, ...] = ()  # "US-08: 2 of 7 counted calls in 7 days (5 left)"


# With no zone on record the gate blocks contact on local time (docs/compliance.md, "Where the person is").
UNKNOWN_LOCAL_TIME = "not known: no address or time zone on record"


def _local(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(zone)) if zone else moment
    return f"{local:%a %d %b %H:%M} {local.tzname()}"


@dataclass(frozen=True)
class DebtAllowance:
    """A call's standing on one of the person's debts: per-debt limits are counted separately (US-08)."""

    account: Account
    this_one: bool
    allowed: bool
    allowances: tuple[str, ...]
    reasons: tuple[Reason, ...]


def _calls_per_debt(account: Account, primary: Debtor, others: list[Account], now: datetime) -> list[DebtAllowance]:
    """For the person with several debts: may they be called about each now, and how much of each
    debt's call limits is used (a call about two debts counts toward both)."""
    found: list[DebtAllowance] = []
    for debt in [account, *others]:
        evaluation = evaluate(account=debt, debtor=primary, channel=Channel.CALL, at=now)
        found.append(
            DebtAllowance(
                debt,
                debt.pk == account.pk,
                evaluation.decision.allowed,
                tuple(f"{a.rule}: {a.describe()}" for a in evaluation.allowances),
                evaluation.decision.reasons,
            )
        )
    return found


@login_required
@permission_required("accounts.view_account", raise_exception=True)
def account_detail(request: HttpRequest, account_id: int) -> HttpResponse:
    """The account page."""
    account = Account.objects.select_related("creditor", "assigned_officer", "team").filter(pk=account_id).first()
    user = request.user
    assert isinstance(user, User)
    if account is None or not may_see(user, account):
        raise Http404("No such account")
    now = timezone.now()
    statement = account_statement(account=account, as_of=timezone.localdate(), last_transactions=10)
    roles = list(AccountDebtor.objects.filter(account=account).select_related("debtor").order_by("role", "id"))
    primary = next((r.debtor for r in roles if r.role == AccountDebtor.Role.PRIMARY), None)
    answers: list[ChannelAnswer] = []
    gate_problem = ""
    several_debts = False  # the person is a party to other accounts too (the gate says, no extra query)
    period = limitation_for(account)
    if primary is not None:
        for channel in CHANNELS:
            try:
                evaluation = evaluate(account=account, debtor=primary, channel=channel, at=now, period=period)
            except UnableToContact as exc:
                gate_problem = str(exc)
                break
            decision = evaluation.decision
            several_debts = len(evaluation.debtor_accounts) > 1
            answers.append(
                ChannelAnswer(
                    channel.value,
                    decision.allowed,
                    decision.reasons,
                    decision.warnings,
                    _local(decision.next_allowed, primary.time_zone) if not decision.allowed else "",
                    tuple(f"{a.rule}: {a.describe()}" for a in evaluation.allowances),
                )
            )
    holds = list(
        Hold.objects.filter(Q(account=account) | Q(debtor__in=[r.debtor_id for r in roles]))
        .select_related("created_by", "lifted_by")
        .order_by("-starts_at", "-id")
    )
    _with_lift_requests(holds)
    from recoup.accounts.models import ChargeFreeze
    from recoup.compliance.models import Contact
    from recoup.parties.models import ContactPoint
    from recoup.web.compliance_views import legal_context
    from recoup.workspace.models import Callback

    zone = primary.time_zone if primary else ""
    contacts = [
        (contact, _local(contact.at, zone))
        for contact in Contact.objects.filter(account=account).select_related("recorded_by").order_by("-at", "-id")[:25]
    ]
    callbacks = [
        (callback, _local(callback.at, zone))
        for callback in Callback.objects.filter(account=account, done_at__isnull=True).order_by("at")
    ]
    today = timezone.localdate()
    plan = _arrangement_and_payments(account, user, now)
    forms_on_page = {**_action_forms(user, today=today), **_kept_forms(request)}
    debts = other_debts(account, user, primary) if primary is not None and several_debts else []
    forms_on_page["call_form"].fields["also_about"].choices = debt_choices(debts)
    per_debt = _calls_per_debt(account, primary, debts, now) if debts and primary is not None else []
    open_plan: OpenArrangement | None = plan["open_arrangement"]
    due = None
    if open_plan is not None and open_plan.next_due is not None and open_plan.next_amount is not None:
        due = DueNow(money(open_plan.next_amount), open_plan.next_due.due_date, open_plan.next_due.due_date < today)
    extinguished = period.extinguished_on if period.extinguished(today) else None
    extinguished_words = ""
    paid_after: list[tuple[Payment, Money]] = []
    if extinguished is not None:
        paid_after = [(p, p.amount) for p in paid_after_extinction(account, on=today, period=period)]
        place = EXTINCTION_NAMES.get((primary.country, primary.region), "") if primary else ""
        extinguished_words = f"Debt extinguished on {extinguished:%-d %b %Y} ({period.rule} {place})".replace(" )", ")")
    step = next_step(
        extinguished=extinguished_words,
        status=account.status,
        debtor_name=primary.display_name if primary else "",
        gate_problem=gate_problem,
        has_primary=primary is not None,
        answers=list(answers),
        callback_due=(callbacks[0][0].at, callbacks[0][1]) if callbacks else None,
        now=now,
        due=due,
        today=today,
    )

    return render(
        request,
        "web/account_detail.html",
        {
            **legal_context(account, timezone.localdate()),
            "contact_points": ContactPoint.objects.filter(debtor=primary).order_by("kind", "-is_primary", "id")
            if primary
            else [],
            "freezes": ChargeFreeze.objects.filter(account=account).order_by("-starts_on", "-id"),
            "may_add_notice": user.has_perm("compliance.add_notice"),
            "may_mark_notice": user.has_perm("compliance.change_notice"),
            "may_add_hardship": user.has_perm("compliance.add_hardshipnotice"),
            "may_decide_hardship": user.has_perm("compliance.change_hardshipnotice"),
            "may_add_consent": user.has_perm("compliance.add_callconsent"),
            "may_add_forbearance": user.has_perm("compliance.add_forbearance"),
            "next_step": step,
            "holds_in_force": [hold for hold in holds if hold.in_force(now)],
            "may_log_call": user.has_perm("compliance.add_contact") and not extinguished_words,
            "paid_after_extinction": paid_after,
            "may_return_paid": user.has_perm("accounts.change_account"),
            "may_override": user.has_perm("compliance.compliance_override"),
            "contacts": contacts,
            "callbacks": callbacks,
            "account": account,
            "statement": statement,
            "roles": roles,
            "primary": primary,
            "answers": answers,
            "per_debt": per_debt,
            "gate_problem": gate_problem,
            "local_now": _local(now, primary.time_zone) if primary and primary.time_zone else UNKNOWN_LOCAL_TIME,
            "holds": holds,
            "limitation": period,
            "extinguished_words": extinguished_words,
            "still_allowed": EXTINGUISHED_STILL_ALLOWED,
            "may_close_extinguished": bool(extinguished_words)
            and account.status != Account.Status.CLOSED
            and user.has_perm("accounts.change_account"),
            "today": timezone.localdate(),
            "wishes": ContactWish.objects.filter(debtor=primary, withdrawn_at__isnull=True).order_by("id")
            if primary
            else [],
            "may_place_hold": user.has_perm("compliance.add_hold"),
            "may_lift_hold": user.has_perm("compliance.change_hold"),
            "may_request_lift": user.has_perm("compliance.add_holdliftrequest"),
            "may_decide_lift": user.has_perm("compliance.change_holdliftrequest"),
            **forms_on_page,
            **plan,
            "message_templates": [
                (f"{channel}:{code}", f"{code} ({CHANNEL_WORDS[channel]})")
                for channel, code in template_choices(creditor=account.creditor)
            ]
            + (
                [("document:validation_notice", "validation notice (letter, US-12)")]
                if primary and primary.country == "US"
                else []
            )
            if user.has_perm("communications.add_message")
            else [],
            "may_email": user.has_perm("communications.add_message"),
            "recent_messages": Message.objects.filter(account=account).order_by("-created_at", "-id")[:5],
        },
    )


def _with_lift_requests(holds: list[Hold]) -> None:
    """Give each hold its open lift request (`hold.open_lift_request`, or None) and whether a lift may
    be asked for (`hold.liftable_on_request`), in one query."""
    from recoup.compliance.lift_requests import may_request
    from recoup.compliance.models import HoldLiftRequest

    open_requests = {
        r.hold_id: r
        for r in HoldLiftRequest.objects.filter(hold__in=[h.pk for h in holds], decided_at__isnull=True).select_related(
            "requested_by"
        )
    }
    for hold in holds:
        hold.still_allowed = still_allowed(hold.kind)  # type: ignore[attr-defined]
        hold.open_lift_request = open_requests.get(hold.pk)  # type: ignore[attr-defined]
        hold.liftable_on_request = may_request(hold)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class OpenArrangement:
    """The account's plan, promise or settlement in force (or waiting for approval), in brief."""

    arrangement: Arrangement
    total: Money
    paid: Money
    kept: int
    missed: int
    count: int
    next_due: Due | None
    next_amount: Money | None


def _arrangement_and_payments(account: Account, user: User, now: datetime) -> dict[str, Any]:
    """The open arrangement with its progress (two queries) and the latest payments (one, with who
    recorded each: `payment.may_reverse` says whether this user may reverse it, without a query a row)."""
    arrangement = (
        Arrangement.objects.filter(account=account, state__in=["active", "pending_approval"]).order_by("-id").first()
    )
    summary = None
    if arrangement is not None:
        dues = list(Due.objects.filter(arrangement=arrangement).order_by("number"))
        upcoming = next((d for d in dues if d.status in ("pending", "due")), None)
        summary = OpenArrangement(
            arrangement=arrangement,
            total=Money.from_minor(arrangement.total_minor, arrangement.currency),
            paid=Money.from_minor(sum(d.paid_minor for d in dues), arrangement.currency),
            kept=sum(1 for d in dues if d.status == "kept"),
            missed=sum(1 for d in dues if d.status in ("broken", "partly_kept")),
            count=len(dues),
            next_due=upcoming,
            next_amount=Money.from_minor(upcoming.amount_minor, arrangement.currency) if upcoming else None,
        )
    latest = list(
        Payment.objects.filter(account=account).select_related("transaction").order_by("-received_at", "-id")[:10]
    )
    for payment in latest:
        payment.may_reverse = may_reverse(user, payment, now)  # type: ignore[attr-defined]
    payments = [(payment, Money.from_minor(payment.amount_minor, payment.currency)) for payment in latest]
    return {"open_arrangement": summary, "payments": payments}


# The page's forms by class name: the context name each is drawn under, its id prefix, and its section.
PAGE_FORMS: dict[str, tuple[str, str, str]] = {
    "CallForm": ("call_form", "call-%s", "contact"),
    "PaymentForm": ("payment_form", "payment-%s", "money"),
    "ContactPointForm": ("contact_point_form", "contact-point-%s", "people"),
    "AssignForm": ("assign_form", "assign-%s", "assign"),
    "HoldForm": ("hold_form", "hold-%s", "holds"),
    "WishForm": ("wish_form", "wish-%s", "wishes"),
}


def _kept_forms(request: HttpRequest) -> dict[str, Any]:
    """The call, hold and wish forms, and the one refused on the last post drawn again as it was sent,
    with its errors beside the fields and its section open ("open_section")."""
    from recoup.web.call_views import CallForm

    drawn: dict[str, Any] = {
        "call_form": CallForm(auto_id="call-%s"),
        "hold_form": HoldForm(auto_id="hold-%s"),
        "wish_form": WishForm(auto_id="wish-%s"),
        "open_section": "",
    }
    kept = take_kept(request)
    if kept is None or kept[0] not in PAGE_FORMS:
        return drawn
    name, data = kept
    context_name, auto_id, section = PAGE_FORMS[name]
    classes: dict[str, type[forms.Form]] = {
        "CallForm": CallForm,
        "PaymentForm": PaymentForm,
        "ContactPointForm": ContactPointForm,
        "AssignForm": AssignForm,
        "HoldForm": HoldForm,
        "WishForm": WishForm,
    }
    if name == "PaymentForm":  # nothing was posted: the form goes again under a new key
        data = {**data, "idempotency_key": PaymentForm.fresh().initial["idempotency_key"]}
    form = classes[name](data, auto_id=auto_id)
    if name == "AssignForm":
        user = request.user
        assert isinstance(user, User)
        field = form.fields["officer"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = officer_choices(user)
    form.is_valid()  # draws each field's own error beside it; a refusal by the service is in the message
    drawn[context_name] = form
    drawn["open_section"] = section
    return drawn


def _action_forms(user: User, *, today: date) -> dict[str, Any]:
    """The page's other actions, each shown only to those who may take it."""
    assign_form = AssignForm(auto_id="assign-%s")
    choices = officer_choices(user) if user.has_perm("accounts.change_account") else []
    may_assign = bool(choices)  # leads and managers; legal changes accounts but leads no team
    field = assign_form.fields["officer"]
    assert isinstance(field, forms.TypedChoiceField)
    field.choices = choices
    payment_form = PaymentForm.fresh()
    payment_form.initial["received_on"] = today
    return {
        "payment_form": payment_form,
        "may_record_payment": user.has_perm("accounts.add_payment"),
        "contact_point_form": ContactPointForm(auto_id="contact-point-%s"),
        "may_add_contact_point": user.has_perm("parties.add_contactpoint"),
        "stop_form": StopForm(),
        "may_stop_contact_point": user.has_perm("parties.change_contactpoint"),
        "assign_form": assign_form,
        "may_assign": may_assign,
    }


class HoldForm(forms.Form):
    kind = forms.ChoiceField(label="Hold", choices=Hold.Kind.choices)
    on = forms.ChoiceField(
        label="On",
        choices=[("account", "This account"), ("debtor", "The person (all their accounts)")],
        initial="account",
    )
    channel = forms.ChoiceField(
        label="Channel (do not contact only)",
        required=False,
        choices=[
            ("", "—"),
            *[(c.value, c.value.upper() if c is Channel.SMS else c.value.capitalize()) for c in Channel],
        ],
    )
    reason = forms.CharField(label="Reason", max_length=1000, widget=forms.TextInput())
    evidence = forms.CharField(label="Evidence", required=False, max_length=1000, help_text="Letter, call note, order.")
    ends_on = forms.DateField(
        label="Ends",
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: until lifted.",
    )


class LiftForm(forms.Form):
    reason = forms.CharField(label="Why lift it", max_length=1000)


@login_required
@permission_required("compliance.add_hold", raise_exception=True)
@require_POST
def place_account_hold(request: HttpRequest, account_id: int) -> HttpResponse:
    """Place a hold from the account page; errors come back as a message naming the field."""
    account = Account.objects.filter(pk=account_id).first()
    user = request.user
    assert isinstance(user, User)
    if account is None or not may_see(user, account):
        raise Http404("No such account")
    form = HoldForm(request.POST)
    if not form.is_valid():
        return form_error(request, account, form, back_to="account")
    data = form.cleaned_data
    primary = AccountDebtor.objects.filter(account=account, role=AccountDebtor.Role.PRIMARY).first()
    now = timezone.now()
    ends_at = (
        datetime.combine(data["ends_on"], time(0, 0), tzinfo=timezone.get_current_timezone())
        if data["ends_on"]
        else None
    )
    try:
        hold = place_hold(
            kind=data["kind"],
            reason=data["reason"],
            evidence=data["evidence"],
            channel=data["channel"],
            starts_at=now,
            ends_at=ends_at,
            now=now,
            actor=user,
            account=account if data["on"] == "account" else None,
            debtor=primary.debtor if data["on"] == "debtor" and primary else None,
        )
    except UnableToContact as exc:
        messages.error(request, str(exc))
        keep_values(request, form)
    else:
        messages.success(request, f"Placed a {hold.get_kind_display().lower()} hold.")
    return redirect("account", account_id=account.pk)


@login_required
@permission_required("compliance.change_hold", raise_exception=True)
@require_POST
def lift_account_hold(request: HttpRequest, account_id: int, hold_id: int) -> HttpResponse:
    account = Account.objects.filter(pk=account_id).first()
    user = request.user
    assert isinstance(user, User)
    if account is None or not may_see(user, account):
        raise Http404("No such account")
    debtors = AccountDebtor.objects.filter(account=account).values("debtor_id")
    hold = Hold.objects.filter(Q(account=account) | Q(debtor__in=debtors), pk=hold_id).first()  # as the page lists them
    if hold is None:
        raise Http404("No such hold")
    form = LiftForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Why lift the {hold.get_kind_display().lower()} hold: say why it is lifted.")
        return redirect("account", account_id=account.pk)
    try:
        lift_hold(hold=hold, reason=form.cleaned_data["reason"], now=timezone.now(), actor=request.user)
    except UnableToContact as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Lifted the {hold.get_kind_display().lower()} hold.")
    return redirect("account", account_id=account.pk)


class WishForm(forms.Form):
    channel = forms.ChoiceField(
        label="Channel",
        required=False,
        choices=[("", "Any channel"), ("call", "Call"), ("sms", "SMS"), ("email", "Email"), ("visit", "Visit")],
    )
    weekdays = forms.TypedMultipleChoiceField(
        label="Days",
        coerce=int,
        choices=[(i, name) for i, name in enumerate(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])],
        widget=forms.CheckboxSelectMultiple,
    )
    starts = forms.TimeField(label="From", widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label="Until", widget=forms.TimeInput(attrs={"type": "time"}))
    note = forms.CharField(label="What they said", required=False, max_length=1000)


@login_required
@permission_required("compliance.add_hold", raise_exception=True)
@require_POST
def record_account_wish(request: HttpRequest, account_id: int) -> HttpResponse:
    """Record when the primary debtor wants to be contacted."""
    account = Account.objects.filter(pk=account_id).first()
    user = request.user
    assert isinstance(user, User)
    if account is None or not may_see(user, account):
        raise Http404("No such account")
    primary = AccountDebtor.objects.filter(account=account, role=AccountDebtor.Role.PRIMARY).first()
    form = WishForm(request.POST)
    if primary is None:
        messages.error(request, "The account has no primary debtor, so there is nobody to record a wish for.")
        return redirect("account", account_id=account.pk)
    if not form.is_valid():
        return form_error(request, account, form, back_to="account")
    data = form.cleaned_data
    try:
        record_wish(
            debtor=primary.debtor,
            weekdays=data["weekdays"],
            starts=data["starts"],
            ends=data["ends"],
            channel=data["channel"],
            note=data["note"],
            now=timezone.now(),
            actor=user,
        )
    except UnableToContact as exc:
        messages.error(request, str(exc))
        keep_values(request, form)
    else:
        messages.success(request, "Recorded when they want to be contacted.")
    return redirect("account", account_id=account.pk)


@login_required
@permission_required("compliance.add_hold", raise_exception=True)
@require_POST
def withdraw_account_wish(request: HttpRequest, account_id: int, wish_id: int) -> HttpResponse:
    account = Account.objects.filter(pk=account_id).first()
    user = request.user
    assert isinstance(user, User)
    if account is None or not may_see(user, account):
        raise Http404("No such account")
    debtors = AccountDebtor.objects.filter(account=account).values("debtor_id")
    wish = ContactWish.objects.filter(pk=wish_id, debtor__in=debtors, withdrawn_at__isnull=True).first()
    if wish is None:
        raise Http404("No such wish")
    withdraw_wish(wish=wish, now=timezone.now(), actor=request.user)
    messages.success(request, "Withdrawn.")
    return redirect("account", account_id=account_id)
