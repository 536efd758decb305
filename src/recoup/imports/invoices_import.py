"""Importing a creditor's B2B invoice file: one row per invoice, each an open item of a placed account.

The accounts must already be placed (with the accounts file). A new invoice becomes an open item of
kind "invoice" (component principal, due on its due date), charged in the ledger effective on its
invoice date through `accounts.services.post_charge`, and remembered as an `InvoicePlacement`.

Re-importing is keyed on account and invoice number. The same row again changes nothing; a changed
amount becomes a ledger adjustment of the difference (so payments received since are kept), refused
when it would lower the invoice by more than is still owed on it; a changed due date is refused (a
file does not move a due date). Each invoice is written in its own savepoint, so a row refused while
writing leaves nothing behind when the good rows are kept (--accept-valid).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from recoup.accounts.models import Account, OpenItem
from recoup.accounts.services import UnableToPostTransaction, adjust_item, post_charge
from recoup.audit.events import Event
from recoup.audit.services import record_event
from recoup.core.ledger import Component
from recoup.core.money import Money, MoneyError, minor_units, validate_currency
from recoup.imports.formats import INVOICE_COLUMNS
from recoup.imports.models import ImportJob, ImportKind, InvoicePlacement
from recoup.imports.reading import (
    Chunk,
    FileSettings,
    Problem,
    parse_amounts,
    parse_dates,
    parse_text,
    text,
)
from recoup.imports.running import Actor, ImportOutcome, run_import
from recoup.parties.dates import business_date
from recoup.parties.models import Creditor
from recoup.platform.bulk import in_values

ACCOUNTS_SQL = "SELECT a.* FROM accounts_account a WHERE a.creditor_id = %s AND {condition}"
KNOWN_SQL = (
    "SELECT p.account_id, p.invoice_reference, p.item_id, p.amount_minor, i.due_date, i.balance_minor "
    "FROM imports_invoice_placement p JOIN accounts_open_item i ON i.id = p.item_id WHERE {condition}"
)
# Where a refusal from the ledger service points in the file.
SERVICE_FIELDS = {
    "effective_date": "invoice_date",
    "due_date": "due_date",
    "currency": "currency",
    "reference": "invoice_reference",
}


@dataclass(frozen=True)
class _Known:
    """What an earlier file placed for an invoice, and what is still owed on it."""

    item_id: int
    amount_minor: int
    due_date: date
    balance_minor: int


@dataclass(frozen=True)
class _InvoiceRow:
    """One valid invoice row, parsed."""

    row: int
    account: Account
    invoice_reference: str
    invoice_date: date
    due_date: date
    amount_minor: int
    amount_text: str
    known: _Known | None


class InvoicesImporter:
    """Invoice rows for one creditor's placed accounts (see the module docstring)."""

    kind = ImportKind.INVOICES
    columns = INVOICE_COLUMNS
    # The parser looks up the chunk's accounts and known invoices.
    parses_without_database = False

    def __init__(self, *, creditor: Creditor, settings: FileSettings, now: datetime, actor: Actor) -> None:
        self.creditor = creditor
        self.settings = settings
        self.now = now
        self.actor = actor
        self.seen: dict[tuple[str, str], int] = {}

    def parse(self, chunk: Chunk) -> tuple[list[_InvoiceRow], list[Problem]]:
        """Validate a chunk column by column (one query for its accounts, one for its known invoices)."""
        problems: list[Problem] = []
        rows = chunk.rows
        count = len(rows)

        def column(name: str) -> list[Any]:
            return chunk.values.get(name) or [None] * count

        references = parse_text(
            "account_reference", rows, column("account_reference"), problems, max_length=64, required=True
        )
        invoices = parse_text(
            "invoice_reference", rows, column("invoice_reference"), problems, max_length=64, required=True
        )
        for row, reference, invoice in zip(rows, references, invoices, strict=True):
            if not reference or not invoice:
                continue
            first = self.seen.get((reference, invoice))
            if first is not None:
                problems.append(
                    Problem(
                        row,
                        "invoice_reference",
                        invoice,
                        f"appears again for account {reference} (first on row {first})",
                    )
                )
            else:
                self.seen[(reference, invoice)] = row
        invoiced = parse_dates(
            "invoice_date",
            rows,
            column("invoice_date"),
            problems,
            self.settings,
            required=True,
            not_after=business_date(self.creditor, self.now),
        )
        due = parse_dates("due_date", rows, column("due_date"), problems, self.settings, required=True)
        accounts = self._accounts(references)
        found: list[Account | None] = []
        for row, raw, reference in zip(rows, column("currency"), references, strict=True):
            account = accounts.get(reference)
            found.append(account)
            if reference and account is None:
                problems.append(
                    Problem(
                        row,
                        "account_reference",
                        reference,
                        f"is not an account of {self.creditor.code}; place it with the accounts file first",
                    )
                )
            currency = text(raw).upper()
            if not currency:
                continue
            try:
                validate_currency(currency)
            except MoneyError:
                problems.append(Problem(row, "currency", text(raw), "is not an ISO 4217 currency code"))
                continue
            if account is not None and currency != account.currency:
                problems.append(
                    Problem(row, "currency", currency, f"differs from the account's currency {account.currency}")
                )
        amounts = self._amounts(rows, column("amount"), found, problems)
        known = self._known(
            [(a.pk, i) for a, i in zip(found, invoices, strict=True) if a is not None and i],
        )
        bad = {p.row for p in problems}
        good: list[_InvoiceRow] = []
        raw_amounts, raw_due = column("amount"), column("due_date")
        for index, row in enumerate(rows):
            account, invoice_date, due_date = found[index], invoiced[index], due[index]
            if row in bad or account is None or invoice_date is None or due_date is None:
                continue
            amount_text = text(raw_amounts[index])
            row_problems: list[Problem] = []
            if amounts[index] <= 0:
                row_problems.append(Problem(row, "amount", amount_text, "must be more than zero"))
            if due_date < invoice_date:
                row_problems.append(
                    Problem(row, "due_date", text(raw_due[index]), f"is before the invoice date {invoice_date}")
                )
            placed = known.get((account.pk, invoices[index]))
            if placed is not None and not row_problems:
                row_problems.extend(
                    _against_placed(
                        row,
                        account,
                        invoices[index],
                        due_date,
                        amounts[index],
                        amount_text,
                        placed,
                        text(raw_due[index]),
                    )
                )
            if row_problems:
                problems.extend(row_problems)
                continue
            good.append(
                _InvoiceRow(
                    row=row,
                    account=account,
                    invoice_reference=invoices[index],
                    invoice_date=invoice_date,
                    due_date=due_date,
                    amount_minor=amounts[index],
                    amount_text=amount_text,
                    known=placed,
                )
            )
        return good, problems

    def _accounts(self, references: Sequence[str]) -> dict[str, Account]:
        """The creditor's accounts named in the chunk, by reference: one query."""
        wanted = sorted({r for r in references if r})
        if not wanted:
            return {}
        condition, params = in_values("a.reference", wanted)
        return {
            account.reference: account
            for account in Account.objects.raw(ACCOUNTS_SQL.format(condition=condition), [self.creditor.pk, *params])
        }

    def _amounts(
        self, rows: list[int], values: list[Any], accounts: list[Account | None], problems: list[Problem]
    ) -> list[int]:
        """Amounts in minor units of each row's account currency (two places where the account is unknown)."""
        places = [minor_units(a.currency) if a is not None else 2 for a in accounts]
        amounts = [0] * len(rows)
        for digits in sorted(set(places)):
            indexes = [i for i, p in enumerate(places) if p == digits]
            parsed = parse_amounts(
                "amount",
                [rows[i] for i in indexes],
                [values[i] for i in indexes],
                problems,
                self.settings,
                places=digits,
                required=True,
            )
            for i, minor in zip(indexes, parsed, strict=True):
                amounts[i] = minor
        return amounts

    def _known(self, pairs: list[tuple[int, str]]) -> dict[tuple[int, str], _Known]:
        """Invoices already placed, by (account id, invoice number): one query for the chunk."""
        if not pairs:
            return {}
        unique = sorted(set(pairs))
        if connection.vendor == "postgresql":
            condition = "(p.account_id, p.invoice_reference) IN (SELECT * FROM unnest(%s::bigint[], %s::text[]))"
            params: list[Any] = [[a for a, _ in unique], [i for _, i in unique]]
        else:
            condition = (
                "(p.account_id, p.invoice_reference) IN "
                "(SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(%s))"
            )
            params = [json.dumps(unique)]
        found: dict[tuple[int, str], _Known] = {}
        with connection.cursor() as cursor:
            cursor.execute(KNOWN_SQL.format(condition=condition), params)
            for account_id, invoice, item_id, amount, due_date, balance in cursor.fetchall():
                if isinstance(due_date, str):
                    due_date = date.fromisoformat(due_date)
                found[(account_id, invoice)] = _Known(item_id, int(amount), due_date, int(balance))
        return found

    def write(self, rows: list[_InvoiceRow], job: ImportJob, outcome: ImportOutcome) -> list[Problem]:
        """New invoices charged, changed amounts adjusted, each row in its own savepoint."""
        changed = [r for r in rows if r.known is not None and r.known.amount_minor != r.amount_minor]
        items = OpenItem.objects.in_bulk([r.known.item_id for r in changed if r.known is not None])
        late: list[Problem] = []
        for row in rows:
            try:
                if row.known is None:
                    self._place(row, job)
                    outcome.created += 1
                elif row.known.amount_minor == row.amount_minor:
                    outcome.unchanged += 1
                else:
                    item = items[row.known.item_id]
                    item.account = row.account
                    self._change(row, row.known, item, job)
                    outcome.updated += 1
            except UnableToPostTransaction as exc:
                field, _, reason = str(exc).partition(": ")
                column = SERVICE_FIELDS.get(field, "amount")
                late.append(Problem(row.row, column, row.amount_text if column == "amount" else "", reason))
        return late

    def _place(self, row: _InvoiceRow, job: ImportJob) -> None:
        with transaction.atomic():
            item = post_charge(
                account=row.account,
                component=Component.PRINCIPAL,
                amount=Money.from_minor(row.amount_minor, row.account.currency),
                due_date=row.due_date,
                effective_date=row.invoice_date,
                kind=OpenItem.Kind.INVOICE,
                reference=row.invoice_reference,
                now=self.now,
                actor=self.actor,
                memo=f"invoice {row.invoice_reference} placed by import {job.pk}",
            )
            InvoicePlacement.objects.create(
                item=item,
                account=row.account,
                invoice_reference=row.invoice_reference,
                amount_minor=row.amount_minor,
                job=job,
                updated_at=self.now,
            )
            record_event(
                event=Event.INVOICE_PLACED,
                subject_id=item.pk,
                account_id=row.account.pk,
                occurred_at=self.now,
                actor=self.actor,
                after={
                    "invoice_reference": row.invoice_reference,
                    "amount": str(Money.from_minor(row.amount_minor, row.account.currency)),
                    "invoice_date": row.invoice_date.isoformat(),
                    "due_date": row.due_date.isoformat(),
                    "import": job.pk,
                    "row": row.row,
                },
            )

    def _change(self, row: _InvoiceRow, known: _Known, item: OpenItem, job: ImportJob) -> None:
        currency = row.account.currency
        old, new = Money.from_minor(known.amount_minor, currency), Money.from_minor(row.amount_minor, currency)
        with transaction.atomic():
            adjust_item(
                item=item,
                amount=Money.from_minor(row.amount_minor - known.amount_minor, currency),
                now=self.now,
                actor=self.actor,
                reason=f"invoice file (import {job.pk}, row {row.row}) changed invoice {row.invoice_reference}"
                f" from {old} to {new}",
            )
            InvoicePlacement.objects.filter(item_id=known.item_id).update(
                amount_minor=row.amount_minor, job=job, updated_at=self.now
            )
            record_event(
                event=Event.INVOICE_UPDATED,
                subject_id=known.item_id,
                account_id=row.account.pk,
                occurred_at=self.now,
                actor=self.actor,
                before={"amount": str(old)},
                after={"amount": str(new), "import": job.pk, "row": row.row},
            )


def _against_placed(
    row: int,
    account: Account,
    invoice: str,
    due_date: date,
    amount: int,
    amount_text: str,
    placed: _Known,
    due_text: str,
) -> list[Problem]:
    """A known invoice: the due date stays; a decrease may not exceed what is still owed on it."""
    problems: list[Problem] = []
    if due_date != placed.due_date:
        problems.append(
            Problem(
                row,
                "due_date",
                due_text,
                f"differs from the due date already placed ({placed.due_date.isoformat()});"
                " a file does not move a due date",
            )
        )
    decrease = placed.amount_minor - amount
    if decrease > placed.balance_minor:
        money = account.money
        problems.append(
            Problem(
                row,
                "amount",
                amount_text,
                f"lowers invoice {invoice} from {money(placed.amount_minor)} by {money(decrease)},"
                f" more than the {money(placed.balance_minor)} still owed on it",
            )
        )
    return problems


def import_invoices(
    *,
    path: Path,
    creditor: Creditor,
    settings: FileSettings,
    now: datetime,
    actor: Actor,
    accept_valid: bool = False,
    chunk_size: int = 20_000,
    progress: Callable[[int], None] | None = None,
) -> ImportOutcome:
    """Import a B2B invoice file for `creditor`'s placed accounts. Raises FileProblem for an unreadable
    file and ImportRefused for bad rows in an all-or-nothing import (nothing written but the job's record)."""
    return run_import(
        InvoicesImporter(creditor=creditor, settings=settings, now=now, actor=actor),
        path=path,
        creditor=creditor,
        settings=settings,
        now=now,
        actor=actor,
        accept_valid=accept_valid,
        chunk_size=chunk_size,
        progress=progress,
    )
