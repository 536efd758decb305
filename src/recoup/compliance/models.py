"""Holds on accounts and people, and the contact ledger: every decision of the gate and every contact.

Decisions and contacts are append-only (evidence for a regulator or a court); a hold is never
deleted, only lifted, with who lifted it and why.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from recoup.accounts.models import Account
from recoup.core.contact_rules import hold_in_force
from recoup.parties.models import Debtor

CHANNEL_CHOICES = [("call", "Call"), ("sms", "SMS"), ("email", "Email"), ("letter", "Letter"), ("visit", "Visit")]


class LedgerIsAppendOnly(Exception):
    """The contact ledger is evidence: its rows are never changed or deleted."""


class Hold(models.Model):
    """Something that stops (or limits) contact with a person or on an account, from when to when, and why."""

    class Kind(models.TextChoices):
        DISPUTE = "dispute", "Dispute pending verification"
        CEASE_COMMUNICATION = "cease_communication", "Cease communication"
        REPRESENTED = "represented", "Attorney or representative"
        BANKRUPTCY = "bankruptcy", "Bankruptcy"
        DECEASED = "deceased", "Deceased"
        HARDSHIP = "hardship", "Hardship assessment"
        BREATHING_SPACE = "breathing_space", "Breathing space (standard, 60 days)"
        BREATHING_SPACE_MHC = "breathing_space_mhc", "Breathing space (mental health crisis)"
        VULNERABILITY = "vulnerability", "Vulnerability"
        DO_NOT_CONTACT = "do_not_contact", "Do not contact on a channel"

    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT, related_name="holds")
    debtor = models.ForeignKey(Debtor, null=True, blank=True, on_delete=models.PROTECT, related_name="holds")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=CHANNEL_CHOICES, blank=True, help_text="Only for do-not-contact.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Empty: until lifted.")
    reason = models.TextField()
    evidence = models.TextField(blank=True, help_text="What the hold rests on: a letter, a call note, a court order.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lift_reason = models.TextField(blank=True)

    class Meta:
        db_table = "compliance_hold"
        constraints = [
            models.CheckConstraint(
                condition=Q(account__isnull=False) | Q(debtor__isnull=False), name="hold_has_subject"
            ),
            models.CheckConstraint(condition=~Q(kind="do_not_contact") | ~Q(channel=""), name="hold_dnc_has_channel"),
        ]
        indexes = [
            models.Index(fields=["account", "kind"], name="hold_account_idx"),
            models.Index(fields=["debtor", "kind"], name="hold_debtor_idx"),
        ]
        permissions = [("compliance_override", "Can make a contact the compliance gate blocked, with a reason")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} hold {self.pk}"

    def in_force(self, at: datetime) -> bool:
        """Whether the hold applies at `at`, as the gate reads it: started, not ended, never lifted."""
        return hold_in_force(starts_at=self.starts_at, ends_at=self.ends_at, lifted_at=self.lifted_at, at=at)


class HoldLiftRequest(models.Model):
    """An officer's request, with the reason, that a team lead lift a hold; approved (the hold is lifted
    through the lift service) or declined, with who decided, when and why. One open request a hold."""

    class Decision(models.TextChoices):
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    hold = models.ForeignKey(Hold, on_delete=models.PROTECT, related_name="lift_requests")
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="hold_lift_requests", help_text="Where it was asked from."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        db_table = "compliance_hold_lift_request"
        constraints = [
            models.UniqueConstraint(
                fields=["hold"], condition=Q(decided_at__isnull=True), name="hold_lift_request_one_open"
            ),
            models.CheckConstraint(
                condition=(Q(decided_at__isnull=True) & Q(decision=""))
                | (Q(decided_at__isnull=False) & Q(decision__in=["approved", "declined"])),
                name="hold_lift_request_decided",
            ),
        ]
        indexes = [models.Index(fields=["account", "decided_at"], name="hold_lift_request_account_idx")]

    def __str__(self) -> str:
        return f"Request {self.pk} to lift hold {self.hold_id}"


class AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise LedgerIsAppendOnly(f"{type(self).__name__} {self.pk} cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise LedgerIsAppendOnly(f"{type(self).__name__} {self.pk} cannot be deleted")


class ContactDecision(AppendOnly):
    """The gate's answer for one proposed contact, allowed or blocked, with every reason.

    An allowed (or overridden) decision carries a token; a contact can only be recorded against an
    unused token, so no contact happens without a decision.
    """

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="contact_decisions")
    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="contact_decisions")
    channel = models.CharField(max_length=10, choices=CHANNEL_CHOICES)
    proposed_at = models.DateTimeField()
    allowed = models.BooleanField()
    reasons = models.JSONField(default=list)
    warnings = models.JSONField(default=list)
    next_allowed = models.DateTimeField(null=True, blank=True)
    time_zones = models.JSONField(default=list, help_text="The zones the person may be in, as the gate saw them.")
    packs = models.JSONField(default=list, help_text="The rule packs applied.")
    override_reason = models.TextField(blank=True)
    purpose = models.CharField(max_length=30, default="collection", help_text="Why the contact is made.")
    contact_point = models.ForeignKey(
        "parties.ContactPoint",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The number or address the gate checked; a backend may use only this one.",
    )
    automated = models.BooleanField(default=False, help_text="Autodialled or prerecorded (US-23).")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField()

    objects: ClassVar[models.Manager[ContactDecision]]

    class Meta:
        db_table = "compliance_decision"
        indexes = [models.Index(fields=["account", "decided_at"], name="decision_account_idx")]

    def __str__(self) -> str:
        return f"{'allowed' if self.allowed else 'blocked'} {self.channel} at {self.proposed_at}"

    @property
    def usable(self) -> bool:
        return self.allowed or bool(self.override_reason)


class Contact(AppendOnly):
    """A contact or attempt that happened, against the decision that allowed it (inbound ones need none)."""

    class Outcome(models.TextChoices):
        CONNECTED_CONVERSATION = "connected_conversation", "Spoke with the person"
        VOICEMAIL = "voicemail", "Left a voicemail"
        NO_ANSWER = "no_answer", "Rang, no answer"
        NOT_CONNECTED = "not_connected", "Did not connect (busy, not in service)"
        DELIVERED = "delivered", "Delivered"

    class Direction(models.TextChoices):
        OUTBOUND = "outbound", "Outbound"
        INBOUND = "inbound", "Inbound"

    decision = models.OneToOneField(
        ContactDecision, null=True, blank=True, on_delete=models.PROTECT, related_name="contact"
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="contacts")
    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="contacts")
    channel = models.CharField(max_length=10, choices=CHANNEL_CHOICES)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.OUTBOUND)
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        db_table = "compliance_contact"
        indexes = [models.Index(fields=["debtor", "at"], name="contact_debtor_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(direction="inbound") | Q(decision__isnull=False), name="contact_outbound_has_decision"
            )
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.channel} {self.outcome} at {self.at}"


class ContactAbout(AppendOnly):
    """Another debt of the same person that a contact was about (a call about two accounts): the
    contact counts toward each debt's limits (US-08 counts calls per person per debt)."""

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="also_about")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="contacts_also_about")

    class Meta:
        db_table = "compliance_contact_about"
        constraints = [models.UniqueConstraint(fields=["contact", "account"], name="contact_about_once")]

    def __str__(self) -> str:
        return f"contact {self.contact_id} also about account {self.account_id}"


class ContactWish(models.Model):
    """When and how a person asked to be contacted (US-01, AU-01, UK-04); withdrawn, never deleted."""

    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="contact_wishes")
    channel = models.CharField(max_length=10, choices=CHANNEL_CHOICES, blank=True, help_text="Empty: every channel.")
    weekdays = models.JSONField(help_text="Days contact is welcome, 0 = Monday to 6 = Sunday.")
    starts = models.TimeField()
    ends = models.TimeField()
    note = models.TextField(blank=True, help_text="What the person said, and when.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "compliance_contact_wish"
        constraints = [models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="contact_wish_window")]

    def __str__(self) -> str:
        return f"contact wish {self.pk} of debtor {self.debtor_id}"

    @property
    def weekday_names(self) -> str:
        names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        return ", ".join(names[int(day)] for day in self.weekdays)


class Notice(models.Model):
    """A notice the law times things from, recorded when it was sent (and if it came back).

    The validation notice starts nothing but must be sent in time (US-11); the first letter about a
    debt opens the credit reporting wait (US-17); the overdue notice and the notice of intention open
    the default listing wait (AU-08); a default notice's remedy period must pass before enforcement
    (AU-07, UK-08).
    """

    class Kind(models.TextChoices):
        VALIDATION = "validation", "Validation notice (US-12)"
        FIRST_LETTER = "first_letter", "First letter about the debt"
        OVERDUE = "overdue", "Overdue notice asking for payment (AU-08)"
        INTENT_TO_LIST = "intent_to_list", "Notice of intention to list a default (AU-08)"
        DEFAULT = "default", "Default notice (AU-07, UK-08)"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="notices")
    debtor = models.ForeignKey(Debtor, null=True, blank=True, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=CHANNEL_CHOICES, default="letter")
    sent_on = models.DateField()
    remedy_days = models.PositiveIntegerField(null=True, blank=True, help_text="Default notices: days given to remedy.")
    reference = models.CharField(max_length=100, blank=True, help_text="Print batch, tracking or message id.")
    undeliverable_on = models.DateField(null=True, blank=True, help_text="When it came back undeliverable.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        db_table = "compliance_notice"
        indexes = [models.Index(fields=["account", "kind"], name="notice_account_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} sent {self.sent_on}"


class CallConsent(models.Model):
    """The person's prior consent, given directly, to be called (US-08 exclusion): at most 7 days."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="call_consents")
    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="call_consents")
    given_at = models.DateTimeField()
    ends_at = models.DateTimeField(help_text="At most 7 days after it was given.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(help_text="What the person said: 'call me back tomorrow after 2pm'.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        db_table = "compliance_call_consent"
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("given_at")), name="call_consent_span")]

    def __str__(self) -> str:
        return f"call consent {self.pk} from {self.given_at} to {self.ends_at}"


class HardshipNotice(models.Model):
    """A hardship notice (AU-06), oral or written, and the steps whose deadlines it starts."""

    class How(models.TextChoices):
        ORAL = "oral", "Oral"
        WRITTEN = "written", "Written"

    class Decision(models.TextChoices):
        PENDING = "", "Not decided"
        AGREED = "agreed", "Agreed a change"
        REFUSED = "refused", "Refused, with reasons and EDR details"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="hardship_notices")
    debtor = models.ForeignKey(Debtor, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    hold = models.OneToOneField(Hold, null=True, blank=True, on_delete=models.PROTECT, related_name="hardship_notice")
    received_on = models.DateField()
    how = models.CharField(max_length=10, choices=How.choices)
    summary = models.TextField(help_text="What the person said about their hardship.")
    info_requested_on = models.DateField(null=True, blank=True)
    info_received_on = models.DateField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True, default="")
    decided_on = models.DateField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        db_table = "compliance_hardship_notice"

    def __str__(self) -> str:
        return f"hardship notice {self.pk} received {self.received_on}"


class Forbearance(models.Model):
    """A forbearance option offered to, asked for by, or agreed with a customer in difficulty (UK-01),
    with the reasons; a refusal of the customer's own proposal needs its reason written down."""

    class Option(models.TextChoices):
        REDUCED_PAYMENTS = "reduced_payments", "Reduced payments for a period"
        TOKEN_PAYMENTS = "token_payments", "Token payments for a period"
        INTEREST_SUSPENDED = "interest_suspended", "Interest and charges suspended"
        CHARGES_WAIVED = "charges_waived", "Interest and charges waived or cancelled"
        ARREARS_DEFERRED = "arrears_deferred", "Arrears deferred"
        TERM_EXTENDED = "term_extended", "Repayment period extended"
        PAYMENT_HOLIDAY = "payment_holiday", "Payment holiday"
        DEBT_ADVICE = "debt_advice", "Free debt advice signposted"
        ADVISER = "adviser", "Dealing with the customer's debt adviser"

    class Outcome(models.TextChoices):
        OFFERED = "offered", "Offered, waiting for the customer"
        AGREED = "agreed", "Agreed"
        DECLINED = "declined", "Declined by the customer"
        REFUSED = "refused", "Customer's proposal refused, with reasons"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="forbearances")
    option = models.CharField(max_length=30, choices=Option.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Empty: until reviewed.")
    reason = models.TextField(help_text="Why: the customer's circumstances, or why a proposal was refused.")
    freeze = models.OneToOneField(
        "accounts.ChargeFreeze", null=True, blank=True, on_delete=models.PROTECT, related_name="forbearance"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        db_table = "compliance_forbearance"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")), name="forbearance_span"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_option_display()} ({self.outcome})"


class Dispute(models.Model):
    """A dispute about the debt, or a complaint about conduct, with its legal clocks and its workflow
    (`compliance.disputes`). The facts the clocks rest on are kept as they were on receipt (where the
    person lived, the validation period's end), so the deadlines do not move if the address changes."""

    class Kind(models.TextChoices):
        DISPUTE = "dispute", "Dispute about the debt"
        COMPLAINT = "complaint", "Complaint about conduct"

    class Channel(models.TextChoices):
        LETTER = "letter", "Letter"
        EMAIL = "email", "Email"
        PORTAL = "portal", "Portal"
        PHONE = "phone", "Phone (oral)"
        IN_PERSON = "in_person", "In person, handed over in writing"
        REPRESENTATIVE = "representative", "Through a representative"
        REGULATOR = "regulator", "Through a regulator"

    class Reason(models.TextChoices):
        NOT_MY_DEBT = "not_my_debt", "Not my debt"
        IDENTITY_THEFT = "identity_theft", "Identity theft"
        WRONG_AMOUNT = "wrong_amount", "Wrong amount"
        ALREADY_PAID = "already_paid", "Already paid"
        PAID_ORIGINAL_CREDITOR = "paid_original_creditor", "Paid to the original creditor"
        BANKRUPTCY_DISCHARGED = "bankruptcy_discharged", "Discharged in bankruptcy"
        TIME_BARRED = "time_barred", "Time-barred"
        POOR_SERVICE = "poor_service", "Poor service"
        OTHER = "other", "Other"

    class Category(models.TextChoices):
        COMMUNICATION_TACTICS = "communication_tactics", "Communication tactics (how often, when)"
        FALSE_STATEMENTS = "false_statements", "False statements or representation"
        THREATENED_ACTION = "threatened_action", "Took or threatened negative or legal action"
        NOTIFICATION = "notification", "Written notification about the debt"
        PRIVACY = "privacy", "Privacy: disclosure to someone else"
        ARRANGEMENT_HANDLING = "arrangement_handling", "Handling of arrears or a payment plan"
        VULNERABILITY = "vulnerability", "Treatment of a customer in vulnerable circumstances"
        FEES_CHARGES = "fees_charges", "Fees and charges"
        STAFF_CONDUCT = "staff_conduct", "Staff conduct"
        OTHER = "other", "Other"

    class State(models.TextChoices):
        RECEIVED = "received", "Received"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        INVESTIGATING = "investigating", "Under investigation"
        AWAITING_CREDITOR = "awaiting_creditor", "Waiting for the creditor's documents"
        ANSWERED = "answered", "Answered"
        WITHDRAWN = "withdrawn", "Withdrawn"
        REFERRED = "referred", "Referred onward"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        NONE = "", "—"
        VERIFIED = "verified", "Verified"
        CORRECTED = "corrected", "Corrected"
        UPHELD = "upheld", "Upheld"
        PARTLY_UPHELD = "partly_upheld", "Partly upheld"
        DUPLICATIVE = "duplicative", "Duplicative (answered before)"
        NOT_UPHELD = "not_upheld", "Not upheld"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="disputes")
    debtor = models.ForeignKey(Debtor, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    raised_by = models.CharField(max_length=200, help_text="Who raised it: the person, or their representative.")
    reason = models.CharField(max_length=30, choices=Reason.choices, blank=True)
    category = models.CharField(max_length=30, choices=Category.choices, blank=True)
    text = models.TextField(blank=True, help_text="What they said, in their words or a summary.")
    disputed_minor = models.BigIntegerField(null=True, blank=True, help_text="Empty: the whole debt.")
    currency = models.CharField(max_length=3)
    received_at = models.DateTimeField()
    received_on = models.DateField(help_text="The day received, in the person's time zone.")
    time_zone = models.CharField(max_length=64)
    country = models.CharField(max_length=2)
    region = models.CharField(max_length=10, blank=True)
    rules = models.JSONField(default=list, help_text="The rule IDs that govern it (docs/disputes.md).")
    validation_ends = models.DateField(null=True, blank=True)
    about_credit_report = models.BooleanField(default=False)
    hardship_or_default = models.BooleanField(default=False)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=20, choices=State.choices, default=State.RECEIVED)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True, default="")
    hold = models.OneToOneField(Hold, null=True, blank=True, on_delete=models.PROTECT, related_name="dispute")
    acknowledged_on = models.DateField(null=True, blank=True)
    answered_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "compliance_dispute"
        indexes = [
            models.Index(fields=["account", "state"], name="dispute_account_idx"),
            models.Index(fields=["state", "received_on"], name="dispute_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="dispute") & ~Q(reason="")) | (Q(kind="complaint") & ~Q(category="")),
                name="dispute_has_reason_or_category",
            ),
            models.CheckConstraint(
                condition=Q(disputed_minor__isnull=True) | Q(disputed_minor__gt=0), name="dispute_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} on account {self.account_id} ({self.state})"
