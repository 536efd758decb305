"""Importing a creditor's placement file: debtors, contact points, accounts and their balances.

The whole file is one database transaction. It is read and validated in chunks (columns at a time,
not rows through the ORM) and each chunk's good rows are written set-based as soon as they are
known good; if any row is bad and the import is all-or-nothing, writing stops, the rest of the file
is still validated so every problem is reported, and the transaction rolls back. A process killed at
any point therefore leaves the database as it was.

Re-importing is an upsert keyed on creditor and account reference. Each account remembers what its
latest placement row said (`Placement`): the same row again changes nothing; a different balance
becomes a ledger adjustment of the difference (never an overwrite, so payments received since are
kept); changed details (address, names, dates) are updated with an audit event naming old and new.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from recoup.accounts.dates import ledger_date
from recoup.accounts.models import Account, AccountDebtor, OpenItem
from recoup.accounts.services import (
    NewItem,
    OpeningBalance,
    UnableToPostTransaction,
    adjust_item,
    load_open_items,
    load_opening_items,
    opening_balances,
)
from recoup.audit.events import Event
from recoup.audit.services import author_of, event_row, record_events
from recoup.core.ledger import Component
from recoup.core.money import Money, MoneyError, minor_units, validate_currency
from recoup.imports.debtor_columns import (
    DEBTOR_DETAILS,
    linked_debtors,
    parse_debtor_columns,
    same_debtor_problems,
)
from recoup.imports.formats import ACCOUNT_COLUMNS, PRODUCT_TYPES
from recoup.imports.models import DebtorLink, ImportJob, ImportKind, Placement
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
from recoup.parties.models import ContactPoint, Creditor, Debtor
from recoup.platform.bulk import allocate_ids, bulk_insert, in_values

COMPONENT_FIELDS = {
    Component.PRINCIPAL: "principal",
    Component.INTEREST: "interest",
    Component.FEES: "fees",
    Component.COSTS: "costs",
}
# Account and debtor details a later file may change (each change is audited).
ACCOUNT_DETAILS = ["original_creditor", "product_type", "first_delinquency_date", "charge_off_date"]
PROBLEMS_KEPT = 1_000


@dataclass
class _Row:
    """One valid placement row, parsed."""

    row: int
    reference: str
    currency: str
    details: dict[str, Any]
    debtor: dict[str, Any]
    balances: dict[Component, int]
    phone: str
    phone_type: str
    email: str
    itemization_date: date | None
    itemization_minor: int | None
    opened_date: date
    digest: str
    debtor_reference: str = ""


class AccountsImporter:
    """Placement rows for one creditor (see the module docstring)."""

    kind = ImportKind.ACCOUNTS
    columns = ACCOUNT_COLUMNS
    # Parsing reads only the chunk and the creditor already loaded: run ahead in a background thread.
    parses_without_database = True

    def __init__(self, *, creditor: Creditor, settings: FileSettings, now: datetime, actor: Actor) -> None:
        self.creditor = creditor
        self.settings = settings
        self.now = now
        self.actor = actor
        self.seen: dict[str, int] = {}
        self.seen_debtors: dict[str, tuple[int, dict[str, Any]]] = {}

    def parse(self, chunk: Chunk) -> tuple[list[_Row], list[Problem]]:
        return _parse_chunk(chunk, self.creditor, self.settings, self.now, self.seen, self.seen_debtors)

    def write(self, rows: list[_Row], job: ImportJob, outcome: ImportOutcome) -> list[Problem]:
        return _write_rows(rows, self.creditor, job, self.now, self.actor, outcome)


def import_accounts(
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
    """Import a placement file for `creditor`. Raises FileProblem for an unreadable file and
    ImportRefused for bad rows in an all-or-nothing import (nothing written but the job's record)."""
    return run_import(
        AccountsImporter(creditor=creditor, settings=settings, now=now, actor=actor),
        path=path,
        creditor=creditor,
        settings=settings,
        now=now,
        actor=actor,
        accept_valid=accept_valid,
        chunk_size=chunk_size,
        progress=progress,
    )


def _parse_chunk(
    chunk: Chunk,
    creditor: Creditor,
    settings: FileSettings,
    now: datetime,
    seen: dict[str, int],
    seen_debtors: dict[str, tuple[int, dict[str, Any]]],
) -> tuple[list[_Row], list[Problem]]:
    """Validate a chunk column by column; return the good rows and every problem."""
    problems: list[Problem] = []
    rows = chunk.rows
    count = len(rows)

    def column(name: str) -> list[Any]:
        return chunk.values.get(name) or [None] * count

    today = business_date(creditor, now)  # the file's dates are the creditor's
    references = parse_text(
        "account_reference", rows, column("account_reference"), problems, max_length=64, required=True
    )
    for row, reference in zip(rows, references, strict=True):
        if not reference:
            continue
        if reference in seen:
            problems.append(
                Problem(row, "account_reference", reference, f"appears again (first on row {seen[reference]})")
            )
        else:
            seen[reference] = row
    products = parse_choice("product_type", rows, column("product_type"), problems, choices=PRODUCT_TYPES)
    currencies = [text(v).upper() or creditor.default_currency for v in column("currency")]
    for row, currency in zip(rows, currencies, strict=True):
        try:
            validate_currency(currency)
        except MoneyError:
            problems.append(Problem(row, "currency", currency, "is not an ISO 4217 currency code"))
    opened = parse_dates("opened_date", rows, column("opened_date"), problems, settings, required=True, not_after=today)
    delinquent = parse_dates(
        "first_delinquency_date", rows, column("first_delinquency_date"), problems, settings, not_after=today
    )
    charged_off = parse_dates("charge_off_date", rows, column("charge_off_date"), problems, settings, not_after=today)
    itemized_on = parse_dates("itemization_date", rows, column("itemization_date"), problems, settings, not_after=today)
    original = parse_text("original_creditor", rows, column("original_creditor"), problems, max_length=200)
    debtor_refs = parse_text("debtor_reference", rows, column("debtor_reference"), problems, max_length=64)
    debtors = parse_debtor_columns(rows, column, problems, creditor=creditor, settings=settings, today=today)
    problems.extend(same_debtor_problems(rows, debtor_refs, debtors, seen_debtors))
    amounts: dict[str, list[int]] = {}
    itemization: list[int] = []
    # Amounts depend on each row's currency (minor units); group rows by currency, one pass per column.
    places = [minor_units(c) if len(c) == 3 and c.isalpha() and c.isupper() else 2 for c in currencies]
    for name in [*COMPONENT_FIELDS.values(), "itemization_amount"]:
        values = column(name)
        parsed = [0] * count
        for digits in set(places):
            indexes = [i for i in range(count) if places[i] == digits]
            result = parse_amounts(
                name, [rows[i] for i in indexes], [values[i] for i in indexes], problems, settings, places=digits
            )
            for i, value in zip(indexes, result, strict=True):
                parsed[i] = value
        if name == "itemization_amount":
            itemization = parsed
        else:
            amounts[name] = parsed
    has_itemization = [not _blank(v) for v in column("itemization_amount")]
    good: list[_Row] = []
    bad_rows = {p.row for p in problems}
    for i, row in enumerate(rows):
        row_problems: list[Problem] = []
        balances = {component: amounts[name][i] for component, name in COMPONENT_FIELDS.items()}
        owes_nothing = not any(balances.values())
        # A B2B account may be placed empty: its invoices come in their own file.
        if owes_nothing and row not in bad_rows and products[i] != "b2b_invoice":
            row_problems.append(
                Problem(
                    row,
                    "principal",
                    "",
                    "the row owes nothing (principal, interest, fees and costs are all zero or empty)",
                )
            )
        opened_date, delinquent_date = opened[i], delinquent[i]
        if opened_date is not None and delinquent_date is not None and delinquent_date < opened_date:
            row_problems.append(
                Problem(row, "first_delinquency_date", str(delinquent_date), f"is before the opened date {opened_date}")
            )
        problems.extend(row_problems)
        fields = debtors[i]
        if row_problems or row in bad_rows or opened_date is None or fields is None:
            continue
        details = {
            "original_creditor": original[i],
            "product_type": products[i],
            "first_delinquency_date": delinquent[i],
            "charge_off_date": charged_off[i],
        }
        parsed_row = _Row(
            row=row,
            reference=references[i],
            currency=currencies[i],
            details=details,
            debtor=fields.details,
            balances=balances,
            phone=fields.phone,
            phone_type=fields.phone_type,
            email=fields.email,
            debtor_reference=debtor_refs[i],
            itemization_date=itemized_on[i],
            itemization_minor=itemization[i] if has_itemization[i] else None,
            opened_date=opened_date,
            digest="",
        )
        parsed_row.digest = _digest(parsed_row)
        good.append(parsed_row)
    return good, problems


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _digest(row: _Row) -> str:
    """Fingerprint of everything a row says, to tell an unchanged re-sent row at a glance."""
    payload = [
        row.reference,
        row.currency,
        sorted((k, str(v)) for k, v in row.details.items()),
        sorted((k, str(v)) for k, v in row.debtor.items()),
        sorted((c.value, v) for c, v in row.balances.items()),
        row.phone,
        row.phone_type,
        row.email,
        str(row.itemization_date),
        row.itemization_minor,
    ]
    if row.debtor_reference:  # only then, so rows placed before the column existed keep their digest
        payload.append(row.debtor_reference)
    return hashlib.sha256(json.dumps(payload, default=str).encode()).hexdigest()


EXISTING_SQL = (
    "SELECT a.id, a.reference, a.currency, p.row_digest, p.principal_minor, p.interest_minor, p.fees_minor, "
    "p.costs_minor FROM accounts_account a LEFT JOIN imports_placement p ON p.account_id = a.id "
    "WHERE a.creditor_id = %s AND {condition}"
)


def _write_rows(
    rows: list[_Row], creditor: Creditor, job: ImportJob, now: datetime, actor: Actor, outcome: ImportOutcome
) -> list[Problem]:
    """Write a chunk's good rows: new accounts set-based; known ones compared with their last placement."""
    existing: dict[str, tuple[Any, ...]] = {}
    condition, params = in_values("a.reference", [r.reference for r in rows])
    with connection.cursor() as cursor:
        cursor.execute(EXISTING_SQL.format(condition=condition), [creditor.pk, *params])
        for found in cursor.fetchall():
            existing[found[1]] = found
    new = [r for r in rows if r.reference not in existing]
    if new:
        _create_accounts(new, creditor, job, now, actor)
        # The chunk's foreign keys are checked now, all at once, rather than COPY by COPY (measured
        # faster: docs/performance.md) or at commit (which would queue a whole file's checks).
        if connection.vendor == "postgresql":
            connection.check_constraints()
        outcome.created += len(new)
    late: list[Problem] = []
    for row in rows:
        if row.reference not in existing:
            continue
        account_id, _, currency, digest, *placed = existing[row.reference]
        if digest == row.digest:
            outcome.unchanged += 1
            continue
        problem = _update_account(account_id, currency, placed if digest is not None else None, row, job, now, actor)
        if problem is not None:
            late.append(problem)
        else:
            outcome.updated += 1
    return late


def _create_accounts(rows: list[_Row], creditor: Creditor, job: ImportJob, now: datetime, actor: Actor) -> None:
    count = len(rows)
    placed_on = business_date(creditor, now)  # the creditor's business date: the placement's ledger date
    debtor_ids, created, linked = _debtors_for(rows, creditor, job, now, actor)
    account_ids = allocate_ids(Account, count)
    role_ids = allocate_ids(AccountDebtor, count)
    contacts = _new_contacts(rows, debtor_ids, reused=set(debtor_ids) - {debtor_ids[i] for i in created})
    contact_ids = allocate_ids(ContactPoint, len(contacts))
    bulk_insert(
        "parties_debtor",
        ["id", "kind", *DEBTOR_DETAILS, "created_at"],
        ((debtor_ids[i], rows[i].debtor["kind"], *(rows[i].debtor[f] for f in DEBTOR_DETAILS), now) for i in created),
    )
    if linked:
        bulk_insert(
            "imports_debtor_link",
            ["id", "creditor_id", "reference", "debtor_id", "created_at"],
            (
                (pk, creditor.pk, reference, debtor, now)
                for pk, (reference, debtor) in zip(allocate_ids(DebtorLink, len(linked)), linked.items(), strict=True)
            ),
        )
    # The opening items are known before the accounts are written: each account goes in with its
    # cached balances and oldest unpaid due date already set, instead of being updated afterwards.
    items = [
        NewItem(
            account_id=pk,
            component=component,
            amount_minor=minor,
            due_date=r.details["first_delinquency_date"] or r.details["charge_off_date"] or r.opened_date,
            effective_date=r.itemization_date or placed_on,
            kind=OpenItem.Kind.PLACEMENT,
            reference=f"placement {job.pk}",
        )
        for pk, r in zip(account_ids, rows, strict=True)
        for component, minor in r.balances.items()
        if minor
    ]
    opening = opening_balances(items)
    empty = OpeningBalance()
    bulk_insert(
        "accounts_account",
        [
            "id",
            "creditor_id",
            "reference",
            "currency",
            "opened_date",
            *ACCOUNT_DETAILS,
            "status",
            "status_changed_at",
            "placed_at",
            "itemization_date",
            "itemization_amount_minor",
            "principal_minor",
            "interest_minor",
            "fees_minor",
            "costs_minor",
            "oldest_unpaid_due_date",
        ],
        (
            (
                pk,
                creditor.pk,
                r.reference,
                r.currency,
                r.opened_date,
                *(r.details[f] for f in ACCOUNT_DETAILS),
                Account.Status.ACTIVE.value,
                now,
                now,
                r.itemization_date,
                r.itemization_minor,
                (balance := opening.get(pk, empty)).principal_minor,
                balance.interest_minor,
                balance.fees_minor,
                balance.costs_minor,
                balance.oldest_unpaid_due_date,
            )
            for pk, r in zip(account_ids, rows, strict=True)
        ),
    )
    bulk_insert(
        "accounts_account_debtor",
        ["id", "account_id", "debtor_id", "role"],
        (
            (pk, account, debtor, AccountDebtor.Role.PRIMARY.value)
            for pk, account, debtor in zip(role_ids, account_ids, debtor_ids, strict=True)
        ),
    )
    bulk_insert(
        "parties_contact_point",
        [
            "id",
            "debtor_id",
            "kind",
            "value",
            "phone_type",
            "source",
            "obtained_date",
            "consent",
            "verified",
            "do_not_contact",
            "is_primary",
        ],
        (
            (
                pk,
                debtor,
                kind,
                value,
                phone_type,
                ContactPoint.Source.PLACEMENT.value,
                placed_on,
                ContactPoint.Consent.UNKNOWN.value,
                False,
                False,
                primary,
            )
            for pk, (debtor, kind, value, phone_type, primary) in zip(contact_ids, contacts, strict=True)
        ),
    )
    bulk_insert(
        "imports_placement",
        [
            "account_id",
            "job_id",
            "row_digest",
            "principal_minor",
            "interest_minor",
            "fees_minor",
            "costs_minor",
            "updated_at",
        ],
        (
            (pk, job.pk, r.digest, *(r.balances[c] for c in COMPONENT_FIELDS), now)
            for pk, r in zip(account_ids, rows, strict=True)
        ),
    )
    by = author_of(actor)
    record_events(
        event_row(
            Event.ACCOUNT_PLACED,
            subject_id=pk,
            account_id=pk,
            occurred_at=now,
            by=by,
            after={"reference": r.reference, "import": job.pk, "row": r.row, "debtor": debtor},
        )
        for pk, debtor, r in zip(account_ids, debtor_ids, rows, strict=True)
    )
    load_opening_items(
        items=items,
        currencies={pk: r.currency for pk, r in zip(account_ids, rows, strict=True)},
        now=now,
        actor=actor,
        memo=f"placed by import {job.pk}",
    )


def _debtors_for(
    rows: list[_Row], creditor: Creditor, job: ImportJob, now: datetime, actor: Actor
) -> tuple[list[int], list[int], dict[str, int]]:
    """Each new account's debtor: the one an earlier file linked to its debtor reference (its details
    brought up to date, audited), the one an earlier row of this chunk created for the same reference,
    or a new one. Returns the debtor ids by row, the rows whose debtor is new, and the new links."""
    known = linked_debtors(creditor, [r.debtor_reference for r in rows])
    debtor_ids = [0] * len(rows)
    created: list[int] = []
    first_of: dict[str, int] = {}
    for i, row in enumerate(rows):
        reference = row.debtor_reference
        if reference and (reference in known or reference in first_of):
            continue
        if reference:
            first_of[reference] = i
        created.append(i)
    for i, pk in zip(created, allocate_ids(Debtor, len(created)), strict=True):
        debtor_ids[i] = pk
    linked = {reference: debtor_ids[i] for reference, i in first_of.items()}
    for i, row in enumerate(rows):
        if not debtor_ids[i]:
            debtor_ids[i] = known.get(row.debtor_reference) or linked[row.debtor_reference]
    reused = {known[r.debtor_reference]: r for r in rows if r.debtor_reference in known}
    if reused:
        _refresh_debtors(reused, job, now, actor)
    return debtor_ids, created, linked


def _refresh_debtors(rows_by_debtor: dict[int, _Row], job: ImportJob, now: datetime, actor: Actor) -> None:
    """Bring debtors an earlier file created up to date with this file's details (each change audited)."""
    from recoup.audit.services import record_event

    for debtor in Debtor.objects.filter(pk__in=list(rows_by_debtor)).order_by("pk"):
        row = rows_by_debtor[debtor.pk]
        changed = [name for name in DEBTOR_DETAILS if getattr(debtor, name) != row.debtor[name]]
        if not changed:
            continue
        before = {name: str(getattr(debtor, name) or "") for name in changed}
        for name in changed:
            setattr(debtor, name, row.debtor[name])
        debtor.save(update_fields=changed)
        record_event(
            event=Event.DEBTOR_UPDATED,
            subject_id=debtor.pk,
            occurred_at=now,
            actor=actor,
            before=before,
            after={**{name: str(row.debtor[name] or "") for name in changed}, "import": job.pk, "row": row.row},
        )


def _new_contacts(
    rows: list[_Row], debtor_ids: list[int], *, reused: set[int]
) -> list[tuple[int, str, str, str, bool]]:
    """Phones and emails to add: each (debtor, kind, value) once, not ones a reused debtor already has.
    The first of a kind a debtor gets is its primary one."""
    existing: set[tuple[int, str, str]] = set()
    has_kind: set[tuple[int, str]] = set()
    if reused:
        for debtor, kind, value in ContactPoint.objects.filter(debtor_id__in=sorted(reused)).values_list(
            "debtor_id", "kind", "value"
        ):
            existing.add((debtor, kind, value))
            has_kind.add((debtor, kind))
    contacts: list[tuple[int, str, str, str, bool]] = []
    for debtor, row in zip(debtor_ids, rows, strict=True):
        for kind, value, phone_type in (("phone", row.phone, row.phone_type), ("email", row.email, "")):
            if not value or (debtor, kind, value) in existing:
                continue
            existing.add((debtor, kind, value))
            contacts.append((debtor, kind, value, phone_type, (debtor, kind) not in has_kind))
            has_kind.add((debtor, kind))
    return contacts


class _RowRefused(Exception):
    """A re-sent row that cannot be applied; its transaction rolls back and the problem is reported."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _update_account(
    account_id: int,
    currency: str,
    placed: list[int] | None,
    row: _Row,
    job: ImportJob,
    now: datetime,
    actor: Actor,
) -> Problem | None:
    """Apply a re-sent row that differs from the account's last placement: details, then balance changes."""
    from recoup.audit.services import record_event

    if row.currency != currency:
        return Problem(row.row, "currency", row.currency, f"differs from the account's currency {currency}")
    try:
        with transaction.atomic():
            account = Account.objects.select_for_update().select_related("creditor").get(pk=account_id)
            before: dict[str, Any] = {}
            after: dict[str, Any] = {}
            for name in ACCOUNT_DETAILS:
                if getattr(account, name) != row.details[name]:
                    before[name], after[name] = str(getattr(account, name) or ""), str(row.details[name] or "")
                    setattr(account, name, row.details[name])
            if after:
                account.save(update_fields=list(after))
            primary = AccountDebtor.objects.filter(account_id=account_id, role=AccountDebtor.Role.PRIMARY).first()
            if primary is not None and row.debtor_reference:
                link = DebtorLink.objects.filter(
                    creditor_id=account.creditor_id, reference=row.debtor_reference
                ).first()
                if link is None:
                    DebtorLink.objects.create(
                        creditor_id=account.creditor_id,
                        reference=row.debtor_reference,
                        debtor_id=primary.debtor_id,
                        created_at=now,
                    )
                elif link.debtor_id != primary.debtor_id:
                    raise _RowRefused(
                        Problem(
                            row.row,
                            "debtor_reference",
                            row.debtor_reference,
                            "names another debtor than this account's; a file does not move an account to another "
                            "debtor",
                        )
                    )
            if primary is not None:
                debtor = Debtor.objects.get(pk=primary.debtor_id)
                changed = []
                for name in DEBTOR_DETAILS:
                    if getattr(debtor, name) != row.debtor[name]:
                        before[f"debtor.{name}"] = str(getattr(debtor, name) or "")
                        after[f"debtor.{name}"] = str(row.debtor[name] or "")
                        setattr(debtor, name, row.debtor[name])
                        changed.append(name)
                if changed:
                    debtor.save(update_fields=changed)
                _add_contacts(debtor, row, ledger_date(account, now))
            previous = dict(zip(COMPONENT_FIELDS, placed, strict=True)) if placed is not None else None
            for component, minor in row.balances.items():
                old = previous[component] if previous is not None else minor
                delta = minor - old
                if delta:
                    _adjust(account, component, delta, job, now, actor)
                    before[f"placed.{component.value}"] = str(Money.from_minor(old, currency))
                    after[f"placed.{component.value}"] = str(Money.from_minor(minor, currency))
            Placement.objects.update_or_create(
                account_id=account_id,
                defaults={
                    "job": job,
                    "row_digest": row.digest,
                    **{f"{c.value}_minor": row.balances[c] for c in COMPONENT_FIELDS},
                    "updated_at": now,
                },
            )
            record_event(
                event=Event.ACCOUNT_UPDATED,
                subject_id=account_id,
                account_id=account_id,
                occurred_at=now,
                actor=actor,
                before=before,
                after={**after, "import": job.pk, "row": row.row},
            )
    except _RowRefused as refused:
        return refused.problem
    except UnableToPostTransaction as exc:
        column, _, reason = str(exc).partition(": ")
        return Problem(row.row, column if column in COMPONENT_FIELDS.values() else "balance", "", reason)
    return None


def _add_contacts(debtor: Debtor, row: _Row, on: date) -> None:
    """New phones and emails are added; ones already known are left as they are (with their consent)."""
    known = set(ContactPoint.objects.filter(debtor=debtor).values_list("kind", "value"))
    for kind, value, phone_type in [("phone", row.phone, row.phone_type), ("email", row.email, "")]:
        if value and (kind, value) not in known:
            ContactPoint.objects.create(
                debtor=debtor,
                kind=kind,
                value=value,
                phone_type=phone_type,
                source=ContactPoint.Source.PLACEMENT,
                obtained_date=on,
            )


def _adjust(account: Account, component: Component, delta: int, job: ImportJob, now: datetime, actor: Actor) -> None:
    """Move what the account owes on a component by the change between two placement files."""
    items = list(
        OpenItem.objects.filter(account=account, component=component.value, kind=OpenItem.Kind.PLACEMENT).order_by(
            "-due_date", "-id"
        )
    )
    if delta > 0 and not items:
        load_open_items(
            items=[
                NewItem(
                    account_id=account.pk,
                    component=component,
                    amount_minor=delta,
                    due_date=account.first_delinquency_date or account.charge_off_date or account.opened_date,
                    effective_date=ledger_date(account, now),
                    kind=OpenItem.Kind.PLACEMENT,
                    reference=f"placement {job.pk}",
                )
            ],
            now=now,
            actor=actor,
            memo=f"placed by import {job.pk}",
        )
        return
    if delta > 0:
        adjust_item(
            item=items[0],
            amount=Money.from_minor(delta, account.currency),
            now=now,
            actor=actor,
            reason=f"placement file (import {job.pk}) raised the {component.value} balance",
        )
        return
    remaining = -delta
    for item in items:
        if remaining == 0:
            break
        part = min(remaining, item.balance_minor)
        if part:
            adjust_item(
                item=item,
                amount=Money.from_minor(-part, account.currency),
                now=now,
                actor=actor,
                reason=f"placement file (import {job.pk}) lowered the {component.value} balance",
            )
            remaining -= part
    if remaining:
        raise UnableToPostTransaction(
            f"{component.value}: lowering the placed {component.value} by {Money.from_minor(-delta, account.currency)}"
            f" is more than the account still owes on it"
        )
