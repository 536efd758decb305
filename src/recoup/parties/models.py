"""Creditors, debtors and contact points (first cut; the core-domain issue completes them)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from recoup.core.business_dates import UnknownZone, zone
from recoup.core.fees import FeePolicyError, parse_fee_policy


class Creditor(models.Model):
    """A client whose debts are collected: a bank, utility, hospital, supplier or lender."""

    class Industry(models.TextChoices):
        BANK_CARD = "bank_card", "Bank card issuer"
        LENDER = "lender", "Consumer lender"
        UTILITY = "utility", "Utility or telecom"
        HEALTHCARE = "healthcare", "Hospital or healthcare"
        B2B_SUPPLIER = "b2b_supplier", "B2B supplier"
        OTHER = "other", "Other"

    class CollectorType(models.TextChoices):
        FIRST_PARTY = "first_party", "First-party creditor"
        THIRD_PARTY = "third_party", "Third-party collector"

    code = models.SlugField(max_length=40, unique=True, help_text="Short name used on files and the CLI.")
    name = models.CharField(max_length=200)
    industry = models.CharField(max_length=20, choices=Industry.choices)
    collector_type = models.CharField(max_length=20, choices=CollectorType.choices)
    default_currency = models.CharField(max_length=3, help_text="ISO 4217 code, such as USD.")
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code, such as US.")
    jurisdiction = models.CharField(
        max_length=10,
        blank=True,
        help_text="ISO 3166-2 subdivision whose law governs, such as US-NY.",
    )
    allocation_policy = models.JSONField(
        null=True,
        blank=True,
        help_text=(
            'How payments are spread: {"method": "component_order" or "oldest_first", '
            '"component_order": ["costs", "fees", "interest", "principal"]}. Empty: that default.'
        ),
    )
    aging_buckets = models.JSONField(
        null=True,
        blank=True,
        help_text="Upper bounds of the aging buckets in days, e.g. [0, 30, 60, 90, 120, 180]. Empty: that default.",
    )
    settlement_authority = models.JSONField(
        null=True,
        blank=True,
        help_text='Largest discount each role may grant, in percent of the balance: {"officer": 10, "team_lead": 25}.',
    )
    fees_policy = models.JSONField(
        null=True,
        blank=True,
        help_text='Fees the creditor allows, e.g. {"late_fee": "25.00", "max_fees_percent": 10}. Empty: none.',
    )
    contact_policy = models.JSONField(
        null=True,
        blank=True,
        help_text=(
            "The firm's contact limits on top of the law (docs/compliance.md): "
            '{"max_attempts_per_day": 2, "min_spacing_minutes": 120, "max_contacts": 3, "contacts_window_days": 7, '
            '"windows": {"call": ["09:00", "20:00"]}}. Empty: the law only.'
        ),
    )
    settlement_wording = models.TextField(
        blank=True,
        default="",
        db_default="",
        help_text="Wording the creditor requires in every settlement letter (printed as given, after the terms).",
    )
    arrangement_policy = models.JSONField(
        null=True,
        blank=True,
        help_text=(
            "Limits on payment plans and how they are monitored (docs/arrangements.md): "
            '{"max_term_months": 24, "min_instalment": "25.00", "min_percent_of_balance": 2, '
            '"tolerance_amount": "1.00", "tolerance_percent": 5, "grace_days": 3, "misses_allowed": 1, '
            '"date_rule": "following"}. Empty: those defaults.'
        ),
    )
    business_time_zone = models.CharField(
        max_length=64,
        blank=True,
        default="",
        db_default="",
        help_text=(
            "IANA time zone of the creditor's business day, such as Australia/Sydney: the date its charges and "
            "payments are posted on (docs/decisions/0005-business-dates.md). Empty: the office zone (RECOUP_TIME_ZONE)."
        ),
    )
    created_at = models.DateTimeField()

    class Meta:
        db_table = "parties_creditor"
        constraints = [
            models.CheckConstraint(condition=Q(default_currency__regex=r"^[A-Z]{3}$"), name="creditor_currency_iso"),
            models.CheckConstraint(condition=Q(country__regex=r"^[A-Z]{2}$"), name="creditor_country_iso"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        """A fees policy that cannot be read, or a zone that does not exist, is refused where it is typed
        (the admin), naming the field."""
        super().clean()
        try:
            parse_fee_policy(self.fees_policy)
        except FeePolicyError as error:
            raise ValidationError({"fees_policy": str(error)}) from None
        if self.business_time_zone:
            try:
                zone(self.business_time_zone)
            except UnknownZone as error:
                raise ValidationError({"business_time_zone": str(error)}) from None


class Debtor(models.Model):
    """A person or business that owes money on one or more accounts."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        BUSINESS = "business", "Business"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    business_name = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    preferred_language = models.CharField(max_length=10, default="en")
    time_zone = models.CharField(max_length=64, help_text="IANA time zone of the postal address.")
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=10, blank=True, help_text="State, territory or county code.")
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "parties_debtor"
        indexes = [models.Index(fields=["family_name", "given_name"], name="debtor_name_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="person") & ~Q(family_name="")) | (Q(kind="business") & ~Q(business_name="")),
                name="debtor_has_name",
            ),
            models.CheckConstraint(condition=Q(country__regex=r"^[A-Z]{2}$"), name="debtor_country_iso"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.BUSINESS:
            return self.business_name
        return f"{self.given_name} {self.family_name}".strip()


class ContactPoint(models.Model):
    """A phone number (E.164) or email address of a debtor, with where it came from and consent."""

    class Kind(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"

    class PhoneType(models.TextChoices):
        MOBILE = "mobile", "Mobile"
        HOME = "home", "Home"
        WORK = "work", "Work"

    class Consent(models.TextChoices):
        UNKNOWN = "unknown", "Unknown"
        GRANTED = "granted", "Granted"
        REVOKED = "revoked", "Revoked"

    class Source(models.TextChoices):
        PLACEMENT = "placement", "Creditor placement file"
        DEBTOR = "debtor", "Given by the debtor"
        SKIP_TRACE = "skip_trace", "Skip trace"
        OFFICER = "officer", "Entered by an officer"

    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="contact_points")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=254, help_text="E.164 for phones, lower-case for email.")
    phone_type = models.CharField(max_length=10, choices=PhoneType.choices, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    obtained_date = models.DateField()
    consent = models.CharField(max_length=10, choices=Consent.choices, default=Consent.UNKNOWN)
    consent_date = models.DateField(null=True, blank=True, help_text="When consent was given or revoked.")
    last_consumer_use_date = models.DateField(
        null=True, blank=True, help_text="When the person last texted or emailed us from it (US-06)."
    )
    reassigned_check_date = models.DateField(
        null=True, blank=True, help_text="Last clean reassigned-numbers database check (US-06)."
    )
    creditor_notice_date = models.DateField(
        null=True, blank=True, help_text="The creditor's notice with an opt-out window for this email (US-06)."
    )
    employer_provided = models.BooleanField(
        default=False, db_default=False, help_text="An email address given by the employer (US-02)."
    )
    no_workplace_contact = models.BooleanField(
        default=False, db_default=False, help_text="The person may not be called here at work."
    )
    caused_disclosure = models.BooleanField(
        default=False, db_default=False, help_text="A message here reached a third party (US-06)."
    )
    verified = models.BooleanField(default=False)
    do_not_contact = models.BooleanField(default=False)
    is_primary = models.BooleanField(default=False)

    class Meta:
        db_table = "parties_contact_point"
        constraints = [
            models.UniqueConstraint(fields=["debtor", "kind", "value"], name="contact_point_unique"),
            models.CheckConstraint(condition=Q(kind="email") | ~Q(phone_type=""), name="contact_point_phone_has_type"),
        ]
        indexes = [models.Index(fields=["value"], name="contact_point_value_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value} of debtor {self.debtor_id}"
