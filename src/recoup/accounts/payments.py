"""The payment engine: payments posted set-based (`record_payments`, the path a bank file or an
import takes; `record_payment` is a batch of one), with its SQL beside it.

A batch checks its requests, resolves idempotency keys, locks its accounts in primary-key order and
reads their creditors' policies and what each still owes (`_lock_and_read`), allocates each payment
by its creditor's waterfall in order of receipt, and writes the transactions, entries, payments,
audit events and cache updates set-based: with one statement per table, or for a large batch on
PostgreSQL with a COPY pipeline. The cached columns, the ledger tables' column lists and the
announcement to listeners come from `postings.py`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Model

from recoup.accounts.models import Account, LedgerTransaction, Payment
from recoup.accounts.postings import (
    CACHE_COLUMNS,
    ENTRY_COLUMNS,
    LOCK_CHUNK,
    PLAIN,
    TRANSACTION_COLUMNS,
    Actor,
    UnableToPostTransaction,
    _actor_id,
    _announce_payments,
    _cache_deltas,
)
from recoup.audit.events import Event
from recoup.audit.services import AUDIT_COLUMNS, AUDIT_TABLE, author_of, event_row
from recoup.core.allocation import AllocationPolicy
from recoup.core.business_dates import date_in, latest_date
from recoup.core.ledger import Component, TransactionType
from recoup.core.money import Money, format_minor
from recoup.core.postings import ItemBalance, allocate_minor, check_balanced, payment_lines
from recoup.parties.dates import office_zone
from recoup.platform.bulk import (
    BulkWrite,
    allocate_ids_for,
    copy_text,
    copy_text_into,
    foreign_keys_checked_per_statement,
    ids_from_rows,
    ids_in_one_statement,
    ids_statement,
    in_values,
    produced_in_background,
)


class UnableToRecordPayment(UnableToPostTransaction):
    pass


@dataclass(frozen=True)
class PaymentRequest:
    """One payment to post: to an account (by id), an amount, when, how, and an optional key.

    `received_on` is the business date the payment counts from in the ledger (its transaction's
    effective date, which aging, plans and interest read), decided where the payment comes in: the day
    the officer typed, the bank's booking day, the file's date. `received_at` is the instant it was
    taken, kept with the payment. Without `received_on`, the date of `received_at` in the creditor's
    business zone is used (`recoup.parties.dates.creditor_zone`), never the date in UTC.
    """

    account_id: int
    amount: Money
    received_at: datetime
    method: str
    external_reference: str = ""
    idempotency_key: str | None = None
    received_on: date | None = None

    def business_date(self, zone_name: str) -> date:
        """The ledger date: `received_on`, else the day `received_at` fell on in `zone_name`."""
        return self.received_on or date_in(self.received_at, zone_name)


@dataclass(frozen=True)
class PaymentProblem:
    index: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"payment {self.index + 1}: {self.field}: {self.reason}"


class UnableToRecordPayments(UnableToRecordPayment):
    """Some payments in a batch were refused; with all-or-nothing, none was written."""

    def __init__(self, problems: Sequence[PaymentProblem]) -> None:
        self.problems = list(problems)
        shown = "; ".join(str(p) for p in self.problems[:5])
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(f"{len(self.problems)} payments refused: {shown}{more}")


@dataclass
class PaymentBatchResult:
    payment_ids: list[int | None] = field(default_factory=list)
    """For each request, the payment's id (a new one, or the earlier one for a repeated key)."""
    transaction_ids: list[int | None] = field(default_factory=list)
    """For each request posted now, its ledger transaction's id."""
    created: int = 0
    repeated: int = 0
    problems: list[PaymentProblem] = field(default_factory=list)


@dataclass(frozen=True)
class _PayeeAccount:
    creditor_id: int
    currency: str
    reference: str
    policy: AllocationPolicy
    zone: str
    """The creditor's business zone, which dates a payment given no `received_on`."""


def _static_problems(requests: Sequence[PaymentRequest], now: datetime) -> list[PaymentProblem]:
    """Problems visible in the request alone, before touching the database."""
    problems: list[PaymentProblem] = []
    methods = set(Payment.Method.values)
    for index, request in enumerate(requests):
        if not request.amount.is_positive:
            problems.append(PaymentProblem(index, "amount", f"must be more than zero, not {request.amount}"))
        if request.received_at.tzinfo is None:
            problems.append(PaymentProblem(index, "received_at", "needs a time zone"))
        elif request.received_at > now:
            problems.append(PaymentProblem(index, "received_at", f"{request.received_at.isoformat()} is in the future"))
        elif request.received_on is not None and request.received_on > latest_date(now):
            problems.append(PaymentProblem(index, "received_on", f"{request.received_on} is in the future"))
        if request.method not in methods:
            problems.append(
                PaymentProblem(index, "method", f"'{request.method}' is not one of {', '.join(sorted(methods))}")
            )
        if request.idempotency_key is not None and not 0 < len(request.idempotency_key) <= 100:
            problems.append(PaymentProblem(index, "idempotency_key", "must be 1 to 100 characters"))
    return problems


PAYEE_SQL = (
    "SELECT a.id, a.creditor_id, a.currency, a.reference, c.allocation_policy, c.business_time_zone "
    "FROM accounts_account a JOIN parties_creditor c ON c.id = a.creditor_id "
    "WHERE {condition} ORDER BY a.id{lock}"
)


@dataclass
class _PaymentContext:
    """What a batch of payments needs, read under the accounts' locks."""

    accounts: dict[int, _PayeeAccount]
    owing: dict[int, dict[int, ItemBalance]]
    transaction_ids: list[int]
    payment_ids: list[int]


def _policy_rows(
    rows: Sequence[tuple[Any, ...]], policies: dict[int, AllocationPolicy], found: dict[int, _PayeeAccount]
) -> None:
    office = office_zone()
    for pk, creditor_id, currency, reference, policy, zone_name in rows:
        if creditor_id not in policies:
            raw = json.loads(policy) if isinstance(policy, str) else policy
            policies[creditor_id] = AllocationPolicy.from_dict(raw or {})
        found[pk] = _PayeeAccount(creditor_id, currency, reference, policies[creditor_id], zone_name or office)


def _owing_rows(rows: Sequence[tuple[Any, ...]], owing: dict[int, dict[int, ItemBalance]]) -> None:
    components = {c.value: c for c in Component}
    for item_id, account_id, component, due, balance in rows:
        due_date = due if isinstance(due, date) else date.fromisoformat(due)
        owing[account_id][item_id] = ItemBalance(item_id, components[component], due_date, balance)


def _lock_and_read(account_ids: Sequence[int], payments: int) -> _PaymentContext:
    """Lock the accounts in primary-key order, then read their creditors' policies, what each still
    owes, and keys for up to `payments` new transactions and payments.

    The owing items are read by a statement that starts after the locks are held, so it sees every
    posting committed before them. On PostgreSQL a small batch sends the three statements in one
    round trip (each still runs on its own snapshot); a large one goes chunk by chunk.
    """
    ordered = sorted(set(account_ids))
    lock = " FOR UPDATE OF a" if connection.vendor == "postgresql" else ""
    accounts: dict[int, _PayeeAccount] = {}
    policies: dict[int, AllocationPolicy] = {}
    owing: dict[int, dict[int, ItemBalance]] = defaultdict(dict)
    wanted: list[tuple[type[Model], int]] = [(LedgerTransaction, payments), (Payment, payments)]
    with connection.cursor() as cursor:
        if len(ordered) <= LOCK_CHUNK and ids_in_one_statement(wanted) and payments:
            condition, params = in_values("a.id", ordered)
            items_condition, items_params = in_values("account_id", ordered)
            ids_sql, ids_params = ids_statement(wanted)
            cursor.execute(
                ";".join(
                    [
                        PAYEE_SQL.format(condition=condition, lock=lock),
                        OWING_ITEMS_SQL.format(condition=items_condition),
                        ids_sql,
                    ]
                ),
                params + items_params + ids_params,
            )
            _policy_rows(cursor.fetchall(), policies, accounts)
            cursor.nextset()
            _owing_rows(cursor.fetchall(), owing)
            cursor.nextset()
            transaction_ids, payment_ids = ids_from_rows(wanted, cursor.fetchall())
            return _PaymentContext(accounts, owing, transaction_ids, payment_ids)
        for start in range(0, len(ordered), LOCK_CHUNK):
            condition, params = in_values("a.id", ordered[start : start + LOCK_CHUNK])
            cursor.execute(PAYEE_SQL.format(condition=condition, lock=lock), params)
            _policy_rows(cursor.fetchall(), policies, accounts)
        for start in range(0, len(ordered), LOCK_CHUNK):
            condition, params = in_values("account_id", ordered[start : start + LOCK_CHUNK])
            cursor.execute(OWING_ITEMS_SQL.format(condition=condition), params)
            _owing_rows(cursor.fetchall(), owing)
    transaction_ids, payment_ids = allocate_ids_for(wanted)
    return _PaymentContext(accounts, owing, transaction_ids, payment_ids)


def _account_problems(requests: Sequence[PaymentRequest], accounts: dict[int, _PayeeAccount]) -> list[PaymentProblem]:
    problems: list[PaymentProblem] = []
    for index, request in enumerate(requests):
        account = accounts.get(request.account_id)
        if account is None:
            problems.append(PaymentProblem(index, "account", f"no account with id {request.account_id}"))
        elif request.amount.currency != account.currency:
            problems.append(
                PaymentProblem(
                    index,
                    "currency",
                    f"{request.amount.currency} differs from account {account.reference}'s currency {account.currency}",
                )
            )
    return problems


KEYS_SQL = "SELECT id, idempotency_key, account_id, amount_minor, currency FROM accounts_payment WHERE {condition}"


def _resolve_keys(
    requests: Sequence[PaymentRequest],
) -> tuple[dict[int, int], dict[int, int], list[PaymentProblem]]:
    """Requests whose key was already used: the earlier payment's id, or a problem if they differ.

    A key repeated inside the batch for the same payment is posted once; for a different payment
    it is refused.
    """
    by_key: dict[str, list[int]] = defaultdict(list)
    for index, request in enumerate(requests):
        if request.idempotency_key:
            by_key[request.idempotency_key].append(index)
    repeats: dict[int, int] = {}
    same_as: dict[int, int] = {}
    problems: list[PaymentProblem] = []
    for key, indexes in by_key.items():
        first = requests[indexes[0]]
        for index in indexes[1:]:
            request = requests[index]
            if (first.account_id, first.amount) != (request.account_id, request.amount):
                problems.append(
                    PaymentProblem(index, "idempotency_key", f"'{key}' is used twice for different payments")
                )
            else:
                same_as[index] = indexes[0]
    keys = list(by_key)
    found: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(keys), LOCK_CHUNK):
            condition, params = in_values("idempotency_key", keys[start : start + LOCK_CHUNK])
            cursor.execute(KEYS_SQL.format(condition=condition), params)
            found += cursor.fetchall()
    for pk, found_key, account_id, amount_minor, currency in found:
        key = str(found_key)
        for index in by_key[key]:
            request = requests[index]
            if (request.account_id, request.amount.minor, request.amount.currency) == (
                account_id,
                amount_minor,
                currency,
            ):
                repeats[index] = pk
            else:
                problems.append(
                    PaymentProblem(
                        index,
                        "idempotency_key",
                        f"'{key}' was already used for payment {pk} of a different amount or account",
                    )
                )
    return repeats, same_as, problems


def record_payments(
    *,
    requests: Sequence[PaymentRequest],
    now: datetime,
    actor: Actor,
    accept_valid: bool = False,
) -> PaymentBatchResult:
    """Post many payments at once, set-based: the path a bank file or an import takes.

    Each payment is allocated by its creditor's waterfall against what the account owes at that
    moment (payments to one account apply in order of receipt); an overpayment becomes a credit
    balance. A request whose idempotency key was used before returns the earlier payment and posts
    nothing. All-or-nothing by default: any refused request raises UnableToRecordPayments and nothing
    is written; with accept_valid the valid ones are posted and the problems returned.
    """
    for attempt in range(2):
        repeats, same_as, key_problems = _resolve_keys(requests)
        static = _static_problems(requests, now) + key_problems
        result = PaymentBatchResult(
            payment_ids=[repeats.get(i) for i in range(len(requests))], transaction_ids=[None] * len(requests)
        )
        try:
            with transaction.atomic():
                unsure = {p.index for p in static} | set(repeats) | set(same_as)
                context = _lock_and_read(
                    [r.account_id for r in requests], sum(1 for i in range(len(requests)) if i not in unsure)
                )
                problems = sorted(static + _account_problems(requests, context.accounts), key=lambda p: p.index)
                if problems and not accept_valid:
                    raise UnableToRecordPayments(problems)
                result.problems = problems
                bad = {p.index for p in problems}
                todo = [i for i in range(len(requests)) if i not in bad and i not in repeats and i not in same_as]
                if todo:
                    _post_payment_batch(requests, todo, context, now, actor, result)
                    _announce_payments({requests[i].account_id for i in todo}, now)
        except IntegrityError as exc:
            # Another process posted one of these keys between our check and our insert: on the
            # second attempt those requests are found as repeats.
            if attempt == 0 and "idempotency_key" in str(exc):
                continue
            raise
        for later, first in same_as.items():
            result.payment_ids[later] = result.payment_ids[first]
        result.repeated = len(repeats) + sum(1 for i in same_as if i not in bad)
        return result
    raise AssertionError("unreachable")


OWING_ITEMS_SQL = (
    "SELECT id, account_id, component, due_date, balance_minor FROM accounts_open_item "
    "WHERE {condition} AND balance_minor > 0"
)
PAYMENT_COLUMNS = [
    "id",
    "account_id",
    "currency",
    "amount_minor",
    "received_at",
    "method",
    "external_reference",
    "idempotency_key",
    "transaction_id",
    "reversal_id",
    "reversal_reason",
    "created_at",
]
# What a payment writes, in the order it is written (entries and payments refer to transactions).
PAYMENT_TABLES = {
    "accounts_transaction": TRANSACTION_COLUMNS,
    "accounts_entry": ENTRY_COLUMNS,
    "accounts_payment": PAYMENT_COLUMNS,
    AUDIT_TABLE: AUDIT_COLUMNS,  # rows made by recoup.audit.services.event_row
}


PIPELINE_PAYMENTS = 20_000
PIPELINE_CHUNK = 10_000


@dataclass
class _PaymentDeltas:
    items: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    accounts: dict[int, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))


def _payment_rows(
    requests: Sequence[PaymentRequest],
    todo: Sequence[int],
    context: _PaymentContext,
    now: datetime,
    actor: Actor,
    result: PaymentBatchResult,
    deltas: _PaymentDeltas,
    chunk: int,
) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
    """Allocate each payment in order of receipt and yield the rows to insert, `chunk` payments at a time.

    Pure computation on what `_lock_and_read` read (no database access), so it can run in a
    background thread while the caller writes the previous chunk. Fills in `result` and `deltas`
    and leaves `context.owing` as the items still owing afterwards.
    """
    actor_id = _actor_id(actor)
    by = author_of(actor)
    payment_type = TransactionType.PAYMENT.value
    # Keys were drawn for every payment that might post; those refused leave gaps, as sequences do.
    keys = zip(context.transaction_ids[: len(todo)], context.payment_ids[: len(todo)], todo, strict=True)
    rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in PAYMENT_TABLES}
    for count, (txn_id, payment_id, index) in enumerate(keys, start=1):
        request = requests[index]
        account_id = request.account_id
        payee = context.accounts[account_id]
        items = context.owing[account_id]
        currency = payee.currency
        minor = request.amount.minor
        paid, over = allocate_minor(minor, items.values(), payee.policy)
        lines = payment_lines(minor, paid, over)
        check_balanced(lines)
        allocation: dict[str, int] = defaultdict(int)
        for item, part in paid:
            allocation[item.component.value] += part
            left = item.balance_minor - part
            if left:
                items[item.item_id] = ItemBalance(item.item_id, item.component, item.due_date, left)
            else:
                del items[item.item_id]
        effective = request.business_date(payee.zone)
        rows["accounts_transaction"].append(
            (txn_id, account_id, payment_type, currency, minor, effective, now, None, "", actor_id)
        )
        rows["accounts_payment"].append(
            (
                payment_id,
                account_id,
                currency,
                minor,
                request.received_at.astimezone(UTC),  # stored in UTC on both databases (raw SQL keeps offsets)
                request.method,
                request.external_reference,
                request.idempotency_key,
                txn_id,
                None,
                "",
                now,
            )
        )
        items_delta, columns_delta = _cache_deltas(lines)
        for item_id, delta in items_delta.items():
            deltas.items[item_id] += delta
        account_deltas = deltas.accounts[account_id]
        for column, delta in columns_delta.items():
            account_deltas[column] += delta
        entries = rows["accounts_entry"]
        for line in lines:
            entries.append(
                (
                    txn_id,
                    account_id,
                    line.item_id,
                    PLAIN[line.book],
                    PLAIN[line.component],
                    line.amount_minor,
                    effective,
                )
            )
        rows[AUDIT_TABLE].append(
            event_row(
                Event.PAYMENT_RECORDED,
                subject_id=payment_id,
                account_id=account_id,
                occurred_at=now,
                by=by,
                after={
                    "amount": format_minor(minor, currency),
                    "method": request.method,
                    "received_at": request.received_at.isoformat(),
                    "allocated": {k: format_minor(v, currency) for k, v in sorted(allocation.items())},
                    "overpayment": format_minor(over, currency),
                    "transaction": txn_id,
                },
            )
        )
        result.payment_ids[index] = payment_id
        result.transaction_ids[index] = txn_id
        if count % chunk == 0:
            yield rows
            rows = {table: [] for table in PAYMENT_TABLES}
    if rows["accounts_transaction"]:
        yield rows


def _post_payment_batch(
    requests: Sequence[PaymentRequest],
    todo: list[int],
    context: _PaymentContext,
    now: datetime,
    actor: Actor,
    result: PaymentBatchResult,
) -> None:
    """Write the payments' transactions, entries, payment rows, audit events and cache updates.

    A large batch on PostgreSQL is pipelined: a background thread allocates and builds the rows of
    the next chunk (pure Python) while this thread copies the previous one into the database, with
    the foreign keys checked at the end of each COPY (instead of all at commit) so that checking
    overlaps with building too. Anything smaller is built first and written with BulkWrite (one
    statement on PostgreSQL for a single payment).
    """
    todo.sort(key=lambda i: (requests[i].received_at, i))
    account_ids = sorted({requests[i].account_id for i in todo})
    deltas = _PaymentDeltas()
    write = BulkWrite()
    if connection.vendor == "postgresql" and len(todo) >= PIPELINE_PAYMENTS:
        chunks = _payment_rows(requests, todo, context, now, actor, result, deltas, PIPELINE_CHUNK)
        with foreign_keys_checked_per_statement():
            for texts in produced_in_background(chunks, _copy_texts):
                for table, text in texts.items():
                    copy_text_into(table, PAYMENT_TABLES[table], text)
    else:
        for rows in _payment_rows(requests, todo, context, now, actor, result, deltas, len(todo)):
            for table, table_rows in rows.items():
                write.insert(table, PAYMENT_TABLES[table], table_rows)
    # Every owing item of these accounts was read under the lock, so each account's oldest unpaid
    # due date is known without asking the database again.
    oldest = {pk: min((item.due_date for item in context.owing[pk].values()), default=None) for pk in account_ids}
    write.add("accounts_open_item", ["balance_minor"], sorted(deltas.items.items()))
    write.add(
        "accounts_account",
        CACHE_COLUMNS,
        [(pk, *(deltas.accounts[pk].get(c, 0) for c in CACHE_COLUMNS), oldest[pk]) for pk in account_ids],
        assign={"oldest_unpaid_due_date": "date"},
    )
    write.execute()
    result.created = len(todo)


def _copy_texts(rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, str]:
    return {table: copy_text(table_rows) for table, table_rows in rows.items()}


def record_payment(
    *,
    account: Account,
    amount: Money,
    received_at: datetime,
    method: str,
    now: datetime,
    actor: Actor,
    external_reference: str = "",
    idempotency_key: str | None = None,
    received_on: date | None = None,
) -> Payment:
    """Post one payment (see record_payments); the same idempotency key returns the first payment.
    `received_on` is its business date (see PaymentRequest)."""
    request = PaymentRequest(
        account_id=account.pk,
        amount=amount,
        received_at=received_at,
        method=method,
        external_reference=external_reference,
        idempotency_key=idempotency_key,
        received_on=received_on,
    )
    try:
        result = record_payments(requests=[request], now=now, actor=actor)
    except UnableToRecordPayments as exc:
        problem = exc.problems[0]
        raise UnableToRecordPayment(f"{problem.field}: {problem.reason}") from None
    payment_id = result.payment_ids[0]
    transaction_id = result.transaction_ids[0]
    assert payment_id is not None
    if result.created and transaction_id is not None:
        # Just written by this call: build it from what we know instead of reading it back.
        payment = Payment(
            id=payment_id,
            account=account,
            currency=amount.currency,
            amount_minor=amount.minor,
            received_at=received_at,
            method=method,
            external_reference=external_reference,
            idempotency_key=idempotency_key,
            transaction_id=transaction_id,
            reversal=None,
            reversal_reason="",
            created_at=now,
        )
        payment._state.adding = False
        payment._state.db = connection.alias
        return payment
    return Payment.objects.get(pk=payment_id)
