"""The team lead's view: each officer's workload, the accounts nobody has touched for a while, and
moving accounts between officers with a preview first.

A team lead sees the officers of the teams they lead and moves only those teams' accounts, to those
officers; managers and administrators see every officer and move any account.
Every figure is one grouped query, whatever the size of the portfolio; a reassignment is one UPDATE
and one batch of audit events (one per account, naming the officer before and after).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Sum

from recoup.accounts.models import Account
from recoup.audit.events import Event
from recoup.audit.services import author_of, event_row, record_events
from recoup.compliance.models import Contact
from recoup.core.contact_rules import OPEN_STATUSES
from recoup.core.money import Money
from recoup.users.models import Team, User
from recoup.users.roles import Role
from recoup.workspace.models import Callback


class UnableToReassign(Exception):
    """The reassignment was refused; the message names the field and the reason."""


OVERSEES_EVERYONE = (Role.MANAGER, Role.ADMIN, Role.AUDITOR)


def officers_for(user: User) -> list[User]:
    """The officers whose work this user oversees."""
    officers = User.objects.filter(groups__name=Role.OFFICER.value, is_active=True)
    if user.role not in OVERSEES_EVERYONE:
        officers = officers.filter(team__lead=user)
    return list(officers.order_by("username"))


def _outside_teams(lead: User, rows: Sequence[tuple[int, int | None, int | None]], officers: set[int]) -> list[int]:
    """The accounts (id, team, officer) that are not the lead's teams' work: an account of a team they do
    not lead, assigned or not, or one of no team that is not assigned to one of their officers.
    Managers and administrators oversee every account."""
    if lead.role in OVERSEES_EVERYONE:
        return []
    led = set(Team.objects.filter(lead=lead).values_list("pk", flat=True))
    return [
        pk
        for pk, team_id, officer_id in rows
        if not (team_id in led or (team_id is None and officer_id is not None and officer_id in officers))
    ]


@dataclass(frozen=True)
class Workload:
    officer: User
    accounts: int
    owed: tuple[Money, ...]  # one per currency
    untouched: int
    callbacks_due: int


def _touched(days: int, now: datetime) -> Exists:
    """Whether the account had a contact or attempt in the last `days` days (negate for untouched)."""
    return Exists(Contact.objects.filter(account=OuterRef("pk"), at__gte=now - timedelta(days=days)))


def workloads(officers: Sequence[User], *, now: datetime, untouched_days: int = 14) -> list[Workload]:
    ids = [o.pk for o in officers]
    mine = Account.objects.filter(assigned_officer_id__in=ids, status__in=OPEN_STATUSES)
    counts = dict(mine.values("assigned_officer_id").annotate(n=Count("id")).values_list("assigned_officer_id", "n"))
    owed: dict[int, list[Money]] = defaultdict(list)
    for officer_id, currency, total in (
        mine.values("assigned_officer_id", "currency")
        .annotate(total=Sum(F("principal_minor") + F("interest_minor") + F("fees_minor") + F("costs_minor")))
        .values_list("assigned_officer_id", "currency", "total")
        .order_by("assigned_officer_id", "currency")
    ):
        owed[officer_id].append(Money.from_minor(int(total or 0), currency))
    untouched = dict(
        mine.exclude(_touched(untouched_days, now))
        .values("assigned_officer_id")
        .annotate(n=Count("id"))
        .values_list("assigned_officer_id", "n")
    )
    callbacks = dict(
        Callback.objects.filter(officer_id__in=ids, done_at__isnull=True, at__lte=now)
        .values("officer_id")
        .annotate(n=Count("id"))
        .values_list("officer_id", "n")
    )
    return [
        Workload(o, counts.get(o.pk, 0), tuple(owed.get(o.pk, [])), untouched.get(o.pk, 0), callbacks.get(o.pk, 0))
        for o in officers
    ]


def untouched_accounts(
    officers: Sequence[User], *, now: datetime, days: int = 14, limit: int = 100
) -> list[tuple[int, str, str]]:
    """(account id, reference, officer) of open accounts with no contact in `days`, largest balance first."""
    return list(
        Account.objects.filter(assigned_officer_id__in=[o.pk for o in officers], status__in=OPEN_STATUSES)
        .exclude(_touched(days, now))
        .annotate(owed=F("principal_minor") + F("interest_minor") + F("fees_minor") + F("costs_minor"))
        .order_by("-owed", "id")
        .values_list("id", "reference", "assigned_officer__username")[:limit]
    )


@dataclass(frozen=True)
class Preview:
    to: User
    account_ids: tuple[int, ...]
    from_officers: dict[str, int]  # how many come from each officer ("unassigned" for none)


def preview_reassign(*, lead: User, account_ids: Sequence[int], to_officer_id: int) -> Preview:
    """What a reassignment would do, without doing it; refuses what the lead may not move."""
    scope = officers_for(lead)
    by_id = {o.pk: o for o in scope}
    if to_officer_id not in by_id:
        raise UnableToReassign("to: choose one of the officers you lead")
    if not account_ids:
        raise UnableToReassign("accounts: choose at least one account")
    rows = list(
        Account.objects.filter(pk__in=list(account_ids)).values_list(
            "id", "assigned_officer_id", "assigned_officer__username", "team_id"
        )
    )
    if len(rows) != len(set(account_ids)):
        raise UnableToReassign("accounts: some of the chosen accounts do not exist")
    outside = [pk for pk, officer_id, _name, _team in rows if officer_id is not None and officer_id not in by_id]
    if outside:
        raise UnableToReassign(f"accounts: {len(outside)} of them belong to officers outside your teams")
    other_teams = _outside_teams(lead, [(pk, team, officer) for pk, officer, _name, team in rows], set(by_id))
    if other_teams:
        raise UnableToReassign(
            f"accounts: {len(other_teams)} of them are not your teams' accounts"
            " (another team's or no team's); a manager can assign them"
        )
    moving = tuple(sorted(pk for pk, officer_id, _name, _team in rows if officer_id != to_officer_id))
    counts: dict[str, int] = defaultdict(int)
    for _pk, officer_id, name, _team in rows:
        if officer_id != to_officer_id:
            counts[name or "unassigned"] += 1
    return Preview(by_id[to_officer_id], moving, dict(counts))


def reassign(*, lead: User, account_ids: Sequence[int], to_officer_id: int, reason: str, now: datetime) -> Preview:
    """Move the accounts to the officer: one UPDATE, and an audit event per account naming both officers."""
    if not reason.strip():
        raise UnableToReassign("reason: say why the accounts move")
    preview = preview_reassign(lead=lead, account_ids=account_ids, to_officer_id=to_officer_id)
    with transaction.atomic():
        before = dict(
            Account.objects.select_for_update()
            .filter(pk__in=list(preview.account_ids))
            .values_list("id", "assigned_officer_id")
        )
        Account.objects.filter(pk__in=list(preview.account_ids)).update(assigned_officer_id=to_officer_id)
        by = author_of(lead)
        record_events(
            event_row(
                Event.ACCOUNT_REASSIGNED,
                subject_id=pk,
                account_id=pk,
                occurred_at=now,
                by=by,
                before={"assigned_officer": before.get(pk)},
                after={"assigned_officer": to_officer_id, "reason": reason.strip()},
            )
            for pk in preview.account_ids
        )
    return preview
