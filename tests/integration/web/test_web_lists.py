"""The accounts, creditors and audit log pages: who sees what, search, filters, paging, query counts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client
from django.urls import reverse

from recoup.accounts.models import Account
from recoup.users.roles import Role

if TYPE_CHECKING:
    from web_data import WebData

pytestmark = pytest.mark.django_db

ACCOUNTS = reverse("accounts")
CREDITORS = reverse("creditors")
AUDIT = reverse("audit-log")


def references(client: Client, **params: Any) -> list[str]:
    response = client.get(ACCOUNTS, params)
    assert response.status_code == 200
    return [row.reference for row in response.context["rows"]]


class TestAccountsListScope:
    def test_an_officer_sees_only_the_accounts_assigned_to_them(self, web: WebData) -> None:
        officer = web.user("olga", Role.OFFICER)
        other = web.user("otto", Role.OFFICER)
        bank = web.creditor("acme-bank")
        web.account(creditor=bank, reference="MINE-1", officer=officer)
        web.account(creditor=bank, reference="THEIRS-1", officer=other)
        web.account(creditor=bank, reference="NOBODYS-1")

        assert references(web.client(officer)) == ["MINE-1"]

    def test_an_officer_also_sees_their_teams_accounts_and_can_open_them(self, web: WebData) -> None:
        from django.utils import timezone

        from recoup.users.models import User as Staff
        from recoup.users.services import create_team

        team = create_team(name="Recoveries North", now=timezone.now())
        officer = web.user("olga", Role.OFFICER)
        colleague = web.user("otto", Role.OFFICER)
        outsider = web.user("ugo", Role.OFFICER)
        Staff.objects.filter(pk__in=[officer.pk, colleague.pk]).update(team=team)
        officer.refresh_from_db()
        bank = web.creditor("acme-bank")
        web.account(creditor=bank, reference="MINE-1", officer=officer, days_late=40)
        teams = web.account(creditor=bank, reference="TEAMS-1", officer=colleague, team=team, days_late=20)
        other = web.account(creditor=bank, reference="OTHER-1", officer=outsider, days_late=10)

        client = web.client(officer)
        assert references(client) == ["MINE-1", "TEAMS-1"]
        assert "The accounts assigned to you and to your team." in client.get(ACCOUNTS).content.decode()
        assert client.get(f"/accounts/{teams.pk}/").status_code == 200
        assert client.get(f"/accounts/{other.pk}/").status_code == 404

    def test_legal_sees_the_escalated_accounts(self, web: WebData) -> None:
        lawyer = web.user("lena", Role.LEGAL)
        bank = web.creditor("acme-bank")
        escalated = web.account(creditor=bank, reference="SUIT-1", status=Account.Status.LEGAL, days_late=200)
        web.account(creditor=bank, reference="MINE-1", officer=lawyer, days_late=30)
        ordinary = web.account(creditor=bank, reference="PLAIN-1", days_late=10)
        client = web.client(lawyer)
        assert references(client) == ["SUIT-1", "MINE-1"]
        assert client.get(f"/accounts/{escalated.pk}/").status_code == 200
        assert client.get(f"/accounts/{ordinary.pk}/").status_code == 404

    @pytest.mark.parametrize("role", [Role.TEAM_LEAD, Role.MANAGER, Role.ADMIN, Role.AUDITOR])
    def test_other_roles_see_every_account(self, web: WebData, role: Role) -> None:
        viewer = web.user("viewer", role)
        officer = web.user("olga", Role.OFFICER)
        bank = web.creditor("acme-bank")
        web.account(creditor=bank, reference="OLGAS-1", officer=officer, days_late=50)
        web.account(creditor=bank, reference="NOBODYS-1", days_late=10)

        client = web.client(viewer)
        assert references(client) == ["OLGAS-1", "NOBODYS-1"]
        assert "Unassigned" in client.get(ACCOUNTS).content.decode(), "the officer column shows"

    def test_anonymous_visitors_are_sent_to_sign_in(self, client: Client, db: None) -> None:
        response = client.get(ACCOUNTS)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={ACCOUNTS}"


class TestAccountsSearchAndFilters:
    @pytest.fixture
    def lead_client(self, web: WebData) -> Client:
        lead = web.user("tara", Role.TEAM_LEAD)
        bank = web.creditor("acme-bank", "Acme Bank")
        clinic = web.creditor("city-clinic", "City Clinic")
        web.account(
            creditor=bank,
            reference="ACME-0001",
            debtor=web.debtor(family_name="Garcia", given_name="Maria"),
            days_late=90,
        )
        web.account(
            creditor=bank,
            reference="ACME-0002",
            debtor=web.debtor(family_name="Smith", given_name="John"),
            status=Account.Status.LEGAL,
            days_late=60,
        )
        web.account(
            creditor=clinic,
            reference="CLIN-0003",
            debtor=web.debtor(business_name="Garcia Plumbing LLC"),
            days_late=30,
        )
        return web.client(lead)

    def test_search_by_part_of_the_reference(self, lead_client: Client) -> None:
        assert references(lead_client, q="acme-") == ["ACME-0001", "ACME-0002"]

    def test_search_by_debtor_name_in_any_order_and_case(self, lead_client: Client) -> None:
        assert references(lead_client, q="garcia") == ["ACME-0001", "CLIN-0003"]
        assert references(lead_client, q="Maria GARCIA") == ["ACME-0001"]
        assert references(lead_client, q="garcia maria") == ["ACME-0001"]
        assert references(lead_client, q="plumbing") == ["CLIN-0003"]

    def test_filter_by_creditor_and_status(self, lead_client: Client, web: WebData) -> None:
        from recoup.parties.models import Creditor

        clinic = Creditor.objects.get(code="city-clinic")
        bank = Creditor.objects.get(code="acme-bank")
        assert references(lead_client, creditor=clinic.pk) == ["CLIN-0003"]
        assert references(lead_client, status="legal") == ["ACME-0002"]
        assert references(lead_client, creditor=bank.pk, status="active") == ["ACME-0001"]
        assert references(lead_client, creditor=clinic.pk, q="smith") == []

    def test_bad_filter_values_are_ignored_not_an_error(self, lead_client: Client) -> None:
        assert references(lead_client, creditor="999999", status="bogus") == [
            "ACME-0001",
            "ACME-0002",
            "CLIN-0003",
        ]

    def test_a_search_longer_than_100_characters_is_refused_not_ignored(self, lead_client: Client) -> None:
        """Issue 20.9: a long search was dropped silently and every account was shown."""
        long_search = "garcia " * 15
        for headers in ({}, {"HX-Request": "true"}):
            html = lead_client.get(ACCOUNTS, {"q": long_search}, headers=headers).content.decode()
            assert "Search is limited to 100 characters" in html
            for reference in ("ACME-0001", "ACME-0002", "CLIN-0003"):
                assert reference not in html
        assert references(lead_client, q="garcia " * 14) == ["ACME-0001", "CLIN-0003"]  # 98 characters

    def test_an_empty_result_says_so(self, lead_client: Client) -> None:
        html = lead_client.get(ACCOUNTS, {"q": "no-such-thing"}).content.decode()
        assert "No accounts match your search." in html

    def test_htmx_search_returns_only_the_results_table(self, lead_client: Client) -> None:
        response = lead_client.get(ACCOUNTS, {"q": "smith"}, headers={"HX-Request": "true"})
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in html
        assert 'class="filters"' not in html
        assert "ACME-0002" in html
        assert "ACME-0001" not in html
        assert "HX-Request" in response["Vary"]

    def test_the_full_page_carries_the_live_search_form(self, lead_client: Client) -> None:
        html = lead_client.get(ACCOUNTS).content.decode()
        assert 'hx-get="/accounts/"' in html
        assert 'hx-target="#results"' in html
        assert '<label for="id_q">Search</label>' in html
        assert '<label for="id_creditor">Creditor</label>' in html
        assert '<label for="id_status">Status</label>' in html


class TestAccountsPaging:
    def test_fifty_a_page_in_a_stable_order(self, web: WebData) -> None:
        lead = web.user("tara", Role.TEAM_LEAD)
        web.many_accounts(creditor=web.creditor("acme-bank"), count=120)
        client = web.client(lead)

        pages = [references(client, page=n) for n in (1, 2, 3)]

        assert [len(p) for p in pages] == [50, 50, 20]
        seen = [ref for page in pages for ref in page]
        assert len(set(seen)) == 120
        assert seen[0] == "BULK-00119", "oldest delinquency first"
        assert "Showing <strong>51\u2013100</strong> of <strong>120</strong>" in (
            client.get(ACCOUNTS, {"page": 2}).content.decode()
        )

    def test_a_page_number_out_of_range_shows_the_last_page(self, web: WebData) -> None:
        lead = web.user("tara", Role.TEAM_LEAD)
        web.many_accounts(creditor=web.creditor("acme-bank"), count=60)
        assert len(references(web.client(lead), page=99)) == 10


class TestListQueryCounts:
    """An N+1 on a list page would multiply these by the 50 rows of a page."""

    def test_accounts_list(self, web: WebData, django_assert_max_num_queries: Any) -> None:
        lead = web.user("tara", Role.TEAM_LEAD)
        officer = web.user("olga", Role.OFFICER, first_name="Olga", last_name="Nowak")
        for n in range(3):
            web.many_accounts(creditor=web.creditor(f"creditor-{n}"), count=60, officer=officer, prefix=f"C{n}")
        client = web.client(lead)
        with django_assert_max_num_queries(12):
            response = client.get(ACCOUNTS, {"q": "bulk"})
        assert len(response.context["rows"]) == 50
        assert "Olga Nowak" in response.content.decode()

    def test_accounts_list_for_an_officer(self, web: WebData, django_assert_max_num_queries: Any) -> None:
        officer = web.user("olga", Role.OFFICER)
        web.many_accounts(creditor=web.creditor("acme-bank"), count=120, officer=officer)
        client = web.client(officer)
        with django_assert_max_num_queries(12):
            response = client.get(ACCOUNTS)
        assert len(response.context["rows"]) == 50

    def test_creditors_list(self, web: WebData, django_assert_max_num_queries: Any) -> None:
        manager = web.user("mona", Role.MANAGER)
        for n in range(60):
            web.creditor(f"creditor-{n:02d}")
        web.many_accounts(creditor=web.creditor("aaa-bank", "AAA Bank"), count=100)
        client = web.client(manager)
        with django_assert_max_num_queries(10):
            response = client.get(CREDITORS)
        assert len(response.context["rows"]) == 50

    def test_audit_log(self, web: WebData, django_assert_max_num_queries: Any) -> None:
        auditor = web.user("audrey", Role.AUDITOR)
        for n in range(70):
            web.user(f"user{n:02d}", Role.OFFICER)
        client = web.client(auditor)
        with django_assert_max_num_queries(10):
            response = client.get(AUDIT)
        assert len(response.context["page"].object_list) == 50

    def test_home_pages(self, web: WebData, django_assert_max_num_queries: Any) -> None:
        lead = web.user("tara", Role.TEAM_LEAD)
        team = web.team("North", lead=lead)
        officers = [web.user(f"officer{n}", Role.OFFICER, team=team) for n in range(12)]
        for n, officer in enumerate(officers):
            web.many_accounts(creditor=web.creditor(f"bank-{n}"), count=10, officer=officer, prefix=f"O{n}")
        for role in Role:
            user = lead if role is Role.TEAM_LEAD else officers[0] if role is Role.OFFICER else None
            user = user or web.user(f"home-{role.value}", role)
            client = web.client(user)
            # A fixed number, whatever the team's size (two of them for the hold lift requests panel).
            with django_assert_max_num_queries(14):
                assert client.get(reverse("home")).status_code == 200


class TestCreditorsList:
    def test_counts_accounts_per_creditor_and_status(self, web: WebData) -> None:
        officer = web.user("olga", Role.OFFICER)
        bank = web.creditor("acme-bank", "Acme Bank")
        web.creditor("zeta-utility", "Zeta Utility")
        web.account(creditor=bank, reference="A1")
        web.account(creditor=bank, reference="A2")
        web.account(creditor=bank, reference="A3", status=Account.Status.WRITTEN_OFF)

        response = web.client(officer).get(CREDITORS)

        rows = response.context["rows"]
        assert [r.name for r in rows] == ["Acme Bank", "Zeta Utility"]
        statuses = [value for value, _label in response.context["statuses"]]
        acme = dict(zip(statuses, rows[0].by_status, strict=True))
        assert acme["active"] == 2
        assert acme["written_off"] == 1
        assert rows[0].total == 3
        assert rows[1].total == 0


class TestAuditLogPage:
    def test_newest_first_and_paged(self, web: WebData) -> None:
        manager = web.user("mona", Role.MANAGER)
        users = [web.user(f"user{n:02d}", Role.OFFICER) for n in range(55)]

        client = web.client(manager)
        first = client.get(AUDIT)
        second = client.get(AUDIT, {"page": 2})

        assert first.status_code == 200
        assert first.context["page"].object_list[0].subject_id == users[-1].pk
        assert len(second.context["page"].object_list) == 6, "55 officers and the manager"
        assert "users.user.created" in first.content.decode()

    def test_an_officer_is_refused(self, web: WebData) -> None:
        officer = web.user("olga", Role.OFFICER)
        response = web.client(officer).get(AUDIT)
        assert response.status_code == 403
        assert "You do not have access to this page" in response.content.decode()
