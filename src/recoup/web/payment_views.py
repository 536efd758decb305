"""The unmatched payments page: bank credits nobody could match for sure, and a person's decision on each."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from recoup.accounts.models import Account
from recoup.core.money import Money, MoneyError
from recoup.imports.bank import UnableToMatch, match_line, reject_line, split_line
from recoup.imports.models import BankLine
from recoup.web.templatetags.recoup_ui import money as shown

SPLIT_ROWS = 4


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Why is it not a collections payment?",
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "e.g. refund from a supplier, returned to sender"}),
    )


def _money(line: BankLine) -> Money:
    return Money.from_minor(line.amount_minor, line.currency)


@login_required
@permission_required("imports.view_bankline", raise_exception=True)
def unmatched_payments(request: HttpRequest) -> HttpResponse:
    """Credits waiting for a person, oldest first, with the system's best guess where it has one."""
    lines = (
        BankLine.objects.filter(status=BankLine.Status.UNMATCHED)
        .select_related("suggested_account", "suggested_account__creditor", "job")
        .order_by("booked_on", "id")
    )
    page = Paginator(lines, 50).get_page(request.GET.get("page") or "1")
    rows = [{"line": line, "amount": _money(line)} for line in page.object_list]
    recent = (
        BankLine.objects.exclude(status=BankLine.Status.UNMATCHED).exclude(decided_at=None).order_by("-decided_at")[:10]
    )
    return render(
        request,
        "web/unmatched_payments.html",
        {
            "page": page,
            "rows": rows,
            "recent": recent,
            "query_string": "",
            "can_decide": request.user.has_perm("accounts.match_payments"),
        },
    )


def _account(reference: str, line: BankLine, field: str) -> Account:
    found = list(Account.objects.select_related("creditor").filter(reference=reference.strip())[:2])
    if not found:
        raise UnableToMatch(f"{field}: no account with reference '{reference.strip()}'")
    if len(found) > 1:
        raise UnableToMatch(f"{field}: '{reference.strip()}' is the reference of accounts at several creditors")
    return found[0]


@login_required
@permission_required("imports.view_bankline", raise_exception=True)
@require_http_methods(["GET", "POST"])
def unmatched_payment(request: HttpRequest, line_id: int) -> HttpResponse:
    """One waiting credit: match it to an account, split it across several, or reject it (whoever may
    match payments); the auditor reads it."""
    can_decide = request.user.has_perm("accounts.match_payments")
    if request.method == "POST" and not can_decide:
        raise PermissionDenied
    line = BankLine.objects.select_related("suggested_account", "job").filter(pk=line_id).first()
    if line is None:
        raise Http404("No such bank line")
    reject_form = RejectForm()
    error = ""
    values: dict[str, Any] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        now = timezone.now()
        try:
            if action == "match":
                account = _account(request.POST.get("reference", ""), line, "reference")
                match_line(
                    line_id=line.pk, account=account, now=now, actor=request.user, note=request.POST.get("note", "")
                )
                messages.success(
                    request, f"Posted {shown(_money(line))} to {account.reference} ({account.creditor.name})."
                )
                return redirect("unmatched-payments")
            if action == "split":
                parts = []
                for n in range(1, SPLIT_ROWS + 1):
                    reference = request.POST.get(f"reference_{n}", "").strip()
                    amount = request.POST.get(f"amount_{n}", "").strip()
                    values[f"reference_{n}"], values[f"amount_{n}"] = reference, amount
                    if not reference and not amount:
                        continue
                    account = _account(reference, line, f"account {n}")
                    try:
                        money = Money.of(Decimal(amount.replace(",", "")), line.currency)
                    except (InvalidOperation, MoneyError, ValueError):
                        raise UnableToMatch(f"amount {n}: '{amount}' is not an amount in {line.currency}") from None
                    parts.append((account, money))
                if len(parts) < 2:
                    raise UnableToMatch("accounts: a split needs at least two accounts with amounts")
                split_line(line_id=line.pk, parts=parts, now=now, actor=request.user, note=request.POST.get("note", ""))
                messages.success(request, f"Split {shown(_money(line))} across {len(parts)} accounts.")
                return redirect("unmatched-payments")
            if action == "reject":
                reject_form = RejectForm(request.POST)
                if reject_form.is_valid():
                    reject_line(line_id=line.pk, reason=reject_form.cleaned_data["reason"], now=now, actor=request.user)
                    messages.success(
                        request, f"Rejected {shown(_money(line))} from {line.counterparty or 'an unnamed payer'}."
                    )
                    return redirect("unmatched-payments")
            else:
                error = "Choose to match, split or reject the payment."
        except UnableToMatch as exc:
            error = str(exc)
    status = 400 if error or reject_form.errors else 200
    return render(
        request,
        "web/unmatched_payment.html",
        {
            "line": line,
            "amount": _money(line),
            "can_decide": can_decide,
            "reject_form": reject_form,
            "error": error,
            "values": values,
            "split_rows": [
                (n, values.get(f"reference_{n}", ""), values.get(f"amount_{n}", "")) for n in range(1, SPLIT_ROWS + 1)
            ],
            "reference_value": request.POST.get("reference", "")
            if request.method == "POST"
            else (line.suggested_account.reference if line.suggested_account else ""),
        },
        status=status,
    )
