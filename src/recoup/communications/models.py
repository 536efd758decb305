"""Templates (versioned: a sent message keeps the version it used) and the outbox of messages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from recoup.accounts.models import Account
from recoup.compliance.models import ContactDecision
from recoup.core.compliance.model import Purpose as GatePurpose
from recoup.parties.models import ContactPoint, Creditor, Debtor


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    LETTER = "letter", "Letter"


class Template(models.Model):
    """One version of a message template. Editing a template saves a new version; old ones stay."""

    class Purpose(models.TextChoices):
        COLLECTION = "collection", "Collection (asks for payment)"
        STATEMENT = "statement", "Statement the law requires (no payment request)"
        REQUIRED_NOTICE = "required_notice", "Notice the law requires (no payment request)"
        CEASE_NOTICE = "cease_notice", "Notice allowed after a cease request (US-04)"
        EXTINGUISHED_NOTICE = "extinguished_notice", "Telling the person the debt is extinguished (UK-06, AU-05)"

    code = models.SlugField(max_length=60, help_text="The template's name, such as first-reminder.")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    language = models.CharField(max_length=10, default="en")
    creditor = models.ForeignKey(
        Creditor, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="None: every creditor"
    )
    version = models.PositiveIntegerField()
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    purpose = models.CharField(
        max_length=30,
        choices=Purpose.choices,
        default=Purpose.COLLECTION,
        db_default=Purpose.COLLECTION,
        help_text="Why messages from it are sent: a statement or required notice may go during a breathing "
        "space, and may not ask for payment (docs/compliance.md).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        db_table = "communications_template"
        constraints = [
            models.UniqueConstraint(
                fields=["code", "channel", "language", "creditor", "version"], name="template_version_unique"
            ),
            models.UniqueConstraint(
                fields=["code", "channel", "language", "version"],
                condition=Q(creditor__isnull=True),
                name="template_default_version_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.channel}, {self.language}) v{self.version}"


class PrintBatch(models.Model):
    """The letters printed together: one merged PDF and a manifest CSV for the print vendor.

    Made in two steps so a crash never loses or doubles a letter: the batch is recorded with its
    letters first ("preparing"), then the files are written, then the batch is marked ready and its
    letters sent, in one transaction. A batch left preparing is finished by the next run, with the
    same letters and the same file names. The vendor takes a batch when its manifest exists.
    """

    class Status(models.TextChoices):
        PREPARING = "preparing", "Being prepared"
        READY = "ready", "Ready for the printer"

    status = models.CharField(max_length=10, choices=Status.choices)
    created_at = models.DateTimeField()
    ready_at = models.DateTimeField(null=True, blank=True)
    letters = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    pdf_path = models.CharField(max_length=500, blank=True)
    manifest_path = models.CharField(max_length=500, blank=True)

    class Meta:
        db_table = "communications_print_batch"

    def __str__(self) -> str:
        return f"print batch {self.pk} ({self.status})"


class Message(models.Model):
    """A message to a debtor: rendered when created, delivered by the worker, kept with its history."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be sent"
        DEFERRED = "deferred", "Deferred to an allowed time"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        BLOCKED = "blocked", "Blocked by the compliance gate"
        BOUNCED = "bounced", "Bounced"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="messages")
    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="messages")
    contact_point = models.ForeignKey(ContactPoint, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    template = models.ForeignKey(
        Template, null=True, blank=True, on_delete=models.PROTECT, related_name="messages", help_text="None: a document"
    )
    document = models.CharField(
        max_length=30,
        blank=True,
        help_text="A document the compliance engine writes (validation_notice), not a template.",
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    to_address = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    decision = models.ForeignKey(
        ContactDecision, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="At sending"
    )
    not_before = models.DateTimeField(help_text="The worker sends it at or after this time.")
    delivery_key = models.CharField(max_length=64, unique=True, help_text="Sent as the Message-ID: one delivery.")
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    provider_id = models.CharField(max_length=100, blank=True, help_text="The SMS provider's id for the message.")
    batch = models.ForeignKey(
        PrintBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="messages", help_text="Letters"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "communications_message"
        indexes = [
            models.Index(fields=["status", "not_before"], name="message_due_idx"),
            models.Index(fields=["account", "created_at"], name="message_account_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.to_address} ({self.status})"

    @property
    def gate_purpose(self) -> GatePurpose:
        """Why the message is sent, as the gate judges it: its template's purpose; a document's (the
        validation notice) is collection."""
        return GatePurpose(self.template.purpose) if self.template is not None else GatePurpose.COLLECTION


class MessageEvent(models.Model):
    """Each change of a message's status, with why."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=10, choices=Message.Status.choices)
    at = models.DateTimeField()
    detail = models.TextField(blank=True)

    class Meta:
        db_table = "communications_message_event"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.message_id} {self.status} at {self.at}"
