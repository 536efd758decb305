"""The aging report page: who may see it, what it shows, the CSV download and bad input."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from factories import PASSWORD, AccountFactory, CreditorFactory, UserFactory
from ledger_helpers import owing
from recoup.users.roles import Role

pytestmark = pytest.mark.django_db
URL = reverse("aging")


def signed_in(role: Role) -> Client:
    client = Client()
    user = UserFactory(role=role)
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def portfolio() -> None:
    creditor = CreditorFactory(code="nwb", name="Northwind Bank")
    for _ in range(3):
        owing(AccountFactory(creditor=creditor), principal="400.00", fees="20.00")
    owing(
        AccountFactory(creditor=CreditorFactory(uk_lender=True, code="thistle", name="Thistle Finance")),
        principal="90.00",
    )


class TestAgingPage:
    def test_an_officer_may_not_see_it(self, portfolio: None) -> None:
        assert signed_in(Role.OFFICER).get(URL).status_code == 403

    @pytest.mark.parametrize("role", [Role.TEAM_LEAD, Role.MANAGER, Role.ADMIN, Role.AUDITOR])
    def test_leads_managers_admins_and_auditors_see_balances_by_creditor_and_currency(
        self, portfolio: None, role: Role
    ) -> None:
        html = signed_in(role).get(URL).content.decode()
        assert "Northwind Bank · USD" in html
        assert "Thistle Finance · GBP" in html
        assert "$1,260.00" in html  # 3 x (400 + 20)
        assert "£90.00" in html

    def test_the_csv_has_every_bucket_for_each_creditor(self, portfolio: None) -> None:
        response = signed_in(Role.MANAGER).get(URL, {"format": "csv"})
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert len(rows) == 14  # 7 buckets x 2 creditor-currency pairs
        assert sum(float(r["balance"]) for r in rows if r["creditor"] == "nwb") == 1260.0

    def test_one_creditor_only(self, portfolio: None) -> None:
        client = signed_in(Role.MANAGER)
        creditor_id = next(
            value
            for value, label in client.get(URL).context["form"].fields["creditor"].choices
            if label == "Thistle Finance"
        )
        html = client.get(URL, {"creditor": creditor_id}).content.decode()
        assert "Thistle Finance · GBP" in html
        assert "Northwind Bank · USD" not in html

    @pytest.mark.parametrize(
        ("as_of", "message"), [("23/11/2026", "Enter a date as YYYY-MM-DD."), ("2999-01-01", "cannot be in the future")]
    )
    def test_a_bad_date_is_explained_not_guessed(self, portfolio: None, as_of: str, message: str) -> None:
        response = signed_in(Role.MANAGER).get(URL, {"as_of": as_of})
        assert response.status_code == 200
        assert message in response.content.decode()
        assert response.context["report"] is None

    def test_query_count_does_not_grow_with_accounts(
        self, portfolio: None, django_assert_max_num_queries: object
    ) -> None:
        client = signed_in(Role.MANAGER)
        for _ in range(30):
            owing(AccountFactory(creditor=CreditorFactory(code="nwb")), principal="10.00")
        with django_assert_max_num_queries(12):  # type: ignore[operator]
            assert client.get(URL).status_code == 200
