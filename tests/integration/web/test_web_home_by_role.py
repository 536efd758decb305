"""The home page shows each role the work and figures that matter to it, from real rows."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from django.db import connection
from django.urls import reverse

from recoup.accounts.models import Account
from recoup.users.roles import Role

if TYPE_CHECKING:
    from web_data import WebData

pytestmark = pytest.mark.django_db

HOME = reverse("home")


def section_of(html: str) -> str:
    match = re.search(r'data-section="([a-z_]+)"', html)
    assert match, "the home page names its section"
    return match.group(1)


class TestOfficerHome:
    def test_lists_my_open_accounts_oldest_delinquency_first_with_days_past_due(self, web: WebData) -> None:
        officer = web.user("olga", Role.OFFICER, first_name="Olga", last_name="Nowak")
        other = web.user("otto", Role.OFFICER)
        bank = web.creditor("first-bank", "First Bank")
        web.account(creditor=bank, reference="REF-NEWER", officer=officer, days_late=12)
        web.account(
            creditor=bank,
            reference="REF-OLDEST",
            officer=officer,
            days_late=200,
            debtor=web.debtor(family_name="Garcia", given_name="Maria"),
        )
        web.account(creditor=bank, reference="REF-NOT-MINE", officer=other, days_late=400)
        web.account(creditor=bank, reference="REF-PAID", officer=officer, status=Account.Status.PAID)

        html = web.client(officer).get(HOME).content.decode()

        assert section_of(html) == "officer"
        assert "Collections officer" in html
        assert "Olga Nowak" in html
        assert html.index("REF-OLDEST") < html.index("REF-NEWER")
        assert "REF-NOT-MINE" not in html
        assert "REF-PAID" not in html, "the worklist shows open accounts only"
        assert "Maria Garcia" in html
        assert "First Bank" in html
        assert re.search(r'dpd--severe">200<', html), "200 days past due, shown as severe"
        assert re.search(r'class="dpd">12<', html)

    def test_counts_my_accounts_by_status(self, web: WebData) -> None:
        officer = web.user("olga", Role.OFFICER)
        bank = web.creditor("first-bank")
        for i in range(3):
            web.account(creditor=bank, reference=f"A{i}", officer=officer)
        web.account(creditor=bank, reference="L1", officer=officer, status=Account.Status.LEGAL)
        web.account(creditor=bank, reference="P1", officer=officer, status=Account.Status.PAID)

        response = web.client(officer).get(HOME)

        assert [(c.status, c.count) for c in response.context["open_counts"]] == [
            ("active", 3),
            ("in_arrangement", 0),
            ("on_hold", 0),
            ("disputed", 0),
            ("legal", 1),
        ]
        assert response.context["open_total"] == 4
        assert response.context["resolved_total"] == 1

    def test_says_plainly_when_nothing_is_assigned(self, web: WebData) -> None:
        officer = web.user("olga", Role.OFFICER)
        html = web.client(officer).get(HOME).content.decode()
        assert "No open accounts are assigned to you." in html


class TestTeamLeadHome:
    def test_shows_my_teams_officers_with_their_account_counts(self, web: WebData) -> None:
        lead = web.user("tara", Role.TEAM_LEAD, first_name="Tara", last_name="Lee")
        team = web.team("North", lead=lead)
        ana = web.user("ana", Role.OFFICER, team=team, first_name="Ana", last_name="Ames")
        ben = web.user("ben", Role.OFFICER, team=team, first_name="Ben", last_name="Bell")
        outsider = web.user("zed", Role.OFFICER, first_name="Zed", last_name="Outsider")
        bank = web.creditor("first-bank")
        web.account(creditor=bank, reference="A1", officer=ana)
        web.account(creditor=bank, reference="A2", officer=ana, status=Account.Status.IN_ARRANGEMENT)
        web.account(creditor=bank, reference="A3", officer=ana, status=Account.Status.SETTLED)
        web.account(creditor=bank, reference="B1", officer=ben, status=Account.Status.DISPUTED)
        web.account(creditor=bank, reference="Z1", officer=outsider)

        response = web.client(lead).get(HOME)
        html = response.content.decode()

        assert section_of(html) == "team_lead"
        assert "North" in html
        assert "Zed Outsider" not in html
        rows = {w.username: w for w in response.context["workloads"]}
        assert set(rows) == {"ana", "ben"}
        assert (rows["ana"].open_count, rows["ana"].in_arrangement_count, rows["ana"].closed_count) == (
            2,
            1,
            1,
        )
        assert (rows["ben"].open_count, rows["ben"].escalated_count, rows["ben"].total) == (1, 1, 1)
        assert response.context["totals"]["total"] == 4

    def test_explains_when_they_lead_no_team(self, web: WebData) -> None:
        lead = web.user("tara", Role.TEAM_LEAD)
        assert "You do not lead a team yet." in web.client(lead).get(HOME).content.decode()


class TestManagerHome:
    def test_shows_the_portfolio_by_creditor_status_and_product(self, web: WebData) -> None:
        manager = web.user("mona", Role.MANAGER)
        bank = web.creditor("acme-bank", "Acme Bank")
        clinic = web.creditor("city-clinic", "City Clinic")
        web.account(creditor=bank, reference="B1")
        web.account(creditor=bank, reference="B2", status=Account.Status.LEGAL)
        web.account(
            creditor=clinic,
            reference="C1",
            product_type=Account.ProductType.MEDICAL,
            status=Account.Status.PAID,
        )

        response = web.client(manager).get(HOME)
        html = response.content.decode()

        assert section_of(html) == "manager"
        portfolio = response.context["portfolio"]
        assert [c.name for c in portfolio.creditors] == ["Acme Bank", "City Clinic"]
        assert [s.status for s in portfolio.statuses] == ["active", "legal", "paid"]
        assert portfolio.creditors[0].by_status == (1, 1, 0)
        assert [p[0] for p in portfolio.products] == ["credit_card", "medical"]
        assert portfolio.creditors[1].by_product == (0, 1)
        assert portfolio.total == 3
        assert "Portfolio by creditor and status" in html
        assert "Portfolio by creditor and product" in html

    def test_explains_an_empty_portfolio(self, web: WebData) -> None:
        manager = web.user("mona", Role.MANAGER)
        assert "No accounts have been placed yet." in web.client(manager).get(HOME).content.decode()


class TestLegalHome:
    def test_lists_accounts_in_legal_or_disputed_status(self, web: WebData) -> None:
        legal = web.user("lena", Role.LEGAL)
        bank = web.creditor("acme-bank")
        web.account(creditor=bank, reference="LEGAL-1", status=Account.Status.LEGAL)
        web.account(creditor=bank, reference="DISPUTE-1", status=Account.Status.DISPUTED)
        web.account(creditor=bank, reference="ACTIVE-1")

        html = web.client(legal).get(HOME).content.decode()

        assert section_of(html) == "legal"
        assert "LEGAL-1" in html
        assert "DISPUTE-1" in html
        assert "ACTIVE-1" not in html


class TestAdminHome:
    def test_shows_users_per_role_teams_and_system_facts(self, web: WebData) -> None:
        admin = web.user("ada", Role.ADMIN)
        web.user("olga", Role.OFFICER)
        web.user("oscar", Role.OFFICER)
        web.team("North")

        response = web.client(admin).get(HOME)
        html = response.content.decode()

        assert section_of(html) == "admin"
        counts = {r.role: r.count for r in response.context["role_counts"]}
        assert counts[Role.OFFICER] == 2
        assert counts[Role.ADMIN] == 1
        assert counts[Role.AUDITOR] == 0
        assert "North" in html
        assert connection.vendor in html
        assert "In-process (no CELERY_BROKER_URL set)" in html
        assert reverse("admin:index") in html


class TestAuditorHome:
    def test_shows_the_latest_audit_events(self, web: WebData) -> None:
        auditor = web.user("audrey", Role.AUDITOR)
        olga = web.user("olga", Role.OFFICER)

        response = web.client(auditor).get(HOME)
        html = response.content.decode()

        assert section_of(html) == "auditor"
        assert "users.user.created" in html
        events = response.context["events"]
        assert [e.subject_id for e in events[:2]] == [olga.pk, auditor.pk], "newest first"


class TestWithoutRole:
    def test_a_user_without_a_role_is_told_to_ask_for_one(self, web: WebData) -> None:
        nobody = web.user("nobody", None)
        html = web.client(nobody).get(HOME).content.decode()
        assert section_of(html) == "no_role"
        assert "Your account has no role yet." in html
