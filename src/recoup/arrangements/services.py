"""Making payment plans, promises to pay and settlements, approving them, and monitoring them.

Every change is audited. Nothing reads the clock: callers pass `now` (and monitoring an `as_of`
day). A plan is checked against the creditor's `arrangement_policy`; one outside it, or a settlement
beyond the officer's authority, is refused with the reason unless approval is asked for with a
reason, in which case it waits for someone with the `approve_arrangement` permission (and, for a
settlement, enough authority). One arrangement is open on an account at a time: a new plan replaces
the open one (which keeps its history), so the same money is never counted for two.

Monitoring (`monitor`) reads the open arrangements, their dues and the payments received since
each was made, set-based (three queries, whatever the number of accounts), classifies every due
with `recoup.core.arrangements.classify`, writes only what changed, and moves arrangements on:
completed (a settlement's remainder is then written down and the account settled), or broken once
more dues are missed than the policy allows. It runs daily and after every payment.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Q

from recoup.accounts.dates import ledger_date
from recoup.accounts.models import Account, AccountDebtor, Payment
from recoup.accounts.selectors import primary_debtor
from recoup.accounts.services import (
    UnableToChangeStatus,
    UnableToFreezeCharges,
    UnableToPostTransaction,
    change_account_status,
    end_charge_freeze,
    freeze_charges,
    write_down,
)
from recoup.arrangements.models import Affordability, Arrangement, Due
from recoup.audit.events import Event
from recoup.audit.services import author_of, event_row, record_event, record_events
from recoup.compliance.models import Hold
from recoup.core.account_status import AccountStatus
from recoup.core.arrangements import (
    DateRule,
    Frequency,
    InvalidSchedule,
    PlanState,
    Received,
    Tolerance,
    build_schedule,
    business_days,
    classify,
    plan_state,
    term_months,
    weekday_only,
)
from recoup.core.arrangements import Due as CoreDue
from recoup.core.business_dates import date_in
from recoup.core.contact_rules import CLOSED_STATUSES, HOLD_RULE
from recoup.core.ledger import TransactionType
from recoup.core.money import Money, MoneyError
from recoup.parties.dates import office_zone

Actor = AbstractBaseUser | AnonymousUser | None


class UnableToArrange(Exception):
    """The arrangement was refused; the message names the field and the reason."""


CREATED_EVENT: dict[str, Event] = {
    Arrangement.Kind.PROMISE: Event.PROMISE_CREATED,
    Arrangement.Kind.PLAN: Event.PLAN_CREATED,
    Arrangement.Kind.SETTLEMENT: Event.SETTLEMENT_CREATED,
}
STATE_EVENT: dict[str, Event] = {
    Arrangement.State.COMPLETED: Event.ARRANGEMENT_COMPLETED,
    Arrangement.State.BROKEN: Event.ARRANGEMENT_BROKEN,
    Arrangement.State.CANCELLED: Event.ARRANGEMENT_CANCELLED,
    Arrangement.State.REPLACED: Event.ARRANGEMENT_REPLACED,
}
DUE_EVENT: dict[str, Event] = {Due.Status.BROKEN: Event.DUE_BROKEN, Due.Status.PARTLY_KEPT: Event.DUE_PARTLY_KEPT}


POLICY_KEYS = {
    "max_term_months",
    "min_instalment",
    "min_percent_of_balance",
    "tolerance_amount",
    "tolerance_percent",
    "grace_days",
    "misses_allowed",
    "date_rule",
    "sfs_guidelines",
    "remainder",
}


@dataclass(frozen=True)
class Policy:
    max_term_months: int | None = 36
    min_instalment: Decimal | None = None
    min_percent_of_balance: Decimal | None = None
    tolerance_amount: Decimal = Decimal("0")
    tolerance_percent: Decimal = Decimal("0")
    grace_days: int = 3
    misses_allowed: int = 1
    date_rule: DateRule = DateRule.FOLLOWING
    remainder: str = "last"  # which instalment takes the rounding remainder: "first" or "last"


def policy_for(account: Account) -> Policy:
    """The creditor's arrangement policy, with defaults; a setting that makes no sense names itself."""
    settings: dict[str, Any] = account.creditor.arrangement_policy or {}
    owner = account.creditor.code
    unknown = sorted(set(settings) - POLICY_KEYS)
    if unknown:
        raise UnableToArrange(
            f"arrangement_policy of {owner}: '{unknown[0]}' is not one of {', '.join(sorted(POLICY_KEYS))}"
        )
    try:
        decimal = {
            key: Decimal(str(settings[key]))
            for key in ("min_instalment", "min_percent_of_balance", "tolerance_amount", "tolerance_percent")
            if settings.get(key) is not None
        }
        policy = Policy(
            max_term_months=int(settings["max_term_months"]) if settings.get("max_term_months") is not None else 36,
            min_instalment=decimal.get("min_instalment"),
            min_percent_of_balance=decimal.get("min_percent_of_balance"),
            tolerance_amount=decimal.get("tolerance_amount", Decimal("0")),
            tolerance_percent=decimal.get("tolerance_percent", Decimal("0")),
            grace_days=int(settings.get("grace_days", 3)),
            misses_allowed=int(settings.get("misses_allowed", 1)),
            date_rule=DateRule(settings.get("date_rule", DateRule.FOLLOWING.value)),
            remainder=str(settings.get("remainder", "last")),
        )
    except (ValueError, TypeError, InvalidOperation) as exc:
        raise UnableToArrange(f"arrangement_policy of {owner}: {exc}") from None
    if policy.remainder not in ("first", "last"):
        raise UnableToArrange(f"arrangement_policy of {owner}: remainder must be 'first' or 'last'")
    if policy.grace_days < 0 or policy.misses_allowed < 0 or (policy.max_term_months or 1) < 1:
        raise UnableToArrange(f"arrangement_policy of {owner}: limits must be positive")
    return policy


def _actor_id(actor: Actor) -> int | None:
    return actor.pk if actor is not None and actor.is_authenticated else None


def _may_approve(actor: Actor) -> bool:
    return actor is not None and bool(getattr(actor, "has_perm", lambda _p: False)("arrangements.approve_arrangement"))


def _business_day_rule(account: Account) -> Any:
    debtor = primary_debtor(account)
    if debtor is None:
        return weekday_only
    try:
        return business_days(debtor.country, debtor.region or None)
    except InvalidSchedule:
        try:
            return business_days(debtor.country)
        except InvalidSchedule:
            return weekday_only


def _check_account(account: Account, today: date) -> None:
    if account.status in CLOSED_STATUSES:
        raise UnableToArrange(
            f"account: {account.reference} is {account.get_status_display().lower()}; nothing to arrange"
        )
    debtor_ids = list(AccountDebtor.objects.filter(account=account).values_list("debtor_id", flat=True))
    holds = (
        Hold.objects.filter(Q(account=account) | Q(debtor_id__in=debtor_ids))
        .filter(lifted_at__isnull=True, starts_at__date__lte=today)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__date__gte=today))
    )
    for hold in holds:
        stops = HOLD_RULE[hold.kind].stops_plans if hold.kind in HOLD_RULE else ""
        if stops:
            raise UnableToArrange(f"account: {stops} (hold {hold.pk})")


def _money(value: Money | None, account: Account, name: str) -> Money | None:
    if value is None:
        return None
    if value.currency != account.currency:
        raise UnableToArrange(f"{name}: {value.currency} differs from the account's currency {account.currency}")
    if not value.is_positive:
        raise UnableToArrange(f"{name}: must be more than zero")
    return value


@dataclass
class PlanRequest:
    """What an officer (or the debtor) proposes."""

    frequency: Frequency
    first_due: date
    total: Money | None = None  # None: the whole balance
    instalment: Money | None = None
    count: int | None = None
    down_payment: Money | None = None
    explicit_dates: Sequence[date] = ()
    freeze_charges: bool = False
    channel: str = "call"
    taken_by: str = Arrangement.TakenBy.OFFICER
    note: str = ""
    approval_reason: str = ""


def create_plan(*, account: Account, request: PlanRequest, now: datetime, actor: Actor) -> Arrangement:
    """A payment plan on the account, checked against the creditor's policy, replacing any open one."""
    today = ledger_date(account, now)
    policy = policy_for(account)
    with transaction.atomic():
        locked = Account.objects.select_for_update().select_related("creditor").get(pk=account.pk)
        _check_account(locked, today)
        balance = locked.balance
        total = _money(request.total, locked, "total") or balance
        if balance.is_zero:
            raise UnableToArrange(f"account: {locked.reference} owes nothing")
        if total.minor > balance.minor:
            raise UnableToArrange(f"total: {total} is more than the {balance} owed")
        if request.first_due < today:
            raise UnableToArrange(f"first_due: {request.first_due.isoformat()} is in the past; choose today or later")
        try:
            schedule = build_schedule(
                total=total,
                frequency=request.frequency,
                first_due=request.first_due,
                instalment=_money(request.instalment, locked, "instalment"),
                count=request.count,
                down_payment=_money(request.down_payment, locked, "down_payment"),
                explicit_dates=request.explicit_dates,
                date_rule=policy.date_rule,
                remainder="first" if policy.remainder == "first" else "last",
                is_business_day=_business_day_rule(locked),
            )
        except (InvalidSchedule, MoneyError) as exc:
            raise UnableToArrange(str(exc)) from None
        outside = _outside_policy(schedule, balance, policy, today) + _beyond_means(
            locked, schedule, request.frequency, today
        )
        state = _state_for(outside, request.approval_reason, actor)
        arrangement = _open(
            account=locked,
            kind=Arrangement.Kind.PLAN,
            state=state,
            total=total,
            balance=balance,
            dues=[(i.due_date, i.amount.minor, i.down_payment) for i in schedule],
            policy=policy,
            now=now,
            actor=actor,
            frequency=request.frequency.value,
            channel=request.channel,
            taken_by=request.taken_by,
            freeze=request.freeze_charges,
            note=request.note,
            approval_reason="; ".join([*outside, request.approval_reason.strip()]) if outside else "",
        )
    return arrangement


def _outside_policy(schedule: Sequence[Any], balance: Money, policy: Policy, today: date) -> list[str]:
    reasons = []
    regular = [i for i in schedule if not i.down_payment] or list(schedule)
    smallest = min(i.amount.amount for i in regular[:-1]) if len(regular) > 1 else regular[0].amount.amount
    months = term_months(today, schedule[-1].due_date)  # how long from today until the last payment
    if policy.max_term_months is not None and months > policy.max_term_months:
        reasons.append(f"the plan runs {months} months; the creditor's limit is {policy.max_term_months}")
    if policy.min_instalment is not None and smallest < policy.min_instalment:
        reasons.append(f"an instalment of {smallest} is below the creditor's minimum of {policy.min_instalment}")
    if policy.min_percent_of_balance is not None:
        floor = (balance.amount * policy.min_percent_of_balance / 100).quantize(Decimal("0.01"))
        if smallest < floor:
            reasons.append(
                f"an instalment of {smallest} is below {policy.min_percent_of_balance}% of the balance ({floor})"
            )
    return reasons


def _state_for(outside: list[str], approval_reason: str, actor: Actor) -> str:
    if not outside:
        return Arrangement.State.ACTIVE
    if not approval_reason.strip():
        raise UnableToArrange(
            "plan: " + "; ".join(outside) + ". Change the plan, or ask for a team lead's approval with a reason"
        )
    return Arrangement.State.ACTIVE if _may_approve(actor) else Arrangement.State.PENDING_APPROVAL


def _open(
    *,
    account: Account,
    kind: str,
    state: str,
    total: Money,
    balance: Money,
    dues: Sequence[tuple[date, int, bool]],
    policy: Policy,
    now: datetime,
    actor: Actor,
    frequency: str = "",
    channel: str = "",
    taken_by: str = Arrangement.TakenBy.OFFICER,
    freeze: bool = False,
    note: str = "",
    approval_reason: str = "",
) -> Arrangement:
    """Write a new arrangement and its dues (inside the caller's transaction, the account locked)."""
    previous = (
        Arrangement.objects.select_for_update()
        .filter(account=account, state__in=["active", "pending_approval"])
        .first()
    )
    if previous is not None:
        _end(previous, Arrangement.State.REPLACED, f"replaced by a new {kind}", now, actor)
    elif kind == Arrangement.Kind.PLAN:
        # A re-plan after a broken or cancelled plan points back at it, so the history reads as one chain.
        previous = (
            Arrangement.objects.filter(account=account, state__in=["broken", "cancelled"], replaced_by__isnull=True)
            .order_by("-ended_at", "-id")
            .first()
        )
    arrangement = Arrangement.objects.create(
        account=account,
        kind=kind,
        state=state,
        currency=account.currency,
        total_minor=total.minor,
        balance_minor=balance.minor,
        frequency=frequency,
        channel=channel,
        taken_by=taken_by,
        tolerance_minor=Money.of(policy.tolerance_amount, account.currency).minor,
        tolerance_percent=policy.tolerance_percent,
        grace_days=policy.grace_days,
        misses_allowed=policy.misses_allowed,
        freeze_charges=freeze,
        replaces=previous,
        approval_reason=approval_reason,
        approved_by_id=_actor_id(actor) if approval_reason and state == Arrangement.State.ACTIVE else None,
        approved_at=now if approval_reason and state == Arrangement.State.ACTIVE else None,
        note=note.strip(),
        created_by_id=_actor_id(actor),
        created_at=now,
    )
    Due.objects.bulk_create(
        [
            Due(arrangement=arrangement, number=n, due_date=on, amount_minor=minor, down_payment=down, updated_at=now)
            for n, (on, minor, down) in enumerate(dues, start=1)
        ]
    )
    record_event(
        event=CREATED_EVENT[kind],
        subject_id=arrangement.pk,
        account_id=account.pk,
        occurred_at=now,
        actor=actor,
        after={
            "state": state,
            "total": str(total),
            "dues": [(on.isoformat(), str(Money.from_minor(minor, account.currency))) for on, minor, _down in dues],
            "replaces": previous.pk if previous else None,
            "approval_reason": approval_reason,
        },
    )
    if state == Arrangement.State.ACTIVE:
        _activate(arrangement, now, actor)
    return arrangement


def _activate(arrangement: Arrangement, now: datetime, actor: Actor) -> None:
    """Side effects of an arrangement coming into force: the freeze it asked for, the account's status."""
    account = arrangement.account
    if arrangement.freeze_charges and arrangement.freeze_id is None:
        last = arrangement.dues.order_by("-due_date").values_list("due_date", flat=True).first()
        try:
            arrangement.freeze = freeze_charges(
                account=account,
                starts_on=ledger_date(account, now),
                ends_on=last,
                reason=f"{arrangement.get_kind_display().lower()} {arrangement.pk} kept",
                source="payment_plan",
                source_id=str(arrangement.pk),
                now=now,
                actor=actor,
            )
        except UnableToFreezeCharges as exc:
            raise UnableToArrange(str(exc)) from None
        arrangement.save(update_fields=["freeze"])
    if account.status == AccountStatus.ACTIVE.value:
        # If the lifecycle does not allow it from here, the arrangement stands regardless.
        with contextlib.suppress(UnableToChangeStatus):
            change_account_status(
                account=account,
                to_status=AccountStatus.IN_ARRANGEMENT,
                reason=f"{arrangement.get_kind_display().lower()} {arrangement.pk} agreed",
                now=now,
                actor=actor,
            )


def _end(arrangement: Arrangement, state: str, reason: str, now: datetime, actor: Actor) -> None:
    before = arrangement.state
    arrangement.state = state
    arrangement.ended_at = now
    arrangement.end_reason = reason
    arrangement.save(update_fields=["state", "ended_at", "end_reason"])
    if arrangement.freeze_id is not None and arrangement.freeze is not None and arrangement.freeze.ended_on is None:
        freeze = arrangement.freeze
        on = max(ledger_date(arrangement.account, now), freeze.starts_on)
        if freeze.ends_on is None or on <= freeze.ends_on:
            end_charge_freeze(
                freeze=freeze, on=on, reason=f"arrangement {arrangement.pk} {state}", now=now, actor=actor
            )
    account = Account.objects.get(pk=arrangement.account_id)
    leaves = (Arrangement.State.BROKEN, Arrangement.State.CANCELLED, Arrangement.State.COMPLETED)
    if state in leaves and account.status == "in_arrangement":
        with contextlib.suppress(UnableToChangeStatus):
            change_account_status(
                account=account,
                to_status=AccountStatus.ACTIVE,
                reason=f"arrangement {arrangement.pk} {state}",
                now=now,
                actor=actor,
            )
    record_event(
        event=STATE_EVENT[state],
        subject_id=arrangement.pk,
        account_id=arrangement.account_id,
        occurred_at=now,
        actor=actor,
        before={"state": before},
        after={"state": state, "reason": reason},
    )


def approve(*, arrangement: Arrangement, now: datetime, actor: Actor, note: str = "") -> Arrangement:
    """A team lead (or anyone with the permission and, for a settlement, the authority) approves."""
    if not _may_approve(actor):
        raise UnableToArrange("approval: you do not have permission to approve arrangements")
    with transaction.atomic():
        locked = Arrangement.objects.select_for_update().select_related("account__creditor").get(pk=arrangement.pk)
        if locked.state != Arrangement.State.PENDING_APPROVAL:
            raise UnableToArrange(
                f"approval: arrangement {locked.pk} is {locked.get_state_display().lower()}, not waiting"
            )
        if locked.kind == Arrangement.Kind.SETTLEMENT:
            _check_authority(locked.account, _discount(locked.total_minor, locked.balance_minor), actor, approving=True)
        locked.state = Arrangement.State.ACTIVE
        locked.approved_by_id = _actor_id(actor)
        locked.approved_at = now
        locked.save(update_fields=["state", "approved_by", "approved_at"])
        record_event(
            event=Event.ARRANGEMENT_APPROVED,
            subject_id=locked.pk,
            account_id=locked.account_id,
            occurred_at=now,
            actor=actor,
            after={"note": note.strip(), "approval_reason": locked.approval_reason},
        )
        _activate(locked, now, actor)
    return locked


def cancel(*, arrangement: Arrangement, reason: str, now: datetime, actor: Actor) -> Arrangement:
    if not reason.strip():
        raise UnableToArrange("reason: say why the arrangement is cancelled")
    with transaction.atomic():
        locked = Arrangement.objects.select_for_update(of=("self",)).select_related("freeze").get(pk=arrangement.pk)
        if not locked.is_open:
            raise UnableToArrange(f"arrangement: {locked.pk} is already {locked.get_state_display().lower()}")
        _end(locked, Arrangement.State.CANCELLED, reason.strip(), now, actor)
    return locked


def create_promise(
    *,
    account: Account,
    amounts: Sequence[tuple[date, Money]],
    now: datetime,
    actor: Actor,
    channel: str = "call",
    taken_by: str = Arrangement.TakenBy.OFFICER,
    note: str = "",
) -> Arrangement:
    """One or several promised amounts on dates, by a channel, taken by an officer or by the debtor."""
    if not amounts:
        raise UnableToArrange("amounts: a promise names at least one amount and date")
    today = ledger_date(account, now)
    policy = policy_for(account)
    with transaction.atomic():
        locked = Account.objects.select_for_update().select_related("creditor").get(pk=account.pk)
        _check_account(locked, today)
        ordered = sorted(amounts, key=lambda pair: pair[0])
        for on, amount in ordered:
            _money(amount, locked, "amount")
            if on < today:
                raise UnableToArrange(f"date: {on.isoformat()} is in the past")
        if len({on for on, _ in ordered}) != len(ordered):
            raise UnableToArrange("date: two promised amounts fall on the same day; add them together")
        total = sum((amount.minor for _, amount in ordered), 0)
        if total > locked.balance.minor:
            raise UnableToArrange(
                f"amounts: {Money.from_minor(total, locked.currency)} is more than the {locked.balance} owed"
            )
        return _open(
            account=locked,
            kind=Arrangement.Kind.PROMISE,
            state=Arrangement.State.ACTIVE,
            total=Money.from_minor(total, locked.currency),
            balance=locked.balance,
            dues=[(on, amount.minor, False) for on, amount in ordered],
            policy=policy,
            now=now,
            actor=actor,
            channel=channel,
            taken_by=taken_by,
            note=note,
        )


def _discount(total_minor: int, balance_minor: int) -> Decimal:
    return (Decimal(balance_minor - total_minor) * 100 / Decimal(balance_minor)).quantize(Decimal("0.01"))


def _authority(account: Account, actor: Actor) -> Decimal:
    """The largest discount the actor's role may grant on this creditor's accounts (percent)."""
    limits: dict[str, Any] = account.creditor.settlement_authority or {}
    role = getattr(actor, "role", None)
    if role is None:
        return Decimal("0")
    value = limits.get(role.value)
    if value is None and role.value in ("manager", "admin"):
        return Decimal("100")  # the top of the escalation, unless the creditor names a limit for them
    return Decimal(str(value)) if value is not None else Decimal("0")


def _check_authority(account: Account, discount: Decimal, actor: Actor, *, approving: bool = False) -> None:
    allowed = _authority(account, actor)
    if discount > allowed:
        who = "your" if actor is not None else "the"
        raise UnableToArrange(
            f"amount: a discount of {discount}% is more than {who} settlement authority ({allowed}%)"
            + ("" if approving else "; ask for approval with a reason")
        )


def create_settlement(
    *,
    account: Account,
    amounts: Sequence[tuple[date, Money]],
    now: datetime,
    actor: Actor,
    channel: str = "call",
    note: str = "",
    approval_reason: str = "",
) -> Arrangement:
    """A lump sum or short plan for less than the balance. Within the actor's settlement authority it
    is active at once; above it, it waits for approval (a reason is required). When every amount is
    paid, monitoring writes the rest down and the account is settled."""
    if not amounts:
        raise UnableToArrange("amounts: a settlement names at least one amount and date")
    today = ledger_date(account, now)
    policy = policy_for(account)
    with transaction.atomic():
        locked = Account.objects.select_for_update().select_related("creditor").get(pk=account.pk)
        _check_account(locked, today)
        ordered = sorted(amounts, key=lambda pair: pair[0])
        for on, amount in ordered:
            _money(amount, locked, "amount")
            if on < today:
                raise UnableToArrange(f"date: {on.isoformat()} is in the past")
        total = sum((amount.minor for _, amount in ordered), 0)
        balance = locked.balance
        if total >= balance.minor:
            raise UnableToArrange(
                f"amount: {Money.from_minor(total, locked.currency)} is not less than the {balance} owed; make a plan"
            )
        discount = _discount(total, balance.minor)
        state = Arrangement.State.ACTIVE
        reason = ""
        if discount > _authority(locked, actor):
            if not approval_reason.strip():
                _check_authority(locked, discount, actor)
            state = Arrangement.State.PENDING_APPROVAL
            reason = (
                f"a discount of {discount}% is above the authority of the one who agreed it; {approval_reason.strip()}"
            )
        return _open(
            account=locked,
            kind=Arrangement.Kind.SETTLEMENT,
            state=state,
            total=Money.from_minor(total, locked.currency),
            balance=balance,
            dues=[(on, amount.minor, False) for on, amount in ordered],
            policy=policy,
            now=now,
            actor=actor,
            channel=channel,
            note=note,
            approval_reason=reason,
        )


@dataclass
class MonitorResult:
    arrangements: int = 0
    dues_changed: int = 0
    kept: int = 0
    broken: int = 0
    completed: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def monitor(
    *, as_of: date, now: datetime, actor: Actor = None, account_ids: Sequence[int] | None = None
) -> MonitorResult:
    """Classify every due of the open arrangements (of some accounts, or all) as of a day."""
    result = MonitorResult()
    open_ones = Arrangement.objects.filter(state=Arrangement.State.ACTIVE).select_related("account__creditor", "freeze")
    if account_ids is not None:
        open_ones = open_ones.filter(account_id__in=list(account_ids))
    arrangements = {a.pk: a for a in open_ones}
    if not arrangements:
        return result
    dues_by: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in (
        Due.objects.filter(arrangement_id__in=list(arrangements))
        .order_by("arrangement_id", "number")
        .values_list("arrangement_id", "id", "number", "due_date", "amount_minor", "status", "paid_minor", "paid_on")
    ):
        dues_by[row[0]].append(row[1:])
    accounts = {a.account_id for a in arrangements.values()}
    since = min(a.created_at for a in arrangements.values()) - timedelta(days=1)
    paid_by: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for account_id, paid_on, minor in Payment.objects.filter(
        account_id__in=sorted(accounts), reversal__isnull=True, received_at__gte=since
    ).values_list("account_id", "transaction__effective_date", "amount_minor"):
        paid_by[account_id].append((paid_on, minor))  # the payment's business date, as the ledger has it
    changed: list[tuple[int, str, int, date | None]] = []
    missed: list[tuple[Arrangement, int, date, int, str]] = []
    missing = {Due.Status.BROKEN.value, Due.Status.PARTLY_KEPT.value}
    for arrangement in arrangements.values():
        result.arrangements += 1
        currency = arrangement.currency
        made_on = ledger_date(arrangement.account, arrangement.created_at)
        dues = dues_by[arrangement.pk]
        outcomes = classify(
            [CoreDue(number, on, Money.from_minor(minor, currency)) for _id, number, on, minor, *_rest in dues],
            [
                Received(on, Money.from_minor(minor, currency))
                for on, minor in paid_by[arrangement.account_id]
                if on >= made_on
            ],
            tolerance=Tolerance(
                amount=Money.from_minor(arrangement.tolerance_minor, currency),
                percent=arrangement.tolerance_percent,
                grace_days=arrangement.grace_days,
            ),
            as_of=as_of,
        )
        for (due_id, number, on, minor, was, paid_before, paid_on_before), outcome in zip(dues, outcomes, strict=True):
            status = outcome.status.value
            result.by_status[status] = result.by_status.get(status, 0) + 1
            if (was, paid_before, paid_on_before) == (status, outcome.paid.minor, outcome.paid_on):
                continue
            if status == Due.Status.KEPT and was != Due.Status.KEPT:
                result.kept += 1
            if status in missing and was not in missing:
                result.broken += 1
                missed.append((arrangement, number, on, minor, status))
            changed.append((due_id, status, outcome.paid.minor, outcome.paid_on))
        state = plan_state(outcomes, misses_allowed=arrangement.misses_allowed)
        if state is PlanState.COMPLETED:
            _complete(arrangement, now, actor)
            result.completed += 1
        elif state is PlanState.BROKEN:
            with transaction.atomic():
                _end(
                    arrangement, Arrangement.State.BROKEN, f"more than {arrangement.misses_allowed} missed", now, actor
                )
    if changed:
        _write_dues(changed, now)
    if missed:
        _missed_events(missed, now, actor)
    result.dues_changed = len(changed)
    return result


DUE_UPDATE_SQL = (
    "UPDATE arrangements_due SET status = v.s, paid_minor = v.p, paid_on = {paid_on}, updated_at = %s "
    "FROM (SELECT column1 AS i, column2 AS s, column3 AS p, column4 AS o FROM (VALUES {rows}) AS t) AS v "
    "WHERE arrangements_due.id = v.i"
)


def _write_dues(changed: Sequence[tuple[int, str, int, date | None]], now: datetime) -> None:
    """Write the dues whose outcome changed: one UPDATE ... FROM (VALUES ...) per 2,000, not an ORM
    CASE expression per row (both databases take UPDATE ... FROM)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for start in range(0, len(changed), 2000):
            batch = changed[start : start + 2000]
            params: list[Any] = [now]
            for row in batch:
                params.extend(row)
            # PostgreSQL types a VALUES column from its rows, and a column of NULLs is text: say it is a date.
            paid_on = "CAST(v.o AS date)" if connection.vendor == "postgresql" else "v.o"
            rows = ", ".join(["(%s, %s, %s, %s)"] * len(batch))
            cursor.execute(DUE_UPDATE_SQL.format(rows=rows, paid_on=paid_on), params)


def _missed_events(missed: Sequence[tuple[Arrangement, int, date, int, str]], now: datetime, actor: Actor) -> None:
    """One audit event per payment newly missed (for the officer's queue), written in one batch."""
    by = author_of(actor)
    record_events(
        event_row(
            DUE_EVENT[status],
            subject_id=arrangement.pk,
            account_id=arrangement.account_id,
            occurred_at=now,
            by=by,
            after={
                "due": number,
                "due_date": on.isoformat(),
                "amount": str(Money.from_minor(minor, arrangement.currency)),
            },
        )
        for arrangement, number, on, minor, status in missed
    )


def _complete(arrangement: Arrangement, now: datetime, actor: Actor) -> None:
    """Every due kept: a settlement's remainder is written down and the account settled."""
    with transaction.atomic():
        if arrangement.kind == Arrangement.Kind.SETTLEMENT:
            account = Account.objects.get(pk=arrangement.account_id)
            if not account.balance.is_zero:
                try:
                    write_down(
                        account=account,
                        type=TransactionType.SETTLEMENT_WRITE_DOWN,
                        now=now,
                        actor=actor,
                        reason=f"settlement {arrangement.pk} paid in full",
                    )
                except UnableToPostTransaction as exc:
                    raise UnableToArrange(str(exc)) from None
            account.refresh_from_db()
            with contextlib.suppress(UnableToChangeStatus):
                change_account_status(
                    account=account,
                    to_status=AccountStatus.SETTLED,
                    reason=f"settlement {arrangement.pk} paid",
                    now=now,
                    actor=actor,
                )
        _end(arrangement, Arrangement.State.COMPLETED, "every amount was paid", now, actor)


def monitor_after_payments(*, account_ids: Sequence[int], now: datetime) -> MonitorResult | None:
    """After payments are committed: monitor the open arrangements among those accounts, at once."""
    # Only the accounts paid into, looked up by the (account, state) index: a payment does not read
    # every open arrangement of the portfolio.
    ids = sorted(set(account_ids))
    touched: list[int] = []
    for start in range(0, len(ids), 2000):
        touched += Arrangement.objects.filter(
            state=Arrangement.State.ACTIVE, account_id__in=ids[start : start + 2000]
        ).values_list("account_id", flat=True)
    if not touched:
        return None
    return monitor_on_business_dates(now=now, account_ids=touched)


def monitor_on_business_dates(*, now: datetime, account_ids: Sequence[int]) -> MonitorResult:
    """Monitor the accounts' open arrangements, each as of its creditor's business date at `now`
    (payments are dated in that zone, so their dues are judged on the same calendar)."""
    office = office_zone()
    by_zone: dict[str, list[int]] = defaultdict(list)
    for start in range(0, len(account_ids), 2000):
        for account_id, zone_name in Account.objects.filter(pk__in=list(account_ids[start : start + 2000])).values_list(
            "pk", "creditor__business_time_zone"
        ):
            by_zone[zone_name or office].append(account_id)
    total = MonitorResult()
    for zone_name, ids in sorted(by_zone.items()):
        part = monitor(as_of=date_in(now, zone_name), now=now, account_ids=ids)
        for name in ("arrangements", "dues_changed", "kept", "broken", "completed"):
            setattr(total, name, getattr(total, name) + getattr(part, name))
        for status, count in part.by_status.items():
            total.by_status[status] = total.by_status.get(status, 0) + count
    return total


AFFORDABILITY_VALID_DAYS = 90  # a statement older than this no longer speaks for the debtor's means


def _guidelines(account: Account, currency: str) -> Any:
    """The spending guidelines from the creditor's policy (`sfs_guidelines`), or None when not set."""
    from recoup.core.arrangements.affordability import Guidelines

    raw = (account.creditor.arrangement_policy or {}).get("sfs_guidelines")
    if not raw:
        return None
    try:
        return Guidelines({group: Money.of(Decimal(str(value)), currency) for group, value in raw.items()})
    except (ValueError, InvalidOperation, MoneyError) as exc:
        raise UnableToArrange(f"arrangement_policy of {account.creditor.code}: sfs_guidelines: {exc}") from None


def record_affordability(
    *,
    account: Account,
    adults: int,
    children: int,
    amounts: dict[str, Money],
    now: datetime,
    actor: Actor,
    vehicles: int = 0,
    debt_share: Decimal = Decimal(1),
    frequency: str = "monthly",
    reasons: dict[str, str] | None = None,
    note: str = "",
) -> Affordability:
    """Record an income and expenditure statement and what it suggests (UK-03); audited.

    Spending above a guideline needs the reason the debtor gave, written down (not a cut figure);
    without one the statement is refused, naming the group.
    """
    from recoup.core.arrangements.affordability import Household, Statement, assess

    reasons = {group: text.strip() for group, text in (reasons or {}).items() if text.strip()}
    try:
        statement = Statement(
            Household(adults, children, vehicles), {k: v for k, v in amounts.items() if not v.is_zero}
        )
        if any(v.currency != account.currency for v in amounts.values()):
            raise ValueError(f"amounts: enter them in the account's currency {account.currency}")
        result = assess(
            statement, guidelines=_guidelines(account, account.currency), debt_share=debt_share, frequency=frequency
        )
    except (ValueError, MoneyError) as exc:
        raise UnableToArrange(str(exc)) from None
    unexplained = [b for b in result.over_guideline if b.group not in reasons]
    if unexplained:
        first = unexplained[0]
        raise UnableToArrange(
            f"reasons: {first.group.replace('_', ' ')} is {first.spent} a month against the guideline "
            f"{first.guideline}; record why (UK-03)"
        )
    with transaction.atomic():
        recorded = Affordability.objects.create(
            account=account,
            adults=adults,
            children=children,
            vehicles=vehicles,
            currency=account.currency,
            amounts={key: value.minor for key, value in amounts.items() if not value.is_zero},
            debt_share=debt_share,
            frequency=frequency,
            income_minor=result.income.minor,
            disposable_minor=result.disposable_income.minor,
            suggested_minor=result.suggested_instalment.minor if result.suggested_instalment else None,
            over_guideline=[
                {"group": b.group, "spent": str(b.spent), "guideline": str(b.guideline), "reason": reasons[b.group]}
                for b in result.over_guideline
            ],
            note=note.strip(),
            created_by_id=_actor_id(actor),
            created_at=now,
        )
        record_event(
            event=Event.AFFORDABILITY_RECORDED,
            subject_id=recorded.pk,
            account_id=account.pk,
            occurred_at=now,
            actor=actor,
            after={
                "income": str(result.income),
                "disposable": str(result.disposable_income),
                "suggested": str(result.suggested_instalment) if result.suggested_instalment else None,
                "frequency": frequency,
                "debt_share": str(debt_share),
            },
        )
    return recorded


def latest_affordability(account: Account, today: date) -> Affordability | None:
    since = today - timedelta(days=AFFORDABILITY_VALID_DAYS)
    return (
        Affordability.objects.filter(account=account, created_at__date__gte=since)
        .order_by("-created_at", "-id")
        .first()
    )


def _beyond_means(account: Account, schedule: Sequence[Any], frequency: Frequency, today: date) -> list[str]:
    """UK-02: a plan asking more than the debtor's latest statement supports needs a recorded reason."""
    from recoup.core.arrangements.affordability import per_period

    statement = latest_affordability(account, today)
    if statement is None or frequency is Frequency.EXPLICIT:
        return []
    regular = [i for i in schedule if not i.down_payment] or list(schedule)
    largest = max(i.amount for i in regular[:-1]) if len(regular) > 1 else regular[0].amount
    if statement.disposable_minor <= 0:
        return [
            f"the income and expenditure statement of {statement.created_at.date().isoformat()} "
            "leaves nothing to pay with (UK-02)"
        ]
    monthly_share = Money.from_minor(int(Decimal(statement.disposable_minor) * statement.debt_share), account.currency)
    allowed = per_period(monthly_share, frequency.value)
    if largest > allowed:
        return [
            f"a payment of {largest} is more than the {allowed} the income and expenditure statement of "
            f"{statement.created_at.date().isoformat()} supports (UK-02)"
        ]
    return []
