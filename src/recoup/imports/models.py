"""Import jobs, saved column mappings, and what each placement file last said about an account."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from recoup.accounts.models import Account, OpenItem
from recoup.parties.models import Creditor, Debtor


class ImportKind(models.TextChoices):
    ACCOUNTS = "accounts", "Account placements"
    PAYMENTS = "payments", "Payments"
    BANK_STATEMENT = "bank_statement", "Bank statement"
    PARTIES = "parties", "Co-debtors and guarantors"
    INVOICES = "invoices", "Invoices (B2B)"


class ColumnMapping(models.Model):
    """How to read one sender's files: their headers for our columns, encoding, separators, dates.

    Saved per creditor and kind of file, so a creditor whose system exports `Kontonummer;Betrag`
    in Windows-1252 with decimal commas is read right every time without anyone re-typing it.
    """

    creditor = models.ForeignKey(
        Creditor, null=True, blank=True, on_delete=models.CASCADE, related_name="column_mappings"
    )
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    name = models.CharField(max_length=100)
    encoding = models.CharField(max_length=20, default="utf-8")
    delimiter = models.CharField(max_length=1, default=",")
    decimal_separator = models.CharField(max_length=1, default=".")
    thousands_separator = models.CharField(max_length=1, blank=True, default="")
    date_format = models.CharField(max_length=20, default="%Y-%m-%d")
    columns = models.JSONField(default=dict, blank=True, help_text="Our column name to the file's header.")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "imports_column_mapping"
        constraints = [
            models.UniqueConstraint(fields=["creditor", "kind", "name"], name="column_mapping_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class ImportJob(models.Model):
    """One file imported (or refused): who, what, when, how it went, and where the rejects are."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Imported"
        REFUSED = "refused", "Refused (nothing written)"
        FAILED = "failed", "Failed (nothing written)"

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all_or_nothing", "All or nothing"
        ACCEPT_VALID = "accept_valid", "Accept valid rows"

    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    creditor = models.ForeignKey(Creditor, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    mapping = models.ForeignKey(ColumnMapping, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    file_size = models.BigIntegerField()
    mode = models.CharField(max_length=20, choices=Mode.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    total_rows = models.BigIntegerField(default=0)
    processed_rows = models.BigIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    rejects_path = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "imports_job"
        indexes = [models.Index(fields=["kind", "started_at"], name="import_job_kind_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name} ({self.status})"

    @property
    def summary_text(self) -> str:
        """The non-zero counts in words: "5 rows, 3 created, 2 unchanged"."""
        return ", ".join(f"{value:,} {name.replace('_', ' ')}" for name, value in self.summary.items() if value)


class Placement(models.Model):
    """What the creditor's latest placement file said about an account.

    A re-sent file is compared with this, not with today's balance (which payments have moved since):
    the same row changes nothing; a different balance becomes an adjustment of the difference.
    """

    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="placement", primary_key=True)
    job = models.ForeignKey(ImportJob, on_delete=models.PROTECT, related_name="+")
    row_digest = models.CharField(max_length=64, help_text="sha256 of the row's parsed values.")
    principal_minor = models.BigIntegerField(default=0)
    interest_minor = models.BigIntegerField(default=0)
    fees_minor = models.BigIntegerField(default=0)
    costs_minor = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "imports_placement"

    def __str__(self) -> str:
        return f"placement of account {self.account_id}"


class BankLine(models.Model):
    """One line of an imported bank statement, and what became of it.

    Credits matched for sure to one account are posted at import; the rest wait as "unmatched" for a
    person to match, split or reject. The bank's line key is unique, so a statement imported twice
    adds nothing and posts nothing twice.
    """

    class Status(models.TextChoices):
        POSTED = "posted", "Posted"
        UNMATCHED = "unmatched", "Waiting to be matched"
        REJECTED = "rejected", "Rejected"
        NOT_A_CREDIT = "not_a_credit", "Money out (not a payment)"

    class Method(models.TextChoices):
        REFERENCE = "reference", "Account reference in the payment details"
        NAME_AND_AMOUNT = "name_and_amount", "Debtor's name and the amount owed"
        ARRANGEMENT = "arrangement", "An open promise or instalment of that amount"
        PERSON = "person", "Matched by a person"

    job = models.ForeignKey(ImportJob, on_delete=models.PROTECT, related_name="bank_lines")
    line_key = models.CharField(max_length=200, unique=True)
    statement_format = models.CharField(max_length=10)
    statement_account = models.CharField(max_length=64)
    position = models.IntegerField(help_text="Entry number in the statement file.")
    booked_on = models.DateField()
    value_date = models.DateField(null=True, blank=True)
    amount_minor = models.BigIntegerField(help_text="Positive for money in.")
    currency = models.CharField(max_length=3)
    counterparty = models.CharField(max_length=200, blank=True)
    reference = models.CharField(max_length=500, blank=True)
    remittance = models.TextField(blank=True)
    bank_reference = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices)
    suggested_account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Best guess, unsure."
    )
    match_method = models.CharField(max_length=20, choices=Method.choices, blank=True)
    confidence = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    payment_ids = models.JSONField(default=list, blank=True, help_text="The payments this line was posted as.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        db_table = "imports_bank_line"
        indexes = [models.Index(fields=["status", "booked_on"], name="bank_line_status_idx")]

    def __str__(self) -> str:
        return f"bank line {self.position} of import {self.job_id} ({self.status})"


class DebtorLink(models.Model):
    """The creditor's own id for a debtor, so that its files can name the same debtor again."""

    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=64)
    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        db_table = "imports_debtor_link"
        constraints = [models.UniqueConstraint(fields=["creditor", "reference"], name="debtor_link_unique")]

    def __str__(self) -> str:
        return f"{self.reference} of creditor {self.creditor_id}"


class PartyPlacement(models.Model):
    """What the creditor's latest party file said about a co-debtor or guarantor of an account."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20)
    key = models.CharField(max_length=200, help_text="The debtor reference, or the name and date of birth.")
    job = models.ForeignKey(ImportJob, on_delete=models.PROTECT, related_name="+")
    row_digest = models.CharField(max_length=64)
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "imports_party_placement"
        constraints = [models.UniqueConstraint(fields=["account", "role", "key"], name="party_placement_unique")]

    def __str__(self) -> str:
        return f"{self.role} {self.key} of account {self.account_id}"


class InvoicePlacement(models.Model):
    """What the creditor's latest invoice file said about one invoice (an open item of an account)."""

    item = models.OneToOneField(OpenItem, on_delete=models.PROTECT, related_name="+", primary_key=True)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    invoice_reference = models.CharField(max_length=64)
    amount_minor = models.BigIntegerField()
    job = models.ForeignKey(ImportJob, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "imports_invoice_placement"
        constraints = [
            models.UniqueConstraint(fields=["account", "invoice_reference"], name="invoice_placement_unique")
        ]

    def __str__(self) -> str:
        return f"invoice {self.invoice_reference} of account {self.account_id}"
