"""Row sources of the exports: one set-based query per export, read from the database in chunks.

Each source is a single SELECT (joins and correlated sub-selects, never a query per account) read
with `QuerySet.iterator(chunk_size=...)`: a named server-side cursor on PostgreSQL, `fetchmany`
batches on SQLite. Rows are turned into typed values (Decimal money exact from the minor units,
dates, aware UTC datetimes) one at a time, so memory stays flat however many rows there are.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Generator, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, Trim

from recoup.accounts.models import Account, AccountDebtor, Payment
from recoup.audit.models import AuditEvent
from recoup.core.aging import days_past_due
from recoup.core.money import minor_units
from recoup.parties.models import Debtor

CHUNK_SIZE = 2000
"""Rows fetched per round trip: large enough to keep round trips few, small enough to keep memory flat."""

Row = tuple[Any, ...]


class ExportKind(StrEnum):
    ACCOUNTS = "accounts"
    PAYMENTS = "payments"
    ACTIVITIES = "activities"


EXPORT_LABELS: dict[ExportKind, str] = {
    ExportKind.ACCOUNTS: "Accounts",
    ExportKind.PAYMENTS: "Payments",
    ExportKind.ACTIVITIES: "Activities",
}


class ColumnKind(StrEnum):
    """What a column holds, which decides how each writer renders it."""

    TEXT = "text"
    MONEY = "money"
    """A Decimal at the currency's minor unit: never neutralised, a number in XLSX."""
    INTEGER = "integer"
    DATE = "date"
    DATETIME = "datetime"
    """An aware datetime, written in UTC."""


@dataclass(frozen=True)
class Column:
    """One column of an export: its header, what it holds, and what it means (for the page and docs)."""

    key: str
    kind: ColumnKind
    description: str
    width: int = 14
    """Column width in an XLSX sheet, in characters."""


ACCOUNT_COLUMNS: tuple[Column, ...] = (
    Column("creditor_code", ColumnKind.TEXT, "Code of the creditor the account is collected for.", 14),
    Column("account_reference", ColumnKind.TEXT, "The creditor's account reference.", 18),
    Column("original_creditor", ColumnKind.TEXT, "Who the debt was first owed to, when it was sold on.", 22),
    Column("product_type", ColumnKind.TEXT, "credit_card, personal_loan, utility, medical, b2b_invoice or other.", 14),
    Column("status", ColumnKind.TEXT, "Account status, such as active, in_arrangement, legal or paid.", 14),
    Column("currency", ColumnKind.TEXT, "ISO 4217 currency of every amount on the row.", 9),
    Column("primary_debtor", ColumnKind.TEXT, "Name of the primary debtor (person or business).", 26),
    Column("co_debtors", ColumnKind.INTEGER, "How many co-debtors the account has.", 11),
    Column("guarantors", ColumnKind.INTEGER, "How many guarantors the account has.", 11),
    Column("principal", ColumnKind.MONEY, "Principal owed.", 14),
    Column("interest", ColumnKind.MONEY, "Interest owed.", 12),
    Column("fees", ColumnKind.MONEY, "Fees owed.", 12),
    Column("costs", ColumnKind.MONEY, "Costs owed.", 12),
    Column("total_balance", ColumnKind.MONEY, "Principal + interest + fees + costs.", 14),
    Column("credit_balance", ColumnKind.MONEY, "Paid beyond what is owed and not yet refunded.", 14),
    Column("oldest_unpaid_due_date", ColumnKind.DATE, "Due date of the oldest item still owing; empty if none.", 14),
    Column("days_past_due", ColumnKind.INTEGER, "Days from the oldest unpaid due date to the as-of date.", 12),
    Column("placed_date", ColumnKind.DATE, "Date (UTC) the account was placed for collection.", 12),
    Column("assigned_officer", ColumnKind.TEXT, "Username of the officer working the account; empty if none.", 16),
    Column("team", ColumnKind.TEXT, "Name of the team the account belongs to; empty if none.", 16),
)

PAYMENT_COLUMNS: tuple[Column, ...] = (
    Column("payment_id", ColumnKind.INTEGER, "Recoup's payment number.", 11),
    Column("creditor_code", ColumnKind.TEXT, "Code of the creditor of the account paid.", 14),
    Column("account_reference", ColumnKind.TEXT, "The creditor's account reference.", 18),
    Column("received_at", ColumnKind.DATETIME, "When the money was received, in UTC.", 20),
    Column("amount", ColumnKind.MONEY, "Amount received.", 12),
    Column("currency", ColumnKind.TEXT, "ISO 4217 currency of the amount.", 9),
    Column("method", ColumnKind.TEXT, "card, bank_transfer, direct_debit, cheque, cash, agency or other.", 14),
    Column("external_reference", ColumnKind.TEXT, "The payer's or the bank's reference.", 20),
    Column("idempotency_key", ColumnKind.TEXT, "Key that made posting the payment safe to retry.", 20),
    Column("reversed", ColumnKind.TEXT, "yes when the payment was reversed (returned, charged back), else no.", 9),
    Column("reversal_reason", ColumnKind.TEXT, "Why it was reversed; empty if it was not.", 24),
)

ACTIVITY_COLUMNS: tuple[Column, ...] = (
    Column("occurred_at", ColumnKind.DATETIME, "When it happened, in UTC.", 20),
    Column("event", ColumnKind.TEXT, "What happened, such as accounts.account.status_changed.", 34),
    Column("actor", ColumnKind.TEXT, "Who did it: a username, or system.", 14),
    Column("creditor_code", ColumnKind.TEXT, "Code of the account's creditor.", 14),
    Column("account_reference", ColumnKind.TEXT, "The creditor's account reference.", 18),
    Column("subject_type", ColumnKind.TEXT, "What changed: account, transaction, ...", 13),
    Column("subject_id", ColumnKind.INTEGER, "Recoup's number of what changed.", 11),
    Column("details", ColumnKind.TEXT, "The values after the change, as compact JSON.", 60),
)

COLUMNS: dict[ExportKind, tuple[Column, ...]] = {
    ExportKind.ACCOUNTS: ACCOUNT_COLUMNS,
    ExportKind.PAYMENTS: PAYMENT_COLUMNS,
    ExportKind.ACTIVITIES: ACTIVITY_COLUMNS,
}


@dataclass(frozen=True)
class RowSource:
    """The rows of one export, not yet read: `open()` streams them from one query."""

    kind: ExportKind
    columns: tuple[Column, ...]
    queryset: QuerySet[Any, Any]
    """A values_list queryset: one database row per export row."""
    convert: Callable[[Row], Row]

    @contextmanager
    def open(self, *, chunk_size: int = CHUNK_SIZE) -> Generator[Iterator[Row], None, None]:
        """The export rows in order, read `chunk_size` at a time; valid inside the `with` block only."""
        with _read_transaction():
            raw = self.queryset.iterator(chunk_size=chunk_size)
            try:
                yield map(self.convert, raw)
            finally:
                # Close the cursor while its transaction is still open; a server-side cursor left
                # to the garbage collector would be closed after the transaction ended.
                if isinstance(raw, Generator):
                    raw.close()


def _read_transaction() -> AbstractContextManager[object]:
    """Where the server-side cursor can stream.

    On PostgreSQL, `.iterator()` reads through a named cursor. In autocommit mode Django declares it
    WITH HOLD, and PostgreSQL then materialises the whole result before handing over the first row;
    inside a transaction it streams. On SQLite the rows stream anyway, and a transaction there would
    take the database's write lock (transaction mode IMMEDIATE) for as long as the download lasts.
    """
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        return transaction.atomic()
    return nullcontext()


# Helpers ---------------------------------------------------------------------------------------------


def money_from_minor(minor: int, units: int) -> Decimal:
    """The exact decimal amount of `minor` units with `units` digits after the point (1250, 2 -> 12.50)."""
    return Decimal(minor).scaleb(-units)


def utc_day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _debtor_name(prefix: str) -> Case:
    """SQL for a debtor's display name through the relation `prefix`, as Debtor.display_name."""
    return Case(
        When(**{f"{prefix}__kind": Debtor.Kind.BUSINESS}, then=F(f"{prefix}__business_name")),
        default=Trim(Concat(F(f"{prefix}__given_name"), Value(" "), F(f"{prefix}__family_name"))),
        output_field=CharField(),
    )


def _role_count(role: str) -> Coalesce:
    """SQL counting the account's debtors in `role` (a sub-select on the account-debtor index)."""
    counted = (
        AccountDebtor.objects.filter(account_id=OuterRef("pk"), role=role)
        .order_by()
        .values("account_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _between(field: str, start: date | None, end: date | None) -> Q:
    """`field` (a datetime) on UTC days `start` to `end`, both included; either may be open."""
    condition = Q()
    if start is not None:
        condition &= Q(**{f"{field}__gte": utc_day_start(start)})
    if end is not None:
        condition &= Q(**{f"{field}__lt": utc_day_start(end + timedelta(days=1))})
    return condition


# Sources ---------------------------------------------------------------------------------------------


def accounts_source(*, creditor_id: int | None = None, statuses: Collection[str] = (), as_of: date) -> RowSource:
    """Every account (of one creditor, in some statuses) with its balances, days past due at `as_of`.

    Ordered by creditor code and account reference. Balances are the cached ones the ledger keeps
    (as of now); `as_of` only sets the date days past due are counted to.
    """
    accounts = Account.objects.all()
    if creditor_id is not None:
        accounts = accounts.filter(creditor_id=creditor_id)
    if statuses:
        accounts = accounts.filter(status__in=list(statuses))
    queryset = (
        accounts.annotate(
            primary_role=FilteredRelation(
                "account_debtors", condition=Q(account_debtors__role=AccountDebtor.Role.PRIMARY)
            ),
            primary_debtor=_debtor_name("primary_role__debtor"),
            co_debtor_count=_role_count(AccountDebtor.Role.CO_DEBTOR),
            guarantor_count=_role_count(AccountDebtor.Role.GUARANTOR),
        )
        .order_by("creditor__code", "reference", "id")
        .values_list(
            "creditor__code",
            "reference",
            "original_creditor",
            "product_type",
            "status",
            "currency",
            "primary_debtor",
            "co_debtor_count",
            "guarantor_count",
            "principal_minor",
            "interest_minor",
            "fees_minor",
            "costs_minor",
            "credit_balance_minor",
            "oldest_unpaid_due_date",
            "placed_at",
            "assigned_officer__username",
            "team__name",
        )
    )

    def convert(row: Row) -> Row:
        (
            code,
            reference,
            original_creditor,
            product_type,
            status,
            currency,
            debtor,
            co_debtors,
            guarantors,
            principal,
            interest,
            fees,
            costs,
            credit,
            oldest_due,
            placed_at,
            officer,
            team,
        ) = row
        units = minor_units(currency)
        return (
            code,
            reference,
            original_creditor,
            product_type,
            status,
            currency,
            debtor or "",
            co_debtors,
            guarantors,
            money_from_minor(principal, units),
            money_from_minor(interest, units),
            money_from_minor(fees, units),
            money_from_minor(costs, units),
            money_from_minor(principal + interest + fees + costs, units),
            money_from_minor(credit, units),
            oldest_due,
            days_past_due(oldest_due, as_of),
            _utc(placed_at).date(),
            officer or "",
            team or "",
        )

    return RowSource(ExportKind.ACCOUNTS, ACCOUNT_COLUMNS, queryset, convert)


def payments_source(
    *, creditor_id: int | None = None, received_from: date | None = None, received_to: date | None = None
) -> RowSource:
    """Payments (to one creditor's accounts, received on UTC days `received_from` to `received_to`).

    Ordered by when they were received, then payment number. Reversed payments are included, marked.
    """
    payments = Payment.objects.filter(_between("received_at", received_from, received_to))
    if creditor_id is not None:
        payments = payments.filter(account__creditor_id=creditor_id)
    queryset = payments.order_by("received_at", "id").values_list(
        "id",
        "account__creditor__code",
        "account__reference",
        "received_at",
        "amount_minor",
        "currency",
        "method",
        "external_reference",
        "idempotency_key",
        "reversal",
        "reversal_reason",
    )

    def convert(row: Row) -> Row:
        (pk, code, reference, received_at, amount, currency, method, external, key, reversal, reason) = row
        return (
            pk,
            code,
            reference,
            _utc(received_at),
            money_from_minor(amount, minor_units(currency)),
            currency,
            method,
            external,
            key or "",
            "yes" if reversal is not None else "no",
            reason,
        )

    return RowSource(ExportKind.PAYMENTS, PAYMENT_COLUMNS, queryset, convert)


def activities_source(
    *, creditor_id: int | None = None, occurred_from: date | None = None, occurred_to: date | None = None
) -> RowSource:
    """The audit trail of accounts (events that name an account), oldest first, on UTC days from/to.

    Until communications exist, an account's activities are its audit events: status changes,
    charges, payments, reversals and adjustments, with the values after each change.
    """
    events = AuditEvent.objects.filter(_between("occurred_at", occurred_from, occurred_to), account_id__isnull=False)
    if creditor_id is not None:
        events = events.filter(account_id__in=Account.objects.filter(creditor_id=creditor_id).values("pk"))
    account = Account.objects.filter(pk=OuterRef("account_id"))
    queryset = (
        events.annotate(
            creditor_code=Subquery(account.values("creditor__code")[:1]),
            account_reference=Subquery(account.values("reference")[:1]),
        )
        .order_by("occurred_at", "id")
        .values_list(
            "occurred_at",
            "name",
            "actor_label",
            "creditor_code",
            "account_reference",
            "subject_type",
            "subject_id",
            "after",
        )
    )

    def convert(row: Row) -> Row:
        occurred_at, name, actor, code, reference, subject_type, subject_id, after = row
        return (
            _utc(occurred_at),
            name,
            actor,
            code or "",
            reference or "",
            subject_type,
            subject_id,
            "" if after is None else compact_json(after),
        )

    return RowSource(ExportKind.ACTIVITIES, ACTIVITY_COLUMNS, queryset, convert)


def compact_json(value: Any) -> str:
    """JSON without spaces, keys sorted (PostgreSQL does not keep their order), non-ASCII kept as is."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False, default=str)
