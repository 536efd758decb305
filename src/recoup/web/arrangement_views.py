"""An account's plans, promises and settlements: make one, see each due kept or broken, approve or cancel.

Team leads cancel any; the officer the account is assigned to cancels its plans and promises (a
settlement, agreed at a discount, stays a team lead's to cancel). Changing a plan is agreeing a new
one: it replaces the open one, which stays on record as replaced."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from recoup.accounts.models import Account
from recoup.arrangements.models import Arrangement, Due
from recoup.arrangements.services import (
    PlanRequest,
    UnableToArrange,
    approve,
    cancel,
    create_plan,
    create_promise,
    policy_for,
)
from recoup.core.arrangements import Frequency
from recoup.core.money import Money, MoneyError, entered_amount
from recoup.users.models import User
from recoup.web.actions import account_for, form_error, run_action
from recoup.web.forms import MoneyAmountField

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class PlanForm(forms.Form):
    frequency = forms.ChoiceField(
        label="Every",
        choices=[("weekly", "Week"), ("fortnightly", "Two weeks"), ("four_weekly", "Four weeks"), ("monthly", "Month")],
        initial="monthly",
    )
    first_due = forms.DateField(label="First payment", input_formats=["%Y-%m-%d"], widget=DATE_INPUT)
    count = forms.IntegerField(label="Number of payments", required=False, min_value=1, max_value=600)
    instalment = MoneyAmountField(label="Or: amount of each", required=False)
    total = MoneyAmountField(label="Total", required=False, help_text="Empty: the whole balance.")
    down_payment = MoneyAmountField(label="Down payment", required=False)
    freeze_charges = forms.BooleanField(label="Freeze interest and fees while kept", required=False)
    approval_reason = forms.CharField(
        label="Reason, if outside policy", required=False, max_length=1000, help_text="A team lead approves it."
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if bool(data.get("count")) == bool(data.get("instalment")):
            self.add_error("count", "Give the number of payments or the amount of each, not both.")
        return data


class SettlementForm(forms.Form):
    amount = MoneyAmountField(label="Settle for")
    on = forms.DateField(label="Paid by", input_formats=["%Y-%m-%d"], widget=DATE_INPUT)
    approval_reason = forms.CharField(
        label="Reason, if above your authority", required=False, max_length=1000, help_text="Approval follows."
    )


class PromiseForm(forms.Form):
    amount = MoneyAmountField(label="Amount")
    on = forms.DateField(label="On", input_formats=["%Y-%m-%d"], widget=DATE_INPUT)
    channel = forms.ChoiceField(
        label="Taken by", choices=[("call", "Call"), ("sms", "SMS"), ("email", "Email"), ("letter", "Letter")]
    )


# What the officer an account is assigned to may cancel on it (team leads: anything open).
OFFICER_CANCELS = (Arrangement.Kind.PLAN, Arrangement.Kind.PROMISE)


def _works(user: User, account: Account) -> bool:
    """Whether `user` is the officer the account is assigned to (and may make arrangements)."""
    return account.assigned_officer_id == user.pk and user.has_perm("arrangements.add_arrangement")


def may_cancel(user: User, account: Account, arrangement: Arrangement) -> bool:
    if not arrangement.is_open:
        return False
    if user.has_perm("arrangements.change_arrangement"):
        return True
    return _works(user, account) and arrangement.kind in OFFICER_CANCELS


def _money(value: Decimal | None, account: Account) -> Money | None:
    return Money.of(value, account.currency) if value is not None else None


@login_required
@permission_required("arrangements.view_arrangement", raise_exception=True)
def arrangements_page(request: HttpRequest, account_id: int) -> HttpResponse:
    account, user = account_for(request, account_id)
    today = timezone.localdate()
    arrangements = list(
        Arrangement.objects.filter(account=account)
        .select_related("created_by", "approved_by")
        # In number order: PostgreSQL returns rows in no particular order, and a paid due moves on disk.
        .prefetch_related(Prefetch("dues", queryset=Due.objects.order_by("number")))
        .order_by("-created_at", "-id")
    )
    open_now = next((a for a in arrangements if a.is_open), None)
    try:
        policy = policy_for(account)
        policy_problem = ""
    except UnableToArrange as exc:
        policy, policy_problem = None, str(exc)
    return render(
        request,
        "web/arrangements.html",
        {
            "account": account,
            "arrangements": [
                (
                    a,
                    [
                        (d, Money.from_minor(d.amount_minor, a.currency), Money.from_minor(d.paid_minor, a.currency))
                        for d in a.dues.all()
                    ],
                    may_cancel(user, account, a),
                )
                for a in arrangements
            ],
            "plan_form": PlanForm(initial={"first_due": today}, auto_id="plan-%s"),
            "promise_form": PromiseForm(initial={"on": today}, auto_id="promise-%s"),
            "settlement_form": SettlementForm(initial={"on": today}, auto_id="settlement-%s"),
            "policy": policy,
            "policy_problem": policy_problem,
            "may_add": user.has_perm("arrangements.add_arrangement"),
            "may_approve": user.has_perm("arrangements.approve_arrangement"),
            "open_arrangement": open_now,
        },
    )


@login_required
@permission_required("arrangements.add_arrangement", raise_exception=True)
@require_POST
def add_plan(request: HttpRequest, account_id: int) -> HttpResponse:
    account, user = account_for(request, account_id)
    form = PlanForm(request.POST)
    if not form.is_valid():
        return form_error(request, account, form, back_to="account-arrangements")
    data = form.cleaned_data

    def action() -> str:
        plan = create_plan(
            account=account,
            request=PlanRequest(
                frequency=Frequency(data["frequency"]),
                first_due=data["first_due"],
                count=data["count"],
                instalment=_money(data["instalment"], account),
                total=_money(data["total"], account),
                down_payment=_money(data["down_payment"], account),
                freeze_charges=data["freeze_charges"],
                approval_reason=data["approval_reason"],
            ),
            now=timezone.now(),
            actor=user,
        )
        if plan.state == Arrangement.State.PENDING_APPROVAL:
            return f"Plan {plan.pk} is waiting for a team lead's approval."
        return f"Plan {plan.pk} agreed: {plan.dues.count()} payments."

    return run_action(request, account, action, refused=(UnableToArrange, MoneyError), back_to="account-arrangements")


@login_required
@permission_required("arrangements.add_arrangement", raise_exception=True)
@require_POST
def add_promise(request: HttpRequest, account_id: int) -> HttpResponse:
    account, user = account_for(request, account_id)
    form = PromiseForm(request.POST)
    if not form.is_valid():
        return form_error(request, account, form, back_to="account-arrangements")
    data = form.cleaned_data

    def action() -> str:
        amount = Money.of(data["amount"], account.currency)
        create_promise(
            account=account, amounts=[(data["on"], amount)], channel=data["channel"], now=timezone.now(), actor=user
        )
        return f"Recorded the promise of {amount} on {data['on']:%d %b %Y}."

    return run_action(request, account, action, refused=(UnableToArrange, MoneyError), back_to="account-arrangements")


@login_required
@permission_required("arrangements.add_arrangement", raise_exception=True)
@require_POST
def add_settlement(request: HttpRequest, account_id: int) -> HttpResponse:
    from recoup.arrangements.services import create_settlement

    account, user = account_for(request, account_id)
    form = SettlementForm(request.POST)
    if not form.is_valid():
        return form_error(request, account, form, back_to="account-arrangements")
    data = form.cleaned_data

    def action() -> str:
        amount = Money.of(data["amount"], account.currency)
        settlement = create_settlement(
            account=account,
            amounts=[(data["on"], amount)],
            approval_reason=data["approval_reason"],
            now=timezone.now(),
            actor=user,
        )
        if settlement.state == Arrangement.State.PENDING_APPROVAL:
            return f"Settlement {settlement.pk} for {amount} is waiting for approval."
        return f"Settlement {settlement.pk} agreed: {amount} by {data['on']:%d %b %Y}."

    return run_action(request, account, action, refused=(UnableToArrange, MoneyError), back_to="account-arrangements")


@login_required
@permission_required("arrangements.approve_arrangement", raise_exception=True)
@require_POST
def approve_arrangement(request: HttpRequest, account_id: int, arrangement_id: int) -> HttpResponse:
    account, user = account_for(request, account_id)
    arrangement = Arrangement.objects.filter(pk=arrangement_id, account=account).first()
    if arrangement is None:
        raise Http404("No such arrangement")

    def action() -> str:
        approve(arrangement=arrangement, now=timezone.now(), actor=user, note=request.POST.get("note", ""))
        return f"Approved {arrangement.get_kind_display().lower()} {arrangement.pk}."

    return run_action(request, account, action, refused=(UnableToArrange, MoneyError), back_to="account-arrangements")


@login_required
@require_POST
def cancel_arrangement(request: HttpRequest, account_id: int, arrangement_id: int) -> HttpResponse:
    """Cancel an open arrangement with the reason: team leads any, the account's officer its plans and promises."""
    account, user = account_for(request, account_id)
    if not (user.has_perm("arrangements.change_arrangement") or _works(user, account)):
        raise PermissionDenied
    arrangement = Arrangement.objects.filter(pk=arrangement_id, account=account).first()
    if arrangement is None:
        raise Http404("No such arrangement")

    def action() -> str:
        if (
            arrangement.is_open
            and not user.has_perm("arrangements.change_arrangement")
            and arrangement.kind not in OFFICER_CANCELS
        ):
            raise UnableToArrange(
                f"arrangement: {arrangement.get_kind_display().lower()} {arrangement.pk} is cancelled by a team lead"
            )
        cancel(arrangement=arrangement, reason=request.POST.get("reason", ""), now=timezone.now(), actor=user)
        return f"Cancelled {arrangement.get_kind_display().lower()} {arrangement.pk}."

    return run_action(request, account, action, refused=(UnableToArrange, MoneyError), back_to="account-arrangements")


@login_required
@permission_required("arrangements.view_arrangement", raise_exception=True)
def arrangement_letter(request: HttpRequest, account_id: int, arrangement_id: int) -> HttpResponse:
    """The confirmation letter as a PDF download; audited (who produced which letter when)."""
    from recoup.arrangements.letters import letter_pdf
    from recoup.audit.events import Event
    from recoup.audit.services import record_event

    account, user = account_for(request, account_id)
    arrangement = (
        Arrangement.objects.filter(pk=arrangement_id, account=account).select_related("account__creditor").first()
    )
    if arrangement is None:
        raise Http404("No such arrangement")
    now = timezone.now()
    try:
        pdf = letter_pdf(arrangement, today=timezone.localdate())
    except UnableToArrange as exc:
        messages.error(request, f"The letter cannot be made: {exc}")
        return redirect("account-arrangements", account_id=account.pk)
    record_event(
        event=Event.LETTER_PRODUCED,
        subject_id=arrangement.pk,
        account_id=account.pk,
        occurred_at=now,
        actor=user,
        after={"bytes": len(pdf)},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{account.reference}-arrangement-{arrangement.pk}.pdf"'
    return response


@login_required
@permission_required("arrangements.view_arrangement", raise_exception=True)
def affordability_page(request: HttpRequest, account_id: int) -> HttpResponse:
    """The income and expenditure form (SFS categories) and the statements recorded before."""
    from recoup.arrangements.models import Affordability
    from recoup.arrangements.services import record_affordability
    from recoup.core.arrangements.affordability import CATEGORIES, GROUP_LABELS, GUIDELINE_GROUPS, Section

    account, user = account_for(request, account_id)
    if request.method == "POST":
        if not user.has_perm("arrangements.add_arrangement"):
            raise PermissionDenied
        post = request.POST
        amounts: dict[str, Money] = {}
        for key in post:
            text = str(post.get(key, "")).strip()
            if not key.startswith("amount-") or not text:
                continue
            try:
                amounts[key[len("amount-") :]] = entered_amount(text, account.currency)
            except MoneyError as exc:
                label = key[len("amount-") :].replace("_", " ")
                messages.error(
                    request, f"{label}: '{text[:40]}' is not an amount ({str(exc).removeprefix('amount: ')})"
                )
                return redirect("account-affordability", account_id=account.pk)
        try:
            adults, children = int(post.get("adults", "1") or 1), int(post.get("children", "0") or 0)
            share = Decimal(post.get("debt_share", "100") or "100")
        except (InvalidOperation, ValueError):
            messages.error(request, "Adults, children and the share of this debt must be whole numbers.")
            return redirect("account-affordability", account_id=account.pk)
        if not (1 <= adults <= 20 and 0 <= children <= 20 and share.is_finite() and 0 < share <= 100):
            messages.error(request, "Adults must be 1 to 20, children 0 to 20, and the share of this debt 1 to 100%.")
            return redirect("account-affordability", account_id=account.pk)
        share = share / 100

        def action() -> str:
            recorded = record_affordability(
                account=account,
                adults=adults,
                children=children,
                amounts=amounts,
                debt_share=share,
                frequency=post.get("frequency", "monthly"),
                reasons={group: post.get(f"reason-{group}", "") for group in GUIDELINE_GROUPS},
                note=post.get("note", ""),
                now=timezone.now(),
                actor=user,
            )
            if recorded.suggested_minor is None:
                return "Recorded. Nothing is left to pay with: consider a token payment and free debt advice."
            suggested = Money.from_minor(recorded.suggested_minor, account.currency)
            return f"Recorded. Suggested payment: {suggested} ({recorded.frequency})."

        return run_action(request, account, action, refused=(UnableToArrange,), back_to="account-affordability")
    statements = Affordability.objects.filter(account=account).select_related("created_by").order_by("-created_at")[:5]
    return render(
        request,
        "web/affordability.html",
        {
            "account": account,
            "sections": [(section.value.replace("_", " ").capitalize(), CATEGORIES[section]) for section in Section],
            "groups": [(group, GROUP_LABELS[group]) for group in GUIDELINE_GROUPS],
            "statements": [
                (
                    s,
                    Money.from_minor(s.income_minor, s.currency),
                    Money.from_minor(s.disposable_minor, s.currency),
                    Money.from_minor(s.suggested_minor, s.currency) if s.suggested_minor is not None else None,
                )
                for s in statements
            ],
            "may_add": user.has_perm("arrangements.add_arrangement"),
        },
    )
