"""An officer's work queue: which of their accounts to work next, and why, in an order they can read.

Tiers, highest first (issue 7): a callback the person asked for that is due; a promise or instalment due
today or missed in the last 7 days; then every other open account assigned to them, the largest balance
first (the expected value, until strategies and scores give a better one). Each tier is one query over
the whole portfolio, never a query per account. `claim_next` takes the first account nobody else is
working and leases it for 15 minutes, so two officers never work the same account at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from recoup.accounts.models import Account
from recoup.arrangements.models import Due
from recoup.audit.services import record_event
from recoup.core.money import Money
from recoup.users.models import User
from recoup.workspace.models import AccountLease, Callback

OPEN_STATUSES = ("active", "in_arrangement")
LEASE = timedelta(minutes=15)
CALLBACK_AHEAD = timedelta(minutes=15)  # a callback shows as due a little before its time
MISSED_DAYS = 7


@dataclass(frozen=True)
class QueueEntry:
    account_id: int
    reference: str
    tier: int  # 1 callback, 2 promise or instalment, 3 the rest
    reason: str
    worked_by: str = ""  # someone else's lease, if any


def queue_for(officer: User, *, now: datetime, limit: int = 50) -> list[QueueEntry]:
    """The officer's queue, highest priority first; accounts leased to someone else are marked."""
    mine = Account.objects.filter(assigned_officer=officer, status__in=OPEN_STATUSES)
    entries: dict[int, QueueEntry] = {}
    for account_id, reference, at in (
        Callback.objects.filter(done_at__isnull=True, at__lte=now + CALLBACK_AHEAD)
        .filter(Q(officer=officer) | Q(account__in=mine))
        .order_by("at")
        .values_list("account_id", "account__reference", "at")
    ):
        entries.setdefault(account_id, QueueEntry(account_id, reference, 1, f"Callback due {at:%d %b %H:%M} UTC"))
    today = now.date()
    dues = (
        Due.objects.filter(arrangement__account__in=mine, arrangement__state="active")
        .filter(
            Q(status="due")
            | Q(status="pending", due_date=today)
            | Q(status__in=["broken", "partly_kept"], due_date__gte=today - timedelta(days=MISSED_DAYS))
        )
        .order_by("due_date")
        .values_list(
            "arrangement__account_id",
            "arrangement__account__reference",
            "arrangement__kind",
            "status",
            "due_date",
            "amount_minor",
            "arrangement__currency",
        )
    )
    for account_id, reference, kind, status, on, minor, currency in dues:
        amount = Money.from_minor(minor, currency)
        what = "Promise" if kind == "promise" else "Instalment"
        reason = (
            f"{what} of {amount} missed ({on:%d %b})"
            if status in ("broken", "partly_kept")
            else f"{what} of {amount} due {on:%d %b}"
        )
        entries.setdefault(account_id, QueueEntry(account_id, reference, 2, reason))
    rest = (
        mine.exclude(pk__in=list(entries))
        .annotate(owed=F("principal_minor") + F("interest_minor") + F("fees_minor") + F("costs_minor"))
        .filter(owed__gt=0)
        .order_by("-owed", "id")
        .values_list("id", "reference", "owed", "currency")[: max(limit - len(entries), 0)]
    )
    for account_id, reference, owed, currency in rest:
        entries[account_id] = QueueEntry(account_id, reference, 3, f"Owes {Money.from_minor(owed, currency)}")
    ordered = sorted(entries.values(), key=lambda e: e.tier)[:limit]
    leased = dict(
        AccountLease.objects.filter(account_id__in=[e.account_id for e in ordered], until__gt=now)
        .exclude(officer=officer)
        .values_list("account_id", "officer__username")
    )
    return [
        QueueEntry(e.account_id, e.reference, e.tier, e.reason, leased.get(e.account_id, ""))
        if e.account_id in leased
        else e
        for e in ordered
    ]


def claim_next(officer: User, *, now: datetime) -> QueueEntry | None:
    """Lease the highest account in the queue that nobody else is working; None when there is none."""
    for entry in queue_for(officer, now=now, limit=200):
        if entry.worked_by:
            continue
        try:
            with transaction.atomic():
                lease = AccountLease.objects.select_for_update().filter(account_id=entry.account_id).first()
                if lease is not None and lease.until > now and lease.officer_id != officer.pk:
                    continue  # someone took it a moment ago
                AccountLease.objects.update_or_create(
                    account_id=entry.account_id, defaults={"officer": officer, "until": now + LEASE}
                )
                record_event(
                    name="workspace.account.claimed",
                    subject_type="account",
                    subject_id=entry.account_id,
                    account_id=entry.account_id,
                    occurred_at=now,
                    actor=officer,
                    after={"until": (now + LEASE).isoformat(), "reason": entry.reason},
                )
        except IntegrityError:
            continue  # another officer's lease landed first
        return entry
    return None
