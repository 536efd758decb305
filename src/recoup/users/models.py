"""Staff users and teams."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from recoup.users.roles import ROLE_LABELS, Role


class Team(models.Model):
    """A team of collections officers, led by a team lead."""

    name = models.CharField(max_length=100, unique=True)
    lead = models.ForeignKey("users.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="teams_led")

    class Meta:
        db_table = "users_team"

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff who signs in to Recoup. The role is the user's role group."""

    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")

    class Meta:
        db_table = "users_user"

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username

    @property
    def role(self) -> Role | None:
        """The user's role, from their groups; a superuser counts as an admin."""
        names = {group.name for group in self.groups.all()}
        for role in Role:
            if role.value in names:
                return role
        return Role.ADMIN if self.is_superuser else None

    @property
    def role_label(self) -> str:
        role = self.role
        return ROLE_LABELS[role] if role else "No role"
