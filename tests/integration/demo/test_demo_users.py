"""Demo staff: one sign-in user per role, three teams of officers, and accounts spread over them."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from pytest_django.fixtures import Settings

from factories import PASSWORD, UserFactory
from recoup.accounts.models import Account
from recoup.audit.models import AuditEvent
from recoup.demo.generator import generate_portfolio
from recoup.demo.users import create_demo_users
from recoup.users.models import Team, User
from recoup.users.roles import Role

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
SIGN_IN_USERNAMES = {"officer", "teamlead", "manager", "legal", "admin", "auditor"}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Settings) -> None:
    # The default hasher takes about half a second per password; these tests check behaviour, not cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class TestCreateDemoUsers:
    def test_creates_one_sign_in_user_per_role_whose_password_works(self) -> None:
        credentials = create_demo_users(now=NOW)
        assert {credential.username for credential in credentials} == SIGN_IN_USERNAMES
        assert {credential.role for credential in credentials} == set(Role)
        for credential in credentials:
            user = authenticate(username=credential.username, password=credential.password)
            assert isinstance(user, User), credential.username
            assert user.role == credential.role
        assert User.objects.get(username="admin").is_staff
        assert not User.objects.get(username="officer").is_staff

    def test_passwords_are_random_and_pass_the_validators(self) -> None:
        credentials = create_demo_users(now=NOW)
        passwords = [credential.password for credential in credentials]
        assert len(set(passwords)) == len(passwords)
        for credential in credentials:
            assert len(credential.password) >= 16
            validate_password(credential.password, user=User.objects.get(username=credential.username))
            assert credential.password not in repr(credential)

    def test_builds_three_led_teams_with_synthetic_officers_who_cannot_sign_in(self) -> None:
        create_demo_users(now=NOW)
        teams = {team.name: team for team in Team.objects.select_related("lead")}
        assert set(teams) == {"Early stage", "Late stage", "Commercial"}
        assert teams["Early stage"].lead is not None
        assert teams["Early stage"].lead.username == "teamlead"
        assert all(team.lead is not None for team in teams.values())
        officers = User.objects.filter(groups__name=Role.OFFICER.value)
        assert officers.count() >= 12
        per_team = Counter(officers.values_list("team__name", flat=True))
        assert min(per_team[name] for name in teams) >= 2
        synthetic = User.objects.exclude(username__in=SIGN_IN_USERNAMES)
        assert synthetic.exists()
        assert not any(user.has_usable_password() for user in synthetic)
        assert all(user.role is not None for user in synthetic)

    def test_a_second_run_creates_nothing_and_returns_no_credentials(self) -> None:
        create_demo_users(now=NOW)
        users, teams = User.objects.count(), Team.objects.count()
        assert create_demo_users(now=NOW) == []
        assert (User.objects.count(), Team.objects.count()) == (users, teams)

    def test_keeps_an_existing_user_with_a_demo_username(self) -> None:
        UserFactory(username="manager", role=Role.MANAGER)
        credentials = create_demo_users(now=NOW)
        assert "manager" not in {credential.username for credential in credentials}
        assert authenticate(username="manager", password=PASSWORD) is not None

    def test_records_an_audit_event_for_every_user_and_team(self) -> None:
        create_demo_users(now=NOW)
        created = AuditEvent.objects.filter(name="users.user.created").count()
        assert created == User.objects.count()
        assert AuditEvent.objects.filter(name="users.team.created").count() == 3


class TestAccountsSpreadOverOfficers:
    def test_accounts_go_to_officers_of_the_team_for_their_stage(self) -> None:
        create_demo_users(now=NOW)
        generate_portfolio(accounts=1500, seed=5, as_of=AS_OF, now=NOW)
        officers = set(User.objects.filter(groups__name=Role.OFFICER.value).values_list("pk", flat=True))
        unassigned = 0
        for account in Account.objects.select_related("creditor", "assigned_officer__team", "team"):
            assert account.first_delinquency_date is not None
            late = (AS_OF - account.first_delinquency_date).days >= 90
            if account.product_type == "b2b_invoice":
                expected = "Commercial"
            elif late or account.creditor.collector_type == "third_party":
                expected = "Late stage"
            else:
                expected = "Early stage"
            assert account.team is not None
            assert account.team.name == expected, account.reference
            if account.assigned_officer is None:
                assert account.status == "active"
                unassigned += 1
                continue
            assert account.assigned_officer_id in officers
            assert account.assigned_officer.team == account.team
        assert 0 < unassigned / 1500 < 0.08

    def test_every_officer_gets_a_fair_share_of_their_team_s_accounts(self) -> None:
        create_demo_users(now=NOW)
        generate_portfolio(accounts=2000, seed=6, as_of=AS_OF, now=NOW)
        for team in Team.objects.all():
            loads = Counter(
                Account.objects.filter(team=team, assigned_officer__isnull=False).values_list(
                    "assigned_officer_id", flat=True
                )
            )
            members = User.objects.filter(team=team, groups__name=Role.OFFICER.value).count()
            assert len(loads) == members, team.name
            assert max(loads.values()) < 2 * min(loads.values()), team.name

    def test_officers_outside_the_demo_teams_still_get_accounts(self) -> None:
        first, second = UserFactory(role=Role.OFFICER), UserFactory(role=Role.OFFICER)
        UserFactory(role=Role.MANAGER)
        generate_portfolio(accounts=200, seed=7, as_of=AS_OF, now=NOW)
        assigned = Counter(
            Account.objects.filter(assigned_officer__isnull=False).values_list("assigned_officer_id", flat=True)
        )
        assert set(assigned) == {first.pk, second.pk}
        assert not Account.objects.filter(team__isnull=False).exists()
