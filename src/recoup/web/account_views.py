"""One account's page: who owes what, how late, the latest transactions, the holds, and whether the
debtor may be contacted now on each channel (the compliance gate's answer, with its reasons)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from recoup.accounts.ledger_selectors import account_statement
from recoup.accounts.models import Account, AccountDebtor
from recoup.compliance.models import Hold
from recoup.compliance.services import UnableToContact, evaluate, limitation_for
from recoup.core.compliance import Channel, Reason
from recoup.users.models import User
from recoup.users.roles import Role

CHANNELS = [Channel.CALL, Channel.SMS, Channel.EMAIL, Channel.LETTER]


@dataclass(frozen=True)
class ChannelAnswer:
    channel: str
    allowed: bool
    reasons: tuple[Reason, ...]
    warnings: tuple[Reason, ...]
    next_allowed_local: str


def _local(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(zone)) if zone else moment
    return f"{local:%a %d %b %H:%M} {local.tzname()}"


def _may_see(user: User, account: Account) -> bool:
    if user.has_perm("accounts.change_account") or user.role is Role.AUDITOR:
        return True
    return account.assigned_officer_id == user.pk


@login_required
@permission_required("accounts.view_account", raise_exception=True)
def account_detail(request: HttpRequest, account_id: int) -> HttpResponse:
    """The account page."""
    account = Account.objects.select_related("creditor", "assigned_officer", "team").filter(pk=account_id).first()
    user = request.user
    assert isinstance(user, User)
    if account is None or not _may_see(user, account):
        raise Http404("No such account")
    now = timezone.now()
    statement = account_statement(account=account, as_of=timezone.localdate(), last_transactions=10)
    roles = list(AccountDebtor.objects.filter(account=account).select_related("debtor").order_by("role", "id"))
    primary = next((r.debtor for r in roles if r.role == AccountDebtor.Role.PRIMARY), None)
    answers: list[ChannelAnswer] = []
    gate_problem = ""
    if primary is not None:
        for channel in CHANNELS:
            try:
                evaluation = evaluate(account=account, debtor=primary, channel=channel, at=now)
            except UnableToContact as exc:
                gate_problem = str(exc)
                break
            decision = evaluation.decision
            answers.append(
                ChannelAnswer(
                    channel.value,
                    decision.allowed,
                    decision.reasons,
                    decision.warnings,
                    _local(decision.next_allowed, primary.time_zone) if not decision.allowed else "",
                )
            )
    holds = (
        Hold.objects.filter(Q(account=account) | Q(debtor__in=[r.debtor_id for r in roles]))
        .select_related("created_by", "lifted_by")
        .order_by("-starts_at", "-id")
    )
    return render(
        request,
        "web/account_detail.html",
        {
            "account": account,
            "statement": statement,
            "roles": roles,
            "primary": primary,
            "answers": answers,
            "gate_problem": gate_problem,
            "local_now": _local(now, primary.time_zone if primary else ""),
            "holds": holds,
            "limitation": limitation_for(account),
            "today": timezone.localdate(),
        },
    )
