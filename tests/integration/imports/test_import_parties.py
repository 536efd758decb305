"""Debtor references across placement rows and files, and party files of co-debtors and guarantors."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from factories import CreditorFactory
from ledger_helpers import NOW
from recoup.accounts.models import Account, AccountDebtor
from recoup.audit.models import AuditEvent
from recoup.imports.accounts_import import import_accounts
from recoup.imports.models import DebtorLink, PartyPlacement
from recoup.imports.parties_import import import_parties
from recoup.imports.reading import FileSettings
from recoup.imports.running import ImportOutcome, ImportRefused
from recoup.parties.models import ContactPoint, Creditor, Debtor

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
ACCOUNTS = [
    "account_reference",
    "product_type",
    "opened_date",
    "principal",
    "debtor_reference",
    "family_name",
    "given_name",
    "time_zone",
    "phone",
]
PARTIES = [
    "account_reference",
    "role",
    "debtor_reference",
    "given_name",
    "family_name",
    "date_of_birth",
    "time_zone",
    "phone",
    "email",
]
ZONE = "America/New_York"


@pytest.fixture
def creditor() -> Creditor:
    return CreditorFactory(code="lnb", name="Lakeshore National Bank")


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def place(path: Path, creditor: Creditor, **options: Any) -> ImportOutcome:
    return import_accounts(path=path, creditor=creditor, settings=FileSettings(), now=NOW, actor=None, **options)


def parties(path: Path, creditor: Creditor, **options: Any) -> ImportOutcome:
    return import_parties(path=path, creditor=creditor, settings=FileSettings(), now=NOW, actor=None, **options)


class TestDebtorReferences:
    def test_rows_with_the_same_reference_share_one_debtor_across_files(
        self, creditor: Creditor, tmp_path: Path
    ) -> None:
        first = write(
            tmp_path / "a.csv",
            ACCOUNTS,
            [
                ["CARD-1", "credit_card", "2021-01-04", "120.00", "C-77", "Okafor", "Ada", ZONE, "+12125550101"],
                ["LOAN-1", "personal_loan", "2022-03-01", "900.00", "C-77", "Okafor", "Ada", ZONE, "+12125550101"],
                ["CARD-2", "credit_card", "2021-06-01", "50.00", "", "Brown", "Sam", ZONE, ""],
            ],
        )
        assert place(first, creditor).created == 3
        ada = Debtor.objects.get(family_name="Okafor")
        assert set(AccountDebtor.objects.filter(debtor=ada).values_list("account__reference", flat=True)) == {
            "CARD-1",
            "LOAN-1",
        }
        assert ContactPoint.objects.filter(debtor=ada).count() == 1  # the same phone once
        assert DebtorLink.objects.get(reference="C-77").debtor == ada

        later = write(
            tmp_path / "b.csv",
            ACCOUNTS,
            [["AUTO-9", "other", "2023-05-05", "4000.00", "C-77", "Okafor-Reid", "Ada", ZONE, "+12125550199"]],
        )
        assert place(later, creditor).created == 1
        assert Debtor.objects.filter(given_name="Ada").count() == 1
        ada.refresh_from_db()
        assert ada.family_name == "Okafor-Reid"
        assert Account.objects.get(reference="AUTO-9").debtors.get() == ada
        assert sorted(ContactPoint.objects.filter(debtor=ada).values_list("value", "is_primary")) == [
            ("+12125550101", True),
            ("+12125550199", False),
        ]
        event = AuditEvent.objects.get(name="imports.debtor.updated")
        assert (event.before, event.after["family_name"]) == ({"family_name": "Okafor"}, "Okafor-Reid")

    def test_two_rows_describing_different_people_under_one_reference_are_refused(
        self, creditor: Creditor, tmp_path: Path
    ) -> None:
        path = write(
            tmp_path / "a.csv",
            ACCOUNTS,
            [
                ["CARD-1", "credit_card", "2021-01-04", "120.00", "C-77", "Okafor", "Ada", ZONE, ""],
                ["LOAN-1", "personal_loan", "2022-03-01", "900.00", "C-77", "Okafor", "Bea", ZONE, ""],
            ],
        )
        with pytest.raises(ImportRefused) as refused:
            place(path, creditor)
        problem = refused.value.outcome.problems[0]
        assert (problem.row, problem.column) == (3, "given_name")
        assert "differs from row 2, which gives the same debtor_reference 'C-77'" in problem.reason
        assert Debtor.objects.count() == 0
        assert DebtorLink.objects.count() == 0

    def test_a_b2b_account_may_be_placed_empty_for_its_invoices(self, creditor: Creditor, tmp_path: Path) -> None:
        header = ["account_reference", "product_type", "opened_date", "debtor_kind", "business_name", "time_zone"]
        path = write(
            tmp_path / "b2b.csv", header, [["ACME-1", "b2b_invoice", "2020-02-02", "business", "Acme Ltd", ZONE]]
        )
        assert place(path, creditor).created == 1
        assert Account.objects.get(reference="ACME-1").balance.is_zero
        retail = write(tmp_path / "r.csv", header, [["R-1", "credit_card", "2020-02-02", "business", "Acme Ltd", ZONE]])
        with pytest.raises(ImportRefused, match="1 row"):
            place(retail, creditor)


@pytest.fixture
def placed(creditor: Creditor, tmp_path: Path) -> Creditor:
    path = write(
        tmp_path / "placed.csv",
        ACCOUNTS,
        [
            ["CARD-1", "credit_card", "2021-01-04", "120.00", "C-1", "Okafor", "Ada", ZONE, ""],
            ["LOAN-1", "personal_loan", "2022-03-01", "900.00", "C-2", "Lee", "Min", ZONE, ""],
        ],
    )
    place(path, creditor)
    return creditor


class TestParties:
    def test_the_example_file_adds_a_co_debtor_and_a_guarantor(self, creditor: Creditor) -> None:
        place(EXAMPLES / "accounts.csv", creditor)
        outcome = parties(EXAMPLES / "parties.csv", creditor)
        assert (outcome.created, outcome.unchanged, outcome.problem_count) == (2, 0, 0)
        roles = sorted(AccountDebtor.objects.exclude(role="primary").values_list("role", flat=True))
        assert roles == ["co_debtor", "guarantor"]
        assert parties(EXAMPLES / "parties.csv", creditor).unchanged == 2

    def test_a_guarantor_by_reference_is_the_same_debtor_on_two_accounts(
        self, placed: Creditor, tmp_path: Path
    ) -> None:
        path = write(
            tmp_path / "p.csv",
            PARTIES,
            [
                ["CARD-1", "guarantor", "G-5", "Ola", "Okafor", "1961-04-02", ZONE, "+12125550177", ""],
                ["LOAN-1", "guarantor", "G-5", "Ola", "Okafor", "1961-04-02", ZONE, "", "ola@example.org"],
                ["LOAN-1", "co_debtor", "", "Jun", "Lee", "", ZONE, "", ""],
            ],
        )
        outcome = parties(path, placed)
        assert (outcome.created, outcome.problem_count) == (3, 0)
        ola = Debtor.objects.get(given_name="Ola")
        assert set(AccountDebtor.objects.filter(debtor=ola).values_list("account__reference", "role")) == {
            ("CARD-1", "guarantor"),
            ("LOAN-1", "guarantor"),
        }
        assert set(ContactPoint.objects.filter(debtor=ola).values_list("kind", flat=True)) == {"phone", "email"}
        assert AuditEvent.objects.filter(name="imports.party.placed").count() == 3

        again = parties(path, placed)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
        moved = write(
            tmp_path / "p2.csv",
            PARTIES,
            [["LOAN-1", "co_debtor", "", "Jun", "Lee", "", "America/Chicago", "", ""]],
        )
        assert parties(moved, placed).updated == 1
        assert Debtor.objects.get(given_name="Jun").time_zone == "America/Chicago"
        assert PartyPlacement.objects.count() == 3

    def test_bad_party_rows_are_named_and_nothing_is_written(self, placed: Creditor, tmp_path: Path) -> None:
        path = write(
            tmp_path / "bad.csv",
            PARTIES,
            [
                ["NOPE-1", "guarantor", "", "Ola", "Okafor", "", ZONE, "", ""],
                ["CARD-1", "cosigner", "", "Ola", "Okafor", "", ZONE, "", ""],
                ["CARD-1", "guarantor", "", "Ola", "", "", ZONE, "", ""],
                ["CARD-1", "guarantor", "", "Ola", "Okafor", "31/02/1960", ZONE, "", ""],
                ["CARD-1", "co_debtor", "", "Jo", "=cmd|' /C calc'!A0", "", ZONE, "", ""],
                ["LOAN-1", "co_debtor", "", "Kim", "Park", "", ZONE, "", ""],
                ["LOAN-1", "co_debtor", "", "Kim", "Park", "", ZONE, "", ""],
            ],
        )
        with pytest.raises(ImportRefused) as refused:
            parties(path, placed)
        found = {(p.row, p.column) for p in refused.value.outcome.problems}
        assert found == {
            (2, "account_reference"),
            (3, "role"),
            (4, "family_name"),
            (5, "date_of_birth"),
            (6, "family_name"),
            (8, "account_reference"),
        }
        assert "place it with the accounts file first" in str(refused.value.outcome.problems)
        assert AccountDebtor.objects.exclude(role="primary").count() == 0
        assert Debtor.objects.count() == 2

        accepted = parties(path, placed, accept_valid=True)
        assert (accepted.created, accepted.rejected) == (1, 6)
        assert AccountDebtor.objects.get(role="co_debtor").debtor.family_name == "Park"

    def test_the_primary_debtor_cannot_also_be_a_guarantor(self, placed: Creditor, tmp_path: Path) -> None:
        path = write(tmp_path / "p.csv", PARTIES, [["CARD-1", "guarantor", "C-1", "Ada", "Okafor", "", ZONE, "", ""]])
        with pytest.raises(ImportRefused) as refused:
            parties(path, placed)
        problem = refused.value.outcome.problems[0]
        assert (problem.column, problem.reason) == ("role", "this debtor is already the account's primary debtor")
        assert PartyPlacement.objects.count() == 0


def test_the_b2b_examples_place_one_customer_with_two_accounts_and_six_invoices(creditor: Creditor) -> None:
    from recoup.accounts.models import OpenItem
    from recoup.imports.invoices_import import import_invoices

    assert place(EXAMPLES / "b2b-accounts.csv", creditor).created == 2
    customer = Debtor.objects.get(business_name="Harbor Freight Logistics LLC")
    assert AccountDebtor.objects.filter(debtor=customer).count() == 2
    outcome = import_invoices(
        path=EXAMPLES / "invoices.csv", creditor=creditor, settings=FileSettings(), now=NOW, actor=None
    )
    assert outcome.created == 6
    items = OpenItem.objects.filter(account__reference="B2B-5120-0001", kind="invoice").order_by("due_date")
    assert [(i.reference, str(i.due_date)) for i in items] == [
        ("INV-2026-04117", "2026-07-02"),
        ("INV-2026-04398", "2026-07-31"),
        ("INV-2026-04702", "2026-09-02"),
    ]
    assert str(Account.objects.get(reference="B2B-5120-0002").balance.amount) == "6112.75"
