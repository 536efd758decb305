"""Which accounts a member of staff may see (officers see their team's accounts, legal sees
escalated ones, auditors read everything). One rule, used by every page and action that shows or
changes an account, and applied in SQL for lists."""

from __future__ import annotations

from django.db.models import Q

from recoup.accounts.models import Account
from recoup.users.models import User
from recoup.users.roles import Role

SEES_EVERYTHING = (Role.ADMIN, Role.MANAGER, Role.TEAM_LEAD, Role.AUDITOR)


def visible_accounts(user: User) -> Q | None:
    """A filter on accounts for what `user` may see; None means every account.

    - administrators, collection managers, team leads and auditors: every account;
    - officers: the accounts assigned to them and those of their team (to cover a colleague's callback);
    - legal: escalated accounts (status legal) and any assigned to them;
    - anyone else: none.
    """
    role = user.role
    if role in SEES_EVERYTHING or user.is_superuser:
        return None
    mine = Q(assigned_officer=user)
    if role is Role.OFFICER:
        return mine | Q(team_id=user.team_id) if user.team_id else mine
    if role is Role.LEGAL:
        return mine | Q(status=Account.Status.LEGAL)
    return Q(pk__in=[])


def may_see(user: User, account: Account) -> bool:
    """Whether `user` may see this account (the same rule as `visible_accounts`, without a query)."""
    role = user.role
    if role in SEES_EVERYTHING or user.is_superuser:
        return True
    if account.assigned_officer_id == user.pk:
        return True
    if role is Role.OFFICER:
        return user.team_id is not None and account.team_id == user.team_id
    if role is Role.LEGAL:
        return account.status == Account.Status.LEGAL
    return False
