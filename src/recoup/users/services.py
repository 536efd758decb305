"""Creating staff users and teams."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from recoup.audit.events import Event
from recoup.audit.services import record_event
from recoup.users.models import Team, User
from recoup.users.roles import Role, sync_role_groups


class UnableToCreateUser(Exception):
    """The user could not be created; the message names the field and the reason."""


def create_user(
    *,
    username: str,
    role: Role,
    password: str,
    now: datetime,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    team: Team | None = None,
    validate: bool = True,
) -> User:
    """Create a staff user in a role. Administrators also get access to /admin/."""
    username = username.strip()
    if not username:
        raise UnableToCreateUser("username: must not be empty")
    if User.objects.filter(username__iexact=username).exists():
        raise UnableToCreateUser(f"username: '{username}' is already taken")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise UnableToCreateUser(f"email: '{email}' is not a valid email address") from None
    candidate = User(username=username, email=email, first_name=first_name, last_name=last_name)
    if validate:
        try:
            validate_password(password, user=candidate)
        except ValidationError as exc:
            raise UnableToCreateUser("password: " + " ".join(exc.messages)) from None
    with transaction.atomic():
        if not Group.objects.filter(name=role.value).exists():
            sync_role_groups()
        candidate.team = team
        candidate.is_staff = role is Role.ADMIN
        candidate.set_password(password)
        candidate.save()
        candidate.groups.add(Group.objects.get(name=role.value))
        record_event(
            event=Event.USER_CREATED,
            subject_id=candidate.pk,
            occurred_at=now,
            actor=None,
            after={"username": username, "role": role.value, "team": team.name if team else None},
        )
    return candidate


def create_team(*, name: str, now: datetime, lead: User | None = None) -> Team:
    """Create a team of officers, optionally with its lead."""
    with transaction.atomic():
        team = Team.objects.create(name=name, lead=lead)
        record_event(
            event=Event.TEAM_CREATED,
            subject_id=team.pk,
            occurred_at=now,
            actor=None,
            after={"name": name, "lead": lead.username if lead else None},
        )
    return team
