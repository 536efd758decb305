"""Creditors, debtors and contact points: normalised, validated, audited."""

from __future__ import annotations

from datetime import date

import pytest

from factories import DebtorFactory
from ledger_helpers import NOW
from recoup.audit.models import AuditEvent
from recoup.parties.models import ContactPoint, Creditor
from recoup.parties.services import (
    NewDebtor,
    UnableToSaveParty,
    add_contact_point,
    create_creditor,
    create_debtor,
)

pytestmark = pytest.mark.django_db


def add(debtor, kind: str, value: str, **kwargs: object) -> ContactPoint:  # type: ignore[no-untyped-def]
    options: dict[str, object] = {"source": "placement", "obtained_date": date(2026, 1, 2), "phone_type": "mobile"}
    options.update(kwargs)
    return add_contact_point(debtor=debtor, kind=kind, value=value, now=NOW, actor=None, **options)  # type: ignore[arg-type]


class TestContactPoints:
    def test_a_local_phone_is_stored_in_e164_for_the_debtors_country(self) -> None:
        point = add(DebtorFactory(), "phone", "(212) 555-0142")
        assert point.value == "+12125550142"
        assert AuditEvent.objects.filter(name="parties.contact_point.added", subject_id=point.pk).exists()

    def test_a_uk_number_is_read_as_british(self) -> None:
        assert add(DebtorFactory(uk=True), "phone", "020 7946 0321").value == "+442079460321"

    def test_an_email_is_lower_cased(self) -> None:
        assert add(DebtorFactory(), "email", " Jane.Doe@Example.COM ").value == "jane.doe@example.com"

    @pytest.mark.parametrize(
        ("kind", "value", "kwargs", "message"),
        [
            ("phone", "12", {}, "phone: '12' is not a valid number"),
            ("phone", "call me", {}, "phone: 'call me' is not a phone number"),
            ("email", "jane@", {}, "email: 'jane@' is not a valid email address"),
            ("phone", "(212) 555-0142", {"phone_type": "pager"}, "phone_type: 'pager'"),
            ("phone", "(212) 555-0142", {"source": "rumour"}, "source: 'rumour'"),
            ("fax", "1", {}, "kind: 'fax' is not phone or email"),
            (
                "email",
                "a@example.com",
                {"obtained_date": date(2027, 1, 1)},
                "obtained_date: 2027-01-01 is in the future",
            ),
        ],
    )
    def test_bad_input_names_the_field_and_writes_nothing(
        self, kind: str, value: str, kwargs: dict[str, object], message: str
    ) -> None:
        debtor = DebtorFactory()
        with pytest.raises(UnableToSaveParty, match=message):
            add(debtor, kind, value, **kwargs)
        assert not ContactPoint.objects.filter(debtor=debtor).exists()

    def test_the_same_number_twice_is_refused_in_any_format(self) -> None:
        debtor = DebtorFactory()
        add(debtor, "phone", "212-555-0142")
        with pytest.raises(UnableToSaveParty, match=r"phone: \+12125550142 is already recorded"):
            add(debtor, "phone", "+1 212 555 0142")


class TestCreditorsAndDebtors:
    def test_a_creditor_with_its_policies_is_created_and_audited(self) -> None:
        creditor = create_creditor(
            code="nwb",
            name="Northwind Bank",
            industry="bank_card",
            collector_type="first_party",
            default_currency="USD",
            country="US",
            now=NOW,
            actor=None,
            allocation_policy={"method": "oldest_first"},
            aging_buckets=[0, 30, 60],
        )
        assert creditor.allocation_policy == {"method": "oldest_first"}
        assert AuditEvent.objects.filter(name="parties.creditor.created", subject_id=creditor.pk).exists()

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"default_currency": "XYZ"}, "default_currency: currency: 'XYZ' is not an ISO 4217"),
            ({"country": "USA"}, "country: 'USA' is not a two-letter"),
            ({"allocation_policy": {"method": "lifo"}}, "method: 'lifo' is not a known method"),
            ({"aging_buckets": [30, 60]}, "buckets: upper bounds must rise and start with 0"),
            ({"industry": "casino"}, "industry: 'casino'"),
        ],
    )
    def test_a_bad_creditor_is_refused(self, changes: dict[str, object], message: str) -> None:
        values: dict[str, object] = {
            "code": "x",
            "name": "X",
            "industry": "utility",
            "collector_type": "first_party",
            "default_currency": "AUD",
            "country": "AU",
        }
        values.update(changes)
        with pytest.raises(UnableToSaveParty, match=message):
            create_creditor(now=NOW, actor=None, **values)  # type: ignore[arg-type]
        assert not Creditor.objects.exists()

    def test_a_debtor_needs_a_real_time_zone_and_a_name(self) -> None:
        with pytest.raises(UnableToSaveParty, match="time_zone: 'Mars/Olympus' is not an IANA time zone"):
            create_debtor(details=NewDebtor("person", "US", "Mars/Olympus", family_name="Doe"), now=NOW, actor=None)
        with pytest.raises(UnableToSaveParty, match="family_name: a person needs a family name"):
            create_debtor(details=NewDebtor("person", "US", "America/Chicago"), now=NOW, actor=None)
        debtor = create_debtor(
            details=NewDebtor("business", "GB", "Europe/London", business_name="Albion Tools Ltd"), now=NOW, actor=None
        )
        assert str(debtor) == "Albion Tools Ltd"
