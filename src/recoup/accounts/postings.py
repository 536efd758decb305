"""Ledger postings: charges, charge freezes, adjustments, write-downs, refunds, write-off recoveries,
payment reversals, status changes, and the set-based loading of what is owed (`load_open_items`).
With the payment engine (`payments.py`), the only place that opens transactions, locks accounts and
writes ledger rows and their audit events for this app.

Every posting goes through `_post` (the balanced lines come from `core.postings`), or for payments
through `payments.record_payments`, so caches, audit events and locks are handled in one way.
Accounts are locked in primary-key order so concurrent postings never deadlock. The cached columns
and the ledger tables' column lists defined here are shared with the payment engine.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction

from recoup.accounts.dates import ledger_date
from recoup.accounts.models import (
    FREEZABLE_COMPONENTS,
    Account,
    ChargeFreeze,
    LedgerEntry,
    LedgerTransaction,
    OpenItem,
    Payment,
)
from recoup.accounts.signals import charge_requested
from recoup.audit.events import Event
from recoup.audit.services import author_of, event_row, record_event, record_events
from recoup.core.account_status import AccountStatus, can_transition
from recoup.core.allocation import AllocationPolicy, InvalidAllocationPolicy
from recoup.core.business_dates import latest_date
from recoup.core.fees import FeePolicyError, parse_fee_policy
from recoup.core.ledger import CHARGE_TYPES_BY_COMPONENT, Book, Component, TransactionType
from recoup.core.money import Money, format_minor
from recoup.core.postings import (
    ItemBalance,
    Line,
    adjustment_lines,
    allocate_minor,
    charge_lines,
    check_balanced,
    recovery_lines,
    refund_lines,
    reversal_lines,
    write_down_lines,
)
from recoup.parties.models import Creditor
from recoup.platform.bulk import allocate_ids, bulk_add, bulk_insert, in_values

Actor = AbstractBaseUser | AnonymousUser | None
LOCK_CHUNK = 5_000
COMPONENT_COLUMNS = {
    Component.PRINCIPAL: "principal_minor",
    Component.INTEREST: "interest_minor",
    Component.FEES: "fees_minor",
    Component.COSTS: "costs_minor",
}
CACHE_COLUMNS = [*COMPONENT_COLUMNS.values(), "credit_balance_minor"]
# Plain strings for enum members, for the hot loops that write millions of rows (an enum's .value
# is a descriptor call; a dict lookup is not). None stands for "no component".
CHARGE_TYPE_VALUES = {c: t.value for c, t in CHARGE_TYPES_BY_COMPONENT.items()}
PLAIN: dict[Any, str] = {**{b: b.value for b in Book}, **{c: c.value for c in Component}, None: ""}


# The ledger's tables as the set-based writers see them (load_open_items here, the payment engine
# in payments.py).
TRANSACTION_COLUMNS = [
    "id",
    "account_id",
    "type",
    "currency",
    "amount_minor",
    "effective_date",
    "posted_at",
    "reverses_id",
    "memo",
    "actor_id",
]
# Entries and audit events are written without ids: nothing in the same write refers to them, so the
# database numbers them.
ENTRY_COLUMNS = ["transaction_id", "account_id", "open_item_id", "book", "component", "amount_minor", "effective_date"]
# The audit event each kind of transaction posted through `_post` writes (a payment writes
# `accounts.payment.recorded` from the payment engine).
TRANSACTION_EVENT = {
    TransactionType.CHARGE: Event.TRANSACTION_CHARGE,
    TransactionType.INTEREST: Event.TRANSACTION_INTEREST,
    TransactionType.FEE: Event.TRANSACTION_FEE,
    TransactionType.COST: Event.TRANSACTION_COST,
    TransactionType.PAYMENT_REVERSAL: Event.TRANSACTION_PAYMENT_REVERSAL,
    TransactionType.ADJUSTMENT: Event.TRANSACTION_ADJUSTMENT,
    TransactionType.DISCOUNT: Event.TRANSACTION_DISCOUNT,
    TransactionType.SETTLEMENT_WRITE_DOWN: Event.TRANSACTION_SETTLEMENT_WRITE_DOWN,
    TransactionType.WRITE_OFF: Event.TRANSACTION_WRITE_OFF,
    TransactionType.WRITE_OFF_RECOVERY: Event.TRANSACTION_WRITE_OFF_RECOVERY,
    TransactionType.REFUND: Event.TRANSACTION_REFUND,
}


class UnableToPostTransaction(Exception):
    """The posting was refused; the message names the field and the reason. Nothing was written."""


class UnableToReversePayment(UnableToPostTransaction):
    pass


class UnableToChangeStatus(Exception):
    pass


class UnableToFreezeCharges(Exception):
    """A freeze could not be started or ended; the message names the field. Nothing was written."""


def allocation_policy_for(creditor: Creditor) -> AllocationPolicy:
    try:
        return AllocationPolicy.from_dict(creditor.allocation_policy or {})
    except InvalidAllocationPolicy as exc:
        raise UnableToPostTransaction(f"creditor {creditor.code}: allocation policy {exc}") from None


def _actor_id(actor: Actor) -> int | None:
    return actor.pk if actor is not None and actor.is_authenticated else None


def _lock_accounts(account_ids: Sequence[int]) -> None:
    """Lock the accounts' rows in primary-key order (SQLite serialises writers by itself)."""
    if connection.vendor != "postgresql" or not account_ids:
        return
    ordered = sorted(set(account_ids))
    with connection.cursor() as cursor:
        for start in range(0, len(ordered), LOCK_CHUNK):
            cursor.execute(
                "SELECT id FROM accounts_account WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                [ordered[start : start + LOCK_CHUNK]],
            )


def refresh_oldest_unpaid(account_ids: Sequence[int]) -> None:
    """Recompute the cached due date of each account's oldest owing item (after its items changed)."""
    ordered = sorted(set(account_ids))
    with connection.cursor() as cursor:
        for start in range(0, len(ordered), LOCK_CHUNK):
            condition, params = in_values("id", ordered[start : start + LOCK_CHUNK])
            cursor.execute(OLDEST_UNPAID_SQL.format(condition=condition), params)


OLDEST_UNPAID_SQL = (
    "UPDATE accounts_account SET oldest_unpaid_due_date = ("
    "SELECT MIN(i.due_date) FROM accounts_open_item i "
    "WHERE i.account_id = accounts_account.id AND i.balance_minor > 0"
    ") WHERE {condition}"
)


def _balances_snapshot(account: Account) -> dict[str, str]:
    return {
        **{c.value: str(account.money(getattr(account, col))) for c, col in COMPONENT_COLUMNS.items()},
        "credit_balance": str(account.money(account.credit_balance_minor)),
    }


def _cache_deltas(lines: Sequence[Line]) -> tuple[dict[int, int], dict[str, int]]:
    """How the lines change item balances and the account's cached columns."""
    items: dict[int, int] = defaultdict(int)
    columns: dict[str, int] = defaultdict(int)
    for line in lines:
        if line.book is Book.RECEIVABLE:
            assert line.item_id is not None
            assert line.component is not None
            items[line.item_id] += line.amount_minor
            columns[COMPONENT_COLUMNS[line.component]] += line.amount_minor
        elif line.book is Book.CREDIT_BALANCE:
            columns["credit_balance_minor"] -= line.amount_minor
    return items, columns


def _post(
    *,
    account: Account,
    type: TransactionType,
    amount_minor: int,
    effective_date: date,
    lines: Sequence[Line],
    now: datetime,
    actor: Actor,
    memo: str = "",
    reverses: LedgerTransaction | None = None,
    details: dict[str, Any] | None = None,
) -> LedgerTransaction:
    """Write one balanced transaction, its entries, the cache updates and its audit event.

    The caller has locked the account inside an atomic block and passes the locked row.
    """
    check_balanced(lines)
    before = _balances_snapshot(account)
    txn = LedgerTransaction.objects.create(
        account=account,
        type=type.value,
        currency=account.currency,
        amount_minor=amount_minor,
        effective_date=effective_date,
        posted_at=now,
        reverses=reverses,
        memo=memo,
        actor_id=_actor_id(actor),
    )
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                transaction=txn,
                account=account,
                open_item_id=line.item_id,
                book=line.book.value,
                component=line.component.value if line.component else "",
                amount_minor=line.amount_minor,
                effective_date=effective_date,
            )
            for line in lines
        ]
    )
    items, columns = _cache_deltas(lines)
    bulk_add("accounts_open_item", ["balance_minor"], [(item_id, delta) for item_id, delta in items.items()])
    bulk_add("accounts_account", CACHE_COLUMNS, [(account.pk, *(columns.get(c, 0) for c in CACHE_COLUMNS))])
    if items:
        refresh_oldest_unpaid([account.pk])
    account.refresh_from_db(fields=[*CACHE_COLUMNS, "oldest_unpaid_due_date"])
    record_event(
        event=TRANSACTION_EVENT[type],
        subject_id=txn.pk,
        account_id=account.pk,
        occurred_at=now,
        actor=actor,
        before=before,
        after={
            **_balances_snapshot(account),
            "amount": str(account.money(amount_minor)),
            "effective_date": effective_date.isoformat(),
            **(details or {}),
        },
    )
    return txn


def _locked(account: Account) -> Account:
    _lock_accounts([account.pk])
    return Account.objects.select_related("creditor").get(pk=account.pk)


def _check_amount(amount: Money, account: Account, *, field_name: str = "amount") -> int:
    if amount.currency != account.currency:
        raise UnableToPostTransaction(
            f"currency: {amount.currency} differs from account {account.reference}'s currency {account.currency}"
        )
    if not amount.is_positive:
        raise UnableToPostTransaction(f"{field_name}: must be more than zero, not {amount}")
    return amount.minor


def _check_date(effective_date: date, now: datetime, *, field_name: str = "effective_date") -> None:
    """A typed date is in the future only when it is later than today everywhere (`latest_date`)."""
    if effective_date > latest_date(now):
        raise UnableToPostTransaction(f"{field_name}: {effective_date} is in the future")


def fee_problem(account: Account, amount: Money) -> str:
    """Why the creditor's fees policy (`core.fees`) does not allow one more fee of `amount` on the
    account as it stands; empty when it does. A policy that cannot be read allows nothing."""
    try:
        policy = parse_fee_policy(account.creditor.fees_policy)
    except FeePolicyError as error:
        return f"the creditor {account.creditor.code}'s {error}"
    return policy.problem(
        amount=amount.amount,
        amount_minor=amount.minor,
        principal_minor=account.principal_minor,
        fees_minor=account.fees_minor,
    )


def post_charge(
    *,
    account: Account,
    component: Component,
    amount: Money,
    due_date: date,
    now: datetime,
    actor: Actor,
    kind: str = "",
    reference: str = "",
    effective_date: date | None = None,
    memo: str = "",
) -> OpenItem:
    """Add an amount owed as a new open item: principal (a charge or invoice), interest, a fee or a cost."""
    minor = _check_amount(amount, account)
    effective = effective_date or ledger_date(account, now)
    _check_date(effective, now)
    item_kind = (
        kind
        or {
            Component.PRINCIPAL: OpenItem.Kind.CHARGE,
            Component.INTEREST: OpenItem.Kind.INTEREST,
            Component.FEES: OpenItem.Kind.FEE,
            Component.COSTS: OpenItem.Kind.COST,
        }[component]
    )
    if item_kind not in OpenItem.Kind.values:
        raise UnableToPostTransaction(f"kind: '{item_kind}' is not one of {', '.join(OpenItem.Kind.values)}")
    with transaction.atomic():
        locked = _locked(account)
        if component != Component.PRINCIPAL:
            freeze = active_freeze(locked, effective, component)
            if freeze is not None:
                raise UnableToPostTransaction(
                    f"component: {component.value} is frozen on account {locked.reference} "
                    f"{_freeze_label(freeze)}; nothing was charged"
                )
            charge_requested.send(sender=Account, account=locked, component=component, on=now.date())
        if component == Component.FEES:
            problem = fee_problem(locked, amount)
            if problem:
                raise UnableToPostTransaction(f"amount: {problem}; nothing was charged")
        item = OpenItem.objects.create(
            account=locked,
            kind=item_kind,
            reference=reference,
            component=component.value,
            due_date=due_date,
            original_minor=minor,
            balance_minor=0,
            created_at=now,
        )
        _post(
            account=locked,
            type=CHARGE_TYPES_BY_COMPONENT[component],
            amount_minor=minor,
            effective_date=effective,
            lines=charge_lines(item.pk, component, minor),
            now=now,
            actor=actor,
            memo=memo,
            details={"item": item.pk, "component": component.value, "due_date": due_date.isoformat()},
        )
    item.refresh_from_db()
    return item


# Charge freezes ------------------------------------------------------------------------------------


def _freeze_label(freeze: ChargeFreeze) -> str:
    """'from 2026-12-01 to 2027-01-29 (freeze 4, breathing_space 12: standard breathing space)'."""
    last = freeze.last_day
    period = f"from {freeze.starts_on.isoformat()}" + (f" to {last.isoformat()}" if last else " until ended")
    source = f"{freeze.source} {freeze.source_id}".strip()
    return f"{period} (freeze {freeze.pk}, {source}: {freeze.reason})"


def active_freeze(account: Account, on: date, component: Component | str) -> ChargeFreeze | None:
    """The freeze that stops `component` being charged on `on`, or None (the earliest if several do).

    A freeze covers `starts_on` through `ends_on` (open-ended when None) and, once ended early, no
    longer applies from `ended_on`.
    """
    name = Component(component).value
    candidates = (
        ChargeFreeze.objects.filter(account_id=account.pk, starts_on__lte=on)
        .exclude(ends_on__lt=on)
        .exclude(ended_on__lte=on)
        .order_by("starts_on", "id")
    )
    # Components are a JSON list, filtered here: SQLite has no JSON containment lookup.
    return next((freeze for freeze in candidates if name in freeze.components), None)


def _frozen_components(components: Sequence[Component | str]) -> list[str]:
    if isinstance(components, str):
        components = [components]
    names: set[str] = set()
    allowed = ", ".join(c.value for c in FREEZABLE_COMPONENTS)
    for value in components:
        if value == Component.PRINCIPAL:
            raise UnableToFreezeCharges("components: principal can never be frozen")
        try:
            component = Component(value)
        except ValueError:
            raise UnableToFreezeCharges(f"components: '{value}' is not one of {allowed}") from None
        names.add(component.value)
    if not names:
        raise UnableToFreezeCharges(f"components: name at least one of {allowed}")
    return [c.value for c in FREEZABLE_COMPONENTS if c.value in names]


def _freeze_snapshot(freeze: ChargeFreeze) -> dict[str, Any]:
    return {
        "starts_on": freeze.starts_on.isoformat(),
        "ends_on": freeze.ends_on.isoformat() if freeze.ends_on else None,
        "ended_on": freeze.ended_on.isoformat() if freeze.ended_on else None,
        "components": list(freeze.components),
        "reason": freeze.reason,
        "source": freeze.source,
        "source_id": freeze.source_id,
    }


def freeze_charges(
    *,
    account: Account,
    starts_on: date,
    ends_on: date | None = None,
    components: Sequence[Component | str] = ("interest", "fees", "costs"),
    reason: str,
    source: str,
    source_id: str = "",
    now: datetime,
    actor: Actor,
) -> ChargeFreeze:
    """Stop interest, fees and/or costs being charged from `starts_on` through `ends_on` (None: until ended).

    Breathing space and payment plans freeze charges this way; `post_charge` then refuses a frozen
    component's charge whose effective date falls in the period. Principal is never frozen.
    """
    if not reason.strip():
        raise UnableToFreezeCharges("reason: a charge freeze needs a reason")
    if not source.strip():
        raise UnableToFreezeCharges("source: say what froze the charges (breathing_space, payment_plan, officer)")
    if len(source) > 30:
        raise UnableToFreezeCharges(f"source: '{source}' is longer than 30 characters")
    if len(source_id) > 64:
        raise UnableToFreezeCharges(f"source_id: '{source_id}' is longer than 64 characters")
    names = _frozen_components(components)
    if ends_on is not None and ends_on < starts_on:
        raise UnableToFreezeCharges(f"ends_on: {ends_on} is before starts_on {starts_on}")
    with transaction.atomic():
        locked = _locked(account)
        freeze = ChargeFreeze.objects.create(
            account=locked,
            starts_on=starts_on,
            ends_on=ends_on,
            components=names,
            reason=reason,
            source=source,
            source_id=source_id,
            created_by_id=_actor_id(actor),
            created_at=now,
        )
        record_event(
            event=Event.CHARGES_FROZEN,
            subject_id=freeze.pk,
            account_id=locked.pk,
            occurred_at=now,
            actor=actor,
            before=None,
            after=_freeze_snapshot(freeze),
        )
    return freeze


def end_charge_freeze(*, freeze: ChargeFreeze, on: date, reason: str, now: datetime, actor: Actor) -> ChargeFreeze:
    """End a freeze early: it no longer applies from `on`, so it last covers the day before.

    `on` may be the freeze's first day (it then never applied) and at latest its last day (`ends_on`);
    a freeze with an end date runs out by itself after that day.
    """
    if not reason.strip():
        raise UnableToFreezeCharges("reason: ending a charge freeze needs a reason")
    with transaction.atomic():
        _lock_accounts([freeze.account_id])
        fresh = ChargeFreeze.objects.select_for_update().get(pk=freeze.pk)
        if fresh.ended_on is not None:
            raise UnableToFreezeCharges(
                f"freeze: {fresh.pk} was already ended from {fresh.ended_on.isoformat()} ({fresh.end_reason})"
            )
        if on < fresh.starts_on:
            raise UnableToFreezeCharges(
                f"on: {on.isoformat()} is before the freeze starts on {fresh.starts_on.isoformat()}"
            )
        if fresh.ends_on is not None and on > fresh.ends_on:
            raise UnableToFreezeCharges(
                f"on: {on.isoformat()} is after the freeze's last day {fresh.ends_on.isoformat()}; "
                "it runs out by itself"
            )
        before = _freeze_snapshot(fresh)
        fresh.ended_on = on
        fresh.end_reason = reason
        fresh.ended_by_id = _actor_id(actor)
        fresh.save(update_fields=["ended_on", "end_reason", "ended_by"])
        record_event(
            event=Event.CHARGES_UNFROZEN,
            subject_id=fresh.pk,
            account_id=fresh.account_id,
            occurred_at=now,
            actor=actor,
            before=before,
            after={**_freeze_snapshot(fresh), "end_reason": reason, "last_day": (on - timedelta(days=1)).isoformat()},
        )
    return fresh


def _open_balances(account: Account) -> list[ItemBalance]:
    return [
        ItemBalance(item_id, Component(component), due, balance)
        for item_id, component, due, balance in OpenItem.objects.filter(
            account=account, balance_minor__gt=0
        ).values_list("id", "component", "due_date", "balance_minor")
    ]


def adjust_item(
    *,
    item: OpenItem,
    amount: Money,
    now: datetime,
    actor: Actor,
    reason: str,
    effective_date: date | None = None,
) -> LedgerTransaction:
    """Correct what is owed on an item: a positive amount raises it, a negative one lowers it."""
    if not reason.strip():
        raise UnableToPostTransaction("reason: an adjustment needs a reason")
    if amount.is_zero:
        raise UnableToPostTransaction("amount: an adjustment of zero changes nothing")
    effective = effective_date or ledger_date(item.account, now)
    _check_date(effective, now)
    with transaction.atomic():
        locked = _locked(item.account)
        if amount.currency != locked.currency:
            raise UnableToPostTransaction(
                f"currency: {amount.currency} differs from the account's currency {locked.currency}"
            )
        fresh = OpenItem.objects.get(pk=item.pk)
        if fresh.balance_minor + amount.minor < 0:
            raise UnableToPostTransaction(
                f"amount: lowering item {item.pk} by {-amount} would take it below zero "
                f"(it owes {locked.money(fresh.balance_minor)})"
            )
        return _post(
            account=locked,
            type=TransactionType.ADJUSTMENT,
            amount_minor=abs(amount.minor),
            effective_date=effective,
            lines=adjustment_lines(fresh.pk, Component(fresh.component), amount.minor),
            now=now,
            actor=actor,
            memo=reason,
            details={"item": fresh.pk, "signed_amount": str(amount)},
        )


def write_down(
    *,
    account: Account,
    type: TransactionType,
    now: datetime,
    actor: Actor,
    reason: str,
    amount: Money | None = None,
    effective_date: date | None = None,
) -> LedgerTransaction:
    """Reduce what is owed without money: a discount, a settlement write-down or a write-off.

    With no amount, everything still owed is written down. The reduction is spread by the creditor's
    allocation policy, like a payment.
    """
    if type not in {
        TransactionType.DISCOUNT,
        TransactionType.SETTLEMENT_WRITE_DOWN,
        TransactionType.WRITE_OFF,
    }:
        raise UnableToPostTransaction(f"type: {type.value} is not a write-down")
    if not reason.strip():
        raise UnableToPostTransaction("reason: a write-down needs a reason")
    effective = effective_date or ledger_date(account, now)
    _check_date(effective, now)
    with transaction.atomic():
        locked = _locked(account)
        balances = _open_balances(locked)
        owed = sum(b.balance_minor for b in balances)
        minor = owed if amount is None else _check_amount(amount, locked)
        if owed == 0:
            raise UnableToPostTransaction(f"account: {locked.reference} owes nothing to write down")
        if minor > owed:
            raise UnableToPostTransaction(f"amount: {locked.money(minor)} is more than the {locked.money(owed)} owed")
        paid, _ = allocate_minor(minor, balances, allocation_policy_for(locked.creditor))
        return _post(
            account=locked,
            type=type,
            amount_minor=minor,
            effective_date=effective,
            lines=write_down_lines(paid),
            now=now,
            actor=actor,
            memo=reason,
        )


def refund_credit_balance(
    *, account: Account, amount: Money, now: datetime, actor: Actor, reason: str, effective_date: date | None = None
) -> LedgerTransaction:
    """Pay back money the debtor paid beyond what they owed, dated `effective_date` (default: the
    creditor's business date at `now`)."""
    if effective_date is not None:
        _check_date(effective_date, now)
    with transaction.atomic():
        locked = _locked(account)
        minor = _check_amount(amount, locked)
        if minor > locked.credit_balance_minor:
            raise UnableToPostTransaction(
                f"amount: {amount} is more than the credit balance of {locked.credit_balance}"
            )
        return _post(
            account=locked,
            type=TransactionType.REFUND,
            amount_minor=minor,
            effective_date=effective_date or ledger_date(locked, now),
            lines=refund_lines(minor),
            now=now,
            actor=actor,
            memo=reason,
        )


def record_write_off_recovery(
    *,
    account: Account,
    amount: Money,
    now: datetime,
    actor: Actor,
    memo: str = "",
    effective_date: date | None = None,
) -> LedgerTransaction:
    """Money received on a written-off account; it reduces the loss, not a receivable. Dated
    `effective_date` (default: the creditor's business date at `now`)."""
    if effective_date is not None:
        _check_date(effective_date, now)
    with transaction.atomic():
        locked = _locked(account)
        minor = _check_amount(amount, locked)
        if locked.status != AccountStatus.WRITTEN_OFF:
            raise UnableToPostTransaction(
                f"account: {locked.reference} is {locked.status}, not written off; record a payment instead"
            )
        return _post(
            account=locked,
            type=TransactionType.WRITE_OFF_RECOVERY,
            amount_minor=minor,
            effective_date=effective_date or ledger_date(locked, now),
            lines=recovery_lines(minor),
            now=now,
            actor=actor,
            memo=memo,
        )


# Payment reversals ----------------------------------------------------------------------------------


def _announce_payments(account_ids: set[int], now: datetime) -> None:
    """Tell listeners (arrangement monitoring) once the payments are committed."""
    from recoup.accounts.signals import payments_changed

    ids = sorted(account_ids)
    transaction.on_commit(lambda: payments_changed.send(sender=Payment, account_ids=ids, now=now))


def reverse_payment(
    *, payment: Payment, reason: str, now: datetime, actor: Actor, effective_date: date | None = None
) -> LedgerTransaction:
    """Undo a payment (returned, charged back): mirror its entries exactly, re-opening what it paid.
    Dated `effective_date` (default: the creditor's business date at `now`)."""
    if not reason.strip():
        raise UnableToReversePayment("reason: a reversal needs a reason (returned payment, chargeback, ...)")
    if effective_date is not None:
        _check_date(effective_date, now)
    with transaction.atomic():
        locked = _locked(payment.account)
        fresh = Payment.objects.select_related("reversal").get(pk=payment.pk)
        if fresh.reversal is not None:
            raise UnableToReversePayment(
                f"payment: {fresh.pk} was already reversed on {fresh.reversal.posted_at:%Y-%m-%d}"
            )
        original = [
            Line(Book(book), Component(component) if component else None, item_id, amount)
            for book, component, item_id, amount in LedgerEntry.objects.filter(transaction_id=fresh.transaction_id)
            .order_by("id")
            .values_list("book", "component", "open_item_id", "amount_minor")
        ]
        reversal = _post(
            account=locked,
            type=TransactionType.PAYMENT_REVERSAL,
            amount_minor=fresh.amount_minor,
            effective_date=effective_date or ledger_date(locked, now),
            lines=reversal_lines(original),
            now=now,
            actor=actor,
            memo=reason,
            reverses=LedgerTransaction.objects.get(pk=fresh.transaction_id),
            details={"payment": fresh.pk, "reason": reason},
        )
        Payment.objects.filter(pk=fresh.pk).update(reversal=reversal, reversal_reason=reason)
        _announce_payments({payment.account_id}, now)
    return reversal


# Status -------------------------------------------------------------------------------------------


def change_account_status(
    *,
    account: Account,
    to_status: AccountStatus,
    reason: str,
    now: datetime,
    actor: Actor,
    closure_reason: str = "",
) -> Account:
    """Move an account to another status if the lifecycle allows it; writes an audit event. A move to
    closed may name a `closure_reason` (Account.ClosureReason), kept on the account."""
    if not reason.strip():
        raise UnableToChangeStatus("reason: a status change needs a reason")
    if closure_reason and (to_status != AccountStatus.CLOSED or closure_reason not in Account.ClosureReason.values):
        raise UnableToChangeStatus(
            f"closure_reason: '{closure_reason}' is only for a move to closed, and one of "
            f"{', '.join(v for v in Account.ClosureReason.values if v)}"
        )
    with transaction.atomic():
        locked = _locked(account)
        current = AccountStatus(locked.status)
        if current == to_status:
            raise UnableToChangeStatus(f"status: account {locked.reference} is already {to_status.value}")
        if not can_transition(current, to_status):
            raise UnableToChangeStatus(
                f"status: account {locked.reference} cannot go from {current.value} to {to_status.value}"
            )
        changes: dict[str, Any] = {"status": to_status.value, "status_changed_at": now}
        after: dict[str, Any] = {"status": to_status.value, "reason": reason}
        if closure_reason:
            changes["closure_reason"] = after["closure_reason"] = closure_reason
        Account.objects.filter(pk=locked.pk).update(**changes)
        record_event(
            event=Event.ACCOUNT_STATUS_CHANGED,
            subject_id=locked.pk,
            account_id=locked.pk,
            occurred_at=now,
            actor=actor,
            before={"status": current.value},
            after=after,
        )
        locked.refresh_from_db()
    return locked


# Set-based loading of what is owed (placements, demo data, benchmarks) -------------------------------


@dataclass(frozen=True)
class NewItem:
    """An amount owed to load onto an account: a placed balance, an invoice, interest, a fee, a cost."""

    account_id: int
    component: Component
    amount_minor: int
    due_date: date
    effective_date: date
    kind: str = OpenItem.Kind.PLACEMENT
    reference: str = ""


def load_open_items(*, items: Sequence[NewItem], now: datetime, actor: Actor, memo: str = "") -> int:
    """Open many items at once, each with its charge transaction, set-based; returns how many.

    Writes the items, one balanced transaction and two entries per item, the cached balances, and one
    audit event per account (`accounts.balance.loaded`) naming what was loaded. For placements,
    imports and generated portfolios, where one service call per item would be far too slow.
    """
    if not items:
        return 0
    _check_new_items(items, now)
    account_ids = sorted({item.account_id for item in items})
    with transaction.atomic():
        _lock_accounts(account_ids)
        currencies: dict[int, str] = {}
        for start in range(0, len(account_ids), LOCK_CHUNK):
            currencies.update(
                Account.objects.filter(pk__in=account_ids[start : start + LOCK_CHUNK]).values_list("id", "currency")
            )
        missing = [pk for pk in account_ids if pk not in currencies]
        if missing:
            raise UnableToPostTransaction(f"account: no account with id {missing[0]}")
        deltas = _write_new_items(items, currencies, now, actor, memo)
        bulk_add(
            "accounts_account",
            CACHE_COLUMNS,
            [(pk, *(d.get(c, 0) for c in CACHE_COLUMNS)) for pk, d in sorted(deltas.items())],
        )
        refresh_oldest_unpaid(sorted(deltas))
    return len(items)


@dataclass(frozen=True)
class OpeningBalance:
    """What a new account's cached columns say once its opening items are loaded (opening_balances)."""

    principal_minor: int = 0
    interest_minor: int = 0
    fees_minor: int = 0
    costs_minor: int = 0
    oldest_unpaid_due_date: date | None = None


def opening_balances(items: Sequence[NewItem]) -> dict[int, OpeningBalance]:
    """Each account's cached balances and oldest unpaid due date after `items` are its only items."""
    sums: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    oldest: dict[int, date] = {}
    for item in items:
        sums[item.account_id][COMPONENT_COLUMNS[item.component]] += item.amount_minor
        if item.amount_minor > 0:
            known = oldest.get(item.account_id)
            if known is None or item.due_date < known:
                oldest[item.account_id] = item.due_date
    return {pk: OpeningBalance(**columns, oldest_unpaid_due_date=oldest.get(pk)) for pk, columns in sums.items()}


def load_opening_items(
    *, items: Sequence[NewItem], currencies: dict[int, str], now: datetime, actor: Actor, memo: str = ""
) -> int:
    """Open the first items of accounts written earlier in the caller's transaction; returns how many.

    Like load_open_items (the same items, transactions, entries and `accounts.balance.loaded` events),
    for accounts the caller has just inserted with the cached columns `opening_balances(items)`
    gives them, and with no item of their own yet: nobody else can see such accounts, so they are
    neither locked nor updated afterwards (a third of what loading costs otherwise). `currencies`
    gives each account's currency. verify_ledger checks that the caches agree with the entries.
    """
    if not items:
        return 0
    _check_new_items(items, now)
    missing = [item.account_id for item in items if item.account_id not in currencies]
    if missing:
        raise UnableToPostTransaction(f"account: no currency given for account {missing[0]}")
    with transaction.atomic():
        _write_new_items(items, currencies, now, actor, memo)
    return len(items)


def _check_new_items(items: Sequence[NewItem], now: datetime) -> None:
    latest = latest_date(now)
    kinds = set(OpenItem.Kind.values)
    for index, item in enumerate(items):
        if item.amount_minor <= 0:
            raise UnableToPostTransaction(f"item {index + 1}: amount: must be more than zero")
        if item.effective_date > latest:
            raise UnableToPostTransaction(f"item {index + 1}: effective_date: {item.effective_date} is in the future")
        if item.kind not in kinds:
            raise UnableToPostTransaction(f"item {index + 1}: kind: '{item.kind}' is not a known kind")


def _write_new_items(
    items: Sequence[NewItem], currencies: dict[int, str], now: datetime, actor: Actor, memo: str
) -> dict[int, dict[str, int]]:
    """Write the items, their charge transactions and entries and one event per account; return the
    change to each account's cached columns (which the caller applies or has already written)."""
    item_ids = allocate_ids(OpenItem, len(items))
    txn_ids = allocate_ids(LedgerTransaction, len(items))
    actor_id = _actor_id(actor)
    deltas: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    bulk_insert(
        "accounts_open_item",
        [
            "id",
            "account_id",
            "kind",
            "reference",
            "component",
            "due_date",
            "original_minor",
            "balance_minor",
            "created_at",
        ],
        (
            (
                pk,
                i.account_id,
                i.kind,
                i.reference,
                PLAIN[i.component],
                i.due_date,
                i.amount_minor,
                i.amount_minor,
                now,
            )
            for pk, i in zip(item_ids, items, strict=True)
        ),
    )
    bulk_insert(
        "accounts_transaction",
        TRANSACTION_COLUMNS,
        (
            (
                txn,
                i.account_id,
                CHARGE_TYPE_VALUES[i.component],
                currencies[i.account_id],
                i.amount_minor,
                i.effective_date,
                now,
                None,
                memo,
                actor_id,
            )
            for txn, i in zip(txn_ids, items, strict=True)
        ),
    )
    entry_rows: list[tuple[Any, ...]] = []
    for txn, item_id, i in zip(txn_ids, item_ids, items, strict=True):
        for line in charge_lines(item_id, i.component, i.amount_minor):
            entry_rows.append(
                (
                    txn,
                    i.account_id,
                    line.item_id,
                    PLAIN[line.book],
                    PLAIN[line.component],
                    line.amount_minor,
                    i.effective_date,
                )
            )
        deltas[i.account_id][COMPONENT_COLUMNS[i.component]] += i.amount_minor
    bulk_insert("accounts_entry", ENTRY_COLUMNS, entry_rows)
    by = author_of(actor)
    record_events(
        event_row(
            Event.BALANCE_LOADED,
            subject_id=pk,
            account_id=pk,
            occurred_at=now,
            by=by,
            after={
                "loaded": {
                    c.value: format_minor(d[col], currencies[pk]) for c, col in COMPONENT_COLUMNS.items() if d.get(col)
                },
                "memo": memo,
            },
        )
        for pk, d in sorted(deltas.items())
    )
    return deltas
