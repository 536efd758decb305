"""Roles are groups with permissions; creating a user is validated and audited."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.utils import timezone

from recoup.audit.models import AuditEvent
from recoup.users.models import User
from recoup.users.roles import ROLE_PERMISSIONS, Role
from recoup.users.services import UnableToCreateUser, create_team, create_user

pytestmark = pytest.mark.django_db
PASSWORD = "a-Long-and-unusual-passphrase-91"


def make(username: str, role: Role) -> User:
    return create_user(username=username, role=role, password=PASSWORD, now=timezone.now())


class TestRoleGroups:
    def test_every_role_exists_after_migrate_with_exactly_its_permissions(self) -> None:
        for role, wanted in ROLE_PERMISSIONS.items():
            group = Group.objects.get(name=role.value)
            granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
            assert granted == wanted, role

    def test_the_auditor_can_only_view_and_export(self) -> None:
        auditor = make("audrey", Role.AUDITOR)
        perms = auditor.get_all_permissions()
        assert "audit.view_auditevent" in perms
        # Reading, and taking a copy of what they read (each export is itself audited); never changing.
        assert all(p.split(".")[1].startswith("view_") for p in perms - {"accounts.export_data"})
        assert "accounts.export_data" in perms
        assert not auditor.has_perm("accounts.import_data")

    def test_an_officer_cannot_read_the_audit_log_or_change_creditors(self) -> None:
        officer = make("olivia", Role.OFFICER)
        assert officer.has_perm("accounts.view_account")
        assert not officer.has_perm("audit.view_auditevent")
        assert not officer.has_perm("parties.change_creditor")


class TestCreateUser:
    def test_creates_a_user_who_can_sign_in_in_their_role(self) -> None:
        team = create_team(name="Early stage", now=timezone.now())
        user = create_user(username="olivia", role=Role.OFFICER, password=PASSWORD, team=team, now=timezone.now())
        assert authenticate(username="olivia", password=PASSWORD) == user
        assert user.role is Role.OFFICER
        assert user.team == team
        assert not user.is_staff

    def test_only_administrators_get_the_django_admin(self) -> None:
        assert make("ada", Role.ADMIN).is_staff
        assert not make("mo", Role.MANAGER).is_staff

    def test_writes_an_audit_event(self) -> None:
        user = make("olivia", Role.OFFICER)
        event = AuditEvent.objects.get(name="users.user.created", subject_id=user.pk)
        assert event.after == {"username": "olivia", "role": "officer", "team": None}

    def test_a_taken_username_is_refused_whatever_its_case(self) -> None:
        make("olivia", Role.OFFICER)
        with pytest.raises(UnableToCreateUser, match="username: 'Olivia' is already taken"):
            make("Olivia", Role.MANAGER)
        assert User.objects.count() == 1

    def test_a_weak_password_is_refused_and_nothing_is_written(self) -> None:
        with pytest.raises(UnableToCreateUser, match="password: "):
            create_user(username="olivia", role=Role.OFFICER, password="password", now=timezone.now())
        assert not User.objects.exists()
        assert not AuditEvent.objects.filter(name="users.user.created").exists()

    def test_a_malformed_email_is_refused(self) -> None:
        with pytest.raises(UnableToCreateUser, match="email: 'not-an-email' is not a valid"):
            create_user(
                username="olivia",
                role=Role.OFFICER,
                password=PASSWORD,
                email="not-an-email",
                now=timezone.now(),
            )
