"""The demo portfolio generator writes a realistic, deterministic portfolio, set-based."""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Count, F, Model, Q
from phonenumbers import geocoder

from demo_helpers import PORTFOLIO_MODELS, remove_portfolio
from factories import AccountFactory
from recoup.accounts.models import Account, AccountDebtor, LedgerEntry, LedgerTransaction, OpenItem, Payment
from recoup.audit.models import AuditEvent
from recoup.compliance.models import Hold
from recoup.compliance.services import evaluate
from recoup.core.compliance import Channel
from recoup.demo.generator import (
    MAX_ACCOUNTS,
    DemoSummary,
    UnableToGenerateDemoData,
    generate_portfolio,
    portfolio_is_empty,
    reference_numbers,
)
from recoup.demo.reference_data import CITIES, DEMO_CREDITOR_CODES
from recoup.parties.models import ContactPoint, Creditor, Debtor
from recoup.platform.bulk import RANGE_RESERVATION_THRESHOLD

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
ACCOUNTS = 1500
DETERMINISM_ACCOUNTS = 400
SEED = 11

NY, CHI, DEN, LA = "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"
# Written from the map, independently of the generator's reference table.
ZONES_BY_REGION: dict[tuple[str, str], set[str]] = {
    **{("US", state): {NY} for state in ("NY", "NJ", "MA", "PA", "DE", "MD", "DC", "VA", "NC", "GA", "OH")},
    ("US", "FL"): {NY, CHI},
    ("US", "MI"): {"America/Detroit"},
    ("US", "IN"): {"America/Indiana/Indianapolis", CHI},
    ("US", "KY"): {"America/Kentucky/Louisville", NY, CHI},
    ("US", "TN"): {NY, CHI},
    **{("US", state): {CHI} for state in ("IL", "WI", "MN", "MO", "NE", "SD", "OK", "AL", "LA")},
    ("US", "TX"): {CHI, DEN},
    ("US", "CO"): {DEN},
    ("US", "NM"): {DEN},
    ("US", "UT"): {DEN},
    ("US", "ID"): {"America/Boise", LA},
    ("US", "AZ"): {"America/Phoenix"},
    ("US", "NV"): {LA},
    ("US", "CA"): {LA},
    ("US", "OR"): {LA},
    ("US", "WA"): {LA},
    ("US", "AK"): {"America/Anchorage"},
    ("US", "HI"): {"Pacific/Honolulu"},
    ("AU", "NSW"): {"Australia/Sydney", "Australia/Broken_Hill"},
    ("AU", "ACT"): {"Australia/Sydney"},
    ("AU", "VIC"): {"Australia/Melbourne"},
    ("AU", "QLD"): {"Australia/Brisbane"},
    ("AU", "SA"): {"Australia/Adelaide"},
    ("AU", "WA"): {"Australia/Perth"},
    ("AU", "NT"): {"Australia/Darwin"},
    ("AU", "TAS"): {"Australia/Hobart"},
    **{("GB", nation): {"Europe/London"} for nation in ("ENG", "SCT", "WLS", "NIR")},
}
# Australian fixed lines: one trunk digit per group of states.
AU_AREA_DIGIT = {"NSW": "2", "ACT": "2", "VIC": "3", "TAS": "3", "QLD": "7", "SA": "8", "WA": "8", "NT": "8"}
AU_POSTCODE_START = {
    "NSW": "2", "ACT": "2", "VIC": "3", "QLD": "4", "SA": "5", "WA": "6", "TAS": "7", "NT": "0",
}  # fmt: skip
US_STATE_NAMES = {
    "New York": "NY", "New Jersey": "NJ", "Massachusetts": "MA", "Pennsylvania": "PA", "Delaware": "DE",
    "Maryland": "MD", "Washington D.C.": "DC", "Virginia": "VA", "North Carolina": "NC", "Georgia": "GA",
    "Florida": "FL", "Ohio": "OH", "Michigan": "MI", "Indiana": "IN", "Kentucky": "KY", "Tennessee": "TN",
    "Illinois": "IL", "Wisconsin": "WI", "Minnesota": "MN", "Missouri": "MO", "Nebraska": "NE",
    "South Dakota": "SD", "Oklahoma": "OK", "Alabama": "AL", "Louisiana": "LA", "Texas": "TX",
    "Colorado": "CO", "New Mexico": "NM", "Utah": "UT", "Idaho": "ID", "Arizona": "AZ", "Nevada": "NV",
    "California": "CA", "Oregon": "OR", "Washington State": "WA", "Alaska": "AK", "Hawaii": "HI",
}  # fmt: skip
GB_CITY_ALIASES = {
    "Newcastle upon Tyne": {"Tyneside", "Sunderland", "Durham"},
    "Hull": {"Kingston-upon-Hull"},
    "Derry": {"Londonderry"},
}
REFERENCE_FORMATS = {
    "demo-us-card": r"LNB\d{10}",
    "demo-us-hospital": r"MVH-\d{7}",
    "demo-us-agency": r"KRP-\d{8}",
    "demo-au-utility": r"41\d{8}",
    "demo-uk-loans": r"TOF/\d{8}",
    "demo-uk-b2b": r"NIS-C\d{7}",
}


def generate(*, accounts: int = ACCOUNTS, seed: int = SEED) -> DemoSummary:
    return generate_portfolio(accounts=accounts, seed=seed, as_of=AS_OF, now=NOW)


def restart_ids() -> None:
    """Make the next ids 1 again on PostgreSQL (SQLite ids follow the largest id in the table)."""
    tables = [{"table": model._meta.db_table, "column": "id"} for model in PORTFOLIO_MODELS]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_by_name_sql(no_style(), tables):
            cursor.execute(sql)


def portfolio_digest() -> str:
    """A hash of every generated row, ids included; creditors and officers by their natural keys."""
    digest = hashlib.sha256()
    debtor_fields = [field.attname for field in Debtor._meta.concrete_fields]
    contact_fields = [field.attname for field in ContactPoint._meta.concrete_fields]
    account_fields = [
        "id", "creditor__code", "reference", "original_creditor", "product_type", "currency", "opened_date",
        "first_delinquency_date", "charge_off_date", "status", "status_changed_at",
        "assigned_officer__username", "team__name", "placed_at", "itemization_date", "itemization_amount_minor",
        "principal_minor", "interest_minor", "fees_minor", "costs_minor", "credit_balance_minor",
        "oldest_unpaid_due_date",
    ]  # fmt: skip

    def all_fields(model: type[Model]) -> list[str]:
        return [field.attname for field in model._meta.concrete_fields]

    for rows in (
        Debtor.objects.order_by("pk").values_list(*debtor_fields),
        ContactPoint.objects.order_by("pk").values_list(*contact_fields),
        Account.objects.order_by("pk").values_list(*account_fields),
        AccountDebtor.objects.order_by("pk").values_list("id", "account_id", "debtor_id", "role"),
        *(model.objects.order_by("pk").values_list(*all_fields(model)) for model in (OpenItem, LedgerTransaction)),
        *(model.objects.order_by("pk").values_list(*all_fields(model)) for model in (LedgerEntry, Payment)),
    ):
        for row in rows:
            digest.update(repr(row).encode())
    return digest.hexdigest()


@pytest.fixture
def portfolio() -> DemoSummary:
    return generate()


def days_past_due(account: Account) -> int:
    assert account.first_delinquency_date is not None
    return (AS_OF - account.first_delinquency_date).days


class TestGeneratePortfolio:
    def test_writes_the_requested_accounts_over_the_six_demo_creditors(self, portfolio: DemoSummary) -> None:
        by_creditor = dict(
            Account.objects.values_list("creditor__code").annotate(n=Count("id")).values_list("creditor__code", "n")
        )
        assert Account.objects.count() == portfolio.accounts == ACCOUNTS
        assert by_creditor == dict(portfolio.accounts_by_creditor)
        assert set(by_creditor) == set(DEMO_CREDITOR_CODES)
        assert by_creditor["demo-us-card"] == 450  # 30% of 1,500
        assert Debtor.objects.count() == portfolio.debtors
        assert ContactPoint.objects.count() == portfolio.contact_points
        assert AccountDebtor.objects.count() == portfolio.account_debtors
        assert portfolio.creditors == portfolio.creditors_created == 6
        ledger = portfolio.open_items + portfolio.transactions + portfolio.entries + portfolio.payments
        assert portfolio.ledger_rows == ledger > 5 * ACCOUNTS
        people = 6 + portfolio.debtors + portfolio.contact_points + ACCOUNTS + portfolio.account_debtors
        assert portfolio.rows == people + ledger

    def test_disputed_and_on_hold_accounts_are_held_so_the_gate_blocks_them(self, portfolio: DemoSummary) -> None:
        held_statuses = [Account.Status.DISPUTED, Account.Status.ON_HOLD]
        held = Account.objects.filter(status__in=held_statuses)
        assert held.count() == portfolio.holds > 0
        assert not held.exclude(holds__lifted_at=None).exists(), "every such account has a hold in force"
        assert set(Hold.objects.filter(account__status="disputed").values_list("kind", flat=True)) == {"dispute"}
        kinds = set(Hold.objects.filter(account__status="on_hold").values_list("kind", flat=True))
        assert kinds == {"represented", "bankruptcy", "cease_communication"}
        for account in held.order_by("id")[:12]:
            decision = evaluate(account=account, debtor=account.debtors.first(), channel=Channel.LETTER, at=NOW)
            assert not decision.decision.allowed, account.reference
        assert AuditEvent.objects.get(name="demo.portfolio.generated").after["holds"] == portfolio.holds

    def test_every_account_has_one_primary_debtor_and_every_debtor_an_account(self, portfolio: DemoSummary) -> None:
        primaries = AccountDebtor.objects.filter(role="primary")
        assert primaries.count() == ACCOUNTS
        assert primaries.values("account_id").distinct().count() == ACCOUNTS
        assert Debtor.objects.filter(account_roles__isnull=True).count() == 0

    def test_creditors_match_their_country_currency_and_kind(self, portfolio: DemoSummary) -> None:
        creditors = {c.code: c for c in Creditor.objects.filter(code__in=DEMO_CREDITOR_CODES)}
        assert (creditors["demo-us-card"].industry, creditors["demo-us-card"].default_currency) == (
            "bank_card",
            "USD",
        )
        assert creditors["demo-au-utility"].default_currency == "AUD"
        assert creditors["demo-uk-b2b"].country == "GB"
        assert creditors["demo-us-agency"].collector_type == "third_party"
        mismatched = Account.objects.exclude(currency=F("creditor__default_currency"))
        assert not mismatched.exists()
        for code, country in (("demo-au-utility", "AU"), ("demo-uk-loans", "GB"), ("demo-us-card", "US")):
            countries = set(
                Debtor.objects.filter(account_roles__account__creditor__code=code).values_list("country", flat=True)
            )
            assert countries == {country}
        hospital_regions = set(
            Debtor.objects.filter(account_roles__account__creditor__code="demo-us-hospital").values_list(
                "region", flat=True
            )
        )
        assert hospital_regions <= {"IL", "IN", "WI"}

    def test_b2b_debtors_are_businesses_and_their_guarantors_people(self, portfolio: DemoSummary) -> None:
        roles = AccountDebtor.objects.filter(account__creditor__code="demo-uk-b2b").select_related("debtor")
        kinds = Counter((role.role, role.debtor.kind) for role in roles)
        assert kinds[("primary", "business")] == portfolio.accounts_by_creditor[-1][1]
        assert kinds[("guarantor", "person")] > 0
        assert not Debtor.objects.filter(kind="business").exclude(given_name="", family_name="").exists()


class TestDeterminism:
    def test_the_same_seed_gives_identical_rows_and_ids(self) -> None:
        # Small enough that no table needs a range of ids reserved outside this transaction (on
        # PostgreSQL that would wait for the sequences this test resets).
        restart_ids()
        generate(accounts=DETERMINISM_ACCOUNTS)
        first = portfolio_digest()
        assert LedgerEntry.objects.count() < RANGE_RESERVATION_THRESHOLD
        remove_portfolio()
        restart_ids()
        generate(accounts=DETERMINISM_ACCOUNTS)
        assert portfolio_digest() == first

    def test_a_different_seed_gives_different_people_and_references(self) -> None:
        generate(seed=1)
        names = set(Debtor.objects.values_list("given_name", "family_name", "postal_code"))
        references = set(Account.objects.values_list("reference", flat=True))
        remove_portfolio()
        generate(seed=2)
        assert set(Account.objects.values_list("reference", flat=True)) != references
        overlap = names & set(Debtor.objects.values_list("given_name", "family_name", "postal_code"))
        assert len(overlap) < len(names) // 10


class TestContactPoints:
    def test_every_phone_is_valid_e164_in_the_debtors_country(self, portfolio: DemoSummary) -> None:
        phones = ContactPoint.objects.filter(kind="phone").select_related("debtor")
        assert phones.count() > ACCOUNTS // 2
        for phone in phones:
            number = phonenumbers.parse(phone.value)
            assert phonenumbers.is_valid_number(number), phone.value
            assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == phone.value
            assert phonenumbers.region_code_for_number(number) == phone.debtor.country, phone.value
            if phone.phone_type == "mobile" and phone.debtor.country != "US":
                assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE, phone.value

    def test_landlines_belong_to_the_area_of_the_address(self, portfolio: DemoSummary) -> None:
        checked = Counter[str]()
        for phone in ContactPoint.objects.filter(kind="phone").select_related("debtor"):
            debtor = phone.debtor
            number = phonenumbers.parse(phone.value)
            if debtor.country == "US":
                # NANP mobiles carry the area code too.
                place = geocoder.description_for_number(number, "en")
                state = place.rsplit(", ", 1)[1] if ", " in place else US_STATE_NAMES[place]
                assert state == debtor.region, (phone.value, debtor.city)
            elif phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.FIXED_LINE:
                if debtor.country == "AU":
                    assert str(number.national_number)[0] == AU_AREA_DIGIT[debtor.region], phone.value
                else:
                    place = geocoder.description_for_number(number, "en")
                    assert place == debtor.city or place in GB_CITY_ALIASES.get(debtor.city, set()), phone.value
            else:
                continue
            checked[debtor.country] += 1
        assert min(checked["US"], checked["AU"], checked["GB"]) > 10

    def test_time_zones_and_postcodes_agree_with_the_address(self, portfolio: DemoSummary) -> None:
        for debtor in Debtor.objects.all():
            ZoneInfo(debtor.time_zone)
            assert debtor.time_zone in ZONES_BY_REGION[(debtor.country, debtor.region)], debtor.city
            if debtor.country == "US":
                assert re.fullmatch(r"\d{5}", debtor.postal_code)
            elif debtor.country == "AU":
                assert re.fullmatch(r"\d{4}", debtor.postal_code)
                assert debtor.postal_code[0] == AU_POSTCODE_START[debtor.region]
            else:
                assert re.fullmatch(r"[A-Z]{1,2}\d{1,2}[A-Z]? \d[A-Z]{2}", debtor.postal_code), debtor.postal_code
        perth = Debtor.objects.filter(city="Perth").first()
        assert perth is not None
        assert perth.time_zone == "Australia/Perth"
        perth_phone = perth.contact_points.filter(kind="phone", phone_type__in=["home", "work"]).first()
        if perth_phone is not None:
            assert perth_phone.value.startswith("+618")

    def test_every_city_of_the_reference_table_is_in_a_time_zone_of_its_region(self) -> None:
        for city in CITIES:
            assert city.time_zone in ZONES_BY_REGION[(city.country, city.region)], city.name

    def test_emails_are_lower_case_unique_and_only_on_reserved_domains(self, portfolio: DemoSummary) -> None:
        emails = list(ContactPoint.objects.filter(kind="email").values_list("value", flat=True))
        assert len(emails) > ACCOUNTS // 2
        assert len(set(emails)) == len(emails)
        for email in emails:
            assert email == email.lower()
            assert re.fullmatch(r"[a-z0-9.]+@example\.(com|net|org)", email), email

    def test_some_debtors_have_no_email_or_two_phones_and_some_accounts_have_co_debtors(
        self, portfolio: DemoSummary
    ) -> None:
        debtors = Debtor.objects.annotate(
            phones=Count("contact_points", filter=Q(contact_points__kind="phone")),
            emails=Count("contact_points", filter=Q(contact_points__kind="email")),
        )
        total = debtors.count()
        assert 0.15 < debtors.filter(emails=0).count() / total < 0.40
        assert 0.15 < debtors.filter(phones__gte=2).count() / total < 0.40
        roles = Counter(AccountDebtor.objects.values_list("role", flat=True))
        assert roles["co_debtor"] > 0
        assert roles["guarantor"] > 0
        assert (roles["co_debtor"] + roles["guarantor"]) / ACCOUNTS < 0.12
        repeat_debtors = (
            AccountDebtor.objects.filter(role="primary").values("debtor_id").annotate(n=Count("id")).filter(n__gt=1)
        )
        assert repeat_debtors.exists()

    def test_each_debtor_has_one_primary_phone_and_one_primary_email_at_most(self, portfolio: DemoSummary) -> None:
        primaries = Counter(ContactPoint.objects.filter(is_primary=True).values_list("debtor_id", "kind"))
        assert max(primaries.values()) == 1
        with_phone = ContactPoint.objects.filter(kind="phone").values("debtor_id").distinct().count()
        assert sum(1 for (_, kind) in primaries if kind == "phone") == with_phone

    def test_provenance_flags_are_present_at_small_plausible_rates(self, portfolio: DemoSummary) -> None:
        points = list(ContactPoint.objects.all())
        total = len(points)
        sources = Counter(point.source for point in points)
        assert sources["placement"] / total > 0.6
        assert min(sources["skip_trace"], sources["debtor"], sources["officer"]) > 0
        assert 0.005 < sum(point.do_not_contact for point in points) / total < 0.08
        assert 0.1 < sum(point.verified for point in points) / total < 0.6
        consent = Counter(point.consent for point in points)
        assert consent["granted"] > consent["revoked"] > 0
        assert all(point.obtained_date <= AS_OF for point in points)


class TestAccounts:
    def test_references_are_unique_and_in_each_creditors_format(self, portfolio: DemoSummary) -> None:
        rows = list(Account.objects.values_list("creditor__code", "reference"))
        assert len(set(rows)) == len(rows)
        assert len({reference for _, reference in rows}) == len(rows)
        for code, reference in rows:
            assert re.fullmatch(REFERENCE_FORMATS[code], reference), reference

    def test_reference_numbers_never_repeat(self) -> None:
        numbers = reference_numbers(first_index=0, count=100_000, digits=5, offset=4242)
        assert len(set(numbers)) == 100_000
        steps = {int(b) - int(a) for a, b in itertools.pairwise(numbers[:51])}
        assert len(steps) > 40  # neighbours do not read as a sequence

    def test_dates_are_in_order_and_cards_charge_off_at_180_days(self, portfolio: DemoSummary) -> None:
        charged = 0
        for account in Account.objects.select_related("creditor"):
            dpd = days_past_due(account)
            assert account.opened_date < account.first_delinquency_date <= AS_OF
            assert account.placed_at <= NOW
            assert account.status_changed_at <= NOW
            assert account.status_changed_at >= account.placed_at
            if account.creditor.collector_type == "first_party":
                assert account.placed_at.date() >= account.first_delinquency_date
            if account.product_type == "credit_card":
                if dpd >= 180:
                    assert account.charge_off_date == account.first_delinquency_date + timedelta(days=180)
                    charged += 1
                else:
                    assert account.charge_off_date is None
            elif account.product_type in ("medical", "utility", "b2b_invoice", "other"):
                assert account.charge_off_date is None
        assert charged > 0

    def test_card_delinquency_thins_out_bucket_by_bucket(self, portfolio: DemoSummary) -> None:
        cards = Account.objects.filter(creditor__code="demo-us-card")
        buckets = Counter(min(days_past_due(account) // 30, 6) for account in cards)
        total = cards.count()
        # Most delinquencies are early; about one in four 30-day accounts rolls to 60.
        assert buckets[0] / total > 0.35
        assert buckets[0] > buckets[1] > buckets[2]
        assert buckets[6] / total > 0.1  # charged off, still worked for recoveries

    def test_agency_placements_skew_to_medical_and_telecom(self, portfolio: DemoSummary) -> None:
        agency = Counter(Account.objects.filter(creditor__code="demo-us-agency").values_list("product_type", flat=True))
        total = sum(agency.values())
        assert 0.50 < agency["medical"] / total < 0.66
        assert 0.13 < agency["utility"] / total < 0.27
        assert not Account.objects.filter(creditor__code="demo-us-agency", original_creditor="").exists()
        assert all(days_past_due(account) >= 90 for account in Account.objects.filter(creditor__code="demo-us-agency"))

    def test_most_accounts_are_active_and_statuses_fit_the_lateness(self, portfolio: DemoSummary) -> None:
        statuses = Counter(Account.objects.values_list("status", flat=True))
        assert 0.6 < statuses["active"] / ACCOUNTS < 0.85
        assert statuses["in_arrangement"] > statuses["disputed"] > 0
        assert len(statuses) >= 7
        for account in Account.objects.filter(status__in=["legal", "written_off"]):
            assert days_past_due(account) >= 90
        recalled = Account.objects.filter(status="recalled").exclude(creditor__code="demo-us-agency")
        assert not recalled.exists()

    def test_leaves_accounts_unassigned_when_there_are_no_officers(self, portfolio: DemoSummary) -> None:
        assert not Account.objects.filter(Q(assigned_officer__isnull=False) | Q(team__isnull=False)).exists()


class TestRefusals:
    @pytest.mark.parametrize("accounts", [0, -3, MAX_ACCOUNTS + 1])
    def test_refuses_a_count_outside_one_to_five_million(self, accounts: int) -> None:
        with pytest.raises(UnableToGenerateDemoData, match="between 1 and 5,000,000"):
            generate(accounts=accounts)
        assert not Creditor.objects.exists()

    def test_refuses_a_negative_seed_and_a_naive_now(self) -> None:
        with pytest.raises(UnableToGenerateDemoData, match="seed"):
            generate(seed=-1)
        with pytest.raises(UnableToGenerateDemoData, match="time zone"):
            generate_portfolio(accounts=10, seed=1, as_of=AS_OF, now=datetime(2026, 3, 2, 14, 30))  # noqa: DTZ001

    def test_refuses_a_second_run_without_duplicating(self) -> None:
        generate(accounts=50)
        with pytest.raises(UnableToGenerateDemoData, match="already have 50 accounts"):
            generate(accounts=50)
        assert Account.objects.count() == 50
        assert Creditor.objects.filter(code__in=DEMO_CREDITOR_CODES).count() == 6

    def test_reuses_a_demo_creditor_that_already_exists(self) -> None:
        existing = Creditor.objects.create(
            code="demo-us-card", name="Our card book", industry="bank_card", collector_type="first_party",
            default_currency="USD", country="US", created_at=NOW,
        )  # fmt: skip
        summary = generate(accounts=100)
        assert summary.creditors_created == 5
        assert Account.objects.filter(creditor=existing).count() == 30
        assert Creditor.objects.get(pk=existing.pk).name == "Our card book"


class TestSideEffects:
    def test_writes_one_audit_event_with_the_counts(self, portfolio: DemoSummary) -> None:
        events = list(AuditEvent.objects.filter(name="demo.portfolio.generated"))
        assert len(events) == 1
        after = events[0].after
        assert after is not None
        assert after["accounts"] == ACCOUNTS
        assert after["debtors"] == portfolio.debtors
        assert after["contact_points"] == portfolio.contact_points
        assert after["seed"] == SEED
        # Besides it, only what the first monitoring of the demo's payment plans recorded.
        others = AuditEvent.objects.exclude(name="demo.portfolio.generated")
        assert set(others.values_list("name", flat=True)) <= {
            "arrangements.due.broken",
            "arrangements.due.partly_kept",
            "arrangements.arrangement.broken",
            "accounts.account.status_changed",
        }

    def test_reports_progress_up_to_the_total(self) -> None:
        calls: list[tuple[str, int, int]] = []
        generate_portfolio(accounts=120, seed=3, as_of=AS_OF, now=NOW, progress=lambda *args: calls.append(args))
        accounts_calls = [call for call in calls if call[0] == "accounts"]
        assert accounts_calls[-1] == ("accounts", 120, 120)
        assert [done for _, done, _ in accounts_calls] == sorted(done for _, done, _ in accounts_calls)

    def test_portfolio_is_empty_until_any_account_exists(self) -> None:
        assert portfolio_is_empty()
        AccountFactory()
        assert not portfolio_is_empty()
