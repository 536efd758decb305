"""Reading staff users, their roles and teams."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db.models import Count, Q

from recoup.users.models import Team, User
from recoup.users.roles import ROLE_LABELS, Role


@dataclass(frozen=True)
class RoleCount:
    """How many active users hold one role."""

    role: Role
    label: str
    count: int


@dataclass(frozen=True)
class TeamRow:
    """A team, its lead's name and how many active members it has."""

    id: int
    name: str
    lead_name: str
    member_count: int


def user_counts_by_role() -> list[RoleCount]:
    """Active users per role, every role listed (zeros included), in the order of `Role`. One query."""
    counted = dict(
        Group.objects.filter(name__in=[role.value for role in Role])
        .annotate(n=Count("user", filter=Q(user__is_active=True)))
        .values_list("name", "n")
    )
    return [RoleCount(role, ROLE_LABELS[role], counted.get(role.value, 0)) for role in Role]


def active_user_count() -> int:
    """How many users may sign in."""
    return User.objects.filter(is_active=True).count()


def teams_overview() -> list[TeamRow]:
    """Every team by name with its lead and active member count. One query."""
    teams = (
        Team.objects.select_related("lead")
        .annotate(member_count=Count("members", filter=Q(members__is_active=True)))
        .order_by("name", "id")
    )
    return [
        TeamRow(
            id=team.pk,
            name=team.name,
            lead_name=(team.lead.get_full_name() or team.lead.username) if team.lead else "",
            member_count=team.member_count,
        )
        for team in teams
    ]


def teams_of_lead(*, user: User) -> list[Team]:
    """The teams a user leads, or failing that the team they belong to, by name."""
    led = list(Team.objects.filter(lead=user).order_by("name", "id"))
    if led:
        return led
    return list(Team.objects.filter(members=user).order_by("name", "id"))
