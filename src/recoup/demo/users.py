"""Demo staff: one sign-in user per role, three teams and a realistic bench of officers.

The six sign-in users (officer, teamlead, manager, legal, admin, auditor) get random strong
passwords, returned once to the caller. The other staff are synthetic colleagues who cannot sign in
(unusable passwords); they exist so that accounts spread over teams the way they would in a real
collections department. Running it again creates only what is missing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from recoup.audit.events import Event
from recoup.audit.services import record_event
from recoup.demo.reference_data import COMMERCIAL_TEAM, DEMO_TEAMS, EARLY_STAGE_TEAM, LATE_STAGE_TEAM
from recoup.users.models import Team, User
from recoup.users.roles import Role, sync_role_groups
from recoup.users.services import create_team, create_user

PASSWORD_BYTES = 15


@dataclass(frozen=True)
class DemoCredential:
    """A demo user who can sign in, with the password generated for them (shown once)."""

    username: str
    role: Role
    password: str = field(repr=False)
    team: str | None = None


@dataclass(frozen=True)
class _Staff:
    username: str
    role: Role
    first_name: str
    last_name: str
    team: str | None = None
    leads: bool = False


SIGN_IN_STAFF: tuple[_Staff, ...] = (
    _Staff("officer", Role.OFFICER, "Sam", "Rivera", EARLY_STAGE_TEAM),
    _Staff("teamlead", Role.TEAM_LEAD, "Taylor", "Brooks", EARLY_STAGE_TEAM, leads=True),
    _Staff("manager", Role.MANAGER, "Morgan", "Patel"),
    _Staff("legal", Role.LEGAL, "Jordan", "Okafor"),
    _Staff("admin", Role.ADMIN, "Alex", "Kim"),
    _Staff("auditor", Role.AUDITOR, "Casey", "Nguyen"),
)

SYNTHETIC_STAFF: tuple[_Staff, ...] = (
    _Staff("p.shah", Role.OFFICER, "Priya", "Shah", EARLY_STAGE_TEAM),
    _Staff("d.murphy", Role.OFFICER, "Daniel", "Murphy", EARLY_STAGE_TEAM),
    _Staff("g.okonkwo", Role.OFFICER, "Grace", "Okonkwo", EARLY_STAGE_TEAM),
    _Staff("l.hernandez", Role.OFFICER, "Luis", "Hernandez", EARLY_STAGE_TEAM),
    _Staff("e.walsh", Role.OFFICER, "Emma", "Walsh", EARLY_STAGE_TEAM),
    _Staff("r.osei", Role.TEAM_LEAD, "Rachel", "Osei", LATE_STAGE_TEAM, leads=True),
    _Staff("t.becker", Role.OFFICER, "Tom", "Becker", LATE_STAGE_TEAM),
    _Staff("a.rahman", Role.OFFICER, "Aisha", "Rahman", LATE_STAGE_TEAM),
    _Staff("b.carter", Role.OFFICER, "Ben", "Carter", LATE_STAGE_TEAM),
    _Staff("m.rossi", Role.OFFICER, "Mia", "Rossi", LATE_STAGE_TEAM),
    _Staff("k.mensah", Role.OFFICER, "Kwame", "Mensah", LATE_STAGE_TEAM),
    _Staff("d.lindqvist", Role.TEAM_LEAD, "David", "Lindqvist", COMMERCIAL_TEAM, leads=True),
    _Staff("c.evans", Role.OFFICER, "Chloe", "Evans", COMMERCIAL_TEAM),
    _Staff("h.stewart", Role.OFFICER, "Hamish", "Stewart", COMMERCIAL_TEAM),
)


def create_demo_users(*, now: datetime) -> list[DemoCredential]:
    """Create the demo teams, one sign-in user per role and the synthetic officers that are missing.

    Returns the credentials of the sign-in users created by this call (existing usernames are
    skipped, so a second call returns an empty list). Every user and team gets its audit event.
    """
    with transaction.atomic():
        teams = {name: _team(name=name, now=now) for name in DEMO_TEAMS}
        taken = {name.lower() for name in User.objects.values_list("username", flat=True)}
        credentials: list[DemoCredential] = []
        for staff in SIGN_IN_STAFF:
            if staff.username in taken:
                continue
            password = strong_password(username=staff.username)
            create_user(
                username=staff.username,
                role=staff.role,
                password=password,
                now=now,
                email=f"{staff.username}@example.com",
                first_name=staff.first_name,
                last_name=staff.last_name,
                team=teams[staff.team] if staff.team else None,
            )
            credentials.append(
                DemoCredential(username=staff.username, role=staff.role, password=password, team=staff.team)
            )
        _create_synthetic_staff(
            [staff for staff in SYNTHETIC_STAFF if staff.username not in taken], teams=teams, now=now
        )
        _assign_leads(teams=teams, now=now)
    return credentials


def strong_password(*, username: str) -> str:
    """A random password that passes the configured password validators for `username`."""
    candidate = User(username=username)
    while True:
        password = secrets.token_urlsafe(PASSWORD_BYTES)
        try:
            validate_password(password, user=candidate)
        except ValidationError:
            continue
        return password


def _team(*, name: str, now: datetime) -> Team:
    existing = Team.objects.filter(name=name).first()
    return existing if existing is not None else create_team(name=name, now=now)


def _create_synthetic_staff(staff: list[_Staff], *, teams: dict[str, Team], now: datetime) -> None:
    """Create colleagues who cannot sign in, in one insert, each with a `users.user.created` event."""
    if not staff:
        return
    if Group.objects.filter(name__in=[role.value for role in Role]).count() < len(Role):
        sync_role_groups()
    groups = {group.name: group for group in Group.objects.filter(name__in=[role.value for role in Role])}
    users = []
    for member in staff:
        user = User(
            username=member.username,
            first_name=member.first_name,
            last_name=member.last_name,
            email=f"{member.username}@example.com",
            team=teams[member.team] if member.team else None,
            date_joined=now,
        )
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users)
    created = list(User.objects.filter(username__in=[member.username for member in staff]).order_by("pk"))
    by_name = {user.username: user for user in created}
    membership = User.groups.through
    membership.objects.bulk_create(
        [membership(user_id=by_name[member.username].pk, group_id=groups[member.role.value].pk) for member in staff]
    )
    for member in staff:
        record_event(
            event=Event.USER_CREATED,
            subject_id=by_name[member.username].pk,
            occurred_at=now,
            actor=None,
            after={"username": member.username, "role": member.role.value, "team": member.team},
        )


def _assign_leads(*, teams: dict[str, Team], now: datetime) -> None:
    """Give each demo team without a lead the demo lead named for it."""
    for member in (*SIGN_IN_STAFF, *SYNTHETIC_STAFF):
        if not member.leads or member.team is None:
            continue
        team = teams[member.team]
        if team.lead_id is not None:
            continue
        lead = User.objects.filter(username=member.username).first()
        if lead is None:
            continue
        team.lead = lead
        team.save(update_fields=["lead"])
        record_event(
            event=Event.TEAM_LEAD_CHANGED,
            subject_id=team.pk,
            occurred_at=now,
            actor=None,
            before={"lead": None},
            after={"lead": lead.username},
        )
