"""Importing a file of payments: each row found by creditor and account reference and posted through
`accounts.services.record_payments`, the same service the screens and bank files use.

A row's payment_reference, with its creditor, is the payment's idempotency key, so a file imported
twice posts nothing twice, and a reference reused for a different amount is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path

from django.db import connection

from recoup.accounts.services import PaymentRequest, record_payments
from recoup.core.business_dates import latest_date
from recoup.core.money import Money, MoneyError, minor_units, validate_currency
from recoup.imports.formats import PAYMENT_COLUMNS, PAYMENT_METHODS
from recoup.imports.models import ImportJob, ImportKind
from recoup.imports.reading import (
    Chunk,
    FileSettings,
    Problem,
    parse_amounts,
    parse_choice,
    parse_dates,
    parse_text,
    text,
)
from recoup.imports.running import Actor, ImportOutcome, run_import
from recoup.parties.dates import business_date
from recoup.parties.models import Creditor
from recoup.platform.bulk import in_values


@dataclass(frozen=True)
class _PaymentRow:
    row: int
    request: PaymentRequest


ACCOUNTS_SQL = "SELECT a.reference, a.id, a.currency FROM accounts_account a WHERE a.creditor_id = %s AND {condition}"


class PaymentsImporter:
    kind = ImportKind.PAYMENTS
    columns = PAYMENT_COLUMNS
    # The parser looks up the chunk's accounts.
    parses_without_database = False

    def __init__(self, *, creditor: Creditor | None, settings: FileSettings, now: datetime, actor: Actor) -> None:
        self.creditor = creditor
        self.settings = settings
        self.now = now
        self.actor = actor
        self.creditors = {c.code: c for c in Creditor.objects.all()}
        self.seen: dict[tuple[int, str], int] = {}

    def parse(self, chunk: Chunk) -> tuple[list[_PaymentRow], list[Problem]]:
        problems: list[Problem] = []
        rows = chunk.rows
        count = len(rows)

        def column(name: str) -> list[object]:
            return chunk.values.get(name) or [None] * count

        references = parse_text(
            "account_reference", rows, column("account_reference"), problems, max_length=64, required=True
        )
        payment_refs = parse_text(
            "payment_reference", rows, column("payment_reference"), problems, max_length=80, required=True
        )
        methods = parse_choice("method", rows, column("method"), problems, choices=PAYMENT_METHODS)
        received = parse_dates(
            "received_date",
            rows,
            column("received_date"),
            problems,
            self.settings,
            required=True,
            # The creditor's business date; a file for several creditors: later than today anywhere is refused.
            not_after=business_date(self.creditor, self.now) if self.creditor is not None else latest_date(self.now),
        )
        creditors: list[Creditor | None] = []
        for row, raw in zip(rows, column("creditor"), strict=True):
            code = text(raw)
            if code:
                found = self.creditors.get(code)
                if found is None:
                    problems.append(Problem(row, "creditor", code, "is not a known creditor code"))
                creditors.append(found)
            elif self.creditor is None:
                problems.append(Problem(row, "creditor", "", "is required (or give --creditor for the whole file)"))
                creditors.append(None)
            else:
                creditors.append(self.creditor)
        accounts = self._accounts(creditors, references)
        currencies: list[str] = []
        for row, raw, creditor, reference in zip(rows, column("currency"), creditors, references, strict=True):
            found_account = accounts.get((creditor.pk, reference)) if creditor is not None else None
            currency = text(raw).upper() or (found_account[1] if found_account else "")
            currencies.append(currency)
            if creditor is not None and reference and found_account is None:
                problems.append(Problem(row, "account_reference", reference, f"is not an account of {creditor.code}"))
            elif currency:
                try:
                    validate_currency(currency)
                except MoneyError:
                    problems.append(Problem(row, "currency", currency, "is not an ISO 4217 currency code"))
        places = [minor_units(c) if len(c) == 3 and c.isalpha() and c.isupper() else 2 for c in currencies]
        amounts = [0] * count
        values = column("amount")
        for digits in set(places):
            indexes = [i for i in range(count) if places[i] == digits]
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
        bad = {p.row for p in problems}
        good: list[_PaymentRow] = []
        for i, row in enumerate(rows):
            creditor = creditors[i]
            if row in bad or creditor is None:
                continue
            if amounts[i] <= 0:
                problems.append(Problem(row, "amount", text(values[i]), "must be more than zero"))
                continue
            key = (creditor.pk, payment_refs[i])
            if key in self.seen:
                problems.append(
                    Problem(row, "payment_reference", payment_refs[i], f"appears again (first on row {self.seen[key]})")
                )
                continue
            self.seen[key] = row
            account_id, _ = accounts[(creditor.pk, references[i])]
            on = received[i]
            assert on is not None
            good.append(
                _PaymentRow(
                    row,
                    PaymentRequest(
                        account_id=account_id,
                        amount=Money.from_minor(amounts[i], currencies[i]),
                        # A file gives the day; noon UTC keeps that calendar day in every time zone we serve.
                        received_at=datetime.combine(on, time(12, 0), tzinfo=UTC),
                        received_on=on,
                        method=methods[i],
                        external_reference=payment_refs[i],
                        idempotency_key=f"import:{creditor.pk}:{payment_refs[i]}",
                    ),
                )
            )
        return good, problems

    def _accounts(
        self, creditors: list[Creditor | None], references: list[str]
    ) -> dict[tuple[int, str], tuple[int, str]]:
        """(creditor id, reference) to (account id, currency), one query per creditor in the chunk."""
        wanted: dict[int, set[str]] = {}
        for creditor, reference in zip(creditors, references, strict=True):
            if creditor is not None and reference:
                wanted.setdefault(creditor.pk, set()).add(reference)
        found: dict[tuple[int, str], tuple[int, str]] = {}
        with connection.cursor() as cursor:
            for creditor_id, refs in wanted.items():
                condition, params = in_values("a.reference", sorted(refs))
                cursor.execute(ACCOUNTS_SQL.format(condition=condition), [creditor_id, *params])
                for reference, account_id, currency in cursor.fetchall():
                    found[(creditor_id, reference)] = (account_id, currency)
        return found

    def write(self, rows: list[_PaymentRow], job: ImportJob, outcome: ImportOutcome) -> list[Problem]:
        result = record_payments(requests=[r.request for r in rows], now=self.now, actor=self.actor, accept_valid=True)
        outcome.created += result.created
        outcome.unchanged += result.repeated
        return [Problem(rows[p.index].row, _column(p.field), "", p.reason) for p in result.problems]


def _column(field: str) -> str:
    return {"received_at": "received_date", "idempotency_key": "payment_reference", "account": "account_reference"}.get(
        field, field
    )


def import_payments(
    *,
    path: Path,
    creditor: Creditor | None,
    settings: FileSettings,
    now: datetime,
    actor: Actor,
    accept_valid: bool = False,
    chunk_size: int = 20_000,
    progress: Callable[[int], None] | None = None,
) -> ImportOutcome:
    """Import a payments file. Raises FileProblem for an unreadable file and ImportRefused for bad
    rows in an all-or-nothing import (nothing posted but the job's record)."""
    return run_import(
        PaymentsImporter(creditor=creditor, settings=settings, now=now, actor=actor),
        path=path,
        creditor=creditor,
        settings=settings,
        now=now,
        actor=actor,
        accept_valid=accept_valid,
        chunk_size=chunk_size,
        progress=progress,
    )
